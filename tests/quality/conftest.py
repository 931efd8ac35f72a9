import pytest
from django.utils import translation

from hub.quality.loader import load_quality_rules


@pytest.fixture(autouse=True)
def english_messages():
    """Rule errors and command output are asserted in English; pages and the API choose their own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def rules(db):
    """The rules the libraries ship, loaded into the test database."""
    load_quality_rules()
