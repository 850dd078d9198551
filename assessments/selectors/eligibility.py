"""Reads of eligibility batches: a batch belongs to the organisation that screened it."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from aid.models import Programme
from assessments import verdicts
from assessments.models import BatchRow, EligibilityBatch, RegisterSnapshot
from atensi.accounts import policy
from atensi.accounts.models import User

from .register import snapshots_for


def batch_list(*, user: User) -> QuerySet[EligibilityBatch]:
    if not policy.can_write_cases(user):
        return EligibilityBatch.objects.none()
    return EligibilityBatch.objects.filter(organisation_id=user.organisation_id).select_related(
        "programme", "snapshot", "created_by"
    )


def batches_awaiting_review(*, user: User) -> QuerySet[EligibilityBatch]:
    """The organisation's batches with matches waiting for a supervisor, as ``pending``."""
    if user.role != User.Role.SUPERVISOR:
        return EligibilityBatch.objects.none()
    return (
        batch_list(user=user)
        .annotate(pending=Count("rows", filter=Q(rows__review=BatchRow.Review.PENDING)))
        .filter(pending__gt=0)
        .order_by("-created_at")
    )


def batch_get(*, user: User, pk) -> EligibilityBatch:
    return get_object_or_404(batch_list(user=user), pk=pk)


def batch_rows(*, batch: EligibilityBatch, verdict: str = "", review: str = "") -> QuerySet:
    qs = batch.rows.select_related("match", "reviewed_by").order_by("row_number")
    if verdict:
        qs = qs.filter(verdict=verdict)
    if review:
        qs = qs.filter(review=review)
    return qs


def batch_row_get(*, batch: EligibilityBatch, pk) -> BatchRow:
    return get_object_or_404(batch.rows.select_related("match"), pk=pk)


def batch_funnel(*, batch: EligibilityBatch) -> list[tuple[str, int, int]]:
    groups = batch.rows.order_by().values_list("reasons").annotate(n=Count("id"))
    return verdicts.funnel({frozenset(reasons): n for reasons, n in groups})


def batch_verdict_counts(*, batch: EligibilityBatch) -> dict[str, int]:
    """Rows per reason (a row with several reasons counts under each) and per verdict."""
    per_verdict = dict(batch.rows.order_by().values_list("verdict").annotate(n=Count("id")))
    return per_verdict


def programmes_for(*, user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(organisation_id=user.organisation_id, is_active=True)


def snapshots_ready(*, user: User) -> QuerySet[RegisterSnapshot]:
    """The completed snapshots that hold register rows of the user's area, newest first."""
    offered = [s.pk for s in snapshots_for(organisation=user.organisation)]
    return RegisterSnapshot.objects.filter(pk__in=offered).order_by("-extract_date", "-finished_at")
