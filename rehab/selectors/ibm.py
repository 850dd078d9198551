"""Reads of IBM units, their recovery agents and the clients they support.

A unit is read by case readers whose area holds its village and by the organisation that set
it up (a BNNK referrer included); it is changed only by that organisation. Client names on a
unit are shown only to those who may read the client, or to a provider of the client's
episode there; everyone else sees counts.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from atensi.accounts import policy
from atensi.accounts.models import User
from cases.models import Client
from rehab.models.episodes import Episode, IbmUnit, RecoveryAgent

Role = User.Role

# Who works on the units of their own organisation: Dinsos, the centre and BNNK alike.
UNIT_WRITERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE, Role.REFERRER}
# Who reads the units of their own organisation (the writers and the administrator).
UNIT_ORG_READERS = UNIT_WRITERS | {Role.ADMIN}


def can_read_units(user: User) -> bool:
    return policy.can_read_cases(user) or policy.has_role(user, UNIT_ORG_READERS)


def can_create_units(user: User) -> bool:
    return policy.has_role(user, UNIT_WRITERS)


def can_write_unit(user: User, unit: IbmUnit) -> bool:
    """Only the organisation that set the unit up changes it and its agents."""
    return can_create_units(user) and unit.organisation_id == user.organisation_id


def ibm_unit_list(*, user: User, active_only: bool = False) -> QuerySet[IbmUnit]:
    """The units the user may read, with their active agents and clients supported counted
    (the distinct clients of open episodes)."""
    visible = Q(pk__in=[])
    if policy.can_read_cases(user):
        visible |= policy.area_q(user, "village__code")
    if policy.has_role(user, UNIT_ORG_READERS):
        visible |= Q(organisation_id=user.organisation_id)
    qs = (
        IbmUnit.objects.filter(visible)
        .select_related("village__parent__parent", "organisation")
        .annotate(
            active_agents=Count("agents", filter=Q(agents__is_active=True), distinct=True),
            clients_supported=Count(
                "episodes__client", filter=Q(episodes__ended_on__isnull=True), distinct=True
            ),
        )
    )
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def ibm_unit_get(*, user: User, pk) -> IbmUnit:
    return get_object_or_404(ibm_unit_list(user=user), pk=pk)


def ibm_unit_agents(*, unit: IbmUnit) -> QuerySet[RecoveryAgent]:
    """Active agents first, then by name."""
    return unit.agents.order_by("-is_active", "full_name")


def units_with_agents(*, user: User) -> QuerySet[IbmUnit]:
    """The readable units with their agents fetched alongside (for the spreadsheet and API)."""
    return ibm_unit_list(user=user).prefetch_related(
        Prefetch("agents", queryset=RecoveryAgent.objects.order_by("-is_active", "full_name"))
    )


def ibm_unit_episodes(*, unit: IbmUnit, user: User) -> dict:
    """The clients the unit supports, open episodes first: the episodes whose client the
    user may see (`shown`), and the counts of all of them (`open`, `ended`).

    Case readers see the clients they may read; a referrer only the clients of episodes their
    own organisation provides (BNNK staff see nothing else about a client)."""
    episodes = unit.episodes.all()
    counts = episodes.aggregate(
        open=Count("client", filter=Q(ended_on__isnull=True), distinct=True),
        ended=Count("client", filter=Q(ended_on__isnull=False), distinct=True),
    )
    shown = Episode.objects.none()
    if policy.can_read_cases(user):
        readable = policy.scope_clients(Client.objects.all(), user).values("pk")
        shown = episodes.filter(client__in=readable)
    elif policy.has_role(user, {Role.REFERRER}):
        shown = episodes.filter(provider_id=user.organisation_id)
    shown = shown.select_related("client", "provider", "recovery_agent").order_by(
        "-ended_on", "-started_on"
    )
    # Open episodes (no end) first: PostgreSQL sorts NULLs first in descending order.
    return {"shown": list(shown), **counts, "can_open_clients": policy.can_read_cases(user)}


def ibm_aggregates(*, codes: list[str], on=None) -> dict:
    """The active IBM units whose village lies in the region codes (set up on or before
    ``on`` when given) and their active recovery agents, counted by the database; for
    reports, never a name."""
    units = IbmUnit.objects.filter(policy.codes_q(codes, "village__code"), is_active=True)
    if on is not None:
        units = units.filter(Q(established_on__isnull=True) | Q(established_on__lte=on))
    agents = RecoveryAgent.objects.filter(unit__in=units, is_active=True)
    if on is not None:
        agents = agents.filter(Q(trained_on__isnull=True) | Q(trained_on__lte=on))
    return {"units": units.count(), "agents": agents.count()}
