"""The one write service: REST, the command, the admin (import and edits), seeding, library actions.

A batch is read, validated row by row with the model's own validators and,
over the stored record it changes, the library's rules (:mod:`.rules`),
checked against the one-source rule for the calling department, upserted
by natural key (only the key and the department's own items are written),
and reported. Everything happens in one transaction: the records, their
history, the source stamps and the batch's report commit together or not
at all.
"""

import uuid
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.catalogue import spec as catalogue

from ..events import announce_written
from ..sources import SourceRuleViolation, check_write
from .loaders import Target, loader_for, resolve_engine
from .parsing import IngestInputError, Rewindable, direct_csv, objects_as_rows, read_rows
from .rules import RecordRules

REPORT_REJECTED_LIMIT = 10_000


class UnknownDataset(IngestInputError):
    """The dataset code is not in the catalogue (404)."""


class ReadOnlyDataset(IngestInputError):
    """The dataset is derived from another (a proxy or a view): write the one it is derived from (400)."""


class InvalidRows(IngestInputError):
    """``all_or_nothing`` and some rows are invalid: the whole batch is refused (400)."""

    def __init__(self, rejected, count):
        self.rejected = rejected
        self.rejected_count = count
        super().__init__(
            _("%(count)d row(s) are invalid and the batch is all-or-nothing; nothing was written.")
            % {"count": count},
            code="invalid_rows",
        )

    def as_dict(self):
        return {**super().as_dict(), "rejected": self.rejected, "rejected_count": self.rejected_count}


class _DryRun(Exception):
    """Raised inside the transaction to roll a preview back."""


@dataclass
class Outcome:
    batch: object  # IngestBatch
    report: dict
    replayed: bool = False


def resolve_columns(dataset, header):
    """Map a header of item codes or field names to field names; the natural key comes first.

    Returns ``(columns, order)`` where ``order[i]`` is the header position of ``columns[i]``.
    """
    if not header or all(name == "" for name in header):
        raise IngestInputError(_("The header names no columns."), code="empty")
    fields = []
    for position, name in enumerate(header):
        item = dataset.by_code.get(name) or dataset.by_field.get(name)
        if item is None:
            raise IngestInputError(
                _("Column %(position)d '%(name)s' is not an item of %(dataset)s.")
                % {"position": position + 1, "name": str(name)[:80], "dataset": dataset.code},
                code="unknown_column",
                column=str(name)[:80],
            )
        if item.field in fields:
            raise IngestInputError(
                _("Column '%(name)s' appears twice.") % {"name": name}, code="duplicate_column", column=name
            )
        fields.append(item.field)
    key = dataset.natural_key
    if key not in fields:
        raise IngestInputError(
            _("The key column '%(key)s' (%(code)s) is missing.")
            % {"key": key, "code": dataset.key_item.code},
            code="missing_key",
            column=key,
        )
    order = [fields.index(key)] + [i for i, name in enumerate(fields) if name != key]
    return tuple(fields[i] for i in order), order


def _batch_model():
    from ..models import IngestBatch

    return IngestBatch


def find_replay(system, idempotency_key):
    if system is None or not idempotency_key:
        return None
    return (
        _batch_model()
        .objects.filter(system=system, idempotency_key=idempotency_key, status="completed")
        .first()
    )


