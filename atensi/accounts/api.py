"""API sign-in (a token for scripts and BNNK systems) and who the caller is."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from atensi.errors import ApplicationError

from . import policy


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
        help_text="The authenticator code, for users who enabled two-factor login.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


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
    """Exchange a username and password for an API token.

    Goes through django.contrib.auth.authenticate with the request, so django-axes counts
    failures and refuses a locked-out username + address; every refusal looks the same
    whether or not the username exists. Users who enabled two-factor login also give the
    code from their authenticator, as on the login page.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses=TokenSerializer,
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
        _check_second_factor(user, params.get("otp_token", "").strip())
        # The same signal a page login sends: axes resets its failure count, the audit
        # log records the login, last_login is updated.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _check_second_factor(user, code: str) -> None:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return
    if not code:
        raise ApplicationError(
            _("Enter the code from your authenticator app."),
            field="otp_token",
            code="otp_required",
        )
    if not device.verify_token(code):
        raise ApplicationError(
            _("The two-factor code is not correct. Try the newest code."), field="otp_token"
        )


class MeView(APIView):
    @extend_schema(summary="The signed-in user", responses=MeSerializer, tags=["auth"])
    def get(self, request):
        return Response(MeSerializer(request.user).data)
