from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be changed by anyone (the database refuses too)."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "channel"]
    list_filter = ["action", "channel", "object_type"]
    search_fields = ["actor_username", "=object_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
