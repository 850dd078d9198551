"""/api/v1/family-sessions/ and /api/v1/family-series/: family guidance sessions with their
attendance, and the series they belong to.

Reads go through rehab.selectors.family (a session outside the caller's area is a 404; a
family member of a client the caller may not read is listed without a name); writes validate
with a serializer, then call a rehab.services.family service. Reading a session's attendance
is an audited view.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from rehab.models.family import FamilySeries, FamilySession
from rehab.selectors import family as selectors
from rehab.services import family as services

VIEW = AuditEvent.Action.VIEW


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def _require_write(user, obj=None) -> None:
    if not selectors.can_write(user, obj):
        raise PermissionDenied


class SeriesSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    meetings_held = serializers.IntegerField(source="session_count", read_only=True)

    class Meta:
        model = FamilySeries
        fields = ["id", "name", "organisation", "village", "village_name", "planned_meetings",
                  "meetings_held", "description", "created_at"]  # fmt: skip
        read_only_fields = fields


class SeriesInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    village = serializers.CharField(max_length=13, help_text="Kemendagri village code.")
    planned_meetings = serializers.IntegerField(min_value=1, max_value=52)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class AttendeeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="row.pk", read_only=True)
    kind = serializers.SerializerMethodField(help_text="member or walk_in")
    member = serializers.SerializerMethodField(
        help_text="The family member's id, when the caller may read their client."
    )
    client = serializers.SerializerMethodField(help_text="The client's id, likewise.")
    name = serializers.CharField(
        read_only=True, help_text="Empty for a family member of a client the caller may not read."
    )
    relation = serializers.CharField(read_only=True)
    attended = serializers.BooleanField(source="row.attended", read_only=True)

    def get_kind(self, attendee) -> str:
        return "walk_in" if attendee.row.is_walk_in else "member"

    def get_member(self, attendee) -> uuid.UUID | None:
        return attendee.row.member_id if attendee.client else None

    def get_client(self, attendee) -> uuid.UUID | None:
        return attendee.client.pk if attendee.client else None


class SessionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    series = serializers.UUIDField(source="series_id", read_only=True, allow_null=True)
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    present = serializers.IntegerField(source="attendee_count", read_only=True)

    class Meta:
        model = FamilySession
        fields = [
            "id", "organisation", "series", "meeting_number", "date", "place", "village",
            "village_name", "topic", "facilitator", "notes", "present", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SessionDetailSerializer(SessionSerializer):
    attendees = serializers.SerializerMethodField()

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "attendees"]

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, session) -> list:
        return AttendeeSerializer(self.context["attendees"], many=True).data


class SessionInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    place = serializers.CharField(max_length=200)
    village = serializers.CharField(max_length=13, help_text="Kemendagri village code.")
    topic = serializers.CharField(max_length=200)
    facilitator = serializers.CharField(max_length=150)
    notes = serializers.CharField(required=False, allow_blank=True)
    series = serializers.UUIDField(required=False, allow_null=True,
                                   help_text="A series of your organisation.")  # fmt: skip
    meeting_number = serializers.IntegerField(
        min_value=1, max_value=52, required=False, allow_null=True,
        help_text="The meeting's number within the series.",
    )  # fmt: skip


class SessionFilterSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="Sessions on or after this date.")
    end = serializers.DateField(required=False, help_text="Sessions on or before this date.")
    village = serializers.CharField(
        required=False, max_length=13, help_text="A region code: sessions in it or below it."
    )
    series = serializers.UUIDField(required=False)


class AttendeeInputSerializer(serializers.Serializer):
    member = serializers.UUIDField(
        required=False, help_text="A family member of a client you may read."
    )
    name = serializers.CharField(
        max_length=150, required=False, allow_blank=True,
        help_text="A walk-in attendee's name (instead of `member`).",
    )  # fmt: skip
    relation = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    attended = serializers.BooleanField(required=False, default=True)

    def validate(self, data):
        if bool(data.get("member")) == bool(data.get("name", "").strip()):
            raise ValidationError(
                {"member": [_("Give either a family member or a walk-in's name.")]}
            )
        return data


class MarkInputSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.UUIDField(), allow_empty=True,
        help_text="The ids of the attendees who were present; the others on the list were not.",
    )  # fmt: skip


class MarkResultSerializer(serializers.Serializer):
    present = serializers.IntegerField()
    absent = serializers.IntegerField()


def _series_or_400(user, pk):
    if pk is None:
        return None
    series = FamilySeries.objects.filter(pk=pk, organisation_id=user.organisation_id).first()
    if series is None:
        raise ValidationError({"series": [_("Not found.")]})
    return series


@extend_schema_view(
    list=extend_schema(
        summary="Family guidance sessions in your area", parameters=[SessionFilterSerializer]
    ),  # fmt: skip
    retrieve=extend_schema(
        summary="One session with its attendance (audited)", responses=SessionDetailSerializer
    ),  # fmt: skip
    create=extend_schema(
        summary="Record a session",
        request=SessionInputSerializer,
        responses={201: SessionSerializer},
    ),  # fmt: skip
    partial_update=extend_schema(
        summary="Correct a session's details",
        request=SessionInputSerializer,
        responses=SessionSerializer,
    ),  # fmt: skip
)
@extend_schema(tags=["family guidance"])
class FamilySessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer
    queryset = FamilySession.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FamilySession.objects.none()
        filters = SessionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        user = self.request.user
        series = None
        if values.get("series"):
            series = selectors.series_list(user=user).filter(pk=values["series"]).first()
            if series is None:
                return FamilySession.objects.none()
        return selectors.session_list(
            user=user, start=values.get("start"), end=values.get("end"),
            village=values.get("village", ""), series=series,
        ).order_by("-date", "-created_at")  # fmt: skip

    def get_object(self) -> FamilySession:
        return selectors.session_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def _detail(self, request, session, status_code=status.HTTP_200_OK):
        audit_record(actor=request.user, action=VIEW, obj=session, request=request,
                     summary="attendance")  # fmt: skip
        session = selectors.session_get(user=request.user, pk=session.pk)
        attendees = selectors.attendees(user=request.user, session=session)
        data = SessionDetailSerializer(session, context={"attendees": attendees}).data
        return Response(data, status=status_code)

    def retrieve(self, request, pk=None):
        return self._detail(request, self.get_object())

    def create(self, request):
        _require_write(request.user)
        data = SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["series"] = _series_or_400(request.user, values.pop("series", None))
        session = services.session_create(by=request.user, request=request, **values)
        session = selectors.session_get(user=request.user, pk=session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        session = self.get_object()
        _require_write(request.user, session)
        data = SessionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "series" in values:
            values["series"] = _series_or_400(request.user, values["series"])
        services.session_update(session=session, by=request.user, request=request, **values)
        return Response(SessionSerializer(self.get_object()).data)

    @extend_schema(
        summary="List an attendee: a family member of a client, or a walk-in by name",
        request=AttendeeInputSerializer,
        responses={201: SessionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        _require_write(request.user, session)
        data = AttendeeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("member"):
            try:
                member = selectors.member_get(user=request.user, pk=values["member"])
            except Http404 as exc:
                raise ValidationError({"member": [_("Not found.")]}) from exc
            services.attendance_add_members(
                session=session, by=request.user, members=[member],
                attended=values["attended"], request=request,
            )  # fmt: skip
        else:
            services.attendance_add_walk_in(
                session=session, by=request.user, name=values["name"],
                relation=values["relation"], phone=values["phone"],
                attended=values["attended"], request=request,
            )  # fmt: skip
        return self._detail(request, session, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark who on the list was present (the others were absent)",
        request=MarkInputSerializer,
        responses=MarkResultSerializer,
    )
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        session = self.get_object()
        _require_write(request.user, session)
        data = MarkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        present, absent = services.attendance_mark(
            session=session, by=request.user, present=set(data.validated_data["present"]),
            request=request,
        )  # fmt: skip
        return Response({"present": present, "absent": absent})


@extend_schema_view(
    list=extend_schema(summary="Family guidance series in your area"),
    retrieve=extend_schema(summary="One series"),
    create=extend_schema(
        summary="Start a series", request=SeriesInputSerializer, responses={201: SeriesSerializer}
    ),  # fmt: skip
)
@extend_schema(tags=["family guidance"])
class FamilySeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):  # fmt: skip
    serializer_class = SeriesSerializer
    queryset = FamilySeries.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FamilySeries.objects.none()
        return selectors.series_list(user=self.request.user).order_by("-created_at")

    def get_object(self) -> FamilySeries:
        return selectors.series_get(user=self.request.user, pk=_uuid_or_404(self.kwargs["pk"]))

    def create(self, request):
        _require_write(request.user)
        data = SeriesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series = services.series_create(by=request.user, request=request, **data.validated_data)
        series = selectors.series_get(user=request.user, pk=series.pk)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("family-sessions", FamilySessionViewSet, basename="family-session")
    router.register("family-series", FamilySeriesViewSet, basename="family-series")
