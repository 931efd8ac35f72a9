"""Validation on write: geometry, parcels, divisions' parents, and one source per item."""

import pytest
from django.core.exceptions import ValidationError

from geodata import geometry as geo
from geodata.models import Division, Parcel
from hub.records import context
from hub.records.sources import SourceRuleViolation

from .helpers import make_address, make_parcel, square

pytestmark = pytest.mark.django_db


def refused(model_values, model=Parcel, department="zrzyt"):
    with context.writing(department, reason="test"), pytest.raises(ValidationError) as caught:
        record = model(**model_values)
        record.full_clean()
    return caught.value.message_dict


def parcel_values(**overrides):
    geometry = square(118.80, 32.05)
    return {
        "unit_number": "320102001001GB00001W00000000",
        "land_use_class": "07",
        "land_use": "0701",
        "ownership": "state",
        "right_type": "state_construction_use",
        "area": round(geo.geodesic_area(geo.parse(geometry)), 2),
        "geometry": geometry,
        **overrides,
    }


def test_a_valid_parcel_is_saved_with_its_box_and_centroid():
    parcel = make_parcel()
    assert parcel.min_lon == pytest.approx(118.80) and parcel.max_lat == pytest.approx(32.051)
    assert parcel.centroid_lon == pytest.approx(118.8005)
    assert parcel.source_stamps.keys() == {"zrzyt"}


def test_changing_the_geometry_moves_the_box():
    parcel = make_parcel()
    with context.writing("zrzyt", reason="resurvey"):
        parcel.geometry = square(118.90, 32.10)
        parcel.area = round(geo.geodesic_area(geo.parse(parcel.geometry)), 2)
        parcel.save()
    parcel.refresh_from_db()
    assert parcel.min_lon == pytest.approx(118.90)
    assert parcel.history.count() == 2


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        ({"unit_number": "320102001001GB00001W0000000"}, "unit_number", "28 characters"),
        ({"unit_number": "320102001001QB00001W00000000"}, "unit_number", "ownership letter"),
        ({"land_use": "0799", "land_use_class": "07"}, "land_use", "not a GB/T 21010-2017"),
        ({"land_use_class": "01"}, "land_use_class", "belongs to class 07"),
        ({"ownership": "collective"}, "ownership", "means state ownership"),
        ({"area": 5.0}, "area", "disagrees"),
    ],
)
def test_bad_parcels_are_refused_with_the_reason(overrides, field, fragment):
    errors = refused(parcel_values(**overrides))
    assert fragment in " ".join(errors[field])


def test_self_intersecting_open_swapped_and_outside_geometries_are_refused():
    ring = [[118.80, 32.05], [118.81, 32.06], [118.81, 32.05], [118.80, 32.06], [118.80, 32.05]]
    cases = {
        "Self-intersection": {"type": "Polygon", "coordinates": [ring]},
        "open": {"type": "Polygon", "coordinates": [ring[:-1] + [[118.80, 32.055]]]},
        "swapped": {
            "type": "Polygon",
            "coordinates": [[[b, a] for a, b in square(118.8, 32.05)["coordinates"][0]]],
        },
        "outside": square(122.5, 32.05),
    }
    for fragment, geometry in cases.items():
        errors = refused(parcel_values(geometry=geometry, area=None))
        assert fragment in " ".join(errors["geometry"]), fragment
    assert Parcel.objects.count() == 0


def test_another_department_cannot_write_parcels():
    with context.writing("gat", reason="test"), pytest.raises(SourceRuleViolation):
        Parcel(**parcel_values()).save()
    assert Parcel.objects.count() == 0


def test_division_parent_must_be_one_level_up(loaded_divisions):
    with context.writing("mzt", reason="test"):
        wrong_level = Division(code="320199", name="试验区", level="county", parent_code="320000")
        with pytest.raises(ValidationError) as caught:
            wrong_level.full_clean()
        assert "must be a city" in " ".join(caught.value.message_dict["parent_code"])
        wrong_shape = Division(code="320199", name="试验区", level="city", parent_code="320000")
        with pytest.raises(ValidationError) as caught:
            wrong_shape.full_clean()
        assert "county-level code" in " ".join(caught.value.message_dict["level"])
        elsewhere = Division(code="320299", name="试验区", level="county", parent_code="320100")
        with pytest.raises(ValidationError) as caught:
            elsewhere.full_clean()
        assert "does not lie under" in " ".join(caught.value.message_dict["parent_code"])
        township = Division(code="320102001", name="试验街道", level="township", parent_code="320102")
        township.full_clean()


def test_division_boundaries_are_natural_resources_items(loaded_divisions):
    division = Division.objects.get(code="320102")
    with context.writing("mzt", reason="test"), pytest.raises(SourceRuleViolation) as caught:
        division.geometry = square(118.8, 32.05)
        division.save()
    assert "geodata.division.geometry" in str(caught.value)
    with context.writing("zrzyt", reason="test"), pytest.raises(SourceRuleViolation):
        division = Division.objects.get(code="320102")
        division.name = "玄武"
        division.save()


def test_address_division_must_be_in_force(loaded_divisions):
    make_address()
    with context.writing("gat", reason="test"), pytest.raises(ValidationError) as caught:
        from geodata.models import Address

        Address(
            address_code="X1", full_address="白下路1号", division_code="320103", lon=118.8, lat=32.03
        ).full_clean()
    assert "replaced by 320104" in " ".join(caught.value.message_dict["division_code"])


def test_a_parcel_wider_than_the_span_limit_is_refused_on_every_write_path():
    from geodata.models import Parcel as P
    from hub.records.services import write

    huge = square(118.5, 32.0, size=0.2)
    errors = refused(parcel_values(geometry=huge, area=None))
    assert "at most 0.1" in " ".join(errors["geometry"])
    with pytest.raises(ValidationError, match="at most 0.1"):
        write(P.dataset_code, [parcel_values(geometry=huge)], department="zrzyt")
    assert P.objects.count() == 0
