"""Rehabilitation episodes: who is treated where and how, their phases and sessions, how the
episode ended, and the aftercare follow-ups after it. Community-based recovery units (IBM)
with their recovery agents, and outreach visits that may become referrals."""

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.regions.models import Region
from atensi.summaries.triggers import dirty_triggers
from cases.choices import Substance
from cases.models import Case, Client, Referral, substance_labels


class IbmUnit(models.Model):
    """A community-based recovery unit (Intervensi Berbasis Masyarakat) set up in a village."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=150)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("set up by"), on_delete=models.PROTECT,
        related_name="ibm_units",
    )  # fmt: skip
    established_on = models.DateField(_("set up on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("IBM unit")
        verbose_name_plural = _("IBM units")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="ibm_unit_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RecoveryAgent(models.Model):
    """A recovery agent (agen pemulihan) of an IBM unit: a trained member of the community."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(
        IbmUnit, verbose_name=_("IBM unit"), on_delete=models.CASCADE, related_name="agents"
    )
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("recovery agent")
        verbose_name_plural = _("recovery agents")

    def __str__(self) -> str:
        return self.full_name


class Modality(models.TextChoices):
    OUTPATIENT = "rawat_jalan", _("Outpatient (rawat jalan)")
    INPATIENT = "rawat_inap", _("Inpatient / residential (rawat inap)")
    FAMILY = "keluarga", _("Family-based (berbasis keluarga)")
    COMMUNITY = "ibm", _("Community-based (IBM)")
    REFERRAL = "rujukan", _("Referral onward")


class LegalRoute(models.TextChoices):
    VOLUNTARY = "sukarela", _("Voluntary")
    FAMILY_REPORT = "lapor_keluarga", _("Family self-report")
    COMPULSORY = "wajib_lapor", _("Compulsory reporting (wajib lapor)")
    COURT = "putusan", _("Court-ordered")


class Outcome(models.TextChoices):
    COMPLETED = "selesai", _("Completed")
    DROPPED_OUT = "putus", _("Dropped out")
    RELAPSED = "kambuh", _("Relapsed")
    REFERRED_ON = "dirujuk", _("Referred on")
    DIED = "meninggal", _("Died")
    MOVED = "pindah", _("Moved away")


# Outcomes after which the aftercare follow-ups are scheduled: a relapse opens a new episode,
# a referral continues elsewhere, and the others leave nobody to follow up.
FOLLOWED_UP_OUTCOMES = (Outcome.COMPLETED, Outcome.DROPPED_OUT)


