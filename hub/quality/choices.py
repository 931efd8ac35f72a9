"""Code tables of data quality: dimensions, severities, rule kinds, issue states."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.catalogue.choices import UpdateCycle


class Dimension(models.TextChoices):
    COMPLETENESS = "completeness", _("Completeness")
    VALIDITY = "validity", _("Validity")
    CONSISTENCY = "consistency", _("Consistency")
    UNIQUENESS = "uniqueness", _("Uniqueness")
    TIMELINESS = "timeliness", _("Timeliness")
    ACCURACY = "accuracy", _("Accuracy")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# How much a failing row of each severity weighs in a score.
SEVERITY_WEIGHTS = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 4, Severity.CRITICAL: 8}


class RuleKind(models.TextChoices):
    """What a rule checks; each kind compiles to one SQL predicate (see ``sql.py``)."""

    REQUIRED = "required", _("Required")
    FORMAT = "format", _("Format (pattern, length)")
    CHECKSUM = "checksum", _("Checksum (ID number, credit code)")
    CODETABLE = "codetable", _("Code table membership")
    RANGE = "range", _("Range")
    ID_CONSISTENCY = "id_consistency", _("Agrees with the ID number")
    ORDER = "order", _("Not before another field")
    REFERENCE = "reference", _("Exists in another library")
    UNIQUENESS = "uniqueness", _("Unique")
    FRESHNESS = "freshness", _("Updated within its cycle")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RECTIFIED = "rectified", _("Rectified")
    CLOSED = "closed", _("Closed")
    DISPUTED = "disputed", _("Disputed")


# Statuses a steward still has to act on; an issue in one of them is overdue after its deadline.
PENDING_STATUSES = (IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED, IssueStatus.DISPUTED)


class IssueOrigin(models.TextChoices):
    SCAN = "scan", _("Scan")
    FEEDBACK = "feedback", _("Consumer feedback")


class ScanTrigger(models.TextChoices):
    MANUAL = "manual", _("Manual")
    SCHEDULE = "schedule", _("Scheduled")
    INGEST = "ingest", _("After ingest")


class ScanStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Days a source department has to fix an issue, by the item's update cycle
# (an item refreshed daily is expected to be corrected quickly).
DEADLINE_DAYS = {
    UpdateCycle.REALTIME: 3,
    UpdateCycle.DAILY: 5,
    UpdateCycle.WEEKLY: 10,
    UpdateCycle.MONTHLY: 30,
    UpdateCycle.QUARTERLY: 60,
    UpdateCycle.YEARLY: 90,
    UpdateCycle.ON_CHANGE: 15,
}
