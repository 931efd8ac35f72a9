"""The geodata datasets through the governed-API test base, plus the spatial actions."""

import pytest

from geodata.models import Division
from hub.access.models import AuditEntry
from hub.records import context
from tests.factories import make_system
from tests.governed import GovernedAPITests

from .helpers import make_address, make_parcel, square


@pytest.mark.django_db
class TestDivisionAPI(GovernedAPITests):
    dataset = "geodata.division"
    url = "/api/v1/geodata/divisions/"
    shown_item = "name"
    hidden_item = "level"
    masked_item = "name"
    search_text_item = "name"

    def make_record(self):
        with context.writing("mzt", reason="test"):
            division = Division(code="320000", name="江苏省", level="province")
            division.save()
        return division

    def missing_key(self, record):
        return "110000"

    def change(self, record):
        with context.writing("mzt", reason="renamed"):
            record.name = "江苏"
            record.save()
        return "name", "江苏省", "江苏"

    def test_masked_grant_masks_by_the_catalogue_rule(self):
        pytest.skip("division items are public: none is masked")


@pytest.mark.django_db
class TestAddressAPI(GovernedAPITests):
    dataset = "geodata.address"
    url = "/api/v1/geodata/addresses/"
    shown_item = "full_address"
    hidden_item = "division_code"
    masked_item = "full_address"
    search_text_item = "full_address"

    def make_record(self):
        return make_address()

    def missing_key(self, record):
        return "3201029999999999"

    def change(self, record):
        old = record.full_address
        with context.writing("gat", reason="renumbered"):
            record.full_address = "江苏省南京市玄武区中山路102号"
            record.save()
        return "full_address", old, "江苏省南京市玄武区中山路102号"


@pytest.mark.django_db
class TestParcelAPI(GovernedAPITests):
    dataset = "geodata.parcel"
    url = "/api/v1/geodata/parcels/"
    shown_item = "land_use"
    hidden_item = "right_type"
    masked_item = "unit_number"

    def make_record(self):
        return make_parcel()

    def missing_key(self, record):
        return "320102001001GB99999W00000000"

    def change(self, record):
        with context.writing("zrzyt", reason="reclassified"):
            record.land_use = "0702"
            record.save()
        return "land_use", "0701", "0702"


@pytest.mark.django_db
class TestPlaceNameAPI(GovernedAPITests):
    dataset = "geodata.place_name"
    url = "/api/v1/geodata/place-names/"
    shown_item = "name"
    hidden_item = "category"
    masked_item = "name"
    search_text_item = "name"

    def make_record(self):
        from geodata.models import PlaceName

        with context.writing("mzt", reason="test"):
            place = PlaceName(
                place_code="320102P0000001",
                name="玄武湖",
                category="water",
                division_code="320102",
                lon=118.79,
                lat=32.07,
            )
            place.save()
        return place

    def missing_key(self, record):
        return "320102P9999999"

    def change(self, record):
        with context.writing("mzt", reason="renamed"):
            record.name = "玄武湖公园"
            record.save()
        return "name", "玄武湖", "玄武湖公园"

    def test_masked_grant_masks_by_the_catalogue_rule(self):
        pytest.skip("place names are public: none is masked")


@pytest.mark.django_db
class TestResourceUnitAPI(GovernedAPITests):
    dataset = "geodata.resource_unit"
    url = "/api/v1/geodata/resource-units/"
    shown_item = "name"
    hidden_item = "resource_type"
    masked_item = "name"
    search_text_item = "name"

    def make_record(self):
        from geodata import geometry as geo
        from geodata.models import ResourceUnit

        shape = square(118.80, 32.05, size=0.01)
        with context.writing("zrzyt", reason="test"):
            unit = ResourceUnit(
                unit_code="ZY3201020001",
                name="玄武湖水域",
                resource_type="water",
                division_code="320102",
                area=round(geo.geodesic_area(geo.parse(shape)), 2),
                geometry=shape,
            )
            unit.save()
        return unit

    def missing_key(self, record):
        return "ZY3201029999"

    def change(self, record):
        with context.writing("zrzyt", reason="reclassified"):
            record.resource_type = "wetland"
            record.save()
        return "resource_type", "water", "wetland"

    def test_masked_grant_masks_by_the_catalogue_rule(self):
        pytest.skip("resource units are public: none is masked")


# What finding the divisions around a point reads (each needs its search grant in the clear).
LOCATE = ("geometry", "code", "level", "parent_code", "valid_until")


def geo_client(dataset, *fields, mode="search"):
    _system, client = make_system(grants=[(f"geodata.{dataset}.{f}", mode, False) for f in fields])
    return client


