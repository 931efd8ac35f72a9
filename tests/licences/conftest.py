"""Licence tests assert service-level messages in English."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level messages are asserted in English; pages and API responses choose their own language."""
    with translation.override("en"):
        yield
