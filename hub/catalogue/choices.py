"""Code tables of the catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Unconditional")
    CONDITIONAL = "conditional", _("Conditional")
    NOT_SHARED = "not_shared", _("Not shared")


class Sensitivity(models.IntegerChoices):
    PUBLIC = 1, _("1 Public")
    INTERNAL = 2, _("2 Internal")
    SENSITIVE = 3, _("3 Sensitive")
    CORE = 4, _("4 Core")


class SelfServiceMode(models.IntegerChoices):
    """The highest mode of an unconditional item granted on application, without the source.

    The values are those of :class:`hub.access.choices.Mode` (the catalogue
    comes before access, so it cannot import it; a test keeps the two equal).
    """

    NONE = 0, _("None: every mode waits for the source department")
    VERIFY = 1, _("Verify")
    LOOKUP = 2, _("Lookup")
    SEARCH = 3, _("Search")


# The self-service limits an item gets when its declaration names none, by sensitivity:
# (highest mode granted at once, unmasked grants need the source's approval, longest grant in days).
SELF_SERVICE_DEFAULTS = {
    Sensitivity.PUBLIC: (SelfServiceMode.SEARCH, False, 3 * 365),
    Sensitivity.INTERNAL: (SelfServiceMode.LOOKUP, False, 365),
    Sensitivity.SENSITIVE: (SelfServiceMode.LOOKUP, True, 365),
    Sensitivity.CORE: (SelfServiceMode.NONE, True, 180),
}
# From this sensitivity on, search mode and unmasked grants always wait for the source
# department, whatever the item declares.
SOURCE_APPROVAL_SENSITIVITY = Sensitivity.SENSITIVE


class Masking(models.TextChoices):
    NONE = "none", _("No masking")
    ID_NUMBER = "id_number", _("ID number (keep first 4 and last 4)")
    NAME = "name", _("Name (keep surname)")
    PHONE = "phone", _("Phone (keep first 3 and last 4)")
    ADDRESS = "address", _("Address (keep first 6 characters)")
    DATE = "date", _("Date (keep year)")
    CODE = "code", _("Code (keep first 6 and last 2)")
    FULL = "full", _("Fully hidden")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    ON_CHANGE = "on_change", _("On change")


# How long an item may go without an update before it is stale (days).
CYCLE_DAYS = {
    UpdateCycle.REALTIME: 1,
    UpdateCycle.DAILY: 2,
    UpdateCycle.WEEKLY: 8,
    UpdateCycle.MONTHLY: 32,
    UpdateCycle.QUARTERLY: 93,
    UpdateCycle.YEARLY: 366,
    UpdateCycle.ON_CHANGE: None,
}
