"""The quality bulletin (质量通报): per department and for the province, as a page or a file.

The same figures serve the pages (``/quality/bulletin/``), their CSV/XLSX
downloads and ``manage.py quality_bulletin``, which a scheduler runs to
publish the periodic bulletin as files.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.catalogue.models import Department

from . import metrics
from .choices import PENDING_STATUSES, Dimension
from .exports import ISSUE_HEADER, download, issue_rows
from .models import QualityIssue
from .workflow import is_operator, steward_department_id

OVERDUE_LISTED = 500
RANKING_HEADER = [
    "rank",
    "department",
    "name",
    "score",
    "rows_checked",
    "rows_failing",
    "open",
    "overdue",
    "closed",
]


def _dimensions(department=None):
    names = dict(Dimension.choices)
    return [(names.get(k, k), v) for k, v in sorted(metrics.breakdown("dimension", department).items())]


def _overdue(issues):
    return issues.filter(status__in=PENDING_STATUSES, due_at__lt=timezone.now())


def province_bulletin():
    """``(context, sheets, filename)`` of the province bulletin."""
    ranking = metrics.department_ranking()
    overdue = list(
        _overdue(QualityIssue.objects.all())
        .values("department__code", "department__name", "dataset__code", "rule__code", "item__code")
        .annotate(n=Count("id"), oldest=Min("due_at"))
        .order_by("oldest")
    )
    context = {
        "title": _("Province data quality bulletin"),
        "generated_at": timezone.now(),
        "score": metrics.score(),
        "counts": metrics.issue_counts(),
        "ranking": ranking,
        "dimensions": _dimensions(),
        "overdue_groups": overdue,
    }
    sheets = [
        (
            "ranking",
            RANKING_HEADER,
            [
                [r["rank"], r["department"].code, r["department"].name, r["score"], r["checked"], r["failed"]]
                + [r["open"], r["overdue"], r["closed"]]
                for r in ranking
            ],
        ),
        (
            "overdue",
            ["department", "dataset", "rule", "item", "issues", "oldest_due"],
            [
                [g["department__code"], g["dataset__code"], g["rule__code"] or "", g["item__code"] or ""]
                + [g["n"], g["oldest"]]
                for g in overdue
            ],
        ),
    ]
    return context, sheets, f"quality-bulletin-{timezone.localdate():%Y%m%d}"


def department_bulletin(dept):
    """``(context, sheets, filename)`` of one department's bulletin."""
    overdue = _overdue(QualityIssue.objects.filter(department=dept)).order_by("due_at")
    context = {
        "title": _("Data quality bulletin: %(department)s") % {"department": dept.name},
        "department": dept,
        "generated_at": timezone.now(),
        "score": metrics.score(dept),
        "counts": metrics.issue_counts(dept),
        "datasets": sorted(metrics.breakdown("scan__dataset__code", dept).items()),
        "items": sorted(
            ((k, v) for k, v in metrics.breakdown("item__code", dept).items() if k),
            key=lambda kv: (kv[1] is None, kv[1]),
        ),
        "dimensions": _dimensions(dept),
        "trend": metrics.score_trend(dept),
        "overdue": overdue.select_related("dataset", "item", "rule")[:OVERDUE_LISTED],
        "overdue_total": overdue.count(),
    }
    scores = (
        [["department", dept.code, context["score"]]]
        + [["dataset", k, v] for k, v in context["datasets"]]
        + [["item", k, v] for k, v in context["items"]]
        + [["dimension", k, v] for k, v in context["dimensions"]]
    )
    sheets = [
        ("scores", ["scope", "name", "score"], scores),
        ("trend", ["scanned_at", "score"], context["trend"]),
        ("overdue", ISSUE_HEADER, issue_rows(overdue)),
    ]
    return context, sheets, f"quality-bulletin-{dept.code}-{timezone.localdate():%Y%m%d}"


def _respond(request, template, context, sheets, filename):
    fmt = request.GET.get("format", "html")
    if fmt in ("csv", "xlsx"):
        return download(filename, sheets, fmt)
    return render(request, template, context)


@staff_member_required
def province(request):
    """Departments ranked by score, with the overdue issues counted per department and rule."""
    return _respond(request, "quality/bulletin_province.html", *province_bulletin())


@staff_member_required
def department(request, code):
    """One department's scores by dataset, item and dimension, its trend, and its overdue issues."""
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise Http404(_("Unknown department."))
    if not is_operator(request.user) and steward_department_id(request.user) != dept.pk:
        raise PermissionDenied(_("A steward sees the bulletin of their own department only."))
    return _respond(request, "quality/bulletin_department.html", *department_bulletin(dept))
