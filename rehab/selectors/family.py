"""Reads of family guidance: a session or series is read by case readers whose area holds
its village; family-member attendees show by name only to those who may read their client."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from atensi.accounts import policy
from atensi.accounts.models import User
from cases.models import Client, FamilyMember
from rehab.models.family import FamilyAttendance, FamilySeries, FamilySession

VILLAGE = "village__code"


def can_read(user: User) -> bool:
    return policy.can_read_cases(user)


def can_write(user: User, obj: FamilySession | FamilySeries | None = None) -> bool:
    """Case writers record sessions; a session or series is changed by its own organisation."""
    if not policy.can_write_cases(user):
        return False
    return obj is None or obj.organisation_id == user.organisation_id


def session_list(
    *,
    user: User,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    village: str = "",
    series=None,
) -> QuerySet[FamilySession]:
    if not can_read(user):
        return FamilySession.objects.none()
    qs = policy.scope(FamilySession.objects.all(), user, VILLAGE)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if village:
        qs = qs.filter(Q(village__code=village) | Q(village__code__startswith=village + "."))
    if series is not None:
        qs = qs.filter(series=series)
    return qs.select_related("village__parent", "series", "organisation").annotate(
        attendee_count=Count("attendances", filter=Q(attendances__attended=True))
    )


def session_get(*, user: User, pk) -> FamilySession:
    return get_object_or_404(session_list(user=user), pk=pk)


def series_list(*, user: User) -> QuerySet[FamilySeries]:
    if not can_read(user):
        return FamilySeries.objects.none()
    return (
        policy.scope(FamilySeries.objects.all(), user, VILLAGE)
        .select_related("village__parent", "organisation")
        .annotate(session_count=Count("sessions"))
    )


def series_get(*, user: User, pk) -> FamilySeries:
    return get_object_or_404(series_list(user=user), pk=pk)


def readable_client_ids(user: User, client_ids) -> set:
    """Of the given clients, those the user may read (whose family may be named to them)."""
    ids = {pk for pk in client_ids if pk}
    if not ids:
        return set()
    return set(
        policy.scope_clients(Client.objects.filter(pk__in=ids), user).values_list("pk", flat=True)
    )


@dataclass
class Attendee:
    """An attendance row as the user may see it: a family member of a client the user may not
    read shows as "family member of a client", with no name."""

    row: FamilyAttendance
    named: bool
    client: Client | None = None

    @property
    def name(self) -> str:
        return self.row.name if self.named else ""

    @property
    def relation(self) -> str:
        if self.row.is_walk_in:
            return self.row.walk_in_relation
        return self.row.member.get_relation_display()

    @property
    def phone(self) -> str:
        if not self.named:
            return ""
        return self.row.walk_in_phone if self.row.is_walk_in else self.row.member.phone


def attendees(*, user: User, session: FamilySession) -> list[Attendee]:
    rows = list(
        session.attendances.select_related("member__client").order_by(
            "member__client__full_name", "member__full_name", "walk_in_name"
        )
    )
    readable = readable_client_ids(user, (r.member.client_id for r in rows if r.member_id))
    return [
        Attendee(
            row=r,
            named=r.is_walk_in or r.member.client_id in readable,
            client=r.member.client if r.member_id and r.member.client_id in readable else None,
        )
        for r in rows
    ]


def member_choices(*, user: User, session: FamilySession) -> QuerySet[FamilyMember]:
    """Family members the user may add to the session: of clients the user may read living in
    the session's district (kecamatan), still on the record and not yet on the list."""
    district = ".".join(session.village_id.split(".")[:3])
    clients = policy.scope_clients(
        Client.objects.filter(village__code__startswith=district + "."), user
    )
    return (
        FamilyMember.objects.current()
        .filter(client__in=clients)
        .exclude(session_attendances__session=session)
        .select_related("client__village")
        .order_by("client__village__name", "client__full_name", "full_name")
    )


def member_get(*, user: User, pk) -> FamilyMember:
    """A current family member of a client the user may read."""
    clients = policy.scope_clients(Client.objects.all(), user)
    return get_object_or_404(
        FamilyMember.objects.current().filter(client__in=clients).select_related("client"), pk=pk
    )


@dataclass
class Participant:
    key: str
    name: str
    relation: str
    client: Client | None
    marks: list = field(default_factory=list)  # True / False / None per meeting

    @property
    def attended(self) -> int:
        return sum(1 for mark in self.marks if mark)


@dataclass
class Matrix:
    sessions: list
    participants: list
    totals: list  # attended per meeting

    @property
    def attended(self) -> int:
        return sum(self.totals)


def series_matrix(*, user: User, series: FamilySeries) -> Matrix:
    """Participants × meetings of a series: ✓ attended, ✗ listed but absent, blank not listed.
    Walk-ins are one participant across meetings when their name is written the same way."""
    sessions = list(series.sessions.order_by("meeting_number", "date"))
    rows = list(
        FamilyAttendance.objects.filter(session__series=series).select_related("member__client")
    )
    readable = readable_client_ids(user, (r.member.client_id for r in rows if r.member_id))
    column = {s.pk: i for i, s in enumerate(sessions)}
    participants: dict[str, Participant] = {}
    for r in rows:
        if r.member_id:
            key = f"m:{r.member_id}"
            if key not in participants:
                named = r.member.client_id in readable
                participants[key] = Participant(
                    key=key,
                    name=r.member.full_name if named else "",
                    relation=r.member.get_relation_display(),
                    client=r.member.client if named else None,
                    marks=[None] * len(sessions),
                )
        else:
            key = "w:" + " ".join(r.walk_in_name.lower().split())
            if key not in participants:
                participants[key] = Participant(
                    key=key, name=r.walk_in_name, relation=r.walk_in_relation, client=None,
                    marks=[None] * len(sessions),
                )  # fmt: skip
        participants[key].marks[column[r.session_id]] = r.attended
    ordered = sorted(participants.values(), key=lambda p: (p.name == "", p.name.lower(), p.key))
    totals = [sum(1 for p in ordered if p.marks[i]) for i in range(len(sessions))]
    return Matrix(sessions=sessions, participants=ordered, totals=totals)


def client_sessions(*, user: User, client: Client) -> QuerySet[FamilyAttendance]:
    """The guidance sessions the client's family was listed at, among those the user may read
    (removed family members included: their attendance stays on the record)."""
    sessions = session_list(user=user)
    return (
        FamilyAttendance.objects.filter(member__client=client, session__in=sessions.values("pk"))
        .select_related("member", "session__series", "session__village")
        .order_by("-session__date", "member__full_name")
    )
