from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from hub.catalogue.choices import SOURCE_APPROVAL_SENSITIVITY, SelfServiceMode, SharingType
from hub.catalogue.models import DataItem, Dataset, Department, PartitionSource

SELF_SERVICE = inline_serializer(
    "SelfService",
    {
        "mode": serializers.ChoiceField(
            choices=["verify", "lookup", "search"], allow_null=True, help_text="highest mode granted at once"
        ),
        "unmasked_needs_approval": serializers.BooleanField(),
        "max_grant_days": serializers.IntegerField(),
    },
)


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
            "self_service",
        ]

    self_service = serializers.SerializerMethodField()

    @extend_schema_field(SELF_SERVICE)
    def get_self_service(self, item):
        """What an application gets at once, the sensitivity rule applied (see docs/api.md, Access)."""
        mode = SelfServiceMode(item.self_service_mode)
        unmasked = item.unmasked_needs_approval
        if item.sharing_type != SharingType.UNCONDITIONAL:
            mode = SelfServiceMode.NONE
        if item.sensitivity >= SOURCE_APPROVAL_SENSITIVITY:
            mode = min(mode, SelfServiceMode.LOOKUP)
            unmasked = True
        return {
            "mode": mode.name.lower() if mode else None,
            "unmasked_needs_approval": unmasked,
            "max_grant_days": item.max_grant_days,
        }


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
