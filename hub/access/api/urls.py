from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AccessRequestViewSet, MeView, SubjectUsageView, UsageView

router = SimpleRouter()
router.register("requests", AccessRequestViewSet, basename="access-request")
urlpatterns = [
    path("me/", MeView.as_view(), name="access-me"),
    path("usage/", UsageView.as_view(), name="access-usage"),
    path("usage/subjects/<str:key>/", SubjectUsageView.as_view(), name="access-subject-usage"),
    *router.urls,
]