# -- locate ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_locate_returns_the_chain_as_geojson_with_granted_properties(loaded_divisions):
    client = geo_client("division", "name", *LOCATE)
    response = client.get("/api/v1/geodata/divisions/locate/", {"lon": 118.796, "lat": 32.060})
    assert response.status_code == 200
    payload = response.json()
    assert payload["type"] == "FeatureCollection" and payload["on_border"] is False
    assert [f["id"] for f in payload["features"]] == ["320102", "320100", "320000"]
    properties = payload["features"][0]["properties"]
    assert {k: properties[k] for k in ("code", "name")} == {"code": "320102", "name": "玄武区"}
    assert "boundary_source" not in properties
    assert payload["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.mode == "search" and entry.result_count == 3 and entry.dataset == "geodata.division"
    assert entry.subject_keys == ["320102", "320100", "320000"]
    assert "geodata.division.geometry" in entry.items


@pytest.mark.django_db
def test_locate_on_a_border_reports_both_divisions(loaded_divisions):
    client = geo_client("division", *LOCATE)
    payload = client.get(
        "/api/v1/geodata/divisions/locate/", {"lon": 118.125, "lat": 32.0, "geometry": "false"}
    ).json()
    assert payload["on_border"] is True and payload["matches"] == ["320102", "320113"]
    assert payload["features"][0]["geometry"] is None
    assert "geodata.division.geometry" not in AuditEntry.objects.order_by("-id").first().items


@pytest.mark.django_db
def test_locate_needs_the_geometry_item_in_search_mode(loaded_divisions):
    for client in (geo_client("division", "code", "name"), geo_client("division", "geometry", mode="lookup")):
        response = client.get("/api/v1/geodata/divisions/locate/", {"lon": 118.796, "lat": 32.060})
        assert response.status_code == 403
        assert "玄武区" not in response.content.decode()


@pytest.mark.django_db
def test_locate_needs_every_item_it_reads(loaded_divisions):
    """Which divisions are in force, and the chain up, are read from these items: each needs its grant."""
    for missing in LOCATE[1:]:
        client = geo_client("division", *[f for f in LOCATE if f != missing])
        response = client.get("/api/v1/geodata/divisions/locate/", {"lon": 118.796, "lat": 32.060})
        assert response.status_code == 400 and f"geodata.division.{missing}" in response.json()["detail"]
        assert "玄武区" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"lon": 32.06, "lat": 118.796}, "swapped"),
        ({"lon": 125.0, "lat": 32.0}, "outside"),
        ({"lon": "x", "lat": 32.0}, "numbers"),
        ({"lon": 118.8}, "required"),
        ({"lon": 118.8, "lat": 32.0, "radius": 5}, "radius"),
    ],
)
def test_locate_bad_input_is_400_naming_the_problem(loaded_divisions, params, fragment):
    client = geo_client("division", *LOCATE)
    response = client.get("/api/v1/geodata/divisions/locate/", params)
    assert response.status_code == 400
    assert fragment in response.content.decode()


@pytest.mark.django_db
def test_locate_outside_every_division_is_an_empty_collection(db):
    client = geo_client("division", *LOCATE)
    payload = client.get("/api/v1/geodata/divisions/locate/", {"lon": 118.8, "lat": 32.0}).json()
    assert payload["features"] == [] and payload["on_border"] is False


# -- tree and lineage ------------------------------------------------------------------


@pytest.mark.django_db
def test_tree_nests_granted_items_and_hides_retired_codes(loaded_divisions):
    client = geo_client("division", "code", "name", "parent_code", "valid_until")
    response = client.get("/api/v1/geodata/divisions/tree/", {"depth": 2})
    assert response.status_code == 200
    tree = response.json()
    assert tree["code"] == "320000" and len(tree["children"]) == 13
    nanjing = tree["children"][0]
    assert nanjing == {**nanjing, "code": "320100", "name": "南京市"}
    assert [c["code"] for c in nanjing["children"]][:3] == ["320102", "320104", "320105"]
    assert "320103" not in response.content.decode()
    assert set(nanjing["children"][0]) == {"code", "name", "parent_code", "valid_until"}  # depth 2: counties
    retired = client.get("/api/v1/geodata/divisions/tree/", {"root": "320100", "include_retired": "true"})
    assert "320103" in [c["code"] for c in retired.json()["children"]]
    # the tree is built from parents and (without retired codes) end dates: each needs its grant
    no_end = geo_client("division", "code", "name", "parent_code").get("/api/v1/geodata/divisions/tree/")
    assert no_end.status_code == 400 and "geodata.division.valid_until" in no_end.json()["detail"]
    assert client.get("/api/v1/geodata/divisions/tree/", {"depth": 9}).status_code == 400
    assert client.get("/api/v1/geodata/divisions/tree/", {"root": "999999"}).status_code == 404
    assert (
        geo_client("division", "code", mode="lookup").get("/api/v1/geodata/divisions/tree/").status_code
        == 403
    )


