"""Builders for geodata records, each written by its one source department."""

from shapely.geometry import box

from geodata import geometry as geo
from hub.records import context


def square(min_lon, min_lat, size=0.001):
    return geo.to_geojson(box(min_lon, min_lat, min_lon + size, min_lat + size))


def make_parcel(number="320102001001GB00001W00000000", geometry=None, **overrides):
    from geodata.models import Parcel

    geometry = geometry or square(118.80, 32.05)
    values = {
        "unit_number": number,
        "land_use_class": "07",
        "land_use": "0701",
        "ownership": "state",
        "right_type": "state_construction_use",
        "area": round(geo.geodesic_area(geo.parse(geometry)), 2),
        "geometry": geometry,
        **overrides,
    }
    with context.writing("zrzyt", reason="test"):
        parcel = Parcel(**values)
        parcel.full_clean()
        parcel.save()
    return parcel


def make_address(code="3201020000000001", **overrides):
    from geodata.models import Address

    values = {
        "address_code": code,
        "full_address": "江苏省南京市玄武区中山路100号",
        "division_code": "320102",
        "lon": 118.796,
        "lat": 32.060,
        **overrides,
    }
    with context.writing("gat", reason="test"):
        address = Address(**values)
        address.full_clean()
        address.save()
    return address
