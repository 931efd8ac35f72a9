"""Keep the progress aggregates current as records are written and systems call the hub.

Each write batch recounts only the dataset it touched, with one aggregate
query (``COUNT`` per item column, grouped by partition); each audited call
adds to one ``UsageStat`` row (on PostgreSQL a trigger does it within the
audit row's own INSERT). The dashboard reads these rows and never the base
tables.
"""

import datetime
import logging
import zoneinfo

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from hub.catalogue import spec as catalogue

from .models import DatasetStat, ItemStat, UsageStat

log = logging.getLogger(__name__)


def _filled(field):
    """``COUNT`` of records holding a value: text columns count only non-empty strings."""
    if isinstance(field, models.CharField | models.TextField):
        return Count(field.name, filter=Q(**{f"{field.name}__isnull": False}) & ~Q(**{field.name: ""}))
    return Count(field.name)


def _parse_stamp(value):
    if not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return timezone.make_aware(when, datetime.UTC) if timezone.is_naive(when) else when


def recount_dataset(code):
    """Recompute ``DatasetStat`` and ``ItemStat`` rows of one dataset from its table.

    One aggregate query over the table; the per-item last update is the last
    write stamped by the item's source department (``source_stamps``), or for
    a partitioned dataset the last change in the partition (whose items all
    share the partition's one source).
    """
    try:
        dataset = catalogue.get(code)
        model = dataset.model
    except (catalogue.UnknownDataset, LookupError):
        log.warning("progress: no model for dataset %s; not counted", code)
        return
    fields = {f.name: f for f in model._meta.concrete_fields}
    items = [item for item in dataset.items if item.field in fields]
    aggregates = {"n_records": Count("pk"), "n_last": Max("updated_at")}
    for index, item in enumerate(items):
        aggregates[f"f{index}"] = _filled(fields[item.field])
    sources = sorted({item.source for item in items if item.source})
    if not dataset.partition_field:
        for index, department in enumerate(sources):
            aggregates[f"s{index}"] = Max(KeyTextTransform(department, "source_stamps"))
        groups = [("", model.objects.aggregate(**aggregates))]
    else:
        column = dataset.partition_field
        rows = model.objects.order_by().values(column).annotate(**aggregates)
        groups = [(str(row[column]) if row[column] is not None else "", row) for row in rows]

    dataset_stats, item_stats = [], []
    for partition, row in groups:
        last_changed = row["n_last"]
        dataset_stats.append(
            DatasetStat(
                dataset=code, partition=partition, records=row["n_records"], last_changed=last_changed
            )
        )
        stamps = {department: _parse_stamp(row.get(f"s{i}")) for i, department in enumerate(sources)}
        for index, item in enumerate(items):
            filled = row[f"f{index}"]
            last = stamps.get(item.source) if not dataset.partition_field else last_changed
            item_stats.append(
                ItemStat(
                    dataset=code,
                    item=item.code,
                    partition=partition,
                    filled=filled,
                    last_updated=last if filled else None,
                )
            )
    with transaction.atomic():
        DatasetStat.objects.filter(dataset=code).delete()
        ItemStat.objects.filter(dataset=code).delete()
        DatasetStat.objects.bulk_create(dataset_stats)
        ItemStat.objects.bulk_create(item_stats)


def recount_all():
    """Recount every catalogued dataset whose model is installed (``refresh_progress``)."""
    codes = []
    for dataset in catalogue.all_datasets():
        try:
            _model = dataset.model
        except LookupError:
            continue
        recount_dataset(dataset.code)
        codes.append(dataset.code)
    DatasetStat.objects.exclude(dataset__in=codes).delete()
    ItemStat.objects.exclude(dataset__in=codes).delete()
    return codes


COUNT_CALL_TRIGGER = """
CREATE OR REPLACE FUNCTION progress_count_call() RETURNS trigger AS $$
BEGIN
    IF NEW.system_id IS NOT NULL AND NEW.dataset <> '' AND NEW.status < 400 THEN
        INSERT INTO progress_usagestat (day, system_id, dataset, shard, calls, records)
        VALUES ((NEW.at AT TIME ZONE '{time_zone}')::date, NEW.system_id, NEW.dataset,
                {shard}, 1, NEW.result_count)
        ON CONFLICT (day, system_id, dataset, shard) DO UPDATE
        SET calls = progress_usagestat.calls + 1,
            records = progress_usagestat.records + EXCLUDED.records;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS progress_count_call ON access_auditentry;
CREATE TRIGGER progress_count_call AFTER INSERT ON access_auditentry
    FOR EACH ROW EXECUTE FUNCTION progress_count_call();
"""


