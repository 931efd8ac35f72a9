"""The demo seed: ID cards for every demo person, plausible subsets for the rest, all valid and signed."""

import io

import pytest

from licences import demo
from licences.models import Licence
from population import demo as population_demo
from population.models import Person

pytestmark = pytest.mark.django_db


class Command:
    stdout = io.StringIO()


def test_seed_issues_valid_signed_licences_to_the_demo_persons():
    population_demo.seed(Command(), persons=60)
    demo.seed(Command(), persons=60)
    living = Person.objects.filter(death_date__isnull=True)
    cards = Licence.objects.filter(licence_type="11100000000010014P001")
    assert set(cards.values_list("holder_key", flat=True)) == set(living.values_list("id_number", flat=True))
    married = set(living.filter(marital_status__in=demo.MARRIED).values_list("id_number", flat=True))
    certificates = set(
        Licence.objects.filter(licence_type="11100000000010030D001").values_list("holder_key", flat=True)
    )
    assert certificates and certificates <= married
    for licence in Licence.objects.all():
        licence.full_clean(validate_unique=False)  # every demo licence passes the issuing rules
        assert licence.signature_holds()
        assert licence.history.get().source_department == licence.type.issuing_department
    count = Licence.objects.count()
    demo.seed(Command(), persons=60)  # idempotent
    assert Licence.objects.count() == count
    population_demo.seed(Command(), persons=70)
    demo.seed(Command(), persons=70)  # only the new persons get cards
    assert cards.count() == Person.objects.filter(death_date__isnull=True).count() == 70
    assert not any(card.holder_key in card.identifier for card in cards)


def test_entity_licences_pass_the_issuing_rules(monkeypatch):
    import random

    from credit.validators import org_code_check_char, uscc_check_char

    monkeypatch.setattr("credit.lookup.entity_exists", lambda key: True)
    entities = []
    for n in range(40):
        org = f"MA{n:06d}"
        first17 = f"91320102{org}{org_code_check_char(org)}"
        entities.append(
            {
                "uscc": first17 + uscc_check_char(first17),
                "name": f"示例企业{n}有限公司",
                "entity_type": "11",
                "legal_representative": "王伟",
                "registered_address": "南京市玄武区",
                "registered_division": "320102",
                "registered_capital": None,
                "established_date": None,
            }
        )
    rows = demo.entity_licences(entities, random.Random(1))
    assert len(rows["business_licence"]) == 40
    for slug, licences in rows.items():
        assert demo.bulk_issue(slug, licences) == len(licences)
    for licence in Licence.objects.all():
        licence.full_clean(validate_unique=False)
        assert licence.signature_holds()
