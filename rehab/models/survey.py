"""The public satisfaction survey (IKM, PermenPAN-RB 14/2017): service units and responses.

A response holds the nine ratings and the respondent's profile as the regulation's sample
questionnaire asks it; never a name, an ID number, an address or a device id.
"""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.regions.models import Region
from atensi.summaries.triggers import dirty_triggers, everything_marks, local_date
from rehab.ikm import CODES

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a poster
CODE_LENGTH = 8


def new_code() -> str:
    """A short random public code for a unit's survey link."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SurveyUnit(models.Model):
    """A service unit whose users rate it (e.g. a clinic's outpatient service)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("public code"), max_length=16, unique=True, default=new_code)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="survey_units",
    )  # fmt: skip
    region = models.ForeignKey(
        Region, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.DecimalField(
        _("target index"), max_digits=3, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(4))],
        help_text=_("The index the unit aims for, from 1 to 4 (e.g. 3.90)."),
    )  # fmt: skip
    is_active = models.BooleanField(_("open for responses"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Its name and target are read as they are; its responses lie where it lies.
        triggers = dirty_triggers(
            "surveyunit",
            everything_marks("other"),
            on_update=(
                "SELECT 'survey'::text AS kind, DATE '0001-01-01' AS day, "
                "LEFT(v.region, 8) AS area FROM new_rows n JOIN old_rows o ON o.id = n.id "
                "CROSS JOIN LATERAL (VALUES (n.region_id), (o.region_id)) AS v(region) "
                "WHERE n.region_id IS DISTINCT FROM o.region_id "
                f"UNION ALL {everything_marks('other')}"
            ),
        )
        ordering = ["name"]
        verbose_name = _("survey unit")
        verbose_name_plural = _("survey units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="survey_unit_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=1, target__lte=4),
                name="survey_unit_target_1_4",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class AgeGroup(models.TextChoices):
    UNDER_20 = "<20", _("Under 20")
    FROM_20 = "20-29", _("20–29")
    FROM_30 = "30-39", _("30–39")
    FROM_40 = "40-49", _("40–49")
    FROM_50 = "50-59", _("50–59")
    FROM_60 = "60+", _("60 and over")


class Education(models.TextChoices):
    SD = "sd", _("Primary school or less (SD)")
    SMP = "smp", _("Junior high school (SMP)")
    SMA = "sma", _("Senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1–D3)")
    S1 = "s1", _("Bachelor (S1/D4)")
    S2 = "s2", _("Master (S2)")
    S3 = "s3", _("Doctorate (S3)")


class Occupation(models.TextChoices):
    PNS = "pns", _("Civil servant (PNS)")
    TNI = "tni", _("Armed forces (TNI)")
    POLRI = "polri", _("Police (POLRI)")
    PRIVATE = "swasta", _("Private employee")
    SELF_EMPLOYED = "wirausaha", _("Self-employed")
    OTHER = "lainnya", _("Other")


def _rating(code: str):
    return models.PositiveSmallIntegerField(
        code, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )


class SurveyResponse(models.Model):
    """One respondent's answers to a unit's survey. `entered_by` is set when staff typed in a
    paper questionnaire; an online response has none."""

    Sex = Sex
    AgeGroup = AgeGroup
    Education = Education
    Occupation = Occupation

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(
        SurveyUnit, verbose_name=_("survey unit"), on_delete=models.PROTECT,
        related_name="responses",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("answered at"), default=timezone.now)
    u1 = _rating("U1")
    u2 = _rating("U2")
    u3 = _rating("U3")
    u4 = _rating("U4")
    u5 = _rating("U5")
    u6 = _rating("U6")
    u7 = _rating("U7")
    u8 = _rating("U8")
    u9 = _rating("U9")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_group = models.CharField(_("age"), max_length=5, choices=AgeGroup.choices)
    education = models.CharField(_("education"), max_length=10, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=10, choices=Occupation.choices)
    suggestion = models.TextField(_("suggestion"), max_length=1000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered from paper by"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        triggers = dirty_triggers(
            "response",
            f"SELECT DISTINCT 'survey'::text AS kind, {local_date('r.submitted_at')} AS day, "
            "LEFT(u.region_id, 8) AS area FROM {rows} r "
            "JOIN rehab_surveyunit u ON u.id = r.unit_id",
        )
        ordering = ["submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["unit", "submitted_at"], name="survey_response_unit_at")]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{code.lower()}__gte": 1, f"{code.lower()}__lte": 4}),
                    name=f"survey_response_{code.lower()}_1_4",
                )
                for code in CODES
            ),
            models.CheckConstraint(
                condition=Q(sex__in=Sex.values), name="survey_response_sex_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.submitted_at:%Y-%m-%d}"

    @property
    def ratings(self) -> dict[str, int]:
        """{"U1": 4, …, "U9": 3}, as rehab.ikm.compute reads them."""
        return {code: getattr(self, code.lower()) for code in CODES}
