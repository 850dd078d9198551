from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    return device


@transaction.atomic
def totp_disable(*, user: User, request=None) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=user, request=request,
                 summary="two-factor login disabled")  # fmt: skip
