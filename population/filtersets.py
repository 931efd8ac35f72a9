import django_filters

from hub.records.filters import GovernedFilterSet

from .models import Person


class PersonFilterSet(GovernedFilterSet):
    """Search filters; the governed viewset admits each only if its item is granted in search mode."""

    birth_date_after = django_filters.DateFilter(field_name="birth_date", lookup_expr="gte")
    birth_date_before = django_filters.DateFilter(field_name="birth_date", lookup_expr="lte")
    household_division_prefix = django_filters.CharFilter(
        field_name="household_division", lookup_expr="startswith"
    )

    class Meta:
        model = Person
        fields = [
            "id_number",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "household_division",
            "marital_status",
            "education_level",
            "social_insurance_status",
        ]
