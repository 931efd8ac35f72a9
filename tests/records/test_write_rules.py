"""The examples of issue 17's "Writes": each refused (or derived) on the REST path, and the library actions.

- a write to the credit summary (a proxy of credit records) is a 400 naming ``credit.record``;
- partial rows are judged over the stored record (``subject_key``, ``holder_key``);
- ingest cannot restore a revoked licence, and a state change needs its reason;
- a parcel loaded by ingest gets its box and centroid, so the bbox search finds it;
- licence actions and credit repairs leave history on the model, with department, batch and reason.
"""

import csv
import datetime
import io
import json

import pytest

from credit import services as credit_services
from credit.choices import add_months
from credit.models import CreditRecord, CreditSummary
from geodata.models import Parcel
from hub.records.models import IngestBatch
from licences import services as licence_services
from licences.models import Licence
from population.models import Person
from tests.credit.factories import make_entity, make_record
from tests.factories import make_person, make_system
from tests.licences.helpers import issue_id_card

from .write_cases import parcel_row

pytestmark = pytest.mark.django_db


def provider(department):
    return make_system(department=department, provider=True)[1]


def post_json(client, dataset, rows, query="", **headers):
    return client.post(
        f"/api/v1/ingest/{dataset}/{query}",
        data=json.dumps(rows, ensure_ascii=False),
        content_type="application/json",
        **headers,
    )


def post_csv(client, dataset, rows, query="", **headers):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([json.dumps(v) if isinstance(v, dict) else v for v in row.values()])
    return client.post(
        f"/api/v1/ingest/{dataset}/{query}", data=out.getvalue().encode(), content_type="text/csv", **headers
    )


POSTS = {"json": post_json, "csv": post_csv}


# -- derived datasets are read-only ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(POSTS))
def test_a_write_to_the_credit_summary_is_a_400_naming_the_dataset_to_write(fmt, english_messages):
    entity = make_entity()
    record = make_record("penalty", entity.uscc, "scjgj")
    other = make_entity()
    versions = CreditRecord.history.count(), CreditSummary.history.model.objects.count()
    response = POSTS[fmt](
        provider("scjgj"), "credit.summary", [{"record_id": record.record_id, "subject_key": other.uscc}]
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "read_only_dataset"
    assert "credit.record" in body["detail"] and "credit.summary" in body["detail"]
    assert CreditRecord.objects.get(pk=record.pk).subject_key == entity.uscc
    assert (CreditRecord.history.count(), CreditSummary.history.model.objects.count()) == versions
    assert not IngestBatch.objects.filter(dataset="credit.summary", status="completed").exists()


# -- partial rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(POSTS))
def test_a_partial_credit_record_row_with_a_bad_subject_key_is_refused(fmt):
    record = make_record("penalty", make_entity().uscc, "scjgj")
    client = provider("scjgj")
    row = {"record_id": record.record_id, "subject_key": "NOT-A-CODE"}
    report = POSTS[fmt](client, "credit.record", [row]).json()
    assert report["updated"] == 0 and report["rejected"][0]["row"] == 1
    assert "subject_key" in report["rejected"][0]["errors"]
    whole = POSTS[fmt](client, "credit.record", [row], "?all_or_nothing=true")
    assert whole.status_code == 400 and whole.json()["code"] == "invalid_rows"
    assert CreditRecord.objects.get(pk=record.pk).subject_key == record.subject_key
    assert CreditRecord.history.filter(record_id=record.record_id).count() == 1


@pytest.mark.parametrize("fmt", sorted(POSTS))
def test_a_partial_licence_row_with_a_garbage_holder_key_is_refused(fmt):
    licence = issue_id_card()
    client = provider("gat")
    row = {"identifier": licence.identifier, "holder_key": "GARBAGE"}
    report = POSTS[fmt](client, "licences.licence", [row]).json()
    assert report["updated"] == 0 and "holder_key" in report["rejected"][0]["errors"]
    whole = POSTS[fmt](client, "licences.licence", [row], "?all_or_nothing=true")
    assert whole.status_code == 400 and whole.json()["rejected"][0]["errors"]["holder_key"]
    assert Licence.objects.get(pk=licence.pk).holder_key == licence.holder_key


def test_a_stored_defect_in_an_item_the_row_does_not_carry_does_not_refuse_it():
    person = make_person()
    # a legacy defect planted past the rules: a birth date that disagrees with the ID number
    wrong_gender = "2" if person.gender == "1" else "1"
    Person.objects.filter(pk=person.pk).update(birth_date=datetime.date(1901, 1, 1), gender=wrong_gender)
    client = provider("mzt")
    row = {"id_number": person.id_number, "marital_status": "20"}
    report = post_json(client, "population.person", [row]).json()
    assert report["updated"] == 1 and not report["rejected"], report
    # the writer of the defective item is still held to the rule
    gat = provider("gat")
    row = {"id_number": person.id_number, "birth_date": "1901-01-02"}
    assert "birth_date" in post_json(gat, "population.person", [row]).json()["rejected"][0]["errors"]
    # the same message as the stored defect's, but on the row's own item (a space: not as stored,
    # so that PostgreSQL's fast path does not set it aside as unchanged)
    row = {"id_number": person.id_number, "gender": f" {wrong_gender}"}
    assert "gender" in post_json(gat, "population.person", [row]).json()["rejected"][0]["errors"]


# -- the licence state machine -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(POSTS))
def test_ingest_cannot_restore_a_revoked_licence(fmt, english_messages):
    licence = licence_services.revoke(issue_id_card(), "gat", reason="obtained by fraud")
    client = provider("gat")
    row = {"identifier": licence.identifier, "status": "valid"}
    report = POSTS[fmt](client, "licences.licence", [row], HTTP_X_REASON="found again").json()
    [rejected] = report["rejected"]
    assert rejected["row"] == 1 and licence.identifier.startswith(rejected["key"])
    assert "state Revoked cannot move to Valid" in rejected["errors"]["status"][0]
    assert "licences.transitions" in rejected["errors"]["status"][0]
    whole = POSTS[fmt](client, "licences.licence", [row], "?all_or_nothing=true", HTTP_X_REASON="again")
    assert whole.status_code == 400
    assert Licence.objects.get(pk=licence.pk).status == "revoked"


def test_a_state_change_by_ingest_needs_its_reason_and_records_it(english_messages):
    licence = licence_services.suspend(issue_id_card(), "gat", reason="reported lost")
    client = provider("gat")
    row = {"identifier": licence.identifier, "status": "valid"}
    report = post_json(client, "licences.licence", [row]).json()
    assert "needs its reason" in report["rejected"][0]["errors"]["status"][0]
    assert Licence.objects.get(pk=licence.pk).status == "suspended"
    done = post_json(client, "licences.licence", [row], HTTP_X_REASON="found by the holder").json()
    assert done["updated"] == 1, done
    restored = Licence.objects.get(pk=licence.pk)
    assert restored.status == "valid" and restored.signature_holds()
    latest = restored.history.order_by("-history_id").first()
    assert latest.history_change_reason == "found by the holder" and latest.source_department == "gat"
    assert latest.batch == done["batch"].replace("-", "")


def test_a_licence_loaded_by_ingest_is_signed():
    from .write_cases import licence_row

    row = licence_row()
    row = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()}
    report = post_json(provider("gat"), "licences.licence", [row]).json()
    assert report["created"] == 1, report
    licence = Licence.objects.get(identifier=row["identifier"])
    assert licence.signature and licence.signature_holds()


