import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atensi import texts
from atensi.accounts.models import Organisation
from atensi.regions.models import Region
from atensi.summaries.triggers import dirty_triggers

from .choices import Education, MaritalStatus, Religion, Sex, Substance

NIK_PATTERN = r"^[0-9]{16}$"


def substance_labels(codes):
    labels = dict(Substance.choices)
    return [labels.get(code, code) for code in codes]


def substance_field(verbose_name):
    return ArrayField(
        models.CharField(max_length=20, choices=Substance.choices),
        verbose_name=verbose_name,
        default=list,
        blank=True,
    )


@pghistory.track(model_name="ClientHistory")
class Client(models.Model):
    """A person harmed by drug use (KPN). One client per NIK."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    kk_number = models.CharField(_("family card number (KK)"), max_length=16, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=20, choices=MaritalStatus.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    substances = substance_field(_("substances used"))
    registered_by = models.ForeignKey(
        Organisation,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_clients",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [
            models.Index(
                fields=["village"], name="client_village_prefix", opclasses=["text_pattern_ops"]
            ),
            models.Index(fields=["birth_date"], name="client_birth_date"),
            # The client list is ordered by name: page 1 walks this index, not a sort of all.
            models.Index(fields=["full_name"], name="client_full_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nik__regex=NIK_PATTERN), name="client_nik_16_digits"
            ),
            models.CheckConstraint(
                condition=Q(kk_number="") | Q(kk_number__regex=NIK_PATTERN),
                name="client_kk_16_digits",
            ),
            models.CheckConstraint(condition=Q(sex__in=["L", "P"]), name="client_sex_valid"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_nik(self) -> str:
        from .nik import mask_nik

        return mask_nik(self.nik)

    @property
    def age(self) -> int:
        from django.utils import timezone

        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def substance_labels(self):
        return substance_labels(self.substances)


class FamilyMemberQuerySet(models.QuerySet):
    def current(self):
        """The members still in the family (not removed)."""
        return self.filter(removed_at__isnull=True)


@pghistory.track(model_name="FamilyMemberHistory")
class FamilyMember(models.Model):
    class Relation(models.TextChoices):
        FATHER = "ayah", _("Father")
        MOTHER = "ibu", _("Mother")
        SPOUSE = "pasangan", _("Spouse")
        CHILD = "anak", _("Child")
        SIBLING = "saudara", _("Sibling")
        GUARDIAN = "wali", _("Guardian")
        OTHER = "lainnya", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    full_name = models.CharField(_("full name"), max_length=150)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Removal is a mark, not a delete: the member's guidance attendance and the aid handed to
    # them keep pointing at this row, and the history keeps who removed them.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    objects = FamilyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.CheckConstraint(
                condition=Q(nik="") | Q(nik__regex=NIK_PATTERN), name="family_nik_16_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


def purpose_labels(codes):
    labels = dict(Consent.Purpose.choices)
    return [labels.get(code, code) for code in codes]


@pghistory.track(model_name="ConsentHistory")
class Consent(models.Model):
    """Consent given at intake, or the lawful basis used when there is none (UU 27/2022)."""

    class GivenBy(models.TextChoices):
        CLIENT = "client", _("The client")
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")
        NONE = "none", _("No consent given")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        PUBLIC_DUTY = "public_duty", _("Public service duty")
        VITAL_INTEREST = "vital_interest", _("Vital interest of the person")

    class Purpose(models.TextChoices):
        ASSESSMENT = "assessment", _("Screening and assessment")
        REHABILITATION = "rehabilitation", _("Social rehabilitation services")
        AID = "aid", _("ATENSI aid and register matching")
        SHARING = "sharing", _("Sharing with partner institutions")
        CONTACT = "contact", _("Follow-up contact")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("consent given by"), max_length=20, choices=GivenBy.choices)
    given_by_name = models.CharField(_("name of the person consenting"), max_length=150, blank=True)
    basis = models.CharField(_("lawful basis"), max_length=20, choices=Basis.choices)
    purposes = ArrayField(
        models.CharField(max_length=20, choices=Purpose.choices), verbose_name=_("purposes")
    )
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-recorded_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=(Q(basis="consent") & ~Q(given_by="none"))
                | (~Q(basis="consent") & Q(given_by="none")),
                name="consent_basis_matches_giver",
            ),
            models.CheckConstraint(condition=~Q(purposes=[]), name="consent_has_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.date}"

    def purpose_labels(self):
        return purpose_labels(self.purposes)


class ConsentWithdrawal(models.Model):
    """Consent withdrawn for some purposes (UU 27/2022 art. 9 and 40): no further processing
    for them until consent is given again; what is already recorded stays under the legal
    duty named in `retained_basis`."""

    class RetainedBasis(models.TextChoices):
        LEGAL_DUTY = "legal_duty", _("Legal obligation of the social service (records of "
                                     "services and aid given)")  # fmt: skip
        PUBLIC_DUTY = "public_duty", _("Public service duty")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="withdrawals")
    withdrawn_by = models.CharField(
        _("withdrawn by"), max_length=20, choices=Consent.GivenBy.choices[:3]
    )
    withdrawn_by_name = models.CharField(
        _("name of the person withdrawing"), max_length=150, blank=True
    )
    purposes = ArrayField(
        models.CharField(max_length=20, choices=Consent.Purpose.choices),
        verbose_name=_("purposes"),
    )
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason given"), blank=True)
    retained_basis = models.CharField(
        _("lawful basis for keeping what is recorded"),
        max_length=20,
        choices=RetainedBasis.choices,
        default=RetainedBasis.LEGAL_DUTY,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-recorded_at"]
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")
        constraints = [
            models.CheckConstraint(condition=~Q(purposes=[]), name="withdrawal_has_purpose"),
            models.CheckConstraint(
                condition=~Q(withdrawn_by="none"), name="withdrawal_by_a_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}"

    def purpose_labels(self):
        return purpose_labels(self.purposes)


@pghistory.track(model_name="ReferralHistory")
class Referral(models.Model):
    class Source(models.TextChoices):
        BNNK = "bnnk", _("BNNK")
        BNNP = "bnnp", _("BNNP")
        POLICE = "police", _("Police")
        COURT = "court", _("Prosecutor / court decision")
        IPWL = "ipwl", _("IPWL")
        LKS = "lks", _("LKS")
        HEALTH = "health", _("Hospital / puskesmas")
        FAMILY = "family", _("Family")
        SELF = "self", _("Self-report")
        COMMUNITY = "community", _("Community")

    class UrineTest(models.TextChoices):
        NOT_TESTED = "not_tested", _("Not tested")
        NEGATIVE = "negative", _("Negative")
        POSITIVE = "positive", _("Positive")

    class LegalStatus(models.TextChoices):
        NONE = "none", _("No legal process")
        INVESTIGATION = "investigation", _("Under investigation")
        COURT_ORDERED = "court_ordered", _("Court-ordered rehabilitation")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DUPLICATE = "duplicate", _("Duplicate")
        WITHDRAWN = "withdrawn", _("Withdrawn by the referrer")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    referring_org = models.ForeignKey(
        Organisation,
        verbose_name=_("referring organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    referring_officer = models.CharField(_("referring officer"), max_length=150)
    referral_date = models.DateField(_("referral date"))
    # The person as the referrer knows them; may be incomplete.
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("village or district of residence"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    substances = substance_field(_("substances used"))
    urine_test = models.CharField(
        _("urine test"), max_length=20, choices=UrineTest.choices, default=UrineTest.NOT_TESTED
    )
    legal_status = models.CharField(
        _("legal status"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.NONE
    )
    reason = models.TextField(_("reason for referral"))
    notes = models.TextField(_("notes"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # Accepted for someone already in our care: the open case the referral joined.
    joined_case = models.ForeignKey(
        "Case", on_delete=models.PROTECT, null=True, blank=True, related_name="joined_referrals"
    )

    class Meta:
        triggers = dirty_triggers(
            "referral",
            "SELECT 'referrals'::text AS kind, referral_date AS day, LEFT(region_id, 8) AS area "
            "FROM {rows}",
        )
        ordering = ["-submitted_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(
                fields=["region"], name="referral_region_prefix", opclasses=["text_pattern_ops"]
            ),
            models.Index(fields=["status", "-submitted_at"], name="referral_status"),
            models.Index(fields=["-submitted_at"], name="referral_submitted_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nik="") | Q(nik__regex=NIK_PATTERN), name="referral_nik_16_digits"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(client__isnull=False),
                name="referral_accepted_has_client",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="referral_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdraw_reason=""),
                name="referral_withdrawn_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def substance_labels(self):
        return substance_labels(self.substances)

    @property
    def linked_case(self):
        """The case this accepted referral opened or joined."""
        return getattr(self, "case", None) or self.joined_case

    @property
    def masked_nik(self) -> str:
        from .nik import mask_nik

        return mask_nik(self.nik)

    @property
    def nik_missing(self) -> bool:
        return not self.nik

    @property
    def is_self_report(self) -> bool:
        return self.source in {self.Source.FAMILY, self.Source.SELF}


def attachment_path(instance, filename):
    # The stored name is random: the original name may carry personal data.
    return f"referrals/{instance.referral_id}/{uuid.uuid4().hex}"


class ReferralAttachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake (pendekatan awal)")
    ASSESSMENT = "assessment", _("Assessment (asesmen)")
    PLANNING = "planning", _("Planning (rencana intervensi)")
    INTERVENTION = "intervention", _("Intervention (pelaksanaan ATENSI)")
    REINTEGRATION = "reintegration", _("Reintegration")
    TERMINATION = "termination", _("Termination (terminasi)")
    AFTERCARE = "aftercare", _("Aftercare (bimbingan lanjut)")
    CLOSED = "closed", _("Closed")
    REFERRED_OUT = "referred_out", _("Referred out")


CLOSED_STAGES = (Stage.CLOSED, Stage.REFERRED_OUT)


@pghistory.track(model_name="CaseHistory")
class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("case number"), max_length=20, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    stage_changed_at = models.DateTimeField(_("in this stage since"))
    next_action_due = models.DateField(_("next action due"), null=True, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    # Set when the case is referred out to an organisation that works in the system: the
    # handover that lets it read the client and open its own case.
    referred_to_org = models.ForeignKey(
        Organisation,
        verbose_name=_("referred to organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_referred_in",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["assigned_to", "stage"], name="case_assignee_stage"),
            models.Index(fields=["-opened_at"], name="case_opened_at"),  # the case list's order
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "organisation"],
                condition=~Q(stage__in=["closed", "referred_out"]),
                name="case_one_open_per_client_and_org",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["closed", "referred_out"], closed_at__isnull=False)
                | (~Q(stage__in=["closed", "referred_out"]) & Q(closed_at__isnull=True)),
                name="case_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=~Q(stage="referred_out") | ~Q(referred_to=""),
                name="case_referred_out_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES


class CaseEvent(models.Model):
    """The case timeline: one append-only row per thing that happened on the case."""

    class Verb(models.TextChoices):
        OPENED = "opened", _("Case opened")
        REFERRAL = "referral", _("Referral accepted")
        STAGE = "stage", _("Stage changed")
        NOTE = "note", _("Note added")
        ASSIGNED = "assigned", _("Caseworker assigned")
        CONSENT = "consent", _("Consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        FAMILY = "family", _("Family member added")
        CLIENT_UPDATED = "client_updated", _("Client data changed")
        SCREENING = "screening", _("ASSIST screening recorded")
        ASSESSMENT = "assessment", _("Social assessment")
        PLAN = "plan", _("Intervention plan changed")
        AID_PROPOSED = "aid_proposed", _("Aid proposed")
        AID_SUBMITTED = "aid_submitted", _("Aid proposal submitted")
        AID_VERIFIED = "aid_verified", _("Aid proposal verified")
        AID_APPROVED = "aid_approved", _("Aid approved by decree")
        AID_REJECTED = "aid_rejected", _("Aid proposal rejected")
        AID_CANCELLED = "aid_cancelled", _("Aid proposal cancelled")
        AID_HANDED_OVER = "aid_handed_over", _("Aid handed over")
        AID_FOLLOW_UP = "aid_follow_up", _("Aid follow-up visit")
        AID_RESCREENED = "aid_rescreened", _("Aid proposal screened again")
        AID_CHANGED = "aid_changed", _("Aid proposal items changed")
        EPISODE_OPENED = "episode_opened", _("Rehabilitation episode started")
        EPISODE_PHASE = "episode_phase", _("Rehabilitation phase started")
        EPISODE_ENDED = "episode_ended", _("Rehabilitation episode ended")
        EPISODE_CHANGED = "episode_changed", _("Rehabilitation episode changed")
        AFTERCARE = "aftercare", _("Aftercare follow-up")
        FAMILY_UPDATED = "family_updated", _("Family member changed")
        FAMILY_REMOVED = "family_removed", _("Family member removed")
        FAMILY_SESSION = "family_session", _("Family guidance session attended")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(max_length=20, choices=Verb.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    # What the system says, as a message and its parameters (atensi.texts), rendered in the
    # reader's language; the text is what a person typed (a note, a reason), shown as typed.
    message = texts.MessageField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]
        triggers = [
            pgtrigger.Protect(
                name="caseevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.verb} {self.at:%Y-%m-%d}"

    @property
    def description(self) -> str:
        """What the event says in the reader's language: the system's words, then the
        words a person typed."""
        return "\n".join(part for part in (texts.render(self.message), self.text) if part)


class CaseNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case} {self.created_at:%Y-%m-%d}"
