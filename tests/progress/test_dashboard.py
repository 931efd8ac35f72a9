"""Who sees the dashboard, what it shows (figures, never records), exports and the API."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from hub.progress import metrics
from population.models import Person
from tests.factories import make_system

from .helpers import make_member, make_plan, write_persons

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = write_persons(12, seed=31)
    make_plan(
        entries=[
            ("population", "population.person", "", "gat", 10),
            ("population", "population.person", "population.person.marital_status", "mzt", 0),
            ("licences", "licences.licence", "", "dsj", 1000),
        ]
    )
    return rows


def member_client():
    make_member()
    client = Client()
    assert client.login(username="member", password="pw-Joint-2026")
    return client


def test_anonymous_visitors_are_sent_to_the_dashboard_login():
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dashboard/login/")
    assert Client().get("/dashboard/export.csv").status_code == 302
    assert APIClient().get("/api/v1/progress/").status_code in (401, 403)


def test_members_log_in_on_the_dashboards_own_page():
    make_member()
    client = Client()
    response = client.post("/dashboard/login/", {"username": "member", "password": "pw-Joint-2026"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_members_see_figures_but_no_records(populated):
    client = member_client()
    pages = [
        "/dashboard/",
        "/dashboard/libraries/population/",
        "/dashboard/departments/gat/",
        "/dashboard/departments/mzt/",
        "/dashboard/report/",
        "/dashboard/export.csv?table=entries",
        "/api/v1/progress/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for person in Person.objects.all():
            assert person.id_number not in body, url
            assert person.name not in body, url
            assert person.household_address not in body, url
    page = client.get("/dashboard/").content.decode()
    assert "<svg" in page and "polyline" in page
    assert 'lang="zh-hans"' in page


def test_members_have_no_admin_and_no_record_api(populated):
    client = member_client()
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    assert client.get("/admin/population/person/").status_code == 302
    person = Person.objects.first()
    assert client.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 403
    assert client.get("/api/v1/population/persons/").status_code == 403
    user = get_user_model().objects.get(username="member")
    assert not user.is_staff


def test_users_without_the_dashboard_permission_are_refused():
    get_user_model().objects.create_user("someone", password="pw-Other-2026")
    client = Client()
    assert client.login(username="someone", password="pw-Other-2026")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/api/v1/progress/").status_code == 403


def test_page_figures_are_the_metrics(populated):
    client = member_client()
    province = metrics.figures(metrics.load())
    page = client.get("/dashboard/").content.decode()
    assert f"{province['items_delivered']} / {province['items_planned']}" in page
    assert f"{province['mount_rate'] * 100:.1f}%" in page
    library = client.get("/dashboard/libraries/population/").content.decode()
    assert "population.person.marital_status" in library  # item names and counts, not values


def test_api_returns_the_dashboard_figures(populated):
    body = member_client().get("/api/v1/progress/").json()
    expected = metrics.as_json(metrics.summary(metrics.load()))
    for key in ("province", "libraries", "batches"):
        assert body[key] == expected[key]
    assert [d["code"] for d in body["departments"]] == [d["code"] for d in expected["departments"]]
    assert body["province"]["items_planned"] == 3
    assert {lib["code"] for lib in body["libraries"]} == {
        "population",
        "licences",
        "credit",
        "natural_resources",
        "spatial_geography",
    }
    assert len(body["trend"]["weeks"]) == 12


def test_systems_may_not_read_the_progress_api(populated):
    """The figures count every system's calls and records shared: the joint meeting's, not a consumer's."""
    _system, client = make_system(grants=[("population.person.name", "search", False)])
    response = client.get("/api/v1/progress/?batch=test-batch")
    assert response.status_code == 403
    assert "records" not in response.content.decode() and "calls" not in response.content.decode()


@pytest.mark.parametrize(
    "query, word",
    [
        ("batch=no-such", "batch"),
        ("batch=a%00b", "batch"),
        ("period=2026-13", "period"),
        ("period=last-month", "period"),
        ("start=2026-02-30", "start/end"),
        ("start=2026-03-01&end=2026-02-01", "start"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(populated, query, word):
    client = member_client()
    api = client.get(f"/api/v1/progress/?{query}")
    assert api.status_code == 400
    assert api.json()["detail"].startswith(word)
    page = client.get(f"/dashboard/?{query}")
    assert page.status_code == 400
    assert word in page.content.decode()


def test_unknown_table_and_scope(populated):
    client = member_client()
    assert client.get("/dashboard/export.csv?table=persons").status_code == 400
    assert client.get("/dashboard/export.pdf").status_code == 404
    assert client.get("/dashboard/libraries/nowhere/").status_code == 404
    assert client.get("/dashboard/departments/nowhere/").status_code == 404


def test_csv_export_has_the_department_table(populated):
    response = member_client().get("/dashboard/export.csv?table=departments")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    summary = metrics.summary(metrics.load())
    assert len(rows) == 1 + len(summary["departments"])
    header = rows[0]
    by_code = {row[header.index("代码") if "代码" in header else 2]: row for row in rows[1:]}
    gat = next(d for d in summary["departments"] if d["code"] == "gat")
    assert by_code["gat"][4] == str(gat["items_planned"])


def test_xlsx_export_has_every_table(populated):
    response = member_client().get("/dashboard/export.xlsx?batch=test-batch")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 4
    entries = book.worksheets[3]
    assert entries.max_row == 1 + 3
    libraries = book.worksheets[0]
    codes = [libraries.cell(row=r, column=1).value for r in range(2, libraries.max_row + 1)]
    assert codes[0] == "population" and len(codes) == 5


def test_printable_report_per_month(populated):
    client = member_client()
    response = client.get("/dashboard/report/?period=2026-02")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2026-02-01" in body and "2026-02-28" in body
    assert "@media print" in body


def test_chinese_by_default_whatever_the_browser_asks(populated):
    client = member_client()
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "全省概览" in page
    # the dashboard's own words, not other apps' translations of the same English
    assert ">全省<" in page and ">至<" in page and "及时率" in page
    english = client.get("/dashboard/?lang=en")
    assert "Province at a glance" in english.content.decode()
    assert "Province at a glance" in client.get("/dashboard/").content.decode()  # the choice is kept
    assert "全省概览" in client.get("/dashboard/?lang=zh-hans").content.decode()
