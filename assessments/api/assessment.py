"""API for social assessments and the intervention plan.

Reads come from the selectors (a record outside the caller's area is a 404), writes go
through the services; every retrieve of an assessment leaves a "view" audit event.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from cases import selectors as case_selectors

from ..models import Assessment, AssessmentDomain, PlanItem
from ..models.assessment import Component, Modality
from ..selectors import assessment as selectors
from ..services import assessment as services

VIEW = AuditEvent.Action.VIEW
Domain = AssessmentDomain.Domain


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def _case_or_400(user, pk):
    """The case named in the request body: one the caller may not see is simply not found."""
    try:
        return case_selectors.case_get(user=user, pk=pk)
    except Http404 as exc:
        raise ValidationError({"case": [_("Not found.")]}) from exc


# --- assessments -----------------------------------------------------------------------


class AssessmentDomainSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    label = serializers.CharField()
    notes = serializers.CharField()
    troubled = serializers.IntegerField(allow_null=True, help_text="0–4; null: not rated yet.")
    help_needed = serializers.IntegerField(allow_null=True, help_text="0–4; null: not rated yet.")


class AssessmentSerializer(serializers.ModelSerializer):
    """One assessment with all six ASI domains, rated or not."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    assessor_name = serializers.SerializerMethodField()
    approved_by_name = serializers.SerializerMethodField()
    recommended_components = serializers.ListField(
        child=serializers.ChoiceField(choices=Component.choices), read_only=True
    )
    domains = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "case", "case_reference", "status", "assessor", "assessor_name",
                  "assessed_on", "domains", "strengths", "family_support", "family_notes",
                  "economic_situation", "housing", "spirituality", "has_business",
                  "business_kind", "business_since", "business_monthly_income",
                  "recommended_components", "recommended_modality", "summary", "completed_at",
                  "approved_by", "approved_by_name", "approved_at", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields

    def get_assessor_name(self, assessment: Assessment) -> str:
        return str(assessment.assessor)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by_name(self, assessment: Assessment) -> str | None:
        return str(assessment.approved_by) if assessment.approved_by_id else None

    @extend_schema_field(AssessmentDomainSerializer(many=True))
    def get_domains(self, assessment: Assessment) -> list[dict]:
        rows = {d.domain: d for d in assessment.domains.all()}
        return [
            {
                "domain": name,
                "label": str(label),
                "notes": rows[name].notes if name in rows else "",
                "troubled": rows[name].troubled if name in rows else None,
                "help_needed": rows[name].help_needed if name in rows else None,
            }
            for name, label in Domain.choices
        ]


class AssessmentStartSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text="The case to assess.")
    assessed_on = serializers.DateField()


class AssessmentDomainInputSerializer(serializers.Serializer):
    # The ranges are checked by the service, whose message names the domain.
    domain = serializers.ChoiceField(choices=Domain.choices)
    notes = serializers.CharField(required=False, allow_blank=True)
    troubled = serializers.IntegerField(required=False, allow_null=True, help_text="0–4")
    help_needed = serializers.IntegerField(required=False, allow_null=True, help_text="0–4")


class AssessmentUpdateSerializer(serializers.Serializer):
    """Any of the fields; only those sent change. Domains not listed stay as they are."""

    assessed_on = serializers.DateField(required=False)
    domains = AssessmentDomainInputSerializer(many=True, required=False)
    strengths = serializers.CharField(required=False, allow_blank=True)
    family_support = serializers.ChoiceField(
        choices=Assessment.FamilySupport.choices, required=False, allow_blank=True
    )
    family_notes = serializers.CharField(required=False, allow_blank=True)
    economic_situation = serializers.CharField(required=False, allow_blank=True)
    housing = serializers.CharField(required=False, allow_blank=True)
    spirituality = serializers.CharField(required=False, allow_blank=True)
    has_business = serializers.BooleanField(required=False)
    business_kind = serializers.CharField(max_length=150, required=False, allow_blank=True)
    business_since = serializers.DateField(required=False, allow_null=True)
    business_monthly_income = serializers.IntegerField(
        required=False, allow_null=True, help_text="Rupiah per month, 0 or more."
    )
    recommended_components = serializers.ListField(
        child=serializers.ChoiceField(choices=Component.choices), required=False
    )
    recommended_modality = serializers.ChoiceField(
        choices=Modality.choices, required=False, allow_blank=True
    )
    summary = serializers.CharField(required=False, allow_blank=True)

    def validate_domains(self, value):
        names = [d["domain"] for d in value]
        if len(names) != len(set(names)):
            raise serializers.ValidationError(_("Each domain may appear only once."))
        return value


