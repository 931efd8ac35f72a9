"""Governed filtering, search and ordering, as DRF filter backends.

Each backend asks the view's :class:`~hub.access.scope.Scope` whether the
caller may *use* every item a parameter reads: granted in search mode and in
the clear. A masked grant is for display only — filtering, ordering or
searching by a masked item would let the caller recover the hidden
characters one comparison at a time — so using one is a 400 naming the item,
exactly as using an ungranted one is.

Every filter declares the items it reads. A plain filter reads the field it
is named on; a filter with a ``method`` (or any filter reading more than its
field) lists them in its filterset's ``reads``. :func:`undeclared_reads`
compiles each filter against its model and compares the columns its WHERE
clause touches with the declaration; a system check (``hub.records.checks``)
runs it at start-up.

The pagination class asks :class:`GovernedOrderingFilter` for the ordering
through DRF's own ``get_ordering`` hook, and the OpenAPI schema lists every
parameter with the item and mode it needs.
"""

import datetime

import django_filters
from django.db.models import Q
from django.db.models.expressions import Col
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend

from hub.access.choices import Mode
from hub.api.errors import BadRequest

# Query parameters that are never filters (read by the paginator, the renderer or the views).
RESERVED_PARAMS = frozenset({"cursor", "page_size", "ordering", "q", "format", "provenance", "as_of"})


class GovernedFilterSet(django_filters.FilterSet):
    """A filterset whose filters each declare the items they read.

    ``reads`` maps a filter name to the item fields it reads, for filters that
    read more than (or other than) the field they are declared on — above all
    those with a ``method``.
    """

    reads: dict[str, tuple[str, ...]] = {}

    @classmethod
    def items_read(cls, name):
        """The item fields the filter ``name`` reads, as declared."""
        if name in cls.reads:
            return tuple(cls.reads[name])
        return (cls.base_filters[name].field_name.split("__")[0],)


def items_read(filterset_class, name):
    """Declared reads of a filter of any filterset (a plain FilterSet reads its field only)."""
    if issubclass(filterset_class, GovernedFilterSet):
        return filterset_class.items_read(name)
    return (filterset_class.base_filters[name].field_name.split("__")[0],)


def refuse_unusable(scope, dataset, param, fields, mode=Mode.SEARCH):
    """400 unless every field is granted at ``mode`` in the clear; names the parameter and item."""
    for field in fields:
        item = dataset.by_field.get(field)
        code = item.code if item else f"{dataset.code}.{field}"
        if scope.mode_of(field) < mode:
            raise BadRequest(
                _("Parameter '%(param)s' reads item %(item)s, which is not granted in %(mode)s mode.")
                % {"param": param, "item": code, "mode": Mode(mode).api_name},
                code="parameter_not_granted",
            )
        if not scope.usable(field, mode):
            raise BadRequest(
                _(
                    "Parameter '%(param)s' reads item %(item)s, which your grant shows masked: a masked "
                    "item is for display only and cannot be filtered, ordered, searched or verified."
                )
                % {"param": param, "item": code},
                code="masked_item",
            )


def _describe(fields, mode=Mode.SEARCH):
    # Schema generation runs without a database (and so without the catalogue): items by field name.
    return _("Needs item(s) %(items)s granted in %(mode)s mode, unmasked.") % {
        "items": ", ".join(fields),
        "mode": Mode(mode).api_name,
    }


def _schema_type(filter_):
    if isinstance(filter_, django_filters.DateFilter):
        return {"type": "string", "format": "date"}
    if isinstance(filter_, django_filters.DateTimeFilter):
        return {"type": "string", "format": "date-time"}
    if isinstance(filter_, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(filter_, django_filters.NumberFilter):
        return {"type": "number"}
    if isinstance(filter_, django_filters.ChoiceFilter):
        return {"type": "string", "enum": [value for value, _label in filter_.extra.get("choices", [])]}
    return {"type": "string"}


class GovernedFilterBackend(BaseFilterBackend):
    """The filterset's filters, each admitted only if every item it reads is usable in search mode."""

    def known_params(self, view):
        filters = view.filterset_class.base_filters if view.filterset_class else {}
        return RESERVED_PARAMS | set(filters) | set(getattr(view, "extra_params", ()))

    def filter_queryset(self, request, queryset, view):
        filterset_class = view.filterset_class
        filters = filterset_class.base_filters if filterset_class else {}
        known = self.known_params(view)
        used = []
        for param in request.query_params:
            if param not in known:
                raise BadRequest(
                    _("Unknown query parameter '%(param)s'.") % {"param": param[:64]},
                    code="unknown_parameter",
                )
            if param in filters:
                refuse_unusable(view.scope, view.dataset, param, items_read(filterset_class, param))
                used.append(param)
        if not used:
            return queryset
        query = request.query_params.copy()
        for name in list(query):
            if name not in used:
                del query[name]
        filterset = filterset_class(data=query, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return []
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": _describe(items_read(filterset_class, name)),
                "schema": _schema_type(filter_),
            }
            for name, filter_ in filterset_class.base_filters.items()
        ]


