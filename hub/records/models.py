"""The abstract base record and the provenance its history rows carry."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.catalogue import spec as catalogue
from hub.history import History

from . import context
from .sources import check_write

# Fields kept by the framework, never catalogue items.
FRAMEWORK_FIELDS = frozenset({"id", "created_at", "updated_at", "source_stamps"})


class NoWriteContext(RuntimeError):
    """A base record was written outside :func:`hub.records.context.writing`."""


class RecordHistory(models.Model):
    """What every history row of a base record adds to simple-history's own columns.

    simple-history already keeps who (``history_user``), when
    (``history_date``) and why (``history_change_reason``); this adds which
    source department wrote, through which system, in which ingest batch.
    """

    source_department = models.CharField(_("source department"), max_length=32, blank=True)
    acting_system = models.CharField(_("acting system"), max_length=100, blank=True)
    batch = models.CharField(_("ingest batch"), max_length=64, blank=True, db_index=True)

    class Meta:
        abstract = True


class BaseRecord(models.Model):
    """A base record: natural key, timestamps, per-source stamps and full history.

    ``save()`` enforces the one-source rule for every ORM write path (API,
    admin, services): the fields that changed since the record was loaded
    must all be sourced by the department of the active write context.
    Subclasses set ``dataset_code`` and may override :meth:`cross_field_errors`.
    """

    dataset_code = ""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # {department code: ISO time of that source's last change to this record}
    source_stamps = models.JSONField(_("source stamps"), default=dict, blank=True, editable=False)
    history = History(
        inherit=True,
        bases=[RecordHistory],
        # a version per change of 85 million persons (and every licence and credit record):
        # simple-history's 32-bit id would run out within years of reloads
        history_id_field=models.BigAutoField(primary_key=True),
        excluded_fields=["created_at", "updated_at", "source_stamps"],
    )

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    @classmethod
    def catalogue_spec(cls):
        return catalogue.get(cls.dataset_code)

    @classmethod
    def item_fields(cls):
        """The concrete fields that are catalogue items (attname, field)."""
        return [f for f in cls._meta.concrete_fields if f.name not in FRAMEWORK_FIELDS and not f.primary_key]

    @classmethod
    def normalize_key(cls, value):
        """The canonical form of a natural key as typed by a caller."""
        return str(value).strip()

    @classmethod
    def cross_field_errors(cls, values):
        """Rules spanning several items; ``{field: [message]}``. Override per library."""
        return {}

    # -- write hooks: the framework's one write path (hub.records.ingest) calls them on every row --

    @classmethod
    def derived_fields(cls, columns):
        """Fields :meth:`prepare_row` computes when a write carries ``columns``; none by default.

        They are written with the row (never taken from the caller) on every
        path: ingest, the admin, the library actions and seeding.
        """
        return ()

    @classmethod
    def prepare_row(cls, row):
        """The row (the stored record overlaid with the write) with its derived fields filled in.

        May raise ``ValidationError`` naming the field whose value cannot be derived from.
        """
        return row

    @classmethod
    def transition_errors(cls, stored, row, reason):
        """The library's state rules for one write; ``{field: [message]}``.

        ``stored`` is the record as stored (``{field: value}``, None when the
        write creates it), ``row`` the record after the write, ``reason`` the
        write's reason. Override to declare which changes of state are allowed
        and what they need.
        """
        return {}

    @classmethod
    def write_dataset(cls):
        """The dataset a write must go to instead, when this one is derived (a proxy or a view); or None.

        A proxy model shares its table with the model it stands for: writing
        through it would change that record under the proxy's name, with its
        history in the wrong table. Its writes are refused, naming the real dataset.
        """
        if cls._meta.proxy:
            return cls._meta.concrete_model.dataset_code or None
        return None

    @classmethod
    def has_write_hook(cls, name):
        """Whether the library overrides the write hook ``name`` (undeclared hooks are skipped)."""
        return getattr(cls, name).__func__ is not getattr(BaseRecord, name).__func__

    # SQL counterparts for the ingestion fast path (see hub.records.ingest.sqlcheck): a library
    # that overrides normalize_key or cross_field_errors states them too, or validates in Python

    @classmethod
    def normalized_key_sql(cls, column):
        """SQL true only when the text ``column`` is already what ``normalize_key`` makes of it."""
        if cls.normalize_key.__func__ is not BaseRecord.normalize_key.__func__:
            return None  # no SQL form
        return "true"  # strip(): cells with surrounding whitespace are never accepted in SQL

    @classmethod
    def cross_field_sql(cls, columns):
        """SQL true only when ``cross_field_errors`` finds nothing (``columns``: field → text SQL)."""
        if cls.cross_field_errors.__func__ is not BaseRecord.cross_field_errors.__func__:
            return None  # no SQL form
        return "true"

    def clean(self):
        values = {f.name: getattr(self, f.attname) for f in self.item_fields()}
        errors = self.cross_field_errors(values)
        if errors:
            raise ValidationError(errors)

    def changed_fields(self):
        """Names of item fields this save would change (all non-empty ones on creation)."""
        loaded = getattr(self, "_loaded_values", None)
        changed = []
        for f in self.item_fields():
            value = getattr(self, f.attname)
            if self._state.adding or loaded is None:
                if value not in (None, ""):
                    changed.append(f.name)
            elif f.attname in loaded and loaded[f.attname] != value:
                changed.append(f.name)
        return changed

    def partition_value(self):
        """The partition value as the catalogue keys it: a foreign key's raw value, not its object."""
        dataset = self.catalogue_spec()
        if not dataset.partition_field:
            return None
        value = getattr(self, self._meta.get_field(dataset.partition_field).attname)
        return None if value is None else str(value)

    def partition_values(self):
        """The partition value(s) whose source must agree: before and after the change."""
        dataset = self.catalogue_spec()
        if not dataset.partition_field:
            return [None]
        field = self._meta.get_field(dataset.partition_field)
        now = getattr(self, field.attname)
        before = getattr(self, "_loaded_values", {}).get(field.attname, now)
        return [str(v) for v in {before, now}]

    def save(self, *args, **kwargs):
        ctx = context.current()
        if ctx is None:
            raise NoWriteContext(
                f"{type(self).__name__} written without a write context; use hub.records.services."
            )
        creating = self._state.adding
        changed = self.changed_fields()
        if not changed and not creating:
            return  # nothing changed: no write, no history row
        dataset = self.catalogue_spec()
        for partition in self.partition_values():
            check_write(dataset, ctx.department, changed, partition_value=partition, creating=creating)
        stamps = dict(self.source_stamps or {})
        stamps[ctx.department] = timezone.now().isoformat()
        self.source_stamps = stamps
        if ctx.reason:
            self._change_reason = ctx.reason
        super().save(*args, **kwargs)
        self._loaded_values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args, **kwargs):
        ctx = context.current()
        if ctx is None:
            raise NoWriteContext(f"{type(self).__name__} deleted without a write context.")
        dataset = self.catalogue_spec()
        for partition in self.partition_values():
            check_write(
                dataset, ctx.department, [dataset.natural_key], partition_value=partition, creating=True
            )
        if ctx.reason:
            self._change_reason = ctx.reason
        return super().delete(*args, **kwargs)

    @property
    def natural_key_value(self):
        return getattr(self, self.catalogue_spec().natural_key)


class IngestBatch(models.Model):
    """One provider load: who sent it, for which dataset, and the report it produced.

    The row is written in the same transaction as the records, so a batch
    that did not commit leaves no "completed" row; the idempotency key is
    unique per system, so a replay finds the first report instead of writing.
    """

    class Status(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.CharField(_("dataset"), max_length=100, db_index=True)
    department = models.ForeignKey(
        "catalogue.Department", models.PROTECT, related_name="ingest_batches", verbose_name=_("department")
    )
    system = models.ForeignKey(
        "access.ConsumerSystem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="ingest_batches",
        verbose_name=_("system"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    # NULL, not "": batches without a key must not collide in the unique constraint below.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=200, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    report = models.JSONField(_("report"), default=dict)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        constraints = [
            models.UniqueConstraint(fields=["system", "idempotency_key"], name="ingest_batch_idempotency_key")
        ]

    def __str__(self):
        return f"{self.dataset} · {self.department_id} · {self.created_at:%Y-%m-%d %H:%M}"
