import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.summaries.triggers import dirty_triggers, local_date
from cases.models import Client

from .register import RegisterRow, RegisterSnapshot


class Verdict(models.TextChoices):
    """Stable codes (DESIGN.md): shown translated in the UI, raw in the API and exports."""

    ELIGIBLE = "ELIGIBLE", _("Eligible")
    NEEDS_REVIEW = "NEEDS_REVIEW", _("Needs review")
    NIK_INVALID = "NIK_INVALID", _("NIK invalid")
    NOT_IN_REGISTER = "NOT_IN_REGISTER", _("Not in the register")
    DECILE_ABOVE_THRESHOLD = "DECILE_ABOVE_THRESHOLD", _("Decile above the threshold")
    DUPLICATE_IN_BATCH = "DUPLICATE_IN_BATCH", _("Duplicate row in the batch")
    ALREADY_AIDED = "ALREADY_AIDED", _("Already aided this year")
    ASSESSMENT_MISSING = "ASSESSMENT_MISSING", _("No completed assessment")
    NO_BUSINESS = "NO_BUSINESS", _("No recorded business")
    OUTSIDE_AREA = "OUTSIDE_AREA", _("Outside your service area")


MATCH_METHODS = {
    "nik_exact": _("NIK exact"),
    "nik_typo": _("NIK with a typing error"),
    "kk_name": _("Family card and name"),
    "name_dob_village": _("Name and birth date, same village"),
    "name_dob_district": _("Name and birth date, same district"),
    "fellegi_sunter": _("Weighed evidence (estimated probability)"),
}


