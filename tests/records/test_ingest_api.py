"""The ingest endpoint: semantics of the one-source rule, validation, history, idempotency."""

import datetime

import pytest
from django.test import override_settings

from hub.records import history
from hub.records.events import records_written
from hub.records.models import IngestBatch
from population.models import Person
from tests.factories import make_system

from .ingest_helpers import URL, as_csv, as_json, as_ndjson, gat_rows, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def gat():
    return make_system(department="gat", provider=True)[1]


@pytest.fixture
def mzt():
    return make_system(department="mzt", provider=True)[1]


def load(client, rows, **extra):
    response = post(client, as_json(rows), **extra)
    assert response.status_code == 200, response.json()
    return response.json()


def test_first_load_creates_records_with_history_and_stamps(gat):
    rows = gat_rows(3)
    report = load(gat, rows)
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (3, 0, 0, [])
    person = Person.objects.get(id_number=rows[0]["id_number"])
    assert person.name == rows[0]["name"]
    assert person.birth_date == datetime.date.fromisoformat(rows[0]["birth_date"])
    assert list(person.source_stamps) == ["gat"]
    versions = person.history.all()
    assert [(h.history_type, h.source_department, h.batch) for h in versions] == [
        ("+", "gat", report["batch"].replace("-", ""))
    ]
    assert versions[0].acting_system.startswith("system-")
    assert versions[0].name == rows[0]["name"]
    batch = IngestBatch.objects.get(pk=report["batch"])
    assert batch.status == "completed" and batch.report["created"] == 3


def test_reload_writes_history_only_for_changed_rows(gat):
    rows = gat_rows(3)
    load(gat, rows)
    rows[1]["residence_address"] = "江苏省南京市新地址1号"
    report = load(gat, rows)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    assert Person.history.count() == 4
    changed = Person.history.filter(history_type="~").get()
    assert changed.id_number == rows[1]["id_number"]
    assert changed.residence_address == "江苏省南京市新地址1号"
    assert changed.name == rows[1]["name"]  # history rows carry every tracked item


def test_provider_writes_only_its_own_items_and_keeps_others(gat, mzt):
    rows = gat_rows(2)
    load(gat, rows)
    report = load(mzt, [{"id_number": r["id_number"], "marital_status": "20"} for r in rows])
    assert report["updated"] == 2
    person = Person.objects.get(id_number=rows[0]["id_number"])
    assert person.marital_status == "20"
    assert person.name == rows[0]["name"]  # not erased by a batch that does not carry it
    assert set(person.source_stamps) == {"gat", "mzt"}
    # public security reloading its items leaves civil affairs' item alone
    old_name, rows[0]["name"] = rows[0]["name"], "王新名"
    load(gat, rows)
    person.refresh_from_db()
    assert (person.name, person.marital_status) == ("王新名", "20")
    versions = history.versions(Person, "id_number", person.id_number, ["name", "marital_status"], {})
    assert [v["source"] for v in versions] == ["gat", "mzt", "gat"]
    assert versions[0]["changes"] == {"name": {"old": old_name, "new": "王新名"}}


def test_source_rule_violation_refuses_the_whole_batch(gat, mzt):
    rows = gat_rows(2)
    load(gat, rows)
    body = [{"id_number": r["id_number"], "marital_status": "20", "name": "冒名"} for r in rows]
    response = post(mzt, as_json(body))
    assert response.status_code == 403
    data = response.json()
    assert data["code"] == "source_rule"
    assert data["violations"] == [{"item": "population.person.name", "source": "gat"}]
    assert "population.person.name" in data["detail"]
    assert Person.objects.filter(marital_status="20").count() == 0
    assert Person.history.count() == 2


def test_only_the_key_source_creates_records(gat, mzt):
    existing = gat_rows(1)
    load(gat, existing)
    unknown = gat_rows(1)[0]["id_number"]
    body = [
        {"id_number": existing[0]["id_number"], "marital_status": "20"},
        {"id_number": unknown, "marital_status": "20"},
    ]
    response = post(mzt, as_json(body))
    assert response.status_code == 403
    assert response.json()["violations"][0]["item"] == "population.person.id_number"
    assert response.json()["violations"][0]["keys"] == [unknown]
    assert Person.objects.count() == 1 and Person.objects.get().marital_status == ""


def test_invalid_rows_are_rejected_individually(gat):
    rows = gat_rows(4)
    rows[1]["id_number"] = rows[1]["id_number"][:17] + ("0" if rows[1]["id_number"][17] != "0" else "1")
    rows[2]["gender"] = "7"
    rows[3]["birth_date"] = "1990-02-30"
    report = load(gat, rows)
    assert report["created"] == 1
    rejected = {r["row"]: r for r in report["rejected"]}
    assert sorted(rejected) == [2, 3, 4]
    assert "id_number" in rejected[2]["errors"] and rejected[2]["key"] == rows[1]["id_number"]
    assert "gender" in rejected[3]["errors"]
    assert "birth_date" in rejected[4]["errors"]
    assert Person.objects.count() == 1


