"""The credit summary: publicity expiry, list dates, red lists, repair, ``as_of`` and its grant."""

import datetime
import json

import pytest
from django.utils import timezone

from credit import services
from credit.choices import add_months
from credit.models import CreditRecord, RepairApplication
from credit.summary import summarize
from hub.access.models import AuditEntry
from tests.credit.factories import make_entity, make_record
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
SUMMARY_ITEM = "credit.summary.subject_key"


def days(n):
    return TODAY - datetime.timedelta(days=n)


def backdate(record, when):
    """Pretend the record was loaded at ``when`` (its history rows moved back in time)."""
    CreditRecord.history.filter(record_id=record.record_id).update(history_date=when)


def test_active_negative_records_are_counted_by_kind():
    entity = make_entity()
    make_record("penalty", entity.uscc, "scjgj", decision_date=days(10))
    make_record("penalty", entity.uscc, "swj", decision_date=days(40))
    make_record("dishonest_debtor", entity.uscc, "gy", listed_from=days(5))
    make_record("licensing", entity.uscc, "zjt", decision_date=days(3))
    summary = summarize(entity.uscc, "entity")
    assert summary["negative"] == {"penalty": 2, "dishonest_debtor": 1, "serious_dishonesty": 0}
    assert summary["negative_total"] == 3
    assert summary["licensing"] == 1
    assert [entry["kind"] for entry in summary["lists"]] == ["dishonest_debtor"]
    assert summary["lists"][0]["listed_from"] == days(5).isoformat()
    assert summary["red_listed"] is False


def test_penalty_past_its_publicity_period_leaves_the_summary_but_not_history():
    entity = make_entity()
    decided = add_months(TODAY, -13)
    record = make_record("penalty", entity.uscc, decision_date=decided)  # ordinary: public one year
    assert summarize(entity.uscc, "entity")["negative"]["penalty"] == 0
    assert CreditRecord.objects.filter(pk=record.pk).exists() and record.history.count() == 1
    backdate(record, timezone.now() - datetime.timedelta(days=370))
    within = timezone.make_aware(datetime.datetime.combine(add_months(decided, 2), datetime.time(12)))
    assert summarize(entity.uscc, "entity", within)["negative"]["penalty"] == 1
    after = timezone.make_aware(datetime.datetime.combine(add_months(decided, 12), datetime.time(12)))
    assert summarize(entity.uscc, "entity", after)["negative"]["penalty"] == 0


def test_lists_expire_on_their_dates():
    entity = make_entity()
    make_record("serious_dishonesty", entity.uscc, "fgw", listed_from=days(400), listed_until=days(1))
    current = make_record(
        "serious_dishonesty", entity.uscc, "swj", listed_from=days(30), listed_until=days(-335)
    )
    summary = summarize(entity.uscc, "entity")
    assert summary["negative"]["serious_dishonesty"] == 1
    assert summary["lists"] == [
        {
            "kind": "serious_dishonesty",
            "list_name": current.list_name,
            "listed_from": days(30).isoformat(),
            "listed_until": days(-335).isoformat(),
        }
    ]


def test_red_list_status_follows_its_year():
    entity = make_entity()
    year = TODAY.year - 1
    make_record(
        "red_list",
        entity.uscc,
        "swj",
        list_year=year,
        listed_from=days(100),
        listed_until=days(-200),
    )
    make_record(
        "red_list", entity.uscc, "swj", list_year=year - 1, listed_from=days(500), listed_until=days(101)
    )
    summary = summarize(entity.uscc, "entity")
    assert summary["red_listed"] is True
    assert [entry["list_year"] for entry in summary["red_lists"]] == [year]


