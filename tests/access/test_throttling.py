import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

from hub.access.throttling import SystemRateThrottle
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """A clock the throttle reads; starts 15 s into a minute."""
    cache.clear()
    monkeypatch.setattr(
        SystemRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "system": "3/min"}
    )
    now = [1_800_000_015.0]
    monkeypatch.setattr(SystemRateThrottle, "timer", lambda self: now[0])
    yield now
    cache.clear()


def test_each_system_is_throttled_on_its_own_with_retry_after(clock):
    person = make_person()
    grants = [("population.person.name", "lookup", False)]
    _a, busy = make_system(grants=grants)
    _b, quiet = make_system(grants=grants)
    url = f"/api/v1/population/persons/{person.id_number}/"
    statuses = [busy.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = busy.get(url)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) == 45  # the rest of the minute
    assert throttled.json()["code"] == "throttled"
    assert person.name not in throttled.content.decode()
    assert quiet.get(url).status_code == 200


def test_the_allowance_comes_back_with_the_next_window(clock):
    person = make_person()
    _a, client = make_system(grants=[("population.person.name", "lookup", False)])
    url = f"/api/v1/population/persons/{person.id_number}/"
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    clock[0] += 44
    assert client.get(url).status_code == 429
    clock[0] += 1  # the next minute
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
