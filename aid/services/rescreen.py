"""Screening a proposed person again against the newest register snapshot."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aid.models import Proposal
from assessments.models.eligibility import Verdict
from assessments.selectors.register import snapshot_default
from assessments.services import eligibility
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases.models import CaseEvent

from .proposals import _expect, _lock, _require_proposer, _require_readable, _timeline

State = Proposal.State


@transaction.atomic
def proposal_rescreen(*, proposal: Proposal, by: User, request=None) -> Proposal:
    """Screen the proposal's person again, before approval, against the newest snapshot that
    covers the organisation; the new verdict (a one-person batch, judged in the request)
    becomes the proposal's evidence. Approval still checks the rules itself."""
    _require_proposer(by, proposal.programme)
    proposal = _lock(proposal)
    _require_readable(by, proposal.client)
    _expect(proposal, *Proposal.BEFORE_APPROVAL)
    snapshot = snapshot_default(organisation=proposal.programme.organisation)
    if snapshot is None:
        raise ApplicationError(
            _("No completed register import covers your whole area to screen against."),
            code="conflict",
        )
    batch = eligibility.batch_create(
        by=by, programme=proposal.programme, snapshot=snapshot,
        name=_("Screened again for proposal %(ref)s") % {"ref": proposal.reference},
        client_ids=[proposal.client_id], request=request,
    )  # fmt: skip
    # One person: judged here, so that the page shows the new verdict at once. The queued
    # load finds the batch done and does nothing.
    for key in eligibility.batch_load(batch_id=batch.pk):
        eligibility.batch_screen_chunk(batch_id=batch.pk, key=key)
    row = batch.rows.get()
    proposal.batch_row = row
    proposal.save(update_fields=["batch_row", "updated_at"])
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=proposal, request=request,
                 summary=f"re-screened: {row.verdict}")  # fmt: skip
    _timeline(proposal, by, CaseEvent.Verb.AID_RESCREENED, Verdict(row.verdict))
    return proposal
