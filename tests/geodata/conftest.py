"""Geodata fixtures: the reference divisions with their (synthetic) boundaries, loaded per test."""

import pytest
from django.utils import translation

from geodata import divisions, spatial


@pytest.fixture(autouse=True)
def fresh_division_caches():
    divisions.clear_cache()
    spatial.division_geometries.clear()
    yield
    divisions.clear_cache()
    spatial.division_geometries.clear()


@pytest.fixture
def loaded_divisions(db):
    """Every reference division written by civil affairs, boundaries by natural resources."""
    from geodata.demo import load_divisions

    load_divisions()
    return True


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level messages are asserted in English; pages and API responses choose their own language."""
    with translation.override("en"):
        yield
