"""Provider ingestion: rows in, validated, source-checked, upserted with history, a report out.

``ingest()`` is the one write path of base records: the REST endpoint,
``manage.py ingest``, the admin (import and edits), seeding and the library
actions (through :mod:`hub.records.services`). See :mod:`.service` and :mod:`.rules`.
"""

from .parsing import BodyTooLarge, IngestInputError, detect_format
from .service import InvalidRows, Outcome, ReadOnlyDataset, UnknownDataset, find_replay, ingest

__all__ = [
    "BodyTooLarge",
    "IngestInputError",
    "InvalidRows",
    "Outcome",
    "ReadOnlyDataset",
    "UnknownDataset",
    "detect_format",
    "find_replay",
    "ingest",
]
