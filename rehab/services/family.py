"""Every write of family guidance: series, sessions and their attendance.

Sessions and series are changed by case writers of the organisation that holds them, in a
village of their area. Family-member attendees are chosen among clients the writer may read;
a family member's attendance goes on the client's open cases' timeline.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from cases.models import CLOSED_STAGES, CaseEvent, Client, FamilyMember
from rehab.models.family import FamilyAttendance, FamilySeries, FamilySession

Action = AuditEvent.Action
SESSION_FIELDS = ("date", "place", "village", "topic", "facilitator", "notes", "series",
                  "meeting_number")  # fmt: skip


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _can_write(by: User, obj=None) -> bool:
    if not policy.can_write_cases(by):
        return False
    return obj is None or (
        obj.organisation_id == by.organisation_id and policy.in_area(by, obj.village_id)
    )


def _village(by: User, code) -> Region:
    code = code.code if isinstance(code, Region) else code
    region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if region is None:
        raise ApplicationError(
            _("Village code %(code)s is not a known village.") % {"code": code}, field="village"
        )
    if not policy.in_area(by, region.code):
        raise ApplicationError(
            _("Village %(code)s lies outside your organisation's service area.") % {"code": code},
            field="village",
        )
    return region


def _check_date(date: datetime.date) -> None:
    if date > timezone.localdate() + datetime.timedelta(days=366):
        raise ApplicationError(_("The date lies more than a year ahead."), field="date")
    if date.year < 2000:
        raise ApplicationError(_("The date is before 2000."), field="date")


@transaction.atomic
def series_create(
    *, by: User, name: str, village, planned_meetings: int, description: str = "", request=None
) -> FamilySeries:
    """Start a series of guidance meetings (e.g. Ketahanan Keluarga) in a village."""
    _require(_can_write(by))
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Give the series a name."), field="name")
    if not 1 <= planned_meetings <= 52:
        raise ApplicationError(_("A series has from 1 to 52 meetings."), field="planned_meetings")
    region = _village(by, village)
    if FamilySeries.objects.filter(
        organisation=by.organisation, village=region, name=name
    ).exists():
        raise ApplicationError(
            _("Your organisation already has a series of this name in this village."),
            field="name", code="conflict",
        )  # fmt: skip
    series = FamilySeries.objects.create(
        name=name, organisation=by.organisation, village=region,
        planned_meetings=planned_meetings, description=description.strip(), created_by=by,
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=series, request=request)
    return series


@transaction.atomic
def series_update(
    *,
    series: FamilySeries,
    by: User,
    name: str,
    planned_meetings: int,
    description: str = "",
    request=None,
) -> FamilySeries:
    """Correct a series' name, planned meetings or description (only its own organisation);
    fewer meetings than already recorded are refused."""
    _require(_can_write(by, series))
    series = FamilySeries.objects.select_for_update().get(pk=series.pk)
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Give the series a name."), field="name")
    if not 1 <= planned_meetings <= 52:
        raise ApplicationError(_("A series has from 1 to 52 meetings."), field="planned_meetings")
    highest = max(series.sessions.values_list("meeting_number", flat=True), default=0)
    if planned_meetings < highest:
        raise ApplicationError(
            _("Meeting %(n)d of this series is already recorded.") % {"n": highest},
            field="planned_meetings",
        )
    same_name = FamilySeries.objects.filter(
        organisation_id=series.organisation_id, village_id=series.village_id, name=name
    ).exclude(pk=series.pk)
    if same_name.exists():
        raise ApplicationError(
            _("Your organisation already has a series of this name in this village."),
            field="name", code="conflict",
        )  # fmt: skip
    changes = {"name": name, "planned_meetings": planned_meetings,
               "description": description.strip()}  # fmt: skip
    changed = [field for field, value in changes.items() if getattr(series, field) != value]
    if changed:
        for field in changed:
            setattr(series, field, changes[field])
        series.save(update_fields=changed)
        audit_record(actor=by, action=Action.UPDATE, obj=series, request=request,
                     summary="fields: " + ", ".join(sorted(changed)))  # fmt: skip
    return series


def _check_series(by: User, series: FamilySeries | None, meeting_number, session=None):
    if series is None:
        if meeting_number:
            raise ApplicationError(
                _("A meeting number belongs to a session of a series."), field="meeting_number"
            )
        return None
    if series.organisation_id != by.organisation_id:
        raise ApplicationError(_("Choose a series of your organisation."), field="series")
    if not meeting_number:
        raise ApplicationError(_("Give the meeting number within the series."),
                               field="meeting_number")  # fmt: skip
    if meeting_number > series.planned_meetings:
        raise ApplicationError(
            _("The series has %(n)d planned meetings.") % {"n": series.planned_meetings},
            field="meeting_number",
        )
    taken = series.sessions.filter(meeting_number=meeting_number)
    if session is not None:
        taken = taken.exclude(pk=session.pk)
    if taken.exists():
        raise ApplicationError(
            _("Meeting %(n)d of this series is already recorded.") % {"n": meeting_number},
            field="meeting_number", code="conflict",
        )  # fmt: skip
    return meeting_number


@transaction.atomic
def session_create(
    *,
    by: User,
    date: datetime.date,
    place: str,
    village,
    topic: str,
    facilitator: str,
    notes: str = "",
    series: FamilySeries | None = None,
    meeting_number: int | None = None,
    request=None,
) -> FamilySession:
    """Record a group guidance session held by the user's organisation in a village."""
    _require(_can_write(by))
    _check_date(date)
    region = _village(by, village)
    meeting_number = _check_series(by, series, meeting_number)
    try:
        with transaction.atomic():
            session = FamilySession.objects.create(
                organisation=by.organisation, series=series, meeting_number=meeting_number,
                date=date, place=place.strip(), village=region, topic=topic.strip(),
                facilitator=facilitator.strip(), notes=notes.strip(), created_by=by,
            )  # fmt: skip
    except IntegrityError as exc:  # the same meeting recorded concurrently
        raise ApplicationError(
            _("Meeting %(n)d of this series is already recorded.") % {"n": meeting_number},
            field="meeting_number", code="conflict",
        ) from exc  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=session, request=request)
    return session


