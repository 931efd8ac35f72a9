"""Hostile input: SQL-looking strings, huge and deeply nested JSON, bad encodings, path traversal.

Every case must answer a 4xx that names the problem (never a 500), leak no
ungranted value and write nothing.
"""

import json
import os

import pytest
from rest_framework.test import APIClient

from hub.access.models import AccessRequest, AuditEntry
from population.models import Person
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db

SQLISH = [
    "' OR '1'='1",
    "'; DROP TABLE population_person; --",
    "1) UNION SELECT id_number, name FROM population_person --",
    '" OR ""="',
    "%' AND 1=1 AND '%'='",
    "\\'; SELECT pg_sleep(5); --",
    "王' OR 1=1 --",
    "\x00",
]


@pytest.fixture
def scene():
    people = [make_person() for _ in range(3)]
    _system, client = make_system(
        grants=[
            ("population.person.id_number", "search", False),
            ("population.person.name", "search", False),
            ("population.person.gender", "verify", False),
        ]
    )
    return people, client


def assert_no_leak(response, people, allow_names=()):
    body = response.content.decode(errors="replace")
    for person in people:
        if person.name not in allow_names:
            assert person.name not in body
        assert person.household_address not in body  # never granted


@pytest.mark.parametrize("evil", SQLISH)
def test_sql_looking_strings_are_plain_data_everywhere(scene, evil):
    people, client = scene
    before = Person.objects.count()
    responses = [
        client.get(f"/api/v1/population/persons/{evil}/"),
        client.get("/api/v1/population/persons/", {"name": evil}),
        client.get("/api/v1/population/persons/", {"q": evil}),
        client.get("/api/v1/population/persons/", {"ordering": evil}),
        client.get("/api/v1/population/persons/", {evil: "1"}),
        client.post("/api/v1/population/persons/verify/", {"id_number": evil, "name": evil}, format="json"),
        client.post(
            "/api/v1/population/persons/verify/",
            {"id_number": people[0].id_number, "name": evil},
            format="json",
        ),
        client.get(f"/api/v1/population/persons/{people[0].id_number}/", HTTP_X_PURPOSE=evil),
        client.get("/api/v1/catalogue/datasets/" + evil.replace("/", "") + "/"),
    ]
    for position, response in enumerate(responses):
        assert response.status_code < 500, (response.request, response.content[:200])
        if response.status_code >= 400 and response["Content-Type"] == "application/json":
            payload = response.json()
            assert payload["detail"] and payload["code"]
        # The lookup of people[0] (position 7) is granted its name; nothing else may show one.
        assert_no_leak(response, people, allow_names=(people[0].name,) if position == 7 else ())
    assert responses[7].status_code in (200, 400)
    if "\x00" in evil:  # refused by the JSON parser as bad input
        assert responses[6].status_code == 400
    else:
        assert responses[6].json()["match"] is False
    # Search by an injected name finds nothing (the filter is a bound parameter, not SQL).
    if responses[1].status_code == 200:
        assert responses[1].json()["results"] == []
    assert Person.objects.count() == before