class EligibilityBatch(models.Model):
    """A proposal list (usulan) screened for one programme against one register snapshot."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Screening")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        FILE = "file", _("Uploaded list")
        CLIENTS = "clients", _("Chosen clients")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    programme = models.ForeignKey(
        "aid.Programme", verbose_name=_("programme"), on_delete=models.PROTECT,
        related_name="batches",
    )  # fmt: skip
    snapshot = models.ForeignKey(
        RegisterSnapshot, verbose_name=_("register snapshot"), on_delete=models.PROTECT,
        related_name="batches",
    )  # fmt: skip
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file = models.FileField(upload_to="batches/", max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows screened"), default=0)
    # Which screening of the batch is current: "Screen again" starts the next. A chunk task
    # carries the run it belongs to, and one of an earlier run changes nothing.
    run = models.PositiveIntegerField(default=1)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the batch is matched with (``fellegi_sunter.Parameters.as_dict``, versioned),
    # estimated once after loading (or borrowed, ``"borrowed_from"``): re-runs and retried
    # chunks reuse it, so verdicts do not move. Null: the rule matcher (``linkage``).
    linkage_parameters = models.JSONField(
        _("linkage parameters"), null=True, blank=True, editable=False
    )

    class Meta:
        triggers = dirty_triggers(
            "batch",
            f"SELECT k.kind, {local_date('r.created_at')} AS day, '' AS area FROM {{rows}} r "
            "CROSS JOIN (VALUES ('screening'), ('proposals')) AS k(kind)",
        )
        ordering = ["-created_at"]
        verbose_name = _("eligibility batch")
        verbose_name_plural = _("eligibility batches")

    def __str__(self) -> str:
        return self.name


class BatchChunk(models.Model):
    """The rows of one district: the unit of work a worker takes. Done once, safe to redo."""

    batch = models.ForeignKey(EligibilityBatch, on_delete=models.CASCADE, related_name="chunks")
    key = models.CharField(max_length=20)
    row_count = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "key"], name="batch_chunk_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.key}"


class BatchRow(models.Model):
    """One proposed person, as given, with the verdict, every reason, and the evidence."""

    class Review(models.TextChoices):
        NONE = "", _("Not needed")
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Match confirmed")
        REJECTED = "rejected", _("Match rejected")

    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(EligibilityBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    chunk_key = models.CharField(max_length=20)
    nik_input = models.CharField(_("NIK as given"), max_length=40, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    kk_number = models.CharField(max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    village_code = models.CharField(max_length=13, blank=True)
    address = models.CharField(max_length=255, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(_("verdict"), max_length=30, choices=Verdict.choices, blank=True)
    reasons = ArrayField(
        models.CharField(max_length=30, choices=Verdict.choices), default=list, blank=True
    )
    # What was wrong in the row's cells, as read: [{"column", "code", "message", "params"}],
    # the message untranslated (``problem_messages`` translates it when shown).
    problems = models.JSONField(_("data problems"), default=list, blank=True)
    # No database constraint: the register's key is (id, snapshot_id) there. The row stays
    # because its snapshot does: the batch's snapshot is PROTECTed.
    match = models.ForeignKey(
        RegisterRow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    match_method = models.CharField(_("match method"), max_length=30, blank=True)
    match_score = models.FloatField(_("match score"), null=True, blank=True)
    # The register rows a reviewer compares the proposal with, best first: every candidate
    # of a row that needs review, the chosen one of a match, none otherwise; a reviewed row
    # keeps those its reviewer saw. Each is {"id" (register row), "method", "score", "flags",
    # "comparisons": [{"field", "level", "agreement", and "similarity" (name) and "notes"
    # where there are some}]}: the codes of ``linkage.compare``; matched by Fellegi–Sunter
    # also "probability" (= "score"), "weight" and "evidence": [{"comparison", "level",
    # "weight", "frequency"}] (``fellegi_sunter.Evidence``, weights in bits).
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    decile = models.PositiveSmallIntegerField(_("decile"), null=True, blank=True)
    # The row number of an earlier row of the batch matched to the same register person: this
    # row is then a DUPLICATE_IN_BATCH found by the matching (``mark_same_person``); None for
    # a row that is no such duplicate, or one already found at loading (same NIK, or same
    # name and birth date).
    same_person_as = models.PositiveIntegerField(_("same person as row"), null=True, blank=True)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.NONE, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = dirty_triggers(
            "batchrow",
            f"SELECT DISTINCT k.kind, {local_date('b.created_at')} AS day, "
            "LEFT(r.village_code, 8) AS area FROM {rows} r "
            "JOIN assessments_eligibilitybatch b ON b.id = r.batch_id "
            "CROSS JOIN (VALUES ('screening'), ('proposals')) AS k(kind)",
        )
        ordering = ["batch", "row_number"]
        indexes = [
            models.Index(fields=["batch", "verdict"], name="batchrow_batch_verdict"),
            models.Index(fields=["batch", "chunk_key"], name="batchrow_batch_chunk"),
            # The supervisor's home counts the matches waiting for review.
            models.Index(
                fields=["batch"], condition=Q(review="pending"), name="batchrow_pending_review"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="batchrow_once"),
            models.CheckConstraint(
                condition=Q(decile__isnull=True) | Q(decile__gte=1, decile__lte=10),
                name="batchrow_decile_1_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.row_number}"

    @property
    def masked_nik_input(self) -> str:
        from cases.nik import mask_nik

        return mask_nik(self.nik_input) if self.nik_input else ""

    def problem_messages(self, *, bare: bool = False) -> list[str]:
        """Each cell problem as "column: what is wrong" (``bare``: without the column), in
        the reader's language; the column as the file's header writes it."""
        from cases.nik import mask_nik

        out = []
        for problem in self.problems:
            params = dict(problem.get("params", {}))
            column = problem.get("column")
            if column in ("nik", "no_kk") and "value" in params:
                params["value"] = mask_nik(str(params["value"]))  # as masked as the list
            text = gettext(problem["message"]) % params
            heading = problem.get("heading") or column  # rows loaded before: no heading
            out.append(f"{heading}: {text}" if column and not bare else text)
        return out

    def reason_labels(self) -> list[str]:
        labels = dict(Verdict.choices)
        out = [str(labels.get(code, code)) for code in self.reasons]
        if Verdict.NIK_INVALID in self.reasons and not self.nik_input:
            at = self.reasons.index(Verdict.NIK_INVALID)
            out[at] = _("%(reason)s: the cell is empty") % {"reason": out[at]}
        if self.same_person_as is not None and Verdict.DUPLICATE_IN_BATCH in self.reasons:
            at = self.reasons.index(Verdict.DUPLICATE_IN_BATCH)
            out[at] = _("%(reason)s (the same person as row %(row)d)") % {
                "reason": out[at], "row": self.same_person_as,
            }  # fmt: skip
        return out

    def match_method_label(self) -> str:
        return str(MATCH_METHODS.get(self.match_method, self.match_method))
