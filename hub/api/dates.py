"""Strict ISO 8601 dates and times for parameters and body fields: a 400 naming the field, never a 500.

Django's ``parse_date``/``parse_datetime`` match their patterns with ``\\d``
(any script's digits) and then raise ``ValueError`` for a date that does not
exist (``2026-02-30``, ``T25:00``); a time near year 1 or 9999 with an offset
overflows when converted to UTC. Here the text must be ASCII and match the
documented shape, and every way of not being a real instant is one error.
"""

import datetime
import re

from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\Z"
)


class InvalidDate(ValueError):
    """The text is not a real date or time; ``message`` says which and how to write it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def parse_date(value, name):
    """A ``YYYY-MM-DD`` date that exists, or :class:`InvalidDate` naming ``name``."""
    text = value if isinstance(value, str) else None
    if text is None or not DATE.match(text):
        raise InvalidDate(_("%(name)s: give a date as YYYY-MM-DD.") % {"name": name})
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(
            _("%(name)s: %(value)s is not a date in the calendar.") % {"name": name, "value": text}
        ) from None


def parse_instant(value, name, *, end_of_day=True):
    """An aware datetime from an ISO 8601 date or time (a bare date: the end of that day, local time).

    A time without an offset is in the hub's time zone. The result is checked
    to convert to UTC, so later comparisons and queries cannot overflow.
    """
    text = value if isinstance(value, str) else None
    if text is None or not (DATE.match(text) or DATETIME.match(text)):
        raise InvalidDate(
            _(
                "%(name)s: '%(value)s' is not an ISO 8601 date or time "
                "(YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+hh:mm)."
            )
            % {"name": name, "value": str(value)[:40]}
        )
    try:
        if DATE.match(text):
            day = datetime.date.fromisoformat(text)
            when = datetime.datetime.combine(day, datetime.time.max if end_of_day else datetime.time.min)
        else:
            when = datetime.datetime.fromisoformat(text.replace(",", ".", 1))
        if when.tzinfo is None:
            when = when.replace(tzinfo=get_current_timezone())
        when.astimezone(datetime.UTC)  # a time at the edge of the calendar would overflow later
    except (ValueError, OverflowError):
        raise InvalidDate(
            _("%(name)s: %(value)s is not a real date and time.") % {"name": name, "value": text[:40]}
        ) from None
    return when
