"""Legal entities and credit records through the governed-API test base, plus their own cases."""

import uuid

import pytest

from hub.records import context
from tests.credit.factories import make_entity, make_record, new_uscc
from tests.factories import make_system
from tests.governed import GovernedAPITests


@pytest.mark.django_db
class TestLegalEntityAPI(GovernedAPITests):
    dataset = "credit.legal_entity"
    url = "/api/v1/credit/entities/"
    shown_item = "name"
    hidden_item = "legal_representative_id_number"
    masked_item = "legal_representative"
    search_text_item = "name"

    def make_record(self):
        return make_entity(status="active")

    def missing_key(self, record):
        return new_uscc()

    def change(self, record):
        with context.writing("scjgj", reason="licence revoked"):
            record.status = "revoked"
            record.save()
        return "status", "active", "revoked"


@pytest.mark.django_db
class TestCreditRecordAPI(GovernedAPITests):
    dataset = "credit.record"
    url = "/api/v1/credit/records/"
    shown_item = "kind"
    hidden_item = "decision_number"
    masked_item = "subject_name"
    search_text_item = "subject_name"

    def make_record(self):
        return make_record("penalty", make_entity().uscc, "swj")

    def missing_key(self, record):
        return str(uuid.uuid4())

    def change(self, record):
        old = record.content
        with context.writing("swj", reason="decision amended"):
            record.content = "警告"
            record.save()
        return "content", old, "警告"


@pytest.mark.django_db
def test_entity_lookup_accepts_lower_case_and_refuses_bad_codes():
    entity = make_entity()
    _s, client = make_system(grants=[("credit.legal_entity.name", "lookup", False)])
    assert client.get(f"/api/v1/credit/entities/{entity.uscc.lower()}/").json() == {"name": entity.name}
    bad = client.get(f"/api/v1/credit/entities/{entity.uscc[:17]}0/")
    if entity.uscc[17] != "0":
        assert bad.status_code == 400 and "check character" in bad.json()["detail"]


@pytest.mark.django_db
def test_record_lookup_refuses_a_malformed_id():
    _s, client = make_system(grants=[("credit.record.kind", "lookup", False)])
    response = client.get("/api/v1/credit/records/12345/")
    assert response.status_code == 400 and "UUID" in response.json()["detail"]


@pytest.mark.django_db
def test_record_history_names_the_deciding_authority():
    record = make_record("penalty", make_entity().uscc, "scjgj")
    _s, client = make_system(
        grants=[
            ("credit.record.content", "lookup", False),
            ("credit.record.deciding_department", "lookup", False),
        ]
    )
    versions = client.get(f"/api/v1/credit/records/{record.record_id}/history/").json()["results"]
    assert versions[0]["source"] == "scjgj"
    # without the partition item the source would name it: not shown
    _s, content_only = make_system(grants=[("credit.record.content", "lookup", False)])
    versions = content_only.get(f"/api/v1/credit/records/{record.record_id}/history/").json()["results"]
    assert versions[0]["source"] is None and versions[0]["system"] is None


@pytest.mark.django_db
def test_records_of_a_subject_can_be_searched_with_a_search_grant():
    entity = make_entity()
    make_record("penalty", entity.uscc, "scjgj")
    make_record("licensing", entity.uscc, "zjt")
    _s, client = make_system(
        grants=[("credit.record.subject_key", "search", False), ("credit.record.kind", "search", False)]
    )
    response = client.get("/api/v1/credit/records/", {"subject_key": entity.uscc, "ordering": "kind"})
    assert response.status_code == 200
    assert [row["kind"] for row in response.json()["results"]] == ["licensing", "penalty"]
