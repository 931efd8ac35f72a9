"""Writing and verifying the hash-chained audit log."""

import datetime
import hashlib
import json
import threading
from dataclasses import dataclass, field

from django.db import connection, transaction

from .events import call_audited
from .models import AuditEntry

GENESIS = "0" * 64
# Any fixed 64-bit number: the advisory lock that serialises the chain's tail.
CHAIN_LOCK = 0x4A53_4855_4241_5544
_local_lock = threading.Lock()

HASHED_FIELDS = (
    "at",
    "system_id",
    "user",
    "key_prefix",
    "client_ip",
    "request_id",
    "purpose",
    "method",
    "endpoint",
    "dataset",
    "mode",
    "subject_keys",
    "result_count",
    "items",
    "status",
    "duration_ms",
)


@dataclass
class AuditDraft:
    """What a governed view says about the call it is answering."""

    dataset: str = ""
    mode: str = ""
    subject_keys: list = field(default_factory=list)
    result_count: int = 0
    items: list = field(default_factory=list)


def entry_hash(entry, prev_hash):
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if name == "at":
            value = value.astimezone(datetime.UTC).isoformat()
        payload[name] = value
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def append(**fields):
    """Append one row to the chain inside the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
            return _append(fields)
        with _local_lock:
            return _append(fields)


def _append(fields):
    prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    entry = AuditEntry(**fields, prev_hash=prev)
    entry.duration_ms = round(float(entry.duration_ms), 3)
    entry.hash = entry_hash(entry, prev)
    entry.save(force_insert=True)
    call_audited.send(sender=AuditEntry, entry=entry)
    return entry


def verify(progress=None):
    """Walk the chain; return ``(checked, first_broken_entry_or_None, why)``."""
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=5000):
        if entry.prev_hash != prev:
            return checked, entry, "prev_hash does not match the previous row's hash"
        if entry_hash(entry, prev) != entry.hash:
            return checked, entry, "row content does not match its hash"
        prev = entry.hash
        checked += 1
        if progress:
            progress(checked)
    return checked, None, ""
