from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from hub.catalogue.models import DataItem

from . import roles, services, usage
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


class OperatorOnlyAdmin:
    """Systems and their keys are the hub operators' to keep; model permissions alone do not do."""

    def has_module_permission(self, request):
        return roles.is_operator(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return roles.is_operator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return roles.is_operator(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return roles.is_operator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return roles.is_operator(request.user) and super().has_delete_permission(request, obj)


@admin.register(ConsumerSystem)
class ConsumerSystemAdmin(OperatorOnlyAdmin, SimpleHistoryAdmin):
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

    def get_queryset(self, request):
        """An operator every request; a steward those with its department's items; others none."""
        queryset = super().get_queryset(request)
        if roles.is_operator(request.user):
            return queryset
        department = roles.steward_department(request.user)
        return queryset.none() if department is None else roles.requests_of(department, queryset)

    def get_inline_instances(self, request, obj=None):
        # A steward's view of a request lists only its own department's items.
        return [] if not roles.is_operator(request.user) else super().get_inline_instances(request, obj)


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
        department = roles.steward_department(request.user)
        if department is None:
            return queryset if roles.is_operator(request.user) else queryset.none()
        # The queue holds what the department decides on (see services.deciding_department).
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

    def get_queryset(self, request):
        """An operator every grant; a steward the grants of its department's items; others none."""
        queryset = super().get_queryset(request)
        if roles.is_operator(request.user):
            return queryset
        department = roles.steward_department(request.user)
        if department is None:
            return queryset.none()
        return queryset.filter(item__in=DataItem.objects.filter(roles.department_items_q(department)))

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

    def has_view_permission(self, request, obj=None):
        # Operators and stewards only: the joint meeting sees the dashboard, not audit rows.
        user = request.user
        allowed = roles.is_operator(user) or roles.steward_department(user) is not None
        return allowed and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        return usage.visible_rows(request.user)

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
        rows = usage.visible_rows(request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Usage statistics"),
            "opts": self.model._meta,
            "days": days,
            "by_day": usage.calls_by_day(since, rows=rows),
            "by_item": usage.calls_by_item(since, items=usage.visible_items(request.user)),
            "by_department": usage.calls_by_department(since, rows=rows),
            "subject": request.GET.get("subject", "").strip()[:64],
        }
        if context["subject"]:
            context["subject_calls"] = usage.subject_calls(context["subject"], rows=rows)[:500]
        return TemplateResponse(request, "admin/access/usage.html", context)
