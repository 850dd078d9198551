"""Aid pages: programmes and their budget panel, proposals (list, bulk actions, creation one
by one or from a screening batch, detail and transitions) and decrees."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from aid import exports, selectors, services
from aid.forms.proposals import (
    BatchProposalForm,
    DecreeForm,
    ProposalForm,
    ProposalItemsForm,
    ReasonForm,
)
from aid.models import Proposal
from aid.money import by_component, format_rupiah
from aid.services.proposals import DECIDERS, PROPOSERS
from aid.views import budget
from aid.views.evidence import match_evidence
from assessments.models import EligibilityBatch
from assessments.selectors import eligibility as batch_selectors
from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.spreadsheets import xlsx_response
from atensi.views import perform, search_term
from cases.models import Consent
from cases.selectors import case_list, client_get, consent_covers

State = Proposal.State
VIEW = AuditEvent.Action.VIEW
EXPORT = AuditEvent.Action.EXPORT


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def can_propose(user) -> bool:
    return policy.has_role(user, PROPOSERS)


def can_decide(user) -> bool:
    return policy.has_role(user, DECIDERS)


# --- programmes ---------------------------------------------------------------------------


def _file_stem(programme) -> str:
    """A download's name from the programme's name and year (no ids, no personal data)."""
    return f"{slugify(programme.name)}-{programme.year}"


@login_required
def programme_list(request):
    _require(selectors.can_read_aid(request.user))
    programmes = list(selectors.programme_list(user=request.user).order_by("-year", "name")[:100])
    panels = selectors.budget_panels(programmes)
    rows = [(p, panels[p.pk]) for p in programmes]
    open_ids = set(
        selectors.programmes_open_for_proposals(user=request.user).values_list("pk", flat=True)
    )
    return render(request, "aid/programme_list.html", {"rows": rows, "open_ids": open_ids})


@login_required
def programme_detail(request, pk):
    programme = selectors.programme_get(user=request.user, pk=pk)
    return budget.programme_page(request, programme)


@login_required
def programme_proposals_xlsx(request, pk):
    """The programme's proposals (NIKs masked) as XLSX, for supervisors (an export); the
    download is audited."""
    _require(policy.can_export(request.user))
    programme = selectors.programme_get(user=request.user, pk=pk)
    proposals = selectors.proposal_list(user=request.user, programme=programme)
    content = exports.proposals_xlsx(programme, proposals)
    audit_record(actor=request.user, action=EXPORT, obj=programme, request=request,
                 summary="proposals, nik=masked")  # fmt: skip
    return xlsx_response(content, f"usulan-{_file_stem(programme)}.xlsx")


@login_required
def programme_realisation_xlsx(request, pk):
    """Ceiling, reserved and spent per component and per district, as XLSX, for
    supervisors (an export); audited."""
    _require(policy.can_export(request.user))
    programme = selectors.programme_get(user=request.user, pk=pk)
    content = exports.realisation_xlsx(programme, selectors.realisation(programme))
    audit_record(actor=request.user, action=EXPORT, obj=programme, request=request,
                 summary="realisation")  # fmt: skip
    return xlsx_response(content, f"realisasi-{_file_stem(programme)}.xlsx")


# --- proposals ----------------------------------------------------------------------------


@login_required
def proposal_list(request):
    user = request.user
    _require(selectors.can_read_aid(user))
    programmes = selectors.programme_list(user=user)
    # The number searched for goes by POST (a name or NIK typed there must not reach a URL
    # or a log); the programme and state stay in the URL.
    redirect_to, query = search_term(request, "proposals", carry=("programme", "state"))
    if redirect_to:
        return redirect_to
    chosen = request.GET.get("programme", "")
    programme = programmes.filter(pk=chosen).first() if _is_uuid(chosen) else None
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    query = query[:40]
    proposals = selectors.proposal_search(user=user, programme=programme, state=state,
                                          query=query)  # fmt: skip
    page = Paginator(proposals, 50).get_page(request.GET.get("page"))
    # The bulk actions the page's proposals allow: a button, and a tick box beside a proposal,
    # only where there is something to act on.
    actable = {State.DRAFT} if can_propose(user) else set()
    if actable and can_decide(user):
        actable |= {State.SUBMITTED, State.VERIFIED}
    on_page = {proposal.state for proposal in page} & actable
    return render(request, "aid/proposal_list.html", {
        "page": page,
        "on_page": sorted(str(state) for state in on_page),
        "programmes": programmes,
        "programme": programme,
        "state": state,
        "states": State.choices,
        "q": query,
        "can_propose": can_propose(user),
        "can_decide": can_decide(user),
    })  # fmt: skip


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


BULK_DONE = {
    "submit": lambda n: ngettext("%(n)d proposal submitted: %(refs)s.",
                                 "%(n)d proposals submitted: %(refs)s.", n),
    "verify": lambda n: ngettext("%(n)d proposal verified: %(refs)s.",
                                 "%(n)d proposals verified: %(refs)s.", n),
}  # fmt: skip


def _list_back(request) -> str:
    """The proposal list as the user left it (its filters), from the form's `next`."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):  # fmt: skip
        return back
    return reverse("aid:proposal-list")


