"""The issue workflow: transitions, reasons, and who may do what (in code and in the admin)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from hub.quality.choices import IssueStatus
from hub.quality.models import QualityIssue
from hub.quality.scans import scan
from hub.quality.workflow import TransitionError, transition
from tests.factories import make_person, make_steward

P = "population.person"


@pytest.fixture
def issues(rules):
    """One gat issue (name format) and one mzt issue (marital status code)."""
    make_person(name="X1")
    make_person(marital_status="99")
    scan(P)
    return (
        QualityIssue.objects.get(rule__code=f"{P}.name.format"),
        QualityIssue.objects.get(rule__code=f"{P}.marital_status.codetable"),
    )


@pytest.fixture
def operator(db):
    user = make_steward("dsj")
    user.is_superuser = True
    user.save()
    return user


@pytest.mark.django_db
def test_the_full_loop(issues):
    gat_issue, _ = issues
    steward = make_steward("gat")
    for action, status in [("acknowledge", "acknowledged"), ("rectify", "rectified"), ("close", "closed")]:
        transition(gat_issue, action, user=steward, note=action)
        gat_issue.refresh_from_db()
        assert gat_issue.status == status
    events = list(gat_issue.events.values_list("from_status", "to_status", "user"))
    assert events == [
        ("open", "acknowledged", steward.pk),
        ("acknowledged", "rectified", steward.pk),
        ("rectified", "closed", steward.pk),
    ]
    assert gat_issue.closed_at is not None


@pytest.mark.django_db
def test_a_steward_cannot_touch_another_departments_issue(issues):
    gat_issue, mzt_issue = issues
    mzt = make_steward("mzt")
    transition(mzt_issue, "rectify", user=mzt)
    with pytest.raises(PermissionDenied):
        transition(gat_issue, "acknowledge", user=mzt)
    transition(gat_issue, "rectify", user=make_steward("gat"))
    with pytest.raises(PermissionDenied):
        transition(gat_issue, "close", user=mzt)
    gat_issue.refresh_from_db()
    assert gat_issue.status == IssueStatus.RECTIFIED
    assert gat_issue.events.count() == 1


@pytest.mark.django_db
def test_wrong_transitions_and_missing_reasons_are_refused(issues, operator):
    gat_issue, _ = issues
    steward = make_steward("gat")
    with pytest.raises(TransitionError):
        transition(gat_issue, "close", user=steward)  # open issues are rectified first
    with pytest.raises(TransitionError):
        transition(gat_issue, "dispute", user=steward, note="  ")
    transition(gat_issue, "dispute", user=steward, note="the name is a real one")
    with pytest.raises(PermissionDenied):
        transition(gat_issue, "uphold", user=steward, note="I decide")  # operators decide disputes
    with pytest.raises(TransitionError):
        transition(gat_issue, "reject", user=operator)
    transition(gat_issue, "reject", user=operator, note="digits are not part of a name")
    gat_issue.refresh_from_db()
    assert gat_issue.status == IssueStatus.OPEN
    assert gat_issue.dispute_reason == "the name is a real one"
    assert gat_issue.decision == "digits are not part of a name"
    assert not gat_issue.waived


@pytest.mark.django_db
def test_operator_may_act_on_any_department(issues, operator):
    _, mzt_issue = issues
    transition(mzt_issue, "force_close", user=operator, note="duplicate report")
    assert mzt_issue.status == IssueStatus.CLOSED
    transition(mzt_issue, "reopen", user=operator)
    assert mzt_issue.status == IssueStatus.OPEN


def _admin_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_admin_queue_shows_only_the_stewards_department(issues):
    gat_issue, mzt_issue = issues
    client = _admin_client(make_steward("mzt"))
    page = client.get("/admin/quality/qualityissue/")
    assert page.status_code == 200
    assert mzt_issue.record_key in page.content.decode()
    assert gat_issue.record_key not in page.content.decode()
    assert client.get(f"/admin/quality/qualityissue/{gat_issue.pk}/change/").status_code in (302, 404)


@pytest.mark.django_db
def test_admin_bulk_acknowledge_and_export(issues):
    gat_issue, mzt_issue = issues
    client = _admin_client(make_steward("gat"))
    response = client.post(
        "/admin/quality/qualityissue/",
        {"action": "do_acknowledge", "_selected_action": [gat_issue.pk, mzt_issue.pk], "note": "on it"},
    )
    assert response.status_code == 302
    gat_issue.refresh_from_db()
    mzt_issue.refresh_from_db()
    assert gat_issue.status == IssueStatus.ACKNOWLEDGED
    assert mzt_issue.status == IssueStatus.OPEN  # not theirs: not even visible, never changed
    export = client.post(
        "/admin/quality/qualityissue/", {"action": "export_csv", "_selected_action": [gat_issue.pk]}
    )
    body = export.content.decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv")
    assert gat_issue.record_key in body and "acknowledged" in body
    xlsx = client.post(
        "/admin/quality/qualityissue/", {"action": "export_xlsx", "_selected_action": [gat_issue.pk]}
    )
    assert xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_admin_dispute_needs_a_reason(issues):
    gat_issue, _ = issues
    client = _admin_client(make_steward("gat"))
    client.post("/admin/quality/qualityissue/", {"action": "do_dispute", "_selected_action": [gat_issue.pk]})
    gat_issue.refresh_from_db()
    assert gat_issue.status == IssueStatus.OPEN
    client.post(
        "/admin/quality/qualityissue/",
        {"action": "do_dispute", "_selected_action": [gat_issue.pk], "note": "name is correct"},
    )
    gat_issue.refresh_from_db()
    assert gat_issue.status == IssueStatus.DISPUTED
    assert gat_issue.dispute_reason == "name is correct"


@pytest.mark.django_db
def test_stewards_cannot_edit_rules_operators_can(rules, operator):
    steward_client = _admin_client(make_steward("gat"))
    rule_url = "/admin/quality/qualityrule/"
    assert steward_client.get(rule_url).status_code == 200
    from hub.quality.models import QualityRule

    rule = QualityRule.objects.get(code=f"{P}.name.format")
    response = steward_client.post(f"{rule_url}{rule.pk}/change/", {"severity": "low"})
    assert response.status_code == 403
    form = _admin_client(operator).get(f"{rule_url}{rule.pk}/change/")
    assert form.status_code == 200
