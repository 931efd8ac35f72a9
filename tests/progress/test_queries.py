"""The dashboard's cost does not grow with the number of records."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from population.models import Person
from tests.factories import make_system

from .helpers import make_member, make_plan, write_persons

pytestmark = pytest.mark.django_db

PAGES = [
    "/dashboard/",
    "/dashboard/libraries/population/",
    "/dashboard/departments/gat/",
    "/dashboard/export.xlsx",
    "/dashboard/report/",
    "/api/v1/progress/",
]


def query_counts(client):
    counts = {}
    for url in PAGES:
        client.get(url)  # warm the catalogue cache and the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_query_count_is_fixed_whatever_the_number_of_persons(django_capture_on_commit_callbacks):
    """Records, scans and calls all grow between the two measures; the query count does not."""
    from hub.quality.loader import load_quality_rules
    from hub.quality.scans import scan

    load_quality_rules()
    make_plan(entries=[("population", "population.person", "", "gat", 100)])
    make_member()
    client = Client()
    client.login(username="member", password="pw-Joint-2026")
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(10, seed=41)
    scan("population.person")
    small = query_counts(client)
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(300, seed=42)
    scan("population.person")
    _system, api = make_system(grants=[("population.person.name", "lookup", False)])
    for number in Person.objects.values_list("id_number", flat=True)[:5]:
        api.get(f"/api/v1/population/persons/{number}/")
    large = query_counts(client)
    assert small == large
    assert 5 <= min(small.values()) and max(small.values()) <= 25
