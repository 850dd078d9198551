import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class Component(models.TextChoices):
    """The seven ATENSI components (Permensos 7/2021)."""

    DECENT_LIVING = "hidup_layak", _("Support for a decent living")
    CARE = "perawatan", _("Social care / parenting")
    FAMILY = "keluarga", _("Family support")
    THERAPY = "terapi", _("Physical, psychosocial and mental-spiritual therapy")
    VOCATIONAL = "vokasional", _("Vocational training / entrepreneurship coaching")
    AID = "bantuan", _("Social aid and social assistance")
    ACCESSIBILITY = "aksesibilitas", _("Accessibility support")


class Modality(models.TextChoices):
    FAMILY = "family", _("Family-based rehabilitation")
    COMMUNITY = "community", _("Community-based rehabilitation (IBM)")
    OUTPATIENT = "outpatient", _("Outpatient")
    INPATIENT = "inpatient", _("Inpatient (residential)")
    REFERRAL = "referral", _("Referral onward (medical rehabilitation / IPWL)")


class Assessment(models.Model):
    """The social assessment (asesmen) of a case: ASI domains plus the social-rehabilitation
    view; draft → completed (by the assessor) → approved (by a supervisor)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")
        APPROVED = "approved", _("Approved")

    class FamilySupport(models.TextChoices):
        STRONG = "strong", _("Strong")
        SOME = "some", _("Some")
        NONE = "none", _("None")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("date of assessment"))
    strengths = models.TextField(_("strengths"), blank=True)
    family_support = models.CharField(
        _("family support"), max_length=10, choices=FamilySupport.choices, blank=True
    )
    family_notes = models.TextField(_("family situation"), blank=True)
    economic_situation = models.TextField(_("economic situation"), blank=True)
    housing = models.TextField(_("housing"), blank=True)
    spirituality = models.TextField(_("spirituality"), blank=True)
    has_business = models.BooleanField(_("runs a small business (embrio usaha)"), default=False)
    business_kind = models.CharField(_("kind of business"), max_length=150, blank=True)
    business_since = models.DateField(_("business running since"), null=True, blank=True)
    business_monthly_income = models.PositiveIntegerField(
        _("monthly business income (Rp)"), null=True, blank=True
    )
    recommended_components = ArrayField(
        models.CharField(max_length=20, choices=Component.choices),
        verbose_name=_("recommended ATENSI components"),
        default=list,
        blank=True,
    )
    recommended_modality = models.CharField(
        _("recommended rehabilitation modality"), max_length=20, choices=Modality.choices,
        blank=True,
    )  # fmt: skip
    summary = models.TextField(_("summary"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        verbose_name = _("social assessment")
        verbose_name_plural = _("social assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(completed_at__isnull=False),
                name="assessment_completed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False),
                name="assessment_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=Q(has_business=False) | ~Q(business_kind=""),
                name="assessment_business_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.assessed_on}"


class AssessmentDomain(models.Model):
    """One ASI domain: notes and the 0–4 ratings of how troubled and how much help needed."""

    class Domain(models.TextChoices):
        MEDICAL = "medical", _("Medical status")
        EMPLOYMENT = "employment", _("Employment and support")
        DRUGS = "drugs", _("Drug and alcohol use")
        LEGAL = "legal", _("Legal status")
        FAMILY = "family", _("Family and social relationships")
        PSYCHIATRIC = "psychiatric", _("Psychiatric status")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    notes = models.TextField(_("notes"), blank=True)
    troubled = models.PositiveSmallIntegerField(_("how troubled (0–4)"))
    help_needed = models.PositiveSmallIntegerField(_("how much help needed (0–4)"))

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="assessment_domain_once"),
            models.CheckConstraint(
                condition=Q(troubled__lte=4, help_needed__lte=4), name="assessment_rating_0_4"
            ),
        ]

    def __str__(self) -> str:
        return self.get_domain_display()


class PlanItem(models.Model):
    """One line of the intervention plan made in the planning stage."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_items")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_items"
    )
    component = models.CharField(_("ATENSI component"), max_length=20, choices=Component.choices)
    goal = models.TextField(_("goal"))
    responsible = models.CharField(_("responsible party"), max_length=150)
    target_date = models.DateField(_("target date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_date", "created_at"]
        verbose_name = _("plan item")
        verbose_name_plural = _("intervention plan")

    def __str__(self) -> str:
        return self.get_component_display()
