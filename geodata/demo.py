"""Reference divisions with synthetic boundaries, and synthetic addresses, places, parcels, resource units.

Division codes, names and lineage are real (``reference/divisions.json``);
every geometry here is SYNTHETIC (see :mod:`geodata.synthetic`) and says so
in each division's ``boundary_source``.
"""

import datetime
import json
import random
from functools import lru_cache
from pathlib import Path

from shapely.geometry import box

from . import geometry as geo
from .choices import DivisionLevel, Ownership, PlaceCategory, ResourceType, RightType
from .synthetic import Grid, boundaries, county_cells, jittered_quad

REFERENCE = Path(__file__).parent / "reference" / "divisions.json"
SYNTHETIC_NOTE = "synthetic demo grid (not real boundaries)"
LEVEL_ORDER = [DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]
CIVIL_AFFAIRS_FIELDS = ["name", "level", "parent_code", "valid_from", "valid_until", "successor_codes"]


@lru_cache(maxsize=1)
def reference():
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def current_tree():
    """``{city code: (seat, [county codes])}`` of the divisions in force, from the reference data."""
    rows = reference()["divisions"]
    cities = {
        r["code"]: (tuple(r["seat"]), []) for r in rows if r["level"] == "city" and not r["valid_until"]
    }
    for r in rows:
        if r["level"] == "county" and not r["valid_until"] and r["parent_code"] in cities:
            cities[r["parent_code"]][1].append(r["code"])
    return cities


@lru_cache(maxsize=1)
def layout():
    """The synthetic grid and each current county's cells (deterministic, computed once)."""
    spec = reference()["boundaries"]
    grid = Grid(tuple(spec["extent"]), spec["grid_step_degrees"])
    return grid, county_cells(grid, current_tree())


def division_rows():
    """Civil-affairs rows of every division, parents before children."""
    rows = sorted(reference()["divisions"], key=lambda r: (LEVEL_ORDER.index(r["level"]), r["code"]))
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "parent_code": r["parent_code"],
            "valid_from": _date(r["valid_from"]),
            "valid_until": _date(r["valid_until"]),
            "successor_codes": r["successor_codes"],
        }
        for r in rows
    ]


def boundary_rows():
    """Natural-resources rows: a synthetic boundary for every division in force."""
    return [dict(row) for row in _boundary_rows()]


@lru_cache(maxsize=1)
def _boundary_rows():
    spec = reference()["boundaries"]
    shapes = boundaries(tuple(spec["extent"]), spec["grid_step_degrees"], current_tree())
    rows = []
    for r in reference()["divisions"]:
        if r["valid_until"]:
            continue
        shape = shapes["province"] if r["level"] == DivisionLevel.PROVINCE else shapes.get(r["code"])
        if shape is not None:
            rows.append({"code": r["code"], "geometry": shape, "boundary_source": SYNTHETIC_NOTE})
    return rows


def _counts(report):
    return {name: report[name] for name in ("created", "updated", "unchanged")}


def load_divisions(stdout=None):
    """Write the reference divisions as civil affairs, then their boundaries as natural resources."""
    from hub.records.services import write

    from .divisions import clear_cache

    civil = {"created": 0, "updated": 0, "unchanged": 0}
    rows = division_rows()
    for level in LEVEL_ORDER:  # level by level: a division's parent must be stored to be checked
        report = write(
            "geodata.division",
            [row for row in rows if row["level"] == level],
            department="mzt",
            reason="GB/T 2260 reference data",
        )
        civil = {name: civil[name] + report[name] for name in civil}
    natural = write(
        "geodata.division", boundary_rows(), department="zrzyt", reason="synthetic demo boundaries"
    )
    natural = _counts(natural)
    clear_cache()
    if stdout is not None:
        stdout.write(f"Divisions from mzt: {civil}; boundaries from zrzyt: {natural}")
    return civil, natural


# -- synthetic records ---------------------------------------------------

STREETS = ["中山路", "解放路", "人民路", "建设路", "长江路", "淮海路", "太湖路", "运河路", "钟山路", "青年路"]
PLACES = [
    ("新村", PlaceCategory.SETTLEMENT),
    ("大道", PlaceCategory.ROAD),
    ("河", PlaceCategory.WATER),
    ("山", PlaceCategory.MOUNTAIN),
    ("公园", PlaceCategory.PARK),
    ("站", PlaceCategory.TRANSPORT),
]
# (ownership letter, right letter, ownership, right type, land use codes, fixture letter)
PARCEL_KINDS = [
    ("G", "B", Ownership.STATE, RightType.STATE_CONSTRUCTION_USE, ["0701", "0505", "0601", "0803"], "F"),
    ("G", "B", Ownership.STATE, RightType.STATE_CONSTRUCTION_USE, ["0604", "1004", "0810"], "W"),
    ("J", "C", Ownership.COLLECTIVE, RightType.HOMESTEAD_USE, ["0702"], "F"),
    ("J", "D", Ownership.COLLECTIVE, RightType.CONTRACTED_MANAGEMENT, ["0101", "0102", "0103", "0201"], "W"),
    ("J", "E", Ownership.COLLECTIVE, RightType.FOREST_LAND_USE, ["0301", "0307"], "L"),
]
SLOTS_PER_CELL = 100  # per side: 0.05° cells cut into 0.0005° (~50 m) slots
PERMUTATION_PRIME = 7919


def _counties():
    _grid, cells = layout()
    return sorted(code for code, c in cells.items() if c)


def _cell_bounds(grid, cell):
    i, j = cell
    return grid.lon(i), grid.lat(j), grid.lon(i + 1), grid.lat(j + 1)


