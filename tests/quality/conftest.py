import pytest

from hub.quality.loader import load_quality_rules


@pytest.fixture(autouse=True)
def english_messages(english_messages):
    """Rule errors and command output are asserted in English, in every test here."""
    return english_messages


@pytest.fixture
def rules(db):
    """The rules the libraries ship, loaded into the test database."""
    load_quality_rules()
