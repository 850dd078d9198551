"""Writes of BNNK/BNNP staff: programme activities with their urine-test counts, enforcement
summaries and targets, village vulnerability assessments and Desa Bersinar designations.

Each function checks the user may write first, runs in one transaction and leaves an audit
event behind. No person is named in any of these records, so there is no case timeline.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

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

from .models import (
    FIELD_OF,
    Activity,
    ActivityType,
    Assessor,
    DesaBersinar,
    EnforcementSummary,
    EnforcementTarget,
    Period,
    UrineTestResult,
    VillageStatus,
    Vulnerability,
    period_dates,
)
from .selectors import can_edit_activity, can_write

Action = AuditEvent.Action
URINE_TYPES = {ActivityType.URINE_TEST, ActivityType.EARLY_DETECTION}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _not_future(value: datetime.date, field: str) -> None:
    if value > timezone.localdate():
        raise ApplicationError(_("The date lies in the future."), field=field)


def _region_in_area(by: User, code: str, levels: set[int], field: str = "village") -> Region:
    region = Region.objects.filter(code=code, level__in=levels).first()
    if region is None:
        raise ApplicationError(
            _("%(code)s is not a known village or district.") % {"code": code}, field=field
        )
    if not policy.in_area(by, region.code):
        raise ApplicationError(
            _("%(code)s lies outside your organisation's service area.") % {"code": code},
            field=field,
        )
    return region


def _clean_urine_rows(rows: Iterable[dict]) -> list[UrineTestResult]:
    results, seen = [], set()
    for row in rows:
        institution = " ".join(str(row.get("institution", "")).split())
        tested, positive = row.get("tested") or 0, row.get("positive") or 0
        if not institution:
            raise ApplicationError(_("Name the institution tested."), field="urine_results")
        if institution.lower() in seen:
            raise ApplicationError(
                _("%(name)s is listed twice.") % {"name": institution}, field="urine_results"
            )
        seen.add(institution.lower())
        if tested < 1:
            raise ApplicationError(
                _("At least one person must have been tested at %(name)s.") % {"name": institution},
                field="urine_results",
            )
        if positive < 0 or positive > tested:
            raise ApplicationError(
                _("At %(name)s more were positive than were tested.") % {"name": institution},
                field="urine_results",
            )
        results.append(UrineTestResult(institution=institution, tested=tested, positive=positive))
    return results


def _activity_values(by: User, data: dict, urine_results) -> tuple[dict, list]:
    type_ = data["type"]
    if type_ not in ActivityType.values:
        raise ApplicationError(_("Choose an activity type."), field="type")
    _not_future(data["date"], "date")
    region = _region_in_area(by, data["village"], {Region.Level.DISTRICT, Region.Level.VILLAGE})
    rows = _clean_urine_rows(urine_results or [])
    if rows and type_ not in URINE_TYPES:
        raise ApplicationError(
            _("Urine test results belong to a urine test or an early detection."),
            field="urine_results",
        )
    participants = data.get("participants") or 0
    if rows and not participants:
        participants = sum(r.tested for r in rows)
    values = {
        "type": type_,
        "field": FIELD_OF[type_],
        "date": data["date"],
        "village": region,
        "place": " ".join((data.get("place") or "").split()),
        "target": " ".join((data.get("target") or "").split()),
        "participants": participants,
        "meetings": data.get("meetings") or 1,
        "description": (data.get("description") or "").strip(),
    }
    return values, rows


@transaction.atomic
def activity_create(
    *,
    by: User,
    type: str,
    date: datetime.date,
    village: str,
    place: str = "",
    target: str = "",
    participants: int = 0,
    meetings: int = 1,
    description: str = "",
    urine_results: Iterable[dict] = (),
    request=None,
) -> Activity:
    """Record an activity of the user's organisation in a village or district of its area;
    its field of work follows from its type."""
    _require(can_write(by))
    values, rows = _activity_values(by, locals(), urine_results)
    activity = Activity.objects.create(organisation=by.organisation, created_by=by, **values)
    for row in rows:
        row.activity = activity
    UrineTestResult.objects.bulk_create(rows)
    audit_record(actor=by, action=Action.CREATE, obj=activity, request=request,
                 summary=f"activity {activity.type}, urine rows={len(rows)}")  # fmt: skip
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    by: User,
    type: str,
    date: datetime.date,
    village: str,
    place: str = "",
    target: str = "",
    participants: int = 0,
    meetings: int = 1,
    description: str = "",
    urine_results: Iterable[dict] = (),
    request=None,
) -> Activity:
    """Change an activity of the user's organisation; its urine-test rows are replaced."""
    _require(can_edit_activity(by, activity))
    values, rows = _activity_values(by, locals(), urine_results)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.save()
    activity.urine_results.all().delete()
    for row in rows:
        row.activity = activity
    UrineTestResult.objects.bulk_create(rows)
    audit_record(actor=by, action=Action.UPDATE, obj=activity, request=request,
                 summary=f"activity {activity.type}, urine rows={len(rows)}")  # fmt: skip
    return activity


