"""Dates, times, geometries and text from a caller are parsed strictly: a 400 naming the field, never a 500.

Each case here answered 500 before: Django's date parser raises ValueError on
a date that does not exist, shapely on positions of mixed length, the
database driver on a lone surrogate.
"""

import datetime
import json

import pytest

from credit.choices import add_months
from credit.models import RepairApplication
from hub.api import dates
from hub.records.text import forbidden_character, forbidden_in
from population.models import Person
from tests.credit.factories import make_entity, make_record
from tests.factories import make_person, make_system
from tests.licences.helpers import issue_id_card
from tests.records.ingest_helpers import as_json, gat_rows, post

pytestmark = pytest.mark.django_db

IMPOSSIBLE = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2025-02-29",
    "2026-02-01T25:00:00",
    "2026-02-01T23:60:00",
    "2026-02-01T23:59:60",
    "2026-02-01T10:00:00+25:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "２０２６-01-01",
    "2026-0١-01",
    "2026-01-01T10:00\u200b",
    "\u200f2026-01-01",
    "2026-01-01\n",
    "2026-1-1",
]


@pytest.fixture
def reader(db):
    person = make_person()
    licence = issue_id_card(person)
    entity = make_entity()
    _system, client = make_system(
        grants=[
            ("population.person.name", "lookup", False),
            ("licences.licence.status", "lookup", False),
            ("credit.summary.subject_key", "lookup", False),
        ]
    )
    client.raise_request_exception = False
    urls = [
        f"/api/v1/population/persons/{person.id_number}/",
        f"/api/v1/licences/licences/{licence.identifier}/",
        f"/api/v1/credit/entities/{entity.uscc}/summary/",
    ]
    return client, urls


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_as_of_that_is_no_real_instant_is_a_400_naming_it(reader, value):
    client, urls = reader
    for url in urls:
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400, (url, value, response.content[:200])
        assert response.json()["code"] == "invalid_as_of"
        assert "as_of" in response.json()["detail"]


@pytest.mark.parametrize(
    "form", ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S+08:00", "%Y-%m-%dT%H:%MZ"]
)
def test_as_of_in_every_documented_form_still_answers(reader, form):
    client, urls = reader
    value = (datetime.datetime.now() + datetime.timedelta(days=1)).strftime(form)
    for url in urls:
        assert client.get(url, {"as_of": value}).status_code == 200, (url, value)


def test_a_bare_date_is_the_end_of_that_day_and_a_naive_time_is_local():
    end = dates.parse_instant("2026-02-28", "as_of")
    assert (end.hour, end.minute, end.date()) == (23, 59, datetime.date(2026, 2, 28))
    assert end.utcoffset() == datetime.timedelta(hours=8)
    assert dates.parse_instant("2026-02-28T10:00", "as_of").utcoffset() == datetime.timedelta(hours=8)
    assert dates.parse_instant("2026-02-28T10:00Z", "as_of").utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-13-01", "２０２６-01-01", "2026-2-3", 20260203, ["x"], True]
)
def test_strict_dates_refuse_what_does_not_exist_or_is_not_ascii(value):
    with pytest.raises(dates.InvalidDate) as caught:
        dates.parse_date(value, "effective_on")
    assert "effective_on" in caught.value.message


# -- a credit repair decision ---------------------------------------------------------------------


@pytest.fixture
def pending_repair(db):
    entity = make_entity()
    record = make_record("penalty", entity.uscc, "swj", decision_date=add_months(datetime.date.today(), -6))
    _s, tax = make_system(department="swj", provider=True)
    _s, market = make_system(department="scjgj", provider=True)
    body = {"record": str(record.record_id), "applicant_name": entity.name, "applicant_key": entity.uscc}
    created = tax.post("/api/v1/credit/repairs/", {**body, "reason": "r"}, format="json")
    assert created.status_code == 201
    return created.json()["id"], tax, market


@pytest.mark.parametrize("effective", ["2026-02-30", "2026-13-01", "２０２６-01-01", "tomorrow", 7])
def test_a_repair_decision_with_an_impossible_date_is_a_400_naming_it(pending_repair, effective):
    number, tax, market = pending_repair
    for client in (tax, market):
        client.raise_request_exception = False
        response = client.post(
            f"/api/v1/credit/repairs/{number}/decision/",
            {"approve": True, "decision_number": "n", "effective_on": effective},
            format="json",
        )
        assert response.status_code == 400, response.content[:200]
        assert "effective_on" in response.json()["errors"]
    assert RepairApplication.objects.get(pk=number).status == "pending"


def test_a_valid_date_keeps_the_authority_check(pending_repair):
    number, tax, market = pending_repair
    decision = {"approve": True, "decision_number": "n", "effective_on": datetime.date.today().isoformat()}
    assert (
        market.post(f"/api/v1/credit/repairs/{number}/decision/", decision, format="json").status_code == 403
    )
    done = tax.post(f"/api/v1/credit/repairs/{number}/decision/", decision, format="json")
    assert done.status_code == 200 and done.json()["effective_on"] == decision["effective_on"]


@pytest.mark.parametrize("pk", ["²", "٣", "9" * 40])
def test_a_repair_number_in_other_digits_is_not_found(pending_repair, pk):
    _number, tax, _market = pending_repair
    tax.raise_request_exception = False
    assert (
        tax.post(f"/api/v1/credit/repairs/{pk}/decision/", {"approve": True}, format="json").status_code
        == 404
    )
    assert tax.get(f"/api/v1/credit/repairs/{pk}/").status_code == 404


