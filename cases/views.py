"""Pages for clients, referrals and cases: authorize → bind form → call service → redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import IntegerField, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from atensi.regions.selectors import region_label
from atensi.spreadsheets import xlsx_response
from atensi.views import perform, search_term

from . import selectors, services
from .exports import cases_xlsx
from .forms import (
    AssignForm,
    ClientEditForm,
    ClientForm,
    ConsentForm,
    ConsentWithdrawForm,
    DeclineForm,
    DuplicateForm,
    FamilyMemberForm,
    HandoverForm,
    NoteForm,
    ReferralCorrectForm,
    ReferralForm,
    TransitionForm,
    WithdrawForm,
)
from .models import CLOSED_STAGES, CaseEvent, FamilyMember, Referral, ReferralAttachment, Stage

PAGE_SIZE = 25
VIEW = AuditEvent.Action.VIEW


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _post_action(request, form, action, success) -> bool:
    """A small POST form on a detail page: bind, call the service, say how it went."""
    if not form.is_valid():
        messages.error(request, _form_problems(form))
        return False
    data = form.cleaned_data
    done = perform(request, lambda: action(data) or True, lambda _result: success(data))
    return done is not None


def _form_problems(form) -> str:
    """A form's errors in one line, for a page that cannot show the form again."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    )


def _village_choices(code):
    region = (
        Region.objects.select_related("parent__parent").filter(code=code).first() if code else None
    )
    return [(region.code, region_label(region))] if region else [("", "—")]


def _require(allowed: bool):
    if not allowed:
        raise Http404


def _require_write(user, client):
    """Read but not write: the client belongs to another organisation (a 403, as for a case)."""
    if not policy.can_write_client(user, client):
        raise PermissionDenied


# --- clients ---------------------------------------------------------------------------


@login_required
def client_list(request):
    _require(policy.can_read_cases(request.user))
    redirect_to, q = search_term(request, "clients")
    if redirect_to:
        return redirect_to
    page = _page(request, selectors.client_list(user=request.user, q=q))
    return render(request, "cases/client_list.html", {"page": page, "q": q})


@login_required
def client_detail(request, pk):
    client = selectors.client_get(user=request.user, pk=pk)
    return _client_page(request, client)


def _client_page(request, client, *, handover_form=None):
    """The client page; `handover_form` is a refused take-over, shown again with its errors."""
    audit_record(actor=request.user, action=VIEW, obj=client, request=request)
    user = request.user
    can_write = policy.can_write_client(user, client)
    handover = (
        selectors.handover_case(client=client, organisation=user.organisation)
        if can_write and client.registered_by_id != user.organisation_id
        else None
    )
    context = {
        "client": client,
        "show_nik": policy.can_see_full_nik(user),
        "can_write": can_write,
        "can_open_case": can_write
        and (client.registered_by_id == user.organisation_id or handover is not None)
        and not client.cases.filter(organisation_id=user.organisation_id)
        .exclude(stage__in=CLOSED_STAGES)
        .exists(),
        "handover": handover,
        "handover_form": (handover_form or HandoverForm()) if handover else None,
        "family": client.family.current(),
        "family_history": selectors.family_history(
            client=client, show_nik=policy.can_see_full_nik(user)
        ),
        "consents": client.consents.select_related("recorded_by"),
        "withdrawals": client.withdrawals.select_related("recorded_by"),
        "consent_state": selectors.consent_state(client=client),
        "client_history": selectors.client_history(
            client=client, show_nik=policy.can_see_full_nik(user)
        ),
        "cases": client.cases.select_related("organisation", "assigned_to"),
        "referrals": client.referrals.select_related("referring_org"),
    }
    return render(request, "cases/client_detail.html", context)


def _client_kwargs(data):
    data = dict(data)
    data.pop("allow_probable_duplicate", None)
    return data


