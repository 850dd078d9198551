"""Reads of rehabilitation episodes, sessions and aftercare follow-ups.

Who reads an episode: the provider's staff (BNNK staff only these, and of the client only
what the episode shows), and case readers who may read the client (the area rule, and for
centre staff the clients handed to them). Viewers and everyone else read none.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.summaries import facts as summaries
from cases.selectors import client_list
from rehab.models import AftercareFollowUp, Episode, Session

# A follow-up shows on the home page from a week before it falls due.
DUE_SOON = datetime.timedelta(days=7)


def episode_list(
    *,
    user: User,
    modality: str = "",
    status: str = "",
    provider: str = "",
    year: int | None = None,
) -> QuerySet[Episode]:
    qs = Episode.objects.all()
    if policy.has_role(user, {User.Role.REFERRER}):
        qs = qs.filter(provider_id=user.organisation_id)
    elif policy.can_read_cases(user):
        readable = policy.scope_clients(Episode.objects.all(), user, "client").values("pk")
        qs = qs.filter(Q(provider_id=user.organisation_id) | Q(pk__in=readable))
    else:
        return Episode.objects.none()
    if modality:
        qs = qs.filter(modality=modality)
    if status == "open":
        qs = qs.filter(ended_on__isnull=True)
    elif status == "ended":
        qs = qs.filter(ended_on__isnull=False)
    elif status in Episode.Outcome.values:
        qs = qs.filter(outcome=status)
    if provider:
        qs = qs.filter(provider_id=provider)
    if year:
        qs = qs.filter(started_on__year=year)
    return qs.select_related("client", "provider", "worker", "ibm_unit")


def episode_get(*, user: User, pk) -> Episode:
    return get_object_or_404(
        episode_list(user=user).select_related("case__organisation", "previous", "recovery_agent"),
        pk=pk,
    )


def can_read_client(user: User, episode: Episode) -> bool:
    """Whether the episode page may link to and show more of the client than the episode."""
    return client_list(user=user).filter(pk=episode.client_id).exists()


def chain(episode: Episode) -> list[Episode]:
    """The episodes of the client linked by relapse, first to last, through this one."""
    return chain_of(list(Episode.objects.filter(client_id=episode.client_id)), episode)


def chain_of(episodes: list[Episode], episode: Episode) -> list[Episode]:
    by_id = {e.pk: e for e in episodes}
    following = {e.previous_id: e for e in episodes if e.previous_id}
    first = episode
    while first.previous_id in by_id:
        first = by_id[first.previous_id]
    out = [first]
    while out[-1].pk in following:
        out.append(following[out[-1].pk])
    return out


def client_chains(*, user: User, client) -> list[list[Episode]]:
    """The client's episodes the user may read, grouped into relapse chains, newest first."""
    episodes = list(
        episode_list(user=user).filter(client=client).order_by("started_on", "created_at")
    )
    seen: set = set()
    chains = []
    for episode in episodes:
        if episode.pk in seen:
            continue
        links = chain_of(episodes, episode)
        seen.update(e.pk for e in links)
        chains.append(links)
    chains.sort(key=lambda c: c[-1].started_on, reverse=True)
    return chains


@dataclass(frozen=True)
class Happening:
    day: datetime.date
    kind: str
    text: str


def episode_timeline(episode: Episode) -> list[Happening]:
    """What happened in the episode, by date: start, phases, sessions, end, follow-ups."""
    items = [
        Happening(
            episode.started_on,
            "start",
            _("Started: %(what)s") % {"what": episode.get_modality_display()},
        )
    ]
    items += [
        Happening(p.started_on, "phase", _("Phase: %(what)s") % {"what": p.get_phase_display()})
        for p in episode.phases.all()
    ]
    for s in episode.sessions.all():
        text = s.get_kind_display()
        if s.urine_result:
            text += f": {s.get_urine_result_display()}"
        items.append(Happening(s.date, "session", f"{text} ({s.get_attendance_display()})"))
    if episode.ended_on:
        items.append(
            Happening(
                episode.ended_on,
                "end",
                _("Ended: %(what)s") % {"what": episode.get_outcome_display()},
            )
        )
    for f in episode.follow_ups.all():
        if f.contacted_on:
            text = ngettext("Follow-up after %(n)d month", "Follow-up after %(n)d months",
                            f.months) % {"n": f.months}  # fmt: skip
            items.append(Happening(f.contacted_on, "follow_up",
                                   f"{text}: {f.get_status_display()}"))  # fmt: skip
    return sorted(items, key=lambda h: h.day)


def session_list(*, user: User, episode=None) -> QuerySet[Session]:
    qs = Session.objects.filter(episode__in=episode_list(user=user).values("pk"))
    if episode is not None:
        qs = qs.filter(episode=episode)
    return qs.select_related("episode", "worker")


def follow_up_list(*, user: User, status: str = "", due_by=None) -> QuerySet[AftercareFollowUp]:
    qs = AftercareFollowUp.objects.filter(
        episode__in=episode_list(user=user).values("pk")
    ).select_related("episode__client", "episode__provider")
    if status == "open":
        qs = qs.filter(status=AftercareFollowUp.Status.DUE)
    elif status:
        qs = qs.filter(status=status)
    if due_by is not None:
        qs = qs.filter(due_on__lte=due_by)
    return qs


