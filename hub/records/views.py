"""The governed viewset every library's record endpoints are built from.

It turns the caller's :class:`~hub.access.scope.Scope` into the fields,
filters, ordering and lookups it may use, and writes one audit row per call
before the response leaves (fail closed: no audit row, no data). Reads write
nothing else, so they run without a transaction and the audit row is a
single statement; calls that write run in one transaction with their audit row.
"""

import contextlib
import logging
from functools import cache

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from hub.access import audit
from hub.access.choices import Mode
from hub.access.scope import resolve
from hub.api import dates
from hub.api.exceptions import BadRequest, NoGrant
from hub.catalogue import spec as catalogue

from . import history
from .codes import ascii_errors, validate_ascii
from .filters import GOVERNED_FILTER_BACKENDS, refuse_unusable
from .serializers import serializer_for

log = logging.getLogger(__name__)

MAX_VERIFY = 1000

provenance_hooks = []  # callables (dataset, instance, fields) -> {field: {extra keys}}


@cache
def _serializer_class(model):
    return serializer_for(model)


def refuse_nul(value, where):
    """PostgreSQL text cannot hold NUL: refuse it as bad input (400), before it reaches SQL."""
    if isinstance(value, str) and "\x00" in value:
        raise BadRequest(
            _("%(where)s: the NUL character is not allowed.")
            % {"where": str(where)[:64].replace("\x00", "")},
            code="invalid_character",
        )


def parse_as_of(value):
    """``?as_of=`` as an aware datetime; a bare date means the end of that day.

    Strict (ASCII, a real calendar date and time, convertible to UTC): a 400
    naming ``as_of`` for anything else, never the ValueError Django's parser raises.
    """
    try:
        return dates.parse_instant(value, "as_of")
    except dates.InvalidDate as exc:
        raise BadRequest(exc.message, code="invalid_as_of") from None


