"""Request-wide middleware: request id and request log line, the audit row of every API call,
API language, content security policy.

The request id ties one call together across the reverse proxy's log, the
hub's JSON log lines, the audit row and the caller's own logs: a sane
``X-Request-ID`` from the caller (or the proxy) is kept, otherwise one is
generated; either way it is echoed in the response header.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from rest_framework.response import Response

from .access import audit
from .api.exceptions import body_too_large
from .logs import request_id_var

log = logging.getLogger("hub.request")

# Where a NUL character was found, when it is not in a named query parameter.
PATH = pgettext_lazy("part of a request", "path")
QUERY = pgettext_lazy("part of a request", "query")

# Printable, no spaces, bounded: anything else is replaced, never trusted.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,64}$")


class RequestIdMiddleware:
    """Keep or generate the request id, expose it to views and logs, echo it back."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        # The audit writer reads the id from here.
        request.META["HTTP_X_REQUEST_ID"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[self.header] = request_id
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "system": getattr(getattr(request, "user", None), "username", "") or "",
                    "client_ip": request.META.get("REMOTE_ADDR", ""),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def api_language(request):
    """The language an API answer speaks, chosen as the locale and API language middlewares would."""
    if "HTTP_ACCEPT_LANGUAGE" not in request.META:
        return "en"
    return translation.get_language_from_request(request)


def _json_error(detail, code, status):
    return JsonResponse(
        {"detail": str(detail), "code": code}, status=status, json_dumps_params={"ensure_ascii": False}
    )


class AuditMiddleware:
    """One audit row for every governed call, whatever its outcome (invariant 4).

    Governed calls are the requests under ``/api/v1/`` except the schema and
    docs pages. The governed viewsets write their row inside the call, in the
    call's transaction, and mark the request's :class:`~hub.access.audit.AuditDraft`
    written; this middleware writes the row of every other call from the same
    draft (what the view learnt: dataset, mode, keys, batch) once the response
    is known: catalogue, access, quality, progress and ingest views, and the
    calls no view answered (unknown paths, a NUL refused, an oversized body,
    an unhandled exception). Fail closed here too: if the row of a response
    that carries data (2xx) cannot be written, a 503 without data replaces
    it; a refusal or a redirect leaves as it is (the failure is logged).

    Placed right after the request id middleware, so that every refusal of
    the middlewares below it is recorded, with the call's request id.
    """

    prefix = "/api/v1/"
    unaudited = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")

    def __init__(self, get_response):
        self.get_response = get_response

    def governs(self, request):
        path = request.path_info
        return path.startswith(self.prefix) and not path.startswith(self.unaudited)

    def __call__(self, request):
        if not self.governs(request):
            return self.get_response(request)
        draft = audit.draft_for(request)
        response = self.refuse_oversized(request) or self.get_response(request)
        response = self.as_json(request, response)
        if draft.written:
            return response
        try:
            audit.append_call(request, response.status_code, draft)
        except DatabaseError:
            if response.status_code >= 300:  # a refusal or a redirect carries no data: it may leave
                log.exception("the audit row of a refused call could not be written")
                return response
            log.exception("API call failed closed: its audit row could not be written")
            with translation.override(api_language(request)):
                return _json_error(
                    _("The call could not be recorded; no data was returned."), "unavailable", 503
                )
        draft.written = True
        return response

    def refuse_oversized(self, request):
        """The documented JSON 413 for a declared body over ``HUB_MAX_BODY_BYTES``, on every endpoint.

        Refused before anything reads the body (Django would raise
        ``RequestDataTooBig``, an HTML 400, on the first read).
        """
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        limit = settings.HUB_MAX_BODY_BYTES
        if length <= limit:
            return None
        with translation.override(api_language(request)):
            refusal = body_too_large(length, limit, ingest=request.path_info.startswith("/api/v1/ingest/"))
            return _json_error(refusal.detail, "too_large", 413)

    def process_exception(self, request, exception):
        """An exception no view handled: a JSON error without data (and, in ``__call__``, its row)."""
        if not self.governs(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            limit = settings.HUB_MAX_BODY_BYTES
            return _json_error(body_too_large(limit + 1, limit).detail, "too_large", 413)
        if isinstance(exception, SuspiciousOperation):
            return _json_error(_("The request was refused as malformed."), "bad_request", 400)
        log.error("unhandled exception in %s %s", request.method, request.path, exc_info=exception)
        return _json_error(_("Internal error; no data was returned."), "server_error", 500)

    def as_json(self, request, response):
        """API errors are ``{"detail", "code"}``: replace Django's HTML error pages (404, 400, 500)."""
        if response.status_code < 400 or isinstance(response, Response):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 500: "server_error"}
        with translation.override(api_language(request)):
            if status == 404:
                detail = _("Not found.")
            elif status >= 500:
                detail = _("Internal error; no data was returned.")
            else:
                detail = _("The request was refused as malformed.")
        replacement = _json_error(detail, code.get(status, "error"), status)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replacement[header] = response[header]
        return replacement


class ContentSecurityPolicyMiddleware:
    """Set ``Content-Security-Policy`` on HTML pages (admin, dashboard, API docs).

    Django 5.2 has no built-in CSP. Everything the pages load is served by the
    hub itself (static files, drf-spectacular-sidecar's swagger-ui); the
    swagger-ui and admin pages carry small inline scripts and styles, hence
    ``'unsafe-inline'`` for those two directives only.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.HUB_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", self.policy)
        return response


class ApiLanguageMiddleware:
    """The API speaks English unless the caller asks otherwise.

    Pages and the admin default to Simplified Chinese (``LANGUAGE_CODE``);
    API field names and codes are English, so an API call without an
    ``Accept-Language`` header gets English messages too, and one that asks
    for ``zh-hans`` gets them in Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


class RejectNulMiddleware:
    """Refuse a NUL character in the path or query string with a 400, for every view.

    PostgreSQL text cannot hold NUL; letting one through to a filter or a
    search box would surface as a database error (a 503) instead of the
    caller's mistake. Checking once here covers the API, the admin and the
    pages alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = None  # the offending query parameter's name, or one of the two words below
        if "\x00" in request.path_info:
            where = PATH
        else:
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    where = name.replace("\x00", "")[:64] or QUERY
                    break
        if where is None:
            return self.get_response(request)
        api = request.path_info.startswith("/api/")
        # This runs before the language is chosen: choose it the way the locale and API language
        # middlewares would, so the answer speaks the caller's language.
        language = api_language(request) if api else translation.get_language_from_request(request)
        with translation.override(language):
            message = _("%(where)s: the NUL character is not allowed.") % {"where": str(where)}
        if api:
            return JsonResponse({"detail": message, "code": "invalid_character"}, status=400)
        return HttpResponseBadRequest(message)
