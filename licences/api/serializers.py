from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.records.serializers import serializer_for

from ..models import Licence, LicenceType
from ..reference import region_name

_GovernedLicence = serializer_for(Licence)


class LicenceSerializer(_GovernedLicence):
    """The governed licence serializer, with ``status`` the derived status (``expired`` included)."""

    status = serializers.CharField(source="current_status", read_only=True)

    class Meta(_GovernedLicence.Meta):
        pass

    def to_representation(self, instance):
        """As governed; a masked ``surface_data`` shows each surface item masked by its type's own rule."""
        data = super().to_representation(instance)
        if "surface_data" in data and "surface_data" in self.context.get("masks", {}):
            masked = instance.type.mask_surface(instance.surface_data)
            if self.context.get("provenance"):
                data["surface_data"]["value"] = masked
            else:
                data["surface_data"] = masked
        return data


class LicenceTypeSerializer(serializers.ModelSerializer):
    """A licence type as reference data, with its issuing department and recognition across the Delta."""

    issuing_department = serializers.CharField(read_only=True)
    recognized_in = serializers.SerializerMethodField()
    yrd_recognized = serializers.SerializerMethodField()

    class Meta:
        model = LicenceType
        fields = [
            "code",
            "slug",
            "name",
            "defining_department",
            "issuing_department",
            "holder_kind",
            "validity_policy",
            "term_years",
            "surface_items",
            "recognized_in",
            "yrd_recognized",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"region": {"type": "string"}, "name": {"type": "string"}},
            },
        }
    )
    def get_recognized_in(self, obj) -> list:
        return [{"region": code, "name": region_name(code)} for code in obj.recognized_in]

    def get_yrd_recognized(self, obj) -> bool:
        return bool(obj.recognized_in)
