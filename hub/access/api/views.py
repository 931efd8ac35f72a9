"""Access endpoints: who am I, apply for items, decide on them, usage."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.access import roles, services, usage
from hub.access.authentication import SystemPrincipal
from hub.access.models import AccessRequest, AccessRequestItem, Grant

from .serializers import (
    AccessRequestCreateSerializer,
    AccessRequestSerializer,
    DecisionSerializer,
    GrantSerializer,
)


def _raise(error):
    exc = exceptions.APIException(str(error), code=error.code)
    exc.status_code = error.status
    raise exc


class MeView(APIView):
    """The calling system and its active grants."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "system": inline_serializer(
                    "MeSystem",
                    {
                        "name": serializers.CharField(),
                        "department": serializers.CharField(),
                        "consumer": serializers.BooleanField(),
                        "provider": serializers.BooleanField(),
                    },
                ),
                "grants": GrantSerializer(many=True),
            },
        )
    )
    def get(self, request):
        if not isinstance(request.user, SystemPrincipal):
            raise exceptions.PermissionDenied(_("Only systems with an API key have grants."))
        system = request.user.system
        grants = Grant.objects.active().filter(system=system).select_related("item")
        return Response(
            {
                "system": {
                    "name": system.name,
                    "department": system.department.code,
                    "consumer": system.is_consumer,
                    "provider": system.is_provider,
                },
                "grants": GrantSerializer(grants, many=True).data,
            }
        )


class AccessRequestViewSet(viewsets.GenericViewSet):
    """Applications for items and the source departments' decisions on them."""

    serializer_class = AccessRequestSerializer
    pagination_class = None

    def get_queryset(self):
        """A system its own requests; an operator all; a steward those with its department's
        items, showing only those items; anyone else none (``is_staff`` grants nothing)."""
        queryset = AccessRequest.objects.select_related("system")
        user = self.request.user
        if isinstance(user, SystemPrincipal):
            return queryset.filter(system=user.system).prefetch_related("entries__item")
        if roles.is_operator(user):
            return queryset.prefetch_related("entries__item")
        department = roles.steward_department(user)
        if department is None:
            return queryset.none()
        own = AccessRequestItem.objects.filter(roles.department_items_q(department, "item__")).distinct()
        return roles.requests_of(department, queryset).prefetch_related(
            Prefetch("entries", queryset=own.select_related("item"))
        )

    @extend_schema(request=AccessRequestCreateSerializer, responses={201: AccessRequestSerializer})
    def create(self, request):
        if not isinstance(request.user, SystemPrincipal):
            raise exceptions.PermissionDenied(_("Only systems apply for items."))
        form = AccessRequestCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            created = services.submit(request.user.system, **form.validated_data)
        except services.AccessError as error:
            _raise(error)
        created = self.get_queryset().get(pk=created.pk)
        return Response(AccessRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(AccessRequestSerializer(self.get_object()).data)

    @extend_schema(request=DecisionSerializer, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        if isinstance(request.user, SystemPrincipal):
            raise exceptions.PermissionDenied(_("Decisions are made by stewards, not systems."))
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        access_request = AccessRequest.objects.filter(pk=pk).first()
        if access_request is None:
            raise exceptions.NotFound()
        entry = access_request.entries.filter(item__code=form.validated_data["item"]).first()
        if entry is None:
            raise exceptions.ValidationError({"item": [_("This item is not part of the request.")]})
        try:
            services.decide(
                entry,
                request.user,
                approve=form.validated_data["approve"],
                reason=form.validated_data["reason"],
            )
        except services.AccessError as error:
            _raise(error)
        return Response(AccessRequestSerializer(self.get_queryset().get(pk=pk)).data)


class UsageView(APIView):
    """Usage statistics: calls per day, system, department, dataset and item.

    An operator's cover the whole log; a steward's only the rows that concern
    its department's items (:func:`hub.access.roles.audit_rows_of`).
    """

    permission_classes = [roles.SeesAuditRows]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        try:
            days = min(max(int(request.query_params.get("days", 30)), 1), 366)
        except ValueError:
            raise exceptions.ValidationError({"days": [_("A whole number of days, 1 to 366.")]}) from None
        since = usage.window(days)
        rows = usage.visible_rows(request.user)
        return Response(
            {
                "days": days,
                "results": usage.calls_by_day(
                    since, request.query_params.get("system"), request.query_params.get("dataset"), rows=rows
                ),
                "by_item": usage.calls_by_item(since, items=usage.visible_items(request.user)),
                "by_department": usage.calls_by_department(since, rows=rows),
            }
        )


class SubjectUsageView(APIView):
    """Who used this subject's data: every audited call that touched the key."""

    permission_classes = [roles.SeesAuditRows]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, key):
        rows = usage.subject_calls(key, rows=usage.visible_rows(request.user))[:1000]
        return Response(
            {
                "key": key,
                "results": [
                    {
                        "at": row.at.isoformat(),
                        "system": row.system.name if row.system else None,
                        "user": row.user or None,
                        "purpose": row.purpose,
                        "endpoint": row.endpoint,
                        "mode": row.mode,
                        "items": row.items,
                        "status": row.status,
                    }
                    for row in rows
                ],
            }
        )
