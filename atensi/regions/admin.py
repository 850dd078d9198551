from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Region
from .selectors import region_label


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Read-only: the codes come from the published data set (`manage.py load_regions`)."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code__startswith", "name"]
    list_select_related = ["parent"]
    readonly_fields = ["code", "name", "level", "parent", "label"]
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description=_("label"))
    def label(self, region: Region) -> str:
        return region_label(region)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
