"""Reference divisions, the synthetic tiling, point-in-division and lineage through the public functions."""

import random

import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from geodata import divisions
from geodata.demo import reference
from geodata.models import Division

pytestmark = pytest.mark.django_db


def current(level):
    return list(Division.objects.filter(level=level, valid_until__isnull=True).order_by("code"))


def test_reference_has_the_province_its_13_cities_and_95_counties(loaded_divisions):
    cities = current("city")
    assert [c.name for c in cities] == [
        "南京市",
        "无锡市",
        "徐州市",
        "常州市",
        "苏州市",
        "南通市",
        "连云港市",
        "淮安市",
        "盐城市",
        "扬州市",
        "镇江市",
        "泰州市",
        "宿迁市",
    ]
    counties = current("county")
    assert len(counties) == 95
    names = {c.code: c.name for c in counties}
    assert names["320102"] == "玄武区" and names["320213"] == "梁溪区" and names["321324"] == "泗洪县"
    assert all(c.parent_code == c.code[:4] + "00" for c in counties)
    assert reference()["boundaries"]["synthetic"] is True
    assert {c.boundary_source for c in counties} == {"synthetic demo grid (not real boundaries)"}


def test_counties_tile_the_province_and_union_into_their_cities(loaded_divisions):
    province = shape(Division.objects.get(code="320000").geometry)
    counties = {c.code: shape(c.geometry) for c in current("county")}
    union = unary_union(list(counties.values()))
    assert sum(s.area for s in counties.values()) == pytest.approx(province.area, rel=1e-9)  # no overlaps
    assert union.symmetric_difference(province).area == pytest.approx(0, abs=1e-9)  # no gaps
    for city in current("city"):
        own = unary_union([s for code, s in counties.items() if code.startswith(city.code[:4])])
        assert own.symmetric_difference(shape(city.geometry)).area == pytest.approx(0, abs=1e-9), city.code
    assert all(Division.objects.get(code=code).geometry is None for code in ("320103", "320202"))


@pytest.mark.parametrize(
    "lon, lat, county, city",
    [
        # City seats: the seat's own cell seeds the city's first (lowest-code) county.
        (118.796, 32.060, "320102", "320100"),  # 南京 → 玄武区
        (120.585, 31.299, "320505", "320500"),  # 苏州 → 虎丘区
        (117.285, 34.205, "320302", "320300"),  # 徐州 → 鼓楼区
        (118.275, 33.963, "321302", "321300"),  # 宿迁 → 宿城区
    ],
)
def test_locate_hand_checked_points(loaded_divisions, lon, lat, county, city):
    chain = divisions.locate(lon, lat)
    assert [d.code for d in chain] == [county, city, "320000"]
    assert [d.level for d in chain] == ["county", "city", "province"]


def test_locate_outside_every_division_is_empty(loaded_divisions):
    assert divisions.locate(116.0, 30.0) == []


def test_point_on_a_shared_border_resolves_to_the_lower_code(loaded_divisions):
    from geodata.spatial import locate_divisions

    # The synthetic grid line lat 32.0 between lon 118.10 and 118.15 separates 玄武区 (north)
    # from 栖霞区 (south): a point on it is covered by both.
    assert locate_divisions(118.125, 32.0) == ["320102", "320113"]
    assert [d.code for d in divisions.locate(118.125, 32.0)] == ["320102", "320100", "320000"]
    assert locate_divisions(118.125, 32.0 + 1e-7) == ["320102"]
    assert locate_divisions(118.125, 32.0 - 1e-7) == ["320113"]
    # Between cities: 玄武区 (南京) and 宝应县 (扬州) meet on lat 32.4 near lon 118.975.
    assert [d.code for d in divisions.locate(118.975, 32.4)][1] == "320100"
    assert locate_divisions(118.975, 32.4) == ["320102", "321023"]
    a, b = (shape(Division.objects.get(code=code).geometry) for code in ("320102", "321023"))
    point = a.intersection(b).interpolate(0.5, normalized=True)
    assert locate_divisions(point.x, point.y) == ["320102", "321023"]


def test_locate_agrees_with_brute_force_over_every_county(loaded_divisions):
    counties = {c.code: shape(c.geometry) for c in current("county")}
    rng = random.Random(7)
    from geodata.spatial import locate_divisions

    for _ in range(300):
        lon, lat = rng.uniform(116.3, 121.95), rng.uniform(30.75, 35.35)
        expected = sorted(code for code, s in counties.items() if s.covers(Point(lon, lat)))
        assert locate_divisions(lon, lat) == expected


def test_retired_codes_keep_their_lineage(loaded_divisions):
    baixia = Division.objects.get(code="320103")
    assert (
        baixia.name == "白下区" and baixia.valid_until.year == 2013 and baixia.successor_codes == ["320104"]
    )
    assert divisions.current_successors("320103") == ["320104"]  # 白下区 → 秦淮区
    assert divisions.current_successors("320202") == ["320213"]  # 崇安区 → 梁溪区
    assert divisions.current_successors("322123") == ["320312"]  # 铜山县 (徐州地区) → 铜山县 → 铜山区
    assert divisions.current_successors("320586") == ["320506", "320507"]  # 吴县市 → 吴中区, 相城区
    assert divisions.current_successors("320102") == ["320102"]


def test_check_division_names_the_reason(loaded_divisions):
    assert divisions.check_division("320102").name == "玄武区"
    with pytest.raises(ValidationError, match="replaced by 320104"):
        divisions.check_division("320103")
    assert divisions.check_division("320103", current_only=False).current is False
    with pytest.raises(ValidationError, match="not a known division"):
        divisions.check_division("329999")
    with pytest.raises(ValidationError, match="expected county"):
        divisions.check_division("320100", levels=["county"])
    with pytest.raises(ValidationError, match="does not lie within 320200"):
        divisions.check_division("320102", within="320200")
    divisions.check_division("320102", within="320100")


def test_chain_and_known_division_fall_back_to_the_code_table_when_nothing_is_loaded():
    assert Division.objects.count() == 0
    chain = divisions.division_chain("320102")
    assert [(d.code, d.name, d.loaded) for d in chain] == [
        ("320102", "玄武区", False),
        ("320100", "南京市", False),
        ("320000", "江苏省", False),
    ]
    assert divisions.known_division("320103") and not divisions.known_division("329999")
    with pytest.raises(ValidationError, match="no longer in force"):
        divisions.check_division("320103")


def test_loading_twice_changes_nothing(loaded_divisions):
    from geodata.demo import load_divisions

    civil, natural = load_divisions()
    assert civil["created"] == civil["updated"] == 0
    assert natural["created"] == natural["updated"] == 0


def test_township_codes_are_known_once_loaded(loaded_divisions):
    from hub.records import context

    assert not divisions.known_division("320102001")
    with context.writing("mzt", reason="test"):
        township = Division(code="320102001", name="梅园新村街道", level="township", parent_code="320102")
        township.full_clean()
        township.save()
    assert divisions.known_division("320102001")
    assert [d.code for d in divisions.division_chain("320102001")] == [
        "320102001",
        "320102",
        "320100",
        "320000",
    ]
    divisions.check_division("320102001", levels=["township"], within="320100")
