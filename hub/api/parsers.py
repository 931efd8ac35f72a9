r"""A JSON parser that turns every malformed body into a 400 (or 413), never a 500.

DRF's parser catches ``ValueError`` only: a deeply nested body (RecursionError)
or an unknown ``charset=`` (LookupError) would otherwise escape as a 500.
Nesting is also capped well below the interpreter's limit, since nothing the
hub accepts is more than a few levels deep.

JSON's ``\u`` escapes can spell text that no database, and no UTF-8
response, can hold: NUL, and lone surrogates (``"\ud800"``, which Python
decodes and then cannot encode). Unicode non-characters (U+FFFE, U+FDD0, …)
are reserved for a program's internal use and never interchanged. Each is
refused where the body is read, naming where it was found
(:func:`hub.records.text.forbidden_in`, shared with the ingest readers).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from hub.records.text import forbidden_in

from .exceptions import PayloadTooLarge

MAX_DEPTH = 32


def nesting_depth(value):
    """Depth of nested arrays/objects, computed without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > settings.HUB_MAX_BODY_BYTES:
            raise PayloadTooLarge(
                _("Request body of %(size)s bytes is over the limit of %(max)d bytes.")
                % {"size": length, "max": settings.HUB_MAX_BODY_BYTES}
            )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested too deeply.")) from None
        except LookupError as exc:
            raise ParseError(_("Unknown character set: %(error)s") % {"error": str(exc)[:80]}) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(_("JSON parse error - nested deeper than %(max)d levels.") % {"max": MAX_DEPTH})
        found = forbidden_in(data)
        if found:
            where, char = found
            raise ParseError(
                _("JSON parse error - %(where)s: the character %(char)s is not allowed in text.")
                % {"where": where[:80], "char": char}
            )
        return data
