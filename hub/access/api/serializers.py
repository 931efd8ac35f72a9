from rest_framework import serializers

from hub.access.choices import Mode
from hub.access.models import AccessRequest, AccessRequestItem, Grant


class ModeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[m.api_name for m in Mode], **kwargs)

    def to_representation(self, value):
        return Mode(value).api_name


class GrantSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mode = ModeField(read_only=True)

    class Meta:
        model = Grant
        fields = ["item", "mode", "masked", "expires_at", "purpose", "require_purpose_header"]


class RequestedItemSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mode = ModeField(read_only=True)

    class Meta:
        model = AccessRequestItem
        fields = ["item", "mode", "masked", "status", "reason", "decided_at"]


class AccessRequestSerializer(serializers.ModelSerializer):
    items = RequestedItemSerializer(source="entries", many=True, read_only=True)
    status = serializers.CharField(read_only=True)
    system = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "system",
            "purpose",
            "legal_basis",
            "expires_at",
            "require_purpose_header",
            "status",
            "created_at",
            "items",
        ]


class ItemApplicationSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=128)
    mode = ModeField()
    masked = serializers.BooleanField(default=False)


class AccessRequestCreateSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=200)
    legal_basis = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    require_purpose_header = serializers.BooleanField(required=False, default=False)
    items = ItemApplicationSerializer(many=True, allow_empty=False, max_length=500)


class DecisionSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=128)
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
