"""API sign-in (a token for scripts and BNNK systems) and who the caller is."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from atensi.api_schema import ErrorBodySerializer
from atensi.errors import ApplicationError

from . import policy, services
from .auth import TokenAuthentication


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    otp_token = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The authenticator code: for users who enabled two-factor login and for "
        "roles that must use it.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, help_text="When the token stops working.")


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    role = serializers.CharField(read_only=True)
    organisation = OrganisationSerializer(read_only=True, allow_null=True)
    area_codes = serializers.SerializerMethodField()

    def get_area_codes(self, user) -> list[str]:
        return policy.area_codes(user)


class TokenView(APIView):
    """Exchange a username and password for an API token that lasts API_TOKEN_TTL seconds.

    Goes through django.contrib.auth.authenticate with the request, so django-axes counts
    failures and refuses a locked-out username + address; every refusal looks the same
    whether or not the username exists. Users who enabled two-factor login, and roles that
    must use it, also give the code from their authenticator. Each sign-in gives a new token.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        summary="Get an API token",
        description=(
            "The token goes in the header `Authorization: Token <token>` until `expiry`, "
            "or until an API logout, a password change, switching two-factor login on or an "
            "administrator revokes it."
        ),
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorBodySerializer, 429: ErrorBodySerializer},
        tags=["auth"],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        user = authenticate(
            request=request, username=params["username"], password=params["password"]
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise ApplicationError(
                    _("Too many failed sign-in attempts. Try again later."), code="locked_out"
                )
            raise ApplicationError(
                _("The username or password is not correct."), code="invalid_credentials"
            )
        instance, token = services.api_token_issue(user=user, otp_token=params.get("otp_token", ""))
        # The same signal a page login sends: axes resets its failure count, the audit
        # log records the login, last_login is updated.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """Revoke the token this request was made with; the user's other tokens stay."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(
        summary="Sign out: revoke this token",
        request=None,
        responses={204: None, 401: ErrorBodySerializer},
        tags=["auth"],
    )
    def post(self, request):
        services.api_token_revoke(token=request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=204)


class LogoutAllView(APIView):
    """Revoke every API token of the caller, on every device and script."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(
        summary="Sign out everywhere: revoke all your tokens",
        request=None,
        responses={204: None, 401: ErrorBodySerializer},
        tags=["auth"],
    )
    def post(self, request):
        services.api_tokens_revoke(user=request.user, by=request.user, request=request)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=204)


class MeView(APIView):
    @extend_schema(summary="The signed-in user", responses=MeSerializer, tags=["auth"])
    def get(self, request):
        return Response(MeSerializer(request.user).data)
