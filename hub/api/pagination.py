"""Cursor pagination (API.md): ``{"next", "previous", "results"}``, page_size up to 1000.

Keyset pagination on DRF's ``CursorPagination``: the ordering comes from the
view's ordering backend (DRF's ``get_ordering`` hook), always ends with the
internal id so it is total, and the position of a page boundary — the
boundary record's values of every ordering field — travels only inside a
sealed cursor (:mod:`hub.records.cursors`). NULLs sort last ascending and
first descending on every database, and are positions like any value.
"""

import datetime
import decimal

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _
from rest_framework.pagination import CursorPagination as DRFCursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from hub.records import cursors

from .errors import BadRequest

TIE_BREAKER = "id"


def order_expressions(ordering):
    """``order_by()`` arguments for ``"name"``/``"-id"`` terms: NULLs last ascending, first descending."""
    return [
        F(term[1:]).desc(nulls_first=True) if term.startswith("-") else F(term).asc(nulls_last=True)
        for term in ordering
    ]


def _reversed(ordering):
    return [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]


def _after(model, ordering, values):
    """Rows strictly after ``values`` in ``ordering`` (NULLs last ascending, first descending).

    The NULL terms are written only for nullable columns: PostgreSQL keeps an
    ``IS NULL`` branch even on a NOT NULL column, and the branch stops it
    from using the index to jump to the position.
    """
    condition = Q(pk__in=[])
    equal = Q()
    for term, value in zip(ordering, values, strict=True):
        name = term.lstrip("-")
        descending = term.startswith("-")
        nullable = model._meta.get_field(name).null
        if value is None:
            beyond = Q(**{f"{name}__isnull": False}) if descending else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__lt": value}) if descending else Q(**{f"{name}__gt": value})
            if nullable and not descending:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & beyond
        equal &= same
    return condition


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class CursorPagination(DRFCursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-id",)
    invalid_cursor_message = None

    # -- cursors ----------------------------------------------------------

    def decode_cursor(self, request):
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            payload = cursors.unseal(token, cursors.binding(request))
            direction, values = payload["d"], payload["v"]
            if (
                direction not in ("n", "p")
                or not isinstance(values, list)
                or len(values) != len(self.ordering)
            ):
                raise cursors.InvalidCursor(token)
            model = self.queryset_model
            typed = [
                None if value is None else model._meta.get_field(term.lstrip("-")).to_python(value)
                for term, value in zip(self.ordering, values, strict=True)
            ]
        except (
            cursors.InvalidCursor,
            KeyError,
            TypeError,
            ValueError,
            DjangoValidationError,
            FieldDoesNotExist,
        ):
            raise BadRequest(
                _(
                    "cursor: not a cursor this API gave you for this query; pass the next or previous "
                    "link back unchanged."
                ),
                code="invalid_cursor",
            ) from None
        return direction, typed

    def encode_cursor(self, cursor):
        direction, instance = cursor
        values = [_plain(getattr(instance, term.lstrip("-"))) for term in self.ordering]
        token = cursors.seal({"d": direction, "v": values}, cursors.binding(self.request))
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    # -- pages ------------------------------------------------------------

    def get_page_size(self, request):
        """``?page_size=``: ASCII digits from 1; above 1000 it is capped (API.md). Anything else is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit()) or not digits:
            raise BadRequest(
                _("page_size: a whole number from 1 to %(max)d.") % {"max": self.max_page_size},
                code="invalid_page_size",
            )
        # Compared by length first: int() refuses strings of thousands of digits.
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view))
        if not any(term.lstrip("-") in (TIE_BREAKER, "pk") for term in ordering):
            ordering.append(TIE_BREAKER)
        return tuple(ordering)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.queryset_model = queryset.model
        self.cursor = self.decode_cursor(request)
        direction, boundary = self.cursor if self.cursor else ("n", None)
        ordering = list(self.ordering) if direction == "n" else _reversed(self.ordering)
        queryset = queryset.order_by(*order_expressions(ordering))
        if boundary is not None:
            queryset = queryset.filter(_after(queryset.model, ordering, boundary))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        page = rows[: self.page_size]
        if direction == "p":
            page.reverse()
        self.page = page
        came_from = boundary is not None
        self.has_next, self.has_previous = (more, came_from) if direction == "n" else (came_from, more)
        return page

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        return self.encode_cursor(("n", self.page[-1]))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor(("p", self.page[0]))
