"""Where validated rows go: a COPY-staged, set-based merge on PostgreSQL (``.postgres``), the ORM elsewhere.

Both loaders take the same calls from the service in the same order and
must leave the same records, history rows and counts; a test runs the same
batches through both and compares. A loader only ever writes the natural
key and the batch's own columns of an existing record (plus ``updated_at``
and the department's entry in ``source_stamps``), so two departments
loading the same records at once never overwrite each other's items.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

ORM_CHUNK = 2_000
SIGNAL_KEYS_LIMIT = 10_000


@dataclass
class Target:
    """Everything a loader needs to know about the write: model, columns, who, when."""

    model: type
    columns: tuple  # field names, natural key first
    department: str
    system: str
    user_id: int | None
    batch: str
    reason: str
    now: object  # aware datetime shared by every row of the batch
    partition_field: str = ""
    on_validate: object = None  # progress callback: rows validated so far (fast path)
    text_input: bool = False  # every value arrives as text (CSV, XLSX): no conversion needed
    update_only: bool = False  # set when the batch cannot create records (required items absent)
    derived: tuple = ()  # columns the model derives from the row (``BaseRecord.derived_fields``), last

    @property
    def key(self):
        return self.columns[0]

    @property
    def own(self):
        return self.columns[1:]

    @property
    def stamps(self):
        return {self.department: self.now.isoformat()}

    def absent_fields(self):
        """Item fields the batch does not carry: they get their default on creation only."""
        from hub.records.models import FRAMEWORK_FIELDS

        return [
            f
            for f in self.model._meta.concrete_fields
            if f.name not in FRAMEWORK_FIELDS and not f.primary_key and f.name not in self.columns
        ]

    def history_fields(self):
        """The tracked columns of the history table (``id`` and the item fields)."""
        record = {f.attname for f in self.model._meta.concrete_fields}
        return [f.attname for f in self.model.history.model._meta.concrete_fields if f.attname in record]


def _as_text(value):
    """A JSON or Python value as the text COPY stages (validation later sees this text)."""
    import datetime
    import json

    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list, bool)):
        return json.dumps(value)
    return str(value)


def resolve_engine(engine="auto"):
    """The loader to use: "copy" (PostgreSQL's fast path) or "orm"; "auto" picks by the database."""
    if engine == "auto":
        return "copy" if connection.vendor == "postgresql" else "orm"
    return engine


def loader_for(target, engine="auto"):
    if resolve_engine(engine) == "copy":
        from .postgres import CopyLoader

        return CopyLoader(target)
    return OrmLoader(target)


class OrmLoader:
    """Portable path (SQLite, and the reference the fast path is tested against)."""

    unchanged_as_sent = 0  # the ORM path validates and compares every row
    accepted_partitions = frozenset()  # and never leaves validation to the database

    def __init__(self, target):
        self.target = target
        self.rows = {}  # key -> (row number, values)
        self.duplicates_found = {}

    def load(self, rows, validate):
        self.stage(validate(rows))

    def stage(self, rows):
        staged = self.rows
        for number, values in rows:
            key = values[0]
            if key in staged:
                self.duplicates_found.setdefault(key, [staged[key][0]]).append(number)
            else:
                staged[key] = (number, values)

    def count(self):
        return len(self.rows)

    def duplicates(self, limit=20):
        return list(self.duplicates_found.items())[:limit]

    def _existing(self, keys):
        model, key = self.target.model, self.target.key
        query = model.objects.filter(**{f"{key}__in": keys}).order_by(key)
        if connection.features.has_select_for_update:
            query = query.select_for_update()  # in key order, like the fast path
        return {getattr(r, key): r for r in query}

    def _chunks(self, size=ORM_CHUNK):
        keys = list(self.rows)
        for start in range(0, len(keys), size):
            yield keys[start : start + size]

    def new_keys(self, limit=5):
        count, sample = 0, []
        for keys in self._chunks():
            existing = self._existing(keys)
            for key in keys:
                if key not in existing:
                    count += 1
                    if len(sample) < limit:
                        sample.append(key)
        return count, sample

    def existing_partitions(self):
        field = self.target.partition_field
        values = set()
        for keys in self._chunks():
            values |= {str(getattr(r, field)) for r in self._existing(keys).values()}
        return values

    def reject_new(self):
        rejected = []
        for keys in self._chunks():
            existing = self._existing(keys)
            for key in keys:
                if key not in existing:
                    rejected.append(self.rows.pop(key)[0:1] + (key,))
        return rejected

    def finish(self):
        """Nothing to clean up: the ORM path stages nothing in the database."""

    def merge(self, progress=None):
        target = self.target
        model, key, own = target.model, target.key, target.own
        history_model = model.history.model
        tracked = target.history_fields()
        defaults = {f.attname: f.get_default() for f in target.absent_fields()}
        created = updated = 0
        keys_written = []
        for keys in self._chunks():
            existing = self._existing(keys)
            # history is dated when the rows are written (after their locks are held), so that
            # the versions of a record follow the order its writers committed in
            written_at = timezone.now()
            creates, updates = [], []
            for k in sorted(keys):
                values = dict(zip(target.columns, self.rows[k][1], strict=True))
                record = existing.get(k)
                if record is None:
                    record = model(**defaults, **values, source_stamps=target.stamps)
                    creates.append(record)
                elif any(getattr(record, name) != values[name] for name in own):
                    for name in own:
                        setattr(record, name, values[name])
                    record.source_stamps = {**(record.source_stamps or {}), **target.stamps}
                    record.updated_at = target.now
                    updates.append(record)
            if creates:
                model.objects.bulk_create(creates)
                model.objects.filter(pk__in=[r.pk for r in creates]).update(
                    created_at=target.now, updated_at=target.now
                )
            if updates:
                model.objects.bulk_update(updates, [*own, "updated_at", "source_stamps"])
            history = [
                history_model(
                    **{name: getattr(record, name) for name in tracked},
                    history_date=written_at,
                    history_type=kind,
                    history_change_reason=target.reason,
                    history_user_id=target.user_id,
                    source_department=target.department,
                    acting_system=target.system,
                    batch=target.batch,
                )
                for kind, records in (("+", creates), ("~", updates))
                for record in records
            ]
            history_model.objects.bulk_create(history)
            created += len(creates)
            updated += len(updates)
            if len(self.rows) <= SIGNAL_KEYS_LIMIT:
                keys_written += [getattr(r, key) for r in creates + updates]
            if progress:
                progress(len(keys))
        return created, updated, (keys_written if len(self.rows) <= SIGNAL_KEYS_LIMIT else None)
