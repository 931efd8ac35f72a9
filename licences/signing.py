"""The hub's Ed25519 signature over a licence's content (authenticity).

The key comes from ``settings.HUB_SIGNING_KEY`` (PEM, or the 32-byte raw
private key as base64 or hex) and is named by ``settings.HUB_SIGNING_KEY_ID``,
which each signature records. With no key configured, a development key is
derived deterministically from ``SECRET_KEY`` (with a warning) so signatures
survive restarts of a dev server; ``manage.py check --deploy`` reports the
missing key as an error (``licences.E001``, see :mod:`licences.checks`).
"""

import base64
import binascii
import datetime
import hashlib
import json
import logging
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

# The items a signature covers: the licence's content. The state (suspended,
# revoked) is not content — it is answered live by the hub, so a suspension
# does not need a new signature and an old signature cannot hide it.
SIGNED_FIELDS = (
    "identifier",
    "licence_type",
    "number",
    "holder_kind",
    "holder_key",
    "holder_name",
    "issuing_authority",
    "issuer_code",
    "issue_date",
    "valid_from",
    "valid_to",
    "division_code",
    "surface_data",
    "file_digest",
)


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def canonical_content(values: dict) -> bytes:
    """The signed bytes: the content items as sorted, compact UTF-8 JSON (``None`` for empty dates)."""
    content = {name: _plain(values.get(name)) for name in SIGNED_FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_of(licence) -> dict:
    return {name: getattr(licence, name) for name in SIGNED_FIELDS}


def _parse_key(raw: str) -> Ed25519PrivateKey:
    raw = raw.strip()
    if raw.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(raw.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("HUB_SIGNING_KEY is not an Ed25519 private key.")
        return key
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            seed = decode(raw)
        except (ValueError, binascii.Error):
            continue
        if len(seed) == 32:
            return Ed25519PrivateKey.from_private_bytes(seed)
    raise ImproperlyConfigured("HUB_SIGNING_KEY must be a PEM Ed25519 key or 32 bytes in hex or base64.")


@cache
def _key_for(raw: str, secret: str) -> Ed25519PrivateKey:
    if raw:
        return _parse_key(raw)
    log.warning(
        "HUB_SIGNING_KEY is empty: licences are signed with a development key derived from SECRET_KEY."
    )
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"hub-dev-signing:{secret}".encode()).digest())


def private_key() -> Ed25519PrivateKey:
    return _key_for(settings.HUB_SIGNING_KEY, settings.SECRET_KEY)


def key_id() -> str:
    return settings.HUB_SIGNING_KEY_ID


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(values: dict) -> tuple[str, str]:
    """``(signature as base64, key id)`` over the canonical content of ``values``."""
    return base64.b64encode(private_key().sign(canonical_content(values))).decode(), key_id()


def verify(values: dict, signature: str, signed_by: str) -> bool:
    """Whether ``signature`` (base64) by key ``signed_by`` holds over the content of ``values``.

    Only the current key is known to the hub; a signature recorded under
    another key id does not verify (rotate by re-signing, see docs).
    """
    if not signature or signed_by != key_id():
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key().verify(raw, canonical_content(values))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
