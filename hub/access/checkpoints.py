"""Signed checkpoints of the audit chain, kept outside the database (invariant 4).

The hash chain alone shows a row edited in place, but someone with the
database's privileges can delete a lane's newest rows, or edit a row and
recompute every later hash of its lane, and the chain still holds. A
checkpoint closes that: at an interval (``manage.py audit_checkpoint
--every``) each lane's head — lane, id, hash, number of rows — is signed
with an Ed25519 key the database does not hold and written as one file to a
directory outside the database (never rewritten), and optionally POSTed to a
receiver. ``manage.py verify_audit`` then checks every lane against the
latest checkpoint whose signature verifies: a deleted newest row, a
truncated lane and a lane rewritten before the checkpoint each disagree with
it. What was written after the latest checkpoint is covered only by the
chain (docs/operations.md says what that leaves unseen).
"""

import base64
import binascii
import datetime
import hashlib
import json
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry

FORMAT = 1
KIND = "hub.audit.checkpoint"


class CheckpointError(Exception):
    """A checkpoint cannot be made, read or trusted; the message is for the operator."""


@dataclass(frozen=True)
class Head:
    """One lane's newest row at a checkpoint, and how many rows the lane had up to it."""

    lane: int
    id: int
    hash: str
    rows: int

    def as_dict(self):
        return {"lane": self.lane, "id": self.id, "hash": self.hash, "rows": self.rows}


@dataclass
class Checkpoint:
    """A signed checkpoint as read from (or written to) its file."""

    body: dict
    path: Path | None = None

    @property
    def at(self):
        return datetime.datetime.fromisoformat(self.body["at"])

    @property
    def heads(self):
        return {
            int(h["lane"]): Head(int(h["lane"]), int(h["id"]), str(h["hash"]), int(h["rows"]))
            for h in self.body["lanes"]
        }

    @property
    def digest(self):
        return hashlib.sha256(signed_bytes(self.body)).hexdigest()

    @property
    def name(self):
        return str(self.path) if self.path else self.body.get("at", "")


# -- keys -------------------------------------------------------------------


