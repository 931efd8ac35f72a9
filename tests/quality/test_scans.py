"""Scans find every seeded defect, blame the right department, and close what gets fixed."""

import uuid

import pytest
from django.core.management import call_command

from hub.quality.choices import IssueStatus, ScanTrigger
from hub.quality.models import QualityIssue, QualityRule, RuleResult
from hub.quality.scans import scan
from hub.quality.workflow import transition
from hub.records import context
from hub.records.services import write
from population.models import Person
from population.validators import id_birth_date, id_gender
from tests.factories import make_person, make_steward

from .helpers import P, seed_defects


def _found(scan_record=None):
    issues = QualityIssue.objects.filter(origin="scan").exclude(status=IssueStatus.CLOSED)
    return {
        (i.rule.code, i.record_key): (i.department.code, i.status)
        for i in issues.select_related("rule", "department")
    }


@pytest.mark.django_db
def test_every_seeded_defect_is_found_and_assigned_to_its_source(rules):
    clean = [make_person() for _ in range(5)]
    defects = seed_defects()
    # Every kind of rule the population library ships has a seeded defect.
    kinds = set(QualityRule.objects.filter(dataset__code=P).values_list("kind", flat=True))
    seeded_kinds = set(
        QualityRule.objects.filter(code__in=[c.split("#")[0] for c in defects]).values_list("kind", flat=True)
    )
    assert kinds == seeded_kinds

    result = scan(P)
    expected = {(code.split("#")[0], key): (dept, "open") for code, (key, dept) in defects.items()}
    assert _found() == expected
    assert not QualityIssue.objects.filter(record_key__in=[p.id_number for p in clean]).exists()
    total = Person.objects.count()
    assert result.rows == total
    assert result.opened == len(expected)
    by_rule = {r.rule.code: r for r in RuleResult.objects.filter(scan=result).select_related("rule")}
    assert by_rule[f"{P}.id_number.checksum"].checked == total
    assert by_rule[f"{P}.id_number.checksum"].failed == 1
    assert by_rule[f"{P}.id_number.checksum"].examples[0]["key"] == defects[f"{P}.id_number.checksum"][0]
    assert by_rule[f"{P}.name.uniqueness.suspected_duplicate"].failed == 2
    # Only persons with a marital status are checked against its code table.
    assert by_rule[f"{P}.marital_status.codetable"].checked == 1
    assert by_rule[f"{P}.marital_status.codetable"].department.code == "mzt"

    # A second scan reuses the open issues instead of opening new ones.
    again = scan(P)
    assert again.opened == 0
    assert QualityIssue.objects.count() == len(expected)
    assert set(QualityIssue.objects.values_list("last_scan", flat=True)) == {again.pk}


def _gender(key):
    return {"gender": id_gender(key)}


def _birth(key):
    return {"birth_date": id_birth_date(key)}


FIXES = {
    # rule code: (department delivering the fix, corrected values, or a function of the key giving them)
    "name.required": ("gat", {"name": "王正"}),
    "gender.required": ("gat", _gender),
    "household_division.required": ("gat", {"household_division": "320102"}),
    "name.format": ("gat", {"name": "王正"}),
    "gender.codetable": ("gat", _gender),
    "ethnicity.codetable": ("gat", {"ethnicity": "01"}),
    "marital_status.codetable": ("mzt", {"marital_status": "20"}),
    "education_level.codetable": ("jyt", {"education_level": "21"}),
    "birth_date.id_consistency": ("gat", _birth),
    "gender.id_consistency": ("gat", _gender),
    "death_date.order": ("wjw", {"death_date": None}),
    "household_division.reference": ("gat", {"household_division": "320102"}),
    "name.uniqueness.suspected_duplicate": ("gat", {"name": "周不重"}),
    "social_insurance_status.freshness": ("rst", {"social_insurance_status": "suspended"}),
}


@pytest.mark.django_db
def test_ingest_of_a_fix_closes_the_issue(rules, django_capture_on_commit_callbacks):
    defects = seed_defects()
    scan(P)
    for code, (department, values) in FIXES.items():
        key = defects[f"{P}.{code}"][0]
        values = values(key) if callable(values) else values
        with django_capture_on_commit_callbacks(execute=True):
            write(P, [{"id_number": key, **values}], department=department, reason="fix")
        issue = QualityIssue.objects.get(rule__code=f"{P}.{code}", record_key=key)
        assert issue.status == IssueStatus.CLOSED, code
        assert issue.events.last().to_status == IssueStatus.CLOSED
        assert issue.closed_at is not None
    # The duplicate's partner is not in the fixed batch: the next full scan marks it rectified.
    twin = defects[f"{P}.name.uniqueness.suspected_duplicate#twin"][0]
    twin_issue = QualityIssue.objects.get(
        rule__code=f"{P}.name.uniqueness.suspected_duplicate", record_key=twin
    )
    assert twin_issue.status == IssueStatus.OPEN
    scan(P)
    twin_issue.refresh_from_db()
    assert twin_issue.status == IssueStatus.RECTIFIED
    # What is left open is the bad key itself and the pre-1880 birth, which no value fix can correct.
    assert {code for code, _key in _found() if _found()[(code, _key)][1] == "open"} == {
        f"{P}.id_number.checksum",
        f"{P}.birth_date.range",
    }


