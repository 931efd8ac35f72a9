"""Search filters; the governed viewset admits each only if its item is granted in search mode."""

import django_filters

from hub.records.filters import GovernedFilterSet

from .models import Address, Division, Parcel, PlaceName, ResourceUnit, significant_prefix


class WithinDivisionFilter(django_filters.CharFilter):
    """Records in a division or any division under it (3201 prefix for 320100)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__startswith": significant_prefix(value.strip())})


class DivisionFilterSet(GovernedFilterSet):
    current = django_filters.BooleanFilter(field_name="valid_until", lookup_expr="isnull")
    within = WithinDivisionFilter(field_name="code")

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent_code"]


class AddressFilterSet(GovernedFilterSet):
    division = WithinDivisionFilter(field_name="division_code")

    class Meta:
        model = Address
        fields = ["address_code", "full_address", "division_code"]


class PlaceNameFilterSet(GovernedFilterSet):
    division = WithinDivisionFilter(field_name="division_code")

    class Meta:
        model = PlaceName
        fields = ["place_code", "name", "category", "division_code"]


class ParcelFilterSet(GovernedFilterSet):
    county = WithinDivisionFilter(field_name="unit_number")
    area_min = django_filters.NumberFilter(field_name="area", lookup_expr="gte")
    area_max = django_filters.NumberFilter(field_name="area", lookup_expr="lte")

    class Meta:
        model = Parcel
        fields = ["unit_number", "land_use_class", "land_use", "ownership", "right_type"]


class ResourceUnitFilterSet(GovernedFilterSet):
    division = WithinDivisionFilter(field_name="division_code")

    class Meta:
        model = ResourceUnit
        fields = ["unit_code", "name", "resource_type", "division_code"]
