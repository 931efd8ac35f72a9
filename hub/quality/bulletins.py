"""The quality bulletin (质量通报): per department and for the province, as a page or a download."""

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


def _format(request):
    fmt = request.GET.get("format", "html")
    return fmt if fmt in ("html", "csv", "xlsx") else "html"


def _dimension_names():
    return dict(Dimension.choices)


def _overdue(issues):
    return issues.filter(status__in=PENDING_STATUSES, due_at__lt=timezone.now())


@staff_member_required
def province(request):
    """Departments ranked by score, with the overdue issues counted per department and rule."""
    ranking = metrics.department_ranking()
    overdue = list(
        _overdue(QualityIssue.objects.all())
        .values("department__code", "department__name", "dataset__code", "rule__code", "item__code")
        .annotate(n=Count("id"), oldest=Min("due_at"))
        .order_by("oldest")
    )
    dimensions = metrics.breakdown("dimension")
    context = {
        "title": _("Province data quality bulletin"),
        "generated_at": timezone.now(),
        "score": metrics.score(),
        "counts": metrics.issue_counts(),
        "ranking": ranking,
        "dimensions": [(_dimension_names().get(k, k), v) for k, v in sorted(dimensions.items())],
        "overdue_groups": overdue,
    }
    fmt = _format(request)
    if fmt != "html":
        return download(
            f"quality-bulletin-{timezone.localdate():%Y%m%d}",
            [
                (
                    "ranking",
                    [
                        "rank",
                        "department",
                        "name",
                        "score",
                        "rows_checked",
                        "rows_failing",
                        "open",
                        "overdue",
                        "closed",
                    ],
                    [
                        [
                            r["rank"],
                            r["department"].code,
                            r["department"].name,
                            r["score"],
                            r["checked"],
                            r["failed"],
                            r["open"],
                            r["overdue"],
                            r["closed"],
                        ]
                        for r in ranking
                    ],
                ),
                (
                    "overdue",
                    ["department", "dataset", "rule", "item", "issues", "oldest_due"],
                    [
                        [
                            g["department__code"],
                            g["dataset__code"],
                            g["rule__code"] or "",
                            g["item__code"] or "",
                            g["n"],
                            g["oldest"],
                        ]
                        for g in overdue
                    ],
                ),
            ],
            fmt,
        )
    return render(request, "quality/bulletin_province.html", context)


@staff_member_required
def department(request, code):
    """One department's scores by dataset, item and dimension, its trend, and its overdue issues."""
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise Http404(_("Unknown department."))
    if not is_operator(request.user) and steward_department_id(request.user) != dept.pk:
        raise PermissionDenied(_("A steward sees the bulletin of their own department only."))
    issues = QualityIssue.objects.filter(department=dept)
    overdue = _overdue(issues).order_by("due_at")
    context = {
        "title": _("Data quality bulletin: %(department)s") % {"department": dept.name},
        "department": dept,
        "generated_at": timezone.now(),
        "score": metrics.score(dept),
        "counts": metrics.issue_counts(dept),
        "datasets": sorted(metrics.breakdown("scan__dataset__code", dept).items()),
        "items": sorted(metrics.breakdown("item__code", dept).items(), key=lambda kv: (kv[1] is None, kv[1])),
        "dimensions": [
            (_dimension_names().get(k, k), v) for k, v in sorted(metrics.breakdown("dimension", dept).items())
        ],
        "trend": metrics.score_trend(dept),
        "overdue": overdue.select_related("dataset", "item", "rule")[:OVERDUE_LISTED],
        "overdue_total": overdue.count(),
    }
    fmt = _format(request)
    if fmt != "html":
        return download(
            f"quality-bulletin-{dept.code}-{timezone.localdate():%Y%m%d}",
            [
                (
                    "scores",
                    ["scope", "name", "score"],
                    [["department", dept.code, context["score"]]]
                    + [["dataset", k, v] for k, v in context["datasets"]]
                    + [["item", k, v] for k, v in context["items"] if k]
                    + [["dimension", k, v] for k, v in context["dimensions"]],
                ),
                ("trend", ["scanned_at", "score"], context["trend"]),
                ("overdue", ISSUE_HEADER, issue_rows(overdue)),
            ],
            fmt,
        )
    return render(request, "quality/bulletin_department.html", context)
