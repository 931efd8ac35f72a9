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

A row may name its own target (a fifth element); a target given on the
command line replaces every row's. The noninterference harness
(``tests/noninterference``) also reports the cases it found differing
(endpoint × parameter × profile × twin); a mutation
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
AUDIT_CALLS = "tests/access/test_audit_every_call.py"
AUDIT_CHECKPOINTS = "tests/access/test_audit_checkpoints.py"
DEFAULT_TARGET = "tests/population/test_api.py"

ASCII_TESTS = "tests/records/test_coded_identifiers.py"
STRICT_TESTS = "tests/reliability/test_strict_input.py"

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
        '"fields": fields, "masks": masks}',
        '"fields": None, "masks": masks}',
    ),
    (
        "no masking",
        "hub/records/views.py",
        '"fields": fields, "masks": masks}',
        '"fields": fields, "masks": {}}',
    ),
    (
        "filters not checked against grants",
        "hub/records/filters.py",
        "refuse_unusable(view.scope, view.dataset, param, items_read(filterset_class, param))",
        "None",
    ),
    (
        "ordering not checked against grants",
        "hub/records/filters.py",
        "            refuse_unusable(view.scope, dataset, self.ordering_param, [name])\n",
        "            pass\n",
    ),
    (
        "q searches every search field",
        "hub/records/filters.py",
        "        searchable = [name for name in view.search_fields if scope.usable(name, Mode.SEARCH)]\n",
        "        searchable = list(view.search_fields)\n",
    ),
    (
        "verify items not checked against grants",
        "hub/records/views.py",
        "            if name not in verifiable:\n",
        "            if False:\n",
    ),
    (
        "history shows every item",
        "hub/records/views.py",
        "        fields = self.shown_fields(Mode.LOOKUP)\n        versions = history.versions(",
        "        fields = [i.field for i in self.dataset.items]\n        versions = history.versions(",
    ),
    (
        "no audit row",
        "hub/records/views.py",
        "                self._write_audit(response)\n",
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
    (
        "ID number accepts non-ASCII digits",
        "population/validators.py",
        '    validate_ascii(number, _("ID number"))\n',
        "",
        ASCII_TESTS,
    ),
    (
        "USCC accepts non-ASCII characters",
        "credit/validators.py",
        '    validate_ascii(code, _("Unified social credit code"))\n',
        "",
        ASCII_TESTS,
    ),
    (
        "licence identifier accepts non-ASCII",
        "licences/identifiers.py",
        '    validate_ascii(text, _("Licence identifier"))\n',
        "",
        ASCII_TESTS,
    ),
    (
        "unit number accepts non-ASCII digits",
        "geodata/validators.py",
        '    validate_ascii(number, _("Real-estate unit number"))\n',
        "",
        ASCII_TESTS,
    ),
    (
        "key normalisation upper-cases non-ASCII",
        "hub/records/codes.py",
        "    return str(value).strip().translate(_ASCII_UPPER)\n",
        "    return str(value).strip().upper()\n",
        ASCII_TESTS,
    ),
    (
        "lookup key not checked for ASCII",
        "hub/records/views.py",
        "            validate_ascii(key, self.dataset.natural_key)  # every natural key is a code\n",
        "",
        ASCII_TESTS,
    ),
    (
        "verify body not checked for ASCII",
        "hub/records/views.py",
        "            wrong = ascii_errors(model, ((name, name, value) for name, value in entry.items()))\n",
        "            wrong = {}\n",
        ASCII_TESTS,
    ),
    (
        "filters not checked for ASCII",
        "hub/records/filters.py",
        "((p, filters[p].field_name, v) for p in used for v",
        "((p, filters[p].field_name, v) for p in () for v",
        ASCII_TESTS,
    ),
    (
        "ingest key not checked for ASCII",
        "hub/records/ingest/validation.py",
        "        if key.__class__ is str and not key.isascii() and not (errors",
        "        if False and not key.isascii() and not (errors",
        ASCII_TESTS,
    ),
    (
        "as_of parsed leniently",
        "hub/api/dates.py",
        "    except (ValueError, OverflowError):\n",
        "    except OverflowError:\n",
        STRICT_TESTS,
    ),
    (
        "as_of offset not checked against the calendar's edge",
        "hub/api/dates.py",
        "        when.astimezone(datetime.UTC)  # a time at the edge of the calendar would overflow later\n",
        "",
        STRICT_TESTS,
    ),
    (
        "repair effective_on parsed leniently",
        "credit/api/repairs.py",
        '                effective = dates.parse_date(effective, "effective_on")\n',
        "                effective = effective if isinstance(effective, str) else None\n",
        STRICT_TESTS,
    ),
    (
        "JSON body accepts lone surrogates",
        "hub/api/parsers.py",
        "        found = forbidden_in(data)\n",
        "        found = None\n",
        STRICT_TESTS,
    ),
    (
        "ingest JSON row accepts lone surrogates",
        "hub/records/ingest/parsing.py",
        "        found = forbidden_in(obj)\n",
        "        found = None\n",
        STRICT_TESTS,
    ),
    (
        "mixed-length positions reach shapely",
        "geodata/geometry.py",
        "    geometry = shape_of(geojson)\n    if not geometry.is_valid:\n",
        "    geometry = shape(geojson)\n    if not geometry.is_valid:\n",
        STRICT_TESTS,
    ),
    (
        "bbox reads other scripts' digits",
        "geodata/geometry.py",
        "for p in parts) if str(raw).isascii() else ()",
        "for p in parts) if True else ()",
        STRICT_TESTS,
    ),
    (
        "stored non-ASCII licence keys pass the scan",
        "hub/quality/declarations.py",
        'ASCII_CODE = r"^[!-~]+\\Z"\n',
        'ASCII_CODE = r"^.+\\Z"\n',
        "tests/quality/test_ascii_keys.py",
    ),
    # Roles, self-service limits, caching and login lockout: each with the test file that catches it.
    (
        "is_staff makes an operator",
        "hub/access/roles.py",
        "    return _person(user) and (user.is_superuser or user.has_perm(OPERATOR_PERMISSION))\n",
        "    return _person(user) and (user.is_superuser or user.is_staff)\n",
        "tests/access/test_roles.py",
    ),
    (
        "steward sees every audit row",
        "hub/access/usage.py",
        "    return roles.audit_rows_of(department, rows)\n",
        "    return rows\n",
        "tests/access/test_roles.py",
    ),
    (
        "steward counts every item's calls",
        "hub/access/usage.py",
        "    return roles.department_item_codes(department) if department is not None else set()\n",
        "    return None\n",
        "tests/access/test_roles.py",
    ),
    (
        "audit admin shows every row",
        "hub/access/admin.py",
        "        return usage.visible_rows(request.user)\n",
        "        return super().get_queryset(request)\n",
        "tests/access/test_roles.py",
    ),
    (
        "steward sees every request",
        "hub/access/api/views.py",
        "        return roles.requests_of(department, queryset).prefetch_related(\n",
        "        return queryset.prefetch_related(\n",
        "tests/access/test_roles.py",
    ),
    (
        "person sees every item in the record API",
        "hub/access/roles.py",
        "    if is_operator(user):\n        fields = [item.field for item in dataset.items]\n",
        "    if True:\n        fields = [item.field for item in dataset.items]\n",
        "tests/access/test_roles.py",
    ),
    (
        "provider-only grants count (key query)",
        "hub/access/authentication.py",
        "g.system_id = s.id AND s.is_consumer AND g.revoked_at IS NULL",
        "g.system_id = s.id AND g.revoked_at IS NULL",
        "tests/access/test_roles.py",
    ),
    (
        "provider-only grants count (ORM)",
        "hub/access/models.py",
        "        return self.filter(revoked_at__isnull=True, system__is_consumer=True).filter(\n",
        "        return self.filter(revoked_at__isnull=True).filter(\n",
        "tests/access/test_roles.py",
    ),
    (
        "provider-only system applies",
        "hub/access/services.py",
        "    if not system.is_consumer:\n",
        "    if False:\n",
        "tests/access/test_roles.py",
    ),
    (
        "self-service mode ceiling ignored",
        "hub/access/services.py",
        "    if mode > item.self_service_mode:\n",
        "    if False:\n",
        "tests/access/test_self_service.py",
    ),
    (
        "sensitivity 3 rule ignored",
        "hub/access/services.py",
        "    sensitive = item.sensitivity >= SOURCE_APPROVAL_SENSITIVITY\n",
        "    sensitive = False\n",
        "tests/access/test_self_service.py",
    ),
    (
        "unmasked-needs-approval flag ignored",
        "hub/access/services.py",
        "    if clear and (item.unmasked_needs_approval or sensitive):\n",
        "    if clear and sensitive:\n",
        "tests/access/test_self_service.py",
    ),
    (
        "masked grant without a masking rule counts as masked",
        "hub/access/services.py",
        "    clear = not masked or item.masking == Masking.NONE\n",
        "    clear = not masked\n",
        "tests/access/test_self_service.py",
    ),
    (
        "requested expiry not capped",
        "hub/access/services.py",
        "    if requested is not None and requested <= longest:\n",
        "    if True:\n",
        "tests/access/test_self_service.py",
    ),
    (
        "review command lists nothing",
        "hub/access/services.py",
        "        if reasons:\n            found.append(",
        "        if False:\n            found.append(",
        "tests/access/test_self_service.py",
    ),
    (
        "source-approved grants listed for review",
        "hub/access/services.py",
        "        reasons = [] if approved_by_source else beyond_self_service(",
        "        reasons = [] if False else beyond_self_service(",
        "tests/access/test_self_service.py",
    ),
    (
        "governed responses cacheable",
        "hub/api/caching.py",
        '            response["Cache-Control"] = "no-store"\n',
        "            pass\n",
        "tests/access/test_http_hardening.py",
    ),
    (
        "no lockout per client address",
        "hub/security.py",
        "        if _failures(per_address) >= settings.HUB_LOGIN_FAILURES_PER_ADDRESS:\n",
        "        if False:\n",
        "tests/access/test_http_hardening.py",
    ),
    (
        "a login clears the address's failures",
        "hub/security.py",
        "        per_pair = self.filter_user_attempts(request, credentials)[0]\n"
        "        count, _ = per_pair.delete()\n        return count\n",
        "        return super().reset_user_attempts(request, credentials)\n",
        "tests/access/test_http_hardening.py",
    ),
    # -- governed reads: masked items, sealed cursors, declared reads, composed responses --------
    (
        "masked grants usable for comparisons",
        "hub/access/scope.py",
        "        return self.mode_of(field) >= mode and not self.masked(field, mode)\n",
        "        return self.mode_of(field) >= mode\n",
        "tests/records/test_governed_reads.py",
    ),
    (
        "verify compares masked items",
        "hub/records/views.py",
        "            refuse_unusable(self.scope, self.dataset, where + name, [name], Mode.VERIFY)\n",
        "            pass\n",
        "tests/records/test_governed_reads.py",
    ),
    (
        "cursor not bound to caller and query",
        "hub/records/cursors.py",
        '    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()\n',
        '    return b""\n',
        "tests/records/test_governed_reads.py",
    ),
    (
        "cursor carries its position in clear",
        "hub/records/cursors.py",
        "    token = _cipher(settings.SECRET_KEY).encrypt(plain, [bound_to])\n",
        "    token = plain\n",
        "tests/records/test_governed_reads.py",
    ),
    (
        "undeclared filter reads not found",
        "hub/records/filters.py",
        "        if read - declared:\n",
        "        if False:\n",
        "tests/records/test_governed_reads.py",
    ),
    (
        "valid_on declares one end of the term",
        "licences/filtersets.py",
        '"valid_on": ("valid_from", "valid_to")',
        '"valid_on": ("valid_to",)',
        "tests/licences/test_api.py",
    ),
    (
        "holder list needs only the holder item",
        "licences/api/views.py",
        "        for field in HOLDER_LIST_READS:\n",
        '        for field in ("holder_key",):\n',
        "tests/licences/test_api.py",
    ),
    (
        "dossier lists licences without a holder search",
        "credit/api/dossier.py",
        "        if not all(scope.usable(field, Mode.SEARCH) for field in licence_search_reads()):\n",
        "        if False:\n",
        "tests/credit/test_dossier.py",
    ),
    (
        "dossier judges existence from unseen datasets",
        "credit/api/dossier.py",
        "        known = bool(identity[0]) or bool(licences[0]) or credit[0] is not None\n",
        "        known = True\n",
        "tests/credit/test_dossier.py",
    ),
    (
        "history shows changes of hidden characters",
        "hub/records/history.py",
        "                if shown_old != shown_new:\n",
        "                if True:\n",
        "tests/records/test_governed_reads.py",
    ),
    (
        "masked names show their length",
        "hub/records/masking.py",
        '    return text[:1] + "**" if text else text\n',
        '    return text[:1] + "*" * max(len(text) - 1, 1) if text else text\n',
        "tests/records/test_governed_reads.py",
    ),
    (
        "feedback with a verify grant",
        "hub/quality/feedback.py",
        "    if scope.mode_of(item_spec.field) < Mode.LOOKUP:\n",
        "    if scope.mode_of(item_spec.field) < Mode.VERIFY:\n",
        "tests/quality/test_api.py",
    ),
    (
        "provenance names a hidden partition's source",
        "hub/records/views.py",
        "shows_source = not partition_field or self.scope.usable(partition_field, mode)",
        "shows_source = True",
        "tests/licences/test_api.py",
    ),
    (
        "history names a hidden partition's source",
        "hub/records/views.py",
        "        if partition_field and not self.scope.usable(partition_field, Mode.LOOKUP):\n",
        "        if False:\n",
        "tests/credit/test_api.py",
    ),
    (
        "provenance time moves with any write",
        "hub/records/history.py",
        'if old != new and not (before is None and new in (None, "")):',
        "if True:",
        "tests/population/test_api.py",
    ),
    (
        "licence verify tells existence through the signature",
        "licences/api/views.py",
        '        if "signature" not in entry and "identifier" not in verifiable:\n            return None\n',
        "",
        "tests/licences/test_api.py",
    ),
    (
        "division locate reads ungranted items",
        "geodata/api/views.py",
        "        for field in LOCATE_READS:\n",
        '        for field in ("geometry",):\n',
        "tests/geodata/test_api.py",
    ),
    (
        "division tree reads ungranted items",
        "geodata/api/views.py",
        '        for field in TREE_READS if retired else (*TREE_READS, "valid_until"):\n',
        "        for field in ():\n",
        "tests/geodata/test_api.py",
    ),
    (
        "signature shown without every signed item",
        "licences/api/views.py",
        "not all(self.scope.usable(f, mode) for f in signing.SIGNED_FIELDS)",
        "False",
        "tests/licences/test_api.py",
    ),
    (
        "derived licence status without the term's end",
        "licences/api/views.py",
        '        if not self.scope.usable("valid_to", mode):\n',
        "        if False:\n",
        "tests/licences/test_api.py",
    ),
    (
        "systems read the progress figures",
        "hub/progress/api/views.py",
        "        return not isinstance(request.user, SystemPrincipal) and can_view(request.user)\n",
        "        return isinstance(request.user, SystemPrincipal) or can_view(request.user)\n",
        "tests/progress/test_dashboard.py",
    ),
    (
        "cursor length tells its position",
        "hub/records/cursors.py",
        '    plain += b" " * (-len(plain) % PAD)\n',
        "",
        "tests/records/test_governed_reads.py",
    ),
    (
        "division chain loops on a parent cycle",
        "geodata/api/views.py",
        "            while code in records and records[code] not in chain:\n",
        "            while code in records and len(chain) < 50:\n",
        "tests/geodata/test_api.py",
    ),
    (
        "a refused batch's call row names no batch",
        "hub/records/ingest/service.py",
        "            refusal.batch_id = batch_id",
        "            pass",
        "tests/access/test_audit_every_call.py",
    ),
    (
        "issue list names a hidden partition's department",
        "hub/quality/api/serializers.py",
        "        if not shows[issue.dataset.code]:\n",
        "        if False:\n",
        "tests/quality/test_api.py",
    ),
    # -- invariant 4: every call audited, the chain anchored outside the database --
    (
        "500 writes no audit row",
        "hub/middleware.py",
        "        if draft.written:\n            return response\n",
        "        if draft.written or response.status_code >= 500:\n            return response\n",
        AUDIT_CALLS,
    ),
    (
        "non-record calls write no audit row",
        "hub/middleware.py",
        "        if draft.written:\n            return response\n",
        "        if True:\n            return response\n",
        AUDIT_CALLS,
    ),
    (
        "a governed call gets a second row",
        "hub/records/views.py",
        "            self.audit.written = True\n",
        "            pass\n",
        AUDIT_CALLS,
    ),
    (
        "refused before authentication, no system named",
        "hub/access/audit.py",
        "    if not isinstance(user, SystemPrincipal) and header.startswith(",
        "    if False and header.startswith(",
        AUDIT_CALLS,
    ),
    (
        "oversized bodies not refused up front",
        "hub/middleware.py",
        "        if length <= limit:\n",
        "        if True:\n",
        AUDIT_CALLS,
    ),
    (
        "the batch is not hashed",
        "hub/access/audit.py",
        'OPTIONAL_HASHED_FIELDS = ("batch",)\n',
        "OPTIONAL_HASHED_FIELDS = ()\n",
        AUDIT_CALLS,
    ),
    (
        "verify_audit ignores the checkpoint",
        "hub/access/management/commands/verify_audit.py",
        "        if anchor is not None:\n            problems += [",
        "        if False:\n            problems += [",
        AUDIT_CHECKPOINTS,
    ),
    (
        "an unhandled exception is not answered as a JSON 500",
        "hub/middleware.py",
        '        return _json_error(_("Internal error; no data was returned."), "server_error", 500)\n',
        "        return None\n",
        AUDIT_CALLS,
    ),
    (
        "a forged checkpoint is taken as the anchor",
        "hub/access/checkpoints.py",
        "        if why is None:\n            return checkpoint, refused\n",
        "        if True:\n            return checkpoint, refused\n",
        AUDIT_CHECKPOINTS,
    ),
    (
        "checkpoint signatures not verified",
        "hub/access/checkpoints.py",
        "        public.verify(signature, signed_bytes(body))\n",
        "        signature.hex()\n",
        AUDIT_CHECKPOINTS,
    ),
    (
        "a checkpoint vouches for a tampered log",
        "hub/access/checkpoints.py",
        "    if problems:\n        raise CheckpointError(",
        "    if False:\n        raise CheckpointError(",
        AUDIT_CHECKPOINTS,
    ),
]

