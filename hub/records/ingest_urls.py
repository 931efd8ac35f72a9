from django.urls import path

from .ingest_views import IngestBatchView, IngestView

urlpatterns = [
    path("batches/<uuid:batch>/", IngestBatchView.as_view(), name="ingest-batch"),
    path("<str:dataset>/", IngestView.as_view(), name="ingest"),
]
