"""Explicit roles: operator, steward, joint meeting, consumer, provider; `is_staff` grants nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from hub.access import services
from hub.access.models import AuditEntry, Grant
from hub.progress.signals import ensure_joint_meeting_group
from tests.factories import make_person, make_steward, make_system

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/population/persons/"


def logged_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def operator():
    user = get_user_model().objects.create_user("operator", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["operate_hub", "view_person", "view_auditentry"])
    )
    return get_user_model().objects.get(pk=user.pk)


def staff_only(username="staff"):
    """A staff account with every view permission but no role."""
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return get_user_model().objects.get(pk=user.pk)


def joint_meeting_member():
    user = get_user_model().objects.create_user("meeting", password="pw")
    user.groups.add(ensure_joint_meeting_group())
    return get_user_model().objects.get(pk=user.pk)


def audited_calls():
    """One person looked up by a gat-sourced item, one marital status (mzt) verified; 2 rows."""
    person = make_person(marital_status="20")
    _s, reader = make_system(
        name="reader",
        grants=[
            ("population.person.gender", "lookup", False),
            ("population.person.marital_status", "verify", False),
        ],
    )
    assert reader.get(f"{PERSONS}{person.id_number}/").status_code == 200
    payload = {"id_number": person.id_number, "marital_status": "20"}
    assert reader.post(f"{PERSONS}verify/", payload, format="json").status_code == 200
    return person


def test_a_steward_sees_only_the_audit_rows_of_its_departments_items():
    person = audited_calls()
    _s, other = make_system(name="geo", grants=[("geodata.division.name", "lookup", False)])
    other.get("/api/v1/geodata/divisions/320102/")  # a 404 on mzt's division dataset: mzt's business
    assert AuditEntry.objects.count() == 3

    def seen(department):
        client = logged_in(make_steward(department))
        subject = client.get(f"/api/v1/access/usage/subjects/{person.id_number}/")
        assert subject.status_code == 200
        return client, sorted(tuple(row["items"]) for row in subject.json()["results"])

    # gat is the source of the key and of gender: both calls returned its items.
    gat, rows = seen("gat")
    assert rows == [
        ("population.person.gender",),
        ("population.person.id_number", "population.person.marital_status"),
    ]
    assert {row["dataset"] for row in gat.get("/api/v1/access/usage/").json()["results"]} == {
        "population.person"
    }
    # mzt: only the verify returned its marital status; it sees that row and nothing of gender.
    mzt, rows = seen("mzt")
    assert rows == [("population.person.id_number", "population.person.marital_status")]
    usage = mzt.get("/api/v1/access/usage/").json()
    assert usage["by_item"] == [{"item": "population.person.marital_status", "calls": 1}]
    # ... and the failed division lookup, which returned nothing, on a dataset it sources.
    assert {row["dataset"] for row in usage["results"]} == {"population.person", "geodata.division"}
    # jyt's education level was returned by no call.
    jyt, rows = seen("jyt")
    assert rows == []
    assert jyt.get("/api/v1/access/usage/").json()["by_item"] == []
    ops = logged_in(operator()).get("/api/v1/access/usage/").json()
    # (every call is audited, the stewards' usage calls above too: count the three record calls)
    records = {"population.person", "geodata.division"}
    assert sum(row["calls"] for row in ops["results"] if row["dataset"] in records) == 3


def test_is_staff_and_the_joint_meeting_see_no_audit_rows_and_systems_neither():
    person = audited_calls()
    for user in (staff_only(), joint_meeting_member()):
        client = logged_in(user)
        assert client.get("/api/v1/access/usage/").status_code == 403
        assert client.get(f"/api/v1/access/usage/subjects/{person.id_number}/").status_code == 403
    _s, system = make_system()
    assert system.get("/api/v1/access/usage/").status_code == 403
    staff = logged_in(staff_only("staff2"))
    assert staff.get("/admin/access/auditentry/").status_code == 403
    assert staff.get("/admin/access/auditentry/usage/").status_code == 403


def test_the_audit_admin_lists_a_stewards_rows_only():
    audited_calls()
    web = logged_in(make_steward("jyt"))  # education: no row touched its items
    page = web.get("/admin/access/auditentry/")
    assert page.status_code == 200
    assert "/api/v1/population" not in page.content.decode()
    mzt = logged_in(make_steward("mzt")).get("/admin/access/auditentry/").content.decode()
    assert "/api/v1/population/persons/verify/" in mzt


def test_requests_are_seen_by_their_system_the_concerned_steward_and_operators_only():
    _s, client = make_system()
    created = client.post(
        "/api/v1/access/requests/",
        {
            "purpose": "核验",
            "items": [
                {"item": "population.person.marital_status", "mode": "verify"},
                {"item": "population.person.education_level", "mode": "verify"},
            ],
        },
        format="json",
    )
    url = f"/api/v1/access/requests/{created.json()['id']}/"
    mzt = logged_in(make_steward("mzt")).get(url)
    assert mzt.status_code == 200
    assert [row["item"] for row in mzt.json()["items"]] == ["population.person.marital_status"]
    assert logged_in(make_steward("zrzyt")).get(url).status_code == 404
    assert logged_in(staff_only()).get(url).status_code == 404
    assert logged_in(joint_meeting_member()).get(url).status_code == 404
    everything = logged_in(operator()).get(url).json()
    assert len(everything["items"]) == 2
    _other, other_system = make_system()
    assert other_system.get(url).status_code == 404


def test_a_person_in_the_record_api_sees_what_the_admin_shows_their_role():
    person = make_person(marital_status="20", education_level="90")
    url = f"{PERSONS}{person.id_number}/"
    # is_staff with the view permission but no role: nothing.
    assert logged_in(staff_only()).get(url).status_code in (403, 404)
    # A steward: its own department's items, with the key that names the record.
    mzt = logged_in(make_steward("mzt")).get(url)
    assert mzt.status_code == 200
    assert mzt.json() == {"id_number": person.id_number, "marital_status": "20"}
    gat = logged_in(make_steward("gat")).get(url).json()
    assert "name" in gat and "marital_status" not in gat and "education_level" not in gat
    # A steward sees no partitioned dataset's records here (many sources; use the admin).
    assert logged_in(make_steward("scjgj")).get("/api/v1/credit/entities/").status_code == 403
    # An operator: everything.
    assert set(logged_in(operator()).get(url).json()) >= {"name", "marital_status", "education_level"}
    assert logged_in(joint_meeting_member()).get(url).status_code in (403, 404)


def test_a_provider_only_system_cannot_apply_for_or_use_read_grants():
    person = make_person()
    system, client = make_system(
        provider=True, is_consumer=False, grants=[("population.person.gender", "lookup", False)]
    )
    refused = client.post(
        "/api/v1/access/requests/",
        {"purpose": "x", "items": [{"item": "population.person.gender", "mode": "lookup"}]},
        format="json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_consumer"
    assert not system.requests.exists()
    # Its grant (made in the admin, say) counts for nothing on the key query...
    assert client.get(f"{PERSONS}{person.id_number}/").status_code == 403
    assert client.get("/api/v1/access/me/").json()["grants"] == []
    # ... nor on the ORM path.
    assert not Grant.objects.active().filter(system=system).exists()
    system.is_consumer = True
    system.save()
    assert client.get(f"{PERSONS}{person.id_number}/").json() == {"gender": person.gender}


def test_a_consumer_only_system_cannot_ingest():
    from tests.factories import person_rows

    _s, consumer = make_system(department="gat")
    response = consumer.post(
        "/api/v1/ingest/population.person/",
        person_rows(1),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 403


def test_services_refuse_a_provider_only_system_too():
    system, _client = make_system(provider=True, is_consumer=False)
    with pytest.raises(services.AccessError) as raised:
        services.submit(system, purpose="x", items=[{"item": "population.person.gender", "mode": "lookup"}])
    assert raised.value.status == 403
