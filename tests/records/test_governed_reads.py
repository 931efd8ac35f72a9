"""The governed read path's rules: masked items are for display only, cursors are sealed, filters declare
what they read. Each rule is tested on the population library through the REST API, on PostgreSQL in CI
(and on SQLite), including the ways a caller would try to get around it."""

import base64
import datetime
import random

import django_filters
import pytest
from django.db.models import Q

from hub.access.models import AuditEntry
from hub.api.pagination import order_expressions
from hub.records import context
from hub.records.checks import filters_declare_what_they_read
from hub.records.filters import GovernedFilterSet, undeclared_reads
from licences.filtersets import LicenceFilterSet
from licences.models import Licence
from population.models import Person
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db

URL = "/api/v1/population/persons/"
P = "population.person"


def grants(*specs):
    """``("name", "search", True)`` → item codes of the population dataset."""
    return [(f"{P}.{field}", mode, masked) for field, mode, masked in specs]


def last_audit():
    return AuditEntry.objects.order_by("-id").first()


def walk(client, params, *, start=None, direction="next"):
    """Every page of a search, following the cursor links to the end: ``([keys of each page], last body)``."""
    pages = []
    response = client.get(start) if start else client.get(URL, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id_number"] for row in body["results"]])
        assert len(pages) < 200
        link = body[direction]
        if link is None:
            return pages, body
        response = client.get(link)


# -- a masked grant is for display only ------------------------------------------------------------


@pytest.mark.parametrize(
    "params,item",
    [
        ({"name": "丁兰杰"}, "name"),
        ({"birth_date_after": "1990-01-01"}, "birth_date"),
        ({"birth_date_before": "1990-01-01"}, "birth_date"),
        ({"birth_date": "1990-01-01"}, "birth_date"),
        ({"ordering": "name"}, "name"),
        ({"ordering": "-birth_date"}, "birth_date"),
        ({"household_division_prefix": "3201"}, "household_division"),
    ],
)
def test_a_masked_search_grant_cannot_filter_or_order(params, item):
    person = make_person()
    _s, client = make_system(
        grants=grants(
            ("id_number", "search", False),
            ("name", "search", True),
            ("birth_date", "search", True),
            ("household_division", "search", True),
        )
    )
    shown = client.get(URL, {"id_number": person.id_number})
    assert shown.status_code == 200 and shown.json()["results"][0]["name"] == person.name[0] + "**"
    response = client.get(URL, {"id_number": person.id_number, **params})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "masked_item" and f"{P}.{item}" in body["detail"]
    assert person.name not in response.content.decode()
    row = last_audit()
    assert row.status == 400 and row.items == [] and row.result_count == 0


def test_q_searches_only_items_held_unmasked():
    target = make_person(name="侯明洋")
    make_person(name="侯明远")
    masked = make_system(grants=grants(("id_number", "search", False), ("name", "search", True)))[1]
    refused = masked.get(URL, {"q": "明洋"})
    assert refused.status_code == 400 and refused.json()["code"] == "parameter_not_granted"
    # With an address in the clear, q searches the address only: the masked name's hidden
    # characters never decide whether a record is listed.
    mixed = make_system(
        grants=grants(
            ("id_number", "search", False), ("name", "search", True), ("household_address", "search", False)
        )
    )[1]
    assert mixed.get(URL, {"q": "明洋"}).json()["results"] == []
    clear = make_system(grants=grants(("id_number", "search", False), ("name", "search", False)))[1]
    assert [r["id_number"] for r in clear.get(URL, {"q": "明洋"}).json()["results"]] == [target.id_number]


def test_verify_refuses_a_masked_item_even_in_a_batch():
    person = make_person()
    _s, client = make_system(grants=grants(("birth_date", "lookup", True), ("name", "verify", False)))
    day = datetime.date(person.birth_date.year, 1, 1)
    candidates = [
        {"id_number": person.id_number, "birth_date": (day + datetime.timedelta(days=n)).isoformat()}
        for n in range(366)
    ]
    response = client.post(f"{URL}verify/", candidates, format="json")
    assert response.status_code == 400 and response.json()["code"] == "masked_item"
    assert f"{P}.birth_date" in response.json()["detail"] and "match" not in response.content.decode()
    assert last_audit().status == 400
    # an unmasked verify grant on the same item does allow the comparison
    ok = client.post(f"{URL}verify/", {"id_number": person.id_number, "name": person.name}, format="json")
    assert ok.status_code == 200 and ok.json() == {"match": True, "items": {"name": True}}


def test_masked_names_hide_their_length():
    short, long_ = make_person(name="王伟"), make_person(name="欧阳明华")
    _s, client = make_system(grants=grants(("name", "lookup", True)))
    assert client.get(f"{URL}{short.id_number}/").json() == {"name": "王**"}
    assert client.get(f"{URL}{long_.id_number}/").json() == {"name": "欧**"}


def test_history_does_not_show_a_change_of_hidden_characters_only():
    person = make_person(name="丁兰杰")
    with context.writing("gat", reason="spelling"):
        person.name = "丁美玲"
        person.save()
    with context.writing("gat", reason="move"):
        person.household_address = "南京市玄武区珠江路1号"
        person.save()
    masked = make_system(grants=grants(("name", "lookup", True)))[1]
    versions = masked.get(f"{URL}{person.id_number}/history/").json()["results"]
    assert [v["changes"] for v in versions] == [{"name": {"old": None, "new": "丁**"}}]
    clear = make_system(grants=grants(("name", "lookup", False)))[1]
    versions = clear.get(f"{URL}{person.id_number}/history/").json()["results"]
    assert versions[0]["changes"] == {"name": {"old": "丁兰杰", "new": "丁美玲"}}


# -- cursors ---------------------------------------------------------------------------------------


@pytest.fixture
def persons():
    rng = random.Random(7)
    people = [make_person() for _ in range(23)]
    for person in rng.sample(people, 6):  # ties and NULLs in the ordering field
        with context.writing("mzt", reason="test"):
            person.marital_status = rng.choice(["20", ""])
            person.save()
    return people


@pytest.mark.parametrize(
    "ordering",
    ["name", "-name", "birth_date", "-birth_date", "marital_status", "-marital_status", "-id_number"],
)
def test_following_every_cursor_lists_each_record_once_in_order(persons, ordering):
    fields = ("id_number", "name", "birth_date", "marital_status")
    _s, client = make_system(grants=grants(*[(f, "search", False) for f in fields]))
    pages, last = walk(client, {"ordering": ordering, "page_size": 4})
    forward = [key for page in pages for key in page]
    expected = list(
        Person.objects.order_by(*order_expressions([ordering, "id"])).values_list("id_number", flat=True)
    )
    assert forward == expected and len(expected) == len(persons)
    # back from the last page through the previous links: the same pages, in reverse
    back, _ = walk(client, {}, start=last["previous"], direction="previous")
    assert [key for page in reversed(back) for key in page] + pages[-1] == forward


def _cursor(link):
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(link).query)["cursor"][0]


