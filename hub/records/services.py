"""Writing base records from Python: the library actions, the admin and seeding.

Every write goes through the one ingestion service (:func:`hub.records.ingest.ingest`),
so the same rules hold whoever writes: the one-source rule, each column's
validators, the library's rules on the merged row (cross-field checks, the
derived fields, the state transitions), and a history row on the model that
holds the data, with source department, actor, batch and reason.

- :func:`write` loads many rows (seeding, bulk corrections): all-or-nothing.
- :func:`write_one` writes one record (a licence issued, a repair decided,
  a steward's edit) and returns it as stored.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hub.catalogue import spec as catalogue

from .ingest import IngestInputError, InvalidRows, ingest
from .sources import check_write


def _dataset_code(dataset):
    if isinstance(dataset, str):
        return dataset
    return getattr(dataset, "code", None) or dataset.dataset_code


def _as_validation_error(error):
    """A refusal of the ingestion service as the ValidationError a Python caller expects."""
    if isinstance(error, InvalidRows):
        merged = {}
        for row in error.rejected:
            for name, messages in row["errors"].items():
                seen = merged.setdefault(name, [])
                seen.extend(m for m in messages if m not in seen)
        return ValidationError(merged or {"__all__": [error.detail]}, code=error.code)
    field = error.column or "__all__"
    return ValidationError({field: [error.detail]}, code=error.code)


def write(
    dataset,
    rows,
    *,
    department,
    reason="",
    user=None,
    system=None,
    channel="service",
    engine="auto",
):
    """Upsert ``rows`` (dicts keyed by field name, natural key in each) as ``department``; the report.

    All-or-nothing: an invalid row raises ``ValidationError`` naming the
    field and rule, a foreign item ``SourceRuleViolation``; nothing is written
    then. Rows carrying different items go in one batch per shape, in one
    transaction. An empty ``rows`` writes nothing and reports zeros.
    """
    # a batch carries the same items in every row: rows of other shapes go in batches of their own
    shapes = {}
    for row in rows:
        shapes.setdefault(tuple(row), []).append(row)
    total = {"created": 0, "updated": 0, "unchanged": 0, "rejected_count": 0}
    with transaction.atomic():
        for part in shapes.values():
            try:
                report = ingest(
                    _dataset_code(dataset),
                    part,
                    department=department,
                    user=user,
                    system=system,
                    channel=channel,
                    all_or_nothing=True,
                    reason=reason,
                    engine=engine,
                ).report
            except IngestInputError as error:
                raise _as_validation_error(error) from None
            total = {name: total[name] + report[name] for name in total}
            total["batch"] = report["batch"]
    return total


@transaction.atomic
def write_one(model, values, *, department, reason="", user=None, system=None, channel="service"):
    """Create or change one record of ``model`` with ``values`` (the key plus the items written).

    The one-source rule is checked first (so a department writing another's
    item hears that, not data errors), then the write goes through the one
    ingestion path. Returns the record as stored.
    """
    dataset = catalogue.for_model(model)
    key = dataset.natural_key
    if values.get(key) in (None, ""):
        raise ValidationError({key: [_("The record's key is required.")]})
    values = {**values, key: model.normalize_key(values[key])}
    stored = model._base_manager.filter(**{key: values[key]}).first()
    _check_source(dataset, department, stored, values)
    write(
        dataset.code,
        [values],
        department=department,
        reason=reason,
        user=user,
        system=system,
        channel=channel,
        engine="orm",  # one row: the ORM path, inside the caller's transaction
    )
    return model._base_manager.get(**{key: values[key]})


def _check_source(dataset, department, stored, values):
    """The one-source rule for one record: its partition before and after the write."""
    changed = [
        name
        for name, value in values.items()
        if stored is None or name == dataset.natural_key or getattr(stored, name, None) != value
    ]
    partitions = [None]
    if dataset.partition_field:
        field = dataset.partition_field
        before = getattr(stored, field, None) if stored is not None else None
        after = values.get(field, before)
        partitions = sorted({str(v) for v in (before, after) if v is not None}) or [None]
    for partition in partitions:
        check_write(dataset, department, changed, partition_value=partition, creating=stored is None)
