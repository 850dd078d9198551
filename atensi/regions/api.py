from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.filters import OrderingFilter

from .models import Region
from .selectors import region_label, region_list, region_search


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    label = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "label"]
        read_only_fields = fields

    def get_label(self, region: Region) -> str:
        return region_label(region)


class RegionFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Region.Level.choices, required=False)
    parent = serializers.RegexField(r"^[0-9.]{1,13}$", required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    in_area = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        summary="List or search regions",
        parameters=[
            OpenApiParameter(
                "level",
                OpenApiTypes.INT,
                enum=Region.Level.values,
                description="1 province, 2 regency/city, 3 district, 4 village.",
            ),
            OpenApiParameter(
                "parent", OpenApiTypes.STR, description="Only the children of this code."
            ),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Name contains (case-insensitive); a code such as 16.02 also "
                "matches codes starting with it. Results then come by name.",
            ),
            OpenApiParameter(
                "in_area",
                OpenApiTypes.BOOL,
                description="Only regions inside the caller's service area.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One region by its Kemendagri code"),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Kemendagri area codes: reference data that every signed-in user may read."""

    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    filter_backends = [OrderingFilter]
    ordering_fields = ["code", "name", "level"]

    def get_queryset(self):
        if self.action != "list":
            return region_list()
        filters = RegionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        level = params.get("level")
        q = params.get("q", "")
        if params["in_area"]:
            qs = region_search(user=self.request.user, q=q, level=level, limit=None)
            if params.get("parent"):
                qs = qs.filter(parent_id=params["parent"])
            return qs
        return region_list(q=q, level=level, parent=params.get("parent"))
