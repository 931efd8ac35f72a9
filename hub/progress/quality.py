"""Quality figures of every scope, read from the quality app in a fixed number of queries.

``hub.quality.metrics`` answers one scope per call (a few queries each); the
dashboard needs the province, five libraries and every department, plus a
weekly trend, on each view. So this reads the same facts once — the latest
full scan of each dataset (``metrics.latest_scans``, the quality app's own
definition), their rule results summed per department and dataset, and the
issue counts per department — and computes the same score as
``metrics.score``: rows passing ÷ rows checked, weighted by rule, 0–100.
``tests/progress/test_metrics.py`` checks the two agree.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.utils import timezone


def _score(passed, checked):
    return round(100.0 * passed / checked, 2) if checked else None


class QualityFigures:
    """Scores, issue counts and weekly score trends, for any scope, from a few queries."""

    def __init__(self, module, now, weeks):
        from hub.quality.choices import PENDING_STATUSES, IssueStatus, ScanStatus
        from hub.quality.models import QualityIssue, RuleResult, Scan

        self.weeks = weeks
        latest = module.latest_scans()
        # (scan id, dataset code, department code) -> (passed, checked), for the latest and the trend scans
        window_start = timezone.make_aware(datetime.datetime.combine(weeks[0], datetime.time.min))
        before = module.latest_scans(at=window_start)
        trend_scans = set(
            Scan.objects.filter(
                Q(full=True, status=ScanStatus.DONE, finished_at__gte=window_start) | Q(pk__in=before)
            ).values_list("pk", "dataset__code", "finished_at")
        )
        wanted = set(latest) | {pk for pk, _code, _at in trend_scans}
        self.results = defaultdict(lambda: [0, 0])
        rows = (
            RuleResult.objects.filter(scan_id__in=wanted)
            .values("scan_id", "scan__dataset__code", "department__code")
            .annotate(
                passed=Sum((F("checked") - F("failed")) * F("weight")),
                checked=Sum(F("checked") * F("weight")),
            )
            .order_by()
        )
        for row in rows:
            key = (row["scan_id"], row["scan__dataset__code"], row["department__code"])
            self.results[key] = [row["passed"] or 0, row["checked"] or 0]
        self.latest = set(latest)
        self.trend_scans = sorted(trend_scans, key=lambda scan: (scan[2], scan[0]))
        counts = (
            QualityIssue.objects.values("department__code")
            .annotate(
                open=Count("pk", filter=~Q(status=IssueStatus.CLOSED)),
                overdue=Count("pk", filter=Q(status__in=PENDING_STATUSES, due_at__lt=now)),
            )
            .order_by()
        )
        self.issues = {row["department__code"]: (row["open"], row["overdue"]) for row in counts}

    def _sum(self, scans, department=None, datasets=None):
        passed = checked = 0
        for (scan_id, dataset, dept), (p, c) in self.results.items():
            if scan_id not in scans:
                continue
            if department is not None and dept != department:
                continue
            if datasets is not None and dataset not in datasets:
                continue
            passed += p
            checked += c
        return passed, checked

    def score(self, department=None, datasets=None):
        """As ``hub.quality.metrics.score``: over the latest full scan of each dataset."""
        return _score(*self._sum(self.latest, department, datasets))

    def dataset_scores(self, datasets):
        return [s for s in (self.score(datasets={code}) for code in sorted(datasets)) if s is not None]

    def issue_counts(self, department=None):
        if department is not None:
            open_, overdue = self.issues.get(department, (0, 0))
            return {"open": open_, "overdue": overdue}
        return {
            "open": sum(v[0] for v in self.issues.values()),
            "overdue": sum(v[1] for v in self.issues.values()),
        }

    def trend(self, department=None, datasets=None):
        """The score as it stood at the end of each week (latest full scan per dataset by then)."""
        series = []
        for week in self.weeks:
            end = timezone.make_aware(
                datetime.datetime.combine(week + datetime.timedelta(days=7), datetime.time.min)
            )
            current = {}
            for pk, dataset, finished in self.trend_scans:
                if finished is not None and finished < end:
                    current[dataset] = pk
            series.append(_score(*self._sum(set(current.values()), department, datasets)))
        return series
