"""/api/v1/activities/ and /api/v1/village-status/: BNNK programme activities with their
urine-test counts, and village vulnerability (current status per village, a village's history).
Reads go through prevention.selectors (the area rule; anyone else gets a 404); writes
validate, then call a prevention.services service."""

from __future__ import annotations

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from atensi.api_schema import errors

from . import selectors, services
from .models import Activity, ActivityType, Assessor, Field, UrineTestResult, VillageStatus
from .models import Vulnerability as VulnerabilityChoices


class UrineTestResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = UrineTestResult
        fields = ["institution", "tested", "positive"]


class ActivitySerializer(serializers.ModelSerializer):
    village = serializers.CharField(
        source="village_id", read_only=True, help_text="Kemendagri village or district code"
    )
    village_name = serializers.CharField(source="village.name", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    urine_results = UrineTestResultSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id", "type", "field", "date", "village", "village_name", "place", "target",
            "participants", "meetings", "description", "organisation", "urine_results",
        ]  # fmt: skip
        read_only_fields = fields


class UrineRowInputSerializer(serializers.Serializer):
    institution = serializers.CharField(max_length=200)
    tested = serializers.IntegerField(min_value=1)
    positive = serializers.IntegerField(min_value=0, default=0)


class ActivityCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ActivityType.choices)
    date = serializers.DateField()
    village = serializers.CharField(max_length=20, help_text="Village or district code, dotted.")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    target = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    participants = serializers.IntegerField(
        min_value=0, default=0, help_text="Left at 0 with urine results: the number tested."
    )
    meetings = serializers.IntegerField(min_value=1, default=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    urine_results = UrineRowInputSerializer(many=True, required=False, default=list)


YEAR = {"type": "integer", "minimum": 1, "maximum": 9999}


def _year(value: str | None) -> int | None:
    if not value:
        return None
    # A year past 9999 has no dates to filter by.
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 9999:
        raise ValidationError({"year": ["Give a year, e.g. 2023."]})
    return int(value)


class ActivityFilterSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ActivityType.choices, required=False)
    field = serializers.ChoiceField(choices=Field.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="The BNNK activities in your area, newest first",
        parameters=[
            OpenApiParameter("year", YEAR),
            OpenApiParameter("type", enum=ActivityType.values),
            OpenApiParameter("field", enum=Field.values, description="Field of work."),
            OpenApiParameter("village", str, description="Village or area code prefix."),
        ],
    ),
    retrieve=extend_schema(
        summary="One activity with its urine-test rows",
        responses={200: ActivitySerializer, **errors(404)},
    ),
)
@extend_schema(tags=["prevention"])
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ActivitySerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        params = self.request.query_params
        filters = ActivityFilterSerializer(data=params)
        filters.is_valid(raise_exception=True)
        qs = selectors.activity_list(
            user=self.request.user,
            year=_year(params.get("year")),
            type=filters.validated_data.get("type", ""),
            field=filters.validated_data.get("field", ""),
            village=params.get("village", ""),
        )
        return qs.prefetch_related("urine_results").order_by("-date", "-created_at")

    @extend_schema(
        summary="Record an activity of your organisation, with urine-test rows per institution",
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer, **errors(400, 403)},
    )
    def create(self, request):
        data = ActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.activity_create(by=request.user, request=request,
                                            **data.validated_data)  # fmt: skip
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(ActivitySerializer(fresh).data, status=status.HTTP_201_CREATED)


class VillageStatusSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    district = serializers.CharField(source="village.parent_id", read_only=True)
    district_name = serializers.CharField(source="village.parent.name", read_only=True)

    class Meta:
        model = VillageStatus
        fields = [
            "id", "village", "village_name", "district", "district_name", "status",
            "assessed_on", "assessed_by", "note",
        ]  # fmt: skip
        read_only_fields = fields


class VillageAssessmentSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = VillageStatus
        fields = ["id", "status", "assessed_on", "assessed_by", "note", "organisation"]
        read_only_fields = fields


class DesaBersinarSerializer(serializers.Serializer):
    designated_on = serializers.DateField()
    decree_no = serializers.CharField()


class VillageHistorySerializer(serializers.Serializer):
    village = serializers.CharField()
    village_name = serializers.CharField()
    district = serializers.CharField()
    district_name = serializers.CharField()
    current = VillageAssessmentSerializer(allow_null=True)
    desa_bersinar = DesaBersinarSerializer(allow_null=True)
    history = VillageAssessmentSerializer(
        many=True, help_text="Every assessment, the latest first."
    )


class VillageStatusCreateSerializer(serializers.Serializer):
    village = serializers.CharField(max_length=20, help_text="Kemendagri village code, dotted.")
    status = serializers.ChoiceField(choices=VulnerabilityChoices.choices)
    assessed_on = serializers.DateField()
    assessed_by = serializers.ChoiceField(choices=Assessor.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="Each village's current vulnerability status in your area",
        parameters=[
            OpenApiParameter("status", enum=VulnerabilityChoices.values),
            OpenApiParameter(
                "on", datetime.date, description="The status on that date; today by default."
            ),
            OpenApiParameter("district", str, description="District (kecamatan) code."),
        ],
    ),
    retrieve=extend_schema(
        summary="A village's assessments (its history) and Desa Bersinar designation",
        responses={200: VillageHistorySerializer, **errors(404)},
    ),
)
@extend_schema(tags=["prevention"])
class VillageStatusViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = VillageStatusSerializer
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{2}(\.[0-9]{2}){2}\.[0-9]{4}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VillageStatus.objects.none()
        params = self.request.query_params
        on = params.get("on")
        try:
            on = datetime.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise ValidationError({"on": ["Give a date as YYYY-MM-DD."]}) from None
        status_ = params.get("status", "")
        if status_ and status_ not in VulnerabilityChoices.values:
            raise ValidationError({"status": ["Unknown status."]})
        return selectors.village_status_current(
            user=self.request.user, status=status_, on=on, district=params.get("district", "")
        )

    def retrieve(self, request, code=None):
        village = selectors.village_get(user=request.user, code=code)
        history = list(selectors.village_history(village=village))
        designation = selectors.desa_bersinar_of(village=village)
        body = {
            "village": village.code,
            "village_name": village.name,
            "district": village.parent_id,
            "district_name": village.parent.name,
            "current": history[0] if history else None,
            "desa_bersinar": designation,
            "history": history,
        }
        return Response(VillageHistorySerializer(body).data)

    @extend_schema(
        summary="Record an assessment of a village in your area",
        request=VillageStatusCreateSerializer,
        responses={201: VillageStatusSerializer, **errors(400, 403, 409)},
    )
    def create(self, request):
        data = VillageStatusCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.village_status_record(by=request.user, request=request,
                                                    **data.validated_data)  # fmt: skip
        return Response(VillageStatusSerializer(assessment).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("village-status", VillageStatusViewSet, basename="village-status")
