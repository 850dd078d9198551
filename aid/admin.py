"""Admin: programmes and their catalogue are reference data; proposals, the ledger and
hand-overs change only through aid.services, so the admin shows them read-only."""

from django.contrib import admin

from .models import (
    AidItem,
    AidRecord,
    BudgetEntry,
    BudgetLine,
    Decree,
    Handover,
    HandoverItem,
    Programme,
    Proposal,
    ProposalItem,
)


class AidItemInline(admin.TabularInline):
    model = AidItem
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "year", "organisation", "funding_source", "budget_ceiling",
                    "max_decile", "is_active"]  # fmt: skip
    list_filter = ["kind", "year", "funding_source", "is_active"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    filter_horizontal = ["regions"]
    inlines = [AidItemInline]

    def get_readonly_fields(self, request, obj=None):
        # An existing programme's ceiling changes on its page, which keeps it above what is
        # already allocated to its components.
        return ["budget_ceiling"] if obj is not None else []


@admin.register(AidRecord)
class AidRecordAdmin(admin.ModelAdmin):
    list_display = ["programme", "year", "given_on"]
    list_filter = ["year", "programme"]
    raw_id_fields = ["client"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProposalItemInline(ReadOnlyInline):
    model = ProposalItem


class HandoverItemInline(ReadOnlyInline):
    model = HandoverItem


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["programme", "component", "ceiling", "reserved", "spent"]
    list_filter = ["component"]
    list_select_related = ["programme"]


@admin.register(BudgetEntry)
class BudgetEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "programme", "component", "kind", "amount", "by"]
    list_filter = ["kind", "component"]
    list_select_related = ["programme", "by"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "programme", "state", "value", "created_at"]
    list_filter = ["state", "programme"]
    list_select_related = ["programme"]
    inlines = [ProposalItemInline]


@admin.register(Decree)
class DecreeAdmin(ReadOnlyAdmin):
    list_display = ["number", "date", "organisation", "programme", "approved_by"]
    list_select_related = ["organisation", "programme", "approved_by"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["number", "handed_on", "organisation", "value", "officer"]
    list_select_related = ["organisation", "officer"]
    inlines = [HandoverItemInline]
