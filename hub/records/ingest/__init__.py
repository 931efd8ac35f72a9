"""Provider ingestion: rows in, validated, source-checked, upserted with history, a report out.

``ingest()`` is the one entry point used by the REST endpoint, ``manage.py
ingest``, ``seed_demo`` and the admin import. See :mod:`.service`.
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