@pytest.mark.django_db
def test_lineage_of_a_retired_code(loaded_divisions):
    client = geo_client("division", "code", "name", "valid_until", "successor_codes", mode="lookup")
    payload = client.get("/api/v1/geodata/divisions/322123/lineage/").json()
    assert payload["current"] is False
    assert [s["code"] for s in payload["successors"]] == ["320323", "320312"]
    assert payload["current_successors"] == ["320312"]
    qinhuai = client.get("/api/v1/geodata/divisions/320104/lineage/").json()
    assert qinhuai["current"] is True
    assert [p["code"] for p in qinhuai["predecessors"]] == ["320103"]
    assert client.get("/api/v1/geodata/divisions/999999/lineage/").status_code == 404
    partial = geo_client("division", "code", "name", mode="lookup")
    assert partial.get("/api/v1/geodata/divisions/320104/lineage/").status_code == 403


# -- bbox and intersects ----------------------------------------------------------------


def make_grid_of_parcels():
    """Nine ~100 m squares on a 0.002° grid near 118.80, 32.05."""
    parcels = []
    for k in range(9):
        lon, lat = 118.80 + (k % 3) * 0.002, 32.05 + (k // 3) * 0.002
        parcels.append(make_parcel(f"320102001001GB{k + 1:05d}W00000000", geometry=square(lon, lat)))
    return parcels


@pytest.mark.django_db
def test_bbox_returns_exactly_the_intersecting_parcels():
    make_grid_of_parcels()
    client = geo_client("parcel", "unit_number", "land_use", "geometry")
    response = client.get("/api/v1/geodata/parcels/", {"bbox": "118.7995,32.0495,118.8025,32.0515"})
    assert response.status_code == 200
    payload = response.json()
    assert payload["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in payload["features"]) == [
        "320102001001GB00001W00000000",
        "320102001001GB00002W00000000",
    ]
    assert payload["features"][0]["properties"].keys() == {"unit_number", "land_use"}
    assert payload["next"] is None
    assert payload["prefilter"]["candidates"] >= 2


@pytest.mark.django_db
def test_bbox_combines_with_granted_filters_and_pages():
    make_grid_of_parcels()
    client = geo_client("parcel", "unit_number", "land_use", "geometry")
    everything = "118.79,32.04,118.82,32.06"
    first = client.get("/api/v1/geodata/parcels/", {"bbox": everything, "page_size": 4}).json()
    assert len(first["features"]) == 4 and first["next"]
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    ids = [f["id"] for page in (first, second, third) for f in page["features"]]
    assert len(ids) == len(set(ids)) == 9 and third["next"] is None
    filtered = client.get("/api/v1/geodata/parcels/", {"bbox": everything, "land_use": "0702"}).json()
    assert filtered["features"] == []
    refused = client.get("/api/v1/geodata/parcels/", {"bbox": everything, "right_type": "homestead_use"})
    assert refused.status_code == 400 and "right_type" in refused.json()["detail"]


@pytest.mark.django_db
def test_bbox_masks_and_withholds_as_granted():
    make_grid_of_parcels()
    _system, masked = make_system(
        grants=[("geodata.parcel.unit_number", "search", True), ("geodata.parcel.geometry", "search", False)]
    )
    payload = masked.get("/api/v1/geodata/parcels/", {"bbox": "118.7995,32.0495,118.8005,32.0505"}).json()
    assert payload["features"][0]["properties"]["unit_number"] == "320102" + "*" * 20 + "00"
    no_geometry = geo_client("parcel", "unit_number", "land_use")
    response = no_geometry.get("/api/v1/geodata/parcels/", {"bbox": "118.7995,32.0495,118.8005,32.0505"})
    assert response.status_code == 403 and "geodata.parcel.geometry" in response.json()["detail"]
    lookup_only = geo_client("parcel", "unit_number", "geometry", mode="lookup")
    record = lookup_only.get("/api/v1/geodata/parcels/320102001001GB00001W00000000/").json()
    assert set(record) == {"unit_number", "geometry"} and record["geometry"]["type"] == "Polygon"
    name_only = geo_client("parcel", "land_use", mode="lookup")
    assert "geometry" not in name_only.get("/api/v1/geodata/parcels/320102001001GB00001W00000000/").json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bbox, fragment",
    [("1,2,3", "four numbers"), ("32.0,118.7,32.1,118.8", "latitude,longitude"), ("119,32,118,33", "below")],
)
def test_bad_bbox_is_400(bbox, fragment):
    client = geo_client("parcel", "unit_number", "geometry")
    response = client.get("/api/v1/geodata/parcels/", {"bbox": bbox})
    assert response.status_code == 400 and fragment in response.content.decode()


