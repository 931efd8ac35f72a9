from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DataItem, Dataset, Department, Library, PartitionSource, Steward


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "division_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lead_department", "ordering"]


class DataItemInline(admin.TabularInline):
    model = DataItem
    extra = 0
    fields = [
        "code",
        "field",
        "name",
        "source_department",
        "sharing_type",
        "sensitivity",
        "masking",
        "update_cycle",
        "required",
        "is_key",
        "self_service_mode",
        "unmasked_needs_approval",
        "max_grant_days",
    ]


class PartitionInline(admin.TabularInline):
    model = PartitionSource
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "library", "natural_key", "partition_field", "update_cycle"]
    list_filter = ["library"]
    search_fields = ["code", "name"]
    inlines = [DataItemInline, PartitionInline]


@admin.register(DataItem)
class DataItemAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "source_department",
        "sharing_type",
        "sensitivity",
        "masking",
        "update_cycle",
        "self_service_mode",
        "unmasked_needs_approval",
        "max_grant_days",
    ]
    list_filter = [
        "dataset__library",
        "sharing_type",
        "sensitivity",
        "source_department",
        "self_service_mode",
    ]
    search_fields = ["code", "name"]


@admin.register(Steward)
class StewardAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    list_filter = ["department"]
    autocomplete_fields = ["user"]
