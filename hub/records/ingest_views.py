"""``POST /api/v1/ingest/{dataset}/`` and ``GET /api/v1/ingest/batches/{id}/`` for provider systems.

Each call's audit row is written by :class:`hub.middleware.AuditMiddleware`
from the draft these views fill: mode ``ingest`` for a load, and the batch
the call created, replayed or read.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.access import audit
from hub.access.authentication import SystemPrincipal
from hub.api.exceptions import body_too_large

from .ingest import BodyTooLarge, IngestInputError, InvalidRows, UnknownDataset, detect_format, ingest
from .models import IngestBatch
from .sources import SourceRuleViolation


class IsProviderSystem(BasePermission):
    """Only a system registered as a provider loads data; its department is the writer."""

    message = _("Only provider systems may ingest records.")

    def has_permission(self, request, view):
        system = getattr(request.user, "system", None)
        return isinstance(request.user, SystemPrincipal) and system is not None and system.is_provider


class RawBodyParser(BaseParser):
    """Declares the accepted media types; the body is streamed by the view, never parsed here."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


REPORT = inline_serializer(
    "IngestReport",
    {
        "batch": serializers.UUIDField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "rejected": serializers.ListField(child=serializers.DictField()),
    },
)


def _truthy(value):
    return str(value).lower() in ("1", "true", "yes", "on")


class IngestView(APIView):
    """Load a batch of one dataset's rows as the calling provider system's department."""

    permission_classes = [IsProviderSystem]
    parser_classes = [RawBodyParser]

    @extend_schema(
        request={
            "application/json": OpenApiTypes.OBJECT,
            "application/x-ndjson": OpenApiTypes.STR,
            "text/csv": OpenApiTypes.STR,
        },
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER),
            OpenApiParameter("all_or_nothing", bool),
        ],
        responses={200: REPORT},
    )
    def post(self, request, dataset):
        limit = settings.HUB_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        draft = audit.draft_for(request)
        draft.mode = "ingest"
        if length > limit:
            raise body_too_large(length, limit, ingest=True)
        content_type = request.META.get("CONTENT_TYPE", "")
        fmt = detect_format(content_type)
        if fmt is None or fmt == "xlsx":
            raise exceptions.UnsupportedMediaType(
                content_type or "none",
                _("Send application/json, application/x-ndjson or text/csv (got %(type)s).")
                % {"type": content_type or _("no content type")},
            )
        system = request.user.system
        key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()[:200] or None
        try:
            try:
                outcome = ingest(
                    dataset,
                    request._request,  # streamed: the body is never held whole in memory
                    fmt=fmt,
                    encoding=request.query_params.get("encoding") or _charset(content_type),
                    department=system.department.code,
                    system=system,
                    channel="api",
                    idempotency_key=key,
                    all_or_nothing=_truthy(request.query_params.get("all_or_nothing", "")),
                    reason=request.META.get("HTTP_X_REASON", "")[:100],
                    limit=limit,
                )
            except (IngestInputError, SourceRuleViolation) as refusal:
                draft.batch = getattr(refusal, "batch_id", None)  # the refused batch's own record
                raise
        except UnknownDataset as error:
            return Response(error.as_dict(), status=404)
        except BodyTooLarge as error:
            return Response(error.as_dict(), status=413)
        except InvalidRows as error:
            return Response(error.as_dict(), status=400)
        except IngestInputError as error:
            body = error.as_dict()
            if error.row is not None or error.column is not None:
                where = f"row {error.row}" if error.row is not None else f"column {error.column}"
                body["errors"] = {where: [error.detail]}
            return Response(body, status=400)
        if outcome.batch is not None:
            draft.batch = outcome.batch.pk
        draft.result_count = int(outcome.report.get("created", 0)) + int(outcome.report.get("updated", 0))
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
        return Response(outcome.report, status=200, headers=headers)


def _charset(content_type):
    from .ingest.parsing import charset_of

    return charset_of(content_type)


class IngestBatchView(APIView):
    """A batch's report; a system sees the batches of its own department."""

    permission_classes = [IsProviderSystem]

    @extend_schema(responses={200: REPORT})
    def get(self, request, batch):
        with transaction.atomic():
            found = IngestBatch.objects.filter(pk=batch, department=request.user.system.department).first()
        if found is None:
            raise exceptions.NotFound(_("No such batch."))
        audit.draft_for(request).batch = found.pk
        return Response(
            {
                **found.report,
                "batch": str(found.pk),
                "status": found.status,
                "created_at": found.created_at.isoformat(),
                "finished_at": found.finished_at.isoformat() if found.finished_at else None,
            }
        )
