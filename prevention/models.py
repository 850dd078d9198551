"""BNNK programme activities (prevention, community empowerment, early detection), enforcement
summaries, and village vulnerability (kawasan rawan narkoba) with Desa Bersinar designation.

These are programme data about institutions and villages, not about persons: no names of
participants or of the people tested are kept, only counts.
"""

import calendar
import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.regions.models import Region
from atensi.summaries.triggers import dirty_triggers


class Field(models.TextChoices):
    """The fields of a BNNK's work, as its yearly report groups them."""

    ERADICATION = "pemberantasan", _("Eradication")
    PREVENTION = "pencegahan", _("Prevention")
    EMPOWERMENT = "pemberdayaan", _("Community empowerment")
    REHABILITATION = "rehabilitasi", _("Rehabilitation")


class ActivityType(models.TextChoices):
    SOCIALISATION = "sosialisasi", _("Socialisation")
    TALK_SHOW = "talkshow", _("Talk show")
    ADVOCACY = "advokasi", _("Advocacy")
    FAMILY_RESILIENCE = "ketahanan_keluarga", _("Family-resilience programme")
    DESA_BERSINAR_GUIDANCE = "bimtek_desa_bersinar", _("Desa Bersinar technical guidance")
    ACTIVIST_TRAINING = "penggiat", _("Anti-drug activist training and inauguration")
    EARLY_DETECTION = "deteksi_dini", _("Early detection")
    URINE_TEST = "tes_urine", _("Urine test")
    IBM_SETUP = "pembentukan_ibm", _("IBM unit set-up")


# The one place that says which field of work each activity type belongs to.
FIELD_OF: dict[str, str] = {
    ActivityType.SOCIALISATION: Field.PREVENTION,
    ActivityType.TALK_SHOW: Field.PREVENTION,
    ActivityType.ADVOCACY: Field.PREVENTION,
    ActivityType.FAMILY_RESILIENCE: Field.PREVENTION,
    ActivityType.DESA_BERSINAR_GUIDANCE: Field.EMPOWERMENT,
    ActivityType.ACTIVIST_TRAINING: Field.EMPOWERMENT,
    ActivityType.EARLY_DETECTION: Field.EMPOWERMENT,
    ActivityType.URINE_TEST: Field.EMPOWERMENT,
    ActivityType.IBM_SETUP: Field.REHABILITATION,
}


def _field_matches_type() -> Q:
    condition = Q(pk__in=[])
    for field in Field.values:
        types = [str(t) for t, f in FIELD_OF.items() if f == field]
        if types:
            condition |= Q(field=field, type__in=types)
    return condition


class Activity(models.Model):
    """One programme activity of a BNNK/BNNP: where, for whom and how many took part."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="prevention_activities",
    )  # fmt: skip
    type = models.CharField(_("activity type"), max_length=30, choices=ActivityType.choices)
    field = models.CharField(_("field of work"), max_length=20, choices=Field.choices)
    date = models.DateField(_("date"))
    village = models.ForeignKey(
        Region, verbose_name=_("village or district"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    target = models.CharField(_("target institution or group"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    meetings = models.PositiveSmallIntegerField(_("meetings"), default=1)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        triggers = dirty_triggers("activity", everything=["other"])
        ordering = ["-date", "-created_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["organisation", "date"], name="prevention_activity_date")]
        constraints = [
            models.CheckConstraint(condition=_field_matches_type(), name="activity_field_of_type"),
            models.CheckConstraint(condition=Q(meetings__gte=1), name="activity_meetings_min"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.date:%d-%m-%Y}"


class UrineTestResult(models.Model):
    """How many people of one institution were tested at an activity, and how many positive."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE,
        related_name="urine_results",
    )  # fmt: skip
    institution = models.CharField(_("institution"), max_length=200)
    tested = models.PositiveIntegerField(_("tested"))
    positive = models.PositiveIntegerField(_("positive"), default=0)

    class Meta:
        triggers = dirty_triggers("urinetest", everything=["other"])
        ordering = ["id"]
        verbose_name = _("urine test result")
        verbose_name_plural = _("urine test results")
        constraints = [
            models.CheckConstraint(
                condition=Q(positive__lte=models.F("tested")), name="urine_positive_le_tested"
            ),
            models.CheckConstraint(condition=Q(tested__gte=1), name="urine_tested_min"),
            models.UniqueConstraint(
                fields=["activity", "institution"], name="urine_institution_once"
            ),
        ]

    def __str__(self) -> str:
        return self.institution


