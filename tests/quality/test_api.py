"""Consumer feedback, the issue list and scores over the REST API; "under review" in provenance."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hub.quality.choices import IssueStatus
from hub.quality.models import QualityIssue
from hub.quality.scans import scan
from hub.quality.workflow import transition
from tests.factories import make_person, make_steward, make_system

P = "population.person"
FEEDBACK = "/api/v1/quality/feedback/"


@pytest.fixture
def consumer(db):
    return make_system(
        grants=[
            (f"{P}.id_number", "lookup", False),
            (f"{P}.name", "lookup", False),
            (f"{P}.marital_status", "lookup", True),
            (f"{P}.gender", "verify", False),
        ]
    )


@pytest.mark.django_db
def test_feedback_opens_an_issue_for_the_source_department(consumer):
    system, client = consumer
    person = make_person(marital_status="20")
    response = client.post(
        FEEDBACK,
        {
            "dataset": P,
            "key": person.id_number.lower(),
            "item": f"{P}.marital_status",
            "message": "divorced in 2025",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # A receipt: not the issue (its number, first message, department or whether it was joined).
    assert body == {
        "dataset": P,
        "item": f"{P}.marital_status",
        "record_key": person.id_number,
        "message": "divorced in 2025",
        "status": "received",
    }
    issue = QualityIssue.objects.get()
    assert issue.reporter == system and issue.department.code == "mzt"
    assert issue.status == "open" and issue.origin == "feedback" and issue.dimension == "accuracy"
    # A second report on the same value joins the open issue, and its receipt looks the same.
    again = client.post(
        FEEDBACK,
        {"dataset": P, "key": person.id_number, "item": "marital_status", "message": "again"},
        format="json",
    )
    assert again.status_code == 201 and again.json() == body | {"message": "again"}
    assert QualityIssue.objects.count() == 1
    assert [e.note for e in issue.events.all()] == [
        f"{system.name}: divorced in 2025",
        f"{system.name}: again",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload,status,code,names",
    [
        ({"dataset": "nope.nothing", "key": "1", "item": "name", "message": "x"}, 400, "invalid", "dataset"),
        ({"dataset": P, "key": "1", "item": "shoe_size", "message": "x"}, 400, "invalid", "shoe_size"),
        ({"dataset": P, "key": "1", "item": "name"}, 400, "invalid", "message"),
        ({"dataset": P, "key": "320102199001011234", "item": "name", "message": "x"}, 404, "not_found", ""),
        (
            {"dataset": P, "key": "KEY", "item": "education_level", "message": "x"},
            403,
            "no_grant",
            "education_level",
        ),
        # a verify grant does not show the record, so it cannot say whether a key exists either
        ({"dataset": P, "key": "KEY", "item": "gender", "message": "x"}, 403, "no_grant", "gender"),
        ({"dataset": P, "key": "320102199001011234", "item": "gender", "message": "x"}, 403, "no_grant", ""),
    ],
)
def test_bad_feedback_gets_a_4xx_naming_the_problem(consumer, payload, status, code, names):
    _, client = consumer
    person = make_person()
    payload = {k: (person.id_number if v == "KEY" else v) for k, v in payload.items()}
    response = client.post(FEEDBACK, payload, format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert names in response.json()["detail"] or names in str(response.json().get("errors"))
    assert not QualityIssue.objects.exists()


@pytest.mark.django_db
def test_feedback_needs_a_system(db):
    steward = make_steward("gat")
    client = APIClient()
    client.force_login(steward)
    person = make_person()
    response = client.post(
        FEEDBACK, {"dataset": P, "key": person.id_number, "item": "name", "message": "x"}, format="json"
    )
    assert response.status_code == 403
    assert APIClient().post(FEEDBACK, {}, format="json").status_code in (401, 403)


@pytest.mark.django_db
def test_lookups_flag_values_under_review_until_resolved(consumer):
    system, client = consumer
    person = make_person(marital_status="20")
    other = make_person()
    url = f"/api/v1/population/persons/{person.id_number}/?provenance=true"
    before = client.get(url).json()
    assert before["name"]["under_review"] is False
    client.post(
        FEEDBACK, {"dataset": P, "key": person.id_number, "item": "name", "message": "typo"}, format="json"
    )
    with CaptureQueriesContext(connection) as queries:
        after = client.get(url).json()
    assert after["name"]["under_review"] is True
    assert after["name"]["review_issue"] == QualityIssue.objects.get().pk
    assert after["id_number"]["under_review"] is False
    assert sum("quality_qualityissue" in q["sql"] for q in queries.captured_queries) == 1
    assert (
        client.get(f"/api/v1/population/persons/{other.id_number}/?provenance=true").json()["name"][
            "under_review"
        ]
        is False
    )
    issue = QualityIssue.objects.get()
    steward = make_steward("gat")
    transition(issue, "rectify", user=steward)
    assert client.get(url).json()["name"]["under_review"] is True  # rectified, not yet confirmed
    transition(issue, "close", user=steward)
    assert client.get(url).json()["name"]["under_review"] is False


@pytest.mark.django_db
def test_issue_list_is_scoped_to_the_caller(consumer, rules):
    system, client = consumer
    person = make_person(name="X1", marital_status="99")
    scan(P)
    client.post(
        FEEDBACK, {"dataset": P, "key": person.id_number, "item": "name", "message": "x"}, format="json"
    )
    # A system sees the reports it made.
    mine = client.get("/api/v1/quality/issues/").json()["results"]
    assert [i["origin"] for i in mine] == ["feedback"]
    # A steward sees their department's issues, filtered as asked.
    steward_client = APIClient()
    steward_client.force_login(make_steward("mzt"))
    body = steward_client.get("/api/v1/quality/issues/").json()
    assert [i["rule"] for i in body["results"]] == [f"{P}.marital_status.codetable"]
    assert steward_client.get("/api/v1/quality/issues/?status=closed").json()["results"] == []
    bad = steward_client.get("/api/v1/quality/issues/?status=done")
    assert bad.status_code == 400 and "status" in bad.json()["detail"]
    assert steward_client.get("/api/v1/quality/issues/?dataset=nope").status_code == 400


@pytest.mark.django_db
def test_scores_endpoint(consumer, rules):
    _, client = consumer
    make_person(marital_status="99")
    make_person(marital_status="20")
    scan(P)
    body = client.get(f"/api/v1/quality/scores/?department=mzt&dataset={P}").json()
    assert body["score"] == 50.0  # one of the two checked marital statuses fails
    assert body["dimensions"] == {"validity": 50.0}
    assert body["items"] == {f"{P}.marital_status": 50.0}
    assert len(body["trend"]) == 1 and body["trend"][0]["score"] == 50.0
    assert body["issues"]["open"] == 1
    assert client.get("/api/v1/quality/scores/?department=nobody").status_code == 400
    issue = QualityIssue.objects.get()
    assert issue.status == IssueStatus.OPEN


@pytest.mark.django_db
def test_a_reporter_learns_a_partitions_department_only_with_the_partition_item():
    """A credit record's issue goes to its deciding authority: that names the (ungranted) partition."""
    from tests.credit.factories import make_entity, make_record

    record = make_record("penalty", make_entity().uscc, "scjgj")
    report = {"dataset": "credit.record", "key": str(record.record_id), "item": "content", "message": "x"}
    _s, content_only = make_system(grants=[("credit.record.content", "lookup", False)])
    assert content_only.post(FEEDBACK, report, format="json").status_code == 201
    [issue] = content_only.get("/api/v1/quality/issues/").json()["results"]
    assert issue["department"] is None and "scjgj" not in str(issue)
    _s, with_partition = make_system(
        grants=[
            ("credit.record.content", "lookup", False),
            ("credit.record.deciding_department", "lookup", False),
        ]
    )
    other_value = report | {"item": "deciding_department", "message": "y"}  # a new issue, its own
    assert with_partition.post(FEEDBACK, other_value, format="json").status_code == 201
    [issue] = with_partition.get("/api/v1/quality/issues/").json()["results"]
    assert issue["department"] == "scjgj"
