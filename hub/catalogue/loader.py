"""Write the shipped reference data and declarations into the catalogue."""

import json
from pathlib import Path

from django.db import transaction

from . import registry
from .models import DataItem, Dataset, Department, Library, PartitionSource

REFERENCE = Path(__file__).parent / "reference" / "jiangsu.json"


@transaction.atomic
def load(reference_path=REFERENCE):
    """Create or update departments, libraries, datasets, items and partitions.

    Idempotent: running it twice changes nothing the second time. Returns a
    dict of counts for the command to print.
    """
    data = json.loads(Path(reference_path).read_text(encoding="utf-8"))
    departments = {}
    for row in data["departments"]:
        dept, _ = Department.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "division_code": row["division_code"],
                "credit_code": row.get("credit_code", ""),
            },
        )
        departments[dept.code] = dept
    libraries = {}
    for row in data["libraries"]:
        lib, _ = Library.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "lead_department": departments[row["lead"]],
                "ordering": row.get("ordering", 0),
            },
        )
        libraries[lib.code] = lib
    n_items = 0
    declared = registry.declarations()
    for decl in declared:
        dataset, _ = Dataset.objects.update_or_create(
            code=decl.code,
            defaults={
                "library": libraries[decl.library],
                "name": decl.name,
                "model_label": decl.model,
                "natural_key": decl.natural_key,
                "partition_field": decl.partition_field,
                "update_cycle": decl.cycle,
                "description": decl.description,
            },
        )
        for position, item in enumerate(decl.items):
            mode, unmasked, days = item.self_service()
            DataItem.objects.update_or_create(
                code=f"{decl.code}.{item.field}",
                defaults={
                    "self_service_mode": mode,
                    "unmasked_needs_approval": unmasked,
                    "max_grant_days": days,
                    "dataset": dataset,
                    "field": item.field,
                    "name": item.name,
                    "standard": item.standard,
                    "source_department": departments[item.source] if item.source else None,
                    "sharing_type": item.sharing,
                    "sensitivity": item.sensitivity,
                    "masking": item.masking,
                    "update_cycle": item.cycle,
                    "required": item.required,
                    "is_key": item.key,
                    "ordering": position,
                },
            )
            n_items += 1
        for part in decl.partitions:
            PartitionSource.objects.update_or_create(
                dataset=dataset,
                value=part.value,
                defaults={"name": part.name, "source_department": departments[part.source]},
            )
    return {
        "departments": len(departments),
        "libraries": len(libraries),
        "datasets": len(declared),
        "items": n_items,
    }