def key_id(public: Ed25519PublicKey) -> str:
    """A key's name in a checkpoint: the first 16 hex digits of SHA-256 of its raw public bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _raw32(text):
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            value = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(value) == 32:
            return value
    return None


def parse_private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise CheckpointError(
                _("The audit signing key does not parse: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(_("The audit signing key is not an Ed25519 key."))
        return key
    seed = _raw32(text)
    if seed is None:
        raise CheckpointError(
            _("The audit signing key must be a PEM Ed25519 private key or 32 bytes in hex or base64.")
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def parse_public_key(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except (ValueError, TypeError) as exc:
            raise CheckpointError(_("A verify key does not parse: %(error)s") % {"error": exc}) from None
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError(_("A verify key is not an Ed25519 key."))
        return key
    raw = _raw32(text)
    if raw is None:
        raise CheckpointError(
            _("A verify key must be a PEM Ed25519 public key (file) or 32 bytes in hex or base64.")
        )
    return Ed25519PublicKey.from_public_bytes(raw)


def signing_key(create=False) -> Ed25519PrivateKey:
    """The private key: ``HUB_AUDIT_SIGNING_KEY`` or the PEM file ``HUB_AUDIT_SIGNING_KEY_FILE``.

    In development (``DEBUG``) a missing key file is generated when
    ``create`` is true (by ``audit_checkpoint``), readable by its owner only.
    """
    if settings.HUB_AUDIT_SIGNING_KEY:
        return parse_private_key(settings.HUB_AUDIT_SIGNING_KEY)
    if not settings.HUB_AUDIT_SIGNING_KEY_FILE:
        raise CheckpointError(
            _("No audit signing key: set HUB_AUDIT_SIGNING_KEY or HUB_AUDIT_SIGNING_KEY_FILE.")
        )
    path = Path(settings.HUB_AUDIT_SIGNING_KEY_FILE)
    if not path.exists() and create and settings.DEBUG:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
    try:
        text = path.read_text()
    except OSError as exc:
        raise CheckpointError(
            _("The audit signing key file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": exc.strerror or exc}
        ) from None
    return parse_private_key(text)


def trusted_keys() -> dict:
    """``{key id: public key}``: the signing key's own and those of ``HUB_AUDIT_VERIFY_KEYS``.

    Verifying needs no private key: a host that only verifies lists the
    public keys and leaves the signing key unset.
    """
    keys = {}
    for entry in settings.HUB_AUDIT_VERIFY_KEYS:
        path = Path(entry)
        text = path.read_text() if not entry.strip().startswith("-----") and path.is_file() else entry
        public = parse_public_key(text)
        keys[key_id(public)] = public
    try:
        public = signing_key().public_key()
    except CheckpointError:
        public = None  # a verifying host without the private key
    if public is not None:
        keys[key_id(public)] = public
    return keys


# -- the signed form ----------------------------------------------------------


def signed_bytes(body: dict) -> bytes:
    """What the signature covers: every field but the signature, as sorted compact ASCII JSON."""
    content = {name: value for name, value in body.items() if name != "signature"}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def database_name():
    """Which database a checkpoint is of (a test database or a restored copy has its own name)."""
    return str(connection.settings_dict["NAME"])


def check_signature(checkpoint: Checkpoint, keys: dict):
    """``None`` if the checkpoint is signed by a trusted key, else why not (translated)."""
    body = checkpoint.body
    public = keys.get(body.get("key_id"))
    if public is None:
        return _("it is signed by key %(key)s, which is not a trusted audit key") % {
            "key": str(body.get("key_id"))[:32]
        }
    try:
        signature = base64.b64decode(str(body.get("signature", "")), validate=True)
        public.verify(signature, signed_bytes(body))
    except (InvalidSignature, ValueError, binascii.Error):
        return _("its signature does not verify")
    return None


# -- making one ---------------------------------------------------------------


def directory() -> Path:
    return Path(settings.HUB_AUDIT_CHECKPOINT_DIR)


def current_heads(previous: Checkpoint | None):
    """Each lane's head now, its row count carried on from ``previous`` (only new rows are counted).

    Returns ``(heads, problems)``: ``problems`` lists the lanes whose head at
    the previous checkpoint is no longer in the log as it was; a checkpoint
    over such a log would vouch for the tampering, so none is made.
    """
    before = previous.heads if previous else {}
    problems = []
    if before:
        kept = dict(
            AuditEntry.objects.filter(id__in=[h.id for h in before.values()]).values_list("id", "hash")
        )
        for head in before.values():
            if kept.get(head.id) != head.hash:
                problems.append(
                    _(
                        "lane %(lane)s: row %(id)s, its newest row at the previous checkpoint, "
                        "is missing or changed"
                    )
                    % {"lane": head.lane, "id": head.id}
                )
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    where, params = [], []
    for head in before.values():
        where.append("(chain = %s AND id > %s)")
        params += [head.lane, head.id]
    if before:
        where.append(f"chain NOT IN ({', '.join(['%s'] * len(before))})")
        params += list(before)
    sql = f"SELECT chain, max(id), count(*) FROM {table}"
    if where:
        sql += " WHERE " + " OR ".join(where)
    with connection.cursor() as cursor:
        # One statement: every lane's newest row and its count come from one snapshot.
        cursor.execute(sql + " GROUP BY chain", params)
        fresh = {lane: (newest, count) for lane, newest, count in cursor.fetchall()}
    hashes = dict(AuditEntry.objects.filter(id__in=[n for n, _c in fresh.values()]).values_list("id", "hash"))
    heads = dict(before)
    for lane, (newest, count) in fresh.items():
        carried = before[lane].rows if lane in before else 0
        heads[lane] = Head(lane, newest, hashes[newest], carried + count)
    return [heads[lane] for lane in sorted(heads)], problems


def sign(heads, previous: Checkpoint | None, key: Ed25519PrivateKey, at=None) -> Checkpoint:
    body = {
        "kind": KIND,
        "format": FORMAT,
        "database": database_name(),
        "at": (at or timezone.now()).astimezone(datetime.UTC).isoformat(),
        "lanes": [head.as_dict() for head in heads],
        "previous": previous.digest if previous else None,
        "key_id": key_id(key.public_key()),
    }
    body["signature"] = base64.b64encode(key.sign(signed_bytes(body))).decode()
    return Checkpoint(body)


def write(checkpoint: Checkpoint, into: Path) -> Path:
    """Write the checkpoint as a new file (``O_EXCL``: an existing file is never rewritten)."""
    at = checkpoint.at
    folder = into / f"{at:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(checkpoint.body, sort_keys=True, indent=1).encode() + b"\n"
    stem = f"checkpoint-{at:%Y%m%dT%H%M%S_%f}Z"
    for attempt in range(100):
        path = folder / (f"{stem}.json" if attempt == 0 else f"{stem}-{attempt}.json")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        checkpoint.path = path
        return path
    raise CheckpointError(_("No free file name for the checkpoint in %(dir)s.") % {"dir": folder})


def post(checkpoint: Checkpoint, url: str, timeout=10):
    """POST the checkpoint (JSON) to the receiver; raise :class:`CheckpointError` unless it answers 2xx."""
    request = urllib.request.Request(
        url,
        data=json.dumps(checkpoint.body, sort_keys=True).encode(),
        headers={"Content-Type": "application/json", "X-Hub-Checkpoint": checkpoint.digest},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - an operator's URL
            status = answer.status
    except OSError as exc:  # URLError, HTTPError, timeouts
        raise CheckpointError(
            _("The checkpoint receiver %(url)s refused it: %(error)s") % {"url": url, "error": exc}
        ) from None
    if not 200 <= status < 300:
        raise CheckpointError(
            _("The checkpoint receiver %(url)s answered %(status)s.") % {"url": url, "status": status}
        )


def create(into: Path | None = None, url: str | None = None, new_series=False) -> Checkpoint:
    """Make, sign and write one checkpoint (and POST it when a receiver is configured).

    ``new_series`` starts over from the log as it is (rows counted afresh),
    for after an investigated restore or archive: the earlier checkpoints
    stay in the directory, and the new one names the latest of them.
    """
    into = into or directory()
    key = signing_key(create=True)
    previous, _forged = latest(into, trusted_keys())
    heads, problems = current_heads(None if new_series else previous)
    if problems:
        raise CheckpointError(
            _(
                "No checkpoint was made: the audit log disagrees with the previous checkpoint "
                "(%(file)s): %(problems)s."
            )
            % {"file": previous.name, "problems": "; ".join(problems)}
        )
    checkpoint = sign(heads, previous, key)
    write(checkpoint, into)
    url = settings.HUB_AUDIT_CHECKPOINT_URL if url is None else url
    if url:
        post(checkpoint, url)
    return checkpoint


# -- reading them back --------------------------------------------------------


def _order(path: Path):
    """Sort key of a checkpoint file: its month, its time, then its collision number (``…Z-2.json``)."""
    stem, _dash, number = path.stem.partition("Z-")
    return (path.parent.name, stem.rstrip("Z"), int(number) if number.isdigit() else 0)


def files(into: Path):
    """Checkpoint files, newest first."""
    if not into.is_dir():
        return []
    return sorted(into.glob("*/checkpoint-*.json"), key=_order, reverse=True)


def read(path: Path) -> Checkpoint:
    try:
        body = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(_("it cannot be read: %(error)s") % {"error": exc}) from None
    checkpoint = Checkpoint(body, path)
    try:
        if body.get("kind") != KIND or body.get("format") != FORMAT:
            raise ValueError
        checkpoint.at  # noqa: B018 - parses
        checkpoint.heads  # noqa: B018
    except (AttributeError, KeyError, TypeError, ValueError):
        raise CheckpointError(_("it is not an audit checkpoint of a known format")) from None
    return checkpoint


def latest(into: Path, keys: dict):
    """``(latest valid checkpoint of this database or None, [(path, why) of newer invalid files])``."""
    database = database_name()
    refused = []
    for path in files(into):
        try:
            checkpoint = read(path)
        except CheckpointError as exc:
            refused.append((path, str(exc)))
            continue
        if checkpoint.body.get("database") != database:
            continue  # another database's (a test run's, a restored copy's)
        why = check_signature(checkpoint, keys)
        if why is None:
            return checkpoint, refused
        refused.append((path, why))
    return None, refused


def older_valid(into: Path, keys: dict, than: Checkpoint):
    """Valid checkpoints of this database older than ``than``, newest first."""
    database = database_name()
    for path in files(into):
        if than.path is not None and _order(path) >= _order(than.path):
            continue
        try:
            checkpoint = read(path)
        except CheckpointError:
            continue
        if checkpoint.body.get("database") == database and check_signature(checkpoint, keys) is None:
            yield checkpoint


# -- checking the log against one ---------------------------------------------


@dataclass
class Disagreement:
    lane: int
    row: object  # the first row that disagrees (an id), or None when unknown
    message: str


def compare(checkpoint: Checkpoint, lanes: dict, *, counted=True, into: Path | None = None, keys=None):
    """How the walked log (``audit.walk`` with ``watch=watch_of(checkpoint)``) disagrees with ``checkpoint``.

    ``counted`` is false after archiving (rows before a lane's first kept row
    are gone, so positions are not comparable); the heads still are.
    """
    found = []
    when = f"{checkpoint.at:%Y-%m-%d %H:%M:%S} UTC"
    for lane, head in sorted(checkpoint.heads.items()):
        walked = lanes.get(lane)
        params = {"lane": lane, "id": head.id, "rows": head.rows, "time": when}
        if walked is None or walked.rows == 0:
            found.append(
                Disagreement(
                    lane,
                    head.id,
                    _(
                        "Lane %(lane)s is truncated: it is empty, but the checkpoint of %(time)s counts "
                        "%(rows)s rows up to row %(id)s."
                    )
                    % params,
                )
            )
            continue
        seen = walked.seen.get(head.id)
        if seen is None:
            params.update(last=walked.last_id, present=walked.rows)
            if walked.last_id < head.id and (not counted or walked.rows == head.rows - 1):
                message = _(
                    "Lane %(lane)s: row %(id)s, its newest row at the checkpoint of %(time)s, was deleted "
                    "(the lane now ends at row %(last)s). First row that disagrees: %(id)s."
                )
            elif walked.last_id < head.id:
                message = _(
                    "Lane %(lane)s is truncated: it has %(present)s rows up to row %(last)s, but the "
                    "checkpoint of %(time)s counts %(rows)s rows up to row %(id)s. First row that "
                    "disagrees: the one after row %(last)s."
                )
            else:
                message = _(
                    "Lane %(lane)s: row %(id)s, its newest row at the checkpoint of %(time)s, is missing. "
                    "First row that disagrees: %(id)s."
                )
            found.append(Disagreement(lane, head.id, message % params))
            continue
        position, stored = seen
        if stored != head.hash:
            found.append(Disagreement(lane, head.id, _rewritten(checkpoint, head, stored, into, keys)))
        elif counted and position != head.rows:
            params.update(position=position)
            found.append(
                Disagreement(
                    lane,
                    head.id,
                    _(
                        "Lane %(lane)s: row %(id)s is row %(position)s of the lane, but the checkpoint of "
                        "%(time)s counts %(rows)s rows up to it: rows before it were removed or added."
                    )
                    % params,
                )
            )
    return found


def _rewritten(checkpoint, head, stored, into, keys):
    """The message for a lane whose head hash changed: how far back older checkpoints still agree."""
    params = {
        "lane": head.lane,
        "id": head.id,
        "time": f"{checkpoint.at:%Y-%m-%d %H:%M:%S} UTC",
        "signed": head.hash[:16],
        "stored": stored[:16],
    }
    message = (
        _(
            "Lane %(lane)s was rewritten before the checkpoint of %(time)s: row %(id)s has hash %(stored)s…, "
            "the checkpoint signed %(signed)s…. First row that disagrees: %(id)s or one before it."
        )
        % params
    )
    if into is None:
        return message
    for older in older_valid(into, keys or {}, checkpoint):
        earlier = older.heads.get(head.lane)
        if earlier is None:
            continue
        now = AuditEntry.objects.filter(id=earlier.id).values_list("hash", flat=True).first()
        if now == earlier.hash:
            params.update(good=earlier.id, then=f"{older.at:%Y-%m-%d %H:%M:%S} UTC")
            return (
                _(
                    "Lane %(lane)s was rewritten before the checkpoint of %(time)s: row %(id)s has hash "
                    "%(stored)s…, the checkpoint signed %(signed)s…. The lane still agrees with the "
                    "checkpoint of %(then)s up to row %(good)s: the first row that disagrees is after "
                    "row %(good)s, at most row %(id)s."
                )
                % params
            )
    return message


def watch_of(checkpoint: Checkpoint | None):
    """``{lane: {head id}}`` for :func:`hub.access.audit.walk`."""
    if checkpoint is None:
        return {}
    return {lane: {head.id} for lane, head in checkpoint.heads.items()}
