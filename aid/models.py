import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from cases.models import Client


class Programme(models.Model):
    """An ATENSI aid programme and its eligibility rules. Budgets arrive with the aid module."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular aid (food, hygiene, therapy)")
        VOCATIONAL = "vocational", _("Vocational aid")
        ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship aid")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="programmes",
    )  # fmt: skip
    max_decile = models.PositiveSmallIntegerField(_("highest eligible decile"), default=4)
    requires_assessment = models.BooleanField(_("completed assessment required"), default=True)
    requires_business = models.BooleanField(_("existing business required"), default=False)
    once_per_year = models.BooleanField(_("at most once per person per year"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("aid programme")
        verbose_name_plural = _("aid programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_decile__gte=1, max_decile__lte=10), name="programme_decile_1_10"
            ),
            models.UniqueConstraint(fields=["organisation", "name", "year"], name="programme_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class AidRecord(models.Model):
    """Aid a person received from a programme in a year (history for the once-a-year rule)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="records")
    nik = models.CharField(_("NIK"), max_length=16)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="aid_records"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    given_on = models.DateField(_("date given"))

    class Meta:
        ordering = ["-given_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "nik", "year"], name="aid_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"
