"""Signals other parts of the hub listen to (progress aggregates, quality rescans)."""

from django.dispatch import Signal

# Sent once per committed write batch (ingest, seed, admin save):
#   sender=model class, dataset=<code>, department=<code>, batch=<id or "">,
#   keys=<list of natural keys written (may be None for very large batches)>,
#   created=<int>, updated=<int>
records_written = Signal()
