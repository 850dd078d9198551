"""Reads of BNNK activities, enforcement summaries and village vulnerability, and the
aggregates the dashboard shows.

Who: BNNK/BNNP staff (role referrer of an organisation of kind BNNK or BNNP) record and read;
Dinsos supervisors, viewers and administrators read. All of them only inside their area
(the village's code, or for enforcement summaries the organisation's service area); anyone
else gets a 404. These are programme counts about institutions and villages, no personal data.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region

from .models import (
    Activity,
    ActivityType,
    DesaBersinar,
    EnforcementSummary,
    EnforcementTarget,
    Field,
    UrineTestResult,
    VillageStatus,
    Vulnerability,
)

Role = User.Role

WRITER_KINDS = {Organisation.Kind.BNNK, Organisation.Kind.BNNP}
READER_ROLES = {Role.SUPERVISOR, Role.VIEWER, Role.ADMIN}


def can_write(user: User) -> bool:
    """BNNK/BNNP staff record activities, enforcement summaries and village assessments."""
    return policy.has_role(user, {Role.REFERRER}) and user.organisation.kind in WRITER_KINDS


def can_read(user: User) -> bool:
    return can_write(user) or policy.has_role(user, READER_ROLES)


def can_edit_activity(user: User, activity: Activity) -> bool:
    """An activity is changed only by the organisation that recorded it."""
    return can_write(user) and activity.organisation_id == user.organisation_id


def _none_unless(allowed: bool, qs: QuerySet) -> QuerySet:
    return qs if allowed else qs.none()


# --- activities -------------------------------------------------------------------------


def activity_list(
    *,
    user: User,
    year: int | None = None,
    type: str = "",
    field: str = "",
    village: str = "",
) -> QuerySet[Activity]:
    """The activities in the user's area, newest first, with their place and organisation."""
    qs = policy.scope(Activity.objects.all(), user, "village__code")
    qs = _none_unless(can_read(user), qs)
    if year:
        qs = qs.filter(date__year=year)
    if type:
        qs = qs.filter(type=type)
    if field:
        qs = qs.filter(field=field)
    if village:
        qs = qs.filter(policy.codes_q([village], "village__code"))
    # An explicit order: a query with aggregates does not take the model's default one.
    return (
        qs.select_related("village__parent__parent", "organisation")
        .annotate(tested=Sum("urine_results__tested"), positive=Sum("urine_results__positive"))
        .order_by("-date", "-created_at")
    )


def activity_get(*, user: User, pk) -> Activity:
    qs = _none_unless(can_read(user), policy.scope(Activity.objects, user, "village__code"))
    return get_object_or_404(
        qs.select_related("village__parent__parent", "organisation", "created_by"), pk=pk
    )


def activity_years(*, user: User) -> list[int]:
    qs = activity_list(user=user)
    years = qs.order_by().values_list("date__year", flat=True).distinct()
    return sorted(set(years), reverse=True)


# --- enforcement ------------------------------------------------------------------------


def _organisations_in(codes: list[str]) -> QuerySet[Organisation]:
    """Organisations whose service area lies inside the given region codes."""
    return Organisation.objects.filter(policy.codes_q(codes, "service_area__code")).values("pk")


def enforcement_year(*, user: User, year: int) -> list[dict]:
    """Per organisation in the user's area: its periods of the year, totals, target and
    progress (cases against target, in percent)."""
    if not can_read(user):
        return []
    orgs = _organisations_in(policy.area_codes(user))
    rows = EnforcementSummary.objects.filter(organisation__in=orgs, year=year).select_related(
        "organisation"
    )
    targets = dict(
        EnforcementTarget.objects.filter(organisation__in=orgs, year=year).values_list(
            "organisation_id", "target_cases"
        )
    )
    by_org: dict[int, dict] = {}
    for row in rows.order_by("organisation__name", "period_start"):
        entry = by_org.setdefault(row.organisation_id, _org_entry(row.organisation, targets))
        entry["periods"].append(row)
    for org in Organisation.objects.filter(pk__in=targets).exclude(pk__in=by_org):
        by_org[org.pk] = _org_entry(org, targets)
    result = sorted(by_org.values(), key=lambda e: e["organisation"].name)
    for entry in result:
        entry["cases"] = sum(p.cases for p in entry["periods"])
        entry["suspects"] = sum(p.suspects for p in entry["periods"])
        target = entry["target_cases"]
        entry["progress"] = round(100 * entry["cases"] / target) if target else None
    return result


