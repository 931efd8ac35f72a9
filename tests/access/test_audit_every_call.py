"""Exactly one audit row for every call under /api/v1/ (but the schema and docs), whatever its outcome."""

import uuid
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from hub.access import audit
from hub.access.models import AuditEntry
from hub.access.throttling import SystemRateThrottle
from hub.records.models import IngestBatch
from tests.access.test_audit import as_database_owner
from tests.factories import make_person, make_steward, make_system
from tests.records.ingest_helpers import URL as INGEST_URL
from tests.records.ingest_helpers import as_json, gat_rows

pytestmark = pytest.mark.django_db

LOOKUP = [("population.person.name", "lookup", False)]


@pytest.fixture
def scene():
    person = make_person()
    system, client = make_system(grants=LOOKUP)
    return person, system, client


def one_row_for(call):
    """Make the call; assert it left exactly one new audit row; return (response, row)."""
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = call()
    rows = list(AuditEntry.objects.filter(id__gt=before))
    assert len(rows) == 1, [(r.endpoint, r.status) for r in rows]
    assert rows[0].status == response.status_code
    return response, rows[0]


def names(row, system):
    return row.system_id == system.pk and row.key_prefix == system.api_keys.get().prefix


def test_a_governed_lookup_and_its_refusals_each_leave_one_row_naming_the_system(scene):
    person, system, client = scene
    url = f"/api/v1/population/persons/{person.id_number}/"
    for call, status in [
        (lambda: client.get(url), 200),
        (lambda: client.get("/api/v1/population/persons/110101199003074514/"), 404),
        (lambda: client.get(url + "?format=csv"), 404),  # refused at content negotiation
        (lambda: client.get(url, HTTP_ACCEPT="text/csv"), 406),
        (lambda: client.delete(url), 405),
        (lambda: client.get("/api/v1/population/persons/?name=x"), 403),  # no search grant
    ]:
        response, row = one_row_for(call)
        assert response.status_code == status, (call, response.content)
        assert names(row, system), (status, row.system_id, row.key_prefix)
        assert row.dataset == "population.person"
        assert response.json()["code"] and "detail" in response.json() if status >= 400 else True
    assert client.get(url + "?format=csv").json() == {"detail": "Not found.", "code": "not_found"}


def test_a_bad_key_leaves_a_row_naming_no_one(scene):
    person, _system, _client = scene
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Api-Key abc.def")
    for path in [f"/api/v1/population/persons/{person.id_number}/", "/api/v1/catalogue/datasets/"]:
        response, row = one_row_for(lambda path=path: stranger.get(path))
        assert response.status_code == 401
        assert row.system_id is None and row.key_prefix == "" and row.endpoint == path