def test_a_cursor_carries_no_record_value(persons):
    _s, client = make_system(grants=grants(("id_number", "search", False), ("name", "search", False)))
    body = client.get(URL, {"ordering": "name", "page_size": 1}).json()
    token = _cursor(body["next"])
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    names = {p.name for p in persons} | {p.id_number for p in persons}
    assert not any(name.encode() in raw or name in token for name in names)
    assert b"p=" not in raw and b"o=" not in raw


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: base64.b64encode(b"p=x&o=5").decode(),
        lambda token: base64.b64encode(b"o=99999999999999999999&r=1").decode(),
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        lambda token: token[: len(token) // 2],
        lambda token: "%%%not-base64%%%",
        lambda token: "A" * 5000,
        lambda token: "",
    ],
)
def test_a_forged_or_altered_cursor_is_a_400_with_its_audit_row(persons, forge):
    system, client = make_system(grants=grants(("id_number", "search", False), ("name", "search", False)))
    token = _cursor(client.get(URL, {"ordering": "name", "page_size": 2}).json()["next"])
    response = client.get(URL, {"ordering": "name", "page_size": 2, "cursor": forge(token)})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_cursor" and "cursor" in response.json()["detail"]
    row = last_audit()
    assert row.status == 400 and row.system_id == system.pk and row.result_count == 0