def follow_up_get(*, user: User, pk) -> AftercareFollowUp:
    return get_object_or_404(follow_up_list(user=user), pk=pk)


def follow_ups_due(*, user: User) -> QuerySet[AftercareFollowUp]:
    """The follow-ups the user's organisation should make now: due within a week or
    overdue, on episodes it provides or on cases it holds."""
    if not policy.can_write_rehab(user):
        return AftercareFollowUp.objects.none()
    mine = Q(episode__provider_id=user.organisation_id)
    if user.role != User.Role.REFERRER:
        mine |= Q(episode__case__organisation_id=user.organisation_id)
    return (
        follow_up_list(user=user, status="open", due_by=timezone.localdate() + DUE_SOON)
        .filter(mine)
        .order_by("due_on", "months")
    )


def episode_counts(*, user: User, year: int | None = None) -> dict:
    """Counts by modality and outcome of the episodes the user may read."""
    qs = episode_list(user=user, year=year).order_by()
    by_modality = dict(qs.values_list("modality").annotate(n=Count("id")))
    by_outcome = dict(qs.values_list("outcome").annotate(n=Count("id")))
    return {
        "modalities": [(v, label, by_modality.get(v, 0)) for v, label in Episode.Modality.choices],
        "open": by_outcome.get("", 0),
        "outcomes": [(v, label, by_outcome.get(v, 0)) for v, label in Episode.Outcome.choices],
        "total": sum(by_modality.values()),
    }


# --- aggregates for the dashboard -------------------------------------------------------
# Counts only, already scoped to the region codes given (the caller checks that the reader
# may see them), computed by the database. An episode lies where its client lives; ``width``
# groups by the first characters of that village code (8: district).


def episode_facts(start, end, codes) -> QuerySet:
    """The kind "episodes" of the summary tables: episodes per month they started, the
    client's village, modality and outcome ("" while open)."""
    from django.db.models import F
    from django.db.models.functions import TruncMonth

    qs = Episode.objects.all()
    if start is not None:
        qs = qs.filter(started_on__gte=start, started_on__lte=end)
    return summaries.facts(
        qs, codes=codes, month=TruncMonth("started_on"), region=F("client__village_id"),
        keys=[F("modality"), F("outcome")],
    )  # fmt: skip


def episode_aggregates(*, codes: list[str], start, end, width: int = 8) -> dict:
    """Episodes started within the period: by modality and outcome ("" while open), and by
    area."""
    got = summaries.grouped(
        "episodes", codes=codes, start=start, end=end, width=width,
        sets={"modality_outcome": ["key1", "key2"], "area": ["area"]},
    )  # fmt: skip
    return {
        "modalities": list(Episode.Modality.choices),
        "outcomes": list(Episode.Outcome.choices),
        "by_modality_outcome": {(m, o): n for m, o, n in got["modality_outcome"]},
        "by_area": dict(got["area"]),
    }


def follow_up_facts(start, end, codes) -> QuerySet:
    """The kind "follow_ups" of the summary tables: aftercare follow-ups per month they fall
    due, the client's village and status, with the day of those still open (to tell the
    overdue)."""
    from django.db.models import Case, CharField, F, Value, When
    from django.db.models.functions import Cast, TruncMonth

    qs = AftercareFollowUp.objects.all()
    if start is not None:
        qs = qs.filter(due_on__gte=start, due_on__lte=end)
    open_on = Case(
        When(status=AftercareFollowUp.Status.DUE, then=Cast("due_on", CharField())),
        default=Value(""),
    )
    return summaries.facts(
        qs, codes=codes, month=TruncMonth("due_on"), region=F("episode__client__village_id"),
        keys=[F("status"), open_on],
    )  # fmt: skip


def follow_up_aggregates(*, codes: list[str], start, end, today=None, width: int = 8) -> dict:
    """Aftercare follow-ups falling due within the period: how many, done (reached, not
    reached), still open and overdue; the due and the done per area."""
    today = (today or timezone.localdate()).isoformat()
    got = summaries.grouped(
        "follow_ups", codes=codes, start=start, end=end, width=width,
        sets={"status_day": ["key1", "key2"], "area_status": ["area", "key1"]},
    )  # fmt: skip
    status = AftercareFollowUp.Status
    counts = dict.fromkeys(("due", "done", "reached", "not_reached", "open", "overdue"), 0)
    for state, open_on, n in got["status_day"]:
        counts["due"] += n
        if state == status.DUE:
            counts["open"] += n
            counts["overdue"] += n if open_on < today else 0
        else:
            counts["done"] += n
            counts["reached"] += n if state == status.REACHED else 0
            counts["not_reached"] += n if state == status.NOT_REACHED else 0
    by_area: dict[str, dict] = {}
    for area, state, n in got["area_status"]:
        row = by_area.setdefault(area, {"area": area, "due": 0, "done": 0})
        row["due"] += n
        row["done"] += 0 if state == status.DUE else n
    counts["by_area"] = by_area
    return counts
