"""The hub's URLs plus two plain DRF endpoints over ``population_person``, no governance.

- ``/bare/persons/<id>/``: a ``RetrieveAPIView`` (compared with the governed lookup);
- ``/bare/persons/``: a ``ListAPIView`` with DRF's own ``CursorPagination`` ordered by
  :data:`SEARCH_ORDERING` (compared with the governed search ``?ordering=name``, whose
  keyset pagination ends every ordering with the internal id).
"""

from django.urls import include, path
from rest_framework import generics, pagination, permissions, serializers

from population.models import Person

# The governed search is asked for ``?ordering=name`` and pages by (name, id); the bare list the same.
SEARCH_ORDERING = ("name", "id")


class BarePersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id_number", "name", "gender", "birth_date", "household_division", "household_address"]


class BarePersonView(generics.RetrieveAPIView):
    queryset = Person.objects.all()
    serializer_class = BarePersonSerializer
    lookup_field = "id_number"
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


class BareCursorPagination(pagination.CursorPagination):
    ordering = SEARCH_ORDERING
    page_size_query_param = "page_size"
    max_page_size = 1000


class BarePersonListView(generics.ListAPIView):
    queryset = Person.objects.all()
    serializer_class = BarePersonSerializer
    pagination_class = BareCursorPagination
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []
    filter_backends = []


urlpatterns = [
    path("bare/persons/", BarePersonListView.as_view()),
    path("bare/persons/<str:id_number>/", BarePersonView.as_view()),
    path("", include("hub.urls")),
]
