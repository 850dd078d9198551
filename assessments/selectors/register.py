"""Reads of register snapshots, their refused-row reports and register rows.

Snapshots (source, dates, counts) are national and hold no personal data: staff who work
with cases see them. The refused-row report is for those who import. A register row is
personal data: it is shown only inside the reader's area, by its village code.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessments.models import RegisterBadRow, RegisterRow, RegisterSnapshot
from atensi.accounts import policy
from atensi.accounts.models import User

Role = User.Role

REGISTER_IMPORTERS = {Role.SUPERVISOR, Role.ADMIN}
SNAPSHOT_READERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE, Role.ADMIN}
REGISTER_ROW_REGION = "village_code"


def can_import_register(user: User) -> bool:
    return policy.has_role(user, REGISTER_IMPORTERS)


def can_read_snapshots(user: User) -> bool:
    return policy.has_role(user, SNAPSHOT_READERS)


def can_read_bad_rows(user: User) -> bool:
    """The refused-row report (row, column, reason) goes to those who import."""
    return policy.has_role(user, REGISTER_IMPORTERS)


def snapshot_list(*, user: User, status: str = "") -> QuerySet[RegisterSnapshot]:
    if not can_read_snapshots(user):
        return RegisterSnapshot.objects.none()
    qs = RegisterSnapshot.objects.select_related("created_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def snapshot_get(*, user: User, pk) -> RegisterSnapshot:
    return get_object_or_404(snapshot_list(user=user), pk=pk)


def snapshot_current() -> RegisterSnapshot | None:
    """The newest completely imported snapshot: the one new decisions use by default."""
    return (
        RegisterSnapshot.objects.filter(status=RegisterSnapshot.Status.DONE)
        .order_by("-extract_date", "-finished_at")
        .first()
    )


def bad_row_list(*, user: User, snapshot: RegisterSnapshot) -> QuerySet[RegisterBadRow]:
    if not can_read_bad_rows(user):
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
