from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("catalogue/", include("hub.catalogue.api.urls")),
    path("access/", include("hub.access.api.urls")),
    path("population/", include("population.api.urls")),
    path("licences/", include("licences.api.urls")),
    path("credit/", include("credit.api.urls")),
    path("geodata/", include("geodata.api.urls")),
    path("subjects/", include("credit.api.subject_urls")),
    path("ingest/", include("hub.records.ingest_urls")),
    path("quality/", include("hub.quality.api.urls")),
    path("progress/", include("hub.progress.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
