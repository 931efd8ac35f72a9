"""Licence endpoints: the governed lookup/search/history/as_of, a verify that also checks the
hub's signature and reports the status, the valid licences of one holder, and the types."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from hub.access.authentication import SystemPrincipal
from hub.access.choices import Mode
from hub.api.exceptions import BadRequest
from hub.records.admin import steward_department_code
from hub.records.codes import ascii_upper
from hub.records.filters import refuse_unusable
from hub.records.views import MAX_VERIFY, GovernedViewSet, parse_as_of

from .. import identifiers, services, signing
from ..filtersets import LicenceFilterSet
from ..models import Licence, LicenceType
from .serializers import LicenceSerializer, LicenceTypeSerializer

# A holder's valid licences are found by these items (the holder, and what "currently valid" reads).
HOLDER_LIST_READS = ("holder_key", "status", "valid_from", "valid_to")


def _text(value):
    return "" if value is None else str(value).strip()


class LicenceViewSet(GovernedViewSet):
    """Electronic licences by GB/T 36904 identifier."""

    queryset = Licence.objects.all()
    filterset_class = LicenceFilterSet
    search_fields = ("holder_name", "number", "issuing_authority")

    def get_queryset(self):
        return Licence.objects.with_current_status()

    def get_serializer_class(self):
        return LicenceSerializer

    def render(self, instance_or_list, mode, *, many=False):
        as_of = self.request.query_params.get("as_of")
        if as_of and not many and isinstance(instance_or_list, Licence):
            # A past version reads with the status it had then: expiry judged on that day.
            instance_or_list.current_status = instance_or_list.status_on(parse_as_of(as_of).date())
        if not self.scope.usable("valid_to", mode):
            # "expired" is judged from the end of the term: without that item in the clear the
            # caller gets the stored state, or the status would tell it the term had ended.
            for licence in instance_or_list if many else [instance_or_list]:
                licence.current_status = licence.status
        return super().render(instance_or_list, mode, many=many)

    def shown_fields(self, mode):
        """The granted items, without the hub's signature unless every signed item is usable too.

        The signature is deterministic and its public key is published: with it,
        anyone can test a guess of any signed item offline (a masked holder name,
        an ungranted holder key). So it is shown only to a caller who may see
        every signed item in the clear at that mode.
        """
        fields = super().shown_fields(mode)
        if "signature" in fields and not all(self.scope.usable(f, mode) for f in signing.SIGNED_FIELDS):
            fields = [f for f in fields if f != "signature"]
        return fields

    def status_for(self, record):
        """The status a verify caller may learn: the derived one only with the term's end verifiable."""
        return record.current_status if self.scope.usable("valid_to", Mode.VERIFY) else record.status

    def clean_key(self, key):
        try:
            return str(identifiers.parse(key))
        except Exception as exc:  # ValidationError: name the rule broken
            raise exceptions.ValidationError({"identifier": getattr(exc, "messages", [str(exc)])}) from None

    # -- verify: values, signature, status --------------------------------------------------

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def verify(self, request):
        """Verify a licence shown on paper or image: which values match, whether the hub's signature
        holds, and its current status. No value is returned."""
        self.require(Mode.VERIFY)
        body = request.data
        many = isinstance(body, list)
        entries = body if many else [body]
        if not entries or len(entries) > MAX_VERIFY:
            raise BadRequest(
                _("Send one object or an array of 1 to %(max)d objects.") % {"max": MAX_VERIFY},
                code="invalid_batch",
            )
        dataset = self.dataset
        verifiable = set(self.scope.fields(Mode.VERIFY))
        keys = []
        for position, entry in enumerate(entries):
            where = _("row %(n)d: ") % {"n": position + 1} if many else ""
            if not isinstance(entry, dict):
                raise BadRequest(where + _("expected a JSON object."), code="invalid")
            if "identifier" not in entry:
                raise exceptions.ValidationError({"identifier": [where + _("This field is required.")]})
            # As in the governed verify: the identifier addresses the licence and needs its own
            # grant only when it is all that is checked (then the answer says whether it exists).
            checked = [name for name in entry if name != "identifier"] or ["identifier"]
            for name in entry:
                if name not in dataset.by_field:
                    raise BadRequest(
                        where + _("unknown item '%(name)s'.") % {"name": str(name)[:64]}, code="unknown_item"
                    )
            self.refuse_unverifiable(checked, verifiable, where)
            if "surface_data" in entry and (
                not isinstance(entry["surface_data"], dict) or not entry["surface_data"]
            ):
                # An empty object would compare nothing, and its "match" would say only whether the
                # licence exists.
                raise exceptions.ValidationError(
                    {"surface_data": [where + _("Send the surface items as an object of item → value.")]}
                )
            try:
                keys.append(str(identifiers.parse(entry["identifier"])))
            except Exception as exc:
                messages = [where + str(m) for m in getattr(exc, "messages", [str(exc)])]
                raise exceptions.ValidationError({"identifier": messages}) from None
        records = {obj.identifier: obj for obj in self.get_queryset().filter(identifier__in=keys)}
        show_status = "status" in verifiable
        results = []
        for key, entry in zip(keys, entries, strict=True):
            record = records.get(key)
            items = self._compare(record, entry)
            result = {
                "match": record is not None and all(items.values()),
                "items": items,
                "signature_valid": self._signature_valid(record, entry, items, verifiable),
            }
            if show_status:
                result["status"] = self.status_for(record) if record is not None else None
            results.append(result)
        self.audit.subject_keys = keys
        self.audit.result_count = sum(r["match"] for r in results)
        submitted = {name for entry in entries for name in entry} | {"identifier"}
        if show_status:
            submitted.add("status")
        self.audit.items = [item.code for item in dataset.items if item.field in submitted]
        return Response(results if many else results[0])

    @staticmethod
    def _signature_valid(record, entry, items, verifiable):
        """Whether the hub's signature holds (and matches the one submitted, if any).

        Unasked, the answer would say whether a licence exists under the
        identifier, which only a verify grant on the identifier may tell:
        without one it is null unless a signature was submitted.
        """
        if "signature" not in entry and "identifier" not in verifiable:
            return None
        return record is not None and record.signature_holds() and items.get("signature", True)

    def _compare(self, record, entry):
        """``{item: matches}`` for each submitted value; surface items as ``surface_data.<item>``."""
        items = {}
        for name, value in entry.items():
            if name == "identifier":
                continue
            if name == "surface_data":
                stored = record.surface_data if record is not None else {}
                for sub, sub_value in value.items():
                    items[f"surface_data.{sub}"] = record is not None and _text(stored.get(sub)) == _text(
                        sub_value
                    )
            elif record is None:
                items[name] = False
            elif name == "signature":
                items[name] = signing.verify(record.content(), _text(value), record.signing_key_id)
            elif name == "status":
                items[name] = self.status_for(record) == _text(value)
            elif name in ("holder_key", "issuer_code"):
                items[name] = getattr(record, name) == ascii_upper(_text(value))
            else:
                items[name] = self._same(Licence, record, name, value)
        return items

    # -- the valid licences of one holder ---------------------------------------------------

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"], url_path=r"holders/(?P<holder_key>[0-9A-Za-z]+)")
    def holder(self, request, holder_key=None):
        """All currently valid licences of one holder.

        This is a search by holder (and by validity), so it needs, in search
        mode and unmasked, the holder item and every item the validity test
        reads — as ``GET /licences/licences/?holder_key=…&valid_on=…`` would.
        """
        self.require(Mode.SEARCH)
        for field in HOLDER_LIST_READS:
            refuse_unusable(self.scope, self.dataset, "holder_key", [field])
        key = ascii_upper(holder_key)
        queryset = self.get_queryset().currently_valid().filter(holder_key=key)
        page = self.paginate_queryset(queryset)
        data = self.render(page, Mode.SEARCH, many=True)
        self.audit.subject_keys = [key]
        self.audit.result_count = len(page)
        return self.get_paginated_response(data)

    # -- writes by the issuing department ------------------------------------------------------

    def writer(self):
        """``(department code, user, system name)`` of a provider system or a steward; 403 otherwise.

        Whether that department issues the licence's type is the one-source rule's
        business (403 ``source_rule`` naming the item and its source).
        """
        self.audit.mode = "write"
        user = self.request.user
        if isinstance(user, SystemPrincipal):
            if not user.system.is_provider:
                raise exceptions.PermissionDenied(
                    _("Only provider systems of the issuing department write licences.")
                )
            return user.system.department.code, None, user.system.name
        department = steward_department_code(user)
        if department is None:
            raise exceptions.PermissionDenied(_("Only the issuing department's stewards write licences."))
        return department, user, ""

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def create(self, request):
        """Issue a licence (issuing department only): its items in, identifier and signature out."""
        department, user, system = self.writer()
        if not isinstance(request.data, dict):
            raise BadRequest(_("Send the licence as one JSON object."), code="invalid")
        fields = {f.name for f in Licence.item_fields()} - {
            "signature",
            "signing_key_id",
            "status",
            "status_reason",
        }
        unknown = sorted(set(request.data) - fields)
        if unknown:
            raise BadRequest(
                _("Unknown or read-only item(s): %(items)s.") % {"items": ", ".join(map(str, unknown))[:200]},
                code="unknown_item",
            )
        values = dict(request.data)
        type_code = values.pop("licence_type", None)
        if not LicenceType.objects.filter(code=str(type_code)).exists():
            raise exceptions.ValidationError(
                {"licence_type": [_("Unknown licence type %(code)s.") % {"code": type_code}]}
            )
        serializer = LicenceSerializer(context={"request": request})
        for name in ("issue_date", "valid_from", "valid_to"):
            if values.get(name):
                try:
                    values[name] = serializer.fields[name].to_internal_value(values[name])
                except exceptions.ValidationError as exc:
                    raise exceptions.ValidationError({name: exc.detail}) from None
        licence = services.issue(
            department,
            user=user,
            system=system,
            reason=request.headers.get("X-Reason", "")[:200],
            licence_type=str(type_code),
            **values,
        )
        self.audit.subject_keys = [licence.identifier]
        self.audit.result_count = 1
        return Response(
            {
                "identifier": licence.identifier,
                "status": licence.current_status,
                "signature": licence.signature,
                "signing_key_id": licence.signing_key_id,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, key=None):
        """Suspend, revoke or restore a licence with a reason (issuing department only)."""
        department, user, system = self.writer()
        key = self.clean_key(key)
        self.audit.subject_keys = [key]
        body = request.data if isinstance(request.data, dict) else {}
        action_name = str(body.get("action", ""))
        if action_name not in ("suspend", "revoke", "restore"):
            raise exceptions.ValidationError({"action": [_("Expected suspend, revoke or restore.")]})
        licence = Licence.objects.filter(identifier=key).first()
        if licence is None:
            raise exceptions.NotFound(_("No record with this key."))
        licence = services.transition(
            licence, action_name, department, reason=str(body.get("reason", "")), user=user, system=system
        )
        self.audit.result_count = 1
        return Response({"identifier": licence.identifier, "status": licence.current_status})


class LicenceTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Licence types (reference data): issuer, holder kind, validity, surface items, Delta recognition."""

    queryset = LicenceType.objects.all()
    serializer_class = LicenceTypeSerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        queryset = super().get_queryset()
        region = self.request.query_params.get("recognized_in")
        if region and self.action == "list":
            # JSON containment is not portable to SQLite; the list is short.
            return [t for t in queryset if region in t.recognized_in]
        return queryset


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def signing_key(request):
    """The hub's current public key for licence signatures (for relying systems verifying offline)."""
    return Response(
        {"key_id": signing.key_id(), "algorithm": "Ed25519", "public_key": signing.public_key_pem()}
    )
