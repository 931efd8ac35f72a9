"""GeoJSON validation on write: rings, order, extent, validity, declared areas."""

import math

import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import box

from geodata import geometry as geo

NANJING = [[118.80, 32.05], [118.81, 32.05], [118.81, 32.06], [118.80, 32.06], [118.80, 32.05]]


def messages(geojson):
    with pytest.raises(ValidationError) as caught:
        geo.parse(geojson)
    return " ".join(caught.value.messages)


def test_a_closed_valid_polygon_in_the_province_parses():
    shape = geo.parse({"type": "Polygon", "coordinates": [NANJING]})
    assert shape.is_valid and shape.area > 0


def test_open_ring_is_refused():
    assert "open" in messages({"type": "Polygon", "coordinates": [NANJING[:-1] + [[118.80, 32.055]]]})


def test_self_intersecting_ring_is_refused_with_the_reason():
    bowtie = [[118.80, 32.05], [118.81, 32.06], [118.81, 32.05], [118.80, 32.06], [118.80, 32.05]]
    assert "Self-intersection" in messages({"type": "Polygon", "coordinates": [bowtie]})


def test_swapped_latitude_and_longitude_are_named():
    swapped = [[lat, lon] for lon, lat in NANJING]
    assert "swapped" in messages({"type": "Polygon", "coordinates": [swapped]})


def test_coordinates_outside_the_province_are_refused():
    beijing = [[116.40 + dx, 39.90 + dy] for dx, dy in [(0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01), (0, 0)]]
    assert "outside the province" in messages({"type": "Polygon", "coordinates": [beijing]})


@pytest.mark.parametrize(
    "geojson, fragment",
    [
        ({"type": "Point", "coordinates": [118.8, 32.0]}, "not allowed"),
        ({"type": "Polygon"}, "GeoJSON geometry object"),
        ("POLYGON((0 0, 1 1))", "GeoJSON geometry object"),
        ({"type": "Polygon", "coordinates": [[[118.8, 32.0], [118.9, 32.0], [118.8, 32.0]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[["a", 32.0]] * 4]}, "numbers"),
        ({"type": "Polygon", "coordinates": []}, "no rings"),
        ({"type": "MultiPolygon", "coordinates": []}, "no coordinates"),
    ],
)
def test_malformed_geometry_is_refused(geojson, fragment):
    assert fragment in messages(geojson)


def test_geodesic_area_matches_the_spherical_formula():
    # Area of a lon/lat rectangle on the authalic sphere: R² · Δλ · (sin φ2 − sin φ1).
    shape = box(118.80, 32.05, 118.81, 32.06)
    r = geo.AUTHALIC_RADIUS
    exact = r * r * math.radians(0.01) * (math.sin(math.radians(32.06)) - math.sin(math.radians(32.05)))
    assert geo.geodesic_area(shape) == pytest.approx(exact, rel=1e-4)
    assert 1_000_000 < exact < 1_100_000  # ~943 m × ~1112 m


def test_declared_area_must_agree_within_tolerance():
    shape = box(118.80, 32.05, 118.81, 32.06)
    area = geo.geodesic_area(shape)
    assert geo.check_area(shape, area * 1.01) is None
    assert "disagrees" in str(geo.check_area(shape, area * 1.10))


def test_derived_columns_are_the_box_and_an_inner_centroid():
    c_shape = {
        "type": "Polygon",
        "coordinates": [
            [
                [118.0, 32.0],
                [118.3, 32.0],
                [118.3, 32.1],
                [118.1, 32.1],
                [118.1, 32.2],
                [118.3, 32.2],
                [118.3, 32.3],
                [118.0, 32.3],
                [118.0, 32.0],
            ]
        ],
    }
    derived = geo.derived(c_shape)
    assert (derived["min_lon"], derived["min_lat"], derived["max_lon"], derived["max_lat"]) == (
        118.0,
        32.0,
        118.3,
        32.3,
    )
    assert geo.parse(c_shape).covers(
        geo.shape({"type": "Point", "coordinates": [derived["centroid_lon"], derived["centroid_lat"]]})
    )


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("118,32,119", "four numbers"),
        ("118,32,x,33", "four numbers"),
        ("119,32,118,33", "below"),
        ("32,118,33,119", "latitude,longitude"),
        ("nan,32,119,33", "four numbers"),
    ],
)
def test_bad_bbox_is_refused(raw, fragment):
    with pytest.raises(ValidationError) as caught:
        geo.parse_bbox(raw)
    assert fragment in " ".join(caught.value.messages)


def test_point_validation_refuses_swapped_and_outside():
    assert geo.validate_lon_lat("118.8", "32.0") == (118.8, 32.0)
    with pytest.raises(ValidationError, match="swapped"):
        geo.validate_lon_lat(32.0, 118.8)
    with pytest.raises(ValidationError, match="outside"):
        geo.validate_lon_lat(121.47, 29.0)
    with pytest.raises(ValidationError, match="numbers"):
        geo.validate_lon_lat("east", 32.0)
