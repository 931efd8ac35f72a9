"""The shipped licence types, Jiangsu issuers and Yangtze River Delta regions.

One JSON file (``reference/licence_types.json``) is the declaration: the
catalogue's partitions of ``licences.licence`` (type → issuing department)
and the :class:`~licences.models.LicenceType` rows are both derived from it,
so the issuing department of a type is written down once.
"""

import json
from functools import cache
from pathlib import Path

from django.db import transaction

REFERENCE = Path(__file__).parent / "reference" / "licence_types.json"


@cache
def data() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def types() -> list[dict]:
    return data()["types"]


def type_by_slug(slug) -> dict:
    return next(t for t in types() if t["slug"] == slug)


def issuer(department_code) -> dict:
    """``{"name", "credit_code"}`` of a Jiangsu issuing department."""
    return data()["issuers"][department_code]


def region_name(code) -> str:
    return data()["regions"].get(code, code)


@transaction.atomic
def load_types():
    """Create or update the LicenceType rows from the reference file; idempotent. Returns the count."""
    from .models import LicenceType

    for row in types():
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
    return len(types())