if os.environ.get("DATABASE_URL", "").startswith("postgres"):  # the SQL fast path is PostgreSQL's
    MUTATIONS.append(
        (
            "SQL acceptance lets non-ASCII codes through",
            "hub/records/ingest/sqlcheck.py",
            "        present.append(ascii_sql(column))  # a code is ASCII",
            "        pass  # a code is ASCII",
            "tests/records/test_ingest_sql_acceptance.py",
        )
    )


def run_target(target, extra, report):
    """``(failed test ids, differing harness cases)`` of one run of ``target`` (a tuple of paths)."""
    env = dict(os.environ, HUB_NONINTERFERENCE_REPORT=str(report))
    if report.exists():
        report.unlink()
    command = [sys.executable, "-m", "pytest", *target, "-q", "-p", "no:cacheprovider", *extra]
    if env.get("DATABASE_URL", "").startswith("postgres"):
        command.append("--reuse-db")
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    failed = {line.split(" ")[1] for line in run.stdout.splitlines() if line.startswith("FAILED ")}
    errors = {line.split(" ")[1] for line in run.stdout.splitlines() if line.startswith("ERROR ")}
    cases = set(report.read_text(encoding="utf-8").splitlines()) if report.exists() else set()
    return failed | errors, cases


# Guards of the one write path (issue 17), each run against its own tests (the paths after the edit)
WRITE_TESTS = "tests/records/test_write_rules.py"
WRITE_MUTATIONS = [
    (
        "partial rows judged without the stored record",
        "hub/records/ingest/rules.py",
        "            values, errors = self.judge(stored.get(values[0]), row)\n",
        "            values, errors = self.judge(None, row)\n",
        WRITE_TESTS,
        "tests/records/test_write_paths.py",
    ),
    (
        "state transitions not checked",
        "hub/records/ingest/rules.py",
        "            transitions = model.transition_errors(before, merged, self.reason)\n",
        "            transitions = {}\n",
        WRITE_TESTS,
    ),
    (
        "derived (proxy) datasets writable",
        "hub/records/ingest/service.py",
        "    if instead:\n        raise ReadOnlyDataset(\n",
        "    if False:\n        raise ReadOnlyDataset(\n",
        WRITE_TESTS,
    ),
    (
        "prepare_row skipped on ingest",
        "hub/records/ingest/rules.py",
        "                merged = model.prepare_row(merged)\n",
        "                pass\n",
        WRITE_TESTS,
    ),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", help="run every mutation against this target instead of its own")
    parser.add_argument("--only", action="append", default=[], help="run mutations whose name contains this")
    parser.add_argument("-x", action="store_true", help="stop each run at its first failing test")
    args = parser.parse_args()
    # A stopped run (SIGTERM) still restores the mutated file: the ``finally`` below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    mutations = [
        m for m in MUTATIONS + WRITE_MUTATIONS if not args.only or any(text in m[0] for text in args.only)
    ]
    failures_missing = []
    baselines = {}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "noninterference.jsonl"

        def baseline(target):
            """Failures of the unmutated target, once per target; -x only where none fail."""
            if target not in baselines:
                failed, cases = run_target(target, [], report)
                if failed:
                    print(
                        f"baseline of {target}: {len(failed)} tests already fail and {len(cases)} cases"
                        " differ; only new ones are counted"
                    )
                baselines[target] = failed, cases, ["-x"] if args.x and not failed else []
            return baselines[target]

        print(f"{'mutation':42s} failing tests")
        for name, path, old, new, *own_target in mutations:
            target = (args.target,) if args.target else tuple(own_target or [DEFAULT_TARGET])
            base_failed, base_cases, extra = baseline(target)
            file = ROOT / path
            original = file.read_text()
            if old not in original:
                print(f"{name:42s} SOURCE CHANGED: mutation no longer applies")
                failures_missing.append(name)
                continue
            file.write_text(original.replace(old, new, 1))
            try:
                failed, cases = run_target(target, extra, report)
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
