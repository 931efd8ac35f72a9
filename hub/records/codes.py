"""Coded identifiers are ASCII: one rule for every library's keys and codes.

Citizen ID numbers, unified social credit codes, licence identifiers,
division codes and real-estate unit numbers are written in ASCII digits and
capital letters. Python's ``str.isdigit()``, ``int()`` and ``\\d`` accept every
Unicode decimal digit (full-width ``３``, Arabic-Indic ``٣``, Devanagari ``३``)
and ``isdigit()`` even superscripts (``²``, which ``int()`` then refuses), and
``str.upper()`` turns a few non-ASCII letters into ASCII ones (``ﬁ`` → ``FI``,
``ı`` → ``I``). Left alone, a full-width spelling of an existing ID number
would be a second person, and a ligature would reach an existing licence by
another spelling. So a code is refused, naming the character, when it holds
anything but ASCII, and normalisation upper-cases ASCII letters only: two
inputs that differ in a non-ASCII character never become the same key.

A library marks its code validators with :func:`coded`; a model field that
carries one (or is a dataset's natural key) is *coded*, and the governed read
path refuses non-ASCII values for it in verify bodies and filters too.
"""

import string
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def coded(validator):
    """Mark ``validator`` as the check of a coded identifier (the field it guards is ASCII-only)."""
    validator.coded_identifier = True
    return validator


def ascii_upper(value) -> str:
    """``value`` stripped, its ASCII letters upper-cased and nothing else changed."""
    return str(value).strip().translate(_ASCII_UPPER)


def first_non_ascii(text):
    """``(position, character)`` of the first non-ASCII character of ``text`` (1-based), or None."""
    if text.isascii():
        return None
    for position, char in enumerate(text, 1):
        if not char.isascii():
            return position, char
    return None  # pragma: no cover - isascii() said otherwise


def describe(char):
    """``U+FF13 FULLWIDTH DIGIT THREE``: a character named so that a reader sees what was sent."""
    code = ord(char)
    name = unicodedata.name(char, "") if not 0xD800 <= code <= 0xDFFF else "SURROGATE"
    return f"U+{code:04X} {name}".strip()


def validate_ascii(value, label):
    """Raise ValidationError (code ``non_ascii``) when ``value`` holds a non-ASCII character."""
    found = first_non_ascii(str(value))
    if found is not None:
        position, char = found
        raise ValidationError(
            _("%(label)s must be written in ASCII digits and letters; character %(position)d is %(char)s."),
            code="non_ascii",
            params={"label": label, "position": position, "char": describe(char)},
        )


def is_coded(model, name):
    """True when ``model``'s field ``name`` holds a code: the natural key, or a coded validator."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - an unknown name is no code; the caller reports it
        return False
    if any(getattr(v, "coded_identifier", False) for v in getattr(field, "validators", ())):
        return True
    spec = getattr(model, "catalogue_spec", None)
    try:
        return spec is not None and spec().natural_key == name
    except Exception:  # noqa: BLE001 - a model outside the catalogue has no natural key
        return False


def ascii_sql(column):
    """SQL true only when the text ``column`` is ASCII (PostgreSQL regular expression, no ``%``)."""
    return rf"({column} !~ '[^\x01-\x7f]')"


NUMERIC_OR_TEMPORAL = (
    "DateField",
    "DateTimeField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "FloatField",
    "DecimalField",
)


def _strict_text(model, name):
    """A coded field, or a date, time or number (``Decimal('１０')`` is 10: their text is ASCII too)."""
    if is_coded(model, name):
        return True
    try:
        kind = model._meta.get_field(name).get_internal_type()
    except Exception:  # noqa: BLE001 - unknown names are reported by the caller
        return False
    return kind in NUMERIC_OR_TEMPORAL


def ascii_errors(model, entries):
    """``{label: [message]}`` for each ``(label, field name, value)`` whose coded text is not ASCII.

    The governed read path calls it on verify bodies and filter parameters, so a
    non-ASCII spelling of a code is a 400 naming the field rather than a silent miss.
    """
    errors = {}
    for label, name, value in entries:
        if not isinstance(value, str) or value.isascii() or not _strict_text(model, name):
            continue
        try:
            validate_ascii(value, label)
        except ValidationError as exc:
            errors.setdefault(label, []).extend(exc.messages)
    return errors
