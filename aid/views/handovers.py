"""Aid pages: hand-overs (usable on a phone in the field), their evidence, follow-up visits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aid import selectors
from aid.forms.handovers import EvidenceForm, FollowUpForm, HandoverForm, PeriodForm
from aid.models import FollowUp, Proposal
from aid.selectors import followup_list
from aid.services import handovers as handover_services
from aid.services.followups import days_early, followup_record, is_early, is_entrepreneurship
from aid.services.proposals import PROPOSERS
from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _can_hand_over(user, proposal: Proposal) -> bool:
    return (
        policy.has_role(user, PROPOSERS)
        and proposal.programme.organisation_id == user.organisation_id
    )


@login_required
def handover_create(request, pk):
    """Hand over all or some remaining items of an approved proposal; then show the BAST."""
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    _require(_can_hand_over(request.user, proposal))
    remaining = list(
        proposal.items.filter(handed__isnull=True)
        .select_related("aid_item")
        .order_by("aid_item__name")
    )
    if proposal.state != Proposal.State.APPROVED or not remaining:
        messages.error(request, _("This proposal has nothing left to hand over."))
        return redirect("aid:handover-list")
    family = list(proposal.client.family.current().order_by("full_name"))
    # The officer's NIP as given at their last hand-over: it rarely changes.
    initial = {"officer_nip": selectors.officer_last_nip(user=request.user)}
    form = HandoverForm(request.POST or None, request.FILES or None, proposal=proposal,
                        remaining=remaining, family=family, initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover = handover_services.handover_record(
                proposal=proposal, by=request.user, handed_on=data["handed_on"],
                place=data["place"], items=form.chosen_items(),
                recipient_member=form.recipient_member(), officer_nip=data["officer_nip"],
                witness_name=data["witness_name"], witness_role=data["witness_role"],
                evidence=data["evidence"], request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("Handed over: %(number)s.") % {"number": handover.number})
            return redirect("aid:handover-detail", handover.pk)
    return render(request, "aid/handover_form.html", {"form": form, "proposal": proposal})


@login_required
def handover_list(request):
    """Hand-overs the user may read, newest first; a supervisor exports a period."""
    _require(selectors.can_read_aid(request.user))
    handovers = selectors.handover_list(user=request.user)
    ready = selectors.proposal_list(user=request.user, state=Proposal.State.APPROVED).filter(
        programme__organisation_id=request.user.organisation_id
    )
    return render(request, "aid/handover_list.html", {
        "handovers": handovers[:100], "ready": ready[:100],
        "can_export": policy.can_export(request.user), "period": PeriodForm(),
    })  # fmt: skip


@login_required
def handover_detail(request, pk):
    handover = get_object_or_404(selectors.handover_list(user=request.user), pk=pk)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=handover, request=request)
    can_write = _can_hand_over(request.user, handover.proposal)
    followups = list(followup_list(user=request.user, proposal=handover.proposal))
    # Visits come in order: only the next one due is offered for recording, not those months
    # away.
    next_due = next((f for f in followups if f.status == FollowUp.Status.DUE), None)
    return render(request, "aid/handover_detail.html", {
        "handover": handover,
        "items": handover.items.select_related("proposal_item__aid_item"),
        "followups": followups,
        "next_due": next_due,
        "can_write": can_write,
        "evidence_form": EvidenceForm() if can_write and not handover.evidence else None,
    })  # fmt: skip


@login_required
@require_POST
def handover_evidence_add(request, pk):
    handover = get_object_or_404(selectors.handover_list(user=request.user), pk=pk)
    _require(_can_hand_over(request.user, handover.proposal))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = form.errors.as_data().get("evidence", [])
        if not problems or any(problem.code == "required" for problem in problems):
            messages.error(request, _("Choose the photo or scan of the signed record."))
        else:  # a file came but cannot be used (empty, say): say so
            messages.error(request, " ".join(form.errors["evidence"]))
    else:
        try:
            handover_services.handover_evidence_attach(
                handover=handover, by=request.user, evidence=form.cleaned_data["evidence"],
                request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The signed record is attached."))
    return redirect("aid:handover-detail", handover.pk)


@login_required
def handover_evidence(request, pk):
    """The evidence file, only to those who may read the hand-over; every download audited."""
    handover = get_object_or_404(selectors.handover_list(user=request.user), pk=pk)
    if not handover.evidence:
        raise Http404
    return handover_evidence_file(request, handover)


def handover_evidence_file(request, handover) -> FileResponse:
    """The evidence as a download (page and API), audited."""
    audit_record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=handover,
                 request=request, summary="hand-over evidence")  # fmt: skip
    content_type = handover_services.evidence_content_type(handover)
    extension = {"application/pdf": "pdf", "image/png": "png"}.get(content_type, "jpg")
    filename = f"{handover.number.replace('/', '-')}.{extension}"
    return FileResponse(handover.evidence.open("rb"), content_type=content_type,
                        as_attachment=True, filename=filename)  # fmt: skip


@login_required
def followup_record_view(request, pk):
    followup = get_object_or_404(followup_list(user=request.user), pk=pk)
    proposal = followup.proposal
    _require(_can_hand_over(request.user, proposal))
    if followup.status != FollowUp.Status.DUE:
        messages.error(request, _("This visit has already been recorded."))
        return redirect("aid:handover-detail", followup.handover_id)
    entrepreneurship = is_entrepreneurship(proposal)
    form = FollowUpForm(request.POST or None, followup=followup, entrepreneurship=entrepreneurship)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            followup_record(
                followup=followup, by=request.user, visited_on=data["visited_on"],
                reached=data["reached"], business_running=data.get("business_running"),
                monthly_income=data.get("monthly_income"), usage=data["usage"],
                note=data["note"], request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("aid:handover-detail", followup.handover_id)
    today = timezone.localdate()
    return render(request, "aid/followup_form.html", {
        "form": form, "followup": followup, "proposal": proposal,
        "handover": followup.handover,
        "early_today": days_early(followup, today) if is_early(followup, today) else 0,
    })  # fmt: skip


urlpatterns = [
    path("bantuan/usulan/<uuid:pk>/serah-terima/", handover_create, name="handover-create"),
    path("bantuan/serah-terima/", handover_list, name="handover-list"),
    path("bantuan/serah-terima/<uuid:pk>/", handover_detail, name="handover-detail"),
    path("bantuan/serah-terima/<uuid:pk>/bukti/", handover_evidence, name="handover-evidence"),
    path(
        "bantuan/serah-terima/<uuid:pk>/bukti/tambah/",
        handover_evidence_add,
        name="handover-evidence-add",
    ),  # fmt: skip
    path("bantuan/kunjungan/<uuid:pk>/", followup_record_view, name="followup-record"),
]
