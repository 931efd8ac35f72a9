from hub.records.views import GovernedViewSet
from population.filtersets import PersonFilterSet
from population.models import Person


class PersonViewSet(GovernedViewSet):
    """Persons by citizen ID number."""

    queryset = Person.objects.all()
    filterset_class = PersonFilterSet
    search_fields = ("name", "household_address", "residence_address")
