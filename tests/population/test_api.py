"""The population library through the governed-API test base, plus its own cases."""

import pytest

from hub.records import context
from population.demo import make_id_number
from tests.factories import make_person
from tests.governed import GovernedAPITests


@pytest.mark.django_db
class TestPersonAPI(GovernedAPITests):
    dataset = "population.person"
    url = "/api/v1/population/persons/"
    shown_item = "name"
    hidden_item = "marital_status"
    masked_item = "name"
    search_text_item = "name"

    def make_record(self):
        return make_person(marital_status="20")

    def missing_key(self, record):
        import datetime

        return make_id_number("320102", datetime.date(1961, 2, 3), 77, True)

    def change(self, record):
        old = record.marital_status
        with context.writing("mzt", reason="marriage registered"):
            record.marital_status = "40"
            record.save()
        return "marital_status", old, "40"


@pytest.mark.django_db
def test_lookup_key_is_case_insensitive_for_the_check_x():
    from tests.factories import make_system

    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    response = client.get(f"/api/v1/population/persons/{person.id_number.lower()}/")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key, fragment",
    [
        ("123", "18 characters"),
        ("32010219610203077A", "17 digits"),
        ("320102196102030771", "check character"),
    ],
)
def test_malformed_key_is_400_naming_the_rule(key, fragment):
    from tests.factories import make_system

    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    response = client.get(f"/api/v1/population/persons/{key}/")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