def generate_parcels(count, start=0, seed=2026):
    """``count`` parcel rows with valid unit numbers, each inside its county's synthetic territory.

    Parcel ``n`` goes to county ``n mod 95`` and to a slot chosen by a
    bijective permutation of the county's slots, so no two parcels overlap
    and the same ``n`` always gives the same parcel.
    """
    grid, cells = layout()
    counties = _counties()
    step = grid.step / SLOTS_PER_CELL
    for n in range(start, start + count):
        county = counties[n % len(counties)]
        m = n // len(counties)
        own_cells = cells[county]
        total = len(own_cells) * SLOTS_PER_CELL * SLOTS_PER_CELL
        index = (m * PERMUTATION_PRIME + seed) % total
        cell = own_cells[index // (SLOTS_PER_CELL * SLOTS_PER_CELL)]
        slot = index % (SLOTS_PER_CELL * SLOTS_PER_CELL)
        min_lon, min_lat, _max_lon, _max_lat = _cell_bounds(grid, cell)
        x0 = min_lon + (slot % SLOTS_PER_CELL) * step
        y0 = min_lat + (slot // SLOTS_PER_CELL) * step
        rng = random.Random(seed * 1_000_003 + n)
        polygon = jittered_quad(x0, y0, step, rng)
        geojson = geo.to_geojson(polygon)
        own_letter, right_letter, ownership, right_type, uses, fixture = PARCEL_KINDS[rng.randrange(5)]
        land_use = uses[rng.randrange(len(uses))]
        fixture_number = f"{rng.randint(1, 99):04d}{rng.randint(1, 30):04d}" if fixture == "F" else "00000000"
        if fixture == "L":
            fixture_number = f"{rng.randint(1, 9999):08d}"
        zone = f"001{1 + m // 99999:03d}"
        unit_number = f"{county}{zone}{own_letter}{right_letter}{1 + m % 99999:05d}{fixture}{fixture_number}"
        yield {
            "unit_number": unit_number,
            "land_use_class": land_use[:2],
            "land_use": land_use,
            "ownership": ownership,
            "right_type": right_type,
            "area": round(geo.geodesic_area(geo.parse(geojson)), 2),
            "geometry": geojson,
        }


def _point_in(county, rng):
    grid, cells = layout()
    cell = cells[county][rng.randrange(len(cells[county]))]
    min_lon, min_lat, max_lon, max_lat = _cell_bounds(grid, cell)
    return (
        round(min_lon + (max_lon - min_lon) * (0.1 + 0.8 * rng.random()), 6),
        round(min_lat + (max_lat - min_lat) * (0.1 + 0.8 * rng.random()), 6),
    )


def _names():
    return {r["code"]: r["name"] for r in reference()["divisions"] if not r["valid_until"]}


def generate_addresses(count, seed=2026):
    rng = random.Random(seed)
    names = _names()
    counties = _counties()
    for n in range(count):
        county = counties[n % len(counties)]
        lon, lat = _point_in(county, rng)
        text = (
            f"江苏省{names[county[:4] + '00']}{names[county]}"
            f"{STREETS[rng.randrange(len(STREETS))]}{rng.randint(1, 999)}号"
        )
        yield {
            "address_code": f"{county}{n:010d}",
            "full_address": text,
            "division_code": county,
            "lon": lon,
            "lat": lat,
        }


def generate_place_names(count, seed=2026):
    rng = random.Random(seed + 1)
    names = _names()
    counties = _counties()
    for n in range(count):
        county = counties[n % len(counties)]
        lon, lat = _point_in(county, rng)
        suffix, category = PLACES[n % len(PLACES)]
        yield {
            "place_code": f"{county}P{n:07d}",
            "name": f"{names[county][:2]}{STREETS[rng.randrange(len(STREETS))][:2]}{suffix}",
            "category": category,
            "division_code": county,
            "lon": lon,
            "lat": lat,
        }


def generate_resource_units(per_county=1, seed=2026):
    """One square block (~1 km) per county per type, inside one of its cells."""
    rng = random.Random(seed + 2)
    grid, cells = layout()
    names = _names()
    types = list(ResourceType)
    for county in _counties():
        for k in range(per_county):
            kind = types[(int(county) + k) % len(types)]
            cell = cells[county][rng.randrange(len(cells[county]))]
            min_lon, min_lat, _max_lon, _max_lat = _cell_bounds(grid, cell)
            block = box(min_lon + 0.01, min_lat + 0.01, min_lon + 0.02, min_lat + 0.02)
            geojson = geo.to_geojson(block)
            yield {
                "unit_code": f"ZY{county}{k:04d}",
                "name": f"{names[county]}{kind.label}登记单元{k + 1}",
                "resource_type": kind.value,
                "division_code": county,
                "area": round(geo.geodesic_area(geo.parse(geojson)), 2),
                "geometry": geojson,
            }


def seed(command, persons=1000):
    """Reference divisions and synthetic geodata sized from ``persons`` (parcels = persons)."""
    from hub.records.services import write

    from .models import Address, Division, Parcel, PlaceName, ResourceUnit

    if not Division.objects.filter(geometry__isnull=False).exists():
        load_divisions(command.stdout)
    else:
        command.stdout.write("Divisions already loaded.")
    batches = [
        (Address, "gat", lambda: generate_addresses(min(persons, 5000))),
        (PlaceName, "mzt", lambda: generate_place_names(min(persons // 2, 2000))),
        (ResourceUnit, "zrzyt", lambda: generate_resource_units()),
        (Parcel, "zrzyt", lambda: generate_parcels(persons)),
    ]
    for model, department, rows in batches:
        if model.objects.exists():
            command.stdout.write(f"{model._meta.verbose_name_plural}: already present.")
            continue
        counts = _counts(write(model.dataset_code, rows(), department=department, reason="demo seed"))
        command.stdout.write(f"{model.__name__} from {department}: {counts}")
