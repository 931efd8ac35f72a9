"""Seeded defects of every rule kind on population.person, with who must fix each."""

import datetime

from django.utils import timezone

from population.demo import make_id_number
from population.models import Person
from tests.factories import make_person, person_rows

P = "population.person"


def bad_checksum(number):
    last = number[17]
    return number[:17] + ("0" if last != "0" else "1")


def seed_defects():
    """Create one person per defect; returns ``{rule code: (key, department code)}``."""
    defects = {}

    def add(code, department, **overrides):
        person = make_person(**overrides)
        defects[f"{P}.{code}"] = (person.id_number, department)
        return person

    add("name.required", "gat", name="")
    add("gender.required", "gat", gender="")
    add("household_division.required", "gat", household_division="")
    row = identity()
    add("id_number.checksum", "gat", **{**row, "id_number": bad_checksum(row["id_number"])})
    add("name.format", "gat", name="X1")
    add("gender.codetable", "gat", gender="7")
    add("ethnicity.codetable", "gat", ethnicity="77")
    add("marital_status.codetable", "mzt", marital_status="99")
    add("education_level.codetable", "jyt", education_level="99")
    old = datetime.date(1870, 5, 4)
    add(
        "birth_date.range",
        "gat",
        id_number=make_id_number("320102", old, 7, True),
        birth_date=old,
        gender="1",
    )
    row = identity()
    add(
        "birth_date.id_consistency",
        "gat",
        **{**row, "birth_date": row["birth_date"] + datetime.timedelta(days=1)},
    )
    row = identity()
    add("gender.id_consistency", "gat", **{**row, "gender": "2" if row["gender"] == "1" else "1"})
    row = identity()
    add("death_date.order", "wjw", **row, death_date=row["birth_date"] - datetime.timedelta(days=3))
    add("household_division.reference", "gat", household_division="329999")
    first = make_person(name="周重名")
    twin_id = make_id_number("320506", first.birth_date, 123, True)
    twin = make_person(name="周重名", birth_date=first.birth_date, id_number=twin_id, gender="1")
    defects[f"{P}.name.uniqueness.suspected_duplicate"] = (first.id_number, "gat")
    defects[f"{P}.name.uniqueness.suspected_duplicate#twin"] = (twin.id_number, "gat")
    stale = add("social_insurance_status.freshness", "rst", social_insurance_status="insured")
    Person.objects.filter(pk=stale.pk).update(
        source_stamps={
            **stale.source_stamps,
            "rst": (timezone.now() - datetime.timedelta(days=40)).isoformat(),
        }
    )
    return defects


def identity():
    """ID number, birth date and gender that agree with each other."""
    row = person_rows(1)[0]
    return {k: row[k] for k in ("id_number", "birth_date", "gender")}
