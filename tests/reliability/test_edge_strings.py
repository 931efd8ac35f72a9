"""Every parameter of every governed endpoint meets the strings that broke it once: 0 responses of 5xx.

The operations and their parameters are read from the hub's own OpenAPI
schema (path, query and header parameters, request body properties), and
widened with what the schema cannot say for a governed dataset: its filters,
``q`` and ``ordering`` on a search, its items in a verify or ingest body.
For each (operation, parameter) pair Hypothesis feeds edge-case strings —
dates that are not in the calendar, the decimal digits of every script,
superscripts and full-width forms, lone surrogates, NUL, non-characters,
bidirectional and zero-width marks, very long values — with every other
parameter left valid, so the edge case reaches the code that parses it.
Calls go in-process, as a system that holds a mix of grants (lookup, search,
masked search, verify) and is a provider, so ingest and verify bodies are read.

``HUB_EDGE_EXAMPLES`` (default 25) sets the examples per pair.
"""

import json
import os
import sys
import unicodedata
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from hub.access.choices import Mode
from hub.access.models import ApiKey, ConsumerSystem, Grant
from hub.catalogue.models import DataItem, Department
from tests.credit.factories import make_entity
from tests.factories import make_person
from tests.licences.helpers import issue_id_card
from tests.records.ingest_helpers import gat_rows

EXAMPLES = int(os.environ.get("HUB_EDGE_EXAMPLES", "25"))

# -- the strings -----------------------------------------------------------------------------------

MARKS = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c"
)
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
DIGITS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Nd", "No")]
ID_NUMBER = "32010219400914338X"

FIXED = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-00",
    "2026-02-01T25:00:00",
    "2026-02-01T23:60:60",
    "2026-02-01T10:00:00+25:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "２０２６-０１-０１",
    "2026-0١-01",
    "32010219400914３３８4",
    "3201021940091433²X",
    "320102\u200b19400914338X",
    "\u202e32010219400914338X",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff\ud800",
    "\ufffe",
    "\U0010ffff",
    "\ufdd0",
    "1e400",
    "-1e400",
    "NaN",
    "-1",
    "0",
    "9" * 400,
    "x" * 20_000,
    "",
    " ",
    "%00",
    "../../etc/passwd",
    "'; DROP TABLE population_person; --",
]


@st.composite
def impossible_dates(draw):
    """``YYYY-MM-DD`` (optionally with a time and an offset) whose fields may lie outside the calendar."""
    text = f"{draw(st.integers(0, 99999)):04d}-{draw(st.integers(0, 99)):02d}-{draw(st.integers(0, 99)):02d}"
    if draw(st.booleans()):
        text += "T" + ":".join(f"{draw(st.integers(0, 99)):02d}" for _ in range(3))
        text += draw(st.sampled_from(["", "Z", "+08:00", "-23:59", "+99:99", ".9999999"]))
    return text


@st.composite
def foreign_digits(draw):
    """A real-looking code whose digits are partly written in another script (or as superscripts)."""
    base = draw(st.sampled_from([ID_NUMBER, "320102", "91320102MA1XXXXX0Y", "320102001001GB00001W00000000"]))
    chars = list(base)
    for position in draw(st.lists(st.integers(0, len(base) - 1), min_size=1, max_size=4)):
        chars[position] = draw(st.sampled_from(DIGITS) | st.sampled_from(SUPERSCRIPTS))
    return "".join(chars)


@st.composite
def with_marks(draw):
    """A code with bidirectional or zero-width marks inside it."""
    base = draw(st.sampled_from([ID_NUMBER, "320102", "2026-01-01", "1"]))
    position = draw(st.integers(0, len(base)))
    return base[:position] + draw(st.text(st.sampled_from(MARKS), min_size=1, max_size=3)) + base[position:]


def long_values():
    return st.builds(
        lambda char, n: char * n, st.sampled_from(["9", "中", "²", "\u200b", "a,"]), st.integers(300, 60_000)
    )


