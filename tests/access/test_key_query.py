"""The key + grants lookup: prepared once per PostgreSQL session, never a cache of answers."""

import pytest
from django.db import connection
from django.utils import timezone

from hub.access.models import ApiKey, Grant
from tests.factories import make_person, make_system

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def prepared_key_queries():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'hub_load_key'")
        return cursor.fetchone()[0]


@pytest.fixture
def fresh_session():
    """The session as a new connection has it: nothing prepared (and so after the test)."""

    def forget():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        connection._hub_key_query_prepared_on = None  # set on the wrapper behind the proxy

    forget()
    yield
    forget()


def test_prepared_once_and_revocations_still_apply_on_the_next_call(fresh_session):
    person = make_person()
    system, client = make_system(grants=[("population.person.name", "lookup", False)])
    url = f"/api/v1/population/persons/{person.id_number}/"
    assert prepared_key_queries() == 0
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert prepared_key_queries() == 1
    Grant.objects.filter(system=system).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 403
    ApiKey.objects.filter(system=system).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 401


def test_can_be_turned_off_for_transaction_pooling(fresh_session, settings):
    settings.HUB_PREPARED_KEY_QUERY = False
    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    assert client.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 200
    assert prepared_key_queries() == 0
