"""/api/v1/ for aid: aid items, proposals and their transitions, and decrees (programmes and
their budgets: programmes.py). Reads go through aid.selectors; writes validate, then call a
service. NIKs are masked everywhere here."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aid import selectors, services
from aid.models import AidItem, Decree, Proposal, ProposalItem
from atensi.api_schema import errors
from cases.selectors import client_get

State = Proposal.State


class AidItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="goods, cash, service, entrepreneurship")

    class Meta:
        model = AidItem
        fields = ["id", "programme", "name", "component", "kind", "unit", "unit_cost", "is_active"]


class ProposalItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="aid_item.name", read_only=True)

    class Meta:
        model = ProposalItem
        fields = ["aid_item", "name", "component", "quantity", "unit_cost", "value"]


class ProposalSerializer(serializers.ModelSerializer):
    client_nik = serializers.CharField(source="client.masked_nik", read_only=True)
    village = serializers.CharField(source="client.village_id", read_only=True)
    decree_number = serializers.CharField(
        source="decree.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Proposal
        fields = [
            "id", "reference", "programme", "client", "client_nik", "village", "state", "value",
            "decree", "decree_number", "reason", "created_at", "submitted_at", "verified_at",
            "closed_at",
        ]  # fmt: skip


class ProposalDetailSerializer(ProposalSerializer):
    items = ProposalItemSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()
    screening = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "business_plan", "items", "warnings",
                  "screening"]  # fmt: skip

    def get_warnings(self, proposal) -> list[str]:
        return selectors.proposal_warnings(proposal)

    def get_screening(self, proposal) -> dict | None:
        row = proposal.batch_row
        if row is None:
            return None
        return {
            "batch": str(row.batch_id), "verdict": row.verdict, "reasons": row.reasons,
            "snapshot": str(row.batch.snapshot_id), "decile": row.decile,
            "match_method": row.match_method or None, "match_score": row.match_score,
        }  # fmt: skip


class ItemLineSerializer(serializers.Serializer):
    aid_item = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1)


class ProposalCreateSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    programme = serializers.UUIDField()
    items = ItemLineSerializer(many=True, allow_empty=False)
    business_plan = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class DecreeFieldsSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    date = serializers.DateField()
    signatory_name = serializers.CharField(max_length=150)
    signatory_title = serializers.CharField(max_length=150, required=False, allow_blank=True,
                                            default="")  # fmt: skip


class DecreeCreateSerializer(DecreeFieldsSerializer):
    proposals = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)


class DecreeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decree
        fields = ["id", "number", "date", "programme", "signatory_name", "signatory_title",
                  "created_at"]  # fmt: skip


class DecreeDetailSerializer(DecreeSerializer):
    proposals = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta(DecreeSerializer.Meta):
        fields = [*DecreeSerializer.Meta.fields, "proposals", "total"]

    def _proposals(self, decree):
        if not hasattr(self, "_cache"):
            self._cache = list(
                selectors.decree_proposals(user=self.context["request"].user, decree=decree)
            )
        return self._cache

    def get_proposals(self, decree) -> list[dict]:
        return ProposalSerializer(self._proposals(decree), many=True).data

    def get_total(self, decree) -> int:
        return sum(p.value for p in self._proposals(decree))


# --- viewsets -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The catalogue of your organisation's programmes",
        parameters=[OpenApiParameter("programme", OpenApiTypes.UUID, required=False)],
    ),
    retrieve=extend_schema(
        summary="One aid item", responses={200: AidItemSerializer, **errors(404)}
    ),  # fmt: skip
)
@extend_schema(tags=["aid"])
class AidItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AidItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AidItem.objects.none()
        qs = selectors.aid_item_list(user=self.request.user)
        programme = self.request.query_params.get("programme")
        if programme and self.action == "list":
            qs = qs.filter(programme_id=_uuid(programme, "programme"))
        return qs


def _proposal_response(proposal, request, code=200):
    proposal = selectors.proposal_get(user=request.user, pk=proposal.pk)
    return Response(ProposalDetailSerializer(proposal).data, status=code)


TRANSITION_ERRORS = errors(400, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="Proposals of clients you may read (NIKs masked)",
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.UUID, required=False),
            OpenApiParameter("state", enum=State.values, required=False),
            OpenApiParameter("q", str, required=False, description="Part of a proposal number"),
        ],
    ),
    retrieve=extend_schema(
        summary="A proposal with its items, screening evidence and warnings",
        responses={200: ProposalDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["aid"])
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_serializer_class(self):
        return ProposalSerializer if self.action == "list" else ProposalDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        params = self.request.query_params
        programme = None
        if self.action == "list" and params.get("programme"):
            programme = (
                selectors.programme_list(user=self.request.user)
                .filter(pk=_uuid(params["programme"], "programme"))
                .first()
            )
            if programme is None:
                return Proposal.objects.none()
        state = params.get("state", "") if self.action == "list" else ""
        if state and state not in State.values:
            raise serializers.ValidationError({"state": [_("Unknown state.")]})
        return selectors.proposal_search(user=self.request.user, programme=programme,
                                         state=state, query=params.get("q", "")[:40])  # fmt: skip

    def retrieve(self, request, *args, **kwargs):
        from atensi.audit.models import AuditEvent
        from atensi.audit.services import audit_record

        proposal = self.get_object()
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=proposal,
                     request=request)  # fmt: skip
        return Response(ProposalDetailSerializer(proposal).data)

    @extend_schema(
        summary="Propose a client for a programme's items (a draft)",
        request=ProposalCreateSerializer,
        responses={201: ProposalDetailSerializer, **errors(400, 403, 404, 409)},
    )
    def create(self, request):
        data = ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        client = client_get(user=user, pk=values["client"])
        programme = selectors.programme_list(user=user).filter(pk=values["programme"]).first()
        if programme is None:
            raise serializers.ValidationError(
                {"programme": [_("No such programme in your organisation.")]}
            )
        catalogue = programme.items.in_bulk([line["aid_item"] for line in values["items"]])
        items = []
        for line in values["items"]:
            item = catalogue.get(line["aid_item"])
            if item is None:
                raise serializers.ValidationError(
                    {"items": [_("No such item in the programme's catalogue.")]}
                )
            items.append((item, line["quantity"]))
        proposal = services.proposal_create(client=client, programme=programme, items=items,
                                            business_plan=values["business_plan"], by=user,
                                            request=request)  # fmt: skip
        return _proposal_response(proposal, request, status.HTTP_201_CREATED)

    @extend_schema(summary="Draft → submitted", request=None,
                   responses={200: ProposalDetailSerializer, **TRANSITION_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        proposal = services.proposal_submit(proposal=self.get_object(), by=request.user,
                                            request=request)  # fmt: skip
        return _proposal_response(proposal, request)

    @extend_schema(summary="Submitted → verified (a supervisor; never your own)", request=None,
                   responses={200: ProposalDetailSerializer, **TRANSITION_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        proposal = services.proposal_verify(proposal=self.get_object(), by=request.user,
                                            request=request)  # fmt: skip
        return _proposal_response(proposal, request)

    @extend_schema(summary="Verified → approved by a decree of its own (a supervisor)",
                   request=DecreeFieldsSerializer,
                   responses={200: ProposalDetailSerializer, **TRANSITION_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        proposal = self.get_object()
        data = DecreeFieldsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_approve(proposal=proposal, by=request.user, request=request,
                                             **data.validated_data)  # fmt: skip
        return _proposal_response(proposal, request)

    @extend_schema(summary="Reject with a reason (a supervisor)", request=ReasonSerializer,
                   responses={200: ProposalDetailSerializer, **TRANSITION_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        proposal = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_reject(proposal=proposal, by=request.user, request=request,
                                            reason=data.validated_data["reason"])  # fmt: skip
        return _proposal_response(proposal, request)

    @extend_schema(summary="Cancel with a reason", request=ReasonSerializer,
                   responses={200: ProposalDetailSerializer, **TRANSITION_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        proposal = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_cancel(proposal=proposal, by=request.user, request=request,
                                            reason=data.validated_data["reason"])  # fmt: skip
        return _proposal_response(proposal, request)


def _uuid(value: str, field: str):
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise serializers.ValidationError({field: [_("Not a valid id.")]}) from exc


@extend_schema_view(
    list=extend_schema(summary="Your organisation's decrees"),
    retrieve=extend_schema(
        summary="A decree with its proposals (NIKs masked) and total",
        responses={200: DecreeDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["aid"])
class DecreeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_serializer_class(self):
        return DecreeSerializer if self.action == "list" else DecreeDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Decree.objects.none()
        return selectors.decree_list(user=self.request.user)

    @extend_schema(
        summary="Approve a set of verified proposals of one programme with one decree",
        request=DecreeCreateSerializer,
        responses={201: DecreeDetailSerializer, **errors(400, 403, 404, 409)},
    )
    def create(self, request):
        data = DecreeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ids = values.pop("proposals")
        proposals = list(selectors.proposal_list(user=request.user).filter(pk__in=ids))
        if len(proposals) != len(set(ids)):
            raise serializers.ValidationError({"proposals": [_("A proposal was not found.")]})
        decree = services.decree_approve(proposals=proposals, by=request.user, request=request,
                                         **values)  # fmt: skip
        return Response(
            DecreeDetailSerializer(decree, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    router.register("aid-items", AidItemViewSet, basename="aid-item")
    router.register("proposals", ProposalViewSet, basename="proposal")
    router.register("decrees", DecreeViewSet, basename="decree")
