"""``GET /api/v1/progress/``: the dashboard's figures as JSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.access.authentication import SystemPrincipal
from hub.api.exceptions import BadRequest

from .. import metrics
from ..views import BadFilter, can_view, parse_filters


class CanViewProgress(permissions.BasePermission):
    """Joint-meeting members and operators (the dashboard permission) only, never a system's API key.

    The figures count records and every system's calls (sharing volume, records
    shared): build oversight for the joint meeting, not something a consuming
    system holds a grant for.
    """

    def has_permission(self, request, view):
        return not isinstance(request.user, SystemPrincipal) and can_view(request.user)


class ProgressView(APIView):
    """Plans, delivery, mount rate, records vs target, timeliness, quality and sharing."""

    permission_classes = [permissions.IsAuthenticated, CanViewProgress]

    @extend_schema(
        parameters=[
            OpenApiParameter("batch", OpenApiTypes.STR, description="plan batch code (default: all batches)"),
            OpenApiParameter("period", OpenApiTypes.STR, description="sharing period as a month, YYYY-MM"),
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="sharing period start (default: 30 days ago)"
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="sharing period end (default: today)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        try:
            batch, period = parse_filters(request.query_params)
        except BadFilter as exc:
            raise BadRequest(str(exc), code="invalid_filter") from None
        data = metrics.load(batch=batch, period=period)
        body = metrics.summary(data)
        body["trend"] = metrics.trends(data, metrics.PROVINCE)
        return Response(metrics.as_json(body))
