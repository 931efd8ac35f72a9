from rest_framework import serializers

from hub.catalogue.models import DataItem, Dataset, Department, PartitionSource


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "level", "division_code"]


class DataItemSerializer(serializers.ModelSerializer):
    source_department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = DataItem
        fields = [
            "code",
            "field",
            "name",
            "standard",
            "source_department",
            "sharing_type",
            "sensitivity",
            "masking",
            "update_cycle",
            "required",
            "is_key",
        ]


class PartitionSerializer(serializers.ModelSerializer):
    source_department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PartitionSource
        fields = ["value", "name", "source_department"]


class DatasetSerializer(serializers.ModelSerializer):
    library = serializers.SlugRelatedField(slug_field="code", read_only=True)
    items = DataItemSerializer(many=True, read_only=True)
    partitions = PartitionSerializer(many=True, read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "code",
            "name",
            "library",
            "natural_key",
            "partition_field",
            "update_cycle",
            "items",
            "partitions",
        ]