def _org_entry(organisation, targets) -> dict:
    return {
        "organisation": organisation,
        "periods": [],
        "target_cases": targets.get(organisation.pk),
    }


# --- village vulnerability --------------------------------------------------------------


def _latest_ids(qs: QuerySet[VillageStatus], on: datetime.date | None) -> QuerySet:
    """The ids of each village's latest assessment (on or before `on`): DISTINCT ON."""
    if on is not None:
        qs = qs.filter(assessed_on__lte=on)
    return (
        qs.order_by("village_id", "-assessed_on", "-recorded_at")
        .distinct("village_id")
        .values("pk")
    )


def village_status_current(
    *, user: User, status: str = "", on: datetime.date | None = None, district: str = ""
) -> QuerySet[VillageStatus]:
    """Each village's current assessment (the latest on or before `on`) in the user's area,
    with `bersinar` saying whether the village was designated Desa Bersinar by then."""
    scoped = _none_unless(
        can_read(user), policy.scope(VillageStatus.objects.all(), user, "village__code")
    )
    designated = DesaBersinar.objects.filter(village=OuterRef("village"))
    if on is not None:
        designated = designated.filter(designated_on__lte=on)
    qs = VillageStatus.objects.filter(pk__in=_latest_ids(scoped, on)).annotate(
        bersinar=Exists(designated)
    )
    if status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(policy.codes_q([district], "village__code"))
    return qs.select_related("village__parent__parent").order_by("village_id")


def village_get(*, user: User, code: str) -> Region:
    """A village in the user's area that the reader may look at (404 otherwise)."""
    if not can_read(user) or not policy.in_area(user, code):
        raise Http404
    return get_object_or_404(
        Region.objects.select_related("parent__parent"), code=code, level=Region.Level.VILLAGE
    )


def village_history(*, village: Region) -> QuerySet[VillageStatus]:
    """Every assessment of a village, the latest first (the caller checked the area)."""
    return VillageStatus.objects.filter(village=village).select_related(
        "organisation", "recorded_by"
    )


def desa_bersinar_of(*, village: Region) -> DesaBersinar | None:
    return DesaBersinar.objects.filter(village=village).first()


def district_matrix(qs: QuerySet[VillageStatus]) -> list[dict]:
    """The current statuses counted per district (kecamatan) × status, by the database."""
    counts = (
        qs.order_by()
        .values("village__parent_id", "village__parent__name", "status")
        .annotate(n=Count("pk"))
    )
    rows: dict[str, dict] = {}
    for c in counts:
        row = rows.setdefault(
            c["village__parent_id"],
            {"code": c["village__parent_id"], "name": c["village__parent__name"], "total": 0}
            | {s: 0 for s in Vulnerability.values},
        )
        row[c["status"]] = c["n"]
        row["total"] += c["n"]
    return [rows[code] for code in sorted(rows)]


# --- aggregates for the dashboard -------------------------------------------------------


