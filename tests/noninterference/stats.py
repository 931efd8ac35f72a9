"""Counts for the session-finish line: cases (endpoint × parameter × profile), requests, couplings."""

import json
import os

_cases = set()
_differences = set()
_requests = [0]
_couplings = set()


def case(operation, parameter, profile):
    _cases.add((operation, parameter, profile))


def requests(n):
    _requests[0] += n


def coupling(dataset, field, twin):
    _couplings.add((dataset, field))


_timings = []


def timing(world, seconds):
    _timings.append((world, seconds))


_builds = []


def building(seconds):
    _builds.append(seconds)


def summary():
    lines = [
        f"noninterference: {len(_cases)} cases (endpoint × parameter × profile) run, {_requests[0]} requests"
    ]
    if _timings:
        total = sum(t for _w, t in _timings)
        lines.append(
            f"noninterference: {len(_timings)} worlds driven in {total:.1f} s,"
            f" {len(_builds)} built in {sum(_builds):.1f} s"
        )
    if _couplings:
        fields = ", ".join(sorted(f"{d}.{f}" for d, f in _couplings))
        lines.append(
            f"noninterference: twins repaired where a visible item is derived from a varied one: {fields}"
        )
    return lines


def differing(operation, parameter, profile, kind):
    _differences.add((operation, parameter, profile, kind))


def write_report():
    """With ``HUB_NONINTERFERENCE_REPORT=path``, the differing cases as JSON lines (for guard_mutations)."""
    path = os.environ.get("HUB_NONINTERFERENCE_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            for case in sorted(_differences):
                out.write(json.dumps(case, ensure_ascii=False) + "\n")


def ran_any():
    return bool(_cases)
