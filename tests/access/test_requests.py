"""Applying for items, source departments' decisions, and the grants that follow."""

import pytest
from rest_framework.test import APIClient

from hub.access.models import AccessRequestItem, Grant
from tests.factories import make_person, make_steward, make_system

pytestmark = pytest.mark.django_db

REQUEST = {
    "purpose": "婚姻登记核验",
    "legal_basis": "《婚姻登记条例》",
    "items": [
        {"item": "population.person.gender", "mode": "lookup", "masked": False},
        {"item": "population.person.marital_status", "mode": "verify", "masked": False},
        {"item": "population.person.photo_digest", "mode": "lookup", "masked": False},
    ],
}


def steward_client(department):
    client = APIClient()
    client.force_login(make_steward(department))
    return client


def test_a_consuming_system_applies_is_approved_and_reads_exactly_its_grants():
    person = make_person(marital_status="20")
    system, client = make_system()
    created = client.post("/api/v1/access/requests/", REQUEST, format="json")
    assert created.status_code == 201, created.json()
    statuses = {row["item"]: row["status"] for row in created.json()["items"]}
    assert statuses == {
        "population.person.gender": "approved",  # unconditional, within self-service
        "population.person.marital_status": "pending",  # conditional: waits for civil affairs
        "population.person.photo_digest": "rejected",  # not shared
    }
    reason = next(r["reason"] for r in created.json()["items"] if r["status"] == "rejected")
    assert reason
    assert created.json()["status"] == "pending"

    verify_url = "/api/v1/population/persons/verify/"
    payload = {"id_number": person.id_number, "marital_status": "20"}
    assert client.post(verify_url, payload, format="json").status_code == 403

    request_id = created.json()["id"]
    decision = {"item": "population.person.marital_status", "approve": True, "reason": "依法核验"}
    approved = steward_client("mzt").post(
        f"/api/v1/access/requests/{request_id}/decisions/", decision, format="json"
    )
    assert approved.status_code == 200, approved.json()
    assert client.post(verify_url, payload, format="json").json() == {
        "match": True,
        "items": {"marital_status": True},
    }
    lookup = client.get(f"/api/v1/population/persons/{person.id_number}/")
    assert lookup.json() == {"gender": person.gender}
    me = client.get("/api/v1/access/me/").json()
    assert {(g["item"], g["mode"]) for g in me["grants"]} == {
        ("population.person.gender", "lookup"),
        ("population.person.marital_status", "verify"),
    }
    assert client.get("/api/v1/population/persons/", {"gender": person.gender}).status_code == 403
    assert client.get(f"/api/v1/access/requests/{request_id}/").json()["status"] == "approved"


def test_only_the_source_departments_stewards_decide():
    system, client = make_system()
    request_id = client.post("/api/v1/access/requests/", REQUEST, format="json").json()["id"]
    url = f"/api/v1/access/requests/{request_id}/decisions/"
    decision = {"item": "population.person.marital_status", "approve": True}
    refused = steward_client("gat").post(url, decision, format="json")
    assert refused.status_code == 403
    assert "mzt" in refused.json()["detail"]
    assert not Grant.objects.filter(system=system, item__code="population.person.marital_status").exists()
    assert client.post(url, decision, format="json").status_code == 403  # systems never decide


def test_a_refusal_needs_a_reason_and_a_decision_is_final():
    _system, client = make_system()
    request_id = client.post("/api/v1/access/requests/", REQUEST, format="json").json()["id"]
    url = f"/api/v1/access/requests/{request_id}/decisions/"
    steward = steward_client("mzt")
    no_reason = steward.post(
        url, {"item": "population.person.marital_status", "approve": False}, format="json"
    )
    assert no_reason.status_code == 400
    refusal = {"item": "population.person.marital_status", "approve": False, "reason": "目的不明确"}
    assert steward.post(url, refusal, format="json").status_code == 200
    entry = AccessRequestItem.objects.get(
        request_id=request_id, item__code="population.person.marital_status"
    )
    assert (entry.status, entry.reason) == ("rejected", "目的不明确")
    assert entry.history.count() == 2  # created, decided
    again = steward.post(url, {"item": "population.person.marital_status", "approve": True}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(
    "items, fragment",
    [
        ([{"item": "population.person.no_such_item", "mode": "lookup"}], "no_such_item"),
        ([{"item": "population.person.name", "mode": "peek"}], "mode"),
        ([], "items"),
        (
            [
                {"item": "population.person.name", "mode": "lookup"},
                {"item": "population.person.name", "mode": "search"},
            ],
            "twice",
        ),
    ],
)
def test_bad_requests_are_400_and_write_nothing(items, fragment):
    system, client = make_system()
    response = client.post("/api/v1/access/requests/", {"purpose": "x", "items": items}, format="json")
    assert response.status_code == 400
    assert fragment in str(response.json())
    assert not system.requests.exists() and not system.grants.exists()


def test_requests_are_private_to_their_system():
    _a, client_a = make_system()
    _b, client_b = make_system()
    request_id = client_a.post("/api/v1/access/requests/", REQUEST, format="json").json()["id"]
    assert client_b.get(f"/api/v1/access/requests/{request_id}/").status_code == 404


def test_the_steward_queue_shows_only_their_departments_items():
    from django.test import Client

    _system, client = make_system()
    client.post("/api/v1/access/requests/", REQUEST, format="json")
    web = Client()
    web.force_login(make_steward("mzt"))
    page = web.get("/admin/access/accessrequestitem/").content.decode()
    assert "population.person.marital_status" in page or "婚姻状况" in page
    assert "人像照片摘要" not in page
