"""Reads of outreach visits: social workers of Dinsos and the centre inside their area.

Centre staff serve whole provinces, so, as for clients, they read only their own
organisation's visits. Referrers, viewers and everyone else read none.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from atensi.accounts import policy
from atensi.accounts.models import User
from rehab.models.episodes import Outreach

Role = User.Role

OUTREACH_WORKERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE}


def can_record_outreach(user: User) -> bool:
    return policy.has_role(user, OUTREACH_WORKERS)


def can_refer_outreach(user: User, outreach: Outreach) -> bool:
    """The organisation that made the visit turns it into a referral, if its user may submit
    referrals at all (centre staff hand theirs to Dinsos)."""
    return (
        policy.can_submit_referrals(user)
        and can_record_outreach(user)
        and outreach.organisation_id == user.organisation_id
    )


def outreach_list(*, user: User) -> QuerySet[Outreach]:
    if not can_record_outreach(user):
        return Outreach.objects.none()
    qs = policy.scope(Outreach.objects.all(), user, "village__code")
    if policy.reads_handed_over_only(user):
        qs = qs.filter(organisation_id=user.organisation_id)
    return qs.select_related("village__parent__parent", "organisation", "worker", "referral")


def outreach_get(*, user: User, pk) -> Outreach:
    return get_object_or_404(outreach_list(user=user), pk=pk)
