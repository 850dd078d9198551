import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assessments.models.assessment import Component
from atensi.accounts.models import Organisation
from atensi.summaries.triggers import dirty_triggers, local_date
from cases.models import Client

from .programme import AidItem, Programme

CLOSED_STATES = ("rejected", "cancelled")
DECIDED_STATES = ("approved", "handed_over", "reported")


class Decree(models.Model):
    """A decree (SK penetapan) approving a set of verified proposals of one programme."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="decrees",
    )  # fmt: skip
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="decrees"
    )
    number = models.CharField(_("decree number"), max_length=100)
    date = models.DateField(_("decree date"))
    signatory_name = models.CharField(_("signed by"), max_length=150)
    signatory_title = models.CharField(_("signatory's title"), max_length=150)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("decree")
        verbose_name_plural = _("decrees")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="decree_number_once"),
        ]

    def __str__(self) -> str:
        return self.number


class Proposal(models.Model):
    """A proposal (usulan): a client, a programme and items; moved only by aid.services."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", _("Verified")
        APPROVED = "approved", _("Approved")
        HANDED_OVER = "handed_over", _("Handed over")
        REPORTED = "reported", _("Reported")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    # Before approval: still to be judged, and screened again when asked.
    BEFORE_APPROVAL = (State.DRAFT, State.SUBMITTED, State.VERIFIED)
    # Still on its way: not yet handed over, rejected or cancelled.
    UNDER_WAY = (*BEFORE_APPROVAL, State.APPROVED)
    # Ended without aid: a decree's totals leave these out.
    WITHDRAWN = (State.REJECTED, State.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Names the proposal in messages, lists and the decree annex: never the person's name.
    reference = models.CharField(_("proposal number"), max_length=20, unique=True)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="proposals"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="proposals"
    )
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT)
    value = models.BigIntegerField(_("value (Rp)"), default=0)
    business_plan = models.TextField(_("business plan"), blank=True)
    # The screening evidence (verdict, reasons, snapshot, match) when proposed from a batch.
    batch_row = models.ForeignKey(
        "assessments.BatchRow", verbose_name=_("screening row"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="proposals",
    )  # fmt: skip
    decree = models.ForeignKey(
        Decree, verbose_name=_("decree"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposals",
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        triggers = dirty_triggers(
            "proposal",
            f"SELECT DISTINCT 'proposals'::text AS kind, {local_date('b.created_at')} AS day, "
            "LEFT(br.village_code, 8) AS area "
            "FROM {rows} r JOIN assessments_batchrow br ON br.id = r.batch_row_id "
            "JOIN assessments_eligibilitybatch b ON b.id = br.batch_id",
        )
        ordering = ["-created_at"]
        verbose_name = _("aid proposal")
        verbose_name_plural = _("aid proposals")
        indexes = [models.Index(fields=["programme", "state"], name="proposal_programme_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "programme"],
                condition=~Q(state__in=CLOSED_STATES),
                name="proposal_one_open_per_client",
            ),
            models.UniqueConstraint(fields=["batch_row"], name="proposal_once_per_batch_row"),
            models.CheckConstraint(condition=Q(value__gte=0), name="proposal_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(state__in=CLOSED_STATES) | ~Q(reason=""),
                name="proposal_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=DECIDED_STATES) | Q(decree__isnull=False),
                name="proposal_approved_has_decree",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ProposalItem(models.Model):
    """An aid item and quantity; the unit cost is copied when proposed, value = qty × cost."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    aid_item = models.ForeignKey(
        AidItem, verbose_name=_("aid item"), on_delete=models.PROTECT, related_name="+"
    )
    component = models.CharField(_("ATENSI component"), max_length=20, choices=Component.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.BigIntegerField(_("unit cost (Rp)"))
    value = models.BigIntegerField(_("value (Rp)"))

    class Meta:
        ordering = ["proposal", "aid_item__name"]
        verbose_name = _("proposed item")
        verbose_name_plural = _("proposed items")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "aid_item"], name="proposalitem_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="proposalitem_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_cost__gt=0), name="proposalitem_cost_gt_0"),
            models.CheckConstraint(
                condition=Q(value=F("quantity") * F("unit_cost")),
                name="proposalitem_value_is_qty_times_cost",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aid_item} × {self.quantity}"
