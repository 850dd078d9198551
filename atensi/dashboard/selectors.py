"""Aggregates for district heads: counts only, never a name or an ID number."""

from django.db.models import Count

from atensi.accounts import policy
from cases.models import CLOSED_STAGES, Case, Referral, Stage


def area_summary(*, user) -> dict:
    """Counts of referrals and cases inside the user's area, by status, source and stage."""
    cases = policy.scope(Case.objects.all(), user, "client__village__code")
    referrals = policy.scope(Referral.objects.all(), user, "region__code")
    stage_counts = dict(cases.order_by().values_list("stage").annotate(n=Count("id")))
    status_counts = dict(referrals.order_by().values_list("status").annotate(n=Count("id")))
    source_counts = dict(referrals.order_by().values_list("source").annotate(n=Count("id")))
    return {
        "stages": [(label, stage_counts.get(value, 0)) for value, label in Stage.choices],
        "open_cases": sum(n for s, n in stage_counts.items() if s not in CLOSED_STAGES),
        "closed_cases": sum(n for s, n in stage_counts.items() if s in CLOSED_STAGES),
        "referral_statuses": [
            (label, status_counts.get(value, 0)) for value, label in Referral.Status.choices
        ],
        "referral_sources": [
            (label, source_counts.get(value, 0))
            for value, label in Referral.Source.choices
            if source_counts.get(value)
        ],
        "referrals_total": sum(status_counts.values()),
    }