def test_a_cursor_works_only_for_its_system_and_its_query(persons):
    fields = grants(("id_number", "search", False), ("name", "search", False), ("gender", "search", False))
    _a, alice = make_system(grants=fields)
    _b, bob = make_system(grants=fields)
    link = alice.get(URL, {"ordering": "name", "page_size": 2}).json()["next"]
    assert alice.get(link).status_code == 200
    assert bob.get(link).status_code == 400
    token = _cursor(link)
    assert alice.get(URL, {"ordering": "-name", "page_size": 2, "cursor": token}).status_code == 400
    assert (
        alice.get(URL, {"ordering": "name", "gender": "1", "page_size": 2, "cursor": token}).status_code
        == 400
    )
    # the page size may change between pages
    assert alice.get(URL, {"ordering": "name", "page_size": 5, "cursor": token}).status_code == 200


def test_the_same_position_gives_the_same_cursor(persons):
    _s, client = make_system(grants=grants(("id_number", "search", False), ("name", "search", False)))
    first = client.get(URL, {"ordering": "name", "page_size": 3}).json()["next"]
    again = client.get(URL, {"ordering": "name", "page_size": 3}).json()["next"]
    assert first == again


# -- filters declare every item they read ----------------------------------------------------------


def test_the_start_up_check_passes_for_the_served_filtersets():
    assert filters_declare_what_they_read(None) == []


def test_a_filter_method_reading_an_undeclared_item_is_found():
    class Leaky(GovernedFilterSet):
        valid_on = django_filters.DateFilter(field_name="valid_to", method="by_day")

        class Meta:
            model = Licence
            fields = ["identifier"]

        def by_day(self, queryset, name, value):
            return queryset.filter(valid_from__lte=value).filter(Q(valid_to__gte=value) | Q(valid_to=None))

    assert undeclared_reads(Leaky, Licence.objects.all()) == {"valid_on": ["valid_from"]}
    Leaky.reads = {"valid_on": ("valid_from", "valid_to")}
    assert undeclared_reads(Leaky, Licence.objects.all()) == {}
    assert undeclared_reads(LicenceFilterSet, Licence.objects.all()) == {}


def test_the_schema_names_the_items_each_filter_needs(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/licences/licences/"]["get"]["parameters"]}
    assert "valid_from" in parameters["valid_on"]["description"]
    assert "valid_to" in parameters["valid_on"]["description"]
    assert {"q", "ordering", "cursor", "page_size"} <= set(parameters)


@pytest.mark.parametrize("size", ["0", "-1", "x", "１０", "²", "1e3", ""])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400(size):
    _s, client = make_system(grants=grants(("id_number", "search", False)))
    response = client.get(URL, {"page_size": size})
    assert response.status_code == 400 and response.json()["code"] == "invalid_page_size"
    assert "page_size" in response.json()["detail"]


def test_a_huge_page_size_is_capped_not_a_500():
    make_person()
    _s, client = make_system(grants=grants(("id_number", "search", False)))
    for size in ("9" * 5000, "0" * 4999 + "5", "1001"):
        response = client.get(URL, {"page_size": size})
        assert response.status_code == 200, size[:8]


def test_a_cursors_length_does_not_tell_the_size_of_its_position():
    from django.test import RequestFactory

    from hub.records import cursors

    request = RequestFactory().get(URL)
    request.query_params = request.GET
    bound = cursors.binding(request)
    lengths = {
        len(cursors.seal({"d": "n", "v": [position]}, bound)) for position in (7, 70_000, 7_000_000_000)
    }
    assert len(lengths) == 1
