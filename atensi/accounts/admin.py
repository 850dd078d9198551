from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox import admin as knox_admin  # noqa: F401  (registers knox's admin, replaced below)
from knox.models import AuthToken

from . import services
from .models import Organisation, User


def _revoked_message(modeladmin, request, count: int) -> None:
    modeladmin.message_user(
        request,
        ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
        % {"count": count},
        messages.SUCCESS,
    )


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
    actions = ["revoke_api_tokens"]

    @admin.action(description=_("Revoke the API tokens of the selected users"))
    def revoke_api_tokens(self, request, queryset):
        count = sum(
            services.api_tokens_revoke(user=user, by=request.user, request=request)
            for user in queryset
        )
        _revoked_message(self, request, count)


# API tokens are credentials: an administrator sees who holds one until when, and may
# revoke it, but can neither read nor mint one (knox's own admin mints them).
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created", "expiry"]
    list_display_links = None
    list_select_related = ["user"]
    search_fields = ["user__username"]
    ordering = ["-created"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Revoking is an action of its own: it goes through the audited service.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_revoke_permission(self, request):
        return request.user.has_perm("knox.delete_authtoken")

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset.select_related("user"))
        for token in tokens:
            services.api_token_revoke(token=token, by=request.user, request=request)
        _revoked_message(self, request, len(tokens))
