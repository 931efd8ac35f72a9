from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import services, usage
from .choices import DecisionStatus
from .models import AccessRequest, AccessRequestItem, ApiKey, AuditEntry, ConsumerSystem, Grant


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ["prefix", "name", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "name", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConsumerSystem)
class ConsumerSystemAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "is_consumer", "is_provider", "active"]
    list_filter = ["department", "is_consumer", "is_provider", "active"]
    search_fields = ["name"]
    inlines = [ApiKeyInline]
    actions = ["issue_key"]

    @admin.action(description=gettext_lazy("Issue a new API key (shown once)"))
    def issue_key(self, request, queryset):
        for system in queryset:
            _key, raw = ApiKey.issue(system, name=f"admin:{request.user}")
            self.message_user(
                request,
                _("New key for %(system)s (copy it now, it is not shown again): %(key)s")
                % {"system": system.name, "key": raw},
                messages.WARNING,
            )


class RequestItemInline(admin.TabularInline):
    model = AccessRequestItem
    extra = 0
    fields = ["item", "mode", "masked", "status", "reason", "decided_by", "decided_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "system", "purpose", "created_at"]
    list_filter = ["system"]
    inlines = [RequestItemInline]
    readonly_fields = ["system", "purpose", "legal_basis", "expires_at", "require_purpose_header"]


@admin.register(AccessRequestItem)
class DecisionQueueAdmin(SimpleHistoryAdmin):
    """A steward's queue: requested items their department decides on."""

    list_display = ["request", "item", "mode", "masked", "status", "reason", "decided_at"]
    list_filter = ["status", "mode"]
    readonly_fields = ["request", "item", "mode", "masked", "status", "decided_by", "decided_at"]
    fields = readonly_fields + ["reason"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("item__dataset__library", "request__system")
        department = services.steward_department(request.user)
        if request.user.is_superuser and department is None:
            return queryset
        if department is None:
            return queryset.none()
        from django.db.models import Q

        return queryset.filter(
            Q(item__source_department=department)
            | Q(item__source_department__isnull=True, item__dataset__library__lead_department=department)
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, approve):
        done = 0
        for entry in queryset.filter(status=DecisionStatus.PENDING):
            try:
                services.decide(
                    entry,
                    request.user,
                    approve=approve,
                    reason=entry.reason or ("" if approve else _("Refused by the source department")),
                )
                done += 1
            except services.AccessError as error:
                self.message_user(request, str(error), messages.ERROR)
        self.message_user(request, _("%(n)d item(s) decided.") % {"n": done})

    @admin.action(description=gettext_lazy("Approve selected items"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("Refuse selected items"))
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(Grant)
class GrantAdmin(SimpleHistoryAdmin):
    list_display = ["system", "item", "mode", "masked", "expires_at", "revoked_at"]
    list_filter = ["mode", "masked", "system"]
    search_fields = ["item__code", "system__name"]
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("Revoke selected grants"))
    def revoke(self, request, queryset):
        for grant in queryset.filter(revoked_at__isnull=True):
            services.revoke(grant, reason=_("Revoked in the admin by %(user)s") % {"user": request.user})


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "system", "user", "method", "endpoint", "dataset", "mode", "status", "result_count"]
    list_filter = ["dataset", "mode", "status", "system"]
    search_fields = ["endpoint", "purpose", "request_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("usage/", self.admin_site.admin_view(self.usage_view), name="access_auditentry_usage"),
            *super().get_urls(),
        ]

    def usage_view(self, request):
        """Usage statistics page for operators (the same figures as /api/v1/access/usage/)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = min(max(int(request.GET.get("days", 30)), 1), 366)
        except ValueError:
            days = 30
        since = usage.window(days)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Usage statistics"),
            "opts": self.model._meta,
            "days": days,
            "by_day": usage.calls_by_day(since),
            "by_item": usage.calls_by_item(since),
            "by_department": usage.calls_by_department(since),
            "subject": request.GET.get("subject", "").strip()[:64],
        }
        if context["subject"]:
            context["subject_calls"] = usage.subject_calls(context["subject"])[:500]
        return TemplateResponse(request, "admin/access/usage.html", context)