def install_call_counter(using="default"):
    """On PostgreSQL, count each audited call in the audit row's own INSERT (a trigger).

    The row lands in the shard of the audit row's lane, which the calling
    transaction holds until it commits (see access migration 0005), so no
    two calls in flight share a counter row. Installed after every
    ``migrate`` with the current ``TIME_ZONE`` (a call's day is local).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    if not {"access_auditentry", UsageStat._meta.db_table} <= tables:
        return  # migrated only part of the way (or back): nothing to count into yet
    time_zone = str(zoneinfo.ZoneInfo(settings.TIME_ZONE)).replace("'", "''")
    with connection.cursor() as cursor:
        audit_columns = connection.introspection.get_table_description(cursor, "access_auditentry")
        columns = {column.name for column in audit_columns}
        # before the audit log had lanes (migrated back past access 0004): the session's number
        shard = "NEW.chain" if "chain" in columns else "pg_backend_pid() % 16"
        cursor.execute(COUNT_CALL_TRIGGER.format(time_zone=time_zone, shard=shard))


def record_call(entry):
    """Add one audited call to its day's ``UsageStat`` row (one upsert statement).

    Only successful calls by a consuming system on a dataset count as sharing.
    On PostgreSQL the audit row's insert trigger counts it already (see
    :func:`install_call_counter`); elsewhere this upsert does.
    """
    if connection.vendor == "postgresql":
        return
    if not entry.system_id or not entry.dataset or entry.status >= 400:
        return
    day = timezone.localdate(entry.at)
    table = connection.ops.quote_name(UsageStat._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, system_id, dataset, shard, calls, records) "
            "VALUES (%s, %s, %s, 0, 1, %s) "
            f"ON CONFLICT (day, system_id, dataset, shard) DO UPDATE SET calls = {table}.calls + 1, "
            f"records = {table}.records + EXCLUDED.records",
            [connection.ops.adapt_datefield_value(day), entry.system_id, entry.dataset, entry.result_count],
        )


def recompute_usage():
    """Rebuild ``UsageStat`` from the audit log (``refresh_progress``)."""
    from django.db.models.functions import TruncDate

    from hub.access.models import AuditEntry

    rows = (
        AuditEntry.objects.filter(system__isnull=False, status__lt=400)
        .exclude(dataset="")
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day", "system_id", "dataset")
        .annotate(calls=Count("pk"), records=models.Sum("result_count"))
    )
    stats = [
        UsageStat(
            day=row["day"],
            system_id=row["system_id"],
            dataset=row["dataset"],
            calls=row["calls"],
            records=row["records"] or 0,
        )
        for row in rows
    ]
    with transaction.atomic():
        UsageStat.objects.all().delete()
        UsageStat.objects.bulk_create(stats, batch_size=2000)
    return len(stats)


def after_write(dataset_code):
    """Recount ``dataset_code`` once the current transaction commits, once per transaction.

    A recount already waiting in this transaction's on-commit list covers
    later writes too; if the transaction rolls back, Django drops the waiting
    callback with it, so nothing stays wrongly marked as pending.
    """
    connection_ = transaction.get_connection()
    if connection_.in_atomic_block:
        for _savepoints, callback, *_robust in connection_.run_on_commit:
            if getattr(callback, "progress_dataset", None) == dataset_code and not callback.done:
                return

    def flush():
        flush.done = True
        refresh_dataset(dataset_code)

    flush.progress_dataset = dataset_code
    flush.done = False
    # robust: the records are committed already; a failed recount (e.g. a busy SQLite
    # file) is logged and must not fail the writer. The next write or refresh_progress
    # sets the figures right.
    transaction.on_commit(flush, robust=True)


def refresh_dataset(dataset_code):
    """Recount one dataset and rewrite this week's snapshots."""
    from .metrics import write_snapshots

    recount_dataset(dataset_code)
    write_snapshots()


def is_base_record(model):
    from hub.records.models import BaseRecord

    return isinstance(model, type) and issubclass(model, BaseRecord) and not model._meta.abstract


def installed_base_records():
    return [model for model in apps.get_models() if is_base_record(model)]
