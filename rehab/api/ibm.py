"""/api/v1/ibm-units/: the IBM units the caller may read, with their recovery agents nested
(read-only); the organisation that set a unit up creates units and adds agents (agents/).
Reads go through rehab.selectors.ibm; writes validate, then call a rehab.services.ibm service.
Clients are not listed here: a unit gives only the count of clients it supports."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from atensi.api_schema import errors
from rehab.models.episodes import IbmUnit, RecoveryAgent
from rehab.selectors import ibm as selectors
from rehab.services import ibm as services


class RecoveryAgentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecoveryAgent
        fields = ["id", "full_name", "phone", "trained_on", "is_active"]
        read_only_fields = fields


class IbmUnitSerializer(serializers.ModelSerializer):
    village = serializers.CharField(
        source="village_id", read_only=True, help_text="Kemendagri village code"
    )
    village_name = serializers.CharField(source="village.name", read_only=True)
    organisation = serializers.CharField(
        source="organisation.name", read_only=True, help_text="The organisation that set it up."
    )
    active_agents = serializers.IntegerField(read_only=True)
    clients_supported = serializers.IntegerField(
        read_only=True, help_text="Distinct clients of the unit's open episodes."
    )
    agents = RecoveryAgentSerializer(many=True, read_only=True)

    class Meta:
        model = IbmUnit
        fields = [
            "id", "name", "village", "village_name", "organisation", "established_on",
            "is_active", "active_agents", "clients_supported", "agents",
        ]  # fmt: skip
        read_only_fields = fields


class IbmUnitCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    village = serializers.CharField(max_length=20, help_text="Kemendagri village code, dotted.")
    established_on = serializers.DateField(required=False, allow_null=True)


class RecoveryAgentCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    trained_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="The IBM units you may read, with their recovery agents"),
    retrieve=extend_schema(
        summary="One IBM unit with its recovery agents",
        responses={200: IbmUnitSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["rehab"])
class IbmUnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IbmUnitSerializer
    ordering_fields = ["name", "established_on"]
    ordering = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IbmUnit.objects.none()
        return selectors.units_with_agents(user=self.request.user)

    def _unit(self, pk):
        unit = selectors.units_with_agents(user=self.request.user).get(pk=pk)
        return IbmUnitSerializer(unit).data

    @extend_schema(
        summary="Set up an IBM unit of your organisation in a village of its area",
        request=IbmUnitCreateSerializer,
        responses={201: IbmUnitSerializer, **errors(400, 403, 409)},
    )
    def create(self, request):
        data = IbmUnitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = services.ibm_unit_create(by=request.user, request=request, **data.validated_data)
        return Response(self._unit(unit.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add a recovery agent to a unit of your organisation",
        request=RecoveryAgentCreateSerializer,
        responses={201: RecoveryAgentSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def agents(self, request, pk=None):
        unit = self.get_object()
        data = RecoveryAgentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = services.recovery_agent_add(unit=unit, by=request.user, request=request,
                                            **data.validated_data)  # fmt: skip
        return Response(RecoveryAgentSerializer(agent).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("ibm-units", IbmUnitViewSet, basename="ibm-unit")
