from django.urls import path

from . import bulletins

app_name = "quality"
urlpatterns = [
    path("bulletin/", bulletins.province, name="bulletin"),
    path("bulletin/<slug:code>/", bulletins.department, name="bulletin-department"),
]
