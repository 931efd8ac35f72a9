"""Running a dataset's rules set-based, recording results, and keeping issues in step.

A scan makes two passes over the records, whatever the number of rules:
one aggregate counts the rows each rule checks, and one
``CREATE TEMP TABLE … AS SELECT`` keeps the failing rows with one 0/1 column
per rule. Everything after that (failure counts, examples, issue upserts,
rectification) reads the small table of failing rows, set-based: no Python
loop ever walks records.

A full scan marks issues it no longer finds *rectified*; a scan of the keys an
ingest batch touched *closes* them (the source has delivered the fix).
"""

import logging
import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.catalogue import spec as catalogue
from hub.catalogue.models import Dataset, Department

from .choices import IssueOrigin, IssueStatus, ScanStatus, ScanTrigger
from .models import IssueEvent, QualityIssue, QualityRule, RuleResult, Scan
from .sql import Compiler, RuleError, qn

log = logging.getLogger(__name__)

HITS = "quality_scan_hits"
SCOPE = "quality_scan_scope"
EXAMPLES = 5
KEY_CHUNK = 5000
WORK_MEM = "256MB"


class ScanError(RuntimeError):
    """The scan could not run (unknown dataset, database error)."""


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def _fetch(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _drop_temp(extra=()):
    for table in (HITS, SCOPE, *extra):
        _execute(f"DROP TABLE IF EXISTS {qn(table)}")


class _Progress:
    """Calls ``progress(step, detail)`` when given; the command prints them."""

    def __init__(self, callback):
        self.callback = callback
        self.started = time.perf_counter()

    def __call__(self, step, detail=""):
        if self.callback:
            self.callback(step, detail, time.perf_counter() - self.started)


def scan(dataset_code, *, keys=None, trigger=ScanTrigger.MANUAL, batch="", progress=None) -> Scan:
    """Run every active rule of ``dataset_code`` (over ``keys`` only, when given); returns the Scan."""
    try:
        spec = catalogue.get(dataset_code)
    except catalogue.UnknownDataset as exc:
        raise ScanError(_("Unknown dataset %(dataset)s.") % {"dataset": dataset_code}) from exc
    dataset = Dataset.objects.get(code=dataset_code)
    record = Scan.objects.create(dataset=dataset, trigger=trigger, full=keys is None, batch=batch[:64])
    step = _Progress(progress)
    temp_tables = []
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Room for the hash tables of code lists and duplicate groups, for this scan only.
                _execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            _run(record, spec, keys, step, temp_tables)
    except Exception as exc:
        Scan.objects.filter(pk=record.pk).update(
            status=ScanStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    finally:
        try:
            _drop_temp(temp_tables)
        except Exception:  # the connection may be unusable after a failure
            log.debug("could not drop scan temp tables", exc_info=True)
    record.refresh_from_db()
    return record


def _run(record, spec, keys, step, temp_tables):
    now = record.started_at
    compiler = Compiler(spec, scoped=keys is not None, now=now)
    rules = list(
        QualityRule.objects.filter(dataset_id=record.dataset_id, active=True).select_related(
            "item", "dataset"
        )
    )
    checks = []
    for rule in rules:
        try:
            checks.append(compiler.compile(rule))
        except RuleError as exc:
            log.warning("quality rule %s skipped: %s", rule.code, exc)
            step("skip", f"{rule.code}: {exc}")
    model = spec.model
    table = qn(model._meta.db_table)
    key_col = f"t.{qn(model._meta.get_field(spec.natural_key).column)}"
    part_col = f"t.{qn(model._meta.get_field(spec.partition_field).column)}" if spec.partition_field else None
    departments = dict(Department.objects.values_list("code", "pk"))
    # Rows whose source cannot be named (a partition missing from the catalogue) go to the library's lead.
    lead = record.dataset.library.lead_department_id

    _drop_temp()
    scope_sql = "TRUE"
    if keys is not None:
        _execute(f"CREATE TEMP TABLE {qn(SCOPE)} (record_key VARCHAR(64) PRIMARY KEY)")
        unique_keys = sorted({str(k) for k in keys})
        with connection.cursor() as cursor:
            for start in range(0, len(unique_keys), KEY_CHUNK):
                chunk = unique_keys[start : start + KEY_CHUNK]
                cursor.executemany(f"INSERT INTO {qn(SCOPE)} (record_key) VALUES (%s)", [[k] for k in chunk])
        scope_sql = f"{key_col} IN (SELECT record_key FROM {qn(SCOPE)})"

    for check in checks:
        temp_tables.extend(check.temp_tables)
        for temp in check.temp_tables:
            _execute(f"DROP TABLE IF EXISTS {qn(temp)}")
        for sql, params in check.setup:
            _execute(sql, params)

    # Pass 1: rows each rule checks (per partition when the dataset is partitioned).
    step("count", f"{len(checks)} rules")
    select = ["COUNT(*)"] + [f"SUM(CASE WHEN {c.applies} THEN 1 ELSE 0 END)" for c in checks]
    params = [p for c in checks for p in c.applies_params]
    group = ""
    if part_col:
        select.insert(0, part_col)
        group = f" GROUP BY {part_col}"
    rows = _fetch(f"SELECT {', '.join(select)} FROM {table} t WHERE {scope_sql}{group}", params)
    checked = {}  # (partition or None) -> [total, per-rule checked...]
    for row in rows:
        if part_col:
            checked[row[0]] = [int(v or 0) for v in row[1:]]
        else:
            checked[None] = [int(v or 0) for v in row]
    total_rows = sum(v[0] for v in checked.values())

    # Pass 2: the failing rows, one 0/1 column per rule.
    step("scan", f"{total_rows} rows")
    failing = [f"(({c.applies}) AND ({c.fails}))" for c in checks]
    failing_params = [[*c.applies_params, *c.fails_params] for c in checks]
    columns = [f"{key_col} AS record_key"]
    col_params = []
    if part_col:
        columns.append(f"{part_col} AS part")
    for i, (expr, args) in enumerate(zip(failing, failing_params, strict=True)):
        columns.append(f"CASE WHEN {expr} THEN 1 ELSE 0 END AS r{i}")
        col_params += args
    where = " OR ".join(failing) if failing else "FALSE"
    where_params = [p for args in failing_params for p in args]
    _execute(
        f"CREATE TEMP TABLE {qn(HITS)} AS SELECT {', '.join(columns)} FROM {table} t "
        f"WHERE {scope_sql} AND ({where})",
        col_params + where_params,
    )
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {qn(HITS)}")

    # Failures per rule (and partition), then the results.
    sums = ", ".join(f"SUM(r{i})" for i in range(len(checks))) or "0"
    failed = {}
    if part_col:
        for row in _fetch(f"SELECT part, {sums} FROM {qn(HITS)} GROUP BY part"):
            failed[row[0]] = [int(v or 0) for v in row[1:]]
    else:
        failed[None] = [int(v or 0) for v in _fetch(f"SELECT {sums} FROM {qn(HITS)}")[0]]

    results = []
    for i, check in enumerate(checks):
        rule = check.rule
        for part, counts in checked.items():
            n_checked = counts[i + 1]
            n_failed = failed.get(part, [0] * len(checks))[i]
            if part_col:
                dept = departments.get(spec.partitions.get(str(part)), lead)
            else:
                dept = departments.get(spec.source_of(check.field), lead)
            results.append(
                RuleResult(
                    scan=record,
                    rule=rule,
                    department_id=dept,
                    item_id=rule.item_id,
                    dimension=rule.dimension,
                    weight=rule.weight,
                    checked=n_checked,
                    failed=n_failed,
                    examples=_examples(i, check, table, key_col, part) if n_failed else [],
                )
            )
    # Merge results of partitions that share a source department.
    merged = {}
    for result in results:
        key = (result.rule.pk, result.department_id)
        if key in merged:
            merged[key].checked += result.checked
            merged[key].failed += result.failed
            merged[key].examples = (merged[key].examples + result.examples)[:EXAMPLES]
        else:
            merged[key] = result
    RuleResult.objects.bulk_create(merged.values())

    # Issues, rule by rule, all set-based.
    resolved = 0
    for i, check in enumerate(checks):
        step("issues", check.rule.code)
        resolved += _sync_issues(i, check, record, spec, keys is not None, departments, lead, part_col)
    opened = QualityIssue.objects.filter(first_scan=record).count()
    Scan.objects.filter(pk=record.pk).update(
        status=ScanStatus.DONE, finished_at=timezone.now(), rows=total_rows, opened=opened, resolved=resolved
    )
    step("done", f"{opened} opened, {resolved} resolved")


def _examples(i, check, table, key_col, part):
    """A few failing keys with the blamed item's value, for the admin and the bulletin."""
    model_field = catalogue.get(check.rule.dataset.code).model._meta.get_field(check.field)
    column = f"t.{qn(model_field.column)}"
    where, params = f"h.r{i} = 1", []
    if part is not None:
        where += " AND h.part = %s"
        params.append(part)
    rows = _fetch(
        f"SELECT h.record_key, {column} FROM {qn(HITS)} h JOIN {table} t ON {key_col} = h.record_key "
        f"WHERE {where} ORDER BY h.record_key LIMIT {EXAMPLES}",
        params,
    )
    return [{"key": key, "value": None if value is None else str(value)} for key, value in rows]


def _department_sql(spec, check, departments, lead, part_col):
    if not part_col:
        return "%s", [departments.get(spec.source_of(check.field), lead)]
    whens, args = [], []
    for value, code in sorted(spec.partitions.items()):
        if code in departments:
            whens.append("WHEN %s THEN %s")
            args += [value, departments[code]]
    if not whens:
        return "%s", [lead]
    return f"COALESCE(CASE h.part {' '.join(whens)} END, %s)", [*args, lead]


def _sync_issues(i, check, record, spec, scoped, departments, lead, part_col):
    """Reopen, open or refresh the issues of rule ``i``'s failing rows; resolve the rest in scope."""
    rule = check.rule
    issues = qn(QualityIssue._meta.db_table)
    events = qn(IssueEvent._meta.db_table)
    now = _dt(timezone.now())
    hit = f"SELECT h.record_key FROM {qn(HITS)} h WHERE h.r{i} = 1"
    open_, rectified, closed = IssueStatus.OPEN, IssueStatus.RECTIFIED, IssueStatus.CLOSED

    # Found again after it was marked rectified: back to open, with an event.
    reopen = f"rule_id = %s AND status = %s AND record_key IN ({hit})"
    _execute(
        f"INSERT INTO {events} (issue_id, at, from_status, to_status, scan_id, note) "
        f"SELECT id, %s, status, %s, %s, %s FROM {issues} WHERE {reopen}",
        [now, open_, record.pk, "found again by a scan", rule.pk, rectified],
    )
    _execute(
        f"UPDATE {issues} SET status = %s, updated_at = %s, last_scan_id = %s WHERE {reopen}",
        [open_, now, record.pk, rule.pk, rectified],
    )

    # One issue per failing record, reused while it is not closed (waived ones stay away).
    dept_sql, dept_params = _department_sql(spec, check, departments, lead, part_col)
    due = _dt(QualityIssue.due_from(rule, record.started_at))
    _execute(
        f"INSERT INTO {issues} (rule_id, dataset_id, item_id, record_key, department_id, origin, "
        f"dimension, severity, status, detail, dispute_reason, decision, waived, first_scan_id, "
        f"last_scan_id, opened_at, due_at, updated_at) "
        f"SELECT %s, %s, %s, h.record_key, {dept_sql}, %s, %s, %s, %s, '', '', '', %s, %s, %s, %s, %s, %s "
        f"FROM {qn(HITS)} h WHERE h.r{i} = 1 AND NOT EXISTS (SELECT 1 FROM {issues} w "
        f"WHERE w.rule_id = %s AND w.record_key = h.record_key AND w.waived) "
        f"ON CONFLICT (rule_id, record_key) WHERE (origin = 'scan' AND NOT (status = 'closed')) "
        f"DO UPDATE SET last_scan_id = excluded.last_scan_id, updated_at = excluded.updated_at",
        [
            rule.pk,
            record.dataset_id,
            rule.item_id,
            *dept_params,
            IssueOrigin.SCAN,
            rule.dimension,
            rule.severity,
            open_,
            False,
            record.pk,
            record.pk,
            now,
            due,
            now,
            rule.pk,
        ],
    )

    # No longer found: a full scan marks it rectified, an ingest's scan closes it.
    if scoped:
        statuses = [IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED, IssueStatus.DISPUTED, IssueStatus.RECTIFIED]
        target, note = closed, "fixed: no longer found after ingest"
        scope = f" AND record_key IN (SELECT record_key FROM {qn(SCOPE)})"
    else:
        statuses = [IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED, IssueStatus.DISPUTED]
        target, note = rectified, "no longer found by a scan"
        scope = ""
    marks = ", ".join(["%s"] * len(statuses))
    gone = f"rule_id = %s AND origin = %s AND status IN ({marks}){scope} AND record_key NOT IN ({hit})"
    gone_params = [rule.pk, IssueOrigin.SCAN, *statuses]
    _execute(
        f"INSERT INTO {events} (issue_id, at, from_status, to_status, scan_id, note) "
        f"SELECT id, %s, status, %s, %s, %s FROM {issues} WHERE {gone}",
        [now, target, record.pk, note, *gone_params],
    )
    closed_at = "%s" if target == closed else "NULL"
    return _execute(
        f"UPDATE {issues} SET status = %s, updated_at = %s, last_scan_id = %s, closed_at = {closed_at} "
        f"WHERE {gone}",
        [target, now, record.pk, *([now] if target == closed else []), *gone_params],
    )
