"""Builders for licence tests: ID cards, marriage certificates and business licences via the services."""

import datetime

from licences import identifiers, reference, services
from licences.models import LicenceType
from tests.factories import make_person


def licence_type(slug):
    return LicenceType.objects.get(slug=slug)


def id_card_values(person, **overrides):
    """Values of a resident ID card for ``person`` (a population Person), issued by public security."""
    issued = overrides.pop("issue_date", datetime.date(2020, 5, 6))
    values = {
        "licence_type": licence_type("resident_id_card"),
        "number": person.id_number,
        "holder_kind": "person",
        "holder_key": person.id_number,
        "holder_name": person.name,
        "issue_date": issued,
        "valid_from": issued,
        "valid_to": issued.replace(year=issued.year + 20),
        "division_code": person.household_division,
        "surface_data": {
            "name": person.name,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(),
            "address": person.household_address,
            "id_number": person.id_number,
        },
    }
    values.update(overrides)
    return values


def issue_id_card(person=None, **overrides):
    person = person or make_person()
    return services.issue("gat", reason="test", **id_card_values(person, **overrides))


def marriage_values(person, spouse, **overrides):
    values = {
        "licence_type": licence_type("marriage_certificate"),
        "number": f"J320102-2019-{person.id_number[-6:]}",
        "holder_kind": "person",
        "holder_key": person.id_number,
        "holder_name": person.name,
        "issue_date": datetime.date(2019, 5, 20),
        "valid_from": datetime.date(2019, 5, 20),
        "valid_to": None,
        "division_code": "320102",
        "surface_data": {
            "name": person.name,
            "spouse_name": spouse.name,
            "spouse_id_number": spouse.id_number,
            "registration_date": "2019-05-20",
        },
    }
    values.update(overrides)
    return values


def business_values(uscc, name="南京示例科技有限公司", **overrides):
    values = {
        "licence_type": licence_type("business_licence"),
        "number": uscc,
        "holder_kind": "entity",
        "holder_key": uscc,
        "holder_name": name,
        "issue_date": datetime.date(2018, 3, 1),
        "valid_from": datetime.date(2018, 3, 1),
        "valid_to": None,
        "surface_data": {
            "name": name,
            "entity_type": "有限责任公司",
            "legal_representative": "王伟",
            "established_on": "2018-03-01",
            "address": "南京市玄武区中山路1号",
        },
    }
    values.update(overrides)
    return values


def identifier_for(slug, serial, department=None):
    row = reference.type_by_slug(slug)
    issuer = reference.issuer(department or row["issuing_department"])
    return identifiers.build(row["code"], issuer["credit_code"], serial)