@pytest.mark.django_db
def test_intersects_takes_a_polygon_and_refuses_a_bad_one():
    make_grid_of_parcels()
    client = geo_client("parcel", "unit_number", "geometry")
    triangle = {
        "type": "Polygon",
        "coordinates": [[[118.7995, 32.0495], [118.8055, 32.0495], [118.7995, 32.0555], [118.7995, 32.0495]]],
    }
    response = client.post("/api/v1/geodata/parcels/intersects/", triangle, format="json")
    assert response.status_code == 200
    ids = sorted(f["id"][14:19] for f in response.json()["features"])
    # The triangle's hypotenuse runs from (118.8055, 32.0495) to (118.7995, 32.0555): it reaches
    # parcels 1, 2, 3 (bottom row), 4, 5 (middle) and 7 (top-left), not 6, 8 or 9.
    assert ids == ["00001", "00002", "00003", "00004", "00005", "00007"]
    feature = {"type": "Feature", "geometry": triangle, "properties": {}}
    assert client.post("/api/v1/geodata/parcels/intersects/", feature, format="json").status_code == 200
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[118.80, 32.05], [118.81, 32.06], [118.81, 32.05], [118.80, 32.06], [118.80, 32.05]]
        ],
    }
    bad = client.post("/api/v1/geodata/parcels/intersects/", bowtie, format="json")
    assert bad.status_code == 400 and "Self-intersection" in bad.content.decode()


@pytest.mark.django_db
def test_address_text_search_within_a_division(loaded_divisions):
    make_address("3201020000000001", full_address="江苏省南京市玄武区中山路1号")
    make_address("3201040000000001", full_address="江苏省南京市秦淮区中山路9号", division_code="320104")
    make_address(
        "3202130000000001",
        full_address="江苏省无锡市梁溪区中山路5号",
        division_code="320213",
        lon=120.31,
        lat=31.49,
    )
    client = geo_client("address", "address_code", "full_address", "division_code")
    city = client.get("/api/v1/geodata/addresses/", {"q": "中山路", "division": "320100"}).json()["results"]
    assert sorted(r["address_code"] for r in city) == ["3201020000000001", "3201040000000001"]
    county = client.get("/api/v1/geodata/addresses/", {"q": "中山路", "division": "320104"}).json()["results"]
    assert [r["address_code"] for r in county] == ["3201040000000001"]


@pytest.mark.django_db
def test_demo_seed_resource_units_and_place_names_are_served(loaded_divisions):
    from geodata.demo import generate_place_names, generate_resource_units
    from geodata.models import PlaceName, ResourceUnit
    from hub.records.services import write

    write(ResourceUnit.dataset_code, list(generate_resource_units()), department="zrzyt")
    write(PlaceName.dataset_code, list(generate_place_names(190)), department="mzt")
    unit = ResourceUnit.objects.order_by("unit_code").first()
    client = geo_client("resource_unit", "unit_code", "resource_type", "geometry")
    bbox = f"{unit.min_lon - 0.001},{unit.min_lat - 0.001},{unit.max_lon + 0.001},{unit.max_lat + 0.001}"
    payload = client.get("/api/v1/geodata/resource-units/", {"bbox": bbox}).json()
    assert [f["id"] for f in payload["features"]] == [unit.unit_code]
    places = geo_client("place_name", "place_code", "name", "division_code")
    found = places.get("/api/v1/geodata/place-names/", {"division": "320100", "page_size": 500}).json()
    assert found["results"] and all(r["division_code"].startswith("3201") for r in found["results"])
    assert len(found["results"]) == PlaceName.objects.filter(division_code__startswith="3201").count()


@pytest.mark.django_db
def test_locate_ends_on_a_parent_code_cycle(loaded_divisions):
    """Bad data (a county whose parent points back at it) ends the chain instead of looping."""
    from geodata.models import Division

    Division.objects.filter(code="320100").update(parent_code="320102")
    client = geo_client("division", *LOCATE)
    response = client.get("/api/v1/geodata/divisions/locate/", {"lon": 118.796, "lat": 32.060})
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["features"]] == ["320102", "320100"]
