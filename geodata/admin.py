from django.contrib import admin

from hub.records.admin import BaseRecordAdmin

from .models import Address, Division, Parcel, PlaceName, ResourceUnit


@admin.register(Division)
class DivisionAdmin(BaseRecordAdmin):
    list_display = ["code", "name", "level", "parent_code", "valid_from", "valid_until"]
    list_filter = ["level"]
    search_fields = ["=code", "name"]


@admin.register(Address)
class AddressAdmin(BaseRecordAdmin):
    list_display = ["address_code", "full_address", "division_code"]
    search_fields = ["=address_code", "full_address"]
    show_full_result_count = False


@admin.register(PlaceName)
class PlaceNameAdmin(BaseRecordAdmin):
    list_display = ["place_code", "name", "category", "division_code"]
    list_filter = ["category"]
    search_fields = ["=place_code", "name"]


@admin.register(Parcel)
class ParcelAdmin(BaseRecordAdmin):
    list_display = ["unit_number", "land_use", "ownership", "right_type", "area"]
    list_filter = ["land_use_class", "ownership", "right_type"]
    search_fields = ["=unit_number"]
    show_full_result_count = False


@admin.register(ResourceUnit)
class ResourceUnitAdmin(BaseRecordAdmin):
    list_display = ["unit_code", "name", "resource_type", "division_code", "area"]
    list_filter = ["resource_type"]
    search_fields = ["=unit_code", "name"]
