"""Aid API: hand-overs (with Idempotency-Key on create), their BAST as PDF, and decree annex
documents (PDF/XLSX, built in the request or by a worker, then downloaded).

Reads go through the selectors (outside the caller's area: 404); writes call the services.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from aid import selectors
from aid.models import DecreeDocument, Handover, HandoverItem
from aid.services import documents
from aid.services import handovers as handover_services
from aid.views.documents import annex_file
from aid.views.handovers import handover_evidence_file
from atensi.accounts import policy
from atensi.api_schema import ErrorBodySerializer
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.documents import pdf_response
from atensi.errors import ApplicationError
from atensi.spreadsheets import XLSX_CONTENT_TYPE
from cases.models import FamilyMember

EXPORT = AuditEvent.Action.EXPORT


class PdfRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XlsxRenderer(PdfRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class BinaryRenderer(PdfRenderer):
    media_type = "application/octet-stream"
    format = "bin"


def _error(status_code: int, exc: ApplicationError) -> Response:
    fields = {exc.field: [str(exc.message)]} if exc.field else {}
    return Response(
        {"error": {"code": exc.code, "message": str(exc.message), "fields": fields}},
        status=status_code,
    )


class HandoverItemSerializer(serializers.ModelSerializer):
    proposal_item = serializers.UUIDField(source="proposal_item_id", read_only=True)
    name = serializers.CharField(source="proposal_item.aid_item.name", read_only=True)

    class Meta:
        model = HandoverItem
        fields = ["proposal_item", "name", "quantity", "value"]


class HandoverSerializer(serializers.ModelSerializer):
    proposal = serializers.UUIDField(source="proposal_id", read_only=True)
    proposal_reference = serializers.CharField(source="proposal.reference", read_only=True)
    officer = serializers.CharField(source="officer.username", read_only=True)
    recipient_member = serializers.UUIDField(
        source="recipient_member_id", read_only=True, allow_null=True
    )
    has_evidence = serializers.SerializerMethodField()
    items = HandoverItemSerializer(many=True, read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id", "number", "proposal", "proposal_reference", "handed_on", "place", "officer",
            "officer_nip", "recipient_member", "recipient_name", "witness_name", "witness_role",
            "value", "has_evidence", "items", "created_at",
        ]  # fmt: skip

    def get_has_evidence(self, handover: Handover) -> bool:
        return bool(handover.evidence)


class HandoverCreateSerializer(serializers.Serializer):
    proposal = serializers.UUIDField()
    items = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_empty=False,
        help_text="Proposal item ids to hand over; all remaining items when left out.",
    )  # fmt: skip
    recipient_member = serializers.UUIDField(
        required=False, allow_null=True, help_text="A family member of the client."
    )
    handed_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    officer_nip = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="",
        help_text="The officer's NIP, 18 digits (spaces and dots between the groups are "
        "dropped); printed on the BAST.",
    )  # fmt: skip
    witness_name = serializers.CharField(max_length=150, required=False, allow_blank=True,
                                         default="")  # fmt: skip
    witness_role = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="",
        help_text="The witness's role or relationship to the client.",
    )  # fmt: skip


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description=(
        "1 to 255 characters chosen by the caller. A retry with the same key and the same body "
        "returns the first result (same status and body) without a second hand-over; the same "
        "key with a different body is refused with 409 `idempotency_conflict`."
    ),
)  # fmt: skip


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.FileField(
        help_text="The photo or scan of the signed record: JPG, PNG or PDF, checked by its "
        "content like referral attachments."
    )


class HandoverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):  # fmt: skip
    """Hand-overs of approved proposals (serah terima), of clients the caller may read."""

    serializer_class = HandoverSerializer
    queryset = Handover.objects.none()

    def get_queryset(self):
        return selectors.handover_list(user=self.request.user).prefetch_related(
            "items__proposal_item__aid_item"
        )

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW,
                     object_type="handover", object_id=kwargs["pk"], request=request)  # fmt: skip
        return response

    @extend_schema(
        request=HandoverCreateSerializer, parameters=[IDEMPOTENCY_KEY],
        responses={
            201: HandoverSerializer,
            400: OpenApiResponse(ErrorBodySerializer, description="Invalid input or a rule refused "
                                 "it (e.g. `already_handed_over`)."),
            404: OpenApiResponse(ErrorBodySerializer, description="Not found."),
            409: OpenApiResponse(ErrorBodySerializer, description="The proposal is not approved "
                                 "(`conflict`), or the Idempotency-Key was used for a "
                                 "different body (`idempotency_conflict`)."),
        },
        summary="Hand over items of an approved proposal (numbered BAST)",
    )  # fmt: skip
    def create(self, request, *args, **kwargs):
        data = HandoverCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = _found(lambda: selectors.proposal_get(user=request.user, pk=values["proposal"]),
                          "proposal")  # fmt: skip
        items = None
        if "items" in values:
            found = proposal.items.select_related("aid_item").in_bulk(values["items"])
            if len(found) != len(set(values["items"])):
                raise ValidationError({"items": [_("An item does not belong to this proposal.")]})
            items = list(found.values())
        member = None
        if values.get("recipient_member"):
            member = (
                FamilyMember.objects.current()
                .filter(pk=values["recipient_member"], client_id=proposal.client_id)
                .first()
            )
            if member is None:
                raise ValidationError({"recipient_member": [_("Not found.")]})

        def record():
            return handover_services.handover_record(
                proposal=proposal, by=request.user, handed_on=values["handed_on"],
                place=values["place"], items=items, recipient_member=member,
                officer_nip=values["officer_nip"], witness_name=values["witness_name"],
                witness_role=values["witness_role"], request=request,
            )  # fmt: skip

        key = request.headers.get("Idempotency-Key")
        try:
            if key is None:
                handover = record()
            else:
                params = {"endpoint": "handovers", **{k: str(v) if not isinstance(v, list)
                          else sorted(map(str, v)) for k, v in values.items()}}  # fmt: skip
                handover = handover_services.idempotent(user=request.user, key=key,
                                                        params=params, fn=record)  # fmt: skip
        except ApplicationError as exc:
            if exc.code == "idempotency_conflict":
                return _error(status.HTTP_409_CONFLICT, exc)
            raise
        handover = self.get_queryset().get(pk=handover.pk)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["post"], request={"multipart/form-data": EvidenceSerializer},
        responses={
            200: HandoverSerializer,
            400: OpenApiResponse(ErrorBodySerializer, description="Not a whole JPG, PNG or PDF, "
                                 "or too large (`field`: `evidence`)."),
            403: OpenApiResponse(ErrorBodySerializer, description="The caller may read the "
                                 "hand-over but not hand over for its programme."),
            404: OpenApiResponse(ErrorBodySerializer, description="Not found."),
            409: OpenApiResponse(ErrorBodySerializer, description="The hand-over already has its "
                                 "signed record (`conflict`): it is never replaced."),
        },
        summary="Attach the photo or scan of the signed record (JPG, PNG or PDF)",
    )  # fmt: skip
    @extend_schema(
        methods=["get"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                   404: OpenApiResponse(ErrorBodySerializer, description="Not found, or no signed "
                                        "record yet.")},  # fmt: skip
        summary="The signed record of a hand-over (every download audited)",
    )  # fmt: skip
    @action(detail=True, methods=["get", "post"], url_path="evidence",
            parser_classes=[parsers.MultiPartParser, parsers.FormParser],
            renderer_classes=[renderers.JSONRenderer, BinaryRenderer])  # fmt: skip
    def evidence(self, request, pk=None):
        handover = self.get_object()
        if request.method == "GET":
            if not handover.evidence:
                raise Http404
            return handover_evidence_file(request, handover)
        upload = EvidenceSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        handover_services.handover_evidence_attach(
            handover=handover, by=request.user, evidence=upload.validated_data["evidence"],
            request=request,
        )  # fmt: skip
        return Response(HandoverSerializer(self.get_queryset().get(pk=handover.pk)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(ErrorBodySerializer)},
                   summary="The hand-over record (BAST) as PDF")  # fmt: skip
    @action(detail=True, methods=["get"], url_path="bast.pdf",
            renderer_classes=[PdfRenderer, renderers.JSONRenderer])  # fmt: skip
    def bast(self, request, pk=None):
        handover = self.get_object()
        content = documents.bast_pdf(handover=handover)
        audit_record(actor=request.user, action=EXPORT, obj=handover, request=request,
                     summary="BAST pdf")  # fmt: skip
        return pdf_response(content, f"{handover.number.replace('/', '-')}.pdf", inline=False)


def _found(getter, field):
    try:
        return getter()
    except Http404 as exc:
        raise ValidationError({field: [_("Not found.")]}) from exc


class DecreeDocumentSerializer(serializers.ModelSerializer):
    decree = serializers.UUIDField(source="decree_id", read_only=True)

    class Meta:
        model = DecreeDocument
        fields = ["id", "decree", "kind", "status", "progress", "rows", "error", "created_at",
                  "finished_at"]  # fmt: skip


class DecreeDocumentCreateSerializer(serializers.Serializer):
    decree = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=DecreeDocument.Kind.choices)


class DecreeDocumentViewSet(mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):  # fmt: skip
    """The annex of a decree (SK penetapan lampiran) as PDF or XLSX, for supervisors: ask for
    it, follow `status`/`progress`, then download `file/`."""

    serializer_class = DecreeDocumentSerializer
    queryset = DecreeDocument.objects.none()

    def get_queryset(self):
        if not policy.can_export(self.request.user):
            return DecreeDocument.objects.none()
        return DecreeDocument.objects.filter(
            decree__in=selectors.decree_list(user=self.request.user)
        ).select_related("decree")

    @extend_schema(
        request=DecreeDocumentCreateSerializer,
        responses={201: DecreeDocumentSerializer, 400: OpenApiResponse(ErrorBodySerializer),
                   404: OpenApiResponse(ErrorBodySerializer)},
        summary="Build a decree's annex (a large decree is built by a worker)",
    )  # fmt: skip
    def create(self, request, *args, **kwargs):
        data = DecreeDocumentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not policy.can_export(request.user):
            raise ValidationError({"decree": [_("Not found.")]})
        decree = (
            selectors.decree_list(user=request.user)
            .filter(pk=data.validated_data["decree"])
            .first()
        )
        if decree is None:
            raise ValidationError({"decree": [_("Not found.")]})
        try:
            document = documents.decree_document_request(
                decree=decree, kind=data.validated_data["kind"], by=request.user, request=request
            )
        except PermissionDenied as exc:
            raise ValidationError({"decree": [_("Not found.")]}) from exc
        return Response(DecreeDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
                              404: OpenApiResponse(ErrorBodySerializer)},
                   summary="Download a finished annex (404 until it is ready)")  # fmt: skip
    @action(detail=True, methods=["get"], url_path="file",
            renderer_classes=[PdfRenderer, XlsxRenderer, renderers.JSONRenderer])  # fmt: skip
    def file(self, request, pk=None):
        return annex_file(request, self.get_object())


def register(router) -> None:
    router.register("handovers", HandoverViewSet, basename="handover")
    router.register("decree-documents", DecreeDocumentViewSet, basename="decree-document")
