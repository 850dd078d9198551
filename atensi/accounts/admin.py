from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenProxy

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["service_area"]

    @admin.display(description=_("service area"))
    def area(self, obj):
        return ", ".join(r.code for r in obj.service_area.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("service_area")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("ATENSI"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("ATENSI"), {"fields": ("first_name", "last_name", "organisation", "role")}),
    )


# API tokens are credentials: an administrator must not be able to read or mint them.
admin.site.unregister(TokenProxy)
