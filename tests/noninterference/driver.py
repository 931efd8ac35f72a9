"""Drive the request list against one world and compare twins' responses."""

import contextlib
import difflib
import json
import random
import time
import uuid
from collections import Counter

import time_machine
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from hub.access.choices import Mode
from hub.access.models import ApiKey, ConsumerSystem, Grant, hash_secret
from hub.catalogue import spec as catalogue_spec
from hub.catalogue.models import DataItem, Department

from . import stats, worlds

# Headers that differ per call by nature; everything else must match.
IGNORED_HEADERS = {"date", "x-request-id", "server-timing", "x-response-time", "x-runtime", "age"}
MAX_PAGES = 12
KEY_PREFIX, KEY_SECRET = "ni0000000001", "noninterference-fixed-secret-for-twins-0001"


@contextlib.contextmanager
def seeded_uuids(seed):
    """``uuid.uuid4`` from a seeded generator: ids and examples the hub draws at random come out
    the same in every world (they are not what the caller may not learn)."""
    rng = random.Random(seed)
    original = uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
    try:
        yield
    finally:
        uuid.uuid4 = original


def travel(moment):
    return time_machine.travel(moment, tick=False)


def _reset_process_state():
    """State outside the database that a world must not inherit from the previous one."""
    cache.clear()
    catalogue_spec.clear()
    with contextlib.suppress(ImportError):
        from geodata import divisions, spatial

        divisions.clear_cache()
        spatial.division_geometries.clear()
    with contextlib.suppress(ImportError):
        from hub.quality import receivers

        receivers._reset_review_cache()


def make_caller(profile):
    """The profile's system, grants and API key (same ids and key in every world)."""
    system = ConsumerSystem.objects.create(
        name=f"noninterference {profile.name}", department=Department.objects.get(code="dsj")
    )
    items = dict(DataItem.objects.values_list("code", "pk"))
    Grant.objects.bulk_create(
        Grant(system=system, item_id=items[code], **dict(fields, mode=Mode.from_name(fields["mode"])))
        for code, fields in profile.grant_rows()
    )
    ApiKey.objects.create(
        system=system, name="twin", prefix=KEY_PREFIX, hashed_secret=hash_secret(KEY_SECRET)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {KEY_PREFIX}.{KEY_SECRET}")
    if profile.purpose:
        client.credentials(
            HTTP_AUTHORIZATION=f"Api-Key {KEY_PREFIX}.{KEY_SECRET}", HTTP_X_PURPOSE=profile.purpose
        )
    return client


def _normal(response):
    headers = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in IGNORED_HEADERS)
    body = response.content.decode("utf-8", "replace")
    try:
        body = json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True, indent=1)
    except ValueError:
        pass
    return response.status_code, tuple(headers), body


def _links(body):
    try:
        data = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    nxt, prev = data.get("next"), data.get("previous")
    return (nxt if isinstance(nxt, str) else None), (prev if isinstance(prev, str) else None)


def _send(client, call, url=None):
    url = url or call.url()
    if call.method == "GET":
        return client.get(url)
    body = json.dumps(call.body, ensure_ascii=False, default=str)
    return client.generic(call.method, url, body, content_type="application/json")


def drive(client, calls, profile_name):
    """``[(call, step, normalised response)]``; links are followed forward to the end, then back."""
    out = []
    for number, call in enumerate(calls):
        response = _normal(_send(client, call))
        out.append((call, (number, ""), response))
        stats.case(call.operation, call.parameter, profile_name)
        if not call.follow:
            continue
        last = response
        for direction in ("next", "previous"):
            for page in range(1, MAX_PAGES + 1):
                nxt, prev = _links(last[2])
                link = nxt if direction == "next" else prev
                if not link:
                    break
                last = _normal(_send(client, call, link))
                out.append((call, (number, f"{direction}#{page}"), last))
                stats.case(call.operation, f"{call.parameter} ({direction} link)", profile_name)
    stats.requests(len(out))
    return out


