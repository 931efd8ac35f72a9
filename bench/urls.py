"""The hub's URLs plus ``/bare/persons/<id>/``: a plain DRF RetrieveAPIView, no governance."""

from django.urls import include, path
from rest_framework import generics, permissions, serializers

from population.models import Person


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


urlpatterns = [
    path("bare/persons/<str:id_number>/", BarePersonView.as_view()),
    path("", include("hub.urls")),
]
