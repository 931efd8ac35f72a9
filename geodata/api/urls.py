from rest_framework.routers import SimpleRouter

from .views import AddressViewSet, DivisionViewSet, ParcelViewSet, PlaceNameViewSet, ResourceUnitViewSet

router = SimpleRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("addresses", AddressViewSet, basename="address")
router.register("place-names", PlaceNameViewSet, basename="place-name")
router.register("parcels", ParcelViewSet, basename="parcel")
router.register("resource-units", ResourceUnitViewSet, basename="resource-unit")
urlpatterns = router.urls
