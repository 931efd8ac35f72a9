"""Writing base records outside a request: the one-source rule, history, stamps.

``bulk_write`` is the ORM path used by seeding until the ingestion service
(``hub.records.ingest``) takes over bulk loads.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import context
from .events import announce_written
from .sources import check_write


@transaction.atomic
def bulk_write(model, rows, *, department, reason="", batch=None, chunk=2000):
    """Upsert ``rows`` (dicts keyed by field name) as ``department``; returns counts.

    Every row must carry the natural key; the other fields must all be items
    whose source is ``department`` (checked once for the whole call, before
    anything is written). History rows carry department and batch.
    """
    dataset = model.catalogue_spec()
    key = dataset.natural_key
    batch = batch or uuid.uuid4().hex
    rows = list(rows)
    prepare = getattr(model, "prepare_row", None)  # columns derived from others (e.g. a geometry's box)
    if prepare is not None:
        rows = [prepare(row) for row in rows]
    fields = sorted({name for row in rows for name in row} - {key})
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    history_attrs = {"source_department": department, "batch": batch}
    now = timezone.now()
    with context.writing(department, reason=reason, batch=batch):
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            existing = model.objects.in_bulk([row[key] for row in part], field_name=key)
            creates, updates = [], []
            for row in part:
                record = existing.get(row[key])
                if record is None:
                    creates.append(model(**row, source_stamps={department: now.isoformat()}))
                    continue
                if any(getattr(record, name) != value for name, value in row.items()):
                    for name, value in row.items():
                        setattr(record, name, value)
                    record.source_stamps = {**record.source_stamps, department: now.isoformat()}
                    record.updated_at = now
                    updates.append(record)
                else:
                    counts["unchanged"] += 1
            if creates:
                check_write(dataset, department, [key, *fields], creating=True)
                bulk_create_with_history(
                    creates,
                    model,
                    batch_size=chunk,
                    default_change_reason=reason,
                    default_date=now,
                    custom_historical_attrs=history_attrs,
                )
                counts["created"] += len(creates)
            if updates:
                check_write(dataset, department, fields)
                bulk_update_with_history(
                    updates,
                    model,
                    [*fields, "source_stamps", "updated_at"],
                    batch_size=chunk,
                    default_change_reason=reason,
                    default_date=now,
                    custom_historical_attrs=history_attrs,
                )
                counts["updated"] += len(updates)
    announce_written(
        sender=model,
        dataset=dataset.code,
        department=department,
        batch=batch,
        keys=[row[key] for row in rows],
        created=counts["created"],
        updated=counts["updated"],
    )
    return counts