# -- text JSON can spell but nothing can hold ----------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\ud800", "\udfff", "\ufffe", "\uffff", "\ufdd0", "\U0010ffff"])
def test_forbidden_characters_are_found_with_their_path(char):
    assert forbidden_character(f"ab{char}") == f"U+{ord(char):04X}"
    assert forbidden_in({"rows": [{"name": "ok"}, {"name": f"x{char}"}]}) == (
        "rows[1].name",
        f"U+{ord(char):04X}",
    )
    assert forbidden_in({f"k{char}": 1})[1] == f"U+{ord(char):04X}"


@pytest.mark.parametrize(
    "text", ["王小明", "O'Brien", "\u200f\u05e9\u05dc\u05d5\u05dd", "a\u200bb", "😀", "\u00b2"]
)
def test_ordinary_unicode_is_not_forbidden(text):
    assert forbidden_character(text) is None


@pytest.mark.parametrize("escape", ["\\ud800", "\\udc00", "\\u0000", "\\uffff", "\\ufdd0"])
def test_a_json_body_spelling_unstorable_text_is_a_400_naming_the_field(escape):
    person = make_person()
    _s, client = make_system(grants=[("population.person.name", "verify", False)])
    body = '{"id_number": "%s", "name": "x%s"}' % (person.id_number, escape)  # noqa: UP031
    response = client.generic(
        "POST", "/api/v1/population/persons/verify/", body.encode(), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:200]
    assert "name" in response.json()["detail"]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udbff\\u0041", "\\u0000", "\\ufffe"])
@pytest.mark.parametrize("where", ["key", "value"])
def test_an_ingest_row_spelling_unstorable_text_is_refused_naming_row_and_field(escape, where):
    _s, gat = make_system(department="gat", provider=True)
    row = gat_rows(1)[0]
    text = json.dumps([row], ensure_ascii=False)
    if where == "key":
        text = text.replace(row["id_number"], row["id_number"][:17] + escape, 1)
    else:
        text = text.replace(json.dumps(row["name"], ensure_ascii=False), f'"{escape}"', 1)
    for content_type, body in (
        ("application/json", text),
        ("application/x-ndjson", text.strip()[1:-1] + "\n"),
    ):
        response = post(gat, body.encode(), content_type=content_type)
        assert response.status_code == 400, response.content[:300]
        detail = response.json()["detail"]
        assert "Row 1" in detail and ("id_number" if where == "key" else "name") in detail
    assert Person.objects.count() == 0
    assert post(gat, as_json([row])).json()["created"] == 1  # the same row without it is fine


# -- geometries and coordinates --------------------------------------------------------------------


@pytest.fixture
def spatial(db):
    from geodata.demo import load_divisions
    from tests.geodata.helpers import make_parcel, square

    load_divisions()
    parcel = make_parcel()
    _s, client = make_system(
        grants=[("geodata.parcel.unit_number", "search", False), ("geodata.parcel.geometry", "search", False)]
    )
    client.raise_request_exception = False
    return client, parcel, square(118.80, 32.05)["coordinates"][0]


def test_positions_of_mixed_length_are_read_in_two_dimensions(spatial):
    client, parcel, ring = spatial
    url = "/api/v1/geodata/parcels/intersects/"
    for first in ([*ring[0], 12.5], [*ring[0], "x", {}], [*ring[0], None]):
        response = client.post(url, {"type": "Polygon", "coordinates": [[first, *ring[1:]]]}, format="json")
        assert response.status_code == 200, response.content[:300]
        assert [f["id"] for f in response.json()["features"]] == [parcel.unit_number]


@pytest.mark.parametrize(
    "coordinates",
    [
        [[[1e308, 1e308], [-1e308, 1e308], [-1e308, -1e308], [1e308, 1e308]]],
        [[[10**400, 32], [119, 32], [119, 33], [10**400, 32]]],
        [[["118", "32"], ["119", "32"], ["119", "33"], ["118", "32"]]],
        [[[118, 32], [119], [119, 33], [118, 32]]],
        [[[True, False], [1, 2], [1, 3], [True, False]]],
        [[]],
        [],
        "x",
    ],
)
def test_geometries_that_are_no_polygon_in_the_province_are_a_400_naming_geometry(spatial, coordinates):
    client, _parcel, _ring = spatial
    body = {"type": "Polygon", "coordinates": coordinates}
    response = client.post("/api/v1/geodata/parcels/intersects/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert "geometry" in response.json()["errors"]


@pytest.mark.parametrize("bbox", ["１１８,32,119,33", "118,32,119,3٣", "118,32,119,33\u200b", "1e400,1,2,3"])
def test_a_bbox_in_other_digits_is_a_400_naming_it(spatial, bbox):
    client, _parcel, _ring = spatial
    response = client.get("/api/v1/geodata/parcels/", {"bbox": bbox})
    assert response.status_code == 400 and "bbox" in response.json()["errors"]
    assert client.get("/api/v1/geodata/parcels/", {"bbox": "118.7,32,118.9,32.1"}).status_code == 200


@pytest.mark.parametrize("value", ["1e400", "NaN", "Infinity", "9" * 400, "１０"])
def test_numbers_at_their_limits_are_a_400_naming_the_filter(db, value):
    _s, client = make_system(grants=[("geodata.parcel.area", "search", False)])
    response = client.get("/api/v1/geodata/parcels/", {"area_min": value})
    assert response.status_code == 400, response.content[:300]
    assert "area_min" in response.json()["errors"]
