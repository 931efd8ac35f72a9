"""Operators keep the plan batches and their entries here; the aggregates are read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DatasetStat, ItemStat, PlanBatch, PlanEntry, UsageStat


class PlanEntryInline(admin.TabularInline):
    model = PlanEntry
    extra = 1
    fields = ["library", "dataset", "item", "department", "target_records", "deadline", "notes"]
    autocomplete_fields = ["department"]


@admin.register(PlanBatch)
class PlanBatchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "decided_on", "delivery_share", "entry_count"]
    search_fields = ["code", "name"]
    inlines = [PlanEntryInline]

    @admin.display(description=_("entries"))
    def entry_count(self, obj):
        return obj.entries.count()


@admin.register(PlanEntry)
class PlanEntryAdmin(admin.ModelAdmin):
    list_display = ["batch", "library", "dataset", "item", "department", "target_records", "deadline"]
    list_filter = ["batch", "library", "department"]
    search_fields = ["dataset", "item", "notes"]
    list_select_related = ["batch", "library", "department"]
    autocomplete_fields = ["department"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Aggregates are kept by the hub (``refresh_progress`` rebuilds them); nobody edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DatasetStat)
class DatasetStatAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "partition", "records", "last_changed", "computed_at"]
    list_filter = ["dataset"]


@admin.register(ItemStat)
class ItemStatAdmin(ReadOnlyAdmin):
    list_display = ["item", "partition", "filled", "last_updated", "computed_at"]
    list_filter = ["dataset"]
    search_fields = ["item"]


@admin.register(UsageStat)
class UsageStatAdmin(ReadOnlyAdmin):
    list_display = ["day", "system_id", "dataset", "calls", "records"]
    list_filter = ["dataset"]
    date_hierarchy = "day"
