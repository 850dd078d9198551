"""Reads of ASSIST screenings, always through the access policy (the client's village)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessments.models import Screening
from atensi.accounts import policy
from atensi.accounts.models import User
from cases.models import Case, Client

SCREENING_CLIENT = "client"


def screening_list(
    *, user: User, client: Client | uuid.UUID | None = None, case: Case | uuid.UUID | None = None
) -> QuerySet[Screening]:
    """Screenings of clients the user may read (policy.scope_clients), newest first, with
    their scores; optionally of one client or one case (an object or its id)."""
    if not policy.can_read_cases(user):
        return Screening.objects.none()
    qs = (
        policy.scope_clients(Screening.objects.all(), user, SCREENING_CLIENT)
        .select_related("client", "case", "screened_by")
        .prefetch_related("substances")
    )
    if client is not None:
        qs = qs.filter(client=client)
    if case is not None:
        qs = qs.filter(case=case)
    return qs


def screening_get(*, user: User, pk) -> Screening:
    return get_object_or_404(screening_list(user=user), pk=pk)
