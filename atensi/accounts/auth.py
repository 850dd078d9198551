"""API token authentication: knox tokens, kept as digests, each with an expiry.

Refuses (401) a token that is unknown, revoked or expired, and the token of a user or an
organisation that has been deactivated. An expired token is deleted when it is shown.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import exceptions


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The token has expired. Sign in again to get a new one.")
    default_code = "token_expired"


class TokenAuthentication(knox_auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        invalid = exceptions.AuthenticationFailed(
            _("The token is not valid. Sign in again to get a new one.")
        )
        try:
            digest = hash_token(token.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise invalid from None
        # The digest is the primary key: a lookup, not a comparison against every token.
        auth_token = AuthToken.objects.select_related("user__organisation").filter(digest=digest)
        auth_token = auth_token.first()
        if auth_token is None:
            raise invalid
        if auth_token.expiry is None or auth_token.expiry <= timezone.now():
            auth_token.delete()
            raise TokenExpired()
        user = auth_token.user
        if not user.is_active or (user.organisation and not user.organisation.is_active):
            raise exceptions.AuthenticationFailed(_("This account is not active."))
        return user, auth_token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of the class above (drf-spectacular finds it on import)."""

    target_class = TokenAuthentication
    name = "tokenAuth"