@login_required
@require_POST
def proposal_bulk(request):
    """Submit or verify the checked proposals, each on its own, or take them to the decree
    form; say which went through and why the others did not. Back to the list as filtered."""
    user = request.user
    _require(can_propose(user))
    action = request.POST.get("action")
    back = _list_back(request)
    steps = {"submit": services.proposal_submit, "verify": services.proposal_verify}
    if action not in (*steps, "decree"):
        messages.error(request, _("Choose an action."))
        return redirect(back)
    if action in ("verify", "decree") and not can_decide(user):
        raise Http404
    references = request.POST.getlist("proposals")
    if not references:
        messages.warning(request, _("Nothing was ticked: tick the proposals first, then "
                                    "choose the action."))  # fmt: skip
        return redirect(back)
    if action == "decree":
        # To the decree form with the checked proposal numbers (never a form token in a URL).
        query = urlencode({"proposals": references}, doseq=True)
        return redirect(f"{reverse('aid:decree-create')}?{query}")
    proposals = list(
        selectors.proposal_list(user=user).filter(reference__in=references).order_by("reference")
    )
    if not proposals:
        messages.error(request, _("None of the ticked proposals was found."))
        return redirect(back)
    done = []
    for proposal in proposals:
        try:
            steps[action](proposal=proposal, by=user, request=request)
        except ApplicationError as exc:
            messages.error(request, f"{proposal.reference}: {exc.message}")
        else:
            done.append(proposal.reference)
    if done:
        messages.success(request, BULK_DONE[action](len(done))
                         % {"n": len(done), "refs": ", ".join(done)})  # fmt: skip
    return redirect(back)


@login_required
def proposal_create(request, client_pk):
    user = request.user
    _require(can_propose(user))
    client = client_get(user=user, pk=client_pk)
    # Only programmes a proposal can be made for now: items, an allocated budget, the period.
    programmes = selectors.programmes_open_for_proposals(user=user)
    items = (
        selectors.aid_item_list(user=user)
        .filter(is_active=True, programme__in=programmes)
        .order_by("programme__name", "name")
    )
    if _recalculate(request):
        form = ProposalForm(initial=request.POST.dict(), programmes=programmes, items=items)
    else:
        form = ProposalForm(request.POST or None, programmes=programmes, items=items)
    if request.method == "POST" and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(
                client=client, programme=data["programme"],
                items=form.chosen_items(data["programme"]),
                business_plan=data["business_plan"], by=user, request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("Proposal %(ref)s created as a draft.")
                             % {"ref": proposal.reference})  # fmt: skip
            _warn_over_budget(request, proposal)
            return redirect("aid:proposal-detail", reference=proposal.reference)
    return render(request, "aid/proposal_form.html", {
        "form": form, "client": client,
        # Said before the form is filled in: saving it would be refused.
        "no_aid_consent": not consent_covers(client=client, purpose=Consent.Purpose.AID),
        **_items_context(form, programmes, chosen=form.chosen_programme_id()),
    })  # fmt: skip


def _recalculate(request) -> bool:
    """The "Recalculate" button of a proposal form (for browsers without its script): show
    the sent figures again, computed by the server, without saving or complaining."""
    return request.method == "POST" and "recalculate" in request.POST


