"""/api/v1/ for rehabilitation episodes (with their phases, end and relapse chain),
sessions, and aftercare follow-ups. Reads go through rehab.selectors (outside the caller's
reach: 404); writes validate, then call rehab.services. No NIK is shown here: BNNK staff see
of a client only the name the episode needs."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from atensi.accounts.models import Organisation, User
from atensi.api_schema import errors
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from cases.choices import Substance
from cases.models import Case
from rehab.models import AftercareFollowUp, Episode, EpisodePhase, IbmUnit, RecoveryAgent, Session
from rehab.selectors import episodes as selectors
from rehab.services import episodes as services


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = EpisodePhase
        fields = ["phase", "started_on", "ended_on"]


class EpisodeSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    next = serializers.SerializerMethodField()
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Episode
        fields = [
            "id", "reference", "client", "client_name", "case", "provider", "provider_name",
            "modality", "ibm_unit", "recovery_agent", "referred_to", "referral_accepted_on",
            "legal_route", "court_decision_no", "court_decision_date", "tat_assessed_on",
            "tat_recommendation", "started_on", "planned_end_on", "worker", "ended_on",
            "outcome", "outcome_note", "previous", "next", "phases",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next(self, episode) -> str | None:
        following = getattr(episode, "next", None)
        return str(following.pk) if following is not None else None


class EpisodeCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    provider = serializers.IntegerField(required=False, help_text="Default: your organisation.")
    modality = serializers.ChoiceField(choices=Episode.Modality.choices)
    legal_route = serializers.ChoiceField(choices=Episode.LegalRoute.choices)
    started_on = serializers.DateField()
    planned_end_on = serializers.DateField(required=False, allow_null=True)
    worker = serializers.IntegerField(required=False, help_text="Default: you.")
    ibm_unit = serializers.UUIDField(required=False, allow_null=True)
    recovery_agent = serializers.UUIDField(required=False, allow_null=True)
    referred_to = serializers.CharField(required=False, allow_blank=True, max_length=200)
    referral_accepted_on = serializers.DateField(required=False, allow_null=True)
    court_decision_no = serializers.CharField(required=False, allow_blank=True, max_length=100)
    court_decision_date = serializers.DateField(required=False, allow_null=True)
    tat_assessed_on = serializers.DateField(required=False, allow_null=True)
    tat_recommendation = serializers.CharField(required=False, allow_blank=True)
    previous = serializers.UUIDField(
        required=False, allow_null=True, help_text="The episode this one follows after a relapse."
    )


class EndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Episode.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    relapse_modality = serializers.ChoiceField(
        choices=Episode.Modality.choices, required=False,
        help_text="After a relapse, the new episode's modality (default: the same).",
    )  # fmt: skip
    relapse_started_on = serializers.DateField(required=False, allow_null=True)


class PhaseStartSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=EpisodePhase.Phase.choices)
    started_on = serializers.DateField()


INT_MAX = 2**31 - 1


def _not_found(field: str, text: str):
    return serializers.ValidationError({field: [text]})


def _lookup(model, pk, field, queryset=None):
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=pk).first()
    if found is None:
        raise _not_found(field, _("Not found."))
    return found


@extend_schema_view(
    list=extend_schema(
        summary="Episodes you may read: those your organisation provides, and those of "
        "clients in your area",
        parameters=[
            OpenApiParameter("modality", enum=Episode.Modality.values),
            OpenApiParameter("status", enum=["open", "ended", *Episode.Outcome.values]),
            OpenApiParameter("provider", {"type": "integer", "minimum": 1, "maximum": INT_MAX}),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1, "maximum": 9999},
                description="Year the episode started.",
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="One episode, with its phases and relapse links",
        responses={200: EpisodeSerializer, **errors(404)},
    ),  # fmt: skip
)
@extend_schema(tags=["rehabilitation"])
class EpisodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EpisodeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Episode.objects.none()
        params = self.request.query_params if self.action == "list" else {}
        modality = params.get("modality", "")
        if modality and modality not in Episode.Modality.values:
            raise _not_found("modality", _("Unknown modality."))
        state = params.get("status", "")
        if state and state not in ("open", "ended", *Episode.Outcome.values):
            raise _not_found("status", _("Unknown status."))
        provider = params.get("provider", "")
        year = params.get("year", "")
        for name, value, top in (("provider", provider, INT_MAX), ("year", year, 9999)):
            if value and not (value.isascii() and value.isdigit()):
                raise _not_found(name, _("A whole number is expected."))
            # Past the top there is no such organisation id or year (the database and the
            # calendar would fail on it).
            try:
                serializers.IntegerField(min_value=1, max_value=top).run_validation(value or 1)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({name: exc.detail}) from exc
        return (
            selectors.episode_list(user=self.request.user, modality=modality, status=state,
                                   provider=provider, year=int(year) if year else None)
            .select_related("next")
            .prefetch_related("phases")
            .order_by("-started_on", "reference")
        )  # fmt: skip

    def retrieve(self, request, *args, **kwargs):
        episode = self.get_object()
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=episode,
                     request=request)  # fmt: skip
        return Response(EpisodeSerializer(episode).data)

    @extend_schema(
        summary="Start an episode on a case (BNNK: on a case of its accepted referrals)",
        request=EpisodeCreateSerializer,
        responses={201: EpisodeSerializer, **errors(400, 403, 404, 409)},
    )
    def create(self, request):
        data = EpisodeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        case = Case.objects.filter(pk=values.pop("case")).first()
        if case is None or not services.may_start_on(user, case):
            raise _not_found("case", _("No such case that you may start an episode on."))
        values["provider"] = _lookup(
            Organisation, values.pop("provider", user.organisation_id), "provider"
        )
        values["worker"] = _lookup(User, values.pop("worker", user.pk), "worker")
        values["ibm_unit"] = _lookup(IbmUnit, values.pop("ibm_unit", None), "ibm_unit")
        values["recovery_agent"] = _lookup(
            RecoveryAgent, values.pop("recovery_agent", None), "recovery_agent"
        )
        values["previous"] = _lookup(
            Episode, values.pop("previous", None), "previous",
            selectors.episode_list(user=user),
        )  # fmt: skip
        episode = services.episode_start(by=user, case=case, request=request, **values)
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End the episode with its outcome (a relapse starts the next episode)",
        request=EndSerializer,
        responses={200: EpisodeSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        episode = self.get_object()  # first: outside the area is a 404, whatever the body
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        episode = services.episode_end(
            episode=episode, by=request.user, ended_on=values["ended_on"],
            outcome=values["outcome"], note=values.get("note", ""),
            relapse_modality=values.get("relapse_modality", ""),
            relapse_started_on=values.get("relapse_started_on"), request=request,
        )  # fmt: skip
        episode = self.get_queryset().get(pk=episode.pk)
        return Response(EpisodeSerializer(episode).data)

    @extend_schema(
        summary="Start the next phase of an inpatient episode",
        request=PhaseStartSerializer,
        responses={201: PhaseSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def phases(self, request, pk=None):
        episode = self.get_object()  # first: outside the area is a 404, whatever the body
        data = PhaseStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phase = services.episode_phase_start(episode=episode, by=request.user,
                                             request=request, **data.validated_data)  # fmt: skip
        return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="EpisodeSession")
class SessionSerializer(serializers.ModelSerializer):
    episode = serializers.UUIDField(source="episode_id")
    substances_found = serializers.ListField(
        child=serializers.ChoiceField(choices=Substance.choices), required=False
    )

    class Meta:
        model = Session
        fields = ["id", "episode", "date", "kind", "attendance", "urine_result",
                  "substances_found", "notes", "worker", "created_at"]  # fmt: skip
        read_only_fields = ["id", "worker", "created_at"]


@extend_schema_view(
    list=extend_schema(
        summary="Sessions of the episodes you may read",
        parameters=[OpenApiParameter("episode", OpenApiTypes.UUID, description="An episode's id.")],
    ),
    retrieve=extend_schema(responses={200: SessionSerializer, **errors(404)}),
)
@extend_schema(tags=["rehabilitation"])
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        qs = selectors.session_list(user=self.request.user).order_by("date", "created_at")
        episode = self.request.query_params.get("episode") if self.action == "list" else None
        if episode:
            qs = qs.filter(episode_id=_uuid(episode, "episode"))
        return qs

    @extend_schema(
        summary="Record a session of an episode you manage",
        request=SessionSerializer,
        responses={201: SessionSerializer, **errors(400, 403, 404, 409)},
    )
    def create(self, request):
        data = SessionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        episode = selectors.episode_list(user=request.user).filter(
            pk=values.pop("episode_id")
        ).first()  # fmt: skip
        if episode is None:
            raise _not_found("episode", _("Not found."))
        session = services.session_record(episode=episode, by=request.user, request=request,
                                          **values)  # fmt: skip
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


def _uuid(value: str, field: str):
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise _not_found(field, _("Not a valid id.")) from exc


class FollowUpSerializer(serializers.ModelSerializer):
    episode_reference = serializers.CharField(source="episode.reference", read_only=True)
    client_name = serializers.CharField(source="episode.client.full_name", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = AftercareFollowUp
        fields = [
            "id", "episode", "episode_reference", "client_name", "months", "due_on", "overdue",
            "status", "contacted_on", "used_since", "substances", "urine_test", "activity",
            "relapse", "note", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class FollowUpRecordSerializer(serializers.Serializer):
    reached = serializers.BooleanField(default=True)
    contacted_on = serializers.DateField()
    used_since = serializers.BooleanField(required=False, allow_null=True, default=None)
    substances = serializers.ListField(
        child=serializers.ChoiceField(choices=Substance.choices), required=False
    )
    urine_test = serializers.ChoiceField(
        choices=AftercareFollowUp.UrineTest.choices, required=False
    )
    activity = serializers.ChoiceField(choices=AftercareFollowUp.Activity.choices, required=False)
    relapse = serializers.BooleanField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        summary="Aftercare follow-ups of the episodes you may read",
        parameters=[
            OpenApiParameter("status", enum=["open", *AftercareFollowUp.Status.values]),
            OpenApiParameter(
                "due_by", OpenApiTypes.DATE, description="Due on or before this date."
            ),
        ],
    ),
    retrieve=extend_schema(responses={200: FollowUpSerializer, **errors(404)}),
)
@extend_schema(tags=["rehabilitation"])
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FollowUpSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AftercareFollowUp.objects.none()
        params = self.request.query_params if self.action == "list" else {}
        state = params.get("status", "")
        if state and state not in ("open", *AftercareFollowUp.Status.values):
            raise _not_found("status", _("Unknown status."))
        due_by = None
        if params.get("due_by"):
            due_by = serializers.DateField().run_validation(params["due_by"])
        return selectors.follow_up_list(
            user=self.request.user, status=state, due_by=due_by
        ).order_by("due_on", "months")

    @extend_schema(
        summary="Record a due follow-up once",
        request=FollowUpRecordSerializer,
        responses={200: FollowUpSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        follow_up = self.get_object()  # first: outside the area is a 404, whatever the body
        data = FollowUpRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        follow_up = services.follow_up_record(follow_up=follow_up, by=request.user,
                                              request=request, **values)  # fmt: skip
        return Response(FollowUpSerializer(follow_up).data)


def register(router) -> None:
    router.register("episodes", EpisodeViewSet, basename="episode")
    router.register("sessions", SessionViewSet, basename="session")
    router.register("follow-ups", FollowUpViewSet, basename="follow-up")
