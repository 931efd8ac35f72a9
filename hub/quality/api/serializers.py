from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hub.access.choices import Mode
from hub.access.scope import resolve
from hub.catalogue import spec as catalogue

from ..models import QualityIssue


class FeedbackSerializer(serializers.Serializer):
    dataset = serializers.CharField(max_length=64, help_text=_("Dataset code, e.g. population.person."))
    key = serializers.CharField(max_length=128, help_text=_("Natural key of the record."))
    item = serializers.CharField(
        max_length=128, help_text=_("Item code or field, e.g. population.person.name.")
    )
    message = serializers.CharField(max_length=2000, help_text=_("What looks wrong, and why."))


class FeedbackReceiptSerializer(serializers.Serializer):
    """What the reporter learns: its report was received, on which value (not the issue it joined)."""

    dataset = serializers.CharField()
    item = serializers.CharField()
    record_key = serializers.CharField()
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=["received"])


class IssueSerializer(serializers.ModelSerializer):
    dataset = serializers.CharField(source="dataset.code")
    item = serializers.CharField(source="item.code", default=None)
    rule = serializers.CharField(source="rule.code", default=None)
    department = serializers.CharField(source="department.code", allow_null=True)
    overdue = serializers.BooleanField()

    class Meta:
        model = QualityIssue
        fields = [
            "id",
            "dataset",
            "item",
            "record_key",
            "rule",
            "department",
            "origin",
            "dimension",
            "severity",
            "status",
            "detail",
            "opened_at",
            "due_at",
            "overdue",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields


class ScoreSerializer(serializers.Serializer):
    department = serializers.CharField(allow_null=True)
    dataset = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))
    items = serializers.DictField(child=serializers.FloatField(allow_null=True))
    trend = serializers.ListField(child=serializers.DictField())
    issues = serializers.DictField(child=serializers.IntegerField())


class SystemIssueSerializer(IssueSerializer):
    """An issue as the system that reported it sees it.

    In a partitioned dataset the department an issue went to is the
    partition's source (a credit record's deciding authority), so it is shown
    only to a system that may see the partition item itself.
    """

    def to_representation(self, issue):
        data = super().to_representation(issue)
        shows = self.context["shows_department"]
        if issue.dataset.code not in shows:
            try:
                spec = catalogue.get(issue.dataset.code)
            except catalogue.UnknownDataset:
                spec = None
            partition = spec.partition_field if spec else ""
            shows[issue.dataset.code] = not partition or resolve(self.context["request"], spec).usable(
                partition, Mode.LOOKUP
            )
        if not shows[issue.dataset.code]:
            data["department"] = None
        return data