def test_a_throttled_call_leaves_one_row(scene, monkeypatch):
    person, system, client = scene
    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "system": "1/min"}
    monkeypatch.setattr(SystemRateThrottle, "THROTTLE_RATES", rates)
    try:
        for path in [f"/api/v1/population/persons/{person.id_number}/", "/api/v1/access/me/"]:
            client.get(path)
            response, row = one_row_for(lambda path=path: client.get(path))
            assert response.status_code == 429 and names(row, system)
    finally:
        cache.clear()


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/population/persons/{key}/"),
        ("post", "/api/v1/population/persons/verify/"),
        ("post", "/api/v1/access/requests/"),
        ("get", "/api/v1/catalogue/datasets/"),
        ("post", "/api/v1/quality/feedback/"),
    ],
)
def test_an_oversized_body_is_the_json_413_with_a_row_on_every_endpoint(scene, settings, method, path):
    person, system, client = scene
    settings.HUB_MAX_BODY_BYTES = 100
    body = '{"id_number": "' + "1" * 200 + '"}'
    path = path.format(key=person.id_number)
    response, row = one_row_for(
        lambda: client.generic(method.upper(), path, data=body, content_type="application/json")
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "100" in response.json()["detail"]
    assert names(row, system)


def test_django_refusing_a_large_form_body_is_a_json_413_too(scene, settings):
    """A read of the body past Django's own limit (``RequestDataTooBig``) answers 413, not an HTML 400."""
    _person, system, client = scene
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50  # below the hub's limit: Django refuses first
    response, row = one_row_for(
        lambda: client.post(
            "/api/v1/access/requests/",
            data="purpose=" + "x" * 100,
            content_type="application/x-www-form-urlencoded",
        )
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert names(row, system)


def test_an_unhandled_exception_is_a_json_500_with_its_row_and_no_data(scene):
    person, system, client = scene
    url = f"/api/v1/population/persons/{person.id_number}/"
    with mock.patch("hub.records.views.GovernedViewSet.render", side_effect=RuntimeError("bug")):
        response, row = one_row_for(lambda: client.get(url))
    assert response.status_code == 500
    assert set(response.json()) == {"detail", "code"} and response.json()["code"] == "server_error"
    assert person.name not in response.content.decode()
    assert names(row, system) and row.dataset == "population.person" and row.mode == "lookup"
    assert row.items == [] and row.result_count == 0

    with mock.patch("hub.access.api.views.MeView.get", side_effect=RuntimeError("bug")):
        response, row = one_row_for(lambda: client.get("/api/v1/access/me/"))
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    assert names(row, system) and row.endpoint == "/api/v1/access/me/"


def test_a_write_that_fails_with_a_500_is_rolled_back_and_still_audited(scene):
    person, system, client = scene
    verify = make_system(grants=[("population.person.name", "verify", False)])[1]
    with mock.patch("hub.records.views.GovernedViewSet._same", side_effect=RuntimeError("bug")):
        response, row = one_row_for(
            lambda: verify.post(
                "/api/v1/population/persons/verify/",
                {"id_number": person.id_number, "name": "x"},
                format="json",
            )
        )
    assert response.status_code == 500 and row.status == 500 and row.mode == "verify"


def test_non_record_endpoints_each_leave_one_row(scene):
    _person, system, client = scene
    steward = make_steward("gat")
    web = APIClient()
    web.force_login(steward)
    for who, path in [
        (client, "/api/v1/access/me/"),
        (client, "/api/v1/catalogue/datasets/"),
        (client, "/api/v1/catalogue/datasets/population.person/"),
        (client, "/api/v1/progress/"),
        (client, "/api/v1/quality/scores/"),
        (client, "/api/v1/subjects/110101199003074514/"),
        (client, "/api/v1/no-such-endpoint/"),
        (web, "/api/v1/quality/issues/"),
    ]:
        response, row = one_row_for(lambda who=who, path=path: who.get(path))
        assert row.endpoint == path
        if who is client:
            assert names(row, system), path
        else:
            assert row.user == steward.username and row.system_id is None
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_nul_refused_by_middleware_leaves_a_row(scene):
    _person, system, client = scene
    response, row = one_row_for(lambda: client.get("/api/v1/catalogue/datasets/", {"q": "a\x00b"}))
    assert response.status_code == 400 and names(row, system)


def test_the_schema_and_docs_pages_are_not_governed_calls(scene):
    _person, _system, client = scene
    before = AuditEntry.objects.count()
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
    assert AuditEntry.objects.count() == before


def test_ingest_calls_leave_their_own_rows_linked_to_the_batch():
    system, gat = make_system(department="gat", provider=True)
    response, row = one_row_for(
        lambda: gat.post(INGEST_URL, data=as_json(gat_rows(2)), content_type="application/json")
    )
    assert response.status_code == 200
    batch = uuid.UUID(response.json()["batch"])
    assert (row.batch, row.mode, row.result_count, row.status) == (batch, "ingest", 2, 200)
    assert names(row, system) and row.endpoint == INGEST_URL

    response, row = one_row_for(lambda: gat.get(f"/api/v1/ingest/batches/{batch}/"))
    assert response.status_code == 200 and row.batch == batch and names(row, system)

    response, row = one_row_for(lambda: gat.post(INGEST_URL, data=b"[{", content_type="application/json"))
    assert response.status_code == 400 and row.mode == "ingest" and names(row, system)
    # a refused batch is recorded too (its report says why), and the call's row names it
    refused = IngestBatch.objects.exclude(pk=batch).get()
    assert row.batch == refused.pk
    assert audit.verify()[1] is None


def test_a_non_record_response_leaves_only_if_its_row_is_written(scene):
    _person, _system, client = scene
    with mock.patch("hub.access.audit._insert", side_effect=DatabaseError("disk full")):
        response = client.get("/api/v1/access/me/")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert "population.person.name" not in response.content.decode()
    assert not AuditEntry.objects.exists()
    stranger = APIClient()
    with mock.patch("hub.access.audit._insert", side_effect=DatabaseError("disk full")):
        refused = stranger.get("/api/v1/access/me/")
    assert refused.status_code in (401, 403)  # a refusal carries no data: it leaves as it is


def test_the_batch_is_part_of_the_hash():
    _system, gat = make_system(department="gat", provider=True)
    gat.post(INGEST_URL, data=as_json(gat_rows(1)), content_type="application/json")
    row = AuditEntry.objects.get(batch__isnull=False)
    assert audit.verify()[1] is None
    as_database_owner("UPDATE access_auditentry SET batch = %s WHERE id = %s", [uuid.uuid4().hex, row.pk])
    assert audit.verify()[1].pk == row.pk
