"""/api/v1/dashboard/: the dashboard's figures, suppressed as on the page."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from atensi.accounts import policy

from . import selectors as dashboard
from . import services


class _AreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='The region code; "" for the whole service area.')
    name = serializers.CharField()
    codes = serializers.ListField(child=serializers.CharField())


class _PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class _SuppressionSerializer(serializers.Serializer):
    small = serializers.CharField(help_text="Shown for a count from 1 to 4.")
    hidden = serializers.CharField(help_text="Shown for a larger count hidden so that a small "
                                   "one cannot be worked out.")  # fmt: skip


Figure = serializers.JSONField  # a number, "<5", "x" or null


class _CardSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = Figure()
    previous = Figure()
    delta = serializers.IntegerField(allow_null=True)


class _RowSerializer(serializers.Serializer):
    label = serializers.CharField()
    code = serializers.CharField(required=False)
    cells = serializers.ListField(child=Figure())
    total = Figure(required=False)


class _SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = _RowSerializer(many=True)
    total = _RowSerializer(allow_null=True)
    note = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    area = _AreaSerializer()
    period = _PeriodSerializer()
    previous_period = serializers.CharField()
    computed_at = serializers.DateTimeField(help_text="When the figures were last counted.")
    suppression = _SuppressionSerializer()
    cards = _CardSerializer(many=True)
    sections = _SectionSerializer(many=True)
    areas = _SectionSerializer()


class DashboardView(APIView):
    @extend_schema(
        summary="The dashboard of an area and period (aggregates, small counts suppressed)",
        tags=["dashboard"],
        parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, description="A region code inside "
                             "your service area; empty for all of it."),
            OpenApiParameter("period", OpenApiTypes.STR, description="2023, 2023-Q2 or "
                             "2023-05; empty for this year."),
        ],
        responses=DashboardSerializer,
    )  # fmt: skip
    def get(self, request):
        if not policy.has_role(request.user, policy.DASHBOARD_READERS):
            raise Http404
        area = dashboard.area_for(request.user, request.query_params.get("area", "").strip())
        if area is None:
            raise Http404
        period = dashboard.parse_period(request.query_params.get("period", ""))
        data = services.dashboard_current(area, period)
        return Response(dashboard.as_json(data))
