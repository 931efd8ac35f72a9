"""How quality hooks into the rest of the hub: rescans after writes, "under review" in provenance."""

import logging
import threading

from django.core.signals import request_finished, request_started

from .choices import IssueOrigin, IssueStatus, ScanTrigger

log = logging.getLogger(__name__)
_local = threading.local()


def rescan_written(sender, dataset, keys=None, batch="", **kwargs):
    """After a committed write batch, rescan exactly the keys it touched (not when keys is None)."""
    from .models import QualityRule
    from .scans import scan

    if not keys or not QualityRule.objects.filter(dataset__code=dataset, active=True).exists():
        return
    try:
        scan(dataset, keys=keys, trigger=ScanTrigger.INGEST, batch=batch or "")
    except Exception:
        # The records are committed already; a failed rescan must not fail the writer.
        log.exception("quality rescan of %s after batch %s failed", dataset, batch)


def _reset_review_cache(**kwargs):
    _local.under_review = {}


def under_review(dataset_code):
    """``{(record key, field): issue id}`` of open consumer reports on a dataset, once per request."""
    cache = getattr(_local, "under_review", None)
    if cache is None:
        cache = _local.under_review = {}
    if dataset_code not in cache:
        from .models import QualityIssue

        rows = (
            QualityIssue.objects.filter(dataset__code=dataset_code, origin=IssueOrigin.FEEDBACK)
            .exclude(status=IssueStatus.CLOSED)
            .values_list("record_key", "item__field", "pk")
        )
        cache[dataset_code] = {(key, field): pk for key, field, pk in rows}
    return cache[dataset_code]


def provenance_under_review(dataset, instance, field):
    """Provenance hook: a value a consumer reported and nobody has resolved yet is under review."""
    flagged = under_review(dataset.code)
    if not flagged:
        return {"under_review": False}
    issue = flagged.get((str(getattr(instance, dataset.natural_key)), field))
    return {"under_review": True, "review_issue": issue} if issue else {"under_review": False}


def connect():
    from hub.records.events import records_written
    from hub.records.views import provenance_hooks

    records_written.connect(rescan_written, dispatch_uid="quality.rescan_written")
    if provenance_under_review not in provenance_hooks:
        provenance_hooks.append(provenance_under_review)
    request_started.connect(_reset_review_cache, dispatch_uid="quality.review_cache_start")
    request_finished.connect(_reset_review_cache, dispatch_uid="quality.review_cache_end")