class GovernedViewSet(viewsets.GenericViewSet):
    """Lookup, search, verify and history of one dataset, under the caller's grants.

    A library viewset only declares ``queryset``, ``filterset_class`` and
    ``search_fields``; everything the catalogue knows is read from it.
    """

    filterset_class = None
    search_fields: tuple = ()
    filter_backends = GOVERNED_FILTER_BACKENDS
    default_ordering = ("-id",)  # internal position, newest first; never a record value
    extra_params: tuple = ()  # query parameters a library action reads itself (e.g. geodata's bbox)
    lookup_url_kwarg = "key"
    lookup_value_regex = "[^/]+"

    # -- plumbing ---------------------------------------------------------

    @property
    def dataset(self):
        # Fixed for the call in initial(); before that (schema generation, errors) read afresh.
        return self.__dict__.get("_dataset") or catalogue.for_model(self.queryset.model)

    @dataset.setter
    def dataset(self, value):
        self.__dict__["_dataset"] = value

    def get_serializer_class(self):
        return _serializer_class(self.queryset.model)

    def dispatch(self, request, *args, **kwargs):
        # The call's draft is shared with hub.middleware.AuditMiddleware, which writes
        # the row of a call that ends before this one is committed (an unhandled
        # exception: a JSON 500) and no second row once it is.
        self.audit = audit.draft_for(request)
        try:
            # A read needs no transaction of its own: the audit row is one
            # statement (linked and counted by the database on PostgreSQL), and
            # if it fails the response below replaces the data. A call that
            # writes commits with its audit row or not at all.
            reads = request.method in SAFE_METHODS
            with contextlib.nullcontext() if reads else transaction.atomic():
                response = super().dispatch(request, *args, **kwargs)
                self._write_audit(response)
            self.audit.written = True
        except DatabaseError:
            log.exception("governed call failed closed")
            body = {
                "detail": _("The call could not be recorded; no data was returned."),
                "code": "unavailable",
            }
            if not hasattr(self, "headers") or not hasattr(self.request, "accepted_renderer"):
                # The database failed before DRF had set the call up (e.g. no connection at all).
                return JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
            response = self.finalize_response(self.request, Response(body, status=503))
        return response

    def _write_audit(self, response):
        self.audit.dataset = self.audit.dataset or self.dataset.code
        audit.append_call(self.request, response.status_code, self.audit)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.dataset = catalogue.for_model(self.queryset.model)
        refuse_nul(kwargs.get(self.lookup_url_kwarg, ""), self.lookup_url_kwarg)
        for name, values in request.query_params.lists():
            refuse_nul(name, _("query parameter name"))
            for value in values:
                refuse_nul(value, name)
        refuse_nul(request.META.get("HTTP_X_PURPOSE", ""), "X-Purpose")
        self.scope = resolve(request, self.dataset)
        self.audit.dataset = self.dataset.code

    def require(self, mode):
        """Refuse the call unless some item is granted at ``mode``; 403 names dataset and mode."""
        self.audit.mode = Mode(mode).api_name
        if not self.scope.has(mode):
            raise NoGrant(self.dataset.code, Mode(mode).api_name, self.scope.missing_detail(mode))

    def clean_key(self, key):
        model = self.queryset.model
        field = model._meta.get_field(self.dataset.natural_key)
        try:
            key = model.normalize_key(key)
            validate_ascii(key, self.dataset.natural_key)  # every natural key is a code
            return field.clean(key, None)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({self.dataset.natural_key: exc.messages}) from None

    def shown_fields(self, mode):
        """The items a response at ``mode`` shows: the granted ones, less any a library withholds."""
        return self.scope.fields(mode)

    def render(self, instance_or_list, mode, *, many=False):
        fields = self.shown_fields(mode)
        masks = self.scope.masks(mode)
        context = {"request": self.request, "fields": fields, "masks": masks}
        if self.request.query_params.get("provenance") in ("1", "true", "True"):
            instances = instance_or_list if many else [instance_or_list]
            context["provenance"] = self.provenance_for(instances, fields, masks, mode)
        self.audit.items = [self.dataset.by_field[f].code for f in fields]
        return self.get_serializer(instance_or_list, many=many, context=context).data

    def provenance_for(self, instances, fields, masks, mode):
        """Each value as ``{value, source, updated_at}``, under the same rules as the value itself.

        ``updated_at`` is when the item last changed as the caller sees it
        (from history): a source's own stamp would move when it rewrote an
        item the caller holds no grant on, or the hidden part of a masked one.
        In a partitioned dataset the source names the partition's department,
        so it is shown only to a caller who may use the partition item itself.
        """
        dataset = self.dataset
        key_field = dataset.natural_key
        partition_field = dataset.partition_field
        shows_source = not partition_field or self.scope.usable(partition_field, mode)
        changed = history.last_visible_changes(
            self.queryset.model, key_field, {getattr(i, key_field) for i in instances}, fields, masks
        )

        def provenance(instance, field, value):
            source = dataset.source_of(field, instance.partition_value()) if shows_source else None
            when = changed.get(getattr(instance, key_field), {}).get(field)
            entry = {"value": value, "source": source, "updated_at": when.isoformat() if when else None}
            for hook in provenance_hooks:
                entry.update(hook(dataset, instance, field) or {})
            return entry

        return provenance

    def get_serializer_context(self):
        return {"request": self.request}

    # -- lookup -----------------------------------------------------------

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATETIME, description="The record as it was then."),
            OpenApiParameter(
                "provenance", OpenApiTypes.BOOL, description="Each item as {value, source, updated_at}."
            ),
        ]
    )
    def retrieve(self, request, key=None):
        """Lookup: the granted items of one record by its natural key."""
        self.require(Mode.LOOKUP)
        key = self.clean_key(key)
        self.audit.subject_keys = [key]
        model = self.queryset.model
        as_of = request.query_params.get("as_of")
        if as_of:
            instance = history.as_of(model, self.dataset.natural_key, key, parse_as_of(as_of))
        else:
            fields = [*self.scope.fields(Mode.LOOKUP), "source_stamps"]
            if self.dataset.partition_field:
                fields.append(self.dataset.partition_field)
            matches = self.get_queryset().filter(**{self.dataset.natural_key: key}).only(*fields)[:1]
            instance = next(iter(matches), None)
        if instance is None:
            raise exceptions.NotFound(_("No record with this key."))
        self.audit.result_count = 1
        return Response(self.render(instance, Mode.LOOKUP))

    # -- search -----------------------------------------------------------

    def list(self, request):
        """Search: filter and list records; only items granted in search mode."""
        self.require(Mode.SEARCH)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.render(page, Mode.SEARCH, many=True)
        self.audit.result_count = len(page)
        key = self.dataset.natural_key
        if key in self.scope.fields(Mode.SEARCH):
            self.audit.subject_keys = [getattr(obj, key) for obj in page]
        return self.get_paginated_response(data)

    # -- verify -----------------------------------------------------------

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def verify(self, request):
        """Verify: match / no match for submitted values; never returns values."""
        self.require(Mode.VERIFY)
        body = request.data
        many = isinstance(body, list)
        entries = body if many else [body]
        if not entries or len(entries) > MAX_VERIFY:
            raise BadRequest(
                _("Send one object or an array of 1 to %(max)d objects.") % {"max": MAX_VERIFY},
                code="invalid_batch",
            )
        key_name = self.dataset.natural_key
        verifiable = set(self.scope.fields(Mode.VERIFY))
        model = self.queryset.model
        keys = []
        for position, entry in enumerate(entries):
            where = _("row %(n)d: ") % {"n": position + 1} if many else ""
            if not isinstance(entry, dict):
                raise BadRequest(where + _("expected a JSON object."), code="invalid")
            if key_name not in entry:
                raise exceptions.ValidationError({key_name: [where + _("This field is required.")]})
            # The key addresses the record, as in a lookup URL; it needs its own verify grant
            # only when it is all that is checked (then the answer says whether it exists).
            checked = [name for name in entry if name != key_name] or [key_name]
            for name in entry:
                if name not in self.dataset.by_field:
                    raise BadRequest(
                        where + _("unknown item '%(name)s'.") % {"name": str(name)[:64]}, code="unknown_item"
                    )
                if isinstance(entry[name], (dict, list)):
                    raise BadRequest(
                        where
                        + _("%(name)s: expected a single value, not an array or object.") % {"name": name},
                        code="invalid",
                    )
            self.refuse_unverifiable(checked, verifiable, where)
            refuse_nul(entry[key_name], where + key_name)
            wrong = ascii_errors(model, ((name, name, value) for name, value in entry.items()))
            if wrong:
                raise exceptions.ValidationError({k: [where + m for m in v] for k, v in wrong.items()})
            keys.append(model.normalize_key(entry[key_name]))
        fields = sorted({name for entry in entries for name in entry} | {key_name})
        records = {
            getattr(obj, key_name): obj
            for obj in self.get_queryset().filter(**{f"{key_name}__in": keys}).only(*fields)
        }
        results = []
        for key, entry in zip(keys, entries, strict=True):
            record = records.get(key)
            items = {
                name: record is not None and self._same(model, record, name, value)
                for name, value in entry.items()
                if name != key_name
            }
            results.append({"match": record is not None and all(items.values()), "items": items})
        self.audit.subject_keys = keys
        self.audit.result_count = sum(r["match"] for r in results)
        self.audit.items = [self.dataset.by_field[f].code for f in fields]
        return Response(results if many else results[0])

    def refuse_unverifiable(self, checked, verifiable, where=""):
        """403 for an item not granted in verify mode, 400 for one granted only masked.

        A masked grant is for display only: comparing submitted values with a
        masked item would reveal its hidden characters (366 candidate dates in
        one batch find a masked birth date).
        """
        for name in checked:
            if name not in verifiable:
                raise NoGrant(
                    self.dataset.code,
                    "verify",
                    _("Item %(item)s is not granted in verify mode.")
                    % {"item": self.dataset.by_field[name].code},
                )
            refuse_unusable(self.scope, self.dataset, where + name, [name], Mode.VERIFY)

    @staticmethod
    def _same(model, record, name, value):
        field = model._meta.get_field(name)
        try:
            submitted = field.to_python(value.strip() if isinstance(value, str) else value)
        except (DjangoValidationError, TypeError, ValueError):
            return False
        return getattr(record, field.attname) == submitted

    # -- history ----------------------------------------------------------

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def history(self, request, key=None):
        """Versions of one record, newest first, with changes to granted items only."""
        self.require(Mode.LOOKUP)
        key = self.clean_key(key)
        self.audit.subject_keys = [key]
        fields = self.shown_fields(Mode.LOOKUP)
        versions = history.versions(
            self.queryset.model, self.dataset.natural_key, key, fields, self.scope.masks(Mode.LOOKUP)
        )
        partition_field = self.dataset.partition_field
        if partition_field and not self.scope.usable(partition_field, Mode.LOOKUP):
            # A partition's source department (and its systems) would name the partition: a
            # licence's issuer tells its type. Shown only to a caller who may see the partition item.
            for version in versions:
                version["source"] = version["system"] = None
        if not versions and not self.get_queryset().filter(**{self.dataset.natural_key: key}).exists():
            raise exceptions.NotFound(_("No record with this key."))
        self.audit.result_count = 1
        self.audit.items = [self.dataset.by_field[f].code for f in fields]
        return Response({"next": None, "previous": None, "results": versions})