@login_required
def client_create(request):
    _require(policy.can_write_cases(request.user))
    form = ClientForm(
        request.POST or None, village_choices=_village_choices(request.POST.get("village"))
    )
    consent_form = ConsentForm(
        request.POST or None, prefix="consent", initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid() and consent_form.is_valid():
        try:
            with transaction.atomic():
                client = services.client_register(
                    by=request.user,
                    allow_probable_duplicate=form.cleaned_data["allow_probable_duplicate"],
                    request=request,
                    **_client_kwargs(form.cleaned_data),
                )
                services.consent_record(
                    client=client, by=request.user, request=request, **consent_form.cleaned_data
                )
        except ApplicationError as exc:
            target = consent_form if exc.field in consent_form.fields else form
            target.add_application_error(exc)
            if exc.code == "probable_duplicate":
                form.ask_duplicate = True  # only now is the "register anyway" box shown
                form.fields["allow_probable_duplicate"].widget.attrs["autofocus"] = True
        else:
            messages.success(request, _("The client has been registered."))
            for warning in client.warnings:
                messages.warning(request, warning)
            return redirect("cases:client-detail", pk=client.pk)
    return render(request, "cases/client_form.html", {"form": form, "consent_form": consent_form})


@login_required
@require_POST
def case_open(request, pk):
    """Open a case for a client registered directly (a walk-in or a family's report), or
    take over a case another organisation referred out to this one (with a reason: a refusal
    shows the client page again with the reason and its error)."""
    client = selectors.client_get(user=request.user, pk=pk)
    organisation = request.user.organisation
    takes_over = (
        organisation is not None
        and client.registered_by_id != organisation.pk
        and selectors.handover_case(client=client, organisation=organisation) is not None
    )
    form = HandoverForm(request.POST) if takes_over else None
    if form is not None and not form.is_valid():
        return _client_page(request, client, handover_form=form)
    try:
        case = services.case_open(
            client=client,
            by=request.user,
            organisation=organisation,
            assigned_to=request.user,
            reason=form.cleaned_data["reason"] if form else "",
            request=request,
        )
    except ApplicationError as exc:
        if form is not None and exc.field in form.fields:
            form.add_application_error(exc)
            return _client_page(request, client, handover_form=form)
        messages.error(request, exc.message)
        return redirect("cases:client-detail", pk=client.pk)
    messages.success(request, _("Case %(ref)s has been opened.") % {"ref": case.reference})
    return redirect("cases:case-detail", pk=case.pk)


@login_required
def client_edit(request, pk):
    client = selectors.client_get(user=request.user, pk=pk)
    _require(policy.can_write_cases(request.user))
    _require_write(request.user, client)
    if request.method == "GET":
        audit_record(actor=request.user, action=VIEW, obj=client, request=request,
                     summary="edit form")  # fmt: skip
    initial = {name: getattr(client, name) for name in services.CLIENT_FIELDS}
    initial["village"] = client.village_id
    form = ClientEditForm(
        request.POST or None,
        initial=initial,
        village_choices=_village_choices(request.POST.get("village", client.village_id)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(
                client=client, by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The client's data has been saved."))
            return redirect("cases:client-detail", pk=client.pk)
    return render(request, "cases/client_form.html", {"form": form, "client": client})


@login_required
def family_add(request, pk):
    client = selectors.client_get(user=request.user, pk=pk)
    _require(policy.can_write_cases(request.user))
    _require_write(request.user, client)
    form = FamilyMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_member_add(
                client=client, by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The family member has been added."))
            return redirect("cases:client-detail", pk=client.pk)
    return render(request, "cases/simple_form.html", {
        "form": form, "client": client, "title": _("Add a family member"),
        "back": client,
    })  # fmt: skip


def _family_member(request, pk, member_pk) -> FamilyMember:
    client = selectors.client_get(user=request.user, pk=pk)
    _require(policy.can_write_cases(request.user))
    _require_write(request.user, client)
    member = get_object_or_404(client.family.current(), pk=member_pk)
    member.client = client
    return member


@login_required
def family_edit(request, pk, member_pk):
    member = _family_member(request, pk, member_pk)
    client = member.client
    if request.method == "GET":
        audit_record(actor=request.user, action=VIEW, obj=member, request=request,
                     summary="edit form")  # fmt: skip
    initial = {name: getattr(member, name) for name in services.FAMILY_FIELDS}
    form = FamilyMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_member_update(
                member=member, by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The family member has been saved."))
            return redirect("cases:client-detail", pk=client.pk)
    return render(request, "cases/simple_form.html", {
        "form": form, "client": client, "title": _("Edit a family member"), "back": client,
    })  # fmt: skip


@login_required
@require_POST
def family_remove(request, pk, member_pk):
    member = _family_member(request, pk, member_pk)
    perform(
        request,
        lambda: services.family_member_remove(member=member, by=request.user, request=request),
        _("The family member has been removed from the record."),
    )
    return redirect("cases:client-detail", pk=member.client.pk)


def _client_record_page(request, pk, form_class, service, *, success, title, intro=""):
    """A page that records one thing about a client (consent, its withdrawal) on its form."""
    client = selectors.client_get(user=request.user, pk=pk)
    _require(policy.can_write_cases(request.user))
    _require_write(request.user, client)
    form = form_class(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            service(client=client, by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, success)
            return redirect("cases:client-detail", pk=client.pk)
    return render(request, "cases/simple_form.html", {
        "form": form, "client": client, "title": title, "back": client, "intro": intro,
    })  # fmt: skip


@login_required
def consent_add(request, pk):
    return _client_record_page(
        request, pk, ConsentForm, services.consent_record,
        success=_("The consent has been recorded."), title=_("Record consent"),
    )  # fmt: skip


@login_required
def consent_withdraw(request, pk):
    return _client_record_page(
        request, pk, ConsentWithdrawForm, services.consent_withdraw,
        success=_("The withdrawal of consent has been recorded."), title=_("Withdraw consent"),
        intro=_("From the date of withdrawal nothing new is recorded for the purposes "
                "chosen. What is already recorded is kept for the service's legal duty, "
                "on the basis chosen below, and shown on the client's page."),
    )  # fmt: skip


@login_required
def client_personal_data(request, pk):
    """Everything held about the client as XLSX, for their access request; audited."""
    client = selectors.client_get(user=request.user, pk=pk)
    _require_write(request.user, client)
    content, _rows = services.client_personal_data(client=client, by=request.user, request=request)
    return xlsx_response(content, f"data-pribadi-{timezone.localdate():%Y%m%d}.xlsx")


# --- referrals -------------------------------------------------------------------------


@login_required
def referral_list(request):
    user = request.user
    _require(policy.can_read_referrals(user))
    redirect_to, q = search_term(request, "referrals")
    if redirect_to:
        return redirect_to
    status = request.GET.get("status", "")
    if status not in Referral.Status.values:
        status = ""
    page = _page(request, selectors.referral_list(user=user, status=status, q=q))
    return render(request, "cases/referral_list.html", {
        "page": page, "status": status, "q": q, "statuses": Referral.Status.choices,
        "can_decide": policy.can_decide_referrals(user),
        "can_submit": policy.can_submit_referrals(user),
    })  # fmt: skip


def _referral_sources(user):
    """Dinsos staff refer on behalf of a family or the person; partners pick their source."""
    if user.role == User.Role.REFERRER:
        return None
    return [Referral.Source.FAMILY, Referral.Source.SELF, Referral.Source.COMMUNITY]


@login_required
def referral_create(request):
    _require(policy.can_submit_referrals(request.user))
    form = ReferralForm(
        request.POST or None,
        request.FILES or None,
        village_choices=_village_choices(request.POST.get("region")),
        sources=_referral_sources(request.user),
        initial={"referral_date": timezone.localdate(), "referring_officer": str(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_submit(
                by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(
                request, _("Referral %(ref)s has been submitted.") % {"ref": referral.reference}
            )
            return redirect("cases:referral-detail", pk=referral.pk)
    return render(request, "cases/referral_form.html", {"form": form})


@login_required
def referral_detail(request, pk):
    referral = selectors.referral_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=VIEW, obj=referral, request=request)
    can_decide = policy.can_decide_referrals(request.user)
    context = {
        "referral": referral,
        "show_nik": policy.can_see_full_nik(request.user)
        or referral.referring_org_id == request.user.organisation_id,
        "can_decide": can_decide and referral.status == Referral.Status.SUBMITTED,
        "is_decider": can_decide,
        "attachments": referral.attachments.all(),
    }
    context["can_correct"] = (
        referral.status == Referral.Status.SUBMITTED
        and policy.can_submit_referrals(request.user)
        and referral.referring_org_id == request.user.organisation_id
    )
    if context["can_correct"]:
        context["withdraw_form"] = WithdrawForm()
        context["history"] = selectors.referral_history(referral=referral)
    if context["can_decide"]:
        context["decline_form"] = DeclineForm()
        context["duplicate_form"] = DuplicateForm(
            originals=_duplicate_candidates(request.user, referral)
        )
    return render(request, "cases/referral_detail.html", context)


def _own_undecided(request, pk) -> Referral:
    referral = selectors.referral_get(user=request.user, pk=pk)
    _require(
        policy.can_submit_referrals(request.user)
        and referral.referring_org_id == request.user.organisation_id
    )
    return referral


@login_required
def referral_correct(request, pk):
    referral = _own_undecided(request, pk)
    if referral.status != Referral.Status.SUBMITTED:
        messages.error(request, _("This referral has already been decided and can no longer "
                                  "be changed."))  # fmt: skip
        return redirect("cases:referral-detail", pk=referral.pk)
    initial = {name: getattr(referral, name) for name in services.REFERRAL_CORRECTABLE}
    initial["region"] = referral.region_id
    form = ReferralCorrectForm(
        request.POST or None,
        initial=initial,
        village_choices=_village_choices(request.POST.get("region") or referral.region_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_update(
                referral=referral, by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The referral has been corrected."))
            return redirect("cases:referral-detail", pk=referral.pk)
    return render(request, "cases/referral_form.html", {
        "form": form, "referral": referral,
        "title": _("Correct referral %(ref)s") % {"ref": referral.reference},
    })  # fmt: skip


@login_required
@require_POST
def referral_withdraw(request, pk):
    referral = _own_undecided(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for withdrawing."))
    else:
        perform(
            request,
            lambda: services.referral_withdraw(
                referral=referral, by=request.user, request=request, **form.cleaned_data
            ),
            _("The referral has been withdrawn."),
        )
    return redirect("cases:referral-detail", pk=referral.pk)


def _duplicate_candidates(user, referral):
    """The referrals this one may repeat: those of the same person (NIK or name) first, then
    the others; each newest first by the referral date the list shows."""
    qs = (
        selectors.referral_list(user=user)
        .exclude(pk=referral.pk)
        .exclude(status=Referral.Status.DUPLICATE)
    )
    same = Q(full_name__iexact=referral.full_name)
    if referral.nik:
        same |= Q(nik=referral.nik)
    return qs.annotate(
        same_person=Choose(When(same, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("same_person", "-referral_date", "-submitted_at")[:100]


def _client_candidates(user, referral):
    qs = selectors.client_list(user=user)
    if referral.nik:
        by_nik = qs.filter(nik=referral.nik)
        if by_nik.exists():
            return by_nik
    if referral.birth_date:
        return qs.filter(full_name__iexact=referral.full_name, birth_date=referral.birth_date)
    return qs.filter(full_name__iexact=referral.full_name)[:10]


@login_required
def referral_accept(request, pk):
    """Accept: link to an existing client or register a new one, record consent, open a case."""
    referral = selectors.referral_get(user=request.user, pk=pk)
    _require(policy.can_decide_referrals(request.user))
    if referral.status != Referral.Status.SUBMITTED:
        messages.warning(request, _("This referral has already been decided."))
        return redirect("cases:referral-detail", pk=referral.pk)
    candidates = list(_client_candidates(request.user, referral))
    if request.method == "GET":
        audit_record(actor=request.user, action=VIEW, obj=referral, request=request,
                     summary=f"accept form, {len(candidates)} candidate client(s)")  # fmt: skip
    post = request.POST if request.method == "POST" else None
    mode = request.POST.get("mode") or ("existing" if candidates else "new")
    initial_client = {
        "nik": referral.nik, "full_name": referral.full_name, "sex": referral.sex,
        "birth_date": referral.birth_date, "phone": referral.phone, "address": referral.address,
        "substances": referral.substances,
        "village": referral.region_id if referral.region.level == Region.Level.VILLAGE else "",
    }  # fmt: skip
    client_form = ClientForm(
        post if mode == "new" else None,
        initial=initial_client,
        village_choices=_village_choices(request.POST.get("village") or initial_client["village"]),
    )
    consent_form = ConsentForm(post, prefix="consent", initial={"date": timezone.localdate()})
    error = None
    if post is not None:
        try:
            case = _accept(request, referral, mode, candidates, client_form, consent_form)
        except ApplicationError as exc:
            if exc.field in consent_form.fields:
                consent_form.add_application_error(exc)
            elif mode == "new" and exc.field in client_form.fields:
                client_form.add_application_error(exc)
            else:
                error = exc.message
        else:
            if case is not None and case.referral_id == referral.pk:
                messages.success(
                    request,
                    _("Referral accepted. Case %(ref)s has been opened.") % {"ref": case.reference},
                )
            elif case is not None:
                messages.success(
                    request,
                    _("Referral accepted. It joins the client's open case %(ref)s.")
                    % {"ref": case.reference},
                )
            if case is not None:
                return redirect("cases:case-detail", pk=case.pk)
    # Two candidates the picker shows alike (same name, birth date and village: the NIK is
    # masked): the page says so and links each record, where the caseworker tells them apart.
    shown = {(c.full_name.casefold(), c.birth_date, c.village_id) for c in candidates}
    return render(request, "cases/referral_accept.html", {
        "referral": referral, "candidates": candidates, "mode": mode,
        "look_alike": len(shown) < len(candidates),
        "client_form": client_form, "consent_form": consent_form, "error": error,
    })  # fmt: skip


def _accept(request, referral, mode, candidates, client_form, consent_form):
    """Run the accept in one transaction; None when a form is invalid (errors are on it)."""
    user = request.user
    with transaction.atomic():
        if mode == "existing":
            chosen = request.POST.get("client")
            client = next((c for c in candidates if str(c.pk) == chosen), None)
            if client is None:
                raise ApplicationError(
                    _("Choose the client this referral is about."), field="client"
                )
        else:
            if not client_form.is_valid():
                return None
            data = client_form.cleaned_data
            client = services.client_register(
                by=user, allow_probable_duplicate=data["allow_probable_duplicate"],
                request=request, **_client_kwargs(data),
            )  # fmt: skip
        if not client.consents.exists() or request.POST.get("record_consent"):
            if not consent_form.is_valid():
                transaction.set_rollback(True)
                return None
            services.consent_record(
                client=client, by=user, request=request, **consent_form.cleaned_data
            )
        return services.referral_accept(referral=referral, by=user, client=client, request=request)


@login_required
@require_POST
def referral_decline(request, pk):
    referral = selectors.referral_get(user=request.user, pk=pk)
    _post_action(
        request,
        DeclineForm(request.POST),
        lambda data: services.referral_decline(
            referral=referral, by=request.user, request=request, **data
        ),
        lambda data: _("The referral has been declined."),
    )
    return redirect("cases:referral-detail", pk=referral.pk)


@login_required
@require_POST
def referral_duplicate(request, pk):
    referral = selectors.referral_get(user=request.user, pk=pk)
    original_id = request.POST.get("original", "")
    try:
        original = selectors.referral_get(user=request.user, pk=original_id)
    except (Http404, ValidationError):  # a forged or malformed id
        messages.error(request, _("Choose the original referral from the list."))
        return redirect("cases:referral-detail", pk=referral.pk)
    perform(
        request,
        lambda: services.referral_mark_duplicate(
            referral=referral, by=request.user, original=original, request=request
        ),
        _("The referral has been marked as a duplicate."),
    )
    return redirect("cases:referral-detail", pk=referral.pk)


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(ReferralAttachment.objects.select_related("referral"), pk=pk)
    selectors.referral_get(user=request.user, pk=attachment.referral_id)
    audit_record(
        actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=attachment, request=request
    )
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )


# --- cases -----------------------------------------------------------------------------


@login_required
def case_list(request):
    _require(policy.can_read_cases(request.user))
    redirect_to, q = search_term(request, "cases")
    if redirect_to:
        return redirect_to
    stage = request.GET.get("stage", "open")
    if stage not in Stage.values and stage not in ("open", "all"):
        stage = "open"
    mine = request.GET.get("mine") == "1"
    qs = selectors.case_list(
        user=request.user, stage="" if stage == "all" else stage, mine=mine, q=q
    )
    return render(request, "cases/case_list.html", {
        "page": _page(request, qs), "stage": stage, "mine": mine, "q": q, "stages": Stage.choices,
        "can_export": policy.can_export(request.user),
    })  # fmt: skip


@login_required
def case_export(request):
    """The filtered case list as XLSX, for supervisors; every export is audited."""
    _require(policy.can_export(request.user))
    stage = request.GET.get("stage", "open")
    if stage not in Stage.values and stage not in ("open", "all"):
        stage = "open"
    qs = selectors.case_list(
        user=request.user, stage="" if stage == "all" else stage,
        mine=request.GET.get("mine") == "1", q=request.session.get("search:cases", ""),
    ).order_by("reference")  # fmt: skip
    content = cases_xlsx(qs)
    audit_record(
        actor=request.user, action=AuditEvent.Action.EXPORT, object_type="case",
        summary=f"case list, stage={stage}, rows={qs.count()}", request=request,
    )  # fmt: skip
    return xlsx_response(content, f"kasus-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    return _case_page(request, case)


def _case_page(request, case, *, transition_form=None):
    """The case page; `transition_form` is a refused stage change, shown again as entered."""
    audit_record(actor=request.user, action=VIEW, obj=case, request=request)
    can_write = policy.can_write_case(request.user, case) and case.is_open
    stages = services.allowed_transitions(case.stage)
    if can_write and transition_form is None:
        transition_form = TransitionForm(
            stages=stages, organisations=selectors.referral_destinations(case=case)
        )
    elif can_write:
        transition_form.fields["to_stage"].choices = [(s, Stage(s).label) for s in stages]
    context = {
        "case": case,
        "client": case.client,
        "timeline": selectors.case_timeline(case=case),
        "can_write": can_write,
        "transition_form": transition_form if can_write else None,
        "referred_out": Stage.REFERRED_OUT,
        "note_form": NoteForm() if can_write else None,
        "steps": _steps(
            case.stage,
            case.events.filter(verb=CaseEvent.Verb.STAGE).values_list("to_stage", flat=True),
        ),
        "closing": selectors.closing_checks(case=case) if can_write else None,
        "starting": selectors.starting_checks(case=case) if can_write else None,
    }
    if policy.can_assign_cases(request.user) and can_write:
        users = case.organisation.users.filter(role__in=policy.CASE_WRITERS, is_active=True)
        context["assign_form"] = AssignForm(users=users, initial={"assignee": case.assigned_to_id})
    return render(request, "cases/case_detail.html", context)


def _steps(current, reached):
    """The stage bar: the current stage, and before it the stages the case went through
    (``reached``: the stages its changes went to; it starts in intake). A stage it passed
    over (aftercare, closing from termination) is not marked done."""
    order = [s for s in Stage.values if s != Stage.REFERRED_OUT]
    index = order.index(current) if current in order else -1
    reached = {Stage.INTAKE, *reached}
    return [
        {
            "label": Stage(s).label,
            "state": "current" if i == index else "done" if i < index and s in reached else "",
        }
        for i, s in enumerate(order)
    ]


@login_required
@require_POST
def case_transition(request, pk):
    """Move the case; a refusal shows the case page again with the form as entered and each
    error at its field."""
    case = selectors.case_get(user=request.user, pk=pk)
    form = TransitionForm(
        request.POST, stages=Stage.values, organisations=selectors.referral_destinations(case=case)
    )
    if form.is_valid():
        try:
            services.case_transition(
                case=case, by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            stage = Stage(form.cleaned_data["to_stage"]).label
            messages.success(request, _("The case has moved to: %(stage)s.") % {"stage": stage})
            return redirect("cases:case-detail", pk=case.pk)
    case = selectors.case_get(user=request.user, pk=pk)
    if not (policy.can_write_case(request.user, case) and case.is_open):
        # No form on the page to show the errors at: say them above it.
        messages.error(request, _form_problems(form))
        return redirect("cases:case-detail", pk=case.pk)
    return _case_page(request, case, transition_form=form)


@login_required
@require_POST
def case_note(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    _post_action(
        request,
        NoteForm(request.POST),
        lambda data: services.case_note_add(case=case, by=request.user, request=request, **data),
        lambda data: _("The note has been added."),
    )
    return redirect("cases:case-detail", pk=case.pk)


@login_required
@require_POST
def case_assign(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = AssignForm(request.POST, users=case.organisation.users.all())
    assignee = (
        case.organisation.users.filter(pk=form.cleaned_data["assignee"]).first()
        if form.is_valid()
        else None
    )
    if assignee is None:
        messages.error(request, _("Choose a caseworker from the list."))
    else:
        perform(
            request,
            lambda: services.case_assign(
                case=case, by=request.user, assignee=assignee, request=request
            ),
            _("The case has been assigned to %(name)s.") % {"name": assignee},
        )
    return redirect("cases:case-detail", pk=case.pk)
