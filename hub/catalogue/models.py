"""Departments, libraries, datasets and data items: who is the source of what.

The catalogue is the single place that knows sources, sharing types and
masking; serializers, filtersets, admin forms, quality rules and the
dashboard all read it through :mod:`hub.catalogue.spec`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.history import History

from .choices import Level, Masking, SelfServiceMode, Sensitivity, SharingType, UpdateCycle


class Department(models.Model):
    """A government department (政务部门): the source of some data items."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    division_code = models.CharField(_("division code"), max_length=12)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    history = History()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        # The hub operator's role (hub.access.roles): every system, request, grant and audit row.
        permissions = [
            ("operate_hub", _("Can operate the hub (all systems, requests, grants and audit rows)"))
        ]

    def __str__(self):
        return self.name


class Library(models.Model):
    """One of the five base libraries (基础库), led by one department."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    lead_department = models.ForeignKey(
        Department, models.PROTECT, related_name="led_libraries", verbose_name=_("lead department")
    )
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("library")
        verbose_name_plural = _("libraries")

    def __str__(self):
        return self.name


class Dataset(models.Model):
    """A set of base records served under one natural key (e.g. ``population.person``).

    A dataset whose records come from many authorities is *partitioned*: the
    partition field's value picks the one source department of the record's
    items (see :class:`PartitionSource`).
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    library = models.ForeignKey(Library, models.PROTECT, related_name="datasets", verbose_name=_("library"))
    name = models.CharField(_("name"), max_length=100)
    model_label = models.CharField(_("model"), max_length=100, help_text="app_label.ModelName")
    natural_key = models.CharField(_("natural key field"), max_length=64)
    partition_field = models.CharField(_("partition field"), max_length=64, blank=True)
    update_cycle = models.CharField(
        _("update cycle"), max_length=16, choices=UpdateCycle.choices, default=UpdateCycle.DAILY
    )
    description = models.TextField(_("description"), blank=True)
    history = History()

    class Meta:
        ordering = ["code"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_partitioned(self):
        return bool(self.partition_field)


class DataItem(models.Model):
    """One field of one dataset, with its single source and its sharing terms."""

    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="items", verbose_name=_("dataset"))
    code = models.CharField(_("code"), max_length=128, unique=True)
    field = models.CharField(_("model field"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    standard = models.CharField(_("data element standard"), max_length=100, blank=True)
    source_department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sourced_items",
        verbose_name=_("source department"),
        help_text=_("Empty only for items of a partitioned dataset: the partition names the source."),
    )
    sharing_type = models.CharField(_("sharing type"), max_length=16, choices=SharingType.choices)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    masking = models.CharField(
        _("masking rule"), max_length=16, choices=Masking.choices, default=Masking.NONE
    )
    update_cycle = models.CharField(
        _("update cycle"), max_length=16, choices=UpdateCycle.choices, default=UpdateCycle.ON_CHANGE
    )
    required = models.BooleanField(_("required"), default=False)
    is_key = models.BooleanField(_("natural key"), default=False)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    # The limits of self-service: what an unconditional item grants on application alone.
    self_service_mode = models.PositiveSmallIntegerField(
        _("highest mode granted on application"),
        choices=SelfServiceMode.choices,
        default=SelfServiceMode.LOOKUP,
        help_text=_(
            "A request for a higher mode waits for the source department. From sensitivity 3 on, "
            "search mode always waits."
        ),
    )
    unmasked_needs_approval = models.BooleanField(
        _("unmasked grants need the source's approval"),
        default=False,
        help_text=_("From sensitivity 3 on, unmasked grants always wait for the source department."),
    )
    max_grant_days = models.PositiveIntegerField(
        _("longest grant (days)"),
        default=365,
        validators=[MinValueValidator(1)],
        help_text=_("A requested expiry further away, or none, is capped to this many days."),
    )
    history = History()

    class Meta:
        ordering = ["dataset__code", "ordering", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "field"], name="catalogue_item_field_unique")
        ]
        verbose_name = _("data item")
        verbose_name_plural = _("data items")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        # 一数一源: exactly one source, either on the item or per partition.
        if self.dataset_id is None:
            return
        if self.dataset.is_partitioned and self.source_department_id:
            raise ValidationError(
                {
                    "source_department": _(
                        "Items of a partitioned dataset take their source from the partition."
                    )
                }
            )
        if not self.dataset.is_partitioned and not self.source_department_id:
            raise ValidationError({"source_department": _("Every data item needs one source department.")})


class PartitionSource(models.Model):
    """The one source department of a partition of a partitioned dataset.

    For licences the partition is the licence type and its source the issuing
    department; for credit records it is the deciding authority.
    """

    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="partitions", verbose_name=_("dataset"))
    value = models.CharField(_("partition value"), max_length=64)
    name = models.CharField(_("name"), max_length=100, blank=True)
    source_department = models.ForeignKey(
        Department, models.PROTECT, related_name="sourced_partitions", verbose_name=_("source department")
    )
    history = History()

    class Meta:
        ordering = ["dataset__code", "value"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "value"], name="catalogue_partition_unique")
        ]
        verbose_name = _("partition source")
        verbose_name_plural = _("partition sources")

    def __str__(self):
        return f"{self.dataset.code}[{self.value}] → {self.source_department.code}"


class Steward(models.Model):
    """A person who keeps one department's data right through the admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="steward", verbose_name=_("user")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="stewards", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("data steward")
        verbose_name_plural = _("data stewards")

    def __str__(self):
        return f"{self.user} @ {self.department.code}"
