"""Prove the governed-API tests guard what they claim: remove each guard, watch tests fail.

    .venv/bin/python tools/guard_mutations.py [pytest target]

Each mutation is a one-line source edit that disables one guard of the
governed read path (or, in ``WRITE_MUTATIONS``, of the one write path).
The script applies it, runs the governed-API test base against the
population library (SQLite, fast) — or the test files a mutation names
after its fourth element — restores the file, and reports how many tests
failed. Every row must show at least one failure;
the script exits non-zero otherwise.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT_CALLS = "tests/access/test_audit_every_call.py"
AUDIT_CHECKPOINTS = "tests/access/test_audit_checkpoints.py"

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
        "        fields = self.scope.fields(Mode.LOOKUP)\n        versions = history.versions(",
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
    target = sys.argv[1] if len(sys.argv) > 1 else "tests/population/test_api.py"
    failures_missing = []
    print(f"{'mutation':42s} failing tests")
    for name, path, old, new, *own_target in MUTATIONS + WRITE_MUTATIONS:
        file = ROOT / path
        original = file.read_text()
        if old not in original:
            print(f"{name:42s} SOURCE CHANGED: mutation no longer applies")
            failures_missing.append(name)
            continue
        file.write_text(original.replace(old, new, 1))
        try:
            run = subprocess.run(
                [sys.executable, "-m", "pytest", *(own_target or [target]), "-q", "-p", "no:cacheprovider"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
        finally:
            file.write_text(original)
        failed = [
            line.split("::")[-1].split(" ")[0]
            for line in run.stdout.splitlines()
            if line.startswith("FAILED")
        ]
        print(f"{name:42s} {len(failed):3d}  {', '.join(failed[:3])}{' …' if len(failed) > 3 else ''}")
        if not failed:
            failures_missing.append(name)
    if failures_missing:
        print("No test caught:", ", ".join(failures_missing))
        sys.exit(1)
    print("Every guard is covered by at least one failing test.")


if __name__ == "__main__":
    main()
