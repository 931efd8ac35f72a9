from django.db.models import Prefetch
from rest_framework import viewsets

from hub.catalogue.models import DataItem, Dataset, Department, PartitionSource

from .serializers import DatasetSerializer, DepartmentSerializer


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments: the sources of the data items."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    lookup_field = "code"


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    """Datasets with their items, sources and sharing terms."""

    queryset = Dataset.objects.select_related("library").prefetch_related(
        Prefetch("items", DataItem.objects.select_related("source_department")),
        Prefetch("partitions", PartitionSource.objects.select_related("source_department")),
    )
    serializer_class = DatasetSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9_.]+"
    pagination_class = None
