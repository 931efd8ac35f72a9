from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import LicenceTypeViewSet, LicenceViewSet, signing_key

router = SimpleRouter()
router.register("licences", LicenceViewSet, basename="licence")
router.register("types", LicenceTypeViewSet, basename="licence-type")
urlpatterns = [path("signing-key/", signing_key, name="licence-signing-key"), *router.urls]
