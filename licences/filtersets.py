import django_filters
from django.db.models import Q

from hub.records.filters import GovernedFilterSet

from .choices import LicenceStatus
from .models import Licence


class LicenceFilterSet(GovernedFilterSet):
    """Search filters; the governed viewset admits each only if its item is granted in search mode.

    ``status`` filters the derived status (``expired`` included), so it needs
    the queryset annotated by ``with_current_status()``, and reads the term's
    end too. ``valid_on`` (a day the licence was within its term) reads both
    ends of the term.
    """

    reads = {"status": ("status", "valid_to"), "valid_on": ("valid_from", "valid_to")}

    licence_type = django_filters.CharFilter(field_name="licence_type")
    status = django_filters.ChoiceFilter(
        field_name="status", choices=LicenceStatus.choices, method="by_status"
    )
    issue_date_after = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issue_date_before = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")
    valid_from_after = django_filters.DateFilter(field_name="valid_from", lookup_expr="gte")
    valid_from_before = django_filters.DateFilter(field_name="valid_from", lookup_expr="lte")
    valid_to_after = django_filters.DateFilter(field_name="valid_to", lookup_expr="gte")
    valid_to_before = django_filters.DateFilter(field_name="valid_to", lookup_expr="lte")
    valid_on = django_filters.DateFilter(field_name="valid_to", method="by_valid_on")
    division_prefix = django_filters.CharFilter(field_name="division_code", lookup_expr="startswith")

    class Meta:
        model = Licence
        fields = [
            "identifier",
            "number",
            "holder_kind",
            "holder_key",
            "holder_name",
            "issuing_authority",
            "issuer_code",
            "issue_date",
            "division_code",
        ]

    def by_status(self, queryset, name, value):
        if "current_status" not in queryset.query.annotations:
            queryset = queryset.with_current_status()
        return queryset.filter(current_status=value)

    def by_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=value)
        )
