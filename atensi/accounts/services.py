import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError

from .models import User


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: User, token: str, request=None) -> TOTPDevice:
    device = totp_device_pending(user=user)
    if not device.verify_token(token.strip()):
        raise ApplicationError(_("The code is not correct. Try the newest code."), field="token")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=user, request=request,
                 summary="two-factor login enabled")  # fmt: skip
    # Tokens issued before were issued without the second factor.
    api_tokens_revoke(user=user, by=user, request=request)
    return device


def two_factor_setup_missing(user: User) -> bool:
    """A user of a role that must use two-factor login who has no authenticator yet."""
    return (
        user.role in settings.TWO_FACTOR_REQUIRED_ROLES
        and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


@transaction.atomic
def totp_disable(*, user: User, request=None) -> None:
    if user.role in settings.TWO_FACTOR_REQUIRED_ROLES:
        raise ApplicationError(
            _("Your role must sign in with two-factor login; it cannot be turned off."),
            code="conflict",
        )
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=user, request=request,
                 summary="two-factor login disabled")  # fmt: skip


def two_factor_required(user: User) -> bool:
    """Users who enabled two-factor login, and every user of a role that must use it."""
    return (
        user.role in settings.TWO_FACTOR_REQUIRED_ROLES
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


@transaction.atomic
def api_token_issue(*, user: User, otp_token: str = "") -> tuple[AuthToken, str]:
    """A new API token for a user whose password was checked: the second factor where it is
    required, for API_TOKEN_TTL seconds. Returns the stored row and the token (shown once);
    the user's expired tokens are deleted."""
    if user.organisation_id is not None and not user.organisation.is_active:
        raise ApplicationError(_("This account is not active."), code="inactive")
    if two_factor_required(user):
        _check_second_factor(user, otp_token.strip())
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return AuthToken.objects.create(
        user=user, expiry=datetime.timedelta(seconds=settings.API_TOKEN_TTL)
    )


def _check_second_factor(user: User, code: str) -> None:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise ApplicationError(
            _("Your role must sign in with two-factor login. Set it up on the website first."),
            code="two_factor_setup_required",
        )
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


@transaction.atomic
def api_tokens_revoke(*, user: User, by: User | None, request=None) -> int:
    """Delete every API token of `user`; audited (who, how many) when there were any."""
    count, _deleted = AuthToken.objects.filter(user=user).delete()
    if count:
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=user, request=request,
                     summary=f"API tokens revoked: {count}")  # fmt: skip
    return count


@transaction.atomic
def api_token_revoke(*, token: AuthToken, by: User | None = None, request=None) -> None:
    """Delete one API token: its holder at API logout (audited as the logout), or an
    administrator (audited here)."""
    count, _deleted = AuthToken.objects.filter(pk=token.pk).delete()
    if count and by is not None:
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=token.user, request=request,
                     summary=f"API tokens revoked: {count}")  # fmt: skip
