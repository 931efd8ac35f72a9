r"""Prove the governed-API tests guard what they claim: remove each guard, watch tests fail.

    .venv/bin/python tools/guard_mutations.py [pytest target] [--only TEXT] [-x]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_x \
        .venv/bin/python tools/guard_mutations.py tests/noninterference

Each mutation is a one-line source edit that disables one guard of the
governed read path. The script first runs the target unmutated (the
baseline), then, for each mutation, applies it, runs the target, restores
the file, and reports how many tests failed *that did not fail at baseline*.
Every row must show at least one new failure; the script exits non-zero
otherwise. The database is the one ``DATABASE_URL`` names (SQLite without
it); on PostgreSQL the test database is kept between runs (``--reuse-db``).

The noninterference harness (``tests/noninterference``) also reports the
cases it found differing (endpoint × parameter × profile × twin); a mutation
counts as caught there when it makes new cases differ, so a harness that
already fails on leaks still proves each guard.

``--only`` runs the mutations whose name contains TEXT (repeatable); ``-x``
stops each run at its first failing test (enough to show the guard is caught).
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MUTATIONS = [
    (
        "no mode check",
        "hub/records/views.py",
        "        if not self.scope.has(mode):\n",
        "        if False:\n",
    ),
    (
        "serializer returns every field",
        "hub/records/views.py",
        '            "fields": fields,\n',
        '            "fields": None,\n',
    ),
    (
        "no masking",
        "hub/records/views.py",
        '            "masks": self.scope.masks(mode),\n',
        '            "masks": {},\n',
    ),
    (
        "filters not checked against grants",
        "hub/records/views.py",
        '            if declared.field_name.split("__")[0] not in allowed:\n',
        "            if False:\n",
    ),
    (
        "ordering not checked against grants",
        "hub/records/views.py",
        "            if name not in allowed:\n",
        "            if False:\n",
    ),
    (
        "q searches every search field",
        "hub/records/views.py",
        "            searchable = [f for f in self.search_fields if f in allowed]\n",
        "            searchable = list(self.search_fields)\n",
    ),
    (
        "verify items not checked against grants",
        "hub/records/views.py",
        "                if name not in verifiable:\n",
        "                if False:\n",
    ),
    (
        "history shows every item",
        "hub/records/views.py",
        "        fields = self.scope.fields(Mode.LOOKUP)\n        versions = history.versions(",
        "        fields = [i.field for i in self.dataset.items]\n        versions = history.versions(",
    ),
    (
        "no audit row",
        "hub/records/views.py",
        "                self._write_audit(response, started)\n",
        "                pass\n",
    ),
    (
        "purpose requirement ignored",
        "hub/access/scope.py",
        "            if require_purpose and not has_purpose:\n",
        "            if False:\n",
    ),
    (
        "expired grants count",
        "hub/access/authentication.py",
        "     AND (g.expires_at IS NULL OR g.expires_at > %s)\n",
        "     AND (g.expires_at IS NULL OR g.expires_at > %s OR TRUE)\n",
    ),
    (
        "revoked keys accepted",
        "hub/access/authentication.py",
        "        if not key.is_usable:\n",
        "        if False:\n",
    ),
    (
        "IP allow-list ignored",
        "hub/access/authentication.py",
        "        if not key.system.allows_ip(client_ip(request)):\n",
        "        if False:\n",
    ),
    (
        "not-shared grants honoured",
        "hub/access/scope.py",
        "            if item is None or item.sharing_type == SharingType.NOT_SHARED:\n",
        "            if item is None:\n",
    ),
]


def run_target(target, extra, report):
    """``(failed test ids, differing harness cases)`` of one run of ``target``."""
    env = dict(os.environ, HUB_NONINTERFERENCE_REPORT=str(report))
    if report.exists():
        report.unlink()
    command = [sys.executable, "-m", "pytest", target, "-q", "-p", "no:cacheprovider", *extra]
    if env.get("DATABASE_URL", "").startswith("postgres"):
        command.append("--reuse-db")
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    failed = {line.split(" ")[1] for line in run.stdout.splitlines() if line.startswith("FAILED ")}
    errors = {line.split(" ")[1] for line in run.stdout.splitlines() if line.startswith("ERROR ")}
    cases = set(report.read_text(encoding="utf-8").splitlines()) if report.exists() else set()
    return failed | errors, cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", default="tests/population/test_api.py")
    parser.add_argument("--only", action="append", default=[], help="run mutations whose name contains this")
    parser.add_argument("-x", action="store_true", help="stop each run at its first failing test")
    args = parser.parse_args()
    # A stopped run (SIGTERM) still restores the mutated file: the ``finally`` below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    extra = ["-x"] if args.x else []
    mutations = [m for m in MUTATIONS if not args.only or any(text in m[0] for text in args.only)]
    failures_missing = []
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "noninterference.jsonl"
        base_failed, base_cases = run_target(args.target, [], report)
        if base_failed:
            # Stopping at the first failure would stop at one that fails anyway.
            extra = []
            print(
                f"baseline: {len(base_failed)} tests already fail and {len(base_cases)} cases differ;"
                " only new ones are counted"
            )
        print(f"{'mutation':42s} failing tests")
        for name, path, old, new in mutations:
            file = ROOT / path
            original = file.read_text()
            if old not in original:
                print(f"{name:42s} SOURCE CHANGED: mutation no longer applies")
                failures_missing.append(name)
                continue
            file.write_text(original.replace(old, new, 1))
            try:
                failed, cases = run_target(args.target, extra, report)
            finally:
                file.write_text(original)
            new_failed = sorted(t.split("::")[-1] for t in failed - base_failed)
            new_cases = cases - base_cases
            shown = ", ".join(new_failed[:3]) + (" …" if len(new_failed) > 3 else "")
            if new_cases:
                shown += f" (+{len(new_cases)} differing cases)"
            print(f"{name:42s} {len(new_failed):3d}  {shown}")
            if not new_failed and not new_cases:
                failures_missing.append(name)
    if failures_missing:
        print("No test caught:", ", ".join(failures_missing))
        sys.exit(1)
    print("Every guard is covered by at least one failing test.")


if __name__ == "__main__":
    main()
