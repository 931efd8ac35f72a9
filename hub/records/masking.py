"""Masking rules named in the catalogue, applied on the way out."""

from hub.catalogue.choices import Masking


def _keep(text, head, tail):
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def _name(text):
    # Keep the surname (the first character; 复姓 are rare enough to accept) and hide the length of
    # the rest too: "丁*" against "丁**" would tell a two-character name from a three-character one.
    return text[:1] + "**" if text else text


def _date(text):
    return f"{text[:4]}-**-**" if len(text) >= 4 else "*" * len(text)


MASKERS = {
    Masking.NONE: lambda text: text,
    Masking.ID_NUMBER: lambda text: _keep(text, 4, 4),
    Masking.NAME: _name,
    Masking.PHONE: lambda text: _keep(text, 3, 4),
    Masking.ADDRESS: lambda text: text[:6] + "****" if len(text) > 6 else "****",
    Masking.DATE: _date,
    Masking.CODE: lambda text: _keep(text, 6, 2),
    Masking.FULL: lambda text: "****",
}


def mask(rule, value):
    """Mask ``value`` by ``rule``; empty values stay empty so absence is not hidden twice."""
    if value is None or value == "":
        return value
    if rule == Masking.NONE:
        return value
    return MASKERS.get(rule, MASKERS[Masking.FULL])(str(value))
