"""Logins, failed logins and logouts go to the audit log (the username only, never a password).
A new password revokes the user's API tokens, whichever page or command set it."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record

from . import services
from .models import User


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None, action=AuditEvent.Action.LOGIN_FAILED, request=request,
        object_type="user", object_id=username[:64],
    )  # fmt: skip


@receiver(post_save, sender=User)
def on_password_change(sender, instance, created, update_fields=None, **kwargs):
    # set_password() keeps the new password in `_password` until the save that stores it
    # (the hook Django's own password_changed uses); a hash upgraded at sign-in clears it
    # first, so only a real change counts. An unusable password (sign-in disabled) counts too.
    if created:
        return
    password_saved = update_fields is None or "password" in update_fields
    if instance._password is not None or (password_saved and not instance.has_usable_password()):
        services.api_tokens_revoke(user=instance, by=None)