# -- derived fields --------------------------------------------------------------------------


def west_south(polygon):
    ring = polygon["coordinates"][0]
    return min(x for x, _y in ring), min(y for _x, y in ring)


@pytest.mark.parametrize("fmt", sorted(POSTS))
def test_a_parcel_loaded_by_ingest_is_found_by_bbox(fmt):
    row = parcel_row()
    report = POSTS[fmt](provider("zrzyt"), "geodata.parcel", [row]).json()
    assert report["created"] == 1, report
    parcel = Parcel.objects.get(unit_number=row["unit_number"])
    lon, lat = west_south(row["geometry"])
    assert parcel.min_lon == pytest.approx(lon) and parcel.centroid_lat is not None
    system, client = make_system(
        grants=[(f"geodata.parcel.{f}", "search", False) for f in ("unit_number", "geometry")]
    )
    bbox = f"{lon - 0.0001},{lat - 0.0001},{lon + 0.0002},{lat + 0.0002}"
    found = client.get("/api/v1/geodata/parcels/", {"bbox": bbox}).json()
    assert [f["id"] for f in found["features"]] == [row["unit_number"]]
    moved = {"unit_number": row["unit_number"], "geometry": parcel_row()["geometry"], "area": row["area"]}
    assert POSTS[fmt](provider("zrzyt"), "geodata.parcel", [moved]).json()["updated"] == 1
    assert Parcel.objects.get(pk=parcel.pk).min_lon == pytest.approx(west_south(moved["geometry"])[0])


# -- library actions ---------------------------------------------------------------------------


def test_licence_actions_write_history_with_department_batch_and_reason():
    licence = issue_id_card()
    licence_services.suspend(licence, "gat", reason="reported lost", system="窗口系统")
    version = Licence.history.filter(identifier=licence.identifier).order_by("-history_id").first()
    assert version.history_type == "~" and version.status == "suspended"
    assert version.source_department == "gat" and version.acting_system == "窗口系统"
    assert version.batch and version.history_change_reason == "suspend: reported lost"
    assert IngestBatch.objects.filter(pk=version.batch, channel="service").exists()


def test_a_credit_repair_writes_history_on_the_credit_record():
    entity = make_entity()
    today = datetime.date.today()
    record = make_record("penalty", entity.uscc, "scjgj", decision_date=add_months(today, -4))
    application = credit_services.apply_for_repair(
        record, "scjgj", applicant_name=entity.name, applicant_key=entity.uscc, reason="已整改"
    )
    credit_services.decide_repair(application, "scjgj", approve=True, decision_number="苏市监修〔2026〕9号")
    version = CreditRecord.history.filter(record_id=record.record_id).order_by("-history_id").first()
    assert version.withdrawn_on == today and version.source_department == "scjgj"
    assert version.batch and "苏市监修〔2026〕9号" in version.history_change_reason
    assert not CreditSummary.history.model.objects.filter(record_id=record.record_id).exists()