@transaction.atomic
def session_update(*, session: FamilySession, by: User, request=None, **changes) -> FamilySession:
    """Correct a session's details (only its own organisation)."""
    _require(_can_write(by, session))
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    session = FamilySession.objects.select_for_update().get(pk=session.pk)
    if "date" in changes:
        _check_date(changes["date"])
    if "village" in changes:
        changes["village"] = _village(by, changes["village"])
    for text in ("place", "topic", "facilitator", "notes"):
        if text in changes:
            changes[text] = changes[text].strip()
    if "series" in changes or "meeting_number" in changes:
        series = changes.get("series", session.series)
        changes["series"] = series
        changes["meeting_number"] = _check_series(
            by, series, changes.get("meeting_number", session.meeting_number), session=session
        )
    changed = [name for name, value in changes.items() if getattr(session, name) != value]
    if not changed:
        return session
    for name in changed:
        setattr(session, name, changes[name])
    session.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=session, request=request,
                 summary="fields: " + ", ".join(sorted(changed)))  # fmt: skip
    return session


def _attended_event(by: User, session: FamilySession, client: Client) -> None:
    text = f"{session.date:%d-%m-%Y} · {session.topic}"
    for case in client.cases.exclude(stage__in=CLOSED_STAGES):
        CaseEvent.objects.create(case=case, verb=CaseEvent.Verb.FAMILY_SESSION, actor=by, text=text)


