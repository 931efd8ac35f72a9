"""The subject dossier (一证通办): a person or entity, its licences and its credit summary, in one call.

Each section is computed under the caller's own scope on that section's
dataset (lookup mode), masked as its grants say, and left out when the
caller holds no lookup grant there. One audit row per call lists every item
returned, across sections.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from hub.access.choices import Mode
from hub.access.scope import resolve
from hub.api.exceptions import NoGrant
from hub.catalogue import spec as catalogue
from hub.records.masking import mask
from hub.records.serializers import serializer_for
from hub.records.views import GovernedViewSet
from population.validators import validate_id_number

from ..choices import SubjectType
from ..models import CreditSummary, LegalEntity
from ..summary import summarize
from ..validators import normalize_uscc, validate_uscc

DOSSIER = "subjects"  # the audit row's dataset label for a dossier call


def licence_search_reads():
    """The licence items a holder's list reads, or () when the licences library is not installed."""
    try:
        from licences.api.views import HOLDER_LIST_READS
    except ImportError:
        return ()
    return HOLDER_LIST_READS


def licence_rows(holder_key):
    """The holder's valid licences from the licences library, or None when it is not installed."""
    try:
        from licences.lookup import valid_licences
    except ImportError:
        return None
    return valid_licences(holder_key)


def classify(key):
    """``(subject_type, normalised key)`` for a citizen ID number or a USCC; 400 naming both rules."""
    number = str(key).strip().upper()
    try:
        validate_id_number(number)
        return SubjectType.PERSON, number
    except DjangoValidationError as person_error:
        code = normalize_uscc(key)
        try:
            validate_uscc(code)
            return SubjectType.ENTITY, code
        except DjangoValidationError as entity_error:
            raise exceptions.ValidationError(
                {
                    "key": [
                        _("Not a citizen ID number (%(p)s) nor a unified social credit code (%(e)s).")
                        % {"p": " ".join(person_error.messages), "e": " ".join(entity_error.messages)}
                    ]
                }
            ) from None


class SubjectDossierViewSet(GovernedViewSet):
    """``GET /api/v1/subjects/{id_number or uscc}/``."""

    queryset = CreditSummary.objects.all()  # only for the framework; each section has its own scope

    def initial(self, request, *args, **kwargs):
        self.audit.dataset = DOSSIER
        self.audit.mode = Mode.LOOKUP.api_name
        super(GovernedViewSet, self).initial(request, *args, **kwargs)

    def section_scope(self, dataset_code, mode=Mode.LOOKUP):
        """The caller's scope on a section's dataset, or None when it holds nothing there at ``mode``."""
        try:
            dataset = catalogue.get(dataset_code)
        except catalogue.UnknownDataset:
            return None, None
        scope = resolve(self.request, dataset)
        if scope.purpose_missing:
            self.purpose_missing = True
        return dataset, (scope if scope.has(mode) else None)

    def record_section(self, dataset_code, model, key):
        """The subject's own record, as ``GET /{dataset}/{key}/`` would show it (lookup mode)."""
        dataset, scope = self.section_scope(dataset_code)
        if scope is None:
            return None, []
        fields = scope.fields(Mode.LOOKUP)
        instance = model.objects.filter(**{dataset.natural_key: key}).first()
        if instance is None:
            return {}, []
        serializer = serializer_for(model)(
            instance, context={"request": self.request, "fields": fields, "masks": scope.masks(Mode.LOOKUP)}
        )
        return serializer.data, [dataset.by_field[f].code for f in fields]

    def licence_section(self, key):
        """The holder's valid licences, as ``GET /licences/licences/holders/{key}/`` would list them.

        Listing a holder's licences is a search by holder and validity: it
        needs, in search mode and unmasked, every item that list reads
        (``licence_search_reads``); without them the section is left out, so
        the dossier does not tell whether the subject holds any licence.
        """
        dataset, scope = self.section_scope("licences.licence", Mode.SEARCH)
        if scope is None:
            return None, []
        if not all(scope.usable(field, Mode.SEARCH) for field in licence_search_reads()):
            return None, []
        rows = licence_rows(key)
        if rows is None:
            return None, []
        fields = scope.fields(Mode.SEARCH)
        masks = scope.masks(Mode.SEARCH)
        section = []
        for row in rows:
            entry = {}
            for name in fields:
                if name in row:
                    value = row[name]
                    value = value.isoformat() if hasattr(value, "isoformat") else value
                    entry[name] = mask(masks[name], value) if name in masks else value
                if name == "licence_type" and name not in masks and "licence_type_name" in row:
                    entry["licence_type_name"] = row["licence_type_name"]
            section.append(entry)
        return section, [dataset.by_field[f].code for f in fields]

    def credit_section(self, subject_type, key):
        """The credit summary, as ``GET /credit/…/{key}/summary/`` gives it (lookup on credit.summary)."""
        dataset, scope = self.section_scope("credit.summary")
        if scope is None:
            return None, []
        return summarize(key, subject_type), [dataset.by_field["subject_key"].code]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, key=None):
        """The dossier: every section the caller's lookup grants reach."""
        subject_type, key = classify(key)
        self.audit.subject_keys = [key]
        if subject_type == SubjectType.PERSON:
            from population.models import Person

            identity_name, identity = "person", self.record_section("population.person", Person, key)
        else:
            identity_name, identity = "entity", self.record_section("credit.legal_entity", LegalEntity, key)
        licences = self.licence_section(key)
        credit = self.credit_section(subject_type, key)
        sections = {identity_name: identity, "licences": licences, "credit": credit}
        granted = {name: value for name, value in sections.items() if value[0] is not None}
        if not granted:
            detail = _("No lookup grant on any section of the subject dossier.")
            if getattr(self, "purpose_missing", False):
                detail += " " + _("Some of your grants require an X-Purpose header naming the matter.")
            raise NoGrant(DOSSIER, "lookup", detail)
        # Whether the subject is known is judged from the sections the caller sees, and from
        # nothing else: a record in a dataset it holds no grant on must not turn a 404 into a 200.
        # A credit summary is an answer for any key (no public record is an answer too).
        known = bool(identity[0]) or bool(licences[0]) or credit[0] is not None
        if not known:
            raise exceptions.NotFound(_("No subject with this key."))
        body = {"subject": key, "subject_type": subject_type, "sections": list(granted)}
        items = []
        for name, (value, codes) in granted.items():
            body[name] = value if value != {} else None
            items.extend(codes)
        self.audit.items = items
        self.audit.result_count = 1
        return Response(body)
