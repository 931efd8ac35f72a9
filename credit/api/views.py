from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from hub.access.choices import Mode
from hub.records.views import GovernedViewSet, parse_as_of
from population.validators import validate_id_number

from ..choices import SubjectType
from ..filtersets import CreditRecordFilterSet, LegalEntityFilterSet
from ..models import CreditRecord, CreditSummary, LegalEntity
from ..summary import summarize
from ..validators import normalize_uscc, validate_uscc


class LegalEntityViewSet(GovernedViewSet):
    """Legal entities by unified social credit code."""

    queryset = LegalEntity.objects.all()
    filterset_class = LegalEntityFilterSet
    search_fields = ("name", "registered_address")


class CreditRecordViewSet(GovernedViewSet):
    """Credit records by record id."""

    queryset = CreditRecord.objects.all()
    filterset_class = CreditRecordFilterSet
    search_fields = ("subject_name", "content", "list_name")


class CreditSummaryViewSet(GovernedViewSet):
    """The credit summary of an entity or a person; needs a lookup grant on ``credit.summary``."""

    queryset = CreditSummary.objects.all()

    def _clean_subject(self, subject_type, key):
        if subject_type == SubjectType.ENTITY:
            key, validator, name = normalize_uscc(key), validate_uscc, "uscc"
        else:
            key, validator, name = str(key).strip().upper(), validate_id_number, "id_number"
        try:
            validator(key)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({name: exc.messages}) from None
        return key

    def _summary(self, request, subject_type, key):
        self.require(Mode.LOOKUP)
        key = self._clean_subject(subject_type, key)
        self.audit.subject_keys = [key]
        raw = request.query_params.get("as_of")
        when = parse_as_of(raw) if raw else None
        # The summary answers for any well-formed key, with zero counts where no record is public:
        # a 404 for "no record at all" would tell a summary-only caller whether the subject exists
        # in other datasets, or has records that are no longer public.
        self.audit.items = [self.dataset.by_field["subject_key"].code]
        self.audit.result_count = 1
        return Response(summarize(key, subject_type, when))

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATETIME, description="The summary as it was then.")
        ],
    )
    def entity(self, request, key=None):
        """Credit summary of a legal entity."""
        return self._summary(request, SubjectType.ENTITY, key)

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATETIME, description="The summary as it was then.")
        ],
    )
    def person(self, request, key=None):
        """Credit summary of a natural person."""
        return self._summary(request, SubjectType.PERSON, key)
