from django.urls import path

from .dossier import SubjectDossierViewSet

urlpatterns = [
    path("<str:key>/", SubjectDossierViewSet.as_view({"get": "retrieve"}), name="subject-dossier"),
]
