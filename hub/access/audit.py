"""Writing and verifying the hash-chained audit log."""

import datetime
import functools
import hashlib
import json
import threading
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils.translation import gettext_noop

from .events import call_audited
from .models import AuditEntry

GENESIS = "0" * 64
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


def content_digest(entry):
    """SHA-256 of the row's content in a canonical JSON form (everything but the links)."""
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if name == "at":
            value = value.astimezone(datetime.UTC).isoformat()
        payload[name] = value
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def entry_hash(entry, prev_hash):
    """The row's link: ``sha256(prev_hash || content digest)``."""
    return hashlib.sha256((prev_hash + content_digest(entry)).encode()).hexdigest()


def append(**fields):
    """Append one row to the chain (in the caller's transaction, if there is one).

    On PostgreSQL the insert trigger links the row into its session's lane
    under that lane's advisory lock (migration ``0004``); elsewhere the link
    is computed here under a process lock (SQLite serialises writers anyway).
    """
    entry = AuditEntry(**fields)
    entry.duration_ms = round(float(entry.duration_ms), 3)
    if connection.vendor == "postgresql":
        # One statement, atomic on its own: the triggers link the row into its
        # lane and count the call (``hub.progress``), inside or outside the
        # caller's transaction.
        entry.prev_hash = ""
        entry.hash = content_digest(entry)  # the trigger turns the digest into the link
        _insert(entry)
    else:
        # A savepoint when nested, so a failed insert spoils no outer atomic block.
        with transaction.atomic(), _local_lock:
            prev = AuditEntry.objects.filter(chain=0).order_by("-id").values_list("hash", flat=True).first()
            entry.prev_hash = prev or GENESIS
            entry.hash = entry_hash(entry, entry.prev_hash)
            _insert(entry)
    call_audited.send(sender=AuditEntry, entry=entry)
    return entry


def _insert(entry):
    """Write the row; on PostgreSQL as one ``INSERT … RETURNING id`` built once.

    The ORM's save machinery (signals, field loops) costs more per governed
    call than the insert itself; the audit row needs none of it.
    """
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        return
    params = []
    for column in _columns():
        value = getattr(entry, column.attname)
        if isinstance(column, models.JSONField):
            value = connection.ops.adapt_json_value(value, column.encoder)
        params.append(value)
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), params)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False


@functools.cache
def _columns():
    return [column for column in AuditEntry._meta.concrete_fields if not column.primary_key]


@functools.cache
def _insert_sql():
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column.column) for column in _columns())
    values = ", ".join(["%s"] * len(_columns()))
    return f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns}) VALUES ({values}) RETURNING id"


def verify(progress=None, anchors=None):
    """Walk every lane of the chain; return ``(checked, first_broken_entry_or_None, why)``.

    Each lane (``AuditEntry.chain``) is its own chain from the genesis hash,
    linked in id order. After older rows were archived and dropped, pass a
    dict ``anchors``: each lane's first kept row is then taken to follow the
    ``prev_hash`` it names, and that hash is recorded in ``anchors[lane]``
    (to be matched against the archive's last row of the lane).
    """
    lane = None
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("chain", "id").iterator(chunk_size=5000):
        if entry.chain != lane:
            lane, prev = entry.chain, GENESIS
            if anchors is not None:
                prev = anchors[lane] = entry.prev_hash
        if entry.prev_hash != prev:
            return checked, entry, gettext_noop("prev_hash does not match the previous row's hash")
        if entry_hash(entry, prev) != entry.hash:
            return checked, entry, gettext_noop("row content does not match its hash")
        prev = entry.hash
        checked += 1
        if progress:
            progress(checked)
    return checked, None, ""
