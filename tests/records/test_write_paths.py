"""Every registered dataset, every write path: history on the model that holds the data, and merged-row rules.

The datasets come from the catalogue registry (``hub.catalogue.registry``),
not from a list kept here: a new dataset fails :func:`test_every_dataset_has_a_case`
until it has a case in :mod:`.write_cases` or is read-only to writes.
"""

import csv
import datetime
import decimal
import io
import json
import types

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from hub.catalogue.registry import declarations
from hub.records.ingest import InvalidRows, ReadOnlyDataset, ingest
from hub.records.services import write
from tests.factories import make_steward

from .write_cases import CASES

pytestmark = pytest.mark.django_db

DATASETS = sorted(declaration.code for declaration in declarations())
ENGINES = ["orm"] + (["copy"] if connection.vendor == "postgresql" else [])
INGEST_PATHS = ["json", "csv", *(f"rows-{engine}" for engine in ENGINES)]


def model_of(code):
    declaration = next(d for d in declarations() if d.code == code)
    from django.apps import apps

    return apps.get_model(declaration.model)


def writable():
    return [code for code in DATASETS if model_of(code).write_dataset() is None]


def read_only():
    return [code for code in DATASETS if model_of(code).write_dataset() is not None]


@pytest.fixture
def divisions(db):
    from geodata import divisions as cache
    from geodata.demo import load_divisions

    load_divisions()
    cache.clear_cache()
    yield
    cache.clear_cache()


def _plain(value, text):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False) if text else value
    if value is None:
        return "" if text else None
    return str(value) if text else value


def send(code, rows, path, *, department, reason, all_or_nothing=False):
    """Write ``rows`` to ``code`` by one of the ingest paths; the report."""
    if path == "json":
        body = json.dumps([{k: _plain(v, False) for k, v in row.items()} for row in rows], ensure_ascii=False)
        source, fmt, engine = io.BytesIO(body.encode()), "json", "auto"
    elif path == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(list(rows[0]))
        for row in rows:
            writer.writerow([_plain(v, True) for v in row.values()])
        source, fmt, engine = io.BytesIO(out.getvalue().encode()), "csv", "auto"
    else:
        source, fmt, engine = rows, None, path.split("-", 1)[1]
    return ingest(
        code,
        source,
        fmt=fmt,
        department=department,
        reason=reason,
        all_or_nothing=all_or_nothing,
        engine=engine,
    ).report


def history_of(model, key, batch):
    field = model.catalogue_spec().natural_key
    return list(model.history.filter(**{field: key}, batch=batch).order_by("history_id"))


def assert_history(model, key, batch, department, reason, kind):
    rows = history_of(model, key, batch)
    assert len(rows) == 1, f"{model.dataset_code} {key}: {len(rows)} history rows for batch {batch}"
    row = rows[0]
    assert row.history_type == kind
    assert row.source_department == department
    assert row.history_change_reason == reason


def test_every_dataset_has_a_case():
    assert DATASETS, "the registry lists no dataset"
    assert set(writable()) == set(CASES), "each writable dataset needs a case in tests/records/write_cases.py"
    for code in read_only():
        instead = model_of(code).write_dataset()
        assert instead in CASES, f"{code} is written through {instead}, which must be writable"


@pytest.mark.parametrize("path", INGEST_PATHS)
@pytest.mark.parametrize("code", sorted(CASES))
def test_each_ingest_path_leaves_history_on_the_model(code, path, divisions):
    case = CASES[code]
    model = model_of(code)
    key_field = model.catalogue_spec().natural_key
    row = case.row()
    key = model.normalize_key(row[key_field])
    report = send(code, [row], path, department=case.department, reason="meta create")
    assert report["created"] == 1 and report["rejected_count"] == 0, report
    batch = report["batch"].replace("-", "")
    assert_history(model, key, batch, case.department, "meta create", "+")
    assert history_of(model, key, batch)[0].batch  # the batch is named

    field, value = case.change
    report = send(
        code,
        [{key_field: row[key_field], field: value}],
        path,
        department=case.department,
        reason="meta change",
    )
    assert report["updated"] == 1, report
    assert_history(model, key, report["batch"].replace("-", ""), case.department, "meta change", "~")
    stored = model.objects.get(**{key_field: key})
    assert str(getattr(stored, field)) == str(value)


@pytest.mark.parametrize("all_or_nothing", [False, True])
@pytest.mark.parametrize("path", INGEST_PATHS)
@pytest.mark.parametrize("code", sorted(CASES))
def test_a_partial_row_is_judged_over_the_stored_record(code, path, all_or_nothing, divisions):
    case = CASES[code]
    model = model_of(code)
    key_field = model.catalogue_spec().natural_key
    row = case.row()
    write(code, [row], department=case.department, reason="meta create")
    before = model.history.count()
    partial = {key_field: row[key_field], **case.bad}
    if all_or_nothing:
        with pytest.raises(InvalidRows) as refused:
            send(code, [partial], path, department=case.department, reason="meta bad", all_or_nothing=True)
        rejected = refused.value.rejected
    else:
        report = send(code, [partial], path, department=case.department, reason="meta bad")
        assert report["updated"] == 0 and report["rejected_count"] == 1, report
        rejected = report["rejected"]
    assert rejected[0]["row"] == 1 and rejected[0]["errors"], rejected
    assert model.history.count() == before
    stored = model.objects.get(**{key_field: model.normalize_key(row[key_field])})
    for name, value in case.bad.items():
        assert str(getattr(stored, name)) != str(value)


@pytest.mark.parametrize("code", sorted(CASES))
def test_an_admin_save_leaves_history_on_the_model(code, divisions):
    case = CASES[code]
    model = model_of(code)
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        pytest.skip(f"{code} has no admin")
    key_field = model.catalogue_spec().natural_key
    row = case.row()
    write(code, [row], department=case.department, reason="meta create")
    record = model.objects.get(**{key_field: model.normalize_key(row[key_field])})
    field, value = case.change
    setattr(record, field, model._meta.get_field(field).to_python(value))
    request = RequestFactory().post("/")
    request.user = make_steward(case.department)
    form = types.SimpleNamespace(data={"_change_reason": "meta admin"})
    model_admin.save_model(request, record, form, change=True)
    [version] = model.history.filter(
        **{key_field: record.natural_key_value}, history_change_reason="meta admin"
    )
    assert version.history_type == "~" and version.source_department == case.department
    assert version.batch and version.history_user_id == request.user.pk
    assert str(getattr(model.objects.get(pk=record.pk), field)) == str(value)


@pytest.mark.parametrize("path", INGEST_PATHS)
@pytest.mark.parametrize("code", read_only() or ["-"])
def test_a_read_only_dataset_refuses_every_write_before_writing(code, path, divisions):
    if code == "-":
        pytest.skip("no read-only dataset registered")
    model = model_of(code)
    instead = model.write_dataset()
    case = CASES[instead]
    row = case.row()
    write(instead, [row], department=case.department, reason="meta create")
    key_field = model.catalogue_spec().natural_key
    written = model._meta.concrete_model.history.count()
    with pytest.raises(ReadOnlyDataset) as refused:
        send(code, [{key_field: row[key_field]}], path, department=case.department, reason="meta")
    assert instead in refused.value.detail and code in refused.value.detail
    assert refused.value.code == "read_only_dataset"
    assert model._meta.concrete_model.history.count() == written