def test_cross_field_rule_is_the_models(gat):
    rows = gat_rows(1)
    rows[0]["gender"] = "2" if rows[0]["gender"] == "1" else "1"
    report = load(gat, rows)
    assert report["created"] == 0
    assert list(report["rejected"][0]["errors"]) == ["gender"]


def test_all_or_nothing_refuses_the_batch_with_invalid_rows(gat):
    rows = gat_rows(3)
    rows[2]["gender"] = "7"
    response = post(gat, as_json(rows), url=URL + "?all_or_nothing=true")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert body["rejected"][0]["row"] == 3
    assert Person.objects.count() == 0
    assert not IngestBatch.objects.filter(status="completed").exists()


def test_idempotent_replay_returns_the_first_report_and_writes_nothing(gat):
    rows = gat_rows(2)
    first = post(gat, as_json(rows), HTTP_IDEMPOTENCY_KEY="load-1")
    assert first.status_code == 200
    changed = [dict(r, residence_address="别处") for r in rows]
    again = post(gat, as_json(changed), HTTP_IDEMPOTENCY_KEY="load-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(residence_address="别处").count() == 0
    assert Person.history.count() == 2
    assert IngestBatch.objects.count() == 1


def test_the_same_idempotency_key_of_another_system_is_its_own(gat):
    _system, other = make_system(department="gat", provider=True)
    rows = gat_rows(1)
    assert post(gat, as_json(rows), HTTP_IDEMPOTENCY_KEY="k").json()["created"] == 1
    assert post(other, as_json(rows), HTTP_IDEMPOTENCY_KEY="k").json()["unchanged"] == 1


def test_ndjson_and_csv_with_item_codes(gat):
    rows = gat_rows(4)
    report = post(gat, as_ndjson(rows[:2]), content_type="application/x-ndjson").json()
    assert report["created"] == 2
    header = [f"population.person.{name}" for name in rows[0]]
    response = post(gat, as_csv(rows[2:], header=header), content_type="text/csv")
    assert response.status_code == 200 and response.json()["created"] == 2
    assert Person.objects.count() == 4


def test_gb18030_is_detected_and_can_be_declared(gat):
    rows = gat_rows(2)
    assert post(gat, as_csv(rows[:1], encoding="gb18030"), content_type="text/csv").json()["created"] == 1
    response = post(gat, as_csv(rows[1:], encoding="gb18030"), content_type="text/csv; charset=GB18030")
    assert response.json()["created"] == 1
    assert set(Person.objects.values_list("name", flat=True)) == {r["name"] for r in rows}


def test_columns_may_come_in_any_order(gat):
    rows = gat_rows(1)
    reordered = [dict(reversed(list(rows[0].items())))]
    assert load(gat, reordered)["created"] == 1


def test_a_partial_key_source_batch_updates_but_cannot_create(gat):
    rows = gat_rows(2)
    load(gat, rows[:1])
    body = [{"id_number": r["id_number"], "residence_address": "新住址"} for r in rows]
    report = load(gat, body)
    assert report["updated"] == 1
    assert report["rejected"][0]["row"] == 2 and "birth_date" in report["rejected"][0]["errors"]
    assert Person.objects.get().residence_address == "新住址"


def test_records_written_is_sent_after_commit(gat, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, **kwargs):
        seen.append(kwargs)

    records_written.connect(listener)
    try:
        rows = gat_rows(2)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report = load(gat, rows)
        assert seen == []  # only once the batch has committed
        for callback in callbacks:
            callback()
    finally:
        records_written.disconnect(listener)
    assert len(seen) == 1
    assert seen[0]["created"] == 2 and seen[0]["dataset"] == "population.person"
    assert sorted(seen[0]["keys"]) == sorted(r["id_number"] for r in rows)
    assert seen[0]["batch"] == report["batch"].replace("-", "")


def test_batch_report_endpoint(gat, mzt):
    report = load(gat, gat_rows(1))
    response = gat.get(f"/api/v1/ingest/batches/{report['batch']}/")
    assert response.status_code == 200
    assert response.json()["created"] == 1 and response.json()["status"] == "completed"
    assert mzt.get(f"/api/v1/ingest/batches/{report['batch']}/").status_code == 404


def test_a_refused_batch_is_recorded_as_failed(gat):
    response = post(gat, as_json([{"id_number": "1", "nickname": "x"}]))
    assert response.status_code == 400
    failed = IngestBatch.objects.get()
    assert failed.status == "failed" and failed.report["code"] == "unknown_column"


def test_only_provider_systems_ingest():
    _system, consumer = make_system(department="gat", provider=False)
    assert post(consumer, as_json(gat_rows(1))).status_code == 403
    from rest_framework.test import APIClient

    assert post(APIClient(), as_json(gat_rows(1))).status_code == 401
    assert Person.objects.count() == 0


def test_unknown_dataset_is_404(gat):
    response = post(gat, as_json(gat_rows(1)), url="/api/v1/ingest/population.nothing/")
    assert response.status_code == 404 and response.json()["code"] == "unknown_dataset"


# -- bad input: a clear error naming the row or column, nothing written -----------------


def _refused(client, body, content_type="application/json", status=400, url=URL):
    response = post(client, body, content_type=content_type, url=url)
    assert response.status_code == status, response.content
    assert Person.objects.count() == 0 and Person.history.count() == 0
    return response.json()


def test_wrong_encoding(gat):
    body = _refused(gat, as_csv(gat_rows(3), encoding="gb18030"), content_type="text/csv; charset=utf-8")
    assert body["code"] == "encoding" and "row" in body["detail"].lower()
    body = _refused(gat, b"id_number,name\n1,\xff\xfe\xfa\n", content_type="text/csv")
    assert body["code"] == "encoding"


def test_unknown_item_in_header(gat):
    rows = [dict(r, nickname="x") for r in gat_rows(1)]
    body = _refused(gat, as_csv(rows), content_type="text/csv")
    assert body["code"] == "unknown_column" and body["column"] == "nickname"
    assert "nickname" in body["detail"]


def test_missing_key_column(gat):
    rows = [{k: v for k, v in r.items() if k != "id_number"} for r in gat_rows(1)]
    body = _refused(gat, as_json(rows))
    assert body["code"] == "missing_key" and "id_number" in body["detail"]


def test_duplicate_keys_in_one_batch(gat):
    rows = gat_rows(3)
    rows.append(dict(rows[0]))
    body = _refused(gat, as_json(rows))
    assert body["code"] == "duplicate_key" and "rows 1, 4" in body["detail"]


def test_malformed_rows(gat):
    rows = gat_rows(2)
    csv_body = as_csv(rows) + b"only,two\n"
    body = _refused(gat, csv_body, content_type="text/csv")
    assert body["code"] == "malformed_row" and body["row"] == 3
    ndjson = as_ndjson(rows) + b'{"id_number": "1", broken\n'
    body = _refused(gat, ndjson, content_type="application/x-ndjson")
    assert body["code"] == "malformed_row" and body["row"] == 3
    body = _refused(gat, as_json(rows)[:-2])
    assert body["code"] in ("malformed_row", "malformed_body")
    mixed = [rows[0], {"id_number": rows[1]["id_number"]}]
    body = _refused(gat, as_json(mixed))
    assert body["code"] == "malformed_row" and body["row"] == 2


def test_a_nul_character_is_refused_naming_the_row(gat):
    rows = gat_rows(3)
    rows[1]["name"] = "王\x00芳"  # JSON carries it as \u0000; no database text can hold it
    body = _refused(gat, as_json(rows))
    assert (body["code"], body["row"]) == ("malformed_row", 2)
    body = _refused(gat, as_csv(rows), content_type="text/csv")
    assert (body["code"], body["row"]) == ("malformed_row", 2)


def test_empty_bodies(gat):
    for body, content_type in ((b"", "application/json"), (b"[]", "application/json"), (b"", "text/csv")):
        assert _refused(gat, body, content_type=content_type)["code"] == "empty"
    assert _refused(gat, b"id_number,name\n", content_type="text/csv")["code"] == "empty"


def test_unsupported_content_type(gat):
    _refused(gat, b"<rows/>", content_type="application/xml", status=415)


@override_settings(HUB_MAX_BODY_BYTES=1000)
def test_body_over_the_limit_is_413_naming_the_command(gat):
    body = _refused(gat, as_json(gat_rows(20)), status=413)
    assert "manage.py ingest" in body["detail"] and body["code"] == "too_large"


def test_a_2_gb_body_is_refused_before_it_is_read(gat):
    response = post(gat, as_json(gat_rows(1)), CONTENT_LENGTH=str(2 * 1024**3))
    assert response.status_code == 413
    assert "manage.py ingest" in response.json()["detail"]
    assert Person.objects.count() == 0


def test_rows_without_a_key_are_rejected_not_duplicates(gat):
    rows = gat_rows(3)
    rows[0]["id_number"] = ""
    rows[1]["id_number"] = ""
    report = load(gat, rows)
    assert report["created"] == 1
    assert [(r["row"], list(r["errors"])) for r in report["rejected"]] == [
        (1, ["id_number"]),
        (2, ["id_number"]),
    ]
