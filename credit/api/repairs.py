"""Credit repair (信用修复) through the API, for the deciding authority's systems and stewards."""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from hub.access.authentication import SystemPrincipal
from hub.api import dates
from hub.records.admin import steward_department_code

from ..models import CreditRecord, RepairApplication
from ..services import RepairRefused, apply_for_repair, decide_repair


class RepairSerializer(serializers.ModelSerializer):
    record = serializers.UUIDField(source="record.record_id", read_only=True)

    class Meta:
        model = RepairApplication
        fields = [
            "id",
            "record",
            "department",
            "applicant_name",
            "applicant_key",
            "reason",
            "status",
            "applied_at",
            "decided_at",
            "decision_number",
            "decision_reason",
            "effective_on",
        ]


def acting_department(request):
    """The department a provider system or a steward acts for; 403 for anyone else."""
    user = request.user
    if isinstance(user, SystemPrincipal):
        if not user.system.is_provider:
            raise exceptions.PermissionDenied(
                _("Only a provider system of the deciding authority may handle credit repairs.")
            )
        return user.system.department.code, "", user.system.name
    department = steward_department_code(user)
    if department is None:
        raise exceptions.PermissionDenied(
            _("Only a steward of the deciding authority may handle credit repairs.")
        )
    return department, user, ""


def refused(exc):
    return Response({"detail": exc.message, "code": exc.code}, status=exc.status)


class RepairViewSet(viewsets.GenericViewSet):
    """Apply for a repair with the record's authority, read it, and decide it."""

    queryset = RepairApplication.objects.select_related("record")
    serializer_class = RepairSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        department, _user, _system = acting_department(self.request)
        return super().get_queryset().filter(department=department)

    def retrieve(self, request, pk=None):
        return Response(RepairSerializer(self.get_object()).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=RepairSerializer)
    def create(self, request):
        """``{"record", "applicant_name", "applicant_key", "reason"}`` → 201 with the application."""
        department, user, system = acting_department(request)
        body = request.data if isinstance(request.data, dict) else {}
        try:
            record_id = uuid.UUID(str(body.get("record", "")))
        except ValueError:
            raise exceptions.ValidationError({"record": [_("Give the record's id (a UUID).")]}) from None
        record = CreditRecord.objects.filter(record_id=str(record_id)).first()
        if record is None:
            raise exceptions.NotFound(_("No credit record with this id."))
        try:
            application = apply_for_repair(
                record,
                department,
                applicant_name=str(body.get("applicant_name", "")),
                applicant_key=str(body.get("applicant_key", "")),
                reason=str(body.get("reason", "")),
                submitted_by=getattr(user, "username", "") or system,
            )
        except RepairRefused as exc:
            return refused(exc)
        return Response(RepairSerializer(application).data, status=201)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=RepairSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        """``{"approve": bool, "decision_number", "reason", "effective_on"}`` by the record's authority."""
        department, user, system = acting_department(request)
        application = (
            RepairApplication.objects.filter(pk=pk).select_related("record").first()
            if str(pk).isascii() and str(pk).isdigit() and len(str(pk)) < 19  # int('²') fails; bigint bound
            else None
        )
        if application is None:
            raise exceptions.NotFound(_("No repair application with this id."))
        body = request.data if isinstance(request.data, dict) else {}
        approve = body.get("approve")
        if not isinstance(approve, bool):
            raise exceptions.ValidationError({"approve": [_("Give true or false.")]})
        effective = body.get("effective_on")
        if effective not in (None, ""):
            # strict: an impossible date (2026-02-30) or another script's digits is a 400 naming the field
            try:
                effective = dates.parse_date(effective, "effective_on")
            except dates.InvalidDate as exc:
                raise exceptions.ValidationError({"effective_on": [exc.message]}) from None
        try:
            application = decide_repair(
                application,
                department,
                approve=approve,
                decision_number=str(body.get("decision_number", "")),
                reason=str(body.get("reason", "")),
                effective_on=effective or None,
                user=user or None,
                system=system,
            )
        except RepairRefused as exc:
            return refused(exc)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from None
        return Response(RepairSerializer(application).data)
