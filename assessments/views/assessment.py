"""Pages for the social assessment and the intervention plan of a case."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.views import perform
from cases import selectors as case_selectors

from ..forms.assessment import RATING_CHOICES, AssessmentForm, PlanItemForm
from ..models import Assessment, AssessmentDomain
from ..models.assessment import Component
from ..selectors import assessment as selectors
from ..services import assessment as services

VIEW = AuditEvent.Action.VIEW
Domain = AssessmentDomain.Domain


def _require(allowed: bool):
    if not allowed:
        raise Http404


def _render_form(request, form, case, assessment=None):
    return render(request, "assessments/assessment_form.html", {
        "form": form, "case": case, "assessment": assessment, "rating_scale": RATING_CHOICES,
        "can_complete": assessment is None or services.may_complete(request.user, assessment),
    })  # fmt: skip


def _after_save(request, assessment):
    """Where a saved form goes. With "save and complete" the draft stays saved even when
    completion is refused, and the refusal is said on the form."""
    if "complete" not in request.POST:
        messages.success(request, _("The assessment has been saved as a draft."))
        return redirect("assessments:assessment-edit", pk=assessment.pk)
    try:
        services.assessment_complete(assessment=assessment, by=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, _("The draft has been saved, but it cannot be completed yet: "
                                  "%(reason)s") % {"reason": exc.message})  # fmt: skip
        return redirect("assessments:assessment-edit", pk=assessment.pk)
    messages.success(request, _("The assessment has been completed; the case is in planning."))
    return redirect("assessments:assessment-detail", pk=assessment.pk)


@login_required
def assessment_list(request, case_pk):
    case = case_selectors.case_get(user=request.user, pk=case_pk)
    audit_record(actor=request.user, action=VIEW, obj=case, request=request,
                 summary="assessments")  # fmt: skip
    assessments = list(selectors.assessment_list(user=request.user, case=case))
    draft = next((a for a in assessments if a.status == Assessment.Status.DRAFT), None)
    return render(request, "assessments/assessment_list.html", {
        "case": case,
        "assessments": assessments,
        "draft": draft if draft and services.may_change(request.user, draft) else None,
        "can_start": policy.can_write_case(request.user, case) and case.is_open and not draft,
    })  # fmt: skip


@login_required
def assessment_create(request, case_pk):
    case = case_selectors.case_get(user=request.user, pk=case_pk)
    _require(policy.can_write_case(request.user, case))
    form = AssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        fields = form.assessment_fields()
        try:
            with transaction.atomic():
                assessment = services.assessment_start(
                    case=case, by=request.user, assessed_on=fields.pop("assessed_on"),
                    request=request,
                )  # fmt: skip
                services.assessment_update(
                    assessment=assessment, by=request.user, domains=form.domains(),
                    request=request, **fields,
                )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            return _after_save(request, assessment)
    return _render_form(request, form, case)


@login_required
def assessment_edit(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    _require(policy.can_write_case(request.user, assessment.case))
    if assessment.status != Assessment.Status.DRAFT:
        messages.warning(request, _("Only a draft assessment can be changed."))
        return redirect("assessments:assessment-detail", pk=assessment.pk)
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_for(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment, by=request.user, domains=form.domains(),
                request=request, **form.assessment_fields(),
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            return _after_save(request, assessment)
    else:
        audit_record(actor=request.user, action=VIEW, obj=assessment, request=request)
    return _render_form(request, form, assessment.case, assessment)


@login_required
def assessment_detail(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=VIEW, obj=assessment, request=request)
    rows = {d.domain: d for d in assessment.domains.all()}
    components = dict(Component.choices)
    return render(request, "assessments/assessment_detail.html", {
        "assessment": assessment,
        "case": assessment.case,
        "domains": [(label, rows.get(name)) for name, label in Domain.choices],
        "components": [components.get(c, c) for c in assessment.recommended_components],
        "can_edit": services.may_change(request.user, assessment),
        "can_complete": services.may_complete(request.user, assessment),
        "can_approve": services.may_approve(request.user, assessment),
    })  # fmt: skip


def _assessment_step(service, success: str):
    """A button that moves an assessment on (complete, approve) and returns to it."""

    @login_required
    @require_POST
    def view(request, pk):
        assessment = selectors.assessment_get(user=request.user, pk=pk)
        perform(
            request,
            lambda: service(assessment=assessment, by=request.user, request=request),
            success,
        )
        return redirect("assessments:assessment-detail", pk=assessment.pk)

    return view


assessment_complete = _assessment_step(
    services.assessment_complete,
    _lazy("The assessment has been completed; the case is in planning."),
)
assessment_approve = _assessment_step(
    services.assessment_approve, _lazy("The assessment has been approved.")
)


# --- the intervention plan -------------------------------------------------------------


@login_required
def plan(request, case_pk):
    """The case's intervention plan: its lines, and (POST) a new line."""
    case = case_selectors.case_get(user=request.user, pk=case_pk)
    can_write = policy.can_write_case(request.user, case) and case.is_open
    form = PlanItemForm(request.POST or None)
    if request.method == "POST":
        _require(can_write)
        if form.is_valid():
            try:
                services.plan_item_add(
                    case=case, by=request.user, request=request, **form.cleaned_data
                )
            except ApplicationError as exc:
                form.add_application_error(exc)
            else:
                messages.success(request, _("The plan item has been added."))
                return redirect("assessments:plan", case_pk=case.pk)
    else:
        audit_record(actor=request.user, action=VIEW, obj=case, request=request,
                     summary="plan")  # fmt: skip
    basis = selectors.latest_assessment(case=case)
    if basis is not None and not form.is_bound:
        form.fields["component"].initial = next(iter(basis.recommended_components), None)
    return render(request, "assessments/plan_detail.html", {
        "case": case,
        "items": selectors.plan_item_list(user=request.user, case=case),
        "basis": basis,
        "recommended": [Component(c).label for c in basis.recommended_components]
        if basis else [],
        "form": form if can_write and case.stage in services.PLAN_STAGES else None,
        "can_write": can_write,
    })  # fmt: skip


@login_required
@require_POST
def plan_item_remove(request, pk):
    item = selectors.plan_item_get(user=request.user, pk=pk)
    perform(
        request,
        lambda: services.plan_item_remove(item=item, by=request.user, request=request),
        _("The plan item has been removed."),
    )
    return redirect("assessments:plan", case_pk=item.case_id)


urlpatterns = [
    path("kasus/<uuid:case_pk>/asesmen/", assessment_list, name="assessment-list"),
    path("kasus/<uuid:case_pk>/asesmen/baru/", assessment_create, name="assessment-create"),
    path("asesmen/<uuid:pk>/", assessment_detail, name="assessment-detail"),
    path("asesmen/<uuid:pk>/ubah/", assessment_edit, name="assessment-edit"),
    path("asesmen/<uuid:pk>/selesai/", assessment_complete, name="assessment-complete"),
    path("asesmen/<uuid:pk>/setujui/", assessment_approve, name="assessment-approve"),
    path("kasus/<uuid:case_pk>/rencana/", plan, name="plan"),
    path("rencana/<uuid:pk>/hapus/", plan_item_remove, name="plan-item-remove"),
]
