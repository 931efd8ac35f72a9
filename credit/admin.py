from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hub.records.admin import BaseRecordAdmin

from .models import CreditRecord, LegacyCode, LegalEntity, RepairApplication


@admin.register(LegalEntity)
class LegalEntityAdmin(BaseRecordAdmin):
    list_display = ["uscc", "name", "entity_type", "registration_authority", "status", "registered_division"]
    list_filter = ["registration_authority", "entity_type", "status", "industry"]
    search_fields = ["=uscc", "name"]
    show_full_result_count = False


@admin.register(CreditRecord)
class CreditRecordAdmin(BaseRecordAdmin):
    list_display = [
        "record_id",
        "kind",
        "subject_name",
        "subject_key",
        "deciding_department",
        "decision_date",
    ]
    list_filter = ["kind", "deciding_department", "subject_type", "withdrawal_reason"]
    search_fields = ["=record_id", "=subject_key", "subject_name", "decision_number", "case_number"]
    show_full_result_count = False


@admin.register(LegacyCode)
class LegacyCodeAdmin(SimpleHistoryAdmin):
    """The operator-kept allow-list of legacy codes that fail the GB 32100 checksum."""

    list_display = ["code", "note", "added_at"]
    search_fields = ["=code", "note"]


@admin.register(RepairApplication)
class RepairApplicationAdmin(SimpleHistoryAdmin):
    """Repairs are applied for and decided through the API by the deciding authority; read here."""

    list_display = ["record", "applicant_name", "department", "status", "applied_at", "decided_at"]
    list_filter = ["status", "department"]
    readonly_fields = [f.name for f in RepairApplication._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
