"""Property-based fuzzing of the hub's own OpenAPI schema (schemathesis).

Every operation in ``/api/v1/schema/`` is called with generated input, as a
system holding a mix of grants, a bounded number of times. Nothing may answer
5xx, and every documented response must match its schema. Libraries merged
later are covered automatically: their operations appear in the schema.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_person, make_system

# Bounded for CI; raise it locally (HUB_FUZZ_EXAMPLES=200) for a deeper search.
MAX_EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "20"))


def _load_schema():
    """The schema, read from the WSGI app itself; the calls then go to it in-process."""
    from hub.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


schema = _load_schema()


@pytest.fixture
def in_process(db):
    """Like Django's test client, keep the per-request connection clean-up off while
    the calls run: the test's transaction lives on that connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(db):
    """A system with lookup, search (masked and not) and verify grants, and a few persons to find."""
    for _ in range(3):
        make_person()
    _system, client = make_system(
        grants=[
            ("population.person.id_number", "search", True),
            ("population.person.name", "search", False),
            ("population.person.gender", "lookup", False),
            ("population.person.birth_date", "verify", False),
            ("population.person.household_division", "search", False),
        ]
    )
    return client.raw_key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_survives_generated_input(case, fuzz_key, in_process):
    case.call_and_validate(
        headers={"Authorization": f"Api-Key {fuzz_key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
