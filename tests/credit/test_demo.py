"""seed_demo's credit data: valid codes, representatives among demo persons, sources per record."""

import io

import pytest
from django.core.management import call_command
from stdnum.cn import uscc as reference

from credit.models import CreditRecord, LegalEntity
from credit.summary import summarize
from credit.validators import validate_uscc
from population.models import Person


@pytest.mark.django_db
def test_seed_demo_creates_entities_and_a_spread_of_records():
    call_command("seed_demo", persons=300, quiet_keys=True, stdout=io.StringIO())
    entities = list(LegalEntity.objects.all())
    assert len(entities) == 30
    persons = set(Person.objects.values_list("id_number", flat=True))
    for entity in entities:
        assert reference.is_valid(entity.uscc)
        validate_uscc(entity.uscc, allow_legacy=False)
        assert entity.legal_representative_id_number in persons
        assert entity.entity_type == entity.uscc[:2]
        assert entity.history.get().source_department == entity.registration_authority
    assert {e.registration_authority for e in entities} <= {"scjgj", "mzt"}
    kinds = set(CreditRecord.objects.values_list("kind", flat=True))
    assert {"licensing", "penalty"} <= kinds
    history = CreditRecord.history.model.objects.values_list("deciding_department", "source_department")
    assert history and all(decided == source for decided, source in history)
    for entity in entities[:5]:
        summary = summarize(entity.uscc, "entity")
        assert summary["negative_total"] >= 0 and summary["subject"] == entity.uscc
    # a second run adds nothing
    call_command("seed_demo", persons=300, quiet_keys=True, stdout=io.StringIO())
    assert LegalEntity.objects.count() == 30
