"""A coded key stored with a non-ASCII character is a defect a scan finds, on both databases.

The validators refuse such keys on the way in; one written past them (a raw
update, an old load) must still show up. The ID number's and the credit
code's checksum rules read ASCII digits only, and the libraries whose keys
have no checksum ship a rule that the key is printable ASCII.
"""

import pytest

from hub.quality.models import QualityIssue, RuleResult
from hub.quality.scans import scan
from licences.models import Licence
from population.models import Person
from tests.factories import make_person
from tests.geodata.helpers import make_parcel
from tests.licences.helpers import issue_id_card

pytestmark = pytest.mark.django_db

FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def full_width(text, positions):
    return "".join(FULL_WIDTH.get(c, c) if n in positions else c for n, c in enumerate(text))


def failures(result, code):
    return RuleResult.objects.get(scan=result, rule__code=code).failed


def opened_for(key):
    return set(QualityIssue.objects.filter(record_key=key).values_list("rule__code", flat=True))


@pytest.mark.parametrize("spelling", ["full-width", "superscript", "zero-width"])
def test_a_stored_id_number_in_other_digits_fails_its_checksum_rule(rules, spelling):
    people = [make_person() for _ in range(3)]
    number = people[0].id_number
    stored = {
        "full-width": full_width(number, {14, 15, 16}),
        "superscript": number[:16] + "²" + number[17],
        "zero-width": number[:17] + "\u200b",  # 19 characters would not fit: replace the check character
    }[spelling]
    Person.objects.filter(pk=people[0].pk).update(id_number=stored)  # past every validator
    result = scan("population.person")
    assert failures(result, "population.person.id_number.checksum") == 1
    assert "population.person.id_number.checksum" in opened_for(stored)
    assert not any(opened_for(p.id_number) for p in people[1:])


def test_a_stored_licence_identifier_or_holder_key_in_other_characters_is_found(rules):
    good, bad = issue_id_card(), issue_id_card()
    identifier = bad.identifier.replace("1", "１", 1)
    Licence.objects.filter(pk=bad.pk).update(identifier=identifier, holder_key=bad.holder_key[:17] + "Ｘ")
    result = scan("licences.licence")
    assert failures(result, "licences.licence.identifier.format.ascii") == 1
    assert failures(result, "licences.licence.holder_key.format.ascii") == 1
    assert {"licences.licence.identifier.format.ascii", "licences.licence.holder_key.format.ascii"} <= (
        opened_for(identifier)
    )
    assert not opened_for(good.identifier)


def test_a_stored_unit_number_in_other_digits_is_found(rules, loaded_divisions):
    make_parcel()
    bad = make_parcel("320102001001GB00002W00000000")
    stored = full_width(bad.unit_number, {27})
    type(bad).objects.filter(pk=bad.pk).update(unit_number=stored)
    result = scan("geodata.parcel")
    assert failures(result, "geodata.parcel.unit_number.format.ascii") == 1
    assert "geodata.parcel.unit_number.format.ascii" in opened_for(stored)


@pytest.fixture
def loaded_divisions(db):
    from geodata.demo import load_divisions

    load_divisions()