def _check_year(year: int) -> None:
    if year < 2000 or year > timezone.localdate().year:
        raise ApplicationError(_("Give a year from 2000 to this year."), field="year")


@transaction.atomic
def enforcement_record(
    *, by: User, year: int, period: str, cases: int, suspects: int, request=None
) -> EnforcementSummary:
    """Record (or correct) the cases and suspects of the user's organisation in one period;
    a period may not overlap another period already recorded for the year."""
    _require(can_write(by))
    _check_year(year)
    if period not in Period.values:
        raise ApplicationError(_("Choose a period."), field="period")
    start, end = period_dates(year, period)
    _not_future(start, "period")
    if cases < 0 or suspects < 0:
        raise ApplicationError(_("Counts cannot be negative."), field="cases")
    org = by.organisation
    # Lock the organisation's year so two overlapping periods cannot slip in together.
    rows = EnforcementSummary.objects.select_for_update().filter(organisation=org, year=year)
    if rows.exclude(period=period).filter(period_start__lte=end, period_end__gte=start).exists():
        raise ApplicationError(
            _("This period overlaps a period already recorded for %(year)s.") % {"year": year},
            field="period",
            code="conflict",
        )
    summary, created = EnforcementSummary.objects.update_or_create(
        organisation=org, year=year, period=period,
        defaults={"cases": cases, "suspects": suspects, "period_start": start,
                  "period_end": end, "created_by": by},
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE if created else Action.UPDATE, obj=summary,
                 request=request, summary=f"enforcement {year} {period}")  # fmt: skip
    return summary


@transaction.atomic
def enforcement_target_set(
    *, by: User, year: int, target_cases: int, request=None
) -> EnforcementTarget:
    """Set the number of cases the user's organisation is to disclose in a year."""
    _require(can_write(by))
    if year < 2000 or year > timezone.localdate().year + 1:
        raise ApplicationError(_("Give a year from 2000 to next year."), field="year")
    if target_cases < 0:
        raise ApplicationError(_("Counts cannot be negative."), field="target_cases")
    target, created = EnforcementTarget.objects.update_or_create(
        organisation=by.organisation, year=year,
        defaults={"target_cases": target_cases, "created_by": by},
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE if created else Action.UPDATE, obj=target,
                 request=request, summary=f"enforcement target {year}")  # fmt: skip
    return target


@transaction.atomic
def village_status_record(
    *,
    by: User,
    village: str,
    status: str,
    assessed_on: datetime.date,
    assessed_by: str,
    note: str = "",
    request=None,
) -> VillageStatus:
    """Add an assessment of a village of the user's area; earlier ones stay as its history."""
    _require(can_write(by))
    region = _region_in_area(by, village, {Region.Level.VILLAGE})
    if status not in Vulnerability.values:
        raise ApplicationError(_("Choose a vulnerability status."), field="status")
    if assessed_by not in Assessor.values:
        raise ApplicationError(_("Choose who assessed the village."), field="assessed_by")
    _not_future(assessed_on, "assessed_on")
    try:
        with transaction.atomic():
            assessment = VillageStatus.objects.create(
                village=region, status=status, assessed_on=assessed_on, assessed_by=assessed_by,
                note=note.strip(), organisation=by.organisation, recorded_by=by,
            )  # fmt: skip
    except IntegrityError:
        raise ApplicationError(
            _("This village already has an assessment on that date."),
            field="assessed_on",
            code="conflict",
        ) from None
    audit_record(actor=by, action=Action.CREATE, obj=assessment, request=request,
                 summary=f"village status {region.code} {status}")  # fmt: skip
    return assessment


@transaction.atomic
def desa_bersinar_designate(
    *, by: User, village: str, designated_on: datetime.date, decree_no: str = "", request=None
) -> DesaBersinar:
    """Record that a village of the user's area was designated Desa Bersinar (or correct the
    date and decree of its designation)."""
    _require(can_write(by))
    region = _region_in_area(by, village, {Region.Level.VILLAGE})
    _not_future(designated_on, "designated_on")
    designation, created = DesaBersinar.objects.update_or_create(
        village=region,
        defaults={"designated_on": designated_on, "decree_no": decree_no.strip(),
                  "organisation": by.organisation, "recorded_by": by},
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE if created else Action.UPDATE, obj=designation,
                 request=request, summary=f"desa bersinar {region.code}")  # fmt: skip
    return designation
