"""/api/v1/eligibility-batches/: create from a file or client ids, follow progress, read results."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from aid.models import Programme
from assessments import fellegi_sunter, linkage
from assessments.models import BatchRow, EligibilityBatch, RegisterSnapshot
from assessments.models.eligibility import Verdict
from assessments.selectors import eligibility as selectors
from assessments.services import eligibility as services
from assessments.services import matching
from atensi.accounts import policy
from atensi.api_schema import errors
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from cases.nik import mask_nik


class BatchCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, default="")
    programme = serializers.UUIDField()
    snapshot = serializers.UUIDField(required=False, allow_null=True, default=None)
    file = serializers.FileField(required=False, allow_null=True, default=None)
    client_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_null=True, default=None
    )


class StepSerializer(serializers.Serializer):
    step = serializers.CharField()
    remaining = serializers.IntegerField()
    lost = serializers.IntegerField()


class BatchListSerializer(serializers.ModelSerializer):
    """A list row: where the batch stands. Its counts and funnel come with the batch itself."""

    progress = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityBatch
        fields = [
            "id", "name", "programme", "snapshot", "source", "file_name", "status", "total_rows",
            "processed_rows", "progress", "error", "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def get_progress(self, batch) -> float:
        return round(batch.processed_rows / batch.total_rows, 4) if batch.total_rows else 0.0


class BatchSerializer(BatchListSerializer):
    counts = serializers.SerializerMethodField()
    funnel = serializers.SerializerMethodField()

    class Meta(BatchListSerializer.Meta):
        fields = [*BatchListSerializer.Meta.fields[:10], "counts", "funnel",
                  *BatchListSerializer.Meta.fields[10:]]  # fmt: skip

    def get_counts(self, batch) -> dict[str, int]:
        return selectors.batch_verdict_counts(batch=batch)

    @extend_schema_field(StepSerializer(many=True))
    def get_funnel(self, batch) -> list:
        return [
            {"step": step, "remaining": remaining, "lost": lost}
            for step, remaining, lost in selectors.batch_funnel(batch=batch)
        ]


class ProblemSerializer(serializers.Serializer):
    column = serializers.CharField(
        help_text="The column's standard name, e.g. tgl_lahir ('' for the whole row)"
    )
    heading = serializers.CharField(
        help_text="The column's heading as the file writes it, e.g. 'Tanggal Lahir'"
    )
    code = serializers.CharField()
    message = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=linkage.FIELDS)
    level = serializers.CharField(
        help_text="nik: same, one_digit, swapped, different, missing; name: same, similar, "
        "different, missing; birth_date: same, close, different, missing; kk and sex: same, "
        "different, missing; place: same_village, same_district, elsewhere, missing; "
        "address: same, close (the RT/RW or the street or hamlet), different, missing"
    )
    agreement = serializers.ChoiceField(
        choices=[linkage.AGREE, linkage.CLOSE, linkage.DIFFER, linkage.UNKNOWN]
    )
    similarity = serializers.FloatField(
        allow_null=True, help_text="The names' similarity, 0 to 1 (name only)"
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="other_order, spelling (name); day_month_swapped, year, one_digit, "
        "january_first (birth date)",
    )


class EvidenceSerializer(serializers.Serializer):
    comparison = serializers.CharField(
        help_text=f"One of {', '.join(fellegi_sunter.COMPARISONS)} (the fields of `comparisons`)"
    )
    level = serializers.CharField(
        help_text="The Fellegi–Sunter level (fellegi_sunter.LEVELS), or missing"
    )
    weight = serializers.FloatField(help_text="What it added, in bits (log2 m/u): + for")
    frequency = serializers.FloatField(help_text="The part of it from the name's frequency")


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="The register row: give it as `candidate` to the review to choose it"
    )
    register_id = serializers.CharField(help_text="The DTSEN id")
    nik = serializers.CharField()
    name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    village_code = serializers.CharField()
    address = serializers.CharField()
    decile = serializers.IntegerField()
    method = serializers.CharField()
    score = serializers.FloatField()
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="nik_of_other, ambiguous, nik_conflict, serial_doubt; matched by "
        "Fellegi–Sunter also nik_owner, name_conflict, namesake",
    )
    comparisons = ComparisonSerializer(many=True)
    probability = serializers.FloatField(
        allow_null=True,
        help_text="Fellegi–Sunter: the estimated probability that it is the row's person "
        "(null when the rules matched)",
    )
    evidence = EvidenceSerializer(many=True, help_text="Fellegi–Sunter: each comparison's weight")
    explanation = serializers.ListField(
        child=serializers.CharField(),
        help_text="The evidence in words, in the request's language (Fellegi–Sunter only)",
    )
    chosen = serializers.BooleanField(help_text="Whether it is the row's match")


class ResultSerializer(serializers.ModelSerializer):
    """One row's verdict and evidence. NIKs are masked unless the context asks for full ones
    (`full_nik`, supervisors only); register data is shown only for a match or candidate
    inside the reader's area (`area`; `registers`: the candidates' register rows that are)."""

    input_nik = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    register_id = serializers.SerializerMethodField()
    register_nik = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField()

    class Meta:
        model = BatchRow
        fields = [
            "id", "row_number", "input_nik", "name", "verdict", "reasons", "register_id",
            "register_nik", "decile", "match_method", "match_score", "review", "same_person_as",
            "problems", "candidates",
        ]  # fmt: skip

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, row) -> list:
        """The register rows a reviewer compares the row with, best first (of a match, the
        one chosen), those outside the reader's area left out."""
        registers = self.context.get("registers", {})
        out = []
        for c in row.candidates:
            register = registers.get(int(c["id"]))
            if register is None:
                continue
            out.append({
                "id": register.pk, "register_id": register.id_dtsen,
                "nik": self._nik(register.nik), "name": register.name,
                "birth_date": register.birth_date, "sex": register.sex,
                "village_code": register.village_code, "address": register.address,
                "decile": register.decile, "method": c["method"], "score": c["score"],
                "flags": c.get("flags", []),
                "probability": c.get("probability"), "evidence": c.get("evidence", []),
                "explanation": matching.explanation(
                    c, count=len(row.candidates), translate=_
                ),
                "comparisons": [
                    {
                        "field": x["field"], "level": x["level"], "agreement": x["agreement"],
                        "similarity": x.get("similarity"), "notes": x.get("notes", []),
                    }
                    for x in c.get("comparisons", ())
                ],
                "chosen": register.pk == row.match_id,
            })  # fmt: skip
        return CandidateSerializer(out, many=True).data

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, row) -> list:
        """What was wrong in the row's cells, each message in the request's language."""
        return [
            {
                "column": p["column"],
                "heading": p.get("heading") or p["column"],
                "code": p["code"],
                "message": text,
            }
            for p, text in zip(row.problems, row.problem_messages(bare=True), strict=True)
        ]

    def _nik(self, nik: str) -> str:
        return nik if self.context.get("full_nik") else mask_nik(nik)

    def _match(self, row):
        area = self.context.get("area", [])
        if row.match_id and policy.code_in_area(row.match.village_code, area):
            return row.match
        return None

    def get_input_nik(self, row) -> str:
        return self._nik(row.nik_input) if row.nik_input else ""

    def get_register_id(self, row) -> str | None:
        match = self._match(row)
        return match.id_dtsen if match else None

    def get_register_nik(self, row) -> str | None:
        match = self._match(row)
        return self._nik(match.nik) if match else None


