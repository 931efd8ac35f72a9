"""Quality figures for the dashboard, the bulletin and the scores API.

A score is the share of checked rows that pass, each rule weighted by its
severity, over the latest *full* scan of each dataset: 0–100, or None when
nothing was checked. Departments are matched by code or instance.
"""

from collections import defaultdict

from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from .choices import PENDING_STATUSES, ScanStatus
from .models import QualityIssue, RuleResult, Scan


def _department_filter(department, field="department"):
    if department is None:
        return Q()
    if isinstance(department, str):
        return Q(**{f"{field}__code": department})
    return Q(**{f"{field}_id": getattr(department, "pk", department)})


def _dataset_filter(dataset, field="dataset"):
    if dataset is None:
        return Q()
    if isinstance(dataset, str):
        return Q(**{f"{field}__code": dataset})
    return Q(**{f"{field}_id": getattr(dataset, "pk", dataset)})


def latest_scans(dataset=None, at=None):
    """Ids of the latest finished full scan of each dataset (as of ``at``)."""
    scans = Scan.objects.filter(full=True, status=ScanStatus.DONE).filter(_dataset_filter(dataset))
    if at is not None:
        scans = scans.filter(finished_at__lte=at)
    latest = scans.values("dataset_id").annotate(last=Max("finished_at"))
    ids = []
    for row in latest:
        scan = scans.filter(dataset_id=row["dataset_id"], finished_at=row["last"]).order_by("-pk").first()
        if scan:
            ids.append(scan.pk)
    return ids


def _score(results):
    totals = results.aggregate(
        passed=Sum((F("checked") - F("failed")) * F("weight")), checked=Sum(F("checked") * F("weight"))
    )
    if not totals["checked"]:
        return None
    return round(100.0 * totals["passed"] / totals["checked"], 2)


def results(department=None, dataset=None, scans=None):
    """The rule results behind a score: the latest full scans unless ``scans`` is given."""
    scan_ids = latest_scans(dataset) if scans is None else scans
    return RuleResult.objects.filter(scan_id__in=scan_ids).filter(_department_filter(department))


def score(department=None, dataset=None, item=None, dimension=None):
    """0–100 weighted share of passing rows at the latest scans, or None."""
    found = results(department, dataset)
    if item is not None:
        found = found.filter(item__code=item) if isinstance(item, str) else found.filter(item=item)
    if dimension is not None:
        found = found.filter(dimension=dimension)
    return _score(found)


def breakdown(by, department=None, dataset=None):
    """``{value: score}`` grouped by ``by`` ("department__code", "dimension", "item__code", …)."""
    found = results(department, dataset)
    rows = found.values(by).annotate(
        passed=Sum((F("checked") - F("failed")) * F("weight")), checked=Sum(F("checked") * F("weight"))
    )
    return {
        row[by]: (round(100.0 * row["passed"] / row["checked"], 2) if row["checked"] else None)
        for row in rows
    }


def issue_counts(department=None):
    """``{"open": n, "overdue": n}``: issues not yet closed, and pending ones past their deadline."""
    issues = QualityIssue.objects.filter(_department_filter(department))
    return {
        "open": issues.active().count(),
        "overdue": issues.filter(status__in=PENDING_STATUSES, due_at__lt=timezone.now()).count(),
    }


def score_trend(department=None, dataset=None, limit=12):
    """``[(scan time, score)]``, oldest first, one point per finished full scan.

    Each point combines, for every dataset, its latest full scan at that time,
    so a department sourcing several datasets gets one comparable line.
    """
    scans = (
        Scan.objects.filter(full=True, status=ScanStatus.DONE)
        .filter(_dataset_filter(dataset))
        .order_by("-finished_at", "-pk")
    )
    if department is not None:
        scans = scans.filter(results__in=RuleResult.objects.filter(_department_filter(department))).distinct()
    points = list(scans.values_list("pk", "dataset_id", "finished_at")[: max(limit, 0) * 8])
    points.reverse()
    latest_by_dataset = {}
    trend = []
    for pk, dataset_id, finished in points:
        latest_by_dataset[dataset_id] = pk
        value = _score(
            RuleResult.objects.filter(scan_id__in=latest_by_dataset.values()).filter(
                _department_filter(department)
            )
        )
        if value is not None:
            trend.append((finished, value))
    return trend[-limit:] if limit else []


def department_ranking(departments=None):
    """Rows for the bulletin: each department with a score or issues, best first."""
    from hub.catalogue.models import Department

    by_department = defaultdict(dict)
    for row in (
        results()
        .values("department_id")
        .annotate(
            passed=Sum((F("checked") - F("failed")) * F("weight")),
            checked_w=Sum(F("checked") * F("weight")),
            checked=Sum("checked"),
            failed=Sum("failed"),
        )
    ):
        by_department[row["department_id"]].update(
            score=round(100.0 * row["passed"] / row["checked_w"], 2) if row["checked_w"] else None,
            checked=row["checked"],
            failed=row["failed"],
        )
    now = timezone.now()
    issues = QualityIssue.objects.all()
    for key, flt in (
        ("open", ~Q(status="closed")),
        ("overdue", Q(status__in=PENDING_STATUSES, due_at__lt=now)),
        ("closed", Q(status="closed")),
    ):
        for row in issues.filter(flt).values("department_id").annotate(n=Count("id")).order_by():
            by_department[row["department_id"]][key] = row["n"]
    rows = []
    for department in Department.objects.filter(pk__in=by_department.keys()):
        figures = by_department[department.pk]
        rows.append(
            {
                "department": department,
                "score": figures.get("score"),
                "checked": figures.get("checked", 0),
                "failed": figures.get("failed", 0),
                "open": figures.get("open", 0),
                "overdue": figures.get("overdue", 0),
                "closed": figures.get("closed", 0),
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["overdue"], r["department"].code))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
