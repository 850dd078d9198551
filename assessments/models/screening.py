import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Client


class Screening(models.Model):
    """One WHO ASSIST v3.1 interview. The raw answers are kept; scores are derived by
    `assessments.assist` and stored per substance for lists and dashboards."""

    class Injection(models.TextChoices):
        NEVER = "never", _("No, never")
        RECENT = "recent", _("Yes, in the past 3 months")
        EARLIER = "earlier", _("Yes, but not in the past 3 months")

    class Recommendation(models.TextChoices):
        BRIEF = "brief", _("Brief intervention / family-based rehabilitation")
        FURTHER = "further", _("Further (comprehensive) assessment")
        INPATIENT = "inpatient", _("Further assessment; inpatient care suggested")
        NONE = "none", _("No intervention needed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="screenings")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="screenings"
    )
    instrument = models.CharField(max_length=20, default="ASSIST-3.1", editable=False)
    screened_on = models.DateField(_("date of screening"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("answers"))
    injection = models.CharField(
        _("injection (Q8)"), max_length=10, choices=Injection.choices, default=Injection.NEVER
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_on", "-created_at"]
        verbose_name = _("ASSIST screening")
        verbose_name_plural = _("ASSIST screenings")

    def __str__(self) -> str:
        return f"ASSIST {self.screened_on}"


class ScreeningSubstance(models.Model):
    """The Specific Substance Involvement Score and risk level of one substance."""

    class Risk(models.TextChoices):
        LOW = "low", _("Low risk")
        MODERATE = "moderate", _("Moderate risk")
        HIGH = "high", _("High risk")

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="substances")
    substance = models.CharField(_("substance"), max_length=20)
    score = models.PositiveSmallIntegerField(_("score"))
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices)

    class Meta:
        ordering = ["screening", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "substance"], name="screening_substance_once"
            ),
            models.CheckConstraint(condition=Q(score__lte=39), name="screening_score_max_39"),
        ]

    def __str__(self) -> str:
        return f"{self.substance}: {self.score}"
