import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from hub.access.models import ConsumerSystem
from population.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Command errors are asserted in English; operators get them in the default language."""
    with translation.override("en"):
        yield


def test_create_system_prints_a_working_key_once():
    out = io.StringIO()
    call_command("create_system", "婚姻登记系统", "--department", "mzt", "--provider", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    system = ConsumerSystem.objects.get(name="婚姻登记系统")
    assert system.is_provider and system.department.code == "mzt"
    assert raw not in system.api_keys.get().hashed_secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert client.get("/api/v1/access/me/").json()["system"]["department"] == "mzt"
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_system", "婚姻登记系统", "--department", "mzt", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Unknown department"):
        call_command("create_system", "x", "--department", "nope", stdout=io.StringIO())


def test_seed_demo_creates_people_systems_and_persons_by_their_sources():
    out = io.StringIO()
    call_command("seed_demo", "--persons", "30", stdout=out)
    assert Person.objects.count() >= 30
    assert "admin / demo-2026" in out.getvalue()
    person = Person.objects.exclude(marital_status="").first()
    sources = set(person.history.values_list("source_department", flat=True))
    assert {"gat", "mzt"} <= sources
    lines = out.getvalue().splitlines()
    key_line = next(line for line in lines if line.startswith("API key for 一网通办平台"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key_line.rsplit(': ', 1)[1]}")
    assert client.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 200
