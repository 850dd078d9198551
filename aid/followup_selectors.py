"""Reads of follow-up visits, through the access rule (who may read the client).

Kept beside aid/selectors.py while that module is being written in parallel; fold it in
when both have landed.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from atensi.accounts import policy
from atensi.accounts.models import User
from cases.models import CLOSED_STAGES

from .models import FollowUp
from .selectors import can_read_aid

DUE_AHEAD_DAYS = 7  # a visit shows on the home page a week before it is due


def followup_list(*, user: User, proposal=None) -> QuerySet[FollowUp]:
    if not can_read_aid(user):
        return FollowUp.objects.none()
    qs = policy.scope_clients(FollowUp.objects.all(), user, "proposal__client").select_related(
        "proposal__client", "proposal__programme", "handover", "recorded_by"
    )
    if proposal is not None:
        qs = qs.filter(proposal=proposal)
    return qs


def followups_due(*, user: User, mine: bool, today: datetime.date | None = None) -> QuerySet:
    """Visits not yet recorded that are due within a week or overdue. `mine`: those of the
    user's own hand-overs or of clients whose open case the user holds."""
    today = today or timezone.localdate()
    qs = followup_list(user=user).filter(
        status=FollowUp.Status.DUE,
        due_on__lte=today + datetime.timedelta(days=DUE_AHEAD_DAYS),
        proposal__programme__organisation_id=user.organisation_id,
    )
    if mine:
        own = FollowUp.objects.filter(
            Q(handover__officer=user)
            | Q(
                proposal__client__cases__assigned_to=user,
                proposal__client__cases__stage__in=_open_stages(),
            )  # fmt: skip
        ).values("pk")
        qs = qs.filter(pk__in=own)
    return qs.order_by("due_on", "months")


def _open_stages() -> list[str]:
    from cases.models import Stage

    return [s for s in Stage.values if s not in CLOSED_STAGES]
