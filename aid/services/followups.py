"""Follow-up visits after the hand-over (issue 7 §4, reporting).

Visits are scheduled once per proposal, at its first hand-over, 1, 3 and 6 months after that
date. A visit records how the aid is used (for entrepreneurship aid: whether the business runs
and its monthly income in whole rupiah), or that the person was not reached; each recorded
visit is an event on the case timeline and in the audit log.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aid.models import FOLLOWUP_MONTHS, AidItem, FollowUp, Handover, Proposal
from aid.money import format_rupiah
from aid.months import add_months
from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases.models import CaseEvent, Consent
from cases.services import consent_require

from .proposals import PROPOSERS, _require_readable, _timeline

Status = FollowUp.Status

# The home page lists a visit a week before it is due; a visit recorded earlier than that
# is asked about (a mistyped date, or the wrong visit) before it is saved. It is allowed.
EARLY_DAYS = 7


def days_early(followup: FollowUp, visited_on: datetime.date) -> int:
    """How many days before its due date the visit took place (0 or less: not early)."""
    return (followup.due_on - visited_on).days


def is_early(followup: FollowUp, visited_on: datetime.date) -> bool:
    return days_early(followup, visited_on) > EARLY_DAYS


def followups_schedule(*, handover: Handover) -> list[FollowUp]:
    """Schedule the 1-, 3- and 6-month visits of the handover's proposal, unless its earlier
    hand-over already did (one schedule per proposal, counted from the first hand-over)."""
    rows = [
        FollowUp(
            proposal_id=handover.proposal_id,
            handover=handover,
            months=months,
            due_on=add_months(handover.handed_on, months),
        )  # fmt: skip
        for months in FOLLOWUP_MONTHS
    ]
    return FollowUp.objects.bulk_create(
        rows, ignore_conflicts=True, unique_fields=["proposal", "months"]
    )


def is_entrepreneurship(proposal: Proposal) -> bool:
    return proposal.items.filter(aid_item__kind=AidItem.Kind.ENTREPRENEURSHIP).exists()


@transaction.atomic
def followup_record(
    *,
    followup: FollowUp,
    by: User,
    visited_on: datetime.date,
    reached: bool = True,
    business_running: bool | None = None,
    monthly_income: int | None = None,
    usage: str = "",
    note: str = "",
    request=None,
) -> FollowUp:
    """Record a due visit once: its result, or that the person was not reached.

    The proposal moves from "handed over" to "reported" at the first visit that reached the
    person: that visit is the report on how the aid is used which the realisation report
    needs, and waiting for the sixth month would leave every proposal of the year "handed
    over" until after the budget year has closed. The later visits stay due on the home page.
    """
    if not policy.has_role(by, PROPOSERS):
        raise PermissionDenied
    followup = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("proposal__client", "proposal__programme")
        .get(pk=followup.pk)
    )
    proposal = followup.proposal
    if proposal.programme.organisation_id != by.organisation_id:
        raise PermissionDenied
    _require_readable(by, proposal.client)
    if followup.status != Status.DUE:
        raise ApplicationError(_("This visit has already been recorded."), code="conflict")
    consent_require(client=proposal.client, purpose=Consent.Purpose.CONTACT)
    if visited_on > timezone.localdate():
        raise ApplicationError(_("The date of the visit lies in the future."),
                               field="visited_on")  # fmt: skip
    if visited_on < followup.handover.handed_on:
        raise ApplicationError(_("The visit cannot be before the hand-over."),
                               field="visited_on")  # fmt: skip
    usage, note = usage.strip(), note.strip()
    if reached:
        if is_entrepreneurship(proposal):
            if business_running is None:
                raise ApplicationError(_("Say whether the business is running."),
                                       field="business_running")  # fmt: skip
            if monthly_income is None or isinstance(monthly_income, bool) or monthly_income < 0:
                raise ApplicationError(
                    _("Give the monthly income in whole rupiah (0 or more)."),
                    field="monthly_income",
                )
        elif not usage:
            raise ApplicationError(_("Describe how the aid is used."), field="usage")
        followup.status = Status.VISITED
        followup.business_running = business_running
        followup.monthly_income = monthly_income
    else:
        followup.status = Status.NOT_REACHED
    followup.visited_on = visited_on
    followup.usage = usage
    followup.note = note
    followup.recorded_by = by
    followup.recorded_at = timezone.now()
    followup.save()
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=followup, request=request,
                 summary=f"follow-up {followup.months}m {followup.status}")  # fmt: skip
    _timeline(proposal, by, CaseEvent.Verb.AID_FOLLOW_UP, _visit_text(followup))
    if followup.status == Status.VISITED:
        proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if proposal.state == Proposal.State.HANDED_OVER:
            proposal.state = Proposal.State.REPORTED
            proposal.save(update_fields=["state", "updated_at"])
            audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=proposal,
                         request=request, summary="proposal handed_over -> reported")  # fmt: skip
    return followup


def _visit_text(followup: FollowUp) -> texts.Stored:
    head = texts.msg(gettext_noop("Follow-up visit after %(months)d months"),
                     months=followup.months)  # fmt: skip
    if followup.status == Status.NOT_REACHED:
        parts = [texts.msg(gettext_noop("not reached"))]
    else:
        parts = []
        if followup.business_running is not None:
            parts.append(texts.msg(gettext_noop("business running") if followup.business_running
                                   else gettext_noop("business not running")))  # fmt: skip
        if followup.monthly_income is not None:
            parts.append(texts.msg(gettext_noop("monthly income %(amount)s"),
                                   amount=format_rupiah(followup.monthly_income)))  # fmt: skip
        if followup.usage:
            parts.append(followup.usage[:300])
    return texts.joined([head, texts.joined(parts, "; ")], ": ")