@pghistory.track(model_name="EpisodeHistory")
class Episode(models.Model):
    """One course of rehabilitation of a client by one provider, from start to outcome."""

    Modality = Modality
    LegalRoute = LegalRoute
    Outcome = Outcome

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("episode number"), max_length=20, unique=True)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="episodes"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="episodes"
    )
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT,
        related_name="provided_episodes",
    )  # fmt: skip
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    ibm_unit = models.ForeignKey(
        IbmUnit, verbose_name=_("IBM unit"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="episodes",
    )  # fmt: skip
    recovery_agent = models.ForeignKey(
        RecoveryAgent, verbose_name=_("recovery agent"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="episodes",
    )  # fmt: skip
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    referral_accepted_on = models.DateField(_("accepted there on"), null=True, blank=True)
    legal_route = models.CharField(_("legal route"), max_length=20, choices=LegalRoute.choices)
    court_decision_no = models.CharField(_("court decision number"), max_length=100, blank=True)
    court_decision_date = models.DateField(_("court decision date"), null=True, blank=True)
    tat_assessed_on = models.DateField(
        _("assessed by the integrated assessment team (TAT) on"), null=True, blank=True
    )
    tat_recommendation = models.TextField(_("TAT recommendation"), blank=True)
    started_on = models.DateField(_("started on"))
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible worker"), on_delete=models.PROTECT,
        related_name="rehab_episodes",
    )  # fmt: skip
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    # A relapse opens a new episode that continues this chain.
    previous = models.OneToOneField(
        "self", verbose_name=_("previous episode"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="next",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        triggers = dirty_triggers(
            "episode",
            "SELECT DISTINCT 'episodes'::text AS kind, r.started_on AS day, "
            "LEFT(c.village_id, 8) AS area FROM {rows} r JOIN cases_client c ON c.id = r.client_id",
        )
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("rehabilitation episode")
        verbose_name_plural = _("rehabilitation episodes")
        indexes = [
            models.Index(fields=["provider", "ended_on"], name="episode_provider_open"),
            models.Index(fields=["modality", "started_on"], name="episode_modality_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "provider"],
                condition=Q(ended_on__isnull=True),
                name="episode_one_open_per_client_and_provider",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(modality="ibm", ibm_unit__isnull=False)
                | (~Q(modality="ibm") & Q(ibm_unit__isnull=True, recovery_agent__isnull=True)),
                name="episode_ibm_unit_iff_community",
            ),
            models.CheckConstraint(
                condition=~Q(modality="rujukan") | ~Q(referred_to=""),
                name="episode_referral_has_destination",
            ),
            models.CheckConstraint(
                condition=~Q(legal_route="putusan")
                | (~Q(court_decision_no="") & Q(court_decision_date__isnull=False)),
                name="episode_court_order_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, outcome="")
                | (Q(ended_on__isnull=False) & ~Q(outcome="")),
                name="episode_ended_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="episode_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True)
                | Q(planned_end_on__gte=models.F("started_on")),
                name="episode_planned_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def is_overdue(self) -> bool:
        """Still open after its planned end."""
        return (
            self.ended_on is None
            and self.planned_end_on is not None
            and self.planned_end_on < timezone.localdate()
        )


class Phase(models.TextChoices):
    DETOX = "detoks", _("Detoxification")
    ENTRY = "entry", _("Entry")
    PRIMARY = "primer", _("Primary programme")
    RE_ENTRY = "re_entry", _("Re-entry")


PHASE_ORDER = [Phase.DETOX, Phase.ENTRY, Phase.PRIMARY, Phase.RE_ENTRY]


class EpisodePhase(models.Model):
    """A phase of an inpatient episode; phases follow one another in their fixed order."""

    Phase = Phase

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["episode", "phase"], name="episode_phase_once"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="episode_phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.get_phase_display()


class SessionKind(models.TextChoices):
    COUNSELLING = "konseling", _("Individual counselling")
    GROUP = "kelompok", _("Group therapy")
    PSYCHOSOCIAL = "psikososial", _("Psychosocial therapy")
    PHYSICAL = "fisik", _("Physical therapy")
    SPIRITUAL = "mental_spiritual", _("Mental-spiritual guidance")
    VOCATIONAL = "vokasional", _("Vocational training")
    FAMILY = "keluarga", _("Family session")
    HOME_VISIT = "kunjungan_rumah", _("Home visit")
    URINE_TEST = "tes_urin", _("Urine test")


class UrineResult(models.TextChoices):
    NEGATIVE = "negatif", _("Negative")
    POSITIVE = "positif", _("Positive")


class Session(models.Model):
    """One session of an episode: what was done, whether the client came, the worker's notes."""

    Kind = SessionKind
    UrineResult = UrineResult

    class Attendance(models.TextChoices):
        PRESENT = "hadir", _("Present")
        ABSENT = "tidak_hadir", _("Absent")
        EXCUSED = "izin", _("Excused")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.PRESENT
    )
    urine_result = models.CharField(
        _("urine test result"), max_length=10, choices=UrineResult.choices, blank=True
    )
    substances_found = ArrayField(
        models.CharField(max_length=20, choices=Substance.choices),
        verbose_name=_("substances found"), default=list, blank=True,
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("worker"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["episode", "date"], name="session_episode_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="tes_urin", attendance="hadir") & ~Q(urine_result="")
                | ~Q(kind="tes_urin", attendance="hadir") & Q(urine_result=""),
                name="session_urine_result_iff_tested",
            ),
            models.CheckConstraint(
                condition=Q(urine_result="positif") | Q(substances_found=[]),
                name="session_substances_only_when_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d-%m-%Y}"

    @property
    def substance_labels(self) -> list[str]:
        return substance_labels(self.substances_found)


class Activity(models.TextChoices):
    WORKING = "bekerja", _("Working")
    SCHOOL = "sekolah", _("In school or training")
    NONE = "tidak", _("Neither working nor in school")


@pghistory.track(model_name="AftercareFollowUpHistory")
class AftercareFollowUp(models.Model):
    """An aftercare follow-up (bimbingan lanjut) 1, 3 or 6 months after an episode ended."""

    Activity = Activity

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")

    class UrineTest(models.TextChoices):
        NOT_TESTED = "tidak_dites", _("Not tested")
        NEGATIVE = "negatif", _("Negative")
        POSITIVE = "positif", _("Positive")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    months = models.PositiveSmallIntegerField(_("months after the episode"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DUE
    )
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    used_since = models.BooleanField(_("substance use since the last contact"), null=True)
    substances = ArrayField(
        models.CharField(max_length=20, choices=Substance.choices),
        verbose_name=_("substances used"), default=list, blank=True,
    )  # fmt: skip
    urine_test = models.CharField(
        _("urine test"), max_length=12, choices=UrineTest.choices, blank=True
    )
    activity = models.CharField(
        _("work or schooling"), max_length=10, choices=Activity.choices, blank=True
    )
    relapse = models.BooleanField(_("relapse"), null=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = dirty_triggers(
            "followup",
            "SELECT DISTINCT 'follow_ups'::text AS kind, r.due_on AS day, "
            "LEFT(c.village_id, 8) AS area FROM {rows} r "
            "JOIN rehab_episode e ON e.id = r.episode_id JOIN cases_client c ON c.id = e.client_id",
        )
        ordering = ["due_on", "months"]
        verbose_name = _("aftercare follow-up")
        verbose_name_plural = _("aftercare follow-ups")
        indexes = [models.Index(fields=["status", "due_on"], name="aftercare_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["episode", "months"], name="aftercare_once_per_month"),
            models.CheckConstraint(
                condition=Q(status="due") | Q(contacted_on__isnull=False),
                name="aftercare_recorded_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="reached")
                | Q(used_since__isnull=False, relapse__isnull=False) & ~Q(activity=""),
                name="aftercare_reached_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.episode} +{self.months}"

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.DUE and self.due_on < timezone.localdate()


class Outreach(models.Model):
    """A field visit after a report from the community or an LKS; it may become a referral."""

    class ReportedBy(models.TextChoices):
        COMMUNITY = "masyarakat", _("Community")
        LKS = "lks", _("LKS")
        FAMILY = "keluarga", _("Family")
        VILLAGE = "aparat_desa", _("Village officials")
        OTHER = "lainnya", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="outreach_visits",
    )  # fmt: skip
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("worker"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    visited_on = models.DateField(_("visited on"))
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.CharField(_("reported by"), max_length=20, choices=ReportedBy.choices)
    reporter = models.CharField(_("reporter (name or institution)"), max_length=150, blank=True)
    person_name = models.CharField(_("name of the person found"), max_length=150, blank=True)
    findings = models.TextField(_("findings"))
    referral = models.OneToOneField(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="outreach",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-created_at"]
        verbose_name = _("outreach visit")
        verbose_name_plural = _("outreach visits")

    def __str__(self) -> str:
        return f"{self.village_id} {self.visited_on:%d-%m-%Y}"
