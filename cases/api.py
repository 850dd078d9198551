"""API for clients, family, consent, referrals and cases.

Reads come from the selectors (an object outside the caller's area is a 404), writes go
through the services; every retrieve of a person's record leaves a "view" audit event.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.db import transaction
from django.http import Http404
from django.utils import timezone
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

from atensi.accounts import policy
from atensi.accounts.models import Organisation
from atensi.api_schema import errors
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response

from . import selectors, services
from .choices import Education, MaritalStatus, Religion, Sex, Substance
from .models import (
    Case,
    CaseEvent,
    CaseNote,
    Client,
    Consent,
    ConsentWithdrawal,
    FamilyMember,
    Referral,
    Stage,
)
from .nik import mask_nik

VIEW = AuditEvent.Action.VIEW


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def _found_or_400(getter, field: str, pk):
    """A record named in the request body: one the caller may not see is simply not found."""
    try:
        return getter(pk=_uuid_or_404(pk))
    except (Http404, NotFound) as exc:
        raise ValidationError({field: [_("Not found.")]}) from exc


@contextmanager
def _errors_under(prefix: str):
    """Point a service's field error at the nested input it came from (new_client.nik)."""
    try:
        yield
    except ApplicationError as exc:
        if not exc.field:
            raise
        raise ApplicationError(exc.message, field=f"{prefix}.{exc.field}", code=exc.code) from exc


def _substances():
    return serializers.ListField(
        child=serializers.ChoiceField(choices=Substance.choices), required=False
    )


# --- clients ---------------------------------------------------------------------------


class ClientListSerializer(serializers.ModelSerializer):
    nik_masked = serializers.CharField(source="masked_nik", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = Client
        fields = ["id", "nik_masked", "full_name", "alias", "sex", "birth_date", "village",
                  "village_name", "created_at"]  # fmt: skip
        read_only_fields = fields


class ClientSerializer(serializers.ModelSerializer):
    """One client; the full NIK only for roles that work with it (policy.can_see_full_nik)."""

    nik = serializers.SerializerMethodField()
    nik_masked = serializers.CharField(source="masked_nik", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = Client
        fields = ["id", "nik", "nik_masked", "kk_number", "full_name", "alias", "sex",
                  "birth_place", "birth_date", "religion", "education", "occupation",
                  "marital_status", "phone", "address", "village", "village_name", "substances",
                  "registered_by", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nik(self, client: Client) -> str | None:
        return client.nik if policy.can_see_full_nik(self.context["request"].user) else None


class ClientInputSerializer(serializers.Serializer):
    # The NIK and KK are checked by the service, which says exactly what is wrong.
    kk_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    full_name = serializers.CharField(max_length=150)
    alias = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_date = serializers.DateField()
    religion = serializers.ChoiceField(choices=Religion.choices, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    marital_status = serializers.ChoiceField(
        choices=MaritalStatus.choices, required=False, allow_blank=True
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255)
    village = serializers.CharField(max_length=13, help_text="Kemendagri village code.")
    substances = _substances()


class ClientCreateSerializer(ClientInputSerializer):
    nik = serializers.CharField(max_length=40)
    allow_probable_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Register even though a client with the same name and birth date exists.",
    )


class FamilyMemberSerializer(serializers.ModelSerializer):
    nik_masked = serializers.SerializerMethodField()

    class Meta:
        model = FamilyMember
        fields = ["id", "relation", "full_name", "nik_masked", "phone", "created_at"]
        read_only_fields = fields

    def get_nik_masked(self, member: FamilyMember) -> str:
        return mask_nik(member.nik) if member.nik else ""


class FamilyMemberInputSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=FamilyMember.Relation.choices)
    full_name = serializers.CharField(max_length=150)
    nik = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "given_by", "given_by_name", "basis", "purposes", "date", "notes",
                  "recorded_by", "recorded_at"]  # fmt: skip
        read_only_fields = fields


class ConsentInputSerializer(serializers.Serializer):
    given_by = serializers.ChoiceField(choices=Consent.GivenBy.choices)
    given_by_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    basis = serializers.ChoiceField(choices=Consent.Basis.choices)
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=Consent.Purpose.choices))
    date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)


class ConsentWithdrawalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentWithdrawal
        fields = ["id", "withdrawn_by", "withdrawn_by_name", "purposes", "date", "reason",
                  "retained_basis", "recorded_by", "recorded_at"]  # fmt: skip
        read_only_fields = fields


