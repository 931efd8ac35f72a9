"""Code tables of governed access."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.IntegerChoices):
    """Access modes, weakest first; a higher mode implies the lower ones."""

    VERIFY = 1, _("Verify")
    LOOKUP = 2, _("Lookup")
    SEARCH = 3, _("Search")

    @classmethod
    def from_name(cls, name):
        try:
            return cls[str(name).upper()]
        except KeyError:
            raise ValueError(name) from None

    @property
    def api_name(self):
        return self.name.lower()


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