def _items_context(form, programmes, chosen: str = "") -> dict:
    """The figures of a proposal form as the server computes them, the same that
    static/js/proposal-total.js keeps up to date while the user types: the value of each
    line, the total of the chosen programme's lines, and per programme of the catalogue
    what is available, asked and left per ATENSI component."""
    lines = form.item_lines()
    asked: dict = {}
    components: dict = {}
    for item, _field, value in lines:
        by_programme = asked.setdefault(item.programme_id, {})
        by_programme[item.component] = by_programme.get(item.component, 0) + value
        components.setdefault(item.programme_id, set()).add(item.component)
    shown = [p for p in programmes if p.pk in components]
    if chosen not in {str(p.pk) for p in shown}:
        chosen = ""
    available = selectors.budget_available([p.pk for p in shown])
    outlooks = []
    for programme in shown:
        outlook = selectors.budget_outlook(
            programme=programme, available=available.get(programme.pk, {}),
            asked=asked[programme.pk], components=components[programme.pk],
        )  # fmt: skip
        outlook["hidden"] = bool(chosen) and str(programme.pk) != chosen
        outlooks.append(outlook)
    total = sum(
        value for item, _f, value in lines if not chosen or str(item.programme_id) == chosen
    )
    return {"lines": lines, "total": total, "outlooks": outlooks}


def _warn_over_budget(request, proposal) -> None:
    """Say so when a saved proposal asks more than its programme has available in an ATENSI
    component: a warning, not a refusal (approval reserves the money and checks)."""
    programme_id = proposal.programme_id
    available = selectors.budget_available([programme_id]).get(programme_id, {})
    asked = by_component(proposal.items.values_list("component", "value"))
    outlook = selectors.budget_outlook(programme=proposal.programme, available=available,
                                       asked=asked)  # fmt: skip
    over = [str(row["label"]) for row in outlook["rows"] if row["over"]]
    if over:
        messages.warning(request, _(
            "The items ask more than is available in the budget for: %(components)s. The "
            "proposal is saved; approval will refuse it unless more is allocated."
        ) % {"components": "; ".join(over)})  # fmt: skip


@login_required
def client_proposals(request, client_pk):
    """The client's proposals, as a fragment for the client and case pages (htmx)."""
    user = request.user
    client = client_get(user=user, pk=client_pk)
    return render(request, "aid/_client_proposals.html", {
        "client": client,
        "proposals": selectors.client_proposals(user=user, client=client),
        "can_propose": can_propose(user) and selectors.can_read_aid(user),
    })  # fmt: skip


def skipped_text(skipped) -> list[str]:
    """Why rows of a batch were not proposed, one sentence per reason."""
    texts = []
    for code, n in skipped.items():
        if not n:
            continue
        if code == "not_eligible":
            text = ngettext("%(n)d row is not eligible.", "%(n)d rows are not eligible.", n)
        elif code == "no_client":
            text = ngettext(
                "%(n)d eligible row is not a registered client in your area.",
                "%(n)d eligible rows are not registered clients in your area.", n,
            )  # fmt: skip
        elif code == "consent_withdrawn":
            text = ngettext(
                "%(n)d person withdrew consent to aid and register matching.",
                "%(n)d people withdrew consent to aid and register matching.", n,
            )  # fmt: skip
        elif code == "no_consent":
            text = ngettext(
                "%(n)d person has no consent to aid and register matching on record.",
                "%(n)d people have no consent to aid and register matching on record.", n,
            )  # fmt: skip
        elif code == "already_proposed":
            text = ngettext("%(n)d row was proposed before.", "%(n)d rows were proposed before.", n)
        elif code == "open_proposal":
            text = ngettext(
                "%(n)d person already has an open proposal in this programme.",
                "%(n)d people already have an open proposal in this programme.", n,
            )  # fmt: skip
        else:
            text = ngettext("%(n)d row skipped.", "%(n)d rows skipped.", n)
        texts.append(text % {"n": n})
    return texts


