import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.summaries.triggers import dirty_triggers
from cases.models import FamilyMember

from .proposal import Proposal, ProposalItem


def evidence_path(instance, filename):
    # The stored name is random: the original name may carry personal data.
    return f"handovers/{instance.proposal_id}/{uuid.uuid4().hex}"


class Handover(models.Model):
    """A hand-over (serah terima) of some or all items of an approved proposal, recorded in
    one numbered BAST; its items say what was handed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="handovers"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("BAST number"), max_length=60)
    handed_on = models.DateField(_("date of hand-over"))
    place = models.CharField(_("place"), max_length=200)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recipient_member = models.ForeignKey(
        FamilyMember, verbose_name=_("family member receiving"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    recipient_name = models.CharField(_("received by"), max_length=150)
    # Printed in the BAST's signature blocks; the NIP is checked by aid.nip in the service.
    officer_nip = models.CharField(_("officer's NIP"), max_length=18, blank=True)
    witness_name = models.CharField(_("witness"), max_length=150, blank=True)
    witness_role = models.CharField(_("witness's role or relationship"), max_length=150,
                                    blank=True)  # fmt: skip
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    value = models.BigIntegerField(_("value (Rp)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = dirty_triggers(
            "handover",
            "SELECT DISTINCT 'handovers'::text AS kind, r.handed_on AS day, "
            "LEFT(c.village_id, 8) AS area FROM {rows} r "
            "JOIN aid_proposal p ON p.id = r.proposal_id JOIN cases_client c ON c.id = p.client_id",
        )
        ordering = ["-handed_on", "-created_at"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "seq"], name="handover_bast_seq_once"
            ),
            models.UniqueConstraint(fields=["number"], name="handover_bast_number_once"),
            models.CheckConstraint(condition=Q(seq__gt=0), name="handover_seq_positive"),
            models.CheckConstraint(condition=Q(value__gt=0), name="handover_value_positive"),
            models.CheckConstraint(
                condition=Q(officer_nip="") | Q(officer_nip__regex=r"^[0-9]{18}$"),
                name="handover_officer_nip_18_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class HandoverItem(models.Model):
    """One proposal item handed in full; at most once per proposal item, by constraint."""

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="items")
    proposal_item = models.ForeignKey(
        ProposalItem, verbose_name=_("proposed item"), on_delete=models.PROTECT,
        related_name="handed",
    )  # fmt: skip
    quantity = models.PositiveIntegerField(_("quantity"))
    value = models.BigIntegerField(_("value (Rp)"))

    class Meta:
        triggers = dirty_triggers(
            "handoveritem",
            "SELECT DISTINCT 'handovers'::text AS kind, h.handed_on AS day, "
            "LEFT(c.village_id, 8) AS area FROM {rows} r "
            "JOIN aid_handover h ON h.id = r.handover_id "
            "JOIN aid_proposal p ON p.id = h.proposal_id JOIN cases_client c ON c.id = p.client_id",
        )
        ordering = ["handover", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal_item"], name="handoveritem_once_per_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="handoveritem_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.handover} {self.proposal_item}"


class BastCounter(models.Model):
    """The last BAST sequence number given per organisation and year: incremented inside the
    hand-over's transaction, so numbers are gap-free and never repeat."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="bastcounter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class IdempotencyKey(models.Model):
    """The first result of a write sent with an idempotency key: a retry with the same key
    and parameters gets it again; other parameters under the same key are refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    result_type = models.CharField(max_length=50)
    result_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_once"),
        ]

    def __str__(self) -> str:
        return self.key
