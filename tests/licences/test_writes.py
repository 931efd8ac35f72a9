"""Issuing and state changes through the API: only the type's issuing department, bad input refused."""

import pytest
from rest_framework.test import APIClient

from hub.access.models import AuditEntry
from licences.models import Licence
from tests.factories import make_person, make_steward, make_system

from .helpers import id_card_values, issue_id_card, marriage_values

pytestmark = pytest.mark.django_db
URL = "/api/v1/licences/licences/"


def provider(department):
    return make_system(department=department, provider=True)[1]


def as_json(values):
    body = dict(values)
    body["licence_type"] = body["licence_type"].code
    for name in ("issue_date", "valid_from", "valid_to"):
        if body.get(name):
            body[name] = body[name].isoformat()
    return body


def test_public_security_issues_an_id_card_by_api():
    person = make_person()
    response = provider("gat").post(URL, as_json(id_card_values(person)), format="json")
    assert response.status_code == 201, response.json()
    payload = response.json()
    licence = Licence.objects.get(identifier=payload["identifier"])
    assert payload["status"] == "valid" and payload["signature"] == licence.signature
    assert licence.signature_holds()
    row = licence.history.get()
    assert row.source_department == "gat" and row.acting_system
    assert AuditEntry.objects.order_by("-id").first().mode == "write"


def test_market_regulation_cannot_issue_a_marriage_certificate_by_api():
    husband, wife = make_person(), make_person()
    response = provider("scjgj").post(URL, as_json(marriage_values(husband, wife)), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "source_rule" and "mzt" in response.json()["detail"]
    assert not Licence.objects.exists()
    assert (
        provider("mzt").post(URL, as_json(marriage_values(husband, wife)), format="json").status_code == 201
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"holder_key": "320102199001011235"}, "holder_key"),
        ({"valid_to": "2019-01-01"}, "valid_to"),
        ({"valid_to": "2019-13-01"}, "valid_to"),
        ({"identifier": "1.2.156.3005.2.11100000000010014P001.1132000001400001XX.1234.001.Z"}, "identifier"),
        ({"licence_type": "11100000000099999X001"}, "licence_type"),
    ],
)
def test_bad_input_by_api_is_400_naming_the_field(changes, field):
    person = make_person()
    body = as_json(id_card_values(person))
    body.update(changes)
    response = provider("gat").post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Licence.objects.exists()


def test_consumers_and_read_only_items_cannot_write():
    person = make_person()
    consumer = make_system(department="gat")[1]
    assert consumer.post(URL, as_json(id_card_values(person)), format="json").status_code == 403
    body = as_json(id_card_values(person))
    body["signature"] = "forged"
    response = provider("gat").post(URL, body, format="json")
    assert response.status_code == 400 and "signature" in response.json()["detail"]
    assert not Licence.objects.exists()


def test_state_changes_by_api_with_reason_and_source_rule():
    licence = issue_id_card()
    url = f"{URL}{licence.identifier}/status/"
    gat = provider("gat")
    refused = provider("scjgj").post(url, {"action": "suspend", "reason": "x"}, format="json")
    assert refused.status_code == 403
    assert gat.post(url, {"action": "suspend"}, format="json").status_code == 400
    assert gat.post(url, {"action": "explode", "reason": "x"}, format="json").status_code == 400
    done = gat.post(url, {"action": "suspend", "reason": "reported lost"}, format="json")
    assert done.json() == {"identifier": licence.identifier, "status": "suspended"}
    assert gat.post(url, {"action": "suspend", "reason": "again"}, format="json").status_code == 400
    assert gat.post(url, {"action": "restore", "reason": "found"}, format="json").json()["status"] == "valid"
    assert Licence.objects.get(pk=licence.pk).history.count() == 3


def test_a_steward_session_writes_for_the_stewards_department():
    licence = issue_id_card()
    client = APIClient()
    client.force_login(make_steward("gat"))
    response = client.post(
        f"{URL}{licence.identifier}/status/", {"action": "revoke", "reason": "fraud"}, format="json"
    )
    assert response.status_code == 200
    assert Licence.objects.get(pk=licence.pk).history.latest("history_date").history_user is not None
