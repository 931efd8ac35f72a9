"""Request-wide middleware: request id and request log line, API language, content security policy.

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
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

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
        if api and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            language = "en"
        else:
            language = translation.get_language_from_request(request)
        with translation.override(language):
            message = _("%(where)s: the NUL character is not allowed.") % {"where": str(where)}
        if api:
            return JsonResponse({"detail": message, "code": "invalid_character"}, status=400)
        return HttpResponseBadRequest(message)
