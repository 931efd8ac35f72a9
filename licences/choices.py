"""Code tables of the licence library."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HolderKind(models.TextChoices):
    PERSON = "person", _("Natural person (citizen ID number)")
    ENTITY = "entity", _("Legal entity (unified social credit code)")


class ValidityPolicy(models.TextChoices):
    FIXED = "fixed", _("Fixed term")
    LONG_TERM = "long_term", _("Long-term")
    FIXED_OR_LONG_TERM = "fixed_or_long_term", _("Fixed term or long-term")


class LicenceState(models.TextChoices):
    """What the issuer decided; stored. Expiry is not stored but derived from the dates."""

    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", pgettext_lazy("licence status", "Suspended")
    REVOKED = "revoked", _("Revoked")


class LicenceStatus(models.TextChoices):
    """The status a caller sees: the stored state, or ``expired`` once a valid licence's term ended."""

    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", pgettext_lazy("licence status", "Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


# Which states an action may start from, and where it leads.
TRANSITIONS = {
    "suspend": ({LicenceState.VALID}, LicenceState.SUSPENDED),
    "revoke": ({LicenceState.VALID, LicenceState.SUSPENDED}, LicenceState.REVOKED),
    "restore": ({LicenceState.SUSPENDED}, LicenceState.VALID),
}
