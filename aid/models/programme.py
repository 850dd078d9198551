import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assessments.models.assessment import Component
from atensi.accounts.models import Organisation
from atensi.regions.models import Region
from atensi.summaries.triggers import dirty_triggers
from cases.models import Client


class Programme(models.Model):
    """An ATENSI aid programme: its eligibility rules, funding, regions, budget and period."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular aid (food, hygiene, therapy)")
        VOCATIONAL = "vocational", _("Vocational aid")
        ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship aid")

    class Funding(models.TextChoices):
        APBN = "apbn", _("State budget (APBN)")
        APBD_PROVINCE = "apbd_province", _("Provincial budget (APBD province)")
        APBD_REGENCY = "apbd_regency", _("Regency/city budget (APBD regency/city)")
        OTHER = "other", _("Other source")

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
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=Funding.choices, default=Funding.OTHER
    )
    # Empty: the programme serves its organisation's whole service area.
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions served"), related_name="+", blank=True
    )
    budget_ceiling = models.BigIntegerField(_("budget ceiling (Rp)"), default=0)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)

    class Meta:
        # The budget is shown for the programme's year: its twelve months change.
        triggers = dirty_triggers(
            "programme",
            "SELECT 'other'::text AS kind, make_date(r.year, m, 1) AS day, '' AS area "
            "FROM {rows} r CROSS JOIN generate_series(1, 12) AS m",
        )
        ordering = ["-year", "name"]
        verbose_name = _("aid programme")
        verbose_name_plural = _("aid programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_decile__gte=1, max_decile__lte=10), name="programme_decile_1_10"
            ),
            models.UniqueConstraint(fields=["organisation", "name", "year"], name="programme_once"),
            models.CheckConstraint(
                condition=Q(budget_ceiling__gte=0), name="programme_ceiling_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=F("period_end")),
                name="programme_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    @property
    def screens_deciles(self) -> bool:
        """A highest eligible decile of 10 lets everyone through: no register match needed."""
        return self.max_decile < 10


class AidItem(models.Model):
    """One line of a programme's catalogue: what is given, under which ATENSI component."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        CASH = "cash", _("Cash")
        SERVICE = "service", _("Service")
        ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship capital or equipment")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("name"), max_length=200)
    component = models.CharField(_("ATENSI component"), max_length=20, choices=Component.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=50)
    unit_cost = models.BigIntegerField(_("unit cost (Rp)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("aid item")
        verbose_name_plural = _("aid items")
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gt=0), name="aiditem_unit_cost_positive"),
            models.UniqueConstraint(fields=["programme", "name"], name="aiditem_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


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