class ConsentWithdrawalInputSerializer(serializers.Serializer):
    withdrawn_by = serializers.ChoiceField(choices=Consent.GivenBy.choices[:3])
    withdrawn_by_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=Consent.Purpose.choices))
    date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True)
    retained_basis = serializers.ChoiceField(
        choices=ConsentWithdrawal.RetainedBasis.choices, required=False
    )


class QueryFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)


class SearchMixin:
    """Names and NIKs never travel in a URL: list filters come in the query string, but a
    search term only in the body of `POST <list>/search/`, which answers like the list."""

    filter_serializer_class = QueryFilterSerializer

    def filter_params(self) -> dict:
        if self.action == "search":
            data = self.request.data
        else:
            if "q" in self.request.query_params:
                raise serializers.ValidationError(
                    {"q": [_("Send search terms in the body of POST …/search/, not in the URL.")]}
                )
            data = self.request.query_params
        filters = self.filter_serializer_class(data=data)
        filters.is_valid(raise_exception=True)
        return filters.validated_data


def search_action(serializer, summary, rows):
    """A fresh `search` action per viewset (DRF and spectacular annotate the function); it
    answers like the list, so it is documented as the paginated list of `rows`."""

    def search(self, request):
        return self.list(request)

    return extend_schema(summary=summary, request=serializer, responses=rows(many=True))(
        action(detail=False, methods=["post"])(search)
    )


