"""Signals other parts of the hub listen to (progress aggregates, quality rescans, licence signing)."""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent once per committed write batch (ingest, seed, admin save):
#   sender=model class, dataset=<code>, department=<code>, batch=<id or "">,
#   keys=<list of natural keys written (may be None for very large batches)>,
#   created=<int>, updated=<int>
records_written = Signal()


def announce_written(sender, **kwargs):
    """Send :data:`records_written` once the surrounding transaction has committed.

    Listeners do follow-up work (rescans, recounts, signatures). The batch is
    already committed when they run, so a listener's failure is logged and
    never turned into the writer's failure: a caller must not be told that a
    committed batch failed (it would resubmit what is already written).
    """

    def send():
        for receiver, result in records_written.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                log.error(
                    "records_written listener %r failed for %s batch %s",
                    receiver,
                    kwargs.get("dataset"),
                    kwargs.get("batch"),
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)
