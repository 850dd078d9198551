"""/api/v1/dashboard/: the dashboard's figures, suppressed as on the page."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from aid.api.handovers import PdfRenderer, XlsxRenderer
from atensi.accounts import policy
from atensi.api_schema import ErrorBodySerializer, errors
from atensi.spreadsheets import XLSX_CONTENT_TYPE

from . import report as reports
from . import selectors as dashboard
from . import services
from .models import DashboardReport
from .report_views import report_file


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
    # The second heading cell of the sections that have one (their ``detail_key``).
    step = serializers.CharField(required=False)
    component = serializers.CharField(required=False)
    organisation = serializers.CharField(required=False)


class _SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = _RowSerializer(many=True)
    total = _RowSerializer(allow_null=True)
    note = serializers.CharField()
    detail_key = serializers.CharField(
        allow_blank=True,
        help_text="The rows' key of a second heading column (step, component, "
        "organisation); empty when there is none.",
    )
    detail_heading = serializers.CharField(allow_blank=True)


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
        responses={200: DashboardSerializer, **errors(404)},
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


# --- /api/v1/dashboard-reports/: the yearly report, built by a worker -------------------------


class DashboardReportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True,
                                   help_text="queued, running, done or failed.")  # fmt: skip

    class Meta:
        model = DashboardReport
        fields = ["id", "area_code", "year", "kind", "status", "progress", "error",
                  "created_at", "finished_at"]  # fmt: skip


class DashboardReportCreateSerializer(serializers.Serializer):
    area = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="A region code inside your service area; empty for "
                                 "all of it.")  # fmt: skip
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=DashboardReport.Kind.choices)


class DashboardReportViewSet(mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):  # fmt: skip
    """The yearly report of an area as PDF or XLSX, for supervisors, district heads and
    administrators: ask for it, follow `status`/`progress`, then download `file/`."""

    serializer_class = DashboardReportSerializer
    queryset = DashboardReport.objects.none()

    def get_queryset(self):
        return reports.report_list(user=self.request.user)

    @extend_schema(
        request=DashboardReportCreateSerializer,
        responses={201: DashboardReportSerializer, 400: OpenApiResponse(ErrorBodySerializer),
                   404: OpenApiResponse(ErrorBodySerializer)},
        summary="Ask for an area's yearly report (built by a worker)",
    )  # fmt: skip
    def create(self, request, *args, **kwargs):
        data = DashboardReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not reports.can_report(request.user):
            raise Http404
        area = dashboard.area_for(request.user, data.validated_data["area"].strip())
        if area is None:
            raise Http404
        report = reports.report_request(area=area, year=data.validated_data["year"],
                                        kind=data.validated_data["kind"], by=request.user,
                                        request=request)  # fmt: skip
        return Response(DashboardReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
                              404: OpenApiResponse(ErrorBodySerializer)},
                   summary="Download a finished yearly report (404 until it is ready)")  # fmt: skip
    @action(detail=True, methods=["get"], url_path="file",
            renderer_classes=[PdfRenderer, XlsxRenderer, renderers.JSONRenderer])  # fmt: skip
    def file(self, request, pk=None):
        return report_file(request, self.get_object())


def register(router) -> None:
    router.register("dashboard-reports", DashboardReportViewSet, basename="dashboard-report")
