import pytest


@pytest.fixture(autouse=True)
def english_messages(english_messages):
    """Service-level messages are asserted in English, in every test here."""
    return english_messages
