"""Legal entities and credit records: validation, the one-source rule per partition, publicity."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from credit import services
from credit.models import CreditRecord, LegalEntity, last_public_day
from hub.records import context
from hub.records.sources import SourceRuleViolation
from tests.credit.factories import make_entity, make_record, new_uscc, record_values
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def entity_values(**overrides):
    person = make_person()
    code = overrides.pop("uscc", None) or new_uscc()
    values = {
        "uscc": code,
        "name": "苏州恒信贸易有限公司",
        "entity_type": code[:2],
        "registration_authority": "scjgj",
        "legal_representative": person.name,
        "legal_representative_id_number": person.id_number,
        "status": "active",
    }
    values.update(overrides)
    return values


def refused(department, values, model=LegalEntity, error=ValidationError):
    before = model.objects.count(), model.history.count()
    with pytest.raises(error) as caught:
        services.write_record(model, department, values)
    assert (model.objects.count(), model.history.count()) == before
    return caught.value


def test_entity_is_created_by_its_registration_authority_with_history():
    entity = make_entity()
    assert entity.entity_type == "91"
    version = entity.history.get()
    assert version.source_department == "scjgj"
    assert entity.source_stamps.keys() == {"scjgj"}


def test_civil_affairs_registers_social_organisations():
    code = new_uscc("5", "1")
    entity = make_entity(uscc=code, name="南京市软件行业协会")
    assert entity.registration_authority == "mzt" and entity.entity_type == "51"


def test_code_failing_its_checksum_is_refused():
    code = new_uscc()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    error = refused("scjgj", entity_values(uscc=bad, entity_type=bad[:2]))
    assert "check character" in str(error.message_dict["uscc"])


def test_legacy_code_on_the_allow_list_is_admitted():
    from credit.models import LegacyCode

    code = new_uscc()
    legacy = code[:17] + ("0" if code[17] != "0" else "1")
    LegacyCode.objects.create(code=legacy)
    entity = services.create_entity("scjgj", entity_values(uscc=legacy, entity_type=legacy[:2]))
    assert LegalEntity.objects.get(uscc=legacy) == entity


def test_unknown_entity_type_is_refused():
    from credit.validators import org_code_check_char, uscc_check_char

    # authority 9 (market regulation) has no type 5
    first17 = "95320102" + "MA1XXXXX" + org_code_check_char("MA1XXXXX")
    code = first17 + uscc_check_char(first17)
    error = refused("scjgj", entity_values(uscc=code, entity_type="91"))
    assert "Unknown entity type 95" in str(error.message_dict["uscc"])


def test_entity_type_must_follow_the_code():
    error = refused("scjgj", entity_values(entity_type="92"))
    assert "disagrees" in str(error.message_dict["entity_type"])


def test_entity_of_an_authority_outside_the_library_is_refused():
    code = new_uscc("1", "2")  # 事业单位, registered by 机构编制
    error = refused("scjgj", entity_values(uscc=code, entity_type="91"))
    assert "not a source of this library" in str(error.message_dict["uscc"])


def test_registration_partition_must_follow_the_code():
    error = refused("mzt", entity_values(registration_authority="mzt"))
    assert "registration_authority" in error.message_dict


def test_representative_must_be_in_the_population_library():
    values = entity_values()
    values["legal_representative_id_number"] = "11010519491231002X"
    error = refused("scjgj", values)
    assert "population library" in str(error.message_dict["legal_representative_id_number"])


def test_entity_written_by_another_registration_authority_is_refused():
    error = refused("mzt", entity_values(), error=SourceRuleViolation)
    assert error.violations and all(v["source"] == "scjgj" for v in error.violations)


def test_change_by_the_other_partitions_source_is_refused_and_writes_nothing():
    entity = make_entity()
    with pytest.raises(SourceRuleViolation):
        with context.writing("mzt"):
            entity.status = "revoked"
            entity.save()
    assert LegalEntity.objects.get(pk=entity.pk).status == "active"
    assert entity.history.count() == 1


# -- credit records ---------------------------------------------------------------------------


def test_penalty_is_written_by_its_deciding_authority():
    entity = make_entity()
    record = make_record("penalty", entity.uscc, "swj")
    assert record.history.get().source_department == "swj"


def test_penalty_without_decision_number_is_refused():
    entity = make_entity()
    values = record_values("penalty", entity.uscc, decision_number="")
    error = refused("scjgj", values, model=CreditRecord)
    assert "decision number" in str(error.message_dict["decision_number"])


def test_publicity_end_before_decision_date_is_refused():
    entity = make_entity()
    day = datetime.date(2026, 3, 1)
    values = record_values(
        "penalty", entity.uscc, decision_date=day, publicity_end_date=day - datetime.timedelta(1)
    )
    error = refused("scjgj", values, model=CreditRecord)
    assert "before the decision date" in str(error.message_dict["publicity_end_date"])


def test_publicity_end_beyond_the_statutory_period_is_refused():
    entity = make_entity()
    day = datetime.date(2026, 3, 1)
    values = record_values(
        "penalty", entity.uscc, decision_date=day, publicity_end_date=datetime.date(2027, 6, 1)
    )
    error = refused("scjgj", values, model=CreditRecord)
    assert "statutory period" in str(error.message_dict["publicity_end_date"])


def test_write_by_a_department_that_did_not_decide_the_record_is_refused():
    entity = make_entity()
    values = record_values("penalty", entity.uscc, "swj")
    error = refused("scjgj", values, model=CreditRecord, error=SourceRuleViolation)
    assert {v["source"] for v in error.violations} == {"swj"}
    record = make_record("penalty", entity.uscc, "swj")
    with pytest.raises(SourceRuleViolation):
        with context.writing("scjgj"):
            record.content = "改写"
            record.save()
    # moving a record into one's own partition is refused too
    with pytest.raises(SourceRuleViolation):
        with context.writing("scjgj"):
            record.deciding_department = "scjgj"
            record.save()
    assert CreditRecord.objects.get(pk=record.pk).deciding_department == "swj"


def test_record_subject_key_is_validated_by_subject_type():
    values = record_values("penalty", "91320102MA1XXXXXX0")
    error = refused("scjgj", values, model=CreditRecord)
    assert "subject_key" in error.message_dict
    values = record_values("dishonest_debtor", "320102196102030771", "gy", subject_type="person")
    error = refused("gy", values, model=CreditRecord)
    assert "subject_key" in error.message_dict


def test_list_kinds_need_their_items():
    entity = make_entity()
    error = refused(
        "gy", record_values("dishonest_debtor", entity.uscc, "gy", case_number=""), model=CreditRecord
    )
    assert "case_number" in error.message_dict
    error = refused(
        "fgw",
        record_values("serious_dishonesty", entity.uscc, "fgw", listed_until=datetime.date(2020, 1, 1)),
        model=CreditRecord,
    )
    assert "before listed from" in str(error.message_dict["listed_until"])


def test_statutory_publicity_periods():
    entity = make_entity()
    ordinary = make_record("penalty", entity.uscc, decision_date=datetime.date(2025, 3, 10))
    serious = make_record(
        "penalty", entity.uscc, decision_date=datetime.date(2025, 3, 10), severity="serious"
    )
    licence = make_record("licensing", entity.uscc, decision_date=datetime.date(2025, 3, 10))
    assert last_public_day(ordinary) == datetime.date(2026, 3, 9)
    assert last_public_day(serious) == datetime.date(2028, 3, 9)
    assert last_public_day(licence) == datetime.date(2028, 3, 9)
    assert ordinary.is_public_on(datetime.date(2026, 3, 9))
    assert not ordinary.is_public_on(datetime.date(2026, 3, 10))
    assert not ordinary.is_public_on(datetime.date(2025, 3, 9))
    shortened = make_record(
        "penalty",
        entity.uscc,
        decision_date=datetime.date(2025, 3, 10),
        publicity_end_date=datetime.date(2025, 9, 9),
    )
    assert not shortened.is_public_on(datetime.date(2025, 9, 10))


def test_demo_rows_pass_every_rule():
    from credit.demo import generate_entities, generate_records

    people = [(p.id_number, p.name) for p in (make_person() for _ in range(5))]
    entities = list(generate_entities(60, people, seed=7))
    for row in entities:
        services.write_record(LegalEntity, row["registration_authority"], row)
    records = generate_records(
        [(r["uscc"], r["name"]) for r in entities], people, datetime.date.today(), seed=7
    )
    assert {r["kind"] for r in records} >= {"licensing", "penalty", "red_list"}
    for row in records:
        services.write_record(CreditRecord, row["deciding_department"], row)
    assert CreditRecord.objects.count() == len(records)


def test_the_same_decision_twice_is_refused():
    entity = make_entity()
    first = make_record("penalty", entity.uscc, "scjgj")
    again = record_values("penalty", entity.uscc, "scjgj", decision_number=first.decision_number)
    error = refused("scjgj", again, model=CreditRecord)
    assert "already recorded this decision" in str(error.messages)
    # another authority may use the same number, and so may another subject
    make_record("penalty", entity.uscc, "swj", decision_number=first.decision_number)
    make_record("penalty", make_entity().uscc, "scjgj", decision_number=first.decision_number)


def test_a_department_writing_another_partition_hears_about_the_source_not_the_data():
    values = record_values("penalty", "not-a-code", "swj", decision_number="")
    error = refused("scjgj", values, model=CreditRecord, error=SourceRuleViolation)
    assert "swj" in error.message
