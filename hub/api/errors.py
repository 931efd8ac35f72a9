"""The hub's own API exceptions, importable without DRF's views (so without its settings).

Modules loaded while apps are still being set up (system checks, filter
backends) import these from here; ``hub.api.exceptions`` re-exports them
with the exception handler.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions


class BadRequest(exceptions.APIException):
    status_code = 400
    default_code = "invalid"


class NoGrant(exceptions.PermissionDenied):
    """403 naming the dataset and the mode missing, never data."""

    default_code = "no_grant"

    def __init__(self, dataset, mode, detail=None):
        self.dataset = dataset
        self.mode = mode
        super().__init__(
            detail
            or _("No active %(mode)s grant on dataset %(dataset)s.") % {"mode": mode, "dataset": dataset}
        )


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "unavailable"
    default_detail = gettext_lazy("The database is unavailable; try again shortly.")