EDGE = st.one_of(
    st.sampled_from(FIXED),
    impossible_dates(),
    foreign_digits(),
    with_marks(),
    st.text(st.characters(categories=["Nd", "No", "Cs", "Cf", "Co", "Cn", "Zs"]), min_size=1, max_size=40),
    st.text(min_size=1, max_size=40),
    long_values(),
)

# -- the operations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple  # (location, name)
    body: str  # "", "object" or "rows"

    def __str__(self):
        return f"{self.method} {self.path}"


def _view_class(path):
    """The view class serving a path template (placeholders filled with a sample)."""
    try:
        match = resolve(path.replace("{", "").replace("}", "") if "{" not in path else _sample_path(path))
    except Resolver404:
        return None
    return getattr(match.func, "cls", None)


def _sample_path(path):
    return "/".join("x" if part.startswith("{") else part for part in path.split("/"))


def _body_properties(raw, operation):
    content = operation.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {}) if content else {}
    if "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {})), bool(content)


# Bodies the schema gives as a bare object, with the fields their views read.
OBJECT_BODIES = {
    "/api/v1/credit/repairs/": ["record", "applicant_name", "applicant_key", "reason"],
    "/api/v1/credit/repairs/{id}/decision/": ["approve", "decision_number", "reason", "effective_on"],
    "/api/v1/licences/licences/{key}/status/": ["action", "reason"],
    "/api/v1/geodata/divisions/intersects/": ["type", "coordinates"],
    "/api/v1/geodata/parcels/intersects/": ["type", "coordinates"],
    "/api/v1/geodata/resource-units/intersects/": ["type", "coordinates"],
}


def operations():
    """Every operation of the OpenAPI schema, with the parameters it declares or its view reads."""
    from hub.records.views import GovernedViewSet

    client = APIClient()
    raw = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content)
    found = []
    for path, item in sorted(raw["paths"].items()):
        for method, operation in sorted(item.items()):
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = [(p["in"], p["name"]) for p in operation.get("parameters", [])]
            properties, has_body = _body_properties(raw, operation)
            parameters += [("body", name) for name in properties or OBJECT_BODIES.get(path, [])]
            body = "object" if has_body else ""
            view = _view_class(path)
            if view is not None and issubclass(view, GovernedViewSet) and view.queryset is not None:
                model = view.queryset.model
                if method == "get" and path.count("{") == 0 and view.filterset_class:
                    parameters += [
                        ("query", name) for name in (*view.filterset_class.base_filters, "q", "ordering")
                    ]
                if has_body and not properties and path not in OBJECT_BODIES:  # verify, create
                    parameters += [("body", field.name) for field in model.item_fields()]
            if path == "/api/v1/ingest/{dataset}/":
                body = "rows"
                parameters += [("body", name) for name in gat_rows(1, seed=1)[0]]
            found.append(Operation(method.upper(), path, tuple(dict.fromkeys(parameters)), body))
    return found


def _pairs():
    """(operation, parameter) pairs, computed once the test database exists (see the fixture)."""
    return [(operation, parameter) for operation in OPERATIONS for parameter in operation.parameters]


# Read at collection, without a database (as test_schemathesis.py reads the schema)
OPERATIONS = operations()
PAIRS = _pairs()

# -- the system and the baseline values -----------------------------------------------------------


@pytest.fixture
def world(db):
    """Records to address and a provider system with a mix of grants on every dataset."""
    person = make_person()
    entity = make_entity()
    licence = issue_id_card(person)
    system = ConsumerSystem.objects.create(
        name="edge-fuzz", department=Department.objects.get(code="gat"), is_provider=True
    )
    modes = [Mode.SEARCH, Mode.LOOKUP, Mode.VERIFY, Mode.SEARCH, Mode.LOOKUP]
    for n, item in enumerate(DataItem.objects.order_by("code")):
        Grant.objects.create(system=system, item=item, mode=modes[n % len(modes)], masked=n % 7 == 3)
    _key, raw = ApiKey.issue(system)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    client.raise_request_exception = False  # a 500 is an answer to assert on, not an exception
    keys = {
        "population/persons": person.id_number,
        "credit/entities": entity.uscc,
        "credit/persons": person.id_number,
        "licences/licences": licence.identifier,
        "geodata/divisions": "320102",
        "subjects": person.id_number,
        "usage/subjects": person.id_number,
    }
    return client, keys


