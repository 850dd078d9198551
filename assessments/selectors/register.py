"""Reads of register snapshots, their refused-row reports and register rows.

Snapshots (source, dates, counts) are national and hold no personal data: staff who work
with cases see them. The refused-row report is for those who import, inside the area the
extract covers. A register row is personal data: it is shown only inside the reader's area,
by its village code.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessments.models import RegisterBadRow, RegisterRow, RegisterSnapshot
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.regions.models import Region

Role = User.Role

REGISTER_IMPORTERS = {Role.SUPERVISOR, Role.ADMIN}
SNAPSHOT_READERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE, Role.ADMIN}
REGISTER_ROW_REGION = "village_code"


def can_import_register(user: User) -> bool:
    return policy.has_role(user, REGISTER_IMPORTERS)


def can_read_snapshots(user: User) -> bool:
    return policy.has_role(user, SNAPSHOT_READERS)


def can_read_bad_rows(user: User, snapshot: RegisterSnapshot) -> bool:
    """The refused-row report (row, column, reason, and the refused value: a birth date, a
    village code, digits of a NIK) goes to those who import, inside the area it covers: the
    importing organisation, or one whose area holds every regency of the extract."""
    if not policy.has_role(user, REGISTER_IMPORTERS):
        return False
    if snapshot.created_by.organisation_id == user.organisation_id:
        return True
    codes = policy.area_codes(user)
    return bool(snapshot.area_codes) and all(
        policy.code_in_area(code, codes) for code in snapshot.area_codes
    )


def snapshot_list(*, user: User, status: str = "") -> QuerySet[RegisterSnapshot]:
    if not can_read_snapshots(user):
        return RegisterSnapshot.objects.none()
    qs = RegisterSnapshot.objects.select_related("created_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def snapshot_get(*, user: User, pk) -> RegisterSnapshot:
    return get_object_or_404(snapshot_list(user=user), pk=pk)


def _regency(code: str) -> str:
    return ".".join(code.split(".")[:2])


def rows_in_area(snapshot: RegisterSnapshot, codes: list[str]) -> int:
    """The snapshot's rows in the regencies the area lies in or holds (counted per regency:
    an area of districts counts its whole regency)."""
    return sum(
        count
        for regency, count in snapshot.area_rows.items()
        if any(policy.code_in_area(regency, codes) or _regency(code) == regency for code in codes)
    )


def _covers(regencies: set[str], codes: list[str], province_regencies: dict) -> bool:
    """Every code of the area lies in the snapshot's regencies (a province: all of its)."""
    if not codes:
        return False
    for code in codes:
        if "." in code:
            if _regency(code) not in regencies:
                return False
        elif not province_regencies.get(code) or not province_regencies[code] <= regencies:
            return False
    return True


def snapshots_for(*, organisation) -> list[RegisterSnapshot]:
    """The completed snapshots that hold register rows of the organisation's area, newest
    first: only these are offered for its screenings."""
    codes = policy.organisation_area_codes(organisation)
    return [
        snapshot
        for snapshot in RegisterSnapshot.objects.filter(
            status=RegisterSnapshot.Status.DONE
        ).order_by("-extract_date", "-finished_at")
        if rows_in_area(snapshot, codes)
    ]


# A default extract holds at least this share of the rows the fullest offered extract holds
# for the area: a small test upload is never preselected over the real register.
DEFAULT_MIN_SHARE = 0.5


def snapshot_default(*, organisation) -> RegisterSnapshot | None:
    """The newest completed snapshot that covers the organisation's whole area and is about
    as full there as the fullest one: the one new decisions use by default. None when no
    snapshot covers the area (the user then chooses)."""
    codes = policy.organisation_area_codes(organisation)
    provinces = [code for code in codes if "." not in code]
    province_regencies: dict[str, set[str]] = {code: set() for code in provinces}
    if provinces:
        regencies = Region.objects.filter(level=Region.Level.REGENCY).filter(
            policy.codes_q(provinces, "code")
        )
        for regency in regencies.values_list("code", flat=True):
            province_regencies[regency.split(".")[0]].add(regency)
    offered = [(snapshot, rows_in_area(snapshot, codes)) for snapshot in snapshots_for(
        organisation=organisation
    )]  # fmt: skip
    fullest = max((rows for _snapshot, rows in offered), default=0)
    for snapshot, rows in offered:
        if rows >= DEFAULT_MIN_SHARE * fullest and _covers(
            set(snapshot.area_rows), codes, province_regencies
        ):
            return snapshot
    return None


def bad_row_list(*, user: User, snapshot: RegisterSnapshot) -> QuerySet[RegisterBadRow]:
    if not can_read_bad_rows(user, snapshot):
        return RegisterBadRow.objects.none()
    return RegisterBadRow.objects.filter(snapshot=snapshot).order_by("row_number", "id")


def register_row_list(
    *, user: User, snapshot: RegisterSnapshot | None = None
) -> QuerySet[RegisterRow]:
    """Register rows inside the user's area, for those who read case data."""
    if not policy.can_read_cases(user):
        return RegisterRow.objects.none()
    qs = policy.scope(RegisterRow.objects.all(), user, REGISTER_ROW_REGION)
    if snapshot is not None:
        qs = qs.filter(snapshot=snapshot)
    return qs