class GovernedSearchFilter(BaseFilterBackend):
    """``?q=``: a case-insensitive substring of any search field the caller may use in search mode.

    A field the caller holds masked or not at all is left out of the search
    (searching it would reveal its hidden characters); if no search field is
    usable, ``q`` is a 400.
    """

    search_param = "q"

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(self.search_param)
        if text is None:
            return queryset
        scope = view.scope
        searchable = [name for name in view.search_fields if scope.usable(name, Mode.SEARCH)]
        if not searchable:
            raise BadRequest(
                _("Parameter 'q' searches no item you hold in search mode unmasked (it searches %(items)s).")
                % {"items": ", ".join(view.dataset.by_field[f].code for f in view.search_fields) or "-"},
                code="parameter_not_granted",
            )
        condition = Q()
        for name in searchable:
            condition |= Q(**{f"{name}__icontains": text})
        return queryset.filter(condition)

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "search_fields", ())
        if not fields:
            return []
        return [
            {
                "name": self.search_param,
                "required": False,
                "in": "query",
                "description": _(
                    "A substring of any of these items you hold in search mode unmasked (others are not "
                    "searched): %(items)s."
                )
                % {"items": ", ".join(fields)},
                "schema": {"type": "string"},
            }
        ]


class GovernedOrderingFilter(BaseFilterBackend):
    """``?ordering=item,-item``: only items usable in search mode; the paginator asks ``get_ordering``."""

    ordering_param = "ordering"
    default_ordering = ("-id",)

    def filter_queryset(self, request, queryset, view):
        self.get_ordering(request, queryset, view)  # validate even when the view does not paginate
        return queryset

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if not raw:
            return tuple(getattr(view, "default_ordering", self.default_ordering))
        dataset = view.dataset
        ordering = []
        for term in raw.split(","):
            term = term.strip()
            name = term.lstrip("-")
            if name not in dataset.by_field or term.count("-") > 1 or term.startswith("--"):
                raise BadRequest(
                    _("ordering: unknown item '%(name)s'.") % {"name": name[:64]}, code="unknown_ordering"
                )
            refuse_unusable(view.scope, dataset, self.ordering_param, [name])
            if term not in ordering and f"-{name}" not in ordering and name not in ordering:
                ordering.append(term)
        return tuple(ordering)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": _(
                    "Comma-separated items, '-' for descending; each needs the item granted in search mode, "
                    "unmasked. Default: newest first."
                ),
                "schema": {"type": "string"},
            }
        ]


GOVERNED_FILTER_BACKENDS = [GovernedOrderingFilter, GovernedFilterBackend, GovernedSearchFilter]


# -- declared reads, checked against the SQL each filter produces -------------------------------


def _sample_value(filter_):
    if isinstance(filter_, django_filters.DateFilter):
        return datetime.date(2000, 1, 1)
    if isinstance(filter_, django_filters.DateTimeFilter):
        return datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    if isinstance(filter_, django_filters.BooleanFilter):
        return True
    if isinstance(filter_, django_filters.NumberFilter):
        return 1
    if isinstance(filter_, django_filters.ChoiceFilter):
        choices = filter_.extra.get("choices") or [("x", "x")]
        choices = choices() if callable(choices) else choices
        return next(iter(choices))[0]
    return "32"


def _nodes(node):
    yield node
    children = getattr(node, "children", None)
    if children is None and hasattr(node, "get_source_expressions"):
        children = node.get_source_expressions()
    for child in children or ():
        if child is not None and not isinstance(child, (str, int, float, bool, datetime.date)):
            yield from _nodes(child)


def columns_read(queryset):
    """The model fields the WHERE clause of ``queryset`` reads (annotations used in it included)."""
    return {node.target.name for node in _nodes(queryset.query.where) if isinstance(node, Col)}


def undeclared_reads(filterset_class, queryset):
    """``{filter name: fields it reads but does not declare}`` for every filter of the filterset."""
    baseline = columns_read(queryset)
    found = {}
    for name, filter_ in filterset_class.base_filters.items():
        bound = filterset_class(data={}, queryset=queryset).filters[name]
        filtered = bound.filter(queryset, _sample_value(filter_))
        read = columns_read(filtered) - baseline
        declared = set(items_read(filterset_class, name))
        if read - declared:
            found[name] = sorted(read - declared)
    return found