def test_repair_ends_publicity_early_and_shows_in_as_of():
    entity = make_entity()
    record = make_record("penalty", entity.uscc, "scjgj", decision_date=add_months(TODAY, -4))
    before = timezone.now()
    application = services.apply_for_repair(
        record, "scjgj", applicant_name=entity.name, applicant_key=entity.uscc, reason="已整改并缴纳罚款"
    )
    assert summarize(entity.uscc, "entity")["negative"]["penalty"] == 1  # pending: still public
    services.decide_repair(application, "scjgj", approve=True, decision_number="苏市监修〔2026〕1号")
    record.refresh_from_db()
    assert record.withdrawn_on == TODAY and record.withdrawal_reason == "repair"
    assert summarize(entity.uscc, "entity")["negative"]["penalty"] == 0
    assert summarize(entity.uscc, "entity", before)["negative"]["penalty"] == 1
    latest = record.history.order_by("-history_date", "-history_id").first()
    assert latest.source_department == "scjgj" and "苏市监修" in latest.history_change_reason
    application.refresh_from_db()
    assert application.status == "approved" and application.history.count() == 2


def test_repair_for_a_record_of_another_authority_is_refused():
    entity = make_entity()
    record = make_record("penalty", entity.uscc, "swj", decision_date=add_months(TODAY, -4))
    with pytest.raises(services.RepairRefused) as caught:
        services.apply_for_repair(
            record, "scjgj", applicant_name="x", applicant_key=entity.uscc, reason="整改"
        )
    assert caught.value.code == "not_source_authority" and "swj" in caught.value.message
    application = services.apply_for_repair(
        record, "swj", applicant_name="x", applicant_key=entity.uscc, reason="r"
    )
    with pytest.raises(services.RepairRefused):
        services.decide_repair(application, "scjgj", approve=True, decision_number="n")
    record.refresh_from_db()
    assert record.withdrawn_on is None
    assert RepairApplication.objects.get(pk=application.pk).status == "pending"


def test_repair_before_the_minimum_period_and_of_other_kinds_is_refused():
    entity = make_entity()
    recent = make_record("penalty", entity.uscc, decision_date=days(20))
    with pytest.raises(services.RepairRefused) as caught:
        services.apply_for_repair(recent, "scjgj", applicant_name="x", applicant_key=entity.uscc, reason="r")
    assert caught.value.code == "minimum_period"
    licence = make_record("licensing", entity.uscc, "zjt")
    with pytest.raises(services.RepairRefused) as caught:
        services.apply_for_repair(licence, "zjt", applicant_name="x", applicant_key=entity.uscc, reason="r")
    assert caught.value.code == "not_repairable"
    assert not RepairApplication.objects.exists()


def test_rejected_repair_leaves_the_record_public():
    entity = make_entity()
    record = make_record("penalty", entity.uscc, decision_date=add_months(TODAY, -5))
    application = services.apply_for_repair(
        record, "scjgj", applicant_name="x", applicant_key=entity.uscc, reason="r"
    )
    services.decide_repair(application, "scjgj", approve=False, reason="未完成整改")
    assert summarize(entity.uscc, "entity")["negative"]["penalty"] == 1


# -- the summary endpoint ------------------------------------------------------------------------


def test_summary_needs_its_own_grant_and_reveals_no_details():
    entity = make_entity()
    penalty = make_record("penalty", entity.uscc, decision_date=days(10))
    url = f"/api/v1/credit/entities/{entity.uscc}/summary/"
    _s, details_only = make_system(grants=[("credit.record.decision_number", "search", False)])
    refused = details_only.get(url)
    assert refused.status_code == 403
    assert refused.json()["dataset"] == "credit.summary" and refused.json()["mode"] == "lookup"
    system, client = make_system(grants=[(SUMMARY_ITEM, "lookup", False)])
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["negative"]["penalty"] == 1
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in (penalty.decision_number, penalty.content, penalty.legal_basis, str(penalty.record_id)):
        assert secret not in text
    row = AuditEntry.objects.order_by("-id").first()
    assert row.system_id == system.pk and row.dataset == "credit.summary" and row.mode == "lookup"
    assert row.subject_keys == [entity.uscc] and row.items == [SUMMARY_ITEM]
    # the summary grant gives no access to the records themselves
    assert client.get(f"/api/v1/credit/records/{penalty.record_id}/").status_code == 403


