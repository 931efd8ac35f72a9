"""Quality endpoints: consumer feedback, the caller's issues, scores."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.api.exceptions import BadRequest, NoGrant
from hub.catalogue.models import Dataset, Department

from .. import metrics
from ..choices import IssueStatus
from ..feedback import FeedbackError, report
from ..models import QualityIssue
from .serializers import (
    FeedbackReceiptSerializer,
    FeedbackSerializer,
    IssueSerializer,
    ScoreSerializer,
    SystemIssueSerializer,
)


def _system(request):
    return getattr(request.user, "system", None)


class FeedbackView(APIView):
    """A consuming system reports a doubtful value; the item's source department gets an issue."""

    @extend_schema(request=FeedbackSerializer, responses={201: FeedbackReceiptSerializer})
    def post(self, request):
        system = _system(request)
        if system is None:
            raise exceptions.PermissionDenied(_("Only consuming systems (API key) report feedback."))
        serializer = FeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            issue, _created = report(request, **serializer.validated_data)
        except FeedbackError as exc:
            if exc.status == 403:
                raise NoGrant(serializer.validated_data["dataset"], "lookup", exc.message) from None
            if exc.status == 404:
                raise exceptions.NotFound(exc.message) from None
            raise exceptions.ValidationError({exc.field: [exc.message]}) from None
        # A receipt, not the issue: whether the report opened an issue or joined another system's,
        # the issue's number, its first message and the department it went to (a partition's source)
        # are not the caller's to learn. The caller follows its reports at GET /quality/issues/.
        return Response(
            {
                "dataset": issue.dataset.code,
                "item": issue.item.code,
                "record_key": issue.record_key,
                "message": serializer.validated_data["message"],
                "status": "received",
            },
            status=status.HTTP_201_CREATED,
        )


def _known(model, field, value, param):
    if value and not model.objects.filter(**{field: value}).exists():
        raise BadRequest(_("%(param)s: unknown value '%(value)s'.") % {"param": param, "value": value[:64]})
    return value


class IssueList(generics.ListAPIView):
    """Quality issues: a steward's department's, an operator's all, a system's own reports."""

    serializer_class = IssueSerializer

    def get_serializer_class(self):
        return SystemIssueSerializer if _system(self.request) else IssueSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "shows_department": {}}

    @extend_schema(
        parameters=[
            OpenApiParameter("department", str),
            OpenApiParameter("dataset", str),
            OpenApiParameter("status", str, enum=IssueStatus.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        issues = QualityIssue.objects.select_related("dataset", "item", "rule", "department")
        system = _system(self.request)
        issues = issues.filter(reporter=system) if system else issues.for_user(self.request.user)
        if department := _known(Department, "code", params.get("department"), "department"):
            issues = issues.filter(department__code=department)
        if dataset := _known(Dataset, "code", params.get("dataset"), "dataset"):
            issues = issues.filter(dataset__code=dataset)
        if status_ := params.get("status"):
            if status_ not in IssueStatus.values:
                raise BadRequest(
                    _("status: must be one of %(values)s.") % {"values": ", ".join(IssueStatus.values)}
                )
            issues = issues.filter(status=status_)
        return issues


class ScoreView(APIView):
    """Scores at the latest full scans: overall, by dimension and item, with the trend by scan."""

    @extend_schema(
        parameters=[OpenApiParameter("department", str), OpenApiParameter("dataset", str)],
        responses=ScoreSerializer,
    )
    def get(self, request):
        department = _known(Department, "code", request.query_params.get("department"), "department") or None
        dataset = _known(Dataset, "code", request.query_params.get("dataset"), "dataset") or None
        body = {
            "department": department,
            "dataset": dataset,
            "score": metrics.score(department, dataset),
            "dimensions": metrics.breakdown("dimension", department, dataset),
            "items": {k: v for k, v in metrics.breakdown("item__code", department, dataset).items() if k},
            "trend": [
                {"scanned_at": at.isoformat(), "score": value}
                for at, value in metrics.score_trend(department, dataset)
            ],
            "issues": metrics.issue_counts(department),
        }
        return Response(body)
