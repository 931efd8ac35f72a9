from django.urls import path
from rest_framework.routers import SimpleRouter

from .repairs import RepairViewSet
from .views import CreditRecordViewSet, CreditSummaryViewSet, LegalEntityViewSet

router = SimpleRouter()
router.register("entities", LegalEntityViewSet, basename="legal-entity")
router.register("records", CreditRecordViewSet, basename="credit-record")
router.register("repairs", RepairViewSet, basename="credit-repair")

urlpatterns = [
    path(
        "entities/<str:key>/summary/",
        CreditSummaryViewSet.as_view({"get": "entity"}),
        name="legal-entity-summary",
    ),
    path(
        "persons/<str:key>/summary/",
        CreditSummaryViewSet.as_view({"get": "person"}),
        name="person-credit-summary",
    ),
    *router.urls,
]
