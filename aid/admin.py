from django.contrib import admin

from .models import AidRecord, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "year", "organisation", "max_decile", "is_active"]
    list_filter = ["kind", "year", "is_active"]
    search_fields = ["name"]
    list_select_related = ["organisation"]


@admin.register(AidRecord)
class AidRecordAdmin(admin.ModelAdmin):
    list_display = ["programme", "year", "given_on"]
    list_filter = ["year", "programme"]
    raw_id_fields = ["client"]
