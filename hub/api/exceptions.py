"""Every API error as ``{"detail", "code"[, "errors"]}`` (API.md)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hub.records.sources import SourceRuleViolation

from .errors import BadRequest, NoGrant, PayloadTooLarge, ServiceUnavailable  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)


def body_too_large(length, limit, *, ingest=False):
    """The 413 for a body of ``length`` bytes over ``limit`` (ingest names the command for large files)."""
    if ingest:
        return PayloadTooLarge(
            _(
                "The body has %(length)d bytes, more than the %(limit)d allowed; "
                "load large files with `manage.py ingest DATASET FILE --department CODE`."
            )
            % {"length": length, "limit": limit}
        )
    return PayloadTooLarge(
        _("Request body of %(size)s bytes is over the limit of %(max)d bytes.")
        % {"size": length, "max": limit}
    )


def flatten_errors(detail, prefix=""):
    """``{"items.0.mode": ["..."]}``: every message under the dotted path of its field."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for sub, messages in flatten_errors(value, path).items():
                flat.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        for position, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                path = f"{prefix}.{position}" if prefix else str(position)
                for sub, messages in flatten_errors(value, path).items():
                    flat.setdefault(sub, []).extend(messages)
            else:
                flat.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        flat.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return flat


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, RequestDataTooBig):
        limit = settings.HUB_MAX_BODY_BYTES
        exc = body_too_large(limit + 1, limit)
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = BadRequest(_("The request was refused as malformed."), code="bad_request")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)  # the negotiation's ?format= 404 has no message
    if isinstance(exc, SourceRuleViolation):
        return Response(
            {"detail": exc.message, "code": "source_rule", "violations": exc.violations},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        log.warning("database unavailable: %s", exc)
        exc = ServiceUnavailable()
    elif isinstance(exc, DatabaseError):
        log.exception("database error answered as 503")
        exc = ServiceUnavailable(_("The request could not be completed by the database."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail) or {"non_field_errors": [_("Invalid input.")]}
        field, messages = next(iter(errors.items()))
        response.data = {
            "detail": _("Invalid input: %(field)s: %(message)s") % {"field": field, "message": messages[0]},
            "code": "invalid",
            "errors": errors,
        }
        return response
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    body = {"detail": str(detail), "code": codes if isinstance(codes, str) else "error"}
    if isinstance(exc, NoGrant):
        body.update({"dataset": exc.dataset, "mode": exc.mode})
    response.data = body
    return response