def ingest(
    dataset_code,
    source,
    *,
    department,
    fmt=None,
    encoding=None,
    system=None,
    user=None,
    channel="api",
    idempotency_key=None,
    all_or_nothing=False,
    reason="",
    limit=None,
    on_read=None,
    on_merge=None,
    on_validate=None,
    engine="auto",
    dry_run=False,
):
    """Load one batch; returns an :class:`Outcome` or raises a refusal.

    ``source`` is a binary stream (read as ``fmt``) or an iterable of dicts.
    ``system`` is the registered ConsumerSystem writing, or just its name
    (a library action acting for a system).
    Refusals: :class:`IngestInputError` (and its ``UnknownDataset``,
    ``ReadOnlyDataset``, ``InvalidRows``, ``BodyTooLarge``) and :class:`SourceRuleViolation`;
    after any of them nothing is written except a "failed" batch record.
    """
    system_name = ""
    if isinstance(system, str):  # a library action names the acting system; the batch links registered ones
        system_name, system = system, None
    replay = find_replay(system, idempotency_key)
    if replay is not None:
        return Outcome(replay, replay.report, replayed=True)
    department_code = getattr(department, "code", department)
    batch_id = uuid.uuid4()
    try:
        batch, report = _run(
            batch_id,
            dataset_code,
            source,
            department_code,
            fmt=fmt,
            encoding=encoding,
            system=system,
            system_name=system_name,
            user=user,
            channel=channel,
            idempotency_key=idempotency_key,
            all_or_nothing=all_or_nothing,
            reason=reason,
            limit=limit,
            on_read=on_read,
            on_merge=on_merge,
            on_validate=on_validate,
            engine=engine,
            dry_run=dry_run,
        )
    except _DryRun as preview:
        return Outcome(None, preview.args[0])
    except IntegrityError:
        # A concurrent batch with the same idempotency key committed first: answer with its report.
        replay = find_replay(system, idempotency_key)
        if replay is None:
            raise
        return Outcome(replay, replay.report, replayed=True)
    except (IngestInputError, SourceRuleViolation) as refusal:
        if not dry_run:
            _record_failure(batch_id, dataset_code, department_code, system, user, channel, refusal)
            refusal.batch_id = batch_id  # so the call's audit row names the refused batch too
        raise
    # The batch row is already committed; answering from it in memory rather than
    # reading it back means nothing can fail after the commit (a busy SQLite
    # writer would otherwise turn a written batch into an error, and a resubmit).
    return Outcome(batch, report)


def _record_failure(batch_id, dataset_code, department_code, system, user, channel, refusal):
    """Keep a "failed" batch row (its report is the error) so the provider can look it up."""
    if isinstance(refusal, SourceRuleViolation):
        body = {"detail": refusal.message, "code": "source_rule", "violations": refusal.violations}
    else:
        body = refusal.as_dict()
    try:
        _batch_model().objects.create(
            id=batch_id,
            dataset=str(dataset_code)[:100],
            department_id=_department_pk(department_code),
            system=system,
            user=user if getattr(user, "pk", None) else None,
            channel=channel,
            status="failed",
            report={"batch": str(batch_id), **body},
            finished_at=timezone.now(),
        )
    except (DatabaseError, LookupError):
        pass  # the refusal itself is what the caller needs; the record is a courtesy


def _department_pk(code):
    from hub.catalogue.models import Department

    return Department.objects.only("pk").get(code=code).pk


