import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who viewed, changed or exported which personal record, when and from where.

    Append-only: a database trigger refuses UPDATE and DELETE, whoever asks.
    Holds references (type + UUID) and field names, never the personal data itself.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGOUT = "logout", _("Logged out")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=50, blank=True)
    object_id = models.CharField(_("record"), max_length=64, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="web")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    @property
    def object_type_label(self) -> str:
        """The record type in the reader's language (stored as the model's name)."""
        from django.apps import apps

        for model in apps.get_models():
            if model._meta.model_name == self.object_type:
                return str(model._meta.verbose_name)
        return self.object_type

    @property
    def summary_label(self) -> str:
        """The summary in the reader's language (stored in one technical form)."""
        from .summaries import summary_label

        return summary_label(self.summary)

    @property
    def channel_label(self) -> str:
        return {"web": _("web page"), "api": _("API")}.get(self.channel, self.channel)
