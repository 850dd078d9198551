"""/api/v1/survey-units/: the satisfaction survey units a user may read, with their IKM
results per period (read through rehab.selectors.survey, whose docstring says who reads
what); and /api/v1/survey-units/{code}/responses/, the public, write-only endpoint behind the
survey form: no login, throttled per network address, one response per device (cookie) per
unit per day, nothing read back."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from atensi.api_schema import errors
from atensi.errors import ApplicationError
from rehab import ikm, survey_guard
from rehab.models.survey import SurveyResponse, SurveyUnit
from rehab.selectors import survey as selectors
from rehab.services import survey as services

PERIOD = OpenApiParameter("period", str, required=False, description=selectors.PERIOD_HELP)


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class ElementResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="U1 … U9")
    label = serializers.CharField()
    answers = serializers.IntegerField(help_text="Respondents who rated it.")
    mean = serializers.DecimalField(max_digits=6, decimal_places=4, help_text="NRR, 1–4")
    weighted = serializers.DecimalField(max_digits=6, decimal_places=4, help_text="NRR × 1/9")
    weakest = serializers.BooleanField()


class SurveyResultSerializer(serializers.Serializer):
    period = PeriodSerializer()
    respondents = serializers.IntegerField()
    index = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True,
        help_text="IKM, 1–4; null without responses",
    )  # fmt: skip
    converted = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="IKM × 25, 25–100"
    )
    grade = serializers.CharField(allow_null=True, help_text="A, B, C or D")
    grade_label = serializers.CharField(allow_null=True)
    target = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    meets_target = serializers.BooleanField(allow_null=True)
    weakest = serializers.ListField(child=serializers.CharField())
    elements = ElementResultSerializer(many=True)


def result_data(period: selectors.Period, result: ikm.Result | None, target) -> dict:
    period_data = {"key": period.key, "start": period.start, "end": period.end}
    if result is None:
        return {
            "period": period_data, "respondents": 0, "index": None, "converted": None,
            "grade": None, "grade_label": None, "target": target, "meets_target": None,
            "weakest": [], "elements": [],
        }  # fmt: skip
    return {
        "period": period_data,
        "respondents": result.respondents,
        "index": result.index,
        "converted": result.converted,
        "grade": result.grade.letter,
        "grade_label": _(result.grade.label),
        "target": result.target,
        "meets_target": result.meets_target,
        "weakest": list(result.weakest),
        "elements": [
            {
                "code": e.element.code,
                "label": _(e.element.label),
                "answers": e.answers,
                "mean": e.mean,
                "weighted": e.weighted,
                "weakest": e.element.code in result.weakest,
            }  # fmt: skip
            for e in result.elements
        ],
    }


class SurveyUnitSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    responses = serializers.IntegerField(source="response_count", read_only=True)
    survey_url = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta:
        model = SurveyUnit
        fields = [
            "code", "name", "organisation", "region", "target", "is_active", "responses",
            "survey_url", "results",
        ]  # fmt: skip

    def get_survey_url(self, unit) -> str:
        url = reverse("rehab:survey-public", args=[unit.code])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(SurveyResultSerializer(allow_null=True))
    def get_results(self, unit) -> dict | None:
        """The unit's results for ?period= (list) or the asked or default period (detail);
        null in a list without ?period=."""
        data = self.context.get("results", {}).get(unit.pk)
        return None if data is None else SurveyResultSerializer(data).data


class SurveyAddressThrottle(BaseThrottle):
    """At most SURVEY_RESPONSES_PER_ADDRESS responses per network address per hour, counted
    under a keyed hash of the address (rehab/survey_guard.py)."""

    def allow_request(self, request, view) -> bool:
        return survey_guard.allow_address(request)

    def wait(self) -> float:
        return float(survey_guard.WINDOW)


def _period(request, unit=None) -> selectors.Period | None:
    text = request.query_params.get("period", "")
    if not text:
        return selectors.default_period(unit) if unit is not None else None
    try:
        return selectors.parse_period(text)
    except ApplicationError as exc:
        raise ValidationError({"period": [exc.message]}) from exc


@extend_schema_view(
    list=extend_schema(
        summary="Survey units you may read; with ?period= each with its results",
        parameters=[PERIOD],
    ),
    retrieve=extend_schema(
        summary="A survey unit with its results for ?period= (default: the year of its "
        "latest response)",
        parameters=[PERIOD],
        responses={200: SurveyUnitSerializer, **errors(400, 404)},
    ),  # fmt: skip
)
@extend_schema(tags=["survey"])
class SurveyUnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SurveyUnitSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SurveyUnit.objects.none()
        return selectors.survey_unit_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        period = _period(request)
        page = self.paginate_queryset(self.get_queryset())
        context = self.get_serializer_context()
        if period is not None:
            context["results"] = _results_of(page, period)
        data = SurveyUnitSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        unit = self.get_object()
        period = _period(request, unit)
        context = self.get_serializer_context()
        result = selectors.survey_results(unit=unit, period=period)
        context["results"] = {unit.pk: result_data(period, result, unit.target)}
        return Response(SurveyUnitSerializer(unit, context=context).data)

    @extend_schema(
        summary="The unit's IKM for a period: respondents, mean per element, index, converted "
        "value, grade, target met, weakest elements",
        parameters=[PERIOD], responses={200: SurveyResultSerializer, **errors(400, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["get"])
    def results(self, request, code=None):
        unit = self.get_object()
        period = _period(request, unit)
        result = selectors.survey_results(unit=unit, period=period)
        return Response(SurveyResultSerializer(result_data(period, result, unit.target)).data)


def _results_of(units, period) -> dict:
    """{unit pk: results} of a page of units, from one query of their ratings."""
    by_unit = {unit.pk: unit for unit in units}
    ratings = defaultdict(list)
    rows = SurveyResponse.objects.filter(
        unit_id__in=by_unit, submitted_at__date__gte=period.start,
        submitted_at__date__lte=period.end,
    ).values_list("unit_id", *selectors.RATING_FIELDS)  # fmt: skip
    for unit_id, *values in rows:
        ratings[unit_id].append(dict(zip(ikm.CODES, values, strict=True)))
    results = {}
    for pk, unit in by_unit.items():
        result = ikm.compute(ratings[pk], target=unit.target) if ratings[pk] else None
        results[pk] = result_data(period, result, unit.target)
    return results


def _choice(field: str) -> serializers.CharField:
    choices = SurveyResponse._meta.get_field(field).choices
    # Plain text in the schema: an enum here would collide with the clients' own choices.
    return serializers.CharField(
        help_text="One of: " + ", ".join(f"{value} ({label})" for value, label in choices)
    )


class SurveyAnswerSerializer(serializers.Serializer):
    """One respondent's answers: the nine ratings (1 worst … 4 best, in the element order of
    PermenPAN-RB 14/2017), the profile and an optional suggestion. No name, no ID number."""

    u1 = serializers.IntegerField(min_value=1, max_value=4, help_text="Requirements")
    u2 = serializers.IntegerField(min_value=1, max_value=4, help_text="Procedure")
    u3 = serializers.IntegerField(min_value=1, max_value=4, help_text="Time to complete")
    u4 = serializers.IntegerField(min_value=1, max_value=4, help_text="Costs and fees")
    u5 = serializers.IntegerField(min_value=1, max_value=4, help_text="Product of the service")
    u6 = serializers.IntegerField(min_value=1, max_value=4, help_text="Competence of the staff")
    u7 = serializers.IntegerField(min_value=1, max_value=4, help_text="Conduct of the staff")
    u8 = serializers.IntegerField(min_value=1, max_value=4, help_text="Handling of complaints")
    u9 = serializers.IntegerField(min_value=1, max_value=4, help_text="Facilities")
    sex = _choice("sex")
    age_group = _choice("age_group")
    education = _choice("education")
    occupation = _choice("occupation")
    suggestion = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate(self, data):
        errors = {}
        for field in services.PROFILE:
            values = {v for v, _label in SurveyResponse._meta.get_field(field).choices}
            if data.get(field) not in values:
                errors[field] = [_("Choose one of the answers given.")]
        if errors:
            raise ValidationError(errors)
        return data


class SurveyRecordedSerializer(serializers.Serializer):
    recorded = serializers.BooleanField()


@extend_schema(tags=["survey"])
class SurveyResponseViewSet(viewsets.GenericViewSet):
    """The public survey form's endpoint: anyone may post one response; nothing is read."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [SurveyAddressThrottle]
    serializer_class = SurveyAnswerSerializer

    @extend_schema(
        summary="Answer a unit's satisfaction survey (public, no login)",
        description=(
            "Write-only. Throttled per network address (429). The `ikm_device` cookie, when "
            "sent, allows one response per device per unit per day (409 after that). A "
            "closed or unknown unit is a 404."
        ),
        request=SurveyAnswerSerializer,
        responses={201: SurveyRecordedSerializer, **errors(400, 404, 409, 429)},
        auth=[],
    )
    def create(self, request, code=None):
        unit = selectors.public_unit(code)
        data = SurveyAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        token = survey_guard.device_token(request)
        if not survey_guard.claim_today(unit, token):
            raise ApplicationError(_("You have already answered today."), code="conflict")
        try:
            services.survey_response_submit(
                unit=unit,
                ratings={element: values.pop(element.lower()) for element in ikm.CODES},
                **values,
            )
        except ApplicationError:
            survey_guard.release_today(unit, token)
            raise
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("survey-units", SurveyUnitViewSet, basename="survey-unit")
    router.register(
        r"survey-units/(?P<code>[a-z0-9]+)/responses", SurveyResponseViewSet,
        basename="survey-response",
    )  # fmt: skip
