"""Load the shipped plan batches (reference data) into the plan tables."""

import json
from pathlib import Path

from django.db import transaction

from hub.catalogue.models import Department, Library

from .models import PlanBatch, PlanEntry

REFERENCE = Path(__file__).parent / "reference" / "plans.json"


@transaction.atomic
def load(reference_path=REFERENCE):
    """Create or update the reference batches and entries; idempotent. Returns counts.

    Entries an operator added in the admin are left alone; shipped entries
    are matched by (batch, dataset, item, department).
    """
    data = json.loads(Path(reference_path).read_text(encoding="utf-8"))
    libraries = {lib.code: lib for lib in Library.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    n_entries = 0
    for row in data["batches"]:
        batch, _ = PlanBatch.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "decided_on": row.get("decided_on"),
                "delivery_share": row.get("delivery_share", "0.900"),
                "ordering": row.get("ordering", 0),
                "notes": row.get("notes", ""),
            },
        )
        for entry in row["entries"]:
            PlanEntry.objects.update_or_create(
                batch=batch,
                dataset=entry["dataset"],
                item=entry.get("item", ""),
                department=departments[entry["department"]],
                defaults={
                    "library": libraries[entry["library"]],
                    "target_records": entry.get("target_records", 0),
                    "deadline": entry["deadline"],
                    "notes": entry.get("notes", ""),
                },
            )
            n_entries += 1
    return {"batches": len(data["batches"]), "entries": n_entries}
