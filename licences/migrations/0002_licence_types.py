"""Load the shipped licence types (reference data) so every database has them."""

import json
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "licence_types.json"


def load(apps, schema_editor):
    LicenceType = apps.get_model("licences", "LicenceType")
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for row in data["types"]:
        LicenceType.objects.update_or_create(
            code=row["code"],
            defaults={
                "slug": row["slug"],
                "name": row["name"],
                "defining_department": row["defining_department"],
                "holder_kind": row["holder_kind"],
                "validity_policy": row["validity_policy"],
                "term_years": row.get("term_years"),
                "surface_items": row["surface_items"],
                "recognized_in": row.get("recognized_in", []),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("licences", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