@transaction.atomic
def attendance_add_members(
    *,
    session: FamilySession,
    by: User,
    members: list[FamilyMember],
    attended: bool = True,
    request=None,
) -> list[FamilyAttendance]:
    """List family members of clients at a session. Only members still on the record, of
    clients the user may read; one row per member and session."""
    _require(_can_write(by, session))
    if not members:
        raise ApplicationError(_("Choose at least one family member."), field="members")
    ids = {m.pk for m in members}
    readable = policy.scope_clients(Client.objects.all(), by)
    found = {
        m.pk: m
        for m in FamilyMember.objects.current()
        .filter(pk__in=ids, client__in=readable)
        .select_related("client")
    }
    if len(found) != len(ids):
        raise ApplicationError(_("A family member was not found."), field="members")
    listed = set(session.attendances.filter(member_id__in=ids).values_list("member_id", flat=True))
    if listed:
        raise ApplicationError(
            _("A family member is already on this session's list."), field="members",
            code="conflict",
        )  # fmt: skip
    rows = []
    for member in found.values():
        try:
            with transaction.atomic():
                row = FamilyAttendance.objects.create(
                    session=session, member=member, attended=attended, recorded_by=by
                )
        except IntegrityError as exc:  # listed concurrently
            raise ApplicationError(
                _("A family member is already on this session's list."), field="members",
                code="conflict",
            ) from exc  # fmt: skip
        rows.append(row)
        if attended:
            _attended_event(by, session, member.client)
    audit_record(actor=by, action=Action.UPDATE, obj=session, request=request,
                 summary=f"attendance: {len(rows)} family member(s) listed")  # fmt: skip
    return rows


@transaction.atomic
def attendance_add_walk_in(
    *,
    session: FamilySession,
    by: User,
    name: str,
    relation: str = "",
    phone: str = "",
    attended: bool = True,
    request=None,
) -> FamilyAttendance:
    """List a walk-in attendee (not on any client's record) by name."""
    _require(_can_write(by, session))
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Enter the attendee's name."), field="name")
    if session.attendances.filter(member__isnull=True, walk_in_name__iexact=name).exists():
        raise ApplicationError(
            _("An attendee of this name is already on the list."), field="name", code="conflict"
        )
    row = FamilyAttendance.objects.create(
        session=session, walk_in_name=name, walk_in_relation=relation.strip(),
        walk_in_phone=phone.strip(), attended=attended, recorded_by=by,
    )  # fmt: skip
    audit_record(actor=by, action=Action.UPDATE, obj=session, request=request,
                 summary="attendance: walk-in listed")  # fmt: skip
    return row


@transaction.atomic
def attendance_mark(
    *, session: FamilySession, by: User, present: set, request=None
) -> tuple[int, int]:
    """Set who on the session's list attended (row ids in `present`) and who did not.
    Returns (present, absent). A family member newly marked present goes on the timeline."""
    _require(_can_write(by, session))
    present = {str(pk) for pk in present}
    rows = list(
        session.attendances.select_for_update(of=("self",)).select_related("member__client")
    )
    if present - {str(r.pk) for r in rows}:
        raise ApplicationError(_("An attendee is not on this session's list."))
    changed = 0
    for row in rows:
        attended = str(row.pk) in present
        if row.attended == attended:
            continue
        row.attended = attended
        row.save(update_fields=["attended"])
        changed += 1
        if attended and row.member_id:
            _attended_event(by, session, row.member.client)
    if changed:
        audit_record(actor=by, action=Action.UPDATE, obj=session, request=request,
                     summary=f"attendance: {changed} mark(s) changed")  # fmt: skip
    count = sum(1 for r in rows if r.attended)
    return count, len(rows) - count


@transaction.atomic
def attendance_remove(*, attendance: FamilyAttendance, by: User, request=None) -> None:
    """Take an attendee listed by mistake off the session's list."""
    session = attendance.session
    _require(_can_write(by, session))
    attendance.delete()
    audit_record(actor=by, action=Action.UPDATE, obj=session, request=request,
                 summary="attendance: one attendee taken off the list")  # fmt: skip
