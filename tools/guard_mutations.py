"""Prove the governed-API tests guard what they claim: remove each guard, watch tests fail.

    .venv/bin/python tools/guard_mutations.py [pytest target]

Each mutation is a one-line source edit that disables one guard of the
governed read path. The script applies it, runs the governed-API test base
against the population library (SQLite, fast), restores the file, and
reports how many tests failed. Every row must show at least one failure;
the script exits non-zero otherwise.

A mutation may name its own test target as a fifth element (a guard of
input handling is proven by the tests of that input, not by the read path's).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "tests/population/test_api.py"
    failures_missing = []
    print(f"{'mutation':42s} failing tests")
    for name, path, old, new, *own_target in MUTATIONS:
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