def activity_summary(*, codes: list[str], start: datetime.date, end: datetime.date) -> dict:
    """Activities from `start` to `end` (inclusive) in the region codes, counted by the
    database: activities and participants by type and by field, urine tests by institution,
    and the enforcement totals of the organisations serving those codes with the target of
    the years the range touches.

    {"activities": int, "participants": int,
     "by_type": {type: {"activities": int, "participants": int}},   # every type, in order
     "by_field": {field: {"activities": int, "participants": int}},  # every field, in order
     "urine_tests": {"tested": int, "positive": int,
                     "by_institution": [{"institution": str, "tested": int, "positive": int}]},
     "enforcement": {"cases": int, "suspects": int, "target_cases": int | None}}
    Enforcement counts the periods lying wholly inside the range.
    """
    activities = Activity.objects.filter(
        policy.codes_q(codes, "village__code"), date__gte=start, date__lte=end
    )
    totals = activities.aggregate(n=Count("pk"), p=Sum("participants"))
    by_type = {t: {"activities": 0, "participants": 0} for t in ActivityType.values}
    for row in activities.order_by().values("type").annotate(n=Count("pk"), p=Sum("participants")):
        by_type[row["type"]] = {"activities": row["n"], "participants": row["p"] or 0}
    by_field = {f: {"activities": 0, "participants": 0} for f in Field.values}
    for row in activities.order_by().values("field").annotate(n=Count("pk"), p=Sum("participants")):
        by_field[row["field"]] = {"activities": row["n"], "participants": row["p"] or 0}

    urine = UrineTestResult.objects.filter(activity__in=activities.values("pk"))
    urine_totals = urine.aggregate(t=Sum("tested"), p=Sum("positive"))
    institutions = [
        {"institution": row["institution"], "tested": row["t"], "positive": row["p"]}
        for row in urine.order_by("institution")
        .values("institution")
        .annotate(t=Sum("tested"), p=Sum("positive"))
    ]

    orgs = _organisations_in(codes)
    enforcement = EnforcementSummary.objects.filter(
        organisation__in=orgs, period_start__gte=start, period_end__lte=end
    ).aggregate(c=Sum("cases"), s=Sum("suspects"))
    target = EnforcementTarget.objects.filter(
        organisation__in=orgs, year__gte=start.year, year__lte=end.year
    ).aggregate(t=Sum("target_cases"))["t"]
    return {
        "types": ActivityType.choices,
        "fields": Field.choices,
        "activities": totals["n"],
        "participants": totals["p"] or 0,
        "by_type": by_type,
        "by_field": by_field,
        "urine_tests": {
            "tested": urine_totals["t"] or 0,
            "positive": urine_totals["p"] or 0,
            "by_institution": institutions,
        },
        "enforcement": {
            "cases": enforcement["c"] or 0,
            "suspects": enforcement["s"] or 0,
            "target_cases": target,
        },
    }


def village_status_summary(*, codes: list[str], on: datetime.date) -> dict:
    """Each village's status on `on` (its latest assessment on or before it) in the region
    codes, counted by the database.

    {"on": date, "assessed": int,
     "by_status": {"bahaya": int, "waspada": int, "siaga": int, "aman": int},
     "by_district": [{"code": str, "name": str, "bahaya": int, "waspada": int, "siaga": int,
                      "aman": int, "total": int}],                       # by district code
     "bahaya_villages": [{"code": str, "name": str, "district_code": str,
                          "district_name": str, "assessed_on": date}],   # by district, name
     "desa_bersinar": int}                  # villages designated on or before `on`
    """
    scoped = VillageStatus.objects.filter(policy.codes_q(codes, "village__code"))
    current = VillageStatus.objects.filter(pk__in=_latest_ids(scoped, on))
    by_status = {s: 0 for s in Vulnerability.values}
    for row in current.order_by().values("status").annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    bahaya = [
        {
            "code": row["village_id"],
            "name": row["village__name"],
            "district_code": row["village__parent_id"],
            "district_name": row["village__parent__name"],
            "assessed_on": row["assessed_on"],
        }
        for row in current.filter(status=Vulnerability.BAHAYA)
        .order_by("village__parent_id", "village__name")
        .values(
            "village_id",
            "village__name",
            "village__parent_id",
            "village__parent__name",
            "assessed_on",
        )  # fmt: skip
    ]
    bersinar = DesaBersinar.objects.filter(
        policy.codes_q(codes, "village__code"), designated_on__lte=on
    ).count()
    return {
        "statuses": Vulnerability.choices,
        "on": on,
        "assessed": sum(by_status.values()),
        "by_status": by_status,
        "by_district": district_matrix(current),
        "bahaya_villages": bahaya,
        "desa_bersinar": bersinar,
    }


def activity_rows(*, codes: list[str], start: datetime.date, end: datetime.date) -> list[dict]:
    """The activities from `start` to `end` in the region codes, one row each (for a yearly
    report: field, type, date, place, target group, meetings, participants and urine tests),
    by field and date. Activities carry no personal data."""
    qs = (
        Activity.objects.filter(policy.codes_q(codes, "village__code"), date__gte=start,
                                date__lte=end)
        .annotate(tested=Sum("urine_results__tested"))
        .order_by("field", "date", "created_at")
    )  # fmt: skip
    return list(
        qs.values("field", "type", "date", "place", "target", "meetings", "participants",
                  "tested", "village__name")
    )  # fmt: skip
