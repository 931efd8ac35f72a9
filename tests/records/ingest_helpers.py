"""Builders shared by the ingestion tests: rows per department, bodies in each format."""

import csv
import io
import json

from population.demo import SOURCE_ITEMS
from tests.factories import person_rows

GAT = SOURCE_ITEMS["gat"]
URL = "/api/v1/ingest/population.person/"


def gat_rows(count=3, seed=None):
    """Public security's part of ``count`` valid persons (key + identity items), values as text."""
    return [
        {"id_number": r["id_number"], **{f: _text(r[f]) for f in GAT}} for r in person_rows(count, seed=seed)
    ]


def _text(value):
    return "" if value is None else str(value)


def as_json(rows):
    return json.dumps(rows, ensure_ascii=False).encode()


def as_ndjson(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def as_csv(rows, header=None, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    names = list(rows[0])
    writer.writerow(header or names)
    for row in rows:
        writer.writerow([row[n] for n in names])
    return out.getvalue().encode(encoding)


def post(client, body, content_type="application/json", url=URL, **extra):
    return client.post(url, data=body, content_type=content_type, **extra)


def snapshot(model):
    """Records and history as comparable plain data (ids, times and batch ids left out)."""
    from hub.records.models import FRAMEWORK_FIELDS

    fields = [f.attname for f in model._meta.concrete_fields if f.name not in FRAMEWORK_FIELDS]
    key = model.catalogue_spec().natural_key
    records = {
        row[key]: {**row, "sources": sorted(stamps)}
        for row, stamps in (
            ({f: getattr(r, f) for f in fields}, r.source_stamps) for r in model.objects.order_by(key)
        )
    }
    history = sorted(
        (
            tuple(getattr(h, f) for f in fields)
            + (h.history_type, h.source_department, h.acting_system, h.history_change_reason or "")
            for h in model.history.all()
        ),
        key=repr,
    )
    return records, history
