"""Reads of social assessments and intervention plans, always through the access policy."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from atensi.accounts import policy
from atensi.accounts.models import User
from cases.models import CLOSED_STAGES, Case

from ..models import Assessment, PlanItem

CASE_CLIENT = "case__client"
DONE = (Assessment.Status.COMPLETED, Assessment.Status.APPROVED)


def assessment_list(
    *, user: User, case: Case | None = None, status: str = ""
) -> QuerySet[Assessment]:
    """Assessments of cases whose client the user may read, newest first."""
    if not policy.can_read_cases(user):
        return Assessment.objects.none()
    qs = (
        policy.scope_clients(Assessment.objects.all(), user, CASE_CLIENT)
        .select_related("case__client", "assessor", "approved_by")
        .prefetch_related("domains")
    )
    if case is not None:
        qs = qs.filter(case=case)
    if status:
        qs = qs.filter(status=status)
    return qs


def assessments_to_approve(*, user: User) -> QuerySet[Assessment]:
    """Completed assessments of the supervisor's organisation's open cases that they may
    approve (not their own), oldest first. A closed case's assessment waits for nobody."""
    if user.role != User.Role.SUPERVISOR:
        return Assessment.objects.none()
    return (
        assessment_list(user=user, status=Assessment.Status.COMPLETED)
        .filter(case__organisation_id=user.organisation_id)
        .exclude(case__stage__in=CLOSED_STAGES)
        .exclude(assessor=user)
        .order_by("completed_at")
    )


def assessment_get(*, user: User, pk) -> Assessment:
    return get_object_or_404(assessment_list(user=user), pk=pk)


def plan_item_list(*, user: User, case: Case | None = None) -> QuerySet[PlanItem]:
    """The intervention plan lines of cases whose client the user may read, by target date."""
    if not policy.can_read_cases(user):
        return PlanItem.objects.none()
    qs = policy.scope_clients(PlanItem.objects.all(), user, CASE_CLIENT).select_related(
        "case", "assessment", "created_by"
    )
    if case is not None:
        qs = qs.filter(case=case)
    return qs


def plan_item_get(*, user: User, pk) -> PlanItem:
    return get_object_or_404(plan_item_list(user=user), pk=pk)


def latest_assessment(*, case: Case) -> Assessment | None:
    """The case's most recent completed or approved assessment (the plan's basis)."""
    return case.assessments.filter(status__in=DONE).order_by("-assessed_on", "-created_at").first()


# --- for the eligibility screening (no user: the batch's own scope applies) -------------


def clients_with_completed_assessment(client_ids: Iterable) -> set:
    """Of the given clients, those with a completed or approved assessment. One query."""
    return set(
        Assessment.objects.filter(case__client_id__in=list(client_ids), status__in=DONE)
        .order_by()
        .values_list("case__client_id", flat=True)
        .distinct()
    )


def clients_with_business(client_ids: Iterable) -> set:
    """Of the given clients, those whose completed or approved assessment records an existing
    small business (embrio usaha). One query."""
    return set(
        Assessment.objects.filter(
            case__client_id__in=list(client_ids), status__in=DONE, has_business=True
        )
        .order_by()
        .values_list("case__client_id", flat=True)
        .distinct()
    )
