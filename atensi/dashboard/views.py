from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.selectors import assessment as assessment_selectors
from assessments.selectors import eligibility as eligibility_selectors
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.errors import ApplicationError
from cases import selectors as case_selectors
from rehab.selectors import episodes as episode_selectors

from . import exports, report, services
from . import selectors as dashboard


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
    # Those still waiting for a decision first: the badge above the list counts them.
    waiting_first = Case(When(status="submitted", then=0), default=1)
    return render(request, "dashboard/home_referrer.html", {
        "referrals": referrals.order_by(waiting_first, "-referral_date", "-submitted_at")[:10],
        "submitted_count": referrals.filter(status="submitted").count(),
        "can_submit": policy.can_submit_referrals(user),
        **_follow_ups(user),
    })  # fmt: skip


@login_required
def index(request):
    """The district head's dashboard: aggregates of the reader's area (or a region inside it)
    and a period, suppressed; ``?format=xlsx`` (``&section=<key>`` for one) downloads it."""
    if not policy.has_role(request.user, policy.DASHBOARD_READERS):
        raise Http404
    area = dashboard.area_for(request.user, request.GET.get("area", "").strip())
    if area is None:
        raise Http404
    try:
        period = dashboard.parse_period(request.GET.get("period", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        period = dashboard.parse_period("")
    data = services.dashboard_current(area, period)
    if request.GET.get("format") == "xlsx":
        return exports.dashboard_xlsx(data, section=request.GET.get("section", ""))
    query = {"area": area.code, "period": period.key}
    choices = dashboard.area_choices(request.user)
    if area.code not in {code for code, _label in choices}:
        choices.append((area.code, f"{area.name} ({area.code})"))
    return render(request, "dashboard/index.html", {
        "data": data,
        "area_choices": choices,
        "query": urlencode(query),
        "drill": area.width < 13,
        "can_refresh": services.can_refresh(request.user),
        "can_report": report.can_report(request.user),
    })  # fmt: skip


@login_required
@require_POST
def refresh(request):
    """Count the chosen area and period again now (supervisors and administrators)."""
    if not services.can_refresh(request.user):
        raise Http404
    area = dashboard.area_for(request.user, request.POST.get("area", "").strip())
    if area is None:
        raise Http404
    try:
        period = dashboard.parse_period(request.POST.get("period", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("dashboard:index")
    services.snapshot_refresh(area=area, period=period, by=request.user)
    messages.success(request, _("The dashboard has been counted again."))
    query = urlencode({"area": area.code, "period": period.key})
    return redirect(f"{reverse('dashboard:index')}?{query}")
