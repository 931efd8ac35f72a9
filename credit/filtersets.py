import django_filters

from hub.records.filters import GovernedFilterSet

from .models import CreditRecord, LegalEntity


class LegalEntityFilterSet(GovernedFilterSet):
    """Search filters; the governed viewset admits each only if its item is granted in search mode."""

    established_after = django_filters.DateFilter(field_name="established_date", lookup_expr="gte")
    established_before = django_filters.DateFilter(field_name="established_date", lookup_expr="lte")
    registered_division_prefix = django_filters.CharFilter(
        field_name="registered_division", lookup_expr="startswith"
    )

    class Meta:
        model = LegalEntity
        fields = [
            "uscc",
            "name",
            "entity_type",
            "registration_authority",
            "legal_representative",
            "legal_representative_id_number",
            "registered_division",
            "established_date",
            "status",
            "industry",
        ]


class CreditRecordFilterSet(GovernedFilterSet):
    decided_after = django_filters.DateFilter(field_name="decision_date", lookup_expr="gte")
    decided_before = django_filters.DateFilter(field_name="decision_date", lookup_expr="lte")
    listed_after = django_filters.DateFilter(field_name="listed_from", lookup_expr="gte")
    listed_before = django_filters.DateFilter(field_name="listed_from", lookup_expr="lte")

    class Meta:
        model = CreditRecord
        fields = [
            "record_id",
            "kind",
            "subject_type",
            "subject_key",
            "subject_name",
            "deciding_department",
            "authority_code",
            "decision_number",
            "severity",
            "decision_date",
            "case_number",
            "performance_status",
            "list_name",
            "list_year",
            "withdrawal_reason",
        ]
