"""Pages of outreach visits: the list, recording a visit, a visit (audited: it names the person
found) and turning it into a referral with the referral form filled in from the visit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases.forms import ReferralForm
from cases.services import DINSOS_SOURCES
from rehab.forms.outreach import OutreachForm
from rehab.selectors import outreach as selectors
from rehab.services import outreach as services

from .ibm import _village_choices

PAGE_SIZE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


@login_required
def outreach_list(request):
    _require(selectors.can_record_outreach(request.user))
    visits = selectors.outreach_list(user=request.user)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rehab/outreach_list.html", {"page": page})


@login_required
def outreach_create(request):
    _require(selectors.can_record_outreach(request.user))
    form = OutreachForm(
        request.POST or None, initial={"visited_on": timezone.localdate()},
        village_choices=_village_choices(request.POST.get("village")),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.outreach_record(by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The outreach visit is recorded."))
            return redirect("rehab:outreach-detail", visit.pk)
    return render(request, "rehab/outreach_form.html", {"form": form})


@login_required
def outreach_detail(request, pk):
    visit = selectors.outreach_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=visit, request=request)
    can_refer = visit.referral_id is None and selectors.can_refer_outreach(request.user, visit)
    return render(request, "rehab/outreach_detail.html", {
        "visit": visit,
        "can_refer": can_refer,
        "can_open_referral": policy.can_read_referrals(request.user),
    })  # fmt: skip


@login_required
def outreach_refer(request, pk):
    """The referral form, filled in from the visit; submitting it links the referral."""
    visit = selectors.outreach_get(user=request.user, pk=pk)
    _require(selectors.can_refer_outreach(request.user, visit))
    if visit.referral_id is not None:
        messages.warning(request, _("This visit has already become a referral."))
        return redirect("rehab:outreach-detail", visit.pk)
    form = ReferralForm(
        request.POST or None, request.FILES or None,
        village_choices=_village_choices(request.POST.get("region") or visit.village_id),
        sources=DINSOS_SOURCES,
        initial=services.referral_initial(visit, by=request.user),
    )  # fmt: skip
    if request.method == "GET":  # the form shows the person's name: a view of the visit
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=visit,
                     request=request, summary="referral form")  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.outreach_refer(outreach=visit, by=request.user, request=request,
                                               **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(
                request, _("Referral %(ref)s has been submitted.") % {"ref": referral.reference}
            )
            return redirect("rehab:outreach-detail", visit.pk)
    return render(request, "rehab/outreach_refer.html", {"form": form, "visit": visit})


urlpatterns = [
    path("penjangkauan/", outreach_list, name="outreach-list"),
    path("penjangkauan/baru/", outreach_create, name="outreach-create"),
    path("penjangkauan/<uuid:pk>/", outreach_detail, name="outreach-detail"),
    path("penjangkauan/<uuid:pk>/rujukan/", outreach_refer, name="outreach-refer"),
]
