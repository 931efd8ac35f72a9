from django.urls import path, re_path

from . import views

app_name = "progress"

urlpatterns = [
    path("", views.province, name="province"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("libraries/<slug:code>/", views.library, name="library"),
    path("departments/<slug:code>/", views.department, name="department"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.export, name="export"),
    path("report/", views.report, name="report"),
]