@pytest.mark.django_db
def test_a_record_replaced_by_its_source_is_rectified_then_closed(rules):
    defects = seed_defects()
    scan(P)
    key = defects[f"{P}.id_number.checksum"][0]
    with context.writing("gat", reason="wrong number; reissued"):
        Person.objects.get(id_number=key).delete()
    scan(P)
    issue = QualityIssue.objects.get(rule__code=f"{P}.id_number.checksum", record_key=key)
    assert issue.status == IssueStatus.RECTIFIED
    steward = make_steward("gat")
    transition(issue, "close", user=steward)
    assert issue.status == IssueStatus.CLOSED
    assert [e.to_status for e in issue.events.all()] == [IssueStatus.RECTIFIED, IssueStatus.CLOSED]


@pytest.mark.django_db
def test_a_defect_found_again_reopens_a_rectified_issue(rules, django_capture_on_commit_callbacks):
    person = make_person(marital_status="99")
    scan(P)
    issue = QualityIssue.objects.get(rule__code=f"{P}.marital_status.codetable")
    transition(issue, "rectify", user=make_steward("mzt"), note="fixed upstream")
    scan(P)  # still wrong
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert issue.events.last().note == "found again by a scan"
    assert QualityIssue.objects.filter(record_key=person.id_number).count() == 1


@pytest.mark.django_db
def test_ingest_scan_covers_only_the_touched_keys(rules, django_capture_on_commit_callbacks):
    untouched = make_person(name="X")  # a defect the batch does not touch
    # a stored defect (written past the rules, as legacy data is) on the record the batch touches
    rows = [{"id_number": make_person(marital_status="99").id_number, "name": "王同步"}]
    with django_capture_on_commit_callbacks(execute=True):
        report = write(P, rows, department="gat")
    issue = QualityIssue.objects.get()
    assert issue.rule.code == f"{P}.marital_status.codetable"
    assert issue.first_scan.trigger == ScanTrigger.INGEST
    assert issue.first_scan.full is False and issue.first_scan.batch == uuid.UUID(report["batch"]).hex
    assert issue.department.code == "mzt"
    assert not QualityIssue.objects.filter(record_key=untouched.id_number).exists()


@pytest.mark.django_db
def test_waived_issue_is_not_reported_again(rules):
    operator = make_steward("dsj")
    operator.is_superuser = True
    operator.save()
    make_person(name="阿依古丽·买买提江·阿不都热合曼·艾合买提江·吐尔逊·阿不都克热木")  # longer than 30
    scan(P)
    issue = QualityIssue.objects.get(rule__code=f"{P}.name.format")
    transition(issue, "dispute", user=make_steward("gat"), note="the name is right; the rule is too strict")
    transition(issue, "uphold", user=operator, note="agreed; rule to be widened")
    scan(P)
    assert QualityIssue.objects.filter(rule__code=f"{P}.name.format").count() == 1
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.waived


@pytest.mark.django_db
def test_quality_scan_command(rules, capsys):
    make_person(marital_status="99")
    call_command("quality_scan", P)
    out = capsys.readouterr().out
    assert "population.person: 1 rows, 1 failures, 1 issues opened" in out
    assert "[" in out  # progress lines


@pytest.mark.django_db
def test_ingest_scan_finds_a_duplicate_of_an_untouched_record(rules, django_capture_on_commit_callbacks):
    from population.demo import make_id_number

    existing = make_person(name="吴同名")
    twin = make_id_number("320506", existing.birth_date, 321, True)
    with django_capture_on_commit_callbacks(execute=True):
        write(
            P,
            [
                {
                    "id_number": twin,
                    "name": "吴同名",
                    "birth_date": existing.birth_date,
                    "gender": "1",
                    "household_division": "320506",
                }
            ],
            department="gat",
        )
    found = set(QualityIssue.objects.values_list("rule__code", "record_key"))
    assert found == {(f"{P}.name.uniqueness.suspected_duplicate", twin)}