def test_summary_for_persons_and_as_of():
    person = make_person()
    record = make_record(
        "dishonest_debtor", person.id_number, "gy", subject_type="person", listed_from=days(100)
    )
    backdate(record, timezone.now() - datetime.timedelta(days=100))
    _s, client = make_system(grants=[(SUMMARY_ITEM, "lookup", False)])
    url = f"/api/v1/credit/persons/{person.id_number}/summary/"
    assert client.get(url).json()["negative"]["dishonest_debtor"] == 1
    services.write_record(
        CreditRecord,
        "gy",
        {"withdrawn_on": TODAY, "withdrawal_reason": "performed", "performance_status": "performed"},
        instance=record,
    )
    assert client.get(url).json()["negative"]["dishonest_debtor"] == 0
    yesterday = client.get(url, {"as_of": days(1).isoformat()}).json()
    assert yesterday["negative"]["dishonest_debtor"] == 1 and yesterday["date"] == days(1).isoformat()
    before_listing = client.get(url, {"as_of": days(200).isoformat()}).json()
    assert before_listing["negative"]["dishonest_debtor"] == 0
    assert client.get(url, {"as_of": "soon"}).status_code == 400


def test_summary_bad_and_unknown_keys():
    _s, client = make_system(grants=[(SUMMARY_ITEM, "lookup", False)])
    response = client.get("/api/v1/credit/entities/91110000600037341N/summary/")
    assert response.status_code == 400 and "check character" in response.json()["detail"]
    # An unknown key gets the same answer as a known one without public records: nothing to report.
    clean = client.get("/api/v1/credit/entities/91110000600037341L/summary/")
    assert clean.status_code == 200 and clean.json()["negative_total"] == 0
    known_clean = client.get(f"/api/v1/credit/entities/{make_entity().uscc}/summary/").json()
    assert {k: v for k, v in known_clean.items() if k not in ("subject", "as_of")} == {
        k: v for k, v in clean.json().items() if k not in ("subject", "as_of")
    }
    _s, nobody = make_system(grants=[("credit.legal_entity.name", "lookup", False)])
    # without the grant, a known and an unknown key look the same
    entity = make_entity()
    known = nobody.get(f"/api/v1/credit/entities/{entity.uscc}/summary/")
    unknown = nobody.get("/api/v1/credit/entities/91110000600037341L/summary/")
    assert known.status_code == unknown.status_code == 403 and known.json() == unknown.json()


# -- the repair API ------------------------------------------------------------------------------


def test_repair_through_the_api_by_the_deciding_authority():
    entity = make_entity()
    record = make_record("penalty", entity.uscc, "swj", decision_date=add_months(TODAY, -6))
    _s, tax = make_system(department="swj", provider=True)
    _s, market = make_system(department="scjgj", provider=True)
    _s, consumer = make_system(department="dsj")
    body = {
        "record": str(record.record_id),
        "applicant_name": entity.name,
        "applicant_key": entity.uscc,
        "reason": "r",
    }
    assert consumer.post("/api/v1/credit/repairs/", body, format="json").status_code == 403
    wrong = market.post("/api/v1/credit/repairs/", body, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "not_source_authority"
    assert not RepairApplication.objects.exists()
    created = tax.post("/api/v1/credit/repairs/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    number = created.json()["id"]
    again = tax.post("/api/v1/credit/repairs/", body, format="json")
    assert again.status_code == 409
    decision = {"approve": True, "decision_number": "苏税修〔2026〕8号"}
    other = market.post(f"/api/v1/credit/repairs/{number}/decision/", decision, format="json")
    assert other.status_code == 403
    assert (
        tax.post(f"/api/v1/credit/repairs/{number}/decision/", {"approve": "yes"}, format="json").status_code
        == 400
    )
    done = tax.post(f"/api/v1/credit/repairs/{number}/decision/", decision, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert tax.get(f"/api/v1/credit/repairs/{number}/").json()["decision_number"] == "苏税修〔2026〕8号"
    assert market.get(f"/api/v1/credit/repairs/{number}/").status_code == 404
    assert summarize(entity.uscc, "entity")["negative"]["penalty"] == 0
    missing = tax.post("/api/v1/credit/repairs/", {**body, "record": "not-a-uuid"}, format="json")
    assert missing.status_code == 400


def test_errors_speak_chinese_on_request():
    _s, client = make_system(grants=[(SUMMARY_ITEM, "lookup", False)])
    response = client.get(
        "/api/v1/credit/entities/91110000600037341N/summary/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "校验码为 N，应为 L" in response.json()["detail"]
