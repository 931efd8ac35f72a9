"""Public functions other libraries use to ask about licences (by holder key)."""

from hub.records.codes import ascii_upper

from .choices import LicenceStatus

FIELDS = (
    "identifier",
    "licence_type",
    "number",
    "holder_kind",
    "holder_key",
    "holder_name",
    "issuing_authority",
    "issuer_code",
    "issue_date",
    "valid_from",
    "valid_to",
    "status",
    "division_code",
)


def valid_licences(holder_key) -> list[dict]:
    """The currently valid licences of a holder (citizen ID number or credit code), as field values.

    Each dict carries the licence items (``licence_type`` is the type code,
    ``status`` is ``valid``) plus ``licence_type_name``; the caller applies
    its own grants to what it passes on.
    """
    from .models import Licence, licence_type

    rows = (
        Licence.objects.currently_valid()
        .filter(holder_key=ascii_upper(holder_key))
        .order_by("licence_type", "issue_date")
        .values(*FIELDS)
    )
    result = []
    for row in rows:
        row["licence_type_name"] = licence_type(row["licence_type"]).name
        row["status"] = LicenceStatus.VALID.value
        result.append(row)
    return result
