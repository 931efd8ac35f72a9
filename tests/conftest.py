"""Shared fixtures: the catalogue is loaded once into the test database.

Tests use explicit factories from ``tests.factories``; nothing else is shared.
"""

import pytest
from django.utils import translation

from hub.catalogue import loader
from hub.catalogue import spec as catalogue_spec


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        loader.load()


@pytest.fixture(autouse=True)
def fresh_catalogue_cache():
    catalogue_spec.clear()
    yield
    catalogue_spec.clear()


@pytest.fixture
def catalogue(transactional_db):
    """For transactional tests: tables are emptied between tests, so reload."""
    loader.load()
    catalogue_spec.clear()


@pytest.fixture
def english_messages():
    """Messages in English, as tests assert them (pages and the API still choose their own language)."""
    with translation.override("en"):
        yield
