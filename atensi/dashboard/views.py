from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from assessments.selectors import assessment as assessment_selectors
from assessments.selectors import eligibility as eligibility_selectors
from atensi.accounts import policy
from atensi.accounts.models import User
from cases import selectors as case_selectors
from rehab.selectors import episodes as episode_selectors

from .selectors import area_summary


@login_required
def home(request):
    """Each role lands where its daily work is."""
    user = request.user
    if user.role == User.Role.REFERRER:
        return _referrer_home(request)
    if user.role == User.Role.VIEWER:
        return redirect("dashboard:index")
    if not policy.can_read_cases(user):
        return redirect("dashboard:index")
    summary = case_selectors.home_summary(user=user)
    to_approve = assessment_selectors.assessments_to_approve(user=user)
    return render(request, "dashboard/home.html", {
        "to_approve": to_approve[:50],
        "to_approve_count": to_approve.count(),
        "reviews": eligibility_selectors.batches_awaiting_review(user=user)[:10],
        "summary": summary,
        "waiting": summary["waiting"][:10],
        "waiting_count": summary["waiting"].count(),
        "overdue": summary["overdue"][:10],
        "overdue_count": summary["overdue"].count(),
        **_follow_ups(user),
        "can_submit": policy.can_submit_referrals(user),
        "can_register": policy.can_write_cases(user),
    })  # fmt: skip


def _follow_ups(user) -> dict:
    due = episode_selectors.follow_ups_due(user=user)
    provided = episode_selectors.episode_list(user=user, status="open").filter(
        provider_id=user.organisation_id
    )
    return {
        "aftercare": due[:20],
        "aftercare_count": due.count(),
        "provided": provided.order_by("-started_on")[:10],
        "provided_count": provided.count(),
    }


def _referrer_home(request):
    """BNNK staff: their referrals, the episodes their organisation provides, and the
    aftercare follow-ups falling due."""
    user = request.user
    referrals = case_selectors.referral_list(user=user)
    return render(request, "dashboard/home_referrer.html", {
        "referrals": referrals[:10],
        "submitted_count": referrals.filter(status="submitted").count(),
        "can_submit": policy.can_submit_referrals(user),
        **_follow_ups(user),
    })  # fmt: skip


@login_required
def index(request):
    if not policy.has_role(request.user, policy.DASHBOARD_READERS):
        raise Http404
    return render(request, "dashboard/index.html", {"summary": area_summary(user=request.user)})
