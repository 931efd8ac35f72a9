"""Stewards of the issuing department issue, suspend, revoke and restore in the admin; others cannot."""

import json

import pytest
from django.test import Client

from licences.models import Licence
from tests.factories import make_person, make_steward

from .helpers import issue_id_card

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/licences/licence/"


def admin_client(department):
    client = Client()
    client.force_login(make_steward(department))
    return client


def act(client, action, licence, reason):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [licence.pk], "reason": reason, "index": 0},
        follow=True,
    )


def test_issuing_steward_suspends_and_restores_with_reasons_in_history():
    licence = issue_id_card()
    client = admin_client("gat")
    act(client, "suspend", licence, "reported lost")
    assert Licence.objects.get(pk=licence.pk).status == "suspended"
    act(client, "restore", licence, "found")
    act(client, "revoke", licence, "replaced")
    fresh = Licence.objects.get(pk=licence.pk)
    assert fresh.status == "revoked"
    rows = fresh.history.order_by("history_date", "history_id")
    assert [r.history_change_reason for r in rows][1:] == [
        "suspend: reported lost",
        "restore: found",
        "revoke: replaced",
    ]
    assert all(r.history_user is not None for r in rows[1:])


def test_action_without_reason_or_by_another_department_changes_nothing():
    licence = issue_id_card()
    response = act(admin_client("gat"), "suspend", licence, "")
    assert "reason" in response.content.decode().lower() or "原因" in response.content.decode()
    response = act(admin_client("scjgj"), "revoke", licence, "not ours")
    assert Licence.objects.get(pk=licence.pk).status == "valid"
    assert Licence.objects.get(pk=licence.pk).history.count() == 1


def test_steward_issues_a_licence_through_the_add_form_with_a_built_identifier():
    person = make_person()
    client = admin_client("gat")
    page = client.get(f"{CHANGELIST}add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "11100000000010014P001" in html and "11100000000010030D001" not in html  # own types only
    data = {
        "identifier": "",
        "licence_type": "11100000000010014P001",
        "number": person.id_number,
        "holder_kind": "person",
        "holder_key": person.id_number,
        "holder_name": person.name,
        "issuing_authority": "南京市公安局玄武分局",
        "issuer_code": "1132000001400001XX",
        "issue_date": "2021-04-01",
        "valid_from": "2021-04-01",
        "valid_to": "2041-04-01",
        "division_code": "320102",
        "surface_data": json.dumps(
            {
                "name": person.name,
                "gender": person.gender,
                "birth_date": person.birth_date.isoformat(),
                "address": "南京市",
                "id_number": person.id_number,
            }
        ),
        "file_digest": "",
        "_change_reason": "issued at the counter",
    }
    response = client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    licence = Licence.objects.get(holder_key=person.id_number)
    assert licence.identifier.startswith("1.2.156.3005.2.11100000000010014P001.1132000001400001XX.")
    assert licence.signature_holds()
    bad = dict(data, holder_key="320102199001011235", number="X2")
    response = client.post(f"{CHANGELIST}add/", bad)
    assert response.status_code == 200 and Licence.objects.count() == 1


def test_another_department_cannot_add_licences():
    assert admin_client("jyt").get(f"{CHANGELIST}add/").status_code == 403


def test_change_page_is_editable_for_the_issuer_and_read_only_for_others():
    licence = issue_id_card()
    url = f"{CHANGELIST}{licence.pk}/change/"
    issuer = admin_client("gat").get(url).content.decode()
    assert 'name="holder_name"' in issuer and 'name="status"' not in issuer  # state only via actions
    other = admin_client("mzt").get(url)
    assert other.status_code == 200 and 'name="holder_name"' not in other.content.decode()
    assert admin_client("gat").get(CHANGELIST).status_code == 200
    assert admin_client("gat").get(f"{url.rsplit('change/', 1)[0]}history/").status_code == 200
    assert admin_client("gat").get("/admin/licences/licencetype/").status_code == 200
