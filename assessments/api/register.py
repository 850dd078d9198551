"""/api/v1/register-imports/: upload a DTSEN extract, follow its import, read the refused rows."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from assessments.models import RegisterBadRow, RegisterSnapshot
from assessments.selectors import register as selectors
from assessments.services import register as services
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record


class RegisterImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (also gzip-compressed) or XLSX register extract.")
    source = serializers.CharField(max_length=200, help_text="Where the extract comes from.")
    extract_date = serializers.DateField(help_text="The date the extract was taken.")


class RegisterImportSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField(
        help_text="Share of the file read, 0 to 1 (an estimate while running)."
    )

    class Meta:
        model = RegisterSnapshot
        fields = [
            "id", "source", "extract_date", "file_name", "status", "total_rows", "processed_rows",
            "progress", "good_rows", "bad_rows", "error", "created_by", "created_at",
            "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, snapshot: RegisterSnapshot) -> float:
        if snapshot.status == RegisterSnapshot.Status.DONE:
            return 1.0
        if not snapshot.total_rows:
            return 0.0
        return round(min(snapshot.processed_rows / snapshot.total_rows, 0.99), 4)


class RegisterBadRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterBadRow
        fields = ["row_number", "column", "code", "message"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Register imports (snapshots): status, progress and counts"),
    retrieve=extend_schema(summary="One register import: status, progress and counts"),
)
@extend_schema(tags=["register"])
class RegisterImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RegisterImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ["extract_date", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RegisterSnapshot.objects.none()
        return selectors.snapshot_list(user=self.request.user)

    def get_object(self) -> RegisterSnapshot:
        try:
            pk = uuid.UUID(str(self.kwargs["pk"]))
        except ValueError as exc:
            raise NotFound from exc
        return selectors.snapshot_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary="Upload a register extract and start its import (supervisors, administrators)",
        request={"multipart/form-data": RegisterImportInputSerializer},
        responses={
            202: OpenApiResponse(RegisterImportSerializer, description="Import queued."),
            200: OpenApiResponse(
                RegisterImportSerializer,
                description="The same file was uploaded before: that import, nothing new.",
            ),
        },
    )
    def create(self, request):
        data = RegisterImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        snapshot = services.register_import_start(
            by=request.user, request=request, **data.validated_data
        )
        code = status.HTTP_200_OK if snapshot.already_imported else status.HTTP_202_ACCEPTED
        return Response(RegisterImportSerializer(snapshot).data, status=code)

    @extend_schema(
        summary="The refused rows of a finished import: row, column, code, reason (audited)",
        responses=RegisterBadRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="bad-rows", filter_backends=[])
    def bad_rows(self, request, pk=None):
        snapshot = self.get_object()
        if not selectors.can_read_bad_rows(request.user, snapshot):
            raise NotFound
        audit_record(
            actor=request.user, action=AuditEvent.Action.EXPORT, obj=snapshot, request=request,
            summary=f"register refused rows, api, page={request.query_params.get('page', 1)}",
        )  # fmt: skip
        page = self.paginate_queryset(selectors.bad_row_list(user=request.user, snapshot=snapshot))
        return self.get_paginated_response(RegisterBadRowSerializer(page, many=True).data)


def register(router):
    router.register("register-imports", RegisterImportViewSet, basename="register-import")
