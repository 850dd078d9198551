"""The dashboard's summary snapshots: the published figures of an area and period, kept so
that a page opens without counting again, and refreshed by Celery beat and on demand.

A snapshot holds only what the page shows (already suppressed display values); the time it
was computed is shown with it."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone, translation

from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.summaries import facts as summaries
from rehab.selectors.survey import Period

from . import selectors
from .models import DashboardSnapshot
from .selectors import Area, Section

logger = logging.getLogger(__name__)

REFRESHERS = {User.Role.SUPERVISOR, User.Role.ADMIN}


def can_refresh(user: User) -> bool:
    return policy.has_role(user, REFRESHERS)


def _area_key(area: Area) -> str:
    return f"{area.code}|{','.join(area.codes)}"


def _period(data: dict) -> Period:
    return Period(
        datetime.date.fromisoformat(data["start"]), datetime.date.fromisoformat(data["end"]),
        data["key"],
    )  # fmt: skip


def _section_to_json(section: Section) -> dict:
    return {**section.as_dict(), "chart": section.chart, "money": section.money}


def stored(data: dict) -> dict:
    """The published dashboard as JSON for its snapshot."""
    area, period, before = data["area"], data["period"], data["previous_period"]
    return {
        "area": {"codes": list(area.codes), "code": area.code, "name": area.name,
                 "width": area.width},
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "key": period.key},
        "previous_period": {"start": before.start.isoformat(), "end": before.end.isoformat(),
                            "key": before.key},
        "cards": data["cards"],
        "sections": [_section_to_json(s) for s in data["sections"]],
        "areas": _section_to_json(data["areas"]),
    }  # fmt: skip


def restored(snapshot: DashboardSnapshot) -> dict:
    """A snapshot back as the dashboard the page, the API and the workbook read."""
    data = snapshot.data
    area = data["area"]
    return {
        "area": Area(tuple(area["codes"]), area["code"], area["name"], area["width"]),
        "period": _period(data["period"]),
        "previous_period": _period(data["previous_period"]),
        "cards": data["cards"],
        "sections": [Section(**s) for s in data["sections"]],
        "areas": Section(**data["areas"]),
        "computed_at": snapshot.computed_at,
    }


def snapshot_refresh(*, area: Area, period: Period, by: User | None = None) -> dict:
    """Count the area and period again and keep the result; returns the dashboard. The
    snapshot is dated when the counting began, so that a change of the summary tables
    committed meanwhile makes it out of date."""
    started = timezone.now()
    before = _fresh_snapshot(area, selectors.previous_period(period))
    cards = {c["key"]: c["value"] for c in before.data["cards"]} if before else None
    data = selectors.dashboard(area, period, before=cards)
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        area_key=_area_key(area), period=period.key, language=translation.get_language() or "",
        defaults={"data": stored(data), "computed_at": started},
    )  # fmt: skip
    if by is not None:
        logger.info("dashboard %s %s refreshed by user %s", snapshot.area_key, period.key, by.pk)
    return restored(snapshot)


def dashboard_current(area: Area, period: Period) -> dict:
    """The area's dashboard for the period: its snapshot unless the records of the period
    (or of the period before, which it is compared with) changed since, or it is older than
    ``DASHBOARD_SNAPSHOT_MAX_AGE`` seconds (the overdue follow-ups change with the day);
    otherwise counted again from the summary tables, brought up to date first."""
    summaries.refresh()
    before = selectors.previous_period(period)
    snapshot = _fresh_snapshot(area, period, since=before.start)
    if snapshot is not None:
        return restored(snapshot)
    return snapshot_refresh(area=area, period=period)


def _fresh_snapshot(
    area: Area, period: Period, *, since: datetime.date | None = None
) -> DashboardSnapshot | None:
    """The snapshot of the area and period in this language, unless older than
    ``DASHBOARD_SNAPSHOT_MAX_AGE`` or a month from ``since`` (default: the period's start)
    to the period's end changed after it was computed."""
    max_age = datetime.timedelta(seconds=settings.DASHBOARD_SNAPSHOT_MAX_AGE)
    snapshot = DashboardSnapshot.objects.filter(
        area_key=_area_key(area), period=period.key, language=translation.get_language() or "",
        computed_at__gte=timezone.now() - max_age,
    ).first()  # fmt: skip
    if snapshot is None or summaries.changed_since(
        snapshot.computed_at, start=since or period.start, end=period.end
    ):
        return None
    return snapshot


def current_periods(today: datetime.date) -> list[Period]:
    """This year, quarter and month, and the ones before them: the periods whose figures
    still change."""
    this = [
        selectors.parse_period(str(today.year)),
        selectors.parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}"),
        selectors.parse_period(f"{today:%Y-%m}"),
    ]
    # The periods before first: this year's snapshot then takes last year's cards from its.
    return [selectors.previous_period(p) for p in this] + this


def snapshots_refresh(*, today: datetime.date | None = None) -> int:
    """Refresh, in the interface's language, the snapshots of the periods that still change
    (``current_periods``) for the whole service area of every active organisation whose
    staff may open the dashboard; returns how many were refreshed."""
    today = today or timezone.localdate()
    summaries.refresh()
    organisations = Organisation.objects.filter(
        is_active=True, users__role__in=policy.DASHBOARD_READERS, users__is_active=True
    ).distinct()
    areas = {tuple(policy.organisation_area_codes(org)) for org in organisations}
    refreshed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for codes in sorted(a for a in areas if a):
            area = selectors.area_of_codes(codes)
            for period in current_periods(today):
                snapshot_refresh(area=area, period=period)
                refreshed += 1
    return refreshed
