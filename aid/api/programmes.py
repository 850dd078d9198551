"""/api/v1/programmes/: your organisation's aid programmes with their budget panel, and for a
supervisor of the organisation their ceiling and period (PATCH), the split of the ceiling
across the ATENSI components (allocations/, allocations/move/) and the ledger (ledger/).
Reads go through aid.selectors; writes validate, then call an aid.services.budget service."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aid import selectors, services
from aid.models import BudgetEntry, Programme
from assessments.models.assessment import Component
from atensi.api_schema import errors

MAX_RUPIAH = 10**15


class BudgetLineSerializer(serializers.Serializer):
    component = serializers.CharField()
    label = serializers.CharField()
    ceiling = serializers.IntegerField(help_text="What the component is allocated (Rp).")
    reserved = serializers.IntegerField()
    spent = serializers.IntegerField()
    available = serializers.IntegerField(help_text="ceiling − reserved − spent")


class BudgetPanelSerializer(serializers.Serializer):
    ceiling = serializers.IntegerField(help_text="The programme's budget ceiling (Rp).")
    allocated = serializers.IntegerField(help_text="The sum of the components' allocations.")
    unallocated = serializers.IntegerField(help_text="ceiling − allocated")
    reserved = serializers.IntegerField()
    spent = serializers.IntegerField()
    available = serializers.IntegerField(
        help_text="What approvals can still reserve: allocated − reserved − spent."
    )
    components = BudgetLineSerializer(many=True)


class ProgrammeSerializer(serializers.ModelSerializer):
    # Plain text in the schema: an enum here would collide with AidItem's "kind".
    kind = serializers.CharField(read_only=True, help_text="regular, vocational, entrepreneurship")
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id", "name", "kind", "year", "funding_source", "regions", "budget_ceiling",
            "period_start", "period_end", "max_decile", "requires_assessment",
            "requires_business", "once_per_year", "is_active",
        ]  # fmt: skip


class ProgrammeDetailSerializer(ProgrammeSerializer):
    budget = serializers.SerializerMethodField()
    gaps = serializers.SerializerMethodField()

    class Meta(ProgrammeSerializer.Meta):
        fields = [*ProgrammeSerializer.Meta.fields, "budget", "gaps"]

    @extend_schema_field(BudgetPanelSerializer)
    def get_budget(self, programme) -> dict:
        return selectors.budget_panel(programme)

    def get_gaps(self, programme) -> list[str]:
        """Why no new proposal can be made for the programme now (empty when one can):
        inactive, no_items, no_ceiling, no_allocation, not_started, ended; no_period is
        informative only."""
        return selectors.programme_gaps(programme)


class ProgrammeBudgetSerializer(serializers.Serializer):
    """A programme's ceiling, period and funding source; fields left out keep their value."""

    budget_ceiling = serializers.IntegerField(min_value=0, max_value=MAX_RUPIAH, required=False)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    funding_source = serializers.ChoiceField(choices=Programme.Funding.choices, required=False)


class AllocationsSerializer(serializers.Serializer):
    allocations = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_RUPIAH),
        allow_empty=False,
        help_text="{component: whole rupiah}: what each named component is to be allocated "
        "(0 gives its allocation back); components left out keep theirs.",
    )
    expected = serializers.DictField(
        child=serializers.IntegerField(min_value=0), required=False,
        help_text="{component: whole rupiah}: the allocations you saw; if they changed "
        "meanwhile the request is refused with 409 instead of overwriting.",
    )  # fmt: skip
    reason = serializers.CharField(max_length=300)

    def validate_allocations(self, value):
        unknown = sorted(set(value) - set(Component.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown ATENSI component: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return value

    def validate_expected(self, value):
        return self.validate_allocations(value)


class MoveSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=Component.choices, allow_null=True,
        help_text="The component the amount comes from; null: the part of the ceiling not "
        "yet allocated.",
    )  # fmt: skip
    target = serializers.ChoiceField(
        choices=Component.choices, allow_null=True,
        help_text="The component the amount goes to; null: back to the part of the ceiling "
        "not yet allocated.",
    )  # fmt: skip
    amount = serializers.IntegerField(min_value=1, max_value=MAX_RUPIAH)
    reason = serializers.CharField(max_length=300)


class BudgetEntrySerializer(serializers.ModelSerializer):
    # Plain text in the schema: an enum here would collide with the other "kind" fields.
    kind = serializers.CharField(
        read_only=True, help_text="allocate, withdraw, reserve, release, spend"
    )
    by = serializers.CharField(source="by.username", read_only=True)
    proposal = serializers.CharField(source="proposal.reference", read_only=True, default=None)

    class Meta:
        model = BudgetEntry
        fields = ["id", "at", "by", "kind", "component", "amount", "proposal", "reason"]


@extend_schema_view(
    list=extend_schema(summary="Your organisation's aid programmes"),
    retrieve=extend_schema(
        summary="A programme with its budget panel and what it lacks for proposals",
        responses={200: ProgrammeDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["aid"])
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    def get_serializer_class(self):
        return ProgrammeSerializer if self.action == "list" else ProgrammeDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Programme.objects.none()
        return selectors.programme_list(user=self.request.user).prefetch_related("regions")

    def _detail(self, programme):
        programme = selectors.programme_get(user=self.request.user, pk=programme.pk)
        return Response(ProgrammeDetailSerializer(programme).data)

    @extend_schema(
        summary="Set the budget ceiling, period and funding source (a supervisor)",
        request=ProgrammeBudgetSerializer,
        responses={200: ProgrammeDetailSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request, pk=None):
        programme = self.get_object()
        data = ProgrammeBudgetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {
            "budget_ceiling": programme.budget_ceiling, "period_start": programme.period_start,
            "period_end": programme.period_end, "funding_source": programme.funding_source,
            **data.validated_data,
        }  # fmt: skip
        services.programme_budget_update(programme=programme, by=request.user, request=request,
                                         **values)  # fmt: skip
        return self._detail(programme)

    @extend_schema(
        summary="Set what the ATENSI components are allocated out of the ceiling (a supervisor)",
        request=AllocationsSerializer,
        responses={200: ProgrammeDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def allocations(self, request, pk=None):
        programme = self.get_object()
        data = AllocationsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.budget_allocations_set(
            programme=programme, allocations=values["allocations"],
            expected=values.get("expected"), reason=values["reason"], by=request.user,
            request=request,
        )  # fmt: skip
        return self._detail(programme)

    @extend_schema(
        summary="Move an amount between components, or to or from the unallocated part",
        request=MoveSerializer,
        responses={200: ProgrammeDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="allocations/move")
    def move(self, request, pk=None):
        programme = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.budget_move(programme=programme, by=request.user, request=request,
                             **data.validated_data)  # fmt: skip
        return self._detail(programme)

    @extend_schema(
        summary="The programme's budget ledger, newest first: who, when, why, how much",
        responses={200: BudgetEntrySerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        programme = self.get_object()
        page = self.paginate_queryset(selectors.budget_ledger(programme))
        return self.get_paginated_response(BudgetEntrySerializer(page, many=True).data)


def register(router) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
