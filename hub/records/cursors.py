"""Opaque cursors: a position sealed for one caller and one query.

A cursor must not carry a record value the caller could read (the issue
that opened this module: DRF's cursor put the ordering field's clear value
in base64), must not be forged or altered, and must not work for another
system or another query. So the position is encrypted and authenticated
with AES-SIV under a key derived from ``SECRET_KEY``, with the caller and
the query (path and every parameter except the cursor and the page size) as
associated data.

AES-SIV is deterministic: the same position for the same caller and query
always gives the same cursor. That is what noninterference needs — two
worlds that differ only in what the caller may not learn give byte-identical
cursors — and it reveals nothing beyond "same position", which the caller
sees anyway from the page it is on.
"""

import base64
import binascii
import hashlib
import json
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Cursors are short-lived links; a hostile one is refused before decryption when it is absurdly long.
MAX_CURSOR_LENGTH = 4096
PAD = 96


class InvalidCursor(ValueError):
    """Not a cursor this hub issued to this caller for this query."""


@cache
def _cipher(secret):
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=b"hub-cursor-v1", info=b"cursor").derive(
        secret.encode()
    )
    return AESSIV(key)


def caller_of(request):
    """The identity a cursor is bound to: the system, else the logged-in person, else nobody."""
    user = getattr(request, "user", None)
    system = getattr(user, "system", None)
    if system is not None:
        return f"system:{system.pk}"
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


def binding(request, *, exclude=("cursor", "page_size")):
    """Associated data: caller, path and the query's other parameters in a canonical order."""
    params = sorted(
        (name, value)
        for name, values in request.query_params.lists()
        if name not in exclude
        for value in values
    )
    text = json.dumps([caller_of(request), request.path, params], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def seal(payload, bound_to):
    """``payload`` (JSON-able) as an opaque URL-safe token bound to ``bound_to`` (bytes)."""
    plain = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    # Padded to a multiple of PAD bytes: a cursor's length would otherwise tell how many digits
    # the position has (an internal id is a rough count of the table's rows).
    plain += b" " * (-len(plain) % PAD)
    token = _cipher(settings.SECRET_KEY).encrypt(plain, [bound_to])
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def unseal(token, bound_to):
    """The payload of a token made by :func:`seal` for ``bound_to``; :class:`InvalidCursor` otherwise.

    Tokens sealed under a fallback secret (``SECRET_KEY_FALLBACKS``) still open
    after a key rotation.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(token)
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InvalidCursor(token) from None
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        try:
            plain = _cipher(secret).decrypt(raw, [bound_to])
        except (InvalidTag, ValueError):
            continue
        try:
            return json.loads(plain)
        except ValueError:
            break
    raise InvalidCursor(token)
