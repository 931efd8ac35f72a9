"""Quality rules, scans and their results, issues and the issues' history."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hub.catalogue.models import DataItem, Dataset, Department

from .choices import (
    DEADLINE_DAYS,
    PENDING_STATUSES,
    SEVERITY_WEIGHTS,
    Dimension,
    IssueOrigin,
    IssueStatus,
    RuleKind,
    ScanStatus,
    ScanTrigger,
    Severity,
)


class QualityRule(models.Model):
    """One check on a dataset's records, blamed on one item (and so on its source).

    Libraries ship their default rules in ``<library>/quality.py``; operators
    add and tune rules here. ``params`` depend on the kind (see ``sql.py``);
    every kind also accepts ``{"when": {field: value}}`` to check only some rows.
    """

    code = models.CharField(_("code"), max_length=128, unique=True)
    dataset = models.ForeignKey(
        Dataset, models.CASCADE, related_name="quality_rules", verbose_name=_("dataset")
    )
    item = models.ForeignKey(
        DataItem,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="quality_rules",
        verbose_name=_("data item"),
        help_text=_("The item a failure is blamed on; its source fixes it. Empty: the natural key."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MEDIUM
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("days to fix"),
        null=True,
        blank=True,
        help_text=_("Empty: from the item's update cycle."),
    )
    active = models.BooleanField(_("active"), default=True)
    shipped = models.BooleanField(_("shipped with the library"), default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dataset__code", "code"]
        verbose_name = _("quality rule")
        verbose_name_plural = _("quality rules")
        permissions = [("operate", _("Operate data quality (decide disputes, close any issue)"))]

    def __str__(self):
        return self.description or self.code

    @property
    def weight(self):
        return SEVERITY_WEIGHTS[self.severity]

    def days_to_fix(self):
        if self.deadline_days:
            return self.deadline_days
        cycle = self.item.update_cycle if self.item_id else self.dataset.update_cycle
        return DEADLINE_DAYS.get(cycle, 15)

    def clean(self):
        from django.core.exceptions import ValidationError

        from .sql import RuleError, check_rule

        if self.item_id and self.dataset_id and self.item.dataset_id != self.dataset_id:
            raise ValidationError({"item": _("The item belongs to another dataset.")})
        if self.dataset_id:
            try:
                check_rule(self)
            except RuleError as exc:
                raise ValidationError({"params": str(exc)}) from exc


class Scan(models.Model):
    """One run of a dataset's rules, over all its records or over the keys an ingest touched."""

    dataset = models.ForeignKey(
        Dataset, models.CASCADE, related_name="quality_scans", verbose_name=_("dataset")
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=ScanTrigger.choices)
    full = models.BooleanField(_("full scan"), default=True)
    batch = models.CharField(_("ingest batch"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, db_index=True)
    rows = models.PositiveIntegerField(_("rows scanned"), default=0)
    opened = models.PositiveIntegerField(_("issues opened"), default=0)
    resolved = models.PositiveIntegerField(_("issues resolved"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self):
        return f"{self.dataset.code} @ {self.started_at:%Y-%m-%d %H:%M}"


class RuleResult(models.Model):
    """What one rule found in one scan for one source department's rows."""

    scan = models.ForeignKey(Scan, models.CASCADE, related_name="results", verbose_name=_("scan"))
    rule = models.ForeignKey(QualityRule, models.CASCADE, related_name="results", verbose_name=_("rule"))
    department = models.ForeignKey(Department, models.CASCADE, related_name="+", verbose_name=_("department"))
    item = models.ForeignKey(
        DataItem, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("data item")
    )
    # Copied from the rule so a later retuning does not rewrite past scores.
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    checked = models.PositiveIntegerField(_("rows checked"))
    failed = models.PositiveIntegerField(_("rows failing"))
    examples = models.JSONField(_("examples"), default=list, blank=True)

    class Meta:
        ordering = ["scan", "rule__code"]
        verbose_name = _("rule result")
        verbose_name_plural = _("rule results")

    def __str__(self):
        return f"{self.rule.code}: {self.failed}/{self.checked}"


class IssueQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=IssueStatus.CLOSED)

    def overdue(self, at=None):
        return self.filter(status__in=PENDING_STATUSES, due_at__lt=at or timezone.now())

    def for_user(self, user):
        """The issues a person may see: an operator all, a steward their department's."""
        from .workflow import is_operator

        if is_operator(user):
            return self
        steward = getattr(user, "steward", None)
        if steward is None:
            return self.none()
        return self.filter(department_id=steward.department_id)


class QualityIssue(models.Model):
    """One violation of one rule by one record, or one consumer's doubt about one value.

    It belongs to the department that is the source of the item (per
    partition) and moves open → acknowledged → rectified → closed, or to
    disputed, which an operator decides. While it is not closed, scans reuse it.
    """

    rule = models.ForeignKey(
        QualityRule, models.SET_NULL, null=True, blank=True, related_name="issues", verbose_name=_("rule")
    )
    dataset = models.ForeignKey(
        Dataset, models.CASCADE, related_name="quality_issues", verbose_name=_("dataset")
    )
    item = models.ForeignKey(
        DataItem,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="quality_issues",
        verbose_name=_("data item"),
    )
    record_key = models.CharField(_("record key"), max_length=128, db_index=True)
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="quality_issues", verbose_name=_("responsible department")
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=IssueOrigin.choices, default=IssueOrigin.SCAN
    )
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    detail = models.TextField(_("detail"), blank=True)
    reporter = models.ForeignKey(
        "access.ConsumerSystem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="quality_reports",
        verbose_name=_("reported by"),
    )
    dispute_reason = models.TextField(_("dispute reason"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    waived = models.BooleanField(
        _("waived"), default=False, help_text=_("A dispute was upheld: scans no longer report this.")
    )
    first_scan = models.ForeignKey(
        Scan, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("found in scan")
    )
    last_scan = models.ForeignKey(
        Scan, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("last seen in scan")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("quality issue")
        verbose_name_plural = _("quality issues")
        constraints = [
            # One issue per rule and record while it is not closed (scans upsert on this).
            models.UniqueConstraint(
                fields=["rule", "record_key"],
                condition=Q(origin="scan") & ~Q(status="closed"),
                name="quality_issue_one_open_per_rule",
            ),
            models.UniqueConstraint(
                fields=["dataset", "item", "record_key"],
                condition=Q(origin="feedback") & ~Q(status="closed"),
                name="quality_issue_one_open_feedback",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["rule", "status"])]

    def __str__(self):
        what = self.rule.code if self.rule_id else (self.item.code if self.item_id else self.dataset.code)
        return f"#{self.pk} {what} [{self.record_key}]"

    @property
    def overdue(self):
        return self.status in PENDING_STATUSES and self.due_at < timezone.now()

    @staticmethod
    def due_from(rule_or_days, start=None):
        days = rule_or_days if isinstance(rule_or_days, int) else rule_or_days.days_to_fix()
        return (start or timezone.now()) + datetime.timedelta(days=days)


class IssueEvent(models.Model):
    """One step in an issue's life: who moved it from which status to which, and why.

    Issues a scan opens carry their opening in ``first_scan``/``opened_at``;
    every later transition, by a person, a system or a scan, is an event.
    """

    issue = models.ForeignKey(QualityIssue, models.CASCADE, related_name="events", verbose_name=_("issue"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=16, choices=IssueStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=IssueStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    system = models.ForeignKey(
        "access.ConsumerSystem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("system"),
    )
    scan = models.ForeignKey(
        Scan, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("scan")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["issue", "at", "id"]
        verbose_name = _("issue event")
        verbose_name_plural = _("issue events")

    def __str__(self):
        return f"{self.issue_id}: {self.from_status} → {self.to_status}"
