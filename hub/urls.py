from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import health

admin.site.site_header = admin.site.site_title = "江苏省基础数据库"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("hub.api.urls")),
    path("dashboard/", include("hub.progress.urls")),
    path("quality/", include("hub.quality.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
