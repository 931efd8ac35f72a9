import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level messages are asserted in English (the API's default); pages may still be Chinese."""
    with translation.override("en"):
        yield