def run_world(plan, profile, calls, saved_sequences, reference=None):
    """Build ``plan`` in a savepoint, drive ``calls``, roll back. Returns (responses, snapshot, plan).

    With ``reference`` (world A's snapshot), a twin whose visible items came out
    different is repaired first: the coupled records lose their variation.
    """
    visibility = profile.visibility()
    original = _A_PLANS["A"]
    for _attempt in range(12):
        coupled, invalid, result = [], None, None
        try:
            with transaction.atomic(), seeded_uuids(profile.name):
                worlds.restore_sequences(saved_sequences)
                _reset_process_state()
                with travel(worlds.T0):
                    client = make_caller(profile)
                try:
                    started = time.perf_counter()
                    with transaction.atomic():
                        snapshot = worlds.build(plan, travel)
                    stats.building(time.perf_counter() - started)
                except worlds.TwinInvalid as exc:
                    if reference is None:
                        raise
                    invalid = exc
                else:
                    coupled = worlds.couplings(reference, snapshot, visibility) if reference else []
                    if not coupled:
                        started = time.perf_counter()
                        with travel(worlds.T2):
                            responses = drive(client, calls, profile.name)
                        stats.timing(plan.name, time.perf_counter() - started)
                        result = responses, snapshot, plan
                raise _Rollback
        except _Rollback:
            pass
        if result is not None:
            return result
        if invalid is not None:
            for (code, key), fields in invalid.records.items():
                plan = worlds.revert(plan, original, code, key, fields or None)
        for code, _key, field in coupled:
            stats.coupling(code, field, plan.name)
        for code, key in {(c, k) for c, k, _f in coupled}:
            plan = worlds.revert(plan, original, code, key)
    raise AssertionError(f"twin {plan.name} for {profile.name} could not be made consistent")


class _Rollback(Exception):
    """Leaves the world's savepoint: every world is rolled back after its calls."""


_A_PLANS = {}


def remember_a(plan):
    _A_PLANS["A"] = plan


def differences(a, b):
    """``[(call, step, text)]`` for each response that differs between the twins.

    Responses are matched by (call, link step), so a chain of links one world
    follows further than the other is one difference, not a shift of all that follow.
    """
    by_step_a = {step: (call, response) for call, step, response in a}
    by_step_b = {step: (call, response) for call, step, response in b}
    out = []
    for step in sorted(set(by_step_a) | set(by_step_b)):
        if step not in by_step_a or step not in by_step_b:
            call = (by_step_a.get(step) or by_step_b.get(step))[0]
            world = "A" if step in by_step_a else "B"
            out.append((call, step[1], f"only world {world} had this link to follow"))
            continue
        call, (sa, ha, ba) = by_step_a[step]
        _call, (sb, hb, bb) = by_step_b[step]
        if (sa, ha, ba) == (sb, hb, bb):
            continue
        lines = []
        if sa != sb:
            lines.append(f"status: A {sa} / B {sb}")
        if ha != hb:
            lines.append(f"headers: A {sorted(set(ha) - set(hb))} / B {sorted(set(hb) - set(ha))}")
        if ba != bb:
            diff = difflib.unified_diff(ba.splitlines(), bb.splitlines(), "A", "B", lineterm="", n=1)
            lines += list(diff)[2:40]
        out.append((call, step[1], "\n".join(lines)))
    return out


def report(profile_name, kind, diffs, limit=12):
    """A readable failure text: counts per endpoint × parameter, then the first diffs in full."""
    by_case = Counter((call.operation, call.parameter) for call, _step, _t in diffs)
    for operation, parameter in by_case:
        stats.differing(operation, parameter, profile_name, kind)
    lines = [f"profile {profile_name} × twin {kind}: {len(diffs)} differing responses"]
    for (operation, parameter), n in sorted(by_case.items()):
        lines.append(f"  {operation} × {parameter}: {n}")
    shown = set()
    for call, step, text in diffs:
        case = (call.operation, call.parameter)
        if case in shown or len(shown) >= limit:
            continue
        shown.add(case)
        lines.append(f"--- {call.operation} × {call.parameter} × {profile_name} × {kind} {step}")
        lines.append(f"    {call.describe()}")
        lines += ["    " + line for line in text.splitlines()]
    return "\n".join(lines)
