"""Every API error as ``{"detail", "code"[, "errors"]}`` (API.md)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hub.records.sources import SourceRuleViolation


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
    default_detail = "The database is unavailable; try again shortly."


def _flatten_errors(detail, path=""):
    """Nested serializer errors as ``{"items.0.mode": [messages]}``: one flat level, naming the spot."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(_flatten_errors(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(detail, list):
        for position, entry in enumerate(detail):
            if isinstance(entry, (dict, list)):
                flat.update(_flatten_errors(entry, f"{path}.{position}" if path else str(position)))
            else:
                flat.setdefault(path or "non_field_errors", []).append(str(entry))
    else:
        flat.setdefault(path or "non_field_errors", []).append(str(detail))
    return flat


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, SourceRuleViolation):
        return Response(
            {"detail": exc.message, "code": "source_rule", "violations": exc.violations},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        exc = ServiceUnavailable()
    elif isinstance(exc, DatabaseError):
        exc = ServiceUnavailable(_("The request could not be completed by the database."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        flat = _flatten_errors(errors)
        first = next(iter(flat.items()), ("non_field_errors", [""]))
        response.data = {
            "detail": _("Invalid input: %(field)s: %(message)s")
            % {"field": first[0], "message": (first[1] or [""])[0]},
            "code": "invalid",
            "errors": flat,
        }
        return response
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    body = {"detail": str(detail), "code": codes if isinstance(codes, str) else "error"}
    if isinstance(exc, NoGrant):
        body.update({"dataset": exc.dataset, "mode": exc.mode})
    response.data = body
    return response
