"""Noninterference (DESIGN.md invariant 3): twin worlds give a caller identical responses.

For each grant profile (built from the catalogue) world A is built and every
operation of the OpenAPI schema is driven with values from A and its twins;
then each twin — differing only in the caller's ungranted items, the hidden
characters of its masked items, or the existence of records it holds nothing
on — is built with the same internal ids and timestamps and driven with the
identical request list. Any difference fails, naming endpoint × parameter ×
profile × twin kind. PostgreSQL only (sequences are reset between worlds).
"""

import os
import random

import pytest
from django.db import connection

from hub.catalogue import spec as catalogue

from . import calls as calling
from . import driver, worlds
from .profiles import build_profiles

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the noninterference harness resets PostgreSQL sequences between twin worlds (set DATABASE_URL)",
)

SEED = int(os.environ.get("HUB_NONINTERFERENCE_SEED", "2026"))
# Calls per operation per world (sampled deterministically); raise it for a deeper local run.
BUDGET = int(os.environ.get("HUB_NONINTERFERENCE_BUDGET", "10"))
KINDS = ("ungranted", "masked", "existence")

PROFILE_NAMES = [
    "none",
    "verify-subset",
    "lookup-subset",
    "search-subset",
    "verify-masked",
    "lookup-masked",
    "search-masked",
    "lookup-one-item",
    "search-all-expired",
    "search-all-revoked",
    "purpose-required-missing",
    "purpose-required-given",
    "mixed-1",
    "mixed-2",
]


@pytest.mark.django_db
def test_profiles_cover_the_catalogue():
    """The profile list is the catalogue's: names as parametrized, every dataset granted somewhere."""
    profiles = build_profiles(SEED)
    assert [p.name for p in profiles] == PROFILE_NAMES
    granted = {catalogue.item(g.item).dataset for p in profiles for g in p.grants}
    assert granted == {d.code for d in catalogue.all_datasets()}


@pytest.mark.django_db
def test_every_dataset_with_records_has_a_world_builder():
    """A dataset added to the catalogue must get a world builder here, or the harness does not see it."""
    derived = {"credit.summary"}  # computed from credit.record, no records of its own
    unbuilt = {d.code for d in catalogue.all_datasets()} - worlds.builders() - derived
    assert not unbuilt, f"no twin-world builder for {sorted(unbuilt)}"


@pytest.mark.django_db
def test_schema_operations_are_driven():
    """Every operation of the schema yields calls; governed list endpoints get undeclared filters too."""
    operations = calling.operations()
    assert len(operations) > 40
    plan, pools = worlds.plan_world_a(SEED)
    values = calling.Values([plan])
    for op in operations:
        assert calling.calls_for(op, values, random.Random(1), 1000), op.id
    persons = next(o for o in operations if o.id == "population_persons_list")
    names = calling.query_parameters(persons)
    assert {"q", "ordering", "birth_date_after", "name", "no_such_parameter"} <= set(names)


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("profile_name", PROFILE_NAMES)
def test_twin_worlds_answer_identically(profile_name):
    profile = next(p for p in build_profiles(SEED) if p.name == profile_name)
    visibility = profile.visibility()
    saved = worlds.sequences()
    plan_a, pools = worlds.plan_world_a(SEED)
    driver.remember_a(plan_a)
    twins = {kind: worlds.twin(plan_a, pools, visibility, kind, SEED) for kind in KINDS}
    twins = {kind: plan for kind, plan in twins.items() if plan is not None}
    calls = calling.all_calls([plan_a, *twins.values()], SEED, BUDGET, visibility)
    responses_a, snapshot_a, _plan = driver.run_world(plan_a, profile, calls, saved)
    failures = []
    for kind, plan_b in twins.items():
        responses_b, _snapshot, _plan = driver.run_world(plan_b, profile, calls, saved, reference=snapshot_a)
        diffs = driver.differences(responses_a, responses_b)
        if diffs:
            failures.append(driver.report(profile_name, kind, diffs))
    assert not failures, "\n\n".join(failures)
