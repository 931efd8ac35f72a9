"""One valid record per registered dataset, a valid change and a merged-row refusal, for the write meta-test.

Each case builds what its record needs (a person for a licence's holder,
an entity for a credit record) and returns plain values, as a provider
would send them. ``tests/records/test_write_paths.py`` checks that every
dataset of the catalogue registry has a case here, or is read-only.
"""

import datetime
import itertools
import uuid
from dataclasses import dataclass

from geodata import geometry as geo
from licences import identifiers, reference
from tests.credit.factories import make_entity, new_uscc, record_values
from tests.factories import make_person, person_rows
from tests.geodata.helpers import square

_serials = itertools.count(1)


@dataclass
class Case:
    department: str  # the writer: source of the key or of the record's partition
    row: object  # () -> {field: plain value}, a new valid record
    change: tuple  # (field, value): a valid change to the record
    bad: dict  # a partial row refused only by a rule over a column it does not carry


def _person():
    return {k: ("" if v is None else v) for k, v in person_rows(1, seed=next(_serials) + 900)[0].items()} | {
        "death_date": None
    }


def person_row():
    row = _person()
    return {
        key: row[key]
        for key in (
            "id_number",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "birthplace_division",
            "household_division",
            "household_address",
            "residence_address",
        )
    }


def licence_row():
    person = make_person()
    issuer = reference.issuer("gat")
    row = reference.type_by_slug("resident_id_card")
    issued = datetime.date(2020, 5, 6)
    return {
        "identifier": identifiers.build(row["code"], issuer["credit_code"], f"META{next(_serials):08d}"),
        "licence_type": row["code"],
        "number": person.id_number,
        "holder_kind": "person",
        "holder_key": person.id_number,
        "holder_name": person.name,
        "issuing_authority": issuer["name"],
        "issuer_code": issuer["credit_code"],
        "issue_date": issued,
        "valid_from": issued,
        "valid_to": issued.replace(year=2040),
        "status": "valid",
        "status_reason": "",
        "division_code": person.household_division,
        "surface_data": {
            "name": person.name,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(),
            "address": person.household_address,
            "id_number": person.id_number,
        },
        "file_digest": "",
    }


def entity_row():
    person = make_person()
    code = new_uscc()
    return {
        "uscc": code,
        "name": f"南京元数据科技有限公司{next(_serials)}",
        "entity_type": code[:2],
        "registration_authority": "scjgj",
        "legal_representative": person.name,
        "legal_representative_id_number": person.id_number,
        "registered_address": "江苏省南京市玄武区中山路1号",
        "registered_division": "320102",
        "established_date": datetime.date(2015, 6, 1),
        "status": "active",
        "industry": "I",
    }


def credit_record_row():
    entity = make_entity()
    values = record_values("penalty", entity.uscc, "scjgj")
    return {"record_id": str(uuid.uuid4()), **values}


def division_row():
    return {
        "code": f"320102{next(_serials):03d}",
        "name": "梅园新村街道",
        "level": "township",
        "parent_code": "320102",
    }


def address_row():
    return {
        "address_code": f"3201020000{next(_serials):06d}",
        "full_address": "江苏省南京市玄武区中山路100号",
        "division_code": "320102",
        "lon": 118.796,
        "lat": 32.060,
    }


def place_name_row():
    return {
        "place_code": f"320102P{next(_serials):07d}",
        "name": "玄武中山新村",
        "category": "settlement",
        "division_code": "320102",
        "lon": 118.796,
        "lat": 32.060,
    }


def parcel_row():
    n = next(_serials)
    geometry = square(118.80 + (n % 50) * 0.002, 32.05 + (n // 50) * 0.002)
    return {
        "unit_number": f"320102001001GB{n:05d}W00000000",
        "land_use_class": "07",
        "land_use": "0701",
        "ownership": "state",
        "right_type": "state_construction_use",
        "area": round(geo.geodesic_area(geo.parse(geometry)), 2),
        "geometry": geometry,
    }


def resource_unit_row():
    n = next(_serials)
    geometry = square(118.70 + (n % 50) * 0.02, 32.00, size=0.01)
    return {
        "unit_code": f"ZY320102{n:04d}",
        "name": f"玄武湖湿地登记单元{n}",
        "resource_type": "wetland",
        "division_code": "320102",
        "area": round(geo.geodesic_area(geo.parse(geometry)), 2),
        "geometry": geometry,
    }


CASES = {
    # a birth date that disagrees with the stored ID number
    "population.person": Case("gat", person_row, ("name", "王改名"), {"birth_date": "1901-01-01"}),
    # a holder key that does not fit the stored holder kind
    "licences.licence": Case("gat", licence_row, ("number", "改号-001"), {"holder_key": "GARBAGE"}),
    # an entity type other than the stored code's
    "credit.legal_entity": Case("scjgj", entity_row, ("name", "南京改名科技有限公司"), {"entity_type": "93"}),
    # a subject key that is no code of the stored subject type
    "credit.record": Case(
        "scjgj", credit_record_row, ("content", "罚款二万元"), {"subject_key": "NOT-A-CODE"}
    ),
    # a level other than the stored code's shape implies
    "geodata.division": Case("mzt", division_row, ("name", "梅园街道"), {"level": "city"}),
    # a longitude outside the province for the stored latitude
    "geodata.address": Case(
        "gat", address_row, ("full_address", "江苏省南京市玄武区中山路101号"), {"lon": 200.0}
    ),
    "geodata.place_name": Case("mzt", place_name_row, ("name", "玄武中山二村"), {"lon": 200.0}),
    # a first-level land use other than the stored second-level code's
    "geodata.parcel": Case("zrzyt", parcel_row, ("land_use", "0702"), {"land_use_class": "01"}),
    # a declared area far from the stored geometry's
    "geodata.resource_unit": Case(
        "zrzyt", resource_unit_row, ("name", "玄武湖湿地登记单元甲"), {"area": 1.0}
    ),
}
