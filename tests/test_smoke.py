import pytest

from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db


def test_lookup_returns_only_granted_items():
    person = make_person(marital_status="20")
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    response = client.get(f"/api/v1/population/persons/{person.id_number}/")
    assert response.status_code == 200
    assert response.json() == {"name": person.name}
