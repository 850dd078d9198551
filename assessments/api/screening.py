"""API for WHO ASSIST screenings: record one, list them (scoped), read one (audited).

The answers travel in the shape documented in assessments/assist.py; a broken answer set
is refused with one message per substance and question, under `fields.answers`.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessments import assist
from assessments.models import Screening, ScreeningSubstance
from assessments.selectors import screening as selectors
from assessments.services import screening as services
from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from cases import selectors as case_selectors

VIEW = AuditEvent.Action.VIEW


def _answers_schema() -> dict:
    """The OpenAPI schema of an answer set, built from the instrument itself."""
    substances = {}
    for substance in assist.SUBSTANCES:
        questions: dict = {
            "q1": {"type": "boolean", "description": "Ever used (non-medical use only)."}
        }
        for question in substance.questions[1:]:
            questions[question] = {
                "type": "string",
                "enum": list(assist.SCORES[question]),
                "description": assist.QUESTION_TEXT[question],
            }
        if substance.code == "other":
            questions[assist.SPECIFY] = {
                "type": "string",
                "maxLength": assist.SPECIFY_MAX_LENGTH,
                "description": "What the other substance was.",
            }
        substances[substance.code] = {
            "type": "object",
            "description": f"{substance.letter}. {substance.name} ({substance.examples})",
            "properties": questions,
            "required": ["q1"],
            "additionalProperties": False,
        }
    return {
        "type": "object",
        "description": (
            "WHO ASSIST v3.1 answers, one entry per substance. Q1 is asked for every "
            "substance; Q2, Q6 and Q7 for each substance ever used; Q3–Q5 only when Q2 is "
            "not 'never' (Q5 never for tobacco). A skipped question must be left out."
        ),
        "properties": substances,
        "required": [s.code for s in assist.SUBSTANCES],
        "additionalProperties": False,
    }


@extend_schema_field(_answers_schema())
class AnswersField(serializers.JSONField):
    pass


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


class ScreeningSubstanceSerializer(serializers.ModelSerializer):
    max_score = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningSubstance
        fields = ["substance", "score", "max_score", "risk"]
        read_only_fields = fields

    def get_max_score(self, item: ScreeningSubstance) -> int:
        return assist.BY_CODE[item.substance].max_score


class ScreeningListSerializer(serializers.ModelSerializer):
    """A screening without the answers and notes: its scores and the pathway."""

    screened_by_name = serializers.SerializerMethodField()
    substances = ScreeningSubstanceSerializer(many=True, read_only=True)

    class Meta:
        model = Screening
        fields = ["id", "client", "case", "instrument", "screened_on", "screened_by",
                  "screened_by_name", "injection", "recommendation", "substances",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_screened_by_name(self, screening: Screening) -> str:
        return str(screening.screened_by)


class ScreeningSerializer(ScreeningListSerializer):
    answers = AnswersField(read_only=True)

    class Meta(ScreeningListSerializer.Meta):
        fields = [*ScreeningListSerializer.Meta.fields, "answers", "notes"]
        read_only_fields = fields


class ScreeningInputSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    case = serializers.UUIDField(required=False, allow_null=True, default=None)
    screened_on = serializers.DateField()
    answers = AnswersField()
    injection = serializers.ChoiceField(
        choices=Screening.Injection.choices,
        help_text="Q8: ever used any drug by injection (non-medical use only).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        """Name every broken answer where it sits: answers.<substance>.<question>."""
        try:
            assist.validate(attrs["answers"], attrs["injection"])
        except assist.AssistError as exc:
            raise serializers.ValidationError(_problem_fields(exc.problems)) from exc
        return attrs


def _problem_fields(problems) -> dict:
    errors: dict = {}
    for problem in problems:
        text = problem.text(gettext)
        if problem.question == "q8":
            errors.setdefault("injection", []).append(text)
        elif problem.substance is None:
            errors.setdefault("answers", []).append(text)
        elif problem.question is None:
            errors.setdefault("answers", {}).setdefault(problem.substance, []).append(text)
        else:
            by_substance = errors.setdefault("answers", {}).setdefault(problem.substance, {})
            by_substance.setdefault(problem.question, []).append(text)
    return errors


class ScreeningFilterSerializer(serializers.Serializer):
    client = serializers.UUIDField(required=False)
    case = serializers.UUIDField(required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List ASSIST screenings of clients in your area (without the answers)",
        parameters=[
            OpenApiParameter("client", OpenApiTypes.UUID, description="Only this client's."),
            OpenApiParameter("case", OpenApiTypes.UUID, description="Only this case's."),
        ],
    ),
    retrieve=extend_schema(
        summary="One ASSIST screening with its answers (audited)", responses=ScreeningSerializer
    ),
    create=extend_schema(
        summary="Record an ASSIST screening; returns the scores, risks and recommendation",
        request=ScreeningInputSerializer,
        responses={201: ScreeningSerializer},
    ),
)
@extend_schema(tags=["screenings"])
class ScreeningViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ScreeningListSerializer
    ordering_fields = ["screened_on", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Screening.objects.none()
        filters = ScreeningFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.screening_list(
            user=self.request.user,
            client=filters.validated_data.get("client"),
            case=filters.validated_data.get("case"),
        )

    def get_object(self) -> Screening:
        return selectors.screening_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def retrieve(self, request, pk=None):
        screening = self.get_object()
        audit_record(actor=request.user, action=VIEW, obj=screening, request=request)
        return Response(ScreeningSerializer(screening).data)

    def create(self, request):
        if not policy.can_write_cases(request.user):
            raise PermissionDenied
        data = ScreeningInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        params["client"] = _found_or_400(
            lambda pk: case_selectors.client_get(user=request.user, pk=pk),
            "client",
            params["client"],
        )
        if params["case"] is not None:
            params["case"] = _found_or_400(
                lambda pk: case_selectors.case_get(user=request.user, pk=pk),
                "case",
                params["case"],
            )
        screening = services.screening_record(by=request.user, request=request, **params)
        screening = selectors.screening_get(user=request.user, pk=screening.pk)
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)


def _found_or_400(getter, field: str, pk):
    """A record named in the request body: one the caller may not see is simply not found."""
    try:
        return getter(pk=pk)
    except Http404 as exc:
        raise serializers.ValidationError({field: [_("Not found.")]}) from exc


def register(router):
    """Add this feature's viewsets to the API router."""
    router.register("screenings", ScreeningViewSet, basename="screening")
