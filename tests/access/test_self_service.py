"""The catalogue sets the limits of self-service per item; grants beyond them wait or are reviewed."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from hub.access import services
from hub.access.choices import DecisionStatus, Mode
from hub.access.models import Grant
from hub.catalogue.choices import SelfServiceMode, Sensitivity
from hub.catalogue.models import DataItem
from tests.factories import make_person, make_steward, make_system

pytestmark = pytest.mark.django_db

URL = "/api/v1/access/requests/"


def apply(client, *items, **extra):
    body = {
        "purpose": "核验",
        "items": [dict(zip(("item", "mode", "masked"), i, strict=True)) for i in items],
    }
    response = client.post(URL, {**body, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json(), {row["item"]: row for row in response.json()["items"]}


def limit(code, **fields):
    DataItem.objects.filter(code=code).update(**fields)


def test_self_service_modes_match_the_access_modes():
    assert {m.value: m.name for m in SelfServiceMode if m} == {m.value: m.name for m in Mode}


@pytest.mark.parametrize(
    "mode, masked, status",
    [
        ("verify", True, "approved"),
        ("lookup", True, "approved"),
        ("search", True, "pending"),  # sensitivity 3 in search mode always waits
        ("lookup", False, "pending"),  # sensitivity 3 unmasked always waits
        ("verify", False, "pending"),
    ],
)
def test_a_sensitive_unconditional_item_in_search_mode_or_unmasked_waits(mode, masked, status):
    assert DataItem.objects.get(code="population.person.name").sensitivity == Sensitivity.SENSITIVE
    _s, client = make_system()
    _body, rows = apply(client, ("population.person.name", mode, masked))
    assert rows["population.person.name"]["status"] == status
    if status == "pending":
        assert rows["population.person.name"]["reason"]


def test_the_sensitivity_rule_holds_whatever_the_item_declares():
    limit("population.person.name", self_service_mode=SelfServiceMode.SEARCH, unmasked_needs_approval=False)
    _s, client = make_system()
    _body, rows = apply(
        client, ("population.person.name", "search", True), ("population.person.birth_date", "lookup", False)
    )
    assert rows["population.person.name"]["status"] == "pending"
    assert rows["population.person.birth_date"]["status"] == "pending"


def test_the_items_highest_self_service_mode_and_unmasked_flag_are_honoured():
    gender = "population.person.gender"  # unconditional, sensitivity 2, no masking rule
    _s, client = make_system()
    _body, rows = apply(client, (gender, "lookup", False))
    assert rows[gender]["status"] == "approved"
    _body, rows = apply(client, (gender, "search", False))
    assert rows[gender]["status"] == "pending"
    assert "Lookup" in rows[gender]["reason"] or "查询" in rows[gender]["reason"]
    limit(gender, self_service_mode=SelfServiceMode.SEARCH)
    _s, other = make_system()
    assert apply(other, (gender, "search", False))[1][gender]["status"] == "approved"
    limit(gender, unmasked_needs_approval=True)
    _s, third = make_system()
    # Masked does not help: gender has no masking rule, so a masked grant shows the clear value.
    assert apply(third, (gender, "lookup", True))[1][gender]["status"] == "pending"
    limit(gender, self_service_mode=SelfServiceMode.NONE, unmasked_needs_approval=False)
    _s, fourth = make_system()
    assert apply(fourth, (gender, "verify", False))[1][gender]["status"] == "pending"
    assert not Grant.objects.filter(system__in=[_s]).exists()


def test_a_pending_item_is_granted_once_the_source_approves():
    person = make_person()
    system, client = make_system()
    body, rows = apply(client, ("population.person.name", "lookup", False))
    assert rows["population.person.name"]["status"] == "pending"
    assert client.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 403
    steward = make_steward("gat")
    from rest_framework.test import APIClient

    web = APIClient()
    web.force_login(steward)
    decision = {"item": "population.person.name", "approve": True, "reason": "依法"}
    assert web.post(f"{URL}{body['id']}/decisions/", decision, format="json").status_code == 200
    assert client.get(f"/api/v1/population/persons/{person.id_number}/").json() == {"name": person.name}


def test_a_requested_expiry_beyond_the_longest_grant_is_capped_and_the_reason_says_so():
    gender = "population.person.gender"
    limit(gender, max_grant_days=30)
    system, client = make_system()
    far = (timezone.now() + datetime.timedelta(days=400)).isoformat()
    _body, rows = apply(client, (gender, "lookup", False), expires_at=far)
    assert rows[gender]["status"] == "approved"
    assert "30" in rows[gender]["reason"]
    grant = Grant.objects.get(system=system)
    expected = timezone.now() + datetime.timedelta(days=30)
    assert abs((grant.expires_at - expected).total_seconds()) < 60
    # No expiry asked: capped as well (no open-ended self-service grant).
    _s, other = make_system()
    apply(other, (gender, "lookup", False))
    assert Grant.objects.get(system=_s).expires_at is not None
    # A near expiry is kept as asked, without a note.
    _s3, third = make_system()
    near = timezone.now() + datetime.timedelta(days=10)
    _body, rows = apply(third, (gender, "lookup", False), expires_at=near.isoformat())
    assert abs((Grant.objects.get(system=_s3).expires_at - near).total_seconds()) < 1
    assert "30" not in rows[gender]["reason"]


def test_a_past_expiry_is_a_400():
    _s, client = make_system()
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    body = {
        "purpose": "x",
        "expires_at": past,
        "items": [{"item": "population.person.gender", "mode": "lookup"}],
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "expiry_in_past"


def test_the_source_approval_is_capped_at_the_longest_grant_too():
    limit("population.person.marital_status", max_grant_days=7)
    system, _c = make_system()
    request = services.submit(
        system, purpose="x", items=[{"item": "population.person.marital_status", "mode": "verify"}]
    )
    entry = request.entries.get()
    services.decide(entry, make_steward("mzt"), approve=True, reason="ok")
    grant = Grant.objects.get(system=system)
    assert grant.expires_at <= timezone.now() + datetime.timedelta(days=7, minutes=1)
    entry.refresh_from_db()
    assert entry.reason.startswith("ok") and "7" in entry.reason


def _grant(system, code, mode, masked, **extra):
    return Grant.objects.create(
        system=system, item=DataItem.objects.get(code=code), mode=Mode.from_name(mode), masked=masked, **extra
    )


def test_the_review_command_lists_grants_beyond_the_limits_by_name_and_revokes_them_with_history():
    system, _c = make_system(name="婚姻登记系统")
    beyond = _grant(system, "population.person.name", "search", False)  # sensitive, search, unmasked
    too_long = _grant(
        system,
        "population.person.gender",
        "lookup",
        False,
        expires_at=timezone.now() + datetime.timedelta(days=900),
    )
    within = _grant(
        system,
        "population.person.gender",
        "verify",
        False,
        expires_at=timezone.now() + datetime.timedelta(days=9),
    )
    # Approved by the source: within the mode limits whatever they are.
    request = services.submit(
        system, purpose="x", items=[{"item": "population.person.birth_date", "mode": "lookup"}]
    )
    services.decide(request.entries.get(), make_steward("gat"), approve=True, reason="依法")
    approved = Grant.objects.get(item__code="population.person.birth_date")

    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("grants_beyond_limits", stdout=out)
    listing = out.getvalue()
    assert "婚姻登记系统" in listing and "姓名" in listing and "人口基本信息" in listing
    assert "population.person.name" not in listing  # names, not codes
    assert f"#{beyond.pk}" in listing and f"#{too_long.pk}" in listing
    assert f"#{within.pk}" not in listing and f"#{approved.pk}" not in listing
    assert Grant.objects.filter(revoked_at__isnull=True).count() == 4  # listing changes nothing

    call_command("grants_beyond_limits", "--revoke", "--by", "ops-review", stdout=io.StringIO())
    beyond.refresh_from_db()
    too_long.refresh_from_db()
    assert beyond.revoked_at is not None
    assert beyond.history.latest().history_change_reason.find("ops-review") >= 0
    assert too_long.revoked_at is None  # it only ran too long: capped instead
    assert too_long.expires_at <= too_long.created_at + datetime.timedelta(days=365, seconds=1)
    assert too_long.history.count() == 2
    out = io.StringIO()
    call_command("grants_beyond_limits", stdout=out)
    assert f"#{beyond.pk}" not in out.getvalue() and f"#{too_long.pk}" not in out.getvalue()


def test_pending_items_are_shown_as_pending_in_the_request():
    _s, client = make_system()
    body, rows = apply(client, ("population.person.name", "search", True))
    assert body["status"] == DecisionStatus.PENDING