class AssessmentFilterSerializer(serializers.Serializer):
    case = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Assessment.Status.choices, required=False)


def _case_param(what: str) -> OpenApiParameter:
    return OpenApiParameter("case", OpenApiTypes.UUID, description=f"Only the {what} of this case.")


@extend_schema_view(
    list=extend_schema(
        summary="List social assessments in your area",
        parameters=[
            _case_param("assessments"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Assessment.Status.values),
        ],
    ),
    retrieve=extend_schema(summary="One social assessment (audited)"),
    create=extend_schema(
        summary="Start a draft assessment of a case",
        request=AssessmentStartSerializer,
        responses={201: AssessmentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a draft (the assessor or a supervisor)",
        request=AssessmentUpdateSerializer,
        responses=AssessmentSerializer,
    ),
)
@extend_schema(tags=["assessments"])
class AssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    ordering_fields = ["assessed_on", "created_at", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        filters = AssessmentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        qs = selectors.assessment_list(user=self.request.user, status=params.get("status", ""))
        if "case" in params:
            qs = qs.filter(case_id=params["case"])
        return qs

    def get_object(self) -> Assessment:
        return selectors.assessment_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def _show(self, assessment: Assessment, code: int = status.HTTP_200_OK) -> Response:
        assessment = selectors.assessment_get(user=self.request.user, pk=assessment.pk)
        return Response(AssessmentSerializer(assessment).data, status=code)

    def retrieve(self, request, pk=None):
        assessment = self.get_object()
        audit_record(actor=request.user, action=VIEW, obj=assessment, request=request)
        return Response(AssessmentSerializer(assessment).data)

    def create(self, request):
        data = AssessmentStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = _case_or_400(request.user, data.validated_data["case"])
        assessment = services.assessment_start(
            case=case, by=request.user, assessed_on=data.validated_data["assessed_on"],
            request=request,
        )  # fmt: skip
        return self._show(assessment, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        assessment = self.get_object()
        data = AssessmentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        domains = {
            d.pop("domain"): dict(d) for d in (dict(item) for item in fields.pop("domains", []))
        }
        services.assessment_update(
            assessment=assessment, by=request.user, domains=domains, request=request, **fields
        )
        return self._show(assessment)

    @extend_schema(
        summary="Complete (the assessor): the case moves on to planning",
        request=None,
        responses=AssessmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assessment = services.assessment_complete(
            assessment=self.get_object(), by=request.user, request=request
        )
        return self._show(assessment)

    @extend_schema(
        summary="Approve (a supervisor, never their own)",
        request=None,
        responses=AssessmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        assessment = services.assessment_approve(
            assessment=self.get_object(), by=request.user, request=request
        )
        return self._show(assessment)


# --- the intervention plan -------------------------------------------------------------


class PlanItemSerializer(serializers.ModelSerializer):
    component_label = serializers.CharField(source="get_component_display", read_only=True)
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = ["id", "case", "assessment", "component", "component_label", "goal",
                  "responsible", "target_date", "created_by", "created_by_name",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_created_by_name(self, item: PlanItem) -> str:
        return str(item.created_by)


class PlanItemInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    component = serializers.ChoiceField(choices=Component.choices)
    goal = serializers.CharField(allow_blank=True)
    responsible = serializers.CharField(max_length=150, allow_blank=True)
    target_date = serializers.DateField()


class PlanItemFilterSerializer(serializers.Serializer):
    case = serializers.UUIDField(required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List intervention plan items in your area", parameters=[_case_param("plan")]
    ),
    create=extend_schema(
        summary="Add an item to a case's intervention plan (planning stage or later)",
        request=PlanItemInputSerializer,
        responses={201: PlanItemSerializer},
    ),
    destroy=extend_schema(summary="Remove an item from the plan", responses={204: None}),
)
@extend_schema(tags=["assessments"])
class PlanItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanItemSerializer
    ordering_fields = ["target_date", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanItem.objects.none()
        filters = PlanItemFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.plan_item_list(user=self.request.user)
        if "case" in filters.validated_data:
            qs = qs.filter(case_id=filters.validated_data["case"])
        return qs

    def get_object(self) -> PlanItem:
        return selectors.plan_item_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def create(self, request):
        data = PlanItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        case = _case_or_400(request.user, params.pop("case"))
        item = services.plan_item_add(case=case, by=request.user, request=request, **params)
        item = selectors.plan_item_get(user=request.user, pk=item.pk)
        return Response(PlanItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.plan_item_remove(item=self.get_object(), by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router):
    """Add this feature's viewsets to the API router."""
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("plan-items", PlanItemViewSet, basename="plan-item")