@extend_schema_view(
    list=extend_schema(
        summary="List clients in your area (NIK masked)",
        responses=ClientListSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One client (audited)", responses=ClientSerializer),
    create=extend_schema(
        summary="Register a client",
        request=ClientCreateSerializer,
        responses={201: ClientSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a client's details (not the NIK)",
        request=ClientInputSerializer,
        responses=ClientSerializer,
    ),
)
@extend_schema(tags=["clients"])
class ClientViewSet(SearchMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    ordering_fields = ["full_name", "birth_date", "created_at"]
    search = search_action(
        QueryFilterSerializer,
        "Search clients: q = name or alias contains, or NIK/KK digits",
        ClientListSerializer,
    )

    def get_serializer_class(self):
        return ClientListSerializer if self.action in ("list", "search") else ClientSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Client.objects.none()
        params = self.filter_params()
        return selectors.client_list(user=self.request.user, q=params.get("q", ""))

    def get_object(self) -> Client:
        return selectors.client_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def retrieve(self, request, pk=None):
        client = self.get_object()
        audit_record(actor=request.user, action=VIEW, obj=client, request=request)
        return Response(ClientSerializer(client, context={"request": request}).data)

    def create(self, request):
        data = ClientCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_register(by=request.user, request=request, **data.validated_data)
        return Response(
            ClientSerializer(client, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request, pk=None):
        client = self.get_object()
        data = ClientInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        client = services.client_update(
            client=client, by=request.user, request=request, **data.validated_data
        )
        return Response(ClientSerializer(client, context={"request": request}).data)

    @extend_schema(
        methods=["GET"],
        summary="The client's family members (NIK masked)",
        responses=FamilyMemberSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a family member",
        request=FamilyMemberInputSerializer,
        responses={201: FamilyMemberSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def family(self, request, pk=None):
        client = self.get_object()
        if request.method == "GET":
            audit_record(actor=request.user, action=VIEW, obj=client, request=request,
                         summary="family")  # fmt: skip
            page = self.paginate_queryset(client.family.current())
            return self.get_paginated_response(FamilyMemberSerializer(page, many=True).data)
        data = FamilyMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.family_member_add(
            client=client, by=request.user, request=request, **data.validated_data
        )
        return Response(FamilyMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Correct a family member (kept in the member's history)",
        parameters=[OpenApiParameter("member_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=FamilyMemberInputSerializer,
        responses=FamilyMemberSerializer,
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a family member from the record (their attendance and aid stay)",
        parameters=[OpenApiParameter("member_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={204: None},
    )
    @action(
        detail=True, methods=["patch", "delete"], filter_backends=[],
        url_path=r"family/(?P<member_id>[^/.]+)",
    )  # fmt: skip
    def family_member(self, request, pk=None, member_id=None):
        client = self.get_object()
        member = client.family.current().filter(pk=_uuid_or_404(member_id)).first()
        if member is None:
            raise NotFound
        member.client = client
        if request.method == "DELETE":
            services.family_member_remove(member=member, by=request.user, request=request)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = FamilyMemberInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        member = services.family_member_update(
            member=member, by=request.user, request=request, **data.validated_data
        )
        return Response(FamilyMemberSerializer(member).data)

    @extend_schema(
        methods=["GET"],
        summary="The client's consent records",
        responses=ConsentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record consent or the lawful basis",
        request=ConsentInputSerializer,
        responses={201: ConsentSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def consents(self, request, pk=None):
        client = self.get_object()
        if request.method == "GET":
            audit_record(actor=request.user, action=VIEW, obj=client, request=request,
                         summary="consents")  # fmt: skip
            page = self.paginate_queryset(client.consents.all())
            return self.get_paginated_response(ConsentSerializer(page, many=True).data)
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_record(
            client=client, by=request.user, request=request, **data.validated_data
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Everything held about the client as XLSX, for their access request (audited)",
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, **errors(403)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], url_path="personal-data")
    def personal_data(self, request, pk=None):
        client = self.get_object()
        content, _rows = services.client_personal_data(
            client=client, by=request.user, request=request
        )
        return xlsx_response(content, f"data-pribadi-{timezone.localdate():%Y%m%d}.xlsx")

    @extend_schema(
        methods=["GET"],
        summary="The client's withdrawals of consent",
        responses=ConsentWithdrawalSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record that consent is withdrawn for some purposes (nothing new is recorded "
        "for them until consent is given again)",
        request=ConsentWithdrawalInputSerializer,
        responses={201: ConsentWithdrawalSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], filter_backends=[], url_path="consent-withdrawals"
    )
    def consent_withdrawals(self, request, pk=None):
        client = self.get_object()
        if request.method == "GET":
            audit_record(actor=request.user, action=VIEW, obj=client, request=request,
                         summary="consent withdrawals")  # fmt: skip
            page = self.paginate_queryset(client.withdrawals.all())
            return self.get_paginated_response(ConsentWithdrawalSerializer(page, many=True).data)
        data = ConsentWithdrawalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.consent_withdraw(
            client=client, by=request.user, request=request, **data.validated_data
        )
        return Response(
            ConsentWithdrawalSerializer(withdrawal).data, status=status.HTTP_201_CREATED
        )


# --- referrals -------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class ReferralSerializer(serializers.ModelSerializer):
    """What the referrer submitted plus the decision.

    Who the person became on our side (client, case, the referral it duplicates, the
    decider) is shown only to those who decide referrals; for a referrer those are null.
    """

    nik = serializers.SerializerMethodField()
    nik_masked = serializers.SerializerMethodField()
    nik_missing = serializers.BooleanField(read_only=True)
    referring_org_name = serializers.CharField(source="referring_org.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    client = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "reference", "source", "referring_org", "referring_org_name",
                  "referring_officer", "referral_date", "nik", "nik_masked", "nik_missing",
                  "full_name", "sex", "birth_date", "phone", "address", "region", "region_name",
                  "substances", "urine_test", "legal_status", "reason", "notes", "attachments",
                  "status", "submitted_at", "decided_at", "decline_reason", "withdraw_reason",
                  "client", "case", "duplicate_of", "decided_by"]  # fmt: skip
        read_only_fields = fields

    def _decider(self) -> bool:
        user = self.context["request"].user
        return policy.can_decide_referrals(user) or policy.has_role(user, {policy.Role.ADMIN})

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nik(self, referral: Referral) -> str | None:
        if not self.context.get("full_nik"):
            return None
        return referral.nik if policy.can_see_full_nik(self.context["request"].user) else None

    def get_nik_masked(self, referral: Referral) -> str:
        return mask_nik(referral.nik) if referral.nik else ""

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_client(self, referral: Referral):
        return referral.client_id if self._decider() else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_case(self, referral: Referral):
        case = referral.linked_case
        return case.pk if case is not None and self._decider() else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_duplicate_of(self, referral: Referral):
        return referral.duplicate_of_id if self._decider() else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_decided_by(self, referral: Referral):
        return referral.decided_by_id if self._decider() else None


class ReferralListSerializer(ReferralSerializer):
    """A list row: who, where from, and where it stands. Details come with the (audited) record."""

    class Meta(ReferralSerializer.Meta):
        fields = [
            "id", "reference", "source", "referring_org", "referring_org_name", "referral_date",
            "nik_masked", "nik_missing", "full_name", "region", "region_name", "status",
            "submitted_at", "decided_at", "client", "case",
        ]  # fmt: skip
        read_only_fields = fields


class ReferralInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Referral.Source.choices)
    referring_officer = serializers.CharField(max_length=150)
    referral_date = serializers.DateField()
    nik = serializers.CharField(max_length=40, required=False, allow_blank=True)
    full_name = serializers.CharField(max_length=150)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    region = serializers.CharField(max_length=13, help_text="Village or district code.")
    substances = _substances()
    urine_test = serializers.ChoiceField(choices=Referral.UrineTest.choices, required=False)
    legal_status = serializers.ChoiceField(choices=Referral.LegalStatus.choices, required=False)
    reason = serializers.CharField()
    notes = serializers.CharField(required=False, allow_blank=True)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="PDF, JPG or PNG files."
    )


class ReferralCorrectSerializer(ReferralInputSerializer):
    """What the referrer may correct while the referral is undecided (not source or files)."""

    source = None
    attachments = None


class ReferralAcceptSerializer(serializers.Serializer):
    client = serializers.UUIDField(required=False, help_text="An existing client.")
    new_client = ClientCreateSerializer(required=False, help_text="Or register a new client.")
    consent = ConsentInputSerializer(
        required=False, help_text="Consent to record first (needed for a new client)."
    )

    def validate(self, attrs):
        if ("client" in attrs) == ("new_client" in attrs):
            raise serializers.ValidationError(_("Give either client or new_client."))
        return attrs


class ReferralDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReferralWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReferralDuplicateSerializer(serializers.Serializer):
    original = serializers.UUIDField()


class ReferralFilterSerializer(QueryFilterSerializer):
    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List referrals (referrers: their organisation's; deciders: their area's)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Referral.Status.values),
        ],
    ),
    retrieve=extend_schema(summary="One referral (audited)"),
    create=extend_schema(
        summary="Submit a referral (JSON, or multipart with attachments)",
        request={
            "application/json": ReferralInputSerializer,
            "multipart/form-data": ReferralInputSerializer,
        },
        responses={201: ReferralSerializer},
    ),
)
@extend_schema(tags=["referrals"])
class ReferralViewSet(SearchMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ReferralSerializer
    ordering_fields = ["submitted_at", "referral_date", "status"]
    filter_serializer_class = ReferralFilterSerializer
    search = search_action(
        ReferralFilterSerializer,
        "Search referrals: q = reference or name contains",
        ReferralListSerializer,
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        params = self.filter_params()
        qs = selectors.referral_list(
            user=self.request.user, status=params.get("status", ""), q=params.get("q", "")
        )
        return qs.select_related("case").prefetch_related("attachments")

    def get_serializer_class(self):
        return ReferralListSerializer if self.action in ("list", "search") else ReferralSerializer

    def get_object(self) -> Referral:
        return self._get(self.kwargs["pk"])

    def _get(self, pk) -> Referral:
        return selectors.referral_get(user=self.request.user, pk=_uuid_or_404(pk))

    def _show(self, pk, *, full_nik: bool = False, code: int = status.HTTP_200_OK) -> Response:
        referral = (
            selectors.referral_list(user=self.request.user)
            .select_related("case")
            .prefetch_related("attachments")
            .get(pk=pk)
        )
        context = {"request": self.request, "full_nik": full_nik}
        return Response(ReferralSerializer(referral, context=context).data, status=code)

    def retrieve(self, request, pk=None):
        referral = self.get_object()
        audit_record(actor=request.user, action=VIEW, obj=referral, request=request)
        return self._show(referral.pk, full_nik=True)

    def create(self, request):
        data = ReferralInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_submit(by=request.user, request=request, **data.validated_data)
        return self._show(referral.pk, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a referral your organisation submitted, while it is undecided "
        "(earlier values kept in its history)",
        request=ReferralCorrectSerializer,
        responses=ReferralSerializer,
    )
    def partial_update(self, request, pk=None):
        referral = self.get_object()
        data = ReferralCorrectSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.referral_update(
            referral=referral, by=request.user, request=request, **data.validated_data
        )
        return self._show(referral.pk, full_nik=True)

    @extend_schema(
        summary="Withdraw a referral your organisation submitted, while it is undecided",
        request=ReferralWithdrawSerializer,
        responses=ReferralSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        referral = self.get_object()
        data = ReferralWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.referral_withdraw(
            referral=referral, by=request.user, reason=data.validated_data["reason"],
            request=request,
        )  # fmt: skip
        return self._show(referral.pk)

    @extend_schema(
        summary="Accept: link to a client (or register one with consent) and open a case",
        request=ReferralAcceptSerializer,
        responses=ReferralSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral = self.get_object()
        data = ReferralAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        # A failure anywhere (consent missing, NIK differs) leaves no client behind.
        with transaction.atomic():
            if "new_client" in params:
                with _errors_under("new_client"):
                    client = services.client_register(
                        by=request.user, request=request, **params["new_client"]
                    )
            else:
                client = _found_or_400(
                    lambda pk: selectors.client_get(user=request.user, pk=pk),
                    "client",
                    params["client"],
                )
            if "consent" in params:
                with _errors_under("consent"):
                    services.consent_record(
                        client=client, by=request.user, request=request, **params["consent"]
                    )
            services.referral_accept(
                referral=referral, by=request.user, client=client, request=request
            )
        return self._show(referral.pk)

    @extend_schema(
        summary="Decline, with the reason",
        request=ReferralDeclineSerializer,
        responses=ReferralSerializer,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral = self.get_object()
        data = ReferralDeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.referral_decline(
            referral=referral, by=request.user, reason=data.validated_data["reason"],
            request=request,
        )  # fmt: skip
        return self._show(referral.pk)

    @extend_schema(
        summary="Mark as a duplicate of another referral",
        request=ReferralDuplicateSerializer,
        responses=ReferralSerializer,
    )
    @action(detail=True, methods=["post"], url_path="mark-duplicate")
    def mark_duplicate(self, request, pk=None):
        referral = self.get_object()
        data = ReferralDuplicateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        original = _found_or_400(self._get, "original", data.validated_data["original"])
        services.referral_mark_duplicate(
            referral=referral, by=request.user, original=original, request=request
        )
        return self._show(referral.pk)


# --- cases -----------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    client_nik_masked = serializers.CharField(source="client.masked_nik", read_only=True)
    assigned_to_name = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "reference", "client", "client_name", "client_nik_masked",
                  "organisation", "assigned_to", "assigned_to_name", "referral", "stage",
                  "stage_changed_at", "next_action_due", "referred_to", "referred_to_org",
                  "opened_at", "closed_at", "allowed_transitions"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_to_name(self, case: Case) -> str | None:
        return str(case.assigned_to) if case.assigned_to_id else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Stage.choices)))
    def get_allowed_transitions(self, case: Case) -> list[str]:
        return [str(stage) for stage in services.allowed_transitions(case.stage)]


class StageOrNullField(serializers.ChoiceField):
    """A stage, or null on events that do not move the case (stored as blank)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Stage.choices, allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class CaseEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    from_stage = StageOrNullField()
    to_stage = StageOrNullField()
    text = serializers.CharField(
        source="description",
        read_only=True,
        help_text="What the event says, in the language of the request (Accept-Language), "
        "then what a person typed.",
    )

    class Meta:
        model = CaseEvent
        fields = ["id", "verb", "actor", "actor_name", "at", "from_stage", "to_stage", "text"]
        read_only_fields = fields

    def get_actor_name(self, event: CaseEvent) -> str:
        return str(event.actor)


class CaseNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseNote
        fields = ["id", "text", "author", "author_name", "created_at"]
        read_only_fields = fields

    def get_author_name(self, note: CaseNote) -> str:
        return str(note.author)


class CaseNoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class CaseTransitionSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(allow_blank=True)
    referred_to = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="A referral out to a place outside ATENSI.",
    )
    referred_to_org = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A referral out to an organisation in ATENSI, which may then open its own "
        "case; referred_to becomes its name.",
    )
    next_action_due = serializers.DateField(required=False, allow_null=True)


class CaseAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(help_text="Id of a caseworker of the case's organisation.")


class CaseOpenSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    assigned_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A caseworker of your organisation; you by default.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Needed when taking over a case another organisation referred out to yours.",
    )


class CaseFilterSerializer(QueryFilterSerializer):
    stage = serializers.ChoiceField(choices=[*Stage.values, "open"], required=False)
    mine = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        summary="List cases in your area",
        parameters=[
            OpenApiParameter(
                "stage",
                OpenApiTypes.STR,
                enum=[*Stage.values, "open"],
                description='A stage, or "open" for every stage but closed and referred out.',
            ),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only cases assigned to me."),
        ],
    ),
    retrieve=extend_schema(summary="One case (audited)"),
)
@extend_schema(tags=["cases"])
class CaseViewSet(SearchMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    ordering_fields = ["opened_at", "stage_changed_at", "next_action_due", "stage"]
    filter_serializer_class = CaseFilterSerializer
    search = search_action(
        CaseFilterSerializer, "Search cases: q = case number or name contains", CaseSerializer
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        params = self.filter_params()
        return selectors.case_list(
            user=self.request.user,
            stage=params.get("stage", ""),
            mine=params["mine"],
            q=params.get("q", ""),
        )

    def get_object(self) -> Case:
        return selectors.case_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def _show(self, case: Case) -> Response:
        case = selectors.case_get(user=self.request.user, pk=case.pk)
        return Response(CaseSerializer(case, context={"request": self.request}).data)

    def retrieve(self, request, pk=None):
        case = self.get_object()
        audit_record(actor=request.user, action=VIEW, obj=case, request=request)
        return Response(CaseSerializer(case, context={"request": request}).data)

    @extend_schema(
        summary="Open a case for a client (at intake)",
        request=CaseOpenSerializer,
        responses={201: CaseSerializer},
    )
    def create(self, request):
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        client = _found_or_400(
            lambda pk: selectors.client_get(user=user, pk=pk),
            "client",
            data.validated_data["client"],
        )
        assignee = user
        if data.validated_data.get("assigned_to") is not None:
            assignee = user.organisation.users.filter(pk=data.validated_data["assigned_to"]).first()
            if assignee is None:
                raise ValidationError(
                    {"assigned_to": [_("No user with this id in your organisation.")]}
                )
        case = services.case_open(
            client=client, by=user, organisation=user.organisation, assigned_to=assignee,
            reason=data.validated_data.get("reason", ""), request=request,
        )  # fmt: skip
        response = self._show(case)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        summary="Move the case to another ATENSI stage",
        request=CaseTransitionSerializer,
        responses=CaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        data = CaseTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_transition(
            case=case, by=request.user, request=request, **data.validated_data
        )
        return self._show(case)

    @extend_schema(
        summary="Assign the case to a caseworker (supervisors)",
        request=CaseAssignSerializer,
        responses=CaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        data = CaseAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = case.organisation.users.filter(pk=data.validated_data["assignee"]).first()
        if assignee is None:
            raise ValidationError(
                {"assignee": [_("No user with this id in the case's organisation.")]}
            )
        try:
            case = services.case_assign(
                case=case, by=request.user, assignee=assignee, request=request
            )
        except ApplicationError as exc:
            if exc.field != "assigned_to":
                raise
            raise ApplicationError(exc.message, field="assignee", code=exc.code) from exc
        return self._show(case)

    @extend_schema(
        summary="The case timeline, oldest first",
        responses=CaseEventSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, pk=None):
        case = self.get_object()
        audit_record(actor=request.user, action=VIEW, obj=case, request=request,
                     summary="timeline")  # fmt: skip
        page = self.paginate_queryset(selectors.case_timeline(case=case))
        return self.get_paginated_response(CaseEventSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"], summary="The case notes, newest first",
        responses=CaseNoteSerializer(many=True),
    )  # fmt: skip
    @extend_schema(
        methods=["POST"],
        summary="Add a note",
        request=CaseNoteInputSerializer,
        responses={201: CaseNoteSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def notes(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            audit_record(actor=request.user, action=VIEW, obj=case, request=request,
                         summary="notes")  # fmt: skip
            page = self.paginate_queryset(case.notes.select_related("author"))
            return self.get_paginated_response(CaseNoteSerializer(page, many=True).data)
        data = CaseNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.case_note_add(
            case=case, by=request.user, text=data.validated_data["text"], request=request
        )
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)
