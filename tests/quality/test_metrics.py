"""Scores weighted by severity, trends by scan, issue counts, and the bulletins."""

import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from hub.quality import metrics
from hub.quality.models import QualityIssue, QualityRule
from hub.quality.scans import scan
from tests.factories import make_person, make_steward

P = "population.person"


@pytest.mark.django_db
def test_score_is_the_severity_weighted_share_of_passing_rows(rules):
    QualityRule.objects.exclude(code__in=[f"{P}.name.format", f"{P}.gender.codetable"]).update(active=False)
    QualityRule.objects.filter(code=f"{P}.name.format").update(severity="low")  # weight 1
    QualityRule.objects.filter(code=f"{P}.gender.codetable").update(severity="high")  # weight 4
    make_person(name="X1")
    for _ in range(3):
        make_person()
    scan(P)
    # name.format: 3 of 4 pass, weight 1; gender.codetable: 4 of 4 pass, weight 4.
    assert metrics.score("gat") == round(100 * (3 * 1 + 4 * 4) / (4 * 1 + 4 * 4), 2)
    assert metrics.score(dataset=P) == metrics.score()
    assert metrics.score("mzt") is None  # nothing of theirs was checked
    assert metrics.score("gat", item=f"{P}.name") == 75.0
    assert metrics.score("gat", dimension="validity") == metrics.score("gat")


@pytest.mark.django_db
def test_trend_follows_the_scans(rules):
    person = make_person(name="X1")
    make_person()
    first = scan(P)
    from hub.records import context

    with context.writing("gat"):
        person.name = "王正"
        person.save()
    second = scan(P)
    trend = metrics.score_trend("gat")
    assert [at for at, _ in trend] == [first.finished_at, second.finished_at]
    assert trend[0][1] < trend[1][1] == 100.0
    assert metrics.score_trend("gat", limit=1) == trend[-1:]
    assert metrics.score("gat") == 100.0


@pytest.mark.django_db
def test_issue_counts_open_and_overdue(rules):
    make_person(name="X1")
    make_person(marital_status="99")
    scan(P)
    assert metrics.issue_counts() == {"open": 2, "overdue": 0}
    QualityIssue.objects.filter(department__code="mzt").update(
        due_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert metrics.issue_counts() == {"open": 2, "overdue": 1}
    assert metrics.issue_counts("mzt") == {"open": 1, "overdue": 1}
    assert metrics.issue_counts("gat") == {"open": 1, "overdue": 0}


@pytest.fixture
def scanned(rules):
    make_person(name="X1")
    make_person(marital_status="99")
    make_person()
    scan(P)
    QualityIssue.objects.filter(department__code="mzt").update(
        due_at=timezone.now() - datetime.timedelta(days=2)
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_province_bulletin_ranks_departments(scanned):
    client = _client(make_steward("gat"))
    page = client.get("/quality/bulletin/")
    assert page.status_code == 200
    html = page.content.decode()
    ranking = metrics.department_ranking()
    assert [r["department"].code for r in ranking] == ["gat", "mzt"] or ranking[0]["score"] >= ranking[1][
        "score"
    ]
    assert ranking[0]["score"] >= ranking[1]["score"]
    for row in ranking:
        assert row["department"].name in html
    assert "population.person.marital_status.codetable" in html  # overdue group listed
    csv_body = client.get("/quality/bulletin/?format=csv").content.decode("utf-8-sig")
    assert "rank,department" in csv_body and "mzt" in csv_body
    book = openpyxl.load_workbook(io.BytesIO(client.get("/quality/bulletin/?format=xlsx").content))
    assert book.sheetnames == ["ranking", "overdue"]
    assert book["overdue"].max_row == 2


@pytest.mark.django_db
def test_department_bulletin_lists_overdue_issues_to_its_stewards(scanned):
    issue = QualityIssue.objects.get(department__code="mzt")
    page = _client(make_steward("mzt")).get("/quality/bulletin/mzt/")
    assert page.status_code == 200
    assert issue.record_key in page.content.decode()
    assert _client(make_steward("gat")).get("/quality/bulletin/mzt/").status_code == 403
    assert Client().get("/quality/bulletin/").status_code == 302  # to the login page
    export = _client(make_steward("mzt")).get("/quality/bulletin/mzt/?format=csv").content.decode("utf-8-sig")
    assert issue.record_key in export
    assert _client(make_steward("mzt")).get("/quality/bulletin/nobody/").status_code == 404


@pytest.mark.django_db
def test_bulletin_command_writes_the_periodic_files(scanned, tmp_path):
    from django.core.management import call_command

    call_command("quality_bulletin", "--output-dir", str(tmp_path), stdout=io.StringIO())
    call_command(
        "quality_bulletin",
        "--department",
        "mzt",
        "--format",
        "csv",
        "--output-dir",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2
    book = openpyxl.load_workbook(tmp_path / next(f for f in files if f.endswith(".xlsx")))
    assert [c.value for c in book["ranking"][2]][:2] == [1, "gat"]
    text = (tmp_path / next(f for f in files if f.endswith(".csv"))).read_text(encoding="utf-8-sig")
    assert QualityIssue.objects.get(department__code="mzt").record_key in text


@pytest.mark.django_db
def test_bulletin_speaks_chinese_by_default(scanned):
    html = _client(make_steward("gat")).get("/quality/bulletin/").content.decode()
    assert "全省数据质量通报" in html and "部门得分排名" in html
