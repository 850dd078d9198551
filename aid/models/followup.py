import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .handover import Handover
from .proposal import Proposal

# Months after the first hand-over at which a follow-up visit is due.
FOLLOWUP_MONTHS = (1, 3, 6)


class FollowUp(models.Model):
    """A follow-up visit after the hand-over (1, 3 and 6 months): how the aid is used, and
    for entrepreneurship aid whether the business runs and what it earns a month."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        VISITED = "visited", _("Visited")
        NOT_REACHED = "not_reached", _("Not reached")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="followups"
    )
    handover = models.ForeignKey(
        Handover, verbose_name=_("hand-over"), on_delete=models.PROTECT, related_name="followups"
    )
    months = models.PositiveSmallIntegerField(_("months after hand-over"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DUE
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    business_running = models.BooleanField(_("business running"), null=True, blank=True)
    monthly_income = models.BigIntegerField(_("monthly income (Rp)"), null=True, blank=True)
    usage = models.TextField(_("how the aid is used"), blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "months"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        indexes = [models.Index(fields=["status", "due_on"], name="followup_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "months"], name="followup_once_per_month"),
            models.CheckConstraint(
                condition=Q(monthly_income__isnull=True) | Q(monthly_income__gte=0),
                name="followup_income_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="due") | Q(visited_on__isnull=False),
                name="followup_recorded_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} +{self.months}"

    @property
    def status_label(self) -> str:
        """The status as a person reads it: a visit not yet due is "scheduled"."""
        if self.status == self.Status.DUE and self.due_on > timezone.localdate():
            return str(_("Scheduled"))
        return self.get_status_display()

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.DUE and self.due_on < timezone.localdate()