def _run(batch_id, dataset_code, source, department, **options):
    try:
        dataset = catalogue.get(dataset_code)
    except catalogue.UnknownDataset:
        raise UnknownDataset(
            _("Unknown dataset %(dataset)s.") % {"dataset": str(dataset_code)[:100]}, code="unknown_dataset"
        ) from None
    model = dataset.model
    instead = model.write_dataset()
    if instead:
        raise ReadOnlyDataset(
            _("%(dataset)s is derived from %(instead)s and cannot be written; write %(instead)s instead.")
            % {"dataset": dataset.code, "instead": instead},
            code="read_only_dataset",
        )
    direct = None
    if hasattr(source, "read"):
        if options["fmt"] == "csv" and resolve_engine(options["engine"]) == "copy":
            # a plain CSV body may go to COPY as bytes (see parsing.direct_csv); keep it replayable
            source = Rewindable(source)
            direct = direct_csv(
                source, encoding=options["encoding"], limit=options["limit"], on_read=options["on_read"]
            )
        if direct is None:
            header, rows = _read(source, options)
        else:
            header, rows = direct.header, None
    else:
        rows = objects_as_rows(enumerate(source, start=1))
        try:
            _number, header = next(rows)
        except StopIteration:
            raise IngestInputError(_("The batch has no rows."), code="empty") from None
    sent_columns, order = resolve_columns(dataset, header)
    # fields the library derives from the row (a parcel's box, a licence's signature): computed
    # on every path from the merged row, never taken as sent
    derived = tuple(model.derived_fields(sent_columns))
    columns = sent_columns + tuple(name for name in derived if name not in sent_columns)
    padding = [None] * (len(columns) - len(sent_columns))
    if not dataset.partition_field:
        check_write(dataset, department, columns[1:])  # refuse early: before reading the rows

    user = options["user"]
    system = options["system"]
    system_name = options["system_name"] or (system.name if system is not None else "")
    now = timezone.now()
    reason = (options["reason"] or "")[:100]
    target = Target(
        model=model,
        columns=columns,
        department=department,
        system=system_name,
        user_id=user.pk if getattr(user, "pk", None) else None,
        batch=batch_id.hex,
        reason=reason,
        now=now,
        partition_field=dataset.partition_field,
        on_validate=options["on_validate"],
        text_input=options["fmt"] in ("csv", "xlsx") and hasattr(source, "read"),
        derived=derived,
    )
    validate = RecordRules(model, columns, derived, reason=reason)
    rejected = []
    rejected_count = 0
    partitions = set()
    partition_index = columns.index(dataset.partition_field) if dataset.partition_field in columns else None
    received = 0

    def raw_rows():
        """Rows as sent, in column order (key first)."""
        nonlocal received
        for number, raw in rows:
            received += 1
            ordered = [raw[i] for i in order] + padding
            for value in ordered:
                if value.__class__ is str and "\x00" in value:
                    # no database text holds NUL; refused here so every loader answers alike
                    raise IngestInputError(
                        _("Row %(row)d contains a NUL character, which no item can hold.") % {"row": number},
                        code="malformed_row",
                        row=number,
                    )
            if partition_index is not None:
                # every row's partition as sent counts, valid or not: a batch naming another
                # source's partition is refused whole (unknown values are left to validation)
                value = str(ordered[partition_index]).strip()
                if value in dataset.partitions:
                    partitions.add(value)
            yield number, ordered

    def valid_rows(ordered):
        """Validated rows; invalid ones go to the report instead."""
        nonlocal rejected_count
        for number, key, values, errors in validate(ordered):
            if errors:
                rejected_count += 1
                if len(rejected) < REPORT_REJECTED_LIMIT:
                    rejected.append(
                        {"row": number, "key": str(key)[:64] if key is not None else None, "errors": errors}
                    )
                continue
            if partition_index is not None:
                partitions.add(str(values[partition_index]))
            yield number, values

    with transaction.atomic():
        batch = _batch_model().objects.create(
            id=batch_id,
            dataset=dataset.code,
            department_id=_department_pk(department),
            system=system,
            user=user if getattr(user, "pk", None) else None,
            channel=options["channel"],
            idempotency_key=options["idempotency_key"] or None,
            status="completed",
            created_at=now,
        )
        loader = loader_for(target, options["engine"])
        # the direct path names each column's field in the body's own order (``order`` maps back)
        in_body_order = [field for _position, field in sorted(zip(order, sent_columns, strict=True))]
        if direct is not None and loader.stage_csv(direct, in_body_order):
            received = loader.sent
            if partition_index is not None:
                named = {str(value).strip() for value in loader.sent_values(dataset.partition_field)}
                partitions.update(named & set(dataset.partitions))
            loader.load_staged(valid_rows)
        else:
            if direct is not None:  # the CSV reader reads the body again, from its first byte
                _header, rows = _read(source, options)
            loader.load(raw_rows(), valid_rows)
        if partition_index is not None:  # rows the database validated (PostgreSQL fast path)
            partitions.update(loader.accepted_partitions)
        if received == 0:
            raise IngestInputError(_("The batch has no rows."), code="empty")
        duplicates = loader.duplicates()
        if duplicates:
            key, numbers = duplicates[0]
            raise IngestInputError(
                _("Key %(key)s appears more than once in the batch (rows %(rows)s).")
                % {"key": key, "rows": ", ".join(map(str, numbers))},
                code="duplicate_key",
                row=numbers[1],
                column=dataset.natural_key,
            )
        if rejected_count and options["all_or_nothing"]:
            raise InvalidRows(rejected, rejected_count)
        _check_sources(dataset, department, columns, loader, partitions)
        new_count = None
        required = _required_to_create(model, columns)
        if required:
            new_count, _sample = loader.new_keys()
            if new_count:
                message = _("Item required to create a record: not in the batch.")
                for number, key in loader.reject_new():
                    rejected_count += 1
                    if len(rejected) < REPORT_REJECTED_LIMIT:
                        rejected.append(
                            {"row": number, "key": key, "errors": {f: [message] for f in required}}
                        )
                if options["all_or_nothing"]:
                    raise InvalidRows(sorted(rejected, key=lambda r: r["row"]), rejected_count)
            target.update_only = True
        staged = loader.count()
        created, updated, keys = loader.merge(progress=options["on_merge"])
        loader.finish()
        rejected.sort(key=lambda r: r["row"])
        report = {
            "batch": str(batch_id),
            "dataset": dataset.code,
            "department": department,
            "rows": received,
            "created": created,
            "updated": updated,
            "unchanged": staged - created - updated + loader.unchanged_as_sent,
            "rejected": rejected,
            "rejected_count": rejected_count,
        }
        if options["dry_run"]:
            raise _DryRun(report)
        batch.report = report
        batch.finished_at = timezone.now()
        batch.save(update_fields=["report", "finished_at"])
        if created or updated:
            announce_written(
                sender=model,
                dataset=dataset.code,
                department=department,
                batch=batch_id.hex,
                keys=keys,
                created=created,
                updated=updated,
            )
    return batch, report


