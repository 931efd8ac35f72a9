"""The joint meeting's dashboard: province, library and department views, exports, report.

Every page reads the figures through :mod:`hub.progress.metrics` (aggregates
only, a fixed number of queries) and shows counts and rates, never a record.
"""

import datetime
import re
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from hub.catalogue.models import Department, Library

from . import charts, metrics, tables
from .models import PlanBatch

DASHBOARD_PERMISSION = "progress.view_dashboard"


class BadFilter(ValueError):
    """A query parameter the dashboard cannot use; the message names it."""


def can_view(user):
    return bool(user and user.is_authenticated and user.has_perm(DASHBOARD_PERMISSION))


def with_language(view):
    """Simplified Chinese unless the reader chose otherwise (``?lang=en``, kept in the language cookie).

    The browser's Accept-Language is not followed here: the joint meeting reads
    the dashboard in Chinese whatever the workstation's locale.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        available = {code for code, _name in settings.LANGUAGES}
        chosen = request.GET.get("lang")
        language = chosen if chosen in available else request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = language if language in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = view(request, *args, **kwargs)
        if chosen in available:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax")
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapped


def dashboard_view(view):
    """Login (the dashboard's own page, open to non-staff members) and the dashboard permission."""

    @with_language
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("progress:login"))
        if not can_view(request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except BadFilter as exc:
            return render(request, "progress/bad_filter.html", {"message": str(exc)}, status=400)

    return wrapped


MONTH = re.compile(r"^(\d{4})-(\d{2})$")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,32}")  # a PlanBatch code; anything else is not looked up


def parse_filters(params, today=None):
    """``(batch code or None, Period)`` from ``?batch=``, ``?period=YYYY-MM`` or ``?start=&end=``."""
    today = today or timezone.localdate()
    batch = params.get("batch") or None
    if batch is not None and (not SLUG.fullmatch(batch) or not PlanBatch.objects.filter(code=batch).exists()):
        raise BadFilter(_("batch: there is no plan batch '%(value)s'.") % {"value": batch[:40]})
    period = params.get("period")
    start, end = params.get("start"), params.get("end")
    if period:
        match = MONTH.match(period)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise BadFilter(_("period: '%(value)s' is not a month (YYYY-MM).") % {"value": period[:40]})
        return batch, metrics.Period.month(int(match.group(1)), int(match.group(2)))
    if start or end:
        try:
            first = datetime.date.fromisoformat(start) if start else today - datetime.timedelta(days=29)
            last = datetime.date.fromisoformat(end) if end else today
        except ValueError:
            raise BadFilter(_("start/end: dates must be YYYY-MM-DD.")) from None
        if first > last:
            raise BadFilter(_("start: must not be after end."))
        if (last - first).days > 366 * 5:
            raise BadFilter(_("start/end: a period may span at most five years."))
        return batch, metrics.Period(first, last)
    return batch, metrics.Period.default(today)


def _query(request):
    """The filter part of the current URL, kept on links between views."""
    keep = {k: v for k, v in request.GET.items() if k in {"batch", "period", "start", "end"}}
    return "&".join(f"{k}={v}" for k, v in keep.items())


def _context(request, data, **extra):
    return {
        "data": data,
        "period": data.period,
        "batches": data.batches,
        "batch": data.batch,
        "query": _query(request),
        "quality_available": data.quality is not None,
        **extra,
    }


def _trend_charts(data, scope_key, dataset_codes=None):
    trend = metrics.trends(data, scope_key, dataset_codes)
    return trend, {
        "delivery": charts.line_chart(trend["weeks"], [(_("Items delivered"), trend["items_delivered"])]),
        "mount": charts.line_chart(trend["weeks"], [(_("Mount rate"), trend["mount_rate"])], rate=True),
        "calls": charts.line_chart(trend["weeks"], [(_("Calls"), trend["calls"])]),
        "quality": charts.line_chart(
            trend["weeks"], [(_("Quality score"), trend["quality_score"])], rate=False, top=100
        ),
    }


@dashboard_view
def province(request):
    batch, period = parse_filters(request.GET)
    data = metrics.load(batch=batch, period=period)
    summary = metrics.summary(data)
    _trend, trend_charts = _trend_charts(data, metrics.PROVINCE)
    ranked = sorted(summary["departments"], key=lambda row: row["rank"])
    return render(
        request,
        "progress/province.html",
        _context(
            request,
            data,
            summary=summary,
            figures=summary["province"],
            charts=trend_charts,
            ranking=charts.ranking([(row["name"], row["assessment"]) for row in ranked]),
            departments=ranked,
        ),
    )


@dashboard_view
def library(request, code):
    batch, period = parse_filters(request.GET)
    data = metrics.load(batch=batch, period=period)
    try:
        detail = metrics.library_detail(data, code)
    except Library.DoesNotExist:
        raise Http404(code) from None
    codes = {c for c, d in data.datasets.items() if d.library == code}
    _trend, trend_charts = _trend_charts(data, f"library:{code}", codes)
    return render(
        request,
        "progress/library.html",
        _context(request, data, detail=detail, figures=detail["figures"], charts=trend_charts),
    )


@dashboard_view
def department(request, code):
    batch, period = parse_filters(request.GET)
    data = metrics.load(batch=batch, period=period)
    try:
        detail = metrics.department_detail(data, code)
    except Department.DoesNotExist:
        raise Http404(code) from None
    codes = {u.dataset for u in data.units if u.department == code}
    _trend, trend_charts = _trend_charts(data, f"department:{code}", codes)
    return render(
        request,
        "progress/department.html",
        _context(request, data, detail=detail, figures=detail["figures"], charts=trend_charts),
    )


@dashboard_view
def export(request, fmt):
    """The dashboard's tables: all as sheets of one XLSX, or one (``?table=``) as CSV."""
    batch, period = parse_filters(request.GET)
    name = request.GET.get("table", "departments")
    if name not in tables.TABLES:
        raise BadFilter(
            _("table: '%(value)s' is not one of %(choices)s.")
            % {"value": name[:40], "choices": ", ".join(tables.TABLES)}
        )
    data = metrics.load(batch=batch, period=period)
    summary = metrics.summary(data)
    entries = metrics.entry_states(data)
    stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(
            tables.to_csv(*tables.table(summary, entries, name)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="progress-{name}-{stamp}.csv"'
        return response
    workbook = tables.to_xlsx([tables.table(summary, entries, t) for t in tables.TABLES])
    response = HttpResponse(
        workbook, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="progress-{stamp}.xlsx"'
    return response


@dashboard_view
def report(request):
    """A printable report of one period (default: the current month)."""
    params = request.GET.copy()
    if not any(params.get(k) for k in ("period", "start", "end")):
        params["period"] = timezone.localdate().strftime("%Y-%m")
    batch, period = parse_filters(params)
    data = metrics.load(batch=batch, period=period)
    summary = metrics.summary(data)
    return render(
        request,
        "progress/report.html",
        _context(
            request,
            data,
            summary=summary,
            figures=summary["province"],
            departments=sorted(summary["departments"], key=lambda row: row["rank"]),
            entries=metrics.entry_states(data),
        ),
    )


class LoginView(auth_views.LoginView):
    """The dashboard's own login: joint-meeting members are not staff, so the admin's would refuse them."""

    template_name = "progress/login.html"
    redirect_authenticated_user = False

    @method_decorator(with_language)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return self.get_redirect_url() or reverse("progress:province")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("progress:login")
