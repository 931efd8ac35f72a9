import pytest

from hub.quality.loader import load_quality_rules


@pytest.fixture
def rules(db):
    """The rules the libraries ship, loaded into the test database."""
    load_quality_rules()