def _read(source, options):
    """Header and rows by the format's reader, from the body's first byte."""
    on_read = options["on_read"]
    if isinstance(source, Rewindable) and source.count:
        already = source.count  # read (and shown in the progress) once already
        source = source.replay()
        if on_read is not None:
            on_read = _counting_from(already, on_read)
    return read_rows(
        source, options["fmt"], encoding=options["encoding"], limit=options["limit"], on_read=on_read
    )


def _counting_from(already, on_read):
    """A progress callback that skips the first ``already`` bytes of a replayed body."""
    left = already

    def update(count):
        nonlocal left
        skipped = min(left, count)
        left -= skipped
        if count > skipped:
            on_read(count - skipped)

    return update


def _check_sources(dataset, department, columns, loader, partitions):
    """The one-source rule for the whole batch (raises :class:`SourceRuleViolation`)."""
    if dataset.partition_field:
        values = set(partitions) | loader.existing_partitions()  # after and before the change
        new_count, sample = loader.new_keys()
        if new_count and dataset.partition_field not in columns:
            raise SourceRuleViolation(
                dataset.code,
                department,
                [{"item": dataset.key_item.code, "source": None, "keys": [str(k) for k in sample]}],
            )
        for value in sorted(values):
            check_write(dataset, department, columns, partition_value=value, creating=True)
        return
    if dataset.key_item.source != department:
        new_count, sample = loader.new_keys()
        if new_count:
            raise SourceRuleViolation(
                dataset.code,
                department,
                [
                    {
                        "item": dataset.key_item.code,
                        "source": dataset.key_item.source,
                        "keys": [str(k) for k in sample],
                        "count": new_count,
                    }
                ],
            )


def _required_to_create(model, columns):
    """Item fields a new record cannot do without that the batch does not carry."""
    from ..models import FRAMEWORK_FIELDS

    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in FRAMEWORK_FIELDS
        and not f.primary_key
        and f.name not in columns
        and (not f.blank or (not f.null and f.get_default() is None))
    ]
