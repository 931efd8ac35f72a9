from rest_framework.routers import SimpleRouter

from .views import DatasetViewSet, DepartmentViewSet

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("datasets", DatasetViewSet, basename="dataset")
urlpatterns = router.urls
