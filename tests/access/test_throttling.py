import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

from hub.access.throttling import SystemRateThrottle
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db


def test_each_system_is_throttled_on_its_own_with_retry_after(monkeypatch):
    cache.clear()
    monkeypatch.setattr(
        SystemRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "system": "3/min"}
    )
    person = make_person()
    grants = [("population.person.name", "lookup", False)]
    _a, busy = make_system(grants=grants)
    _b, quiet = make_system(grants=grants)
    url = f"/api/v1/population/persons/{person.id_number}/"
    statuses = [busy.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = busy.get(url)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["code"] == "throttled"
    assert person.name not in throttled.content.decode()
    assert quiet.get(url).status_code == 200
    cache.clear()
