from django.contrib import admin

from hub.records.admin import BaseRecordAdmin

from .models import Person


@admin.register(Person)
class PersonAdmin(BaseRecordAdmin):
    list_display = ["id_number", "name", "gender", "birth_date", "household_division", "marital_status"]
    list_filter = ["gender", "marital_status", "education_level", "social_insurance_status"]
    search_fields = ["=id_number", "name"]
    show_full_result_count = False
