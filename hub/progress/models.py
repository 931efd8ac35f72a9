"""Build plans (数据清单) and the small aggregates the progress metrics read.

The dashboard never scans base tables: ``ItemStat``, ``DatasetStat`` and
``UsageStat`` are kept up to date as records are written and as systems call
the hub (see :mod:`hub.progress.aggregates`), and ``refresh_progress``
recomputes them from scratch.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.catalogue.models import Department, Library


class PlanBatch(models.Model):
    """A batch of the base-library data list (第一批、第二批基础库数据清单) decided by the joint meeting."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    delivery_share = models.DecimalField(
        _("share of target that counts as delivered"),
        max_digits=4,
        decimal_places=3,
        default=0.9,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("An item is delivered when it holds data for at least this share of its target records."),
    )
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["ordering", "code"]
        permissions = [("view_dashboard", _("Can view the progress dashboard"))]
        verbose_name = _("plan batch")
        verbose_name_plural = _("plan batches")

    def __str__(self):
        return self.name


class PlanEntry(models.Model):
    """One line of a plan batch: a dataset or one item, its department, target and deadline.

    Datasets and items are named by catalogue code rather than foreign key so
    that a plan can list what a library must deliver before its datasets are
    declared in the catalogue; until then the entry simply counts as not
    delivered.
    """

    batch = models.ForeignKey(PlanBatch, models.CASCADE, related_name="entries", verbose_name=_("batch"))
    library = models.ForeignKey(Library, models.PROTECT, related_name="+", verbose_name=_("library"))
    dataset = models.CharField(_("dataset code"), max_length=64, help_text="e.g. population.person")
    item = models.CharField(
        _("item code"),
        max_length=128,
        blank=True,
        help_text=_("Empty for a whole dataset; e.g. population.person.marital_status."),
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="plan_entries", verbose_name=_("responsible department")
    )
    target_records = models.PositiveBigIntegerField(_("target record count"), default=0)
    deadline = models.DateField(_("deadline"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["batch__ordering", "library__ordering", "dataset", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "dataset", "item", "department"], name="progress_plan_entry_unique"
            )
        ]
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")

    def __str__(self):
        return f"{self.item or self.dataset} · {self.department_id and self.department.code}"

    def clean(self):
        if self.item and not self.item.startswith(f"{self.dataset}."):
            raise ValidationError({"item": _("The item code must start with the dataset code.")})


class DatasetStat(models.Model):
    """How many records a dataset (or one partition of it) holds, and when it last changed."""

    dataset = models.CharField(_("dataset"), max_length=64)
    partition = models.CharField(_("partition"), max_length=64, blank=True)
    records = models.BigIntegerField(_("records"), default=0)
    last_changed = models.DateTimeField(_("last changed"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "partition"], name="progress_dataset_stat_unique")
        ]
        verbose_name = _("dataset statistic")
        verbose_name_plural = _("dataset statistics")

    def __str__(self):
        return f"{self.dataset}[{self.partition}] {self.records}"


class ItemStat(models.Model):
    """How many records hold a value for one item (per partition), and its source's last write."""

    dataset = models.CharField(_("dataset"), max_length=64)
    item = models.CharField(_("item"), max_length=128)
    partition = models.CharField(_("partition"), max_length=64, blank=True)
    filled = models.BigIntegerField(_("records with a value"), default=0)
    last_updated = models.DateTimeField(_("last updated"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "partition"], name="progress_item_stat_unique")
        ]
        indexes = [models.Index(fields=["dataset"])]
        verbose_name = _("item statistic")
        verbose_name_plural = _("item statistics")

    def __str__(self):
        return f"{self.item}[{self.partition}] {self.filled}"


class UsageStat(models.Model):
    """Successful governed calls per day, consuming system and dataset (from the audit log)."""

    day = models.DateField(_("day"))
    system_id = models.BigIntegerField(_("system"))
    dataset = models.CharField(_("dataset"), max_length=64)
    calls = models.BigIntegerField(_("calls"), default=0)
    records = models.BigIntegerField(_("records returned"), default=0)
    # Calls are counted in one of several rows per day, system and dataset (on
    # PostgreSQL by database session) so that concurrent calls of one system
    # do not queue on one row's lock; readers sum the shards.
    shard = models.PositiveSmallIntegerField(_("shard"), default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "system_id", "dataset", "shard"], name="progress_usage_stat_unique"
            )
        ]
        indexes = [models.Index(fields=["dataset", "day"])]
        verbose_name = _("usage statistic")
        verbose_name_plural = _("usage statistics")

    def __str__(self):
        return f"{self.day} {self.system_id} {self.dataset} {self.calls}"


class WeeklySnapshot(models.Model):
    """The headline figures of one scope as they stood in one week, for the trend lines.

    Rewritten for the current week whenever the aggregates change, so past
    weeks keep the values they ended with.
    """

    week = models.DateField(_("week starting"))
    scope = models.CharField(
        _("scope"), max_length=64, help_text="province, library:<code> or department:<code>"
    )
    items_delivered = models.IntegerField(_("items delivered"), default=0)
    items_planned = models.IntegerField(_("items planned"), default=0)
    mount_rate = models.FloatField(_("mount rate"), null=True, blank=True)
    records = models.BigIntegerField(_("records"), default=0)

    class Meta:
        ordering = ["scope", "week"]
        constraints = [models.UniqueConstraint(fields=["week", "scope"], name="progress_snapshot_unique")]
        verbose_name = _("weekly snapshot")
        verbose_name_plural = _("weekly snapshots")

    def __str__(self):
        return f"{self.scope} {self.week}"