def baseline(operation, name, keys):
    """A valid value for a parameter that is not under test."""
    if name == "dataset":
        return "population.person"
    for prefix, key in keys.items():
        if f"/{prefix}/" in operation.path:
            return key
    return "1"


def encoded(value):
    """Text as a URL component: UTF-8, lone surrogates kept as their (invalid) bytes."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def as_header(value):
    """Text as a WSGI header value would arrive (bytes read as Latin-1)."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def call(client, operation, parameter, value, keys):
    location, name = parameter
    path = operation.path
    for part in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
        text = value if (location, name) == ("path", part) else baseline(operation, part, keys)
        path = path.replace("{" + part + "}", encoded(text))
    query = f"{encoded(name)}={encoded(value)}" if location == "query" else ""
    headers = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    if location == "header":
        headers["HTTP_" + name.upper().replace("-", "_")] = as_header(value)
    body = None
    if operation.body == "rows":
        row = gat_rows(1)[0]
        if location == "body":
            row[name] = value
        body = [row]
    elif operation.body or location == "body":
        body = {name: value} if location == "body" else {}
        if operation.path.endswith("/verify/") and name != "id_number":
            body.setdefault(keys_field(operation), baseline(operation, "key", keys))
    data = json.dumps(body).encode() if body is not None else None  # ensure_ascii: surrogates as \u escapes
    return client.generic(
        operation.method,
        path,
        data=data or b"",
        content_type="application/json",
        QUERY_STRING=query,
        **headers,
    )


def keys_field(operation):
    view = _view_class(operation.path)
    return view.queryset.model.catalogue_spec().natural_key


@pytest.mark.parametrize(("operation", "parameter"), PAIRS, ids=[f"{o} {p[0]}:{p[1]}" for o, p in PAIRS])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@given(value=EDGE)
def test_no_edge_string_in_any_parameter_gets_a_server_error(world, operation, parameter, value):
    client, keys = world
    response = call(client, operation, parameter, value, keys)
    assert response.status_code < 500, (str(operation), parameter, ascii(value)[:120], response.content[:300])
    if response.status_code == 400 and response.get("Content-Type", "").startswith("application/json"):
        payload = response.json()
        assert payload.get("detail") and payload.get("code"), payload


def test_the_schema_yields_every_governed_operation_and_its_parameters():
    """The sweep above covers what it claims: each library's endpoints, with filters and body items."""
    labels = {str(o) for o in OPERATIONS}
    for expected in (
        "GET /api/v1/population/persons/{key}/",
        "POST /api/v1/population/persons/verify/",
        "POST /api/v1/ingest/{dataset}/",
        "GET /api/v1/credit/entities/{key}/summary/",
        "POST /api/v1/credit/repairs/{id}/decision/",
        "POST /api/v1/geodata/parcels/intersects/",
        "GET /api/v1/subjects/{key}/",
    ):
        assert expected in labels
    by_label = {str(o): set(o.parameters) for o in OPERATIONS}
    assert ("query", "as_of") in by_label["GET /api/v1/licences/licences/{key}/"]
    assert ("query", "birth_date_after") in by_label["GET /api/v1/population/persons/"]
    assert ("body", "name") in by_label["POST /api/v1/population/persons/verify/"]
    assert ("body", "effective_on") in by_label["POST /api/v1/credit/repairs/{id}/decision/"]
    assert len(PAIRS) > 200
