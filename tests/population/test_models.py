"""The one-source rule and history on the ORM write path."""

import pytest
from django.core.exceptions import ValidationError

from hub.records import context
from hub.records.models import NoWriteContext
from hub.records.sources import SourceRuleViolation
from population.models import Person
from tests.factories import make_person, person_rows

pytestmark = pytest.mark.django_db


def test_civil_affairs_cannot_change_a_name():
    person = make_person()
    with context.writing("mzt"), pytest.raises(SourceRuleViolation) as caught:
        person.name = "改名"
        person.save()
    assert caught.value.violations == [{"item": "population.person.name", "source": "gat"}]
    assert "population.person.name" in caught.value.message and "gat" in caught.value.message
    assert Person.objects.get(pk=person.pk).name != "改名"


def test_public_security_cannot_change_marital_status():
    person = make_person()
    with context.writing("gat"), pytest.raises(SourceRuleViolation):
        person.marital_status = "20"
        person.save()
    assert Person.objects.get(pk=person.pk).marital_status == ""


def test_a_write_touching_own_and_foreign_items_is_refused_whole():
    person = make_person()
    with context.writing("mzt"), pytest.raises(SourceRuleViolation) as caught:
        person.marital_status = "20"
        person.education_level = "21"
        person.save()
    assert [v["item"] for v in caught.value.violations] == ["population.person.education_level"]
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.marital_status, fresh.education_level) == ("", "")


def test_only_the_key_source_creates_records():
    row = person_rows(1)[0]
    with context.writing("mzt"), pytest.raises(SourceRuleViolation) as caught:
        Person(id_number=row["id_number"], name="", gender="1", birth_date=row["birth_date"]).save()
    assert {"item": "population.person.id_number", "source": "gat"} in caught.value.violations
    assert not Person.objects.filter(id_number=row["id_number"]).exists()


def test_writes_outside_a_context_are_refused():
    person = make_person()
    person.name = "无源"
    with pytest.raises(NoWriteContext):
        person.save()
    with pytest.raises(NoWriteContext):
        person.delete()


def test_every_change_leaves_a_history_row_naming_its_source():
    person = make_person()
    with context.writing("mzt", reason="marriage registered", batch="b-1"):
        person.marital_status = "20"
        person.save()
    latest = person.history.order_by("-history_id").first()
    assert latest.source_department == "mzt"
    assert latest.history_change_reason == "marriage registered"
    assert latest.batch == "b-1"
    assert latest.marital_status == "20"
    assert person.history.first().history_type == "~"
    assert list(person.history.order_by("history_id").values_list("source_department", flat=True)) == [
        "gat",
        "mzt",
    ]
    assert "mzt" in Person.objects.get(pk=person.pk).source_stamps


def test_an_unchanged_save_writes_no_history():
    person = make_person()
    count = person.history.count()
    with context.writing("gat"):
        person.save()
    assert person.history.count() == count


def test_cross_field_rules_name_the_field():
    row = person_rows(1)[0]
    values = {**row, "birth_date": row["birth_date"].replace(year=row["birth_date"].year - 1)}
    assert "birth_date" in Person.cross_field_errors(values)
    values = {**row, "gender": "2" if row["gender"] == "1" else "1"}
    assert "gender" in Person.cross_field_errors(values)
    assert Person.cross_field_errors(row) == {}
    person = Person(**{k: v for k, v in row.items() if v not in ("", None)})
    person.birth_date = person.birth_date.replace(day=1 if person.birth_date.day != 1 else 2)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "birth_date" in caught.value.message_dict