def created_text(result) -> list[str]:
    """What a proposing from a batch created, and who got which items."""
    created = len(result.created)
    if not created:
        return [_("No proposal was created.")]
    texts = [ngettext("%(n)d proposal created.", "%(n)d proposals created.", created)
             % {"n": created}]  # fmt: skip
    if not result.entrepreneurship_chosen:
        return texts
    n = len(result.with_business)
    if n:
        texts.append(ngettext(
            "%(n)d person whose assessment records an existing business got the "
            "entrepreneurship items and the business plan.",
            "%(n)d people whose assessment records an existing business got the "
            "entrepreneurship items and the business plan.", n,
        ) % {"n": n})  # fmt: skip
    n = len(result.without_business)
    if n and result.others_chosen:
        texts.append(ngettext(
            "%(n)d person without a recorded business got only the other items.",
            "%(n)d people without a recorded business got only the other items.", n,
        ) % {"n": n})  # fmt: skip
    elif n:
        texts.append(ngettext(
            "%(n)d person without a recorded business got no items: add them to the draft.",
            "%(n)d people without a recorded business got no items: add them to the drafts.",
            n,
        ) % {"n": n})  # fmt: skip
    return texts


@login_required
def batch_propose(request, batch_pk):
    """Propose every ELIGIBLE row of a finished screening batch, in one action."""
    user = request.user
    _require(can_propose(user))
    batch = batch_selectors.batch_get(user=user, pk=batch_pk)
    programme = batch.programme
    _require(programme.organisation_id == user.organisation_id)
    items = selectors.aid_item_list(user=user, programme=programme).filter(is_active=True)
    form = BatchProposalForm(request.POST or None, items=items)
    counts = selectors.batch_proposal_counts(batch)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.proposals_create_from_batch(
                batch=batch, by=user, items=form.chosen_items(),
                business_plan=form.cleaned_data["business_plan"], request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            for n, text in enumerate(created_text(result)):
                (messages.success if n == 0 and result.created else messages.info)(request, text)
            for text in skipped_text(result.skipped):
                messages.info(request, text)
            return redirect(f"{reverse('aid:proposal-list')}?programme={programme.pk}")
    return render(request, "aid/batch_propose.html", {
        "form": form, "batch": batch, **counts,
        "done": batch.status == EligibilityBatch.Status.DONE,
    })  # fmt: skip


def _actions(user, proposal) -> dict:
    """The transitions the page offers this user (the services decide in the end)."""
    own = proposal.programme.organisation_id == user.organisation_id
    propose = own and can_propose(user)
    decide = own and can_decide(user)
    state = proposal.state
    # Four eyes: whoever created or submitted it is not offered to verify or approve it.
    other_eyes = user.pk not in (proposal.created_by_id, proposal.submitted_by_id)
    return {
        "edit": propose and state == State.DRAFT,
        "submit": propose and state == State.DRAFT,
        "verify": decide and other_eyes and state == State.SUBMITTED,
        "approve": decide and other_eyes and state == State.VERIFIED,
        # Where the button would be, the page says why it is not.
        "four_eyes": decide and not other_eyes and state in (State.SUBMITTED, State.VERIFIED),
        "reject": decide and state in (State.SUBMITTED, State.VERIFIED, State.APPROVED),
        "cancel": (decide or (propose and state != State.APPROVED)) and state in Proposal.UNDER_WAY,
        "hand_over": propose and state == State.APPROVED,
        "rescreen": propose and state in Proposal.BEFORE_APPROVAL,
    }


@login_required
def proposal_detail(request, reference):
    user = request.user
    proposal = selectors.proposal_get_by_reference(user=user, reference=reference)
    audit_record(actor=user, action=VIEW, obj=proposal, request=request)
    actions = _actions(user, proposal)
    return render(request, "aid/proposal_detail.html", {
        "proposal": proposal,
        "client": proposal.client,
        "cases": case_list(user=user).filter(client=proposal.client)[:5],
        "match": match_evidence(user, proposal.batch_row),
        "items": selectors.proposal_items(proposal),
        "row": proposal.batch_row,
        "warnings": selectors.proposal_warnings(proposal),
        "approval_problem": selectors.approval_problem(proposal),
        "outdated": selectors.REGISTER_OUTDATED,
        "timeline": selectors.proposal_timeline(proposal),
        "actions": actions,
        "reason_form": ReasonForm() if actions["reject"] or actions["cancel"] else None,
        "handovers": selectors.handover_list(user=user, proposal=proposal),
    })  # fmt: skip


def _can_write(user, proposal) -> bool:
    """Staff of the programme's organisation who may propose (as for the page's buttons)."""
    return proposal.programme.organisation_id == user.organisation_id and can_propose(user)


@login_required
def proposal_edit(request, reference):
    """Change a draft's items (quantities; 0 removes an item) and business plan. Once
    submitted the page only says that it can no longer be changed."""
    user = request.user
    proposal = selectors.proposal_get_by_reference(user=user, reference=reference)
    _require(_can_write(user, proposal))
    context = {"proposal": proposal, "client": proposal.client}
    if proposal.state != State.DRAFT:
        status = 409 if request.method == "POST" else 200
        return render(request, "aid/proposal_edit.html", context, status=status)
    current = {line.aid_item_id: line.quantity for line in proposal.items.all()}
    items = (
        selectors.aid_item_list(user=user, programme=proposal.programme)
        .filter(Q(is_active=True) | Q(pk__in=current))
        .order_by("name")
    )
    initial = {f"qty_{pk}": quantity for pk, quantity in current.items()}
    initial["business_plan"] = proposal.business_plan
    if _recalculate(request):
        form = ProposalItemsForm(initial=request.POST.dict(), items=items)
    else:
        form = ProposalItemsForm(request.POST or None, initial=initial, items=items)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            proposal = services.proposal_items_set(
                proposal=proposal, items=form.chosen_items(),
                business_plan=form.cleaned_data["business_plan"], by=user, request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _(
                "Proposal %(ref)s is changed; its value is now %(value)s."
            ) % {"ref": proposal.reference, "value": format_rupiah(proposal.value)})  # fmt: skip
            _warn_over_budget(request, proposal)
            return redirect("aid:proposal-detail", reference=proposal.reference)
    return render(request, "aid/proposal_edit.html", {
        **context, "form": form, **_items_context(form, [proposal.programme]),
    })  # fmt: skip


def _transition(request, reference, step, success):
    proposal = selectors.proposal_get_by_reference(user=request.user, reference=reference)
    perform(request, lambda: step(proposal), success)
    return redirect("aid:proposal-detail", reference=proposal.reference)


@login_required
@require_POST
def proposal_submit(request, reference):
    return _transition(
        request, reference,
        lambda p: services.proposal_submit(proposal=p, by=request.user, request=request),
        _("The proposal was submitted for verification."),
    )  # fmt: skip


@login_required
@require_POST
def proposal_verify(request, reference):
    return _transition(
        request, reference,
        lambda p: services.proposal_verify(proposal=p, by=request.user, request=request),
        _("The proposal was verified."),
    )  # fmt: skip


@login_required
@require_POST
def proposal_rescreen(request, reference):
    return _transition(
        request, reference,
        lambda p: services.proposal_rescreen(proposal=p, by=request.user, request=request),
        _("The person was screened again against the newest register snapshot."),
    )  # fmt: skip


def _reason(request) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@login_required
@require_POST
def proposal_reject(request, reference):
    reason = _reason(request)
    return _transition(
        request, reference,
        lambda p: services.proposal_reject(proposal=p, by=request.user, reason=reason,
                                           request=request),
        _("The proposal was rejected."),
    )  # fmt: skip


@login_required
@require_POST
def proposal_cancel(request, reference):
    reason = _reason(request)
    return _transition(
        request, reference,
        lambda p: services.proposal_cancel(proposal=p, by=request.user, reason=reason,
                                           request=request),
        _("The proposal was cancelled."),
    )  # fmt: skip


# --- decrees ------------------------------------------------------------------------------


@login_required
def decree_list(request):
    _require(selectors.can_read_aid(request.user))
    decrees = selectors.decree_list_with_totals(user=request.user)
    return render(request, "aid/decree_list.html", {
        "page": Paginator(decrees, 25).get_page(request.GET.get("page")),
        "can_decide": can_decide(request.user),
    })  # fmt: skip


@login_required
def decree_create(request):
    """Approve the chosen verified proposals with one decree; a refusal (four eyes, rules,
    budget) is shown above the form and nothing is approved."""
    user = request.user
    _require(can_decide(user))
    verified = (
        selectors.proposal_list(user=user, state=State.VERIFIED)
        .filter(programme__organisation_id=user.organisation_id)
        .order_by("programme__name", "reference")
    )
    initial = {"date": timezone.localdate(), "proposals": request.GET.getlist("proposals")}
    # The signatory of the organisation's last decree: usually the same head of office.
    last = selectors.decree_list(user=user).filter(organisation_id=user.organisation_id).first()
    if last is not None:
        initial |= {"signatory_name": last.signatory_name, "signatory_title": last.signatory_title}
    form = DecreeForm(request.POST or None, proposals=verified, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decree = services.decree_approve(
                proposals=list(data["proposals"]), number=data["number"], date=data["date"],
                signatory_name=data["signatory_name"], signatory_title=data["signatory_title"],
                by=user, request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            n = len(data["proposals"])
            messages.success(request, ngettext(
                "Decree %(number)s approves %(n)d proposal.",
                "Decree %(number)s approves %(n)d proposals.", n,
            ) % {"number": decree.number, "n": n})  # fmt: skip
            return redirect("aid:decree-detail", pk=decree.pk)
    chosen = form.chosen()
    return render(request, "aid/decree_form.html", {
        "form": form, "chosen_count": len(chosen), "chosen_total": sum(p.value for p in chosen),
    })  # fmt: skip


@login_required
def decree_detail(request, pk):
    user = request.user
    decree = selectors.decree_get(user=user, pk=pk)
    audit_record(actor=user, action=VIEW, obj=decree, request=request)
    proposals = list(selectors.decree_proposals(user=user, decree=decree))
    # Seen: a proposal rejected after the decree still counted in its total, while the
    # budget had released it.
    standing = [p for p in proposals if p.state not in Proposal.WITHDRAWN]
    return render(request, "aid/decree_detail.html", {
        "decree": decree,
        "proposals": proposals,
        "standing": len(standing),
        "withdrawn": len(proposals) - len(standing),
        "total": sum(p.value for p in standing),
        "can_print_annex": decree.organisation_id == user.organisation_id and can_decide(user),
    })  # fmt: skip


urlpatterns = [
    path("bantuan/program/", programme_list, name="programme-list"),
    path("bantuan/program/<uuid:pk>/", programme_detail, name="programme-detail"),
    path("bantuan/program/<uuid:pk>/usulan.xlsx", programme_proposals_xlsx,
         name="programme-proposals-xlsx"),
    path("bantuan/program/<uuid:pk>/realisasi.xlsx", programme_realisation_xlsx,
         name="programme-realisation-xlsx"),
    path("bantuan/usulan/", proposal_list, name="proposal-list"),
    path("bantuan/usulan/aksi/", proposal_bulk, name="proposal-bulk"),
    path("bantuan/klien/<uuid:client_pk>/usulan/", client_proposals, name="client-proposals"),
    path("bantuan/klien/<uuid:client_pk>/usulan/baru/", proposal_create, name="proposal-create"),
    path("bantuan/kelayakan/<uuid:batch_pk>/usulkan/", batch_propose, name="batch-propose"),
    path("bantuan/usulan/<str:reference>/", proposal_detail, name="proposal-detail"),
    path("bantuan/usulan/<str:reference>/ubah/", proposal_edit, name="proposal-edit"),
    path("bantuan/usulan/<str:reference>/ajukan/", proposal_submit, name="proposal-submit"),
    path("bantuan/usulan/<str:reference>/verifikasi/", proposal_verify, name="proposal-verify"),
    path("bantuan/usulan/<str:reference>/tolak/", proposal_reject, name="proposal-reject"),
    path("bantuan/usulan/<str:reference>/batalkan/", proposal_cancel, name="proposal-cancel"),
    path("bantuan/sk/", decree_list, name="decree-list"),
    path("bantuan/sk/baru/", decree_create, name="decree-create"),
    path("bantuan/sk/<uuid:pk>/", decree_detail, name="decree-detail"),
    path("bantuan/usulan/<str:reference>/saring-ulang/", proposal_rescreen,
         name="proposal-rescreen"),
]  # fmt: skip
