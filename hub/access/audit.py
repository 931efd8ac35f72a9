"""Writing and verifying the hash-chained audit log.

One row per governed call (every request under ``/api/v1/`` but the schema
and docs pages): the governed viewsets write theirs inside the call, fail
closed; :class:`hub.middleware.AuditMiddleware` writes one for every other
call, whatever its outcome, from the :class:`AuditDraft` the view left on
the request.
"""

import datetime
import functools
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext_noop
from rest_framework.exceptions import APIException

from .authentication import ApiKeyAuthentication, SystemPrincipal, client_ip
from .events import call_audited
from .models import AuditEntry

GENESIS = "0" * 64
LANES = 16  # as in migration 0004: the PostgreSQL trigger links rows into lanes 0..15
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
# Columns added after rows were written: hashed only when set, so older rows keep their hashes.
OPTIONAL_HASHED_FIELDS = ("batch",)


@dataclass
class AuditDraft:
    """What a governed view says about the call it is answering."""

    dataset: str = ""
    mode: str = ""
    subject_keys: list = field(default_factory=list)
    result_count: int = 0
    items: list = field(default_factory=list)
    batch: object = None  # the ingest batch (its UUID) the call created or read
    written: bool = False  # the call's row is committed: nothing else may write one
    started: float = field(default_factory=time.perf_counter)


def draft_for(request):
    """The call's draft, shared by the middleware and the view (created on first use)."""
    http = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    draft = getattr(http, "hub_audit", None)
    if draft is None:
        draft = http.hub_audit = AuditDraft()
    return draft


def principal_of(request):
    """``(system, key prefix, user name)`` of the caller, as far as it authenticated.

    A call refused before DRF authenticated it (content negotiation comes
    first) still names its system: the key is checked here, once.
    """
    http = getattr(request, "_request", request)
    user = getattr(request, "_user", None) if http is not request else None
    if user is None:
        user = http.__dict__.get("user")  # DRF's Request.user setter or AuthenticationMiddleware's
    header = http.META.get("HTTP_AUTHORIZATION", "")
    if not isinstance(user, SystemPrincipal) and header.startswith(ApiKeyAuthentication.keyword + " "):
        try:
            found = ApiKeyAuthentication().authenticate(http)
        except (APIException, DatabaseError):  # a bad, expired or revoked key: the call names no one
            found = None
        user = found[0] if found else None
    if isinstance(user, SystemPrincipal):
        return user.system, user.key.prefix, ""
    if user is not None and getattr(user, "is_authenticated", False):
        return None, "", user.get_username()
    return None, "", ""


def printable(text, limit):
    """Audit text fields without NUL (which would fail the insert and so the call)."""
    return text.replace("\x00", "\ufffd")[:limit]


def append_call(request, status, draft):
    """Append the row of one call (``request`` a Django or DRF request) from its draft."""
    http = getattr(request, "_request", request)
    system, key_prefix, username = principal_of(request)
    ok = status < 400
    entry = append(
        system=system,
        user=username[:150],
        key_prefix=key_prefix,
        client_ip=client_ip(http),
        request_id=http.META.get("HTTP_X_REQUEST_ID", "")[:64],
        purpose=printable(http.META.get("HTTP_X_PURPOSE", ""), 200),
        method=http.method[:8],
        endpoint=printable(http.path, 300),
        dataset=draft.dataset,
        mode=draft.mode,
        subject_keys=draft.subject_keys,
        result_count=draft.result_count if ok else 0,
        items=draft.items if ok else [],
        status=status,
        duration_ms=(time.perf_counter() - draft.started) * 1000,
        batch=draft.batch,
    )
    return entry


def content_digest(entry):
    """SHA-256 of the row's content in a canonical JSON form (everything but the links)."""
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if name == "at":
            value = value.astimezone(datetime.UTC).isoformat()
        payload[name] = value
    for name in OPTIONAL_HASHED_FIELDS:
        value = getattr(entry, name)
        if value is not None:
            payload[name] = str(value)
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
    if entry.batch is not None:
        entry.batch = uuid.UUID(str(entry.batch))  # hashed as its canonical text
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


@dataclass
class LaneWalk:
    """What walking one lane found: its rows, its last row, its first broken link."""

    lane: int
    rows: int = 0  # rows present in the lane
    intact: int = 0  # rows verified before the first broken link
    last_id: int | None = None
    last_hash: str = ""
    broken: object = None  # the first row whose link does not hold
    why: str = ""
    seen: dict = field(default_factory=dict)  # watched id -> (position in the lane, 1-based; hash)


def walk(progress=None, anchors=None, watch=None):
    """Walk every lane of the chain in id order; return ``{lane: LaneWalk}``.

    Each lane (``AuditEntry.chain``) is its own chain from the genesis hash.
    After older rows were archived and dropped, pass a dict ``anchors``: each
    lane's first kept row is then taken to follow the ``prev_hash`` it names,
    and that hash is recorded in ``anchors[lane]`` (to be matched against the
    archive's last row of the lane). ``watch`` maps a lane to the ids whose
    position and hash the caller wants (a checkpoint's heads); the walk goes
    on past a broken link so that positions stay exact.
    """
    lanes = {}
    current = None
    prev = GENESIS
    watch = watch or {}
    for entry in AuditEntry.objects.order_by("chain", "id").iterator(chunk_size=5000):
        if current is None or entry.chain != current.lane:
            current = lanes[entry.chain] = LaneWalk(entry.chain)
            prev = GENESIS
            if anchors is not None:
                prev = anchors[entry.chain] = entry.prev_hash
            watched = watch.get(entry.chain, ())
        current.rows += 1
        if current.broken is None:
            if entry.prev_hash != prev:
                current.broken, current.why = (
                    entry,
                    gettext_noop("prev_hash does not match the previous row's hash"),
                )
            elif entry_hash(entry, prev) != entry.hash:
                current.broken, current.why = entry, gettext_noop("row content does not match its hash")
            else:
                current.intact += 1
        prev = entry.hash
        current.last_id, current.last_hash = entry.pk, entry.hash
        if entry.pk in watched:
            current.seen[entry.pk] = (current.rows, entry.hash)
        if progress:
            progress(current.rows)
    return lanes


def verify(progress=None, anchors=None):
    """Walk every lane of the chain; return ``(checked, first_broken_entry_or_None, why)``.

    ``checked`` counts the rows verified, in (lane, id) order, before the
    first broken link. See :func:`walk` for ``anchors``.
    """
    checked = 0
    for _lane, found in sorted(walk(progress=progress, anchors=anchors).items()):
        checked += found.intact
        if found.broken is not None:
            return checked, found.broken, found.why
    return checked, None, ""