class ReviewSerializer(serializers.Serializer):
    """`{"candidate": id}` chooses one of the row's candidates; `{"confirm": true}` confirms
    the proposed match (the first candidate); `{"confirm": false}` rejects them all."""

    confirm = serializers.BooleanField(required=False)
    candidate = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The `id` of one of the row's `candidates` in the results: it becomes the match",
    )

    def validate(self, data):
        candidate = data.get("candidate")
        if candidate is None and "confirm" not in data:
            raise serializers.ValidationError(_("Choose a candidate, or none of them."))
        if candidate is not None and data.get("confirm") is False:
            raise serializers.ValidationError(_("A rejection chooses no candidate."))
        return data


@extend_schema_view(
    list=extend_schema(
        summary="Your organisation's eligibility batches (counts and funnel: one batch)",
        responses=BatchListSerializer(many=True),
    ),
    retrieve=extend_schema(summary="Status, progress, counts per verdict and the funnel"),
)
@extend_schema(tags=["eligibility"])
class EligibilityBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = BatchSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EligibilityBatch.objects.none()
        return selectors.batch_list(user=self.request.user)

    def get_serializer_class(self):
        return BatchListSerializer if self.action == "list" else BatchSerializer

    @extend_schema(
        summary="Screen a proposal list (multipart `file`) or chosen clients (`client_ids`)",
        request={
            "multipart/form-data": BatchCreateSerializer,
            "application/json": BatchCreateSerializer,
        },
        responses={202: BatchSerializer},
    )
    def create(self, request):
        data = BatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        programme = Programme.objects.filter(
            pk=values["programme"], organisation_id=request.user.organisation_id
        ).first()
        if programme is None:
            raise serializers.ValidationError(
                {"programme": [_("No such programme in your organisation.")]}
            )
        snapshot = None
        if values["snapshot"]:
            snapshot = get_object_or_404(RegisterSnapshot, pk=values["snapshot"])
        batch = services.batch_create(
            by=request.user, programme=programme, snapshot=snapshot, name=values["name"],
            file=values["file"], client_ids=values["client_ids"], request=request,
        )  # fmt: skip
        return Response(
            BatchSerializer(batch, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="One row per proposal: verdict, reasons and the evidence",
        parameters=[
            OpenApiParameter("verdict", enum=Verdict.values, required=False),
            OpenApiParameter(
                "nik",
                enum=["full"],
                required=False,
                description="`full`: NIKs unmasked (supervisors only; audited).",
            ),
        ],  # fmt: skip
        responses={200: ResultSerializer(many=True), **errors(403)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        batch = self.get_object()
        verdict = request.query_params.get("verdict", "")
        if verdict and verdict not in Verdict.values:
            raise serializers.ValidationError({"verdict": [_("Unknown verdict code.")]})
        full_nik = request.query_params.get("nik") == "full"
        if full_nik and not policy.can_export(request.user):
            raise PermissionDenied(_("Only supervisors may read full NIKs."))
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=batch, request=request,
                     summary=f"results, nik={'full' if full_nik else 'masked'}")  # fmt: skip
        page = self.paginate_queryset(selectors.batch_rows(batch=batch, verdict=verdict))
        context = self._result_context(batch, page, full_nik=full_nik)
        return self.get_paginated_response(ResultSerializer(page, many=True, context=context).data)

    def _result_context(self, batch, rows, *, full_nik: bool = False) -> dict:
        user = self.request.user
        return {
            "full_nik": full_nik,
            "area": policy.area_codes(user),
            "registers": selectors.candidate_registers(batch=batch, rows=rows, user=user),
        }

    @extend_schema(summary="Screen the batch again", request=None, responses={202: BatchSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        batch = services.batch_rerun(batch=self.get_object(), by=request.user, request=request)
        return Response(BatchSerializer(batch).data, status=202)

    @extend_schema(
        summary="Choose one of the candidates of a row waiting for review, or reject them "
        "all (supervisors)",
        request=ReviewSerializer,
        responses=ResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"rows/(?P<row_pk>[0-9]+)/review")
    def review(self, request, pk=None, row_pk=None):
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._on_row(row_pk, lambda row: services.batch_row_review(
            row=row, by=request.user, confirm=data.validated_data.get("confirm", True),
            candidate_id=data.validated_data.get("candidate"), request=request,
        ))  # fmt: skip

    @extend_schema(
        summary="Undo the decision on a reviewed row: it waits for review again (supervisors; "
        "not once an aid proposal was made from it)",
        request=None,
        responses=ResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"rows/(?P<row_pk>[0-9]+)/reopen")
    def reopen(self, request, pk=None, row_pk=None):
        return self._on_row(
            row_pk, lambda row: services.batch_row_reopen(row=row, by=request.user, request=request)
        )

    def _on_row(self, row_pk, act) -> Response:
        """``act`` on a row of the batch; the row as the results give it."""
        batch = self.get_object()
        row = act(selectors.batch_row_get(batch=batch, pk=row_pk))
        return Response(ResultSerializer(row, context=self._result_context(batch, [row])).data)


def register(router):
    router.register("eligibility-batches", EligibilityBatchViewSet, basename="eligibility-batch")