class Period(models.TextChoices):
    YEAR = "Y", _("Whole year")
    Q1 = "Q1", _("Quarter I")
    Q2 = "Q2", _("Quarter II")
    Q3 = "Q3", _("Quarter III")
    Q4 = "Q4", _("Quarter IV")
    M01 = "M01", _("January")
    M02 = "M02", _("February")
    M03 = "M03", _("March")
    M04 = "M04", _("April")
    M05 = "M05", _("May")
    M06 = "M06", _("June")
    M07 = "M07", _("July")
    M08 = "M08", _("August")
    M09 = "M09", _("September")
    M10 = "M10", _("October")
    M11 = "M11", _("November")
    M12 = "M12", _("December")


def period_dates(year: int, period: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a period of a year."""
    if period == Period.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if period.startswith("Q"):
        first = (int(period[1]) - 1) * 3 + 1
        last = first + 2
    else:
        first = last = int(period[1:])
    return (
        datetime.date(year, first, 1),
        datetime.date(year, last, calendar.monthrange(year, last)[1]),
    )


class EnforcementSummary(models.Model):
    """The cases disclosed and suspects named by an organisation in one period of a year
    (the whole year, a quarter or a month; periods of one organisation do not overlap)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="enforcement_summaries",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=3, choices=Period.choices)
    period_start = models.DateField(editable=False)
    period_end = models.DateField(editable=False)
    cases = models.PositiveIntegerField(_("cases"))
    suspects = models.PositiveIntegerField(_("suspects"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        triggers = dirty_triggers("enforcement", everything=["other"])
        ordering = ["-year", "period_start"]
        verbose_name = _("enforcement summary")
        verbose_name_plural = _("enforcement summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "period"], name="enforcement_period_once"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="enforcement_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_period_display()}"


class EnforcementTarget(models.Model):
    """The number of cases an organisation is to disclose in a year."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="enforcement_targets",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year"))
    target_cases = models.PositiveIntegerField(_("target cases"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        triggers = dirty_triggers("enftarget", everything=["other"])
        ordering = ["-year"]
        verbose_name = _("enforcement target")
        verbose_name_plural = _("enforcement targets")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="enforcement_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.target_cases}"


class Vulnerability(models.TextChoices):
    """Kawasan rawan narkoba, from the most to the least vulnerable."""

    BAHAYA = "bahaya", _("Bahaya (danger)")
    WASPADA = "waspada", _("Waspada (alert)")
    SIAGA = "siaga", _("Siaga (standby)")
    AMAN = "aman", _("Aman (safe)")


class Assessor(models.TextChoices):
    BNN = "BNN", _("BNN (national)")
    BNNP = "BNNP", _("BNNP (province)")
    BNNK = "BNNK", _("BNNK (regency/city)")


class VillageStatus(models.Model):
    """One assessment of a village's vulnerability; all rows are its history, the latest by
    assessment date is its current status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("vulnerability"), max_length=10, choices=Vulnerability.choices)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.CharField(_("assessed by"), max_length=4, choices=Assessor.choices)
    note = models.TextField(_("note"), blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("recorded by organisation"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = dirty_triggers("villagestatus", everything=["other"])
        ordering = ["village", "-assessed_on"]
        verbose_name = _("village vulnerability assessment")
        verbose_name_plural = _("village vulnerability assessments")
        indexes = [
            models.Index(fields=["village", "-assessed_on"], name="village_status_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "assessed_on"], name="village_status_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.status} {self.assessed_on}"


class DesaBersinar(models.Model):
    """A village designated Desa Bersinar (bersih narkoba, drug-free village)."""

    village = models.OneToOneField(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+",
        primary_key=True,
    )  # fmt: skip
    designated_on = models.DateField(_("designated on"))
    decree_no = models.CharField(_("decree number"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("recorded by organisation"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = dirty_triggers("bersinar", everything=["other"])
        verbose_name = _("Desa Bersinar designation")
        verbose_name_plural = _("Desa Bersinar designations")

    def __str__(self) -> str:
        return str(self.village_id)
