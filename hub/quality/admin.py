"""Quality in the admin: operators tune rules; stewards work their department's issue queue."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .choices import PENDING_STATUSES
from .exports import ISSUE_HEADER, download, issue_rows
from .models import IssueEvent, QualityIssue, QualityRule, RuleResult, Scan
from .workflow import ACTIONS, bulk_transition, is_operator


@admin.register(QualityRule)
class QualityRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "dataset",
        "item",
        "kind",
        "dimension",
        "severity",
        "deadline_days",
        "active",
        "shipped",
    ]
    list_filter = ["dataset", "kind", "dimension", "severity", "active", "shipped"]
    list_editable = ["severity", "active"]
    search_fields = ["code", "description"]
    readonly_fields = ["shipped"]
    autocomplete_fields = []

    def has_change_permission(self, request, obj=None):
        return is_operator(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return is_operator(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user) and super().has_delete_permission(request, obj)


class RuleResultInline(admin.TabularInline):
    model = RuleResult
    fields = ["rule", "department", "dimension", "weight", "checked", "failed", "examples"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = [
        "dataset",
        "trigger",
        "full",
        "status",
        "started_at",
        "finished_at",
        "rows",
        "opened",
        "resolved",
    ]
    list_filter = ["dataset", "trigger", "full", "status"]
    readonly_fields = [f.name for f in Scan._meta.fields]
    inlines = [RuleResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = {"status__in": PENDING_STATUSES, "due_at__lt": timezone.now()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    fields = ["at", "from_status", "to_status", "user", "system", "scan", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class IssueActionForm(ActionForm):
    note = forms.CharField(label=_("Reason / note"), required=False, max_length=2000)


def _workflow_action(name):
    action = ACTIONS[name]

    def run(modeladmin, request, queryset):
        note = request.POST.get("note", "")
        done, skipped = bulk_transition(queryset, name, user=request.user, note=note)
        modeladmin.message_user(
            request,
            _("%(action)s: %(done)d issues done, %(skipped)d skipped (wrong status, no reason or not yours).")
            % {"action": action.label, "done": done, "skipped": skipped},
            messages.SUCCESS if done else messages.WARNING,
        )

    run.__name__ = f"do_{name}"
    run.short_description = action.label
    run.allowed_permissions = ("change",)
    return run


@admin.register(QualityIssue)
class QualityIssueAdmin(admin.ModelAdmin):
    """A steward's queue: their department's issues only, worked with bulk actions."""

    list_display = [
        "id",
        "dataset",
        "item",
        "record_key",
        "rule",
        "department",
        "status",
        "severity",
        "due_at",
        "is_overdue",
    ]
    list_filter = ["status", OverdueFilter, "dimension", "severity", "origin", "dataset", "department"]
    search_fields = ["=record_key", "rule__code", "detail"]
    list_select_related = ["dataset", "item", "rule", "department"]
    show_full_result_count = False
    action_form = IssueActionForm
    actions = [_workflow_action(name) for name in ACTIONS] + ["export_csv", "export_xlsx"]
    inlines = [IssueEventInline]
    readonly_fields = [f.name for f in QualityIssue._meta.fields]

    @admin.display(boolean=True, description=_("overdue"))
    def is_overdue(self, obj):
        return obj.overdue

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return download("quality-issues", [("issues", ISSUE_HEADER, issue_rows(queryset))], "csv")

    @admin.action(description=_("Export selected as XLSX"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return download("quality-issues", [("issues", ISSUE_HEADER, issue_rows(queryset))], "xlsx")