def test_huge_body_is_refused_with_413(scene, settings):
    _people, client = scene
    settings.HUB_MAX_BODY_BYTES = 10_000
    body = [{"id_number": "3201" + "0" * 14, "name": "x" * 100}] * 200
    response = client.post("/api/v1/population/persons/verify/", body, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "10000" in response.json()["detail"]


def test_too_many_verify_rows_is_a_400_naming_the_limit(scene):
    people, client = scene
    body = [{"id_number": people[0].id_number, "name": "x"}] * 1001
    response = client.post("/api/v1/population/persons/verify/", body, format="json")
    assert response.status_code == 400
    assert "1000" in response.json()["detail"]
    assert AuditEntry.objects.filter(status=200).count() == 0


@pytest.mark.parametrize("depth", [40, 5_000, 200_000])
def test_deeply_nested_json_is_a_400(scene, depth):
    _people, client = scene
    for url in ("/api/v1/population/persons/verify/", "/api/v1/access/requests/"):
        body = "[" * depth + "]" * depth
        response = client.generic("POST", url, body, content_type="application/json")
        assert response.status_code == 400, (url, depth, response.content[:200])
        assert "nested" in response.json()["detail"]
        body = '{"a":' * depth + "1" + "}" * depth
        response = client.generic("POST", url, body, content_type="application/json")
        assert response.status_code == 400
    assert AccessRequest.objects.count() == 0


def test_huge_numbers_and_broken_json_are_400s(scene):
    _people, client = scene
    for body in ("9" * 50_000, '{"id_number": ', "\ufeff{}", "NaN", '{"id_number": Infinity}'):
        response = client.generic(
            "POST", "/api/v1/population/persons/verify/", body.encode(), content_type="application/json"
        )
        assert response.status_code == 400, (body[:20], response.content[:200])


def test_invalid_utf8_body_is_a_400(scene):
    people, client = scene
    body = b'{"id_number": "' + people[0].id_number.encode() + b'", "name": "\xff\xfe\xc3("}'
    response = client.generic(
        "POST", "/api/v1/population/persons/verify/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_gb18030_body_is_read_when_declared_and_refused_when_not(scene):
    people, client = scene
    person = people[0]
    body = json.dumps({"id_number": person.id_number, "name": person.name}, ensure_ascii=False).encode(
        "gb18030"
    )
    declared = client.generic(
        "POST", "/api/v1/population/persons/verify/", body, content_type="application/json; charset=gb18030"
    )
    assert declared.status_code == 200
    assert declared.json() == {"match": True, "items": {"name": True}}
    undeclared = client.generic(
        "POST", "/api/v1/population/persons/verify/", body, content_type="application/json"
    )
    assert undeclared.status_code == 400
    unknown = client.generic(
        "POST", "/api/v1/population/persons/verify/", body, content_type="application/json; charset=klingon"
    )
    # An unknown charset is ignored (Django falls back to UTF-8), so the GB18030 bytes are refused.
    assert unknown.status_code == 400


def test_wrong_json_shapes_are_400s(scene):
    _people, client = scene
    for body in ("[]", "1", '"text"', "null", "[1, 2]", '{"name": "x"}', '{"id_number": ["a"], "name": {}}'):
        response = client.generic(
            "POST", "/api/v1/population/persons/verify/", body, content_type="application/json"
        )
        assert 400 <= response.status_code < 500, (body, response.content[:200])
    for body in ('{"purpose": [], "items": "x"}', '{"purpose": "p", "items": [{"item": {}, "mode": 7}]}'):
        response = client.generic("POST", "/api/v1/access/requests/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"]
    assert AccessRequest.objects.count() == 0


def test_nested_validation_errors_name_the_row_and_field(scene):
    _people, client = scene
    response = client.post(
        "/api/v1/access/requests/",
        {"purpose": "p", "items": [{"item": "population.person.name", "mode": "lookup"}, {"item": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "items.1.mode" in response.json()["errors"]
    assert "items.1.mode" in response.json()["detail"]


TRAVERSAL_NAMES = [
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/shadow",
    "a/../../b.csv",
    "\x00.csv",
]


@pytest.mark.parametrize("filename", TRAVERSAL_NAMES)
def test_path_traversal_in_uploaded_file_names_writes_nothing_outside(scene, filename, tmp_path, settings):
    """No endpoint on the governed API stores uploads; a multipart body with a hostile
    file name is refused as bad input and leaves no file behind."""
    _people, client = scene
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # force the temporary-file path
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(filename, b"id_number,name\n320102199001011234,x\n" * 10, "text/csv")
    for url in ("/api/v1/population/persons/verify/", "/api/v1/access/requests/"):
        response = client.post(url, {"file": upload}, format="multipart")
        assert 400 <= response.status_code < 500, (url, response.content[:200])
        upload.seek(0)
    leftovers = [os.path.join(root, f) for root, _dirs, files in os.walk(tmp_path) for f in files]
    assert leftovers == []
    assert not os.path.exists("/etc/passwd.csv")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/population/persons/..%2F..%2F..%2Fetc%2Fpasswd/",
        "/api/v1/population/persons/%2e%2e/",
        "/api/v1/population/persons/%00/",
        "/api/v1/population/persons/" + "9" * 5000 + "/",
        "/api/v1/catalogue/datasets/..%2Fpopulation.person/",
        "/static/../hub/settings.py",
        "/static/..%2Fhub%2Fsettings.py",
    ],
)
def test_path_traversal_in_urls_is_refused(scene, path):
    _people, client = scene
    response = client.get(path)
    assert response.status_code in (400, 403, 404), (path, response.status_code)
    assert b"SECRET_KEY" not in response.content


def test_non_json_content_types_on_json_endpoints_are_415(scene):
    _people, client = scene
    response = client.generic(
        "POST", "/api/v1/population/persons/verify/", b"<xml/>", content_type="application/xml"
    )
    assert response.status_code == 415


def test_anonymous_and_malformed_keys_get_401_without_data():
    person = make_person()
    anonymous = APIClient()
    for header in (None, "Api-Key", "Api-Key x", "Api-Key a.b", "Bearer x", "Api-Key " + "a." * 5000):
        if header:
            anonymous.credentials(HTTP_AUTHORIZATION=header)
        response = anonymous.get(f"/api/v1/population/persons/{person.id_number}/")
        assert response.status_code in (401, 403)
        assert person.name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/quality/issues/?department=%00x",
        "/api/v1/catalogue/departments/?x%00=1",
        "/admin/population/person/?q=%00",
    ],
)
def test_nul_in_any_query_string_is_400_for_every_view(url, admin_client):
    response = admin_client.get(url)
    assert response.status_code == 400
