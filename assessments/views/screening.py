"""ASSIST screening pages: the interview form, the result card, a client's history."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import assist
from assessments.forms.screening import ScreeningForm
from assessments.models import Screening
from assessments.selectors import screening as selectors
from assessments.services import screening as services
from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases import selectors as case_selectors

PAGE_SIZE = 25
VIEW = AuditEvent.Action.VIEW


def _require(allowed: bool):
    if not allowed:
        raise Http404


@dataclass(frozen=True)
class ResultRow:
    """One substance on the result card."""

    code: str
    name: str
    examples: str
    score: int
    max_score: int
    risk: str
    risk_label: str
    # The cut-offs as <meter> boundaries: low below `low`, high above `high`.
    low: float
    high: float


def result_rows(screening: Screening) -> list[ResultRow]:
    rows = []
    for item in screening.substances.all():
        substance = assist.BY_CODE[item.substance]
        rows.append(
            ResultRow(
                code=item.substance,
                name=_(substance.name),
                examples=_(substance.examples),
                score=item.score,
                max_score=substance.max_score,
                risk=item.risk,
                risk_label=item.get_risk_display(),
                low=substance.moderate_from - 0.5,
                high=assist.HIGH_FROM - 0.5,
            )
        )
    return rows


def answer_rows(screening: Screening) -> list[dict]:
    """The answers as asked, per substance ever used, with their labels."""
    rows = []
    for substance in assist.SUBSTANCES:
        given = screening.answers.get(substance.code) or {}
        if not given.get("q1"):
            continue
        answers = [
            {
                "number": question[1:],
                "text": _(assist.QUESTION_TEXT[question]),
                "answer": _(assist.answer_labels(question).get(given[question], given[question])),
                "points": assist.SCORES[question].get(given[question], 0),
            }
            for question in substance.questions[1:]
            if question in given
        ]
        rows.append(
            {"name": _(substance.name), "specify": given.get(assist.SPECIFY, ""),
             "answers": answers}
        )  # fmt: skip
    return rows


def _screening_form(request, client, case=None):
    _require(
        policy.can_write_case(request.user, case)
        if case is not None
        else policy.can_write_cases(request.user)
    )
    form = ScreeningForm(request.POST or None, initial={"screened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.screening_record(
                client=client, case=case, by=request.user, request=request,
                **form.service_kwargs(),
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The ASSIST screening has been recorded."))
            return redirect("assessments:screening-detail", pk=screening.pk)
    return render(
        request, "assessments/screening_form.html", {"form": form, "client": client, "case": case}
    )


@login_required
def screening_create(request, case_pk):
    """A screening within a case: the case's timeline records it."""
    case = case_selectors.case_get(user=request.user, pk=case_pk)
    return _screening_form(request, case.client, case)


@login_required
def client_screening_create(request, client_pk):
    """A screening of a client outside any one case (before intake, or a follow-up)."""
    client = case_selectors.client_get(user=request.user, pk=client_pk)
    return _screening_form(request, client)


@login_required
def screening_detail(request, pk):
    screening = selectors.screening_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=VIEW, obj=screening, request=request)
    return render(request, "assessments/screening_detail.html", {
        "screening": screening,
        "client": screening.client,
        "rows": result_rows(screening),
        "answers": answer_rows(screening),
    })  # fmt: skip


@login_required
def client_screenings(request, client_pk):
    """The client's screening history, newest first."""
    client = case_selectors.client_get(user=request.user, pk=client_pk)
    audit_record(actor=request.user, action=VIEW, obj=client, request=request,
                 summary="screenings")  # fmt: skip
    qs = selectors.screening_list(user=request.user, client=client)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/screening_list.html", {
        "client": client,
        "page": page,
        "items": [(screening, result_rows(screening)) for screening in page],
        "can_write": policy.can_write_cases(request.user),
    })  # fmt: skip


urlpatterns = [
    path("kasus/<uuid:case_pk>/skrining/baru/", screening_create, name="screening-create"),
    path(
        "klien/<uuid:client_pk>/skrining/baru/",
        client_screening_create,
        name="client-screening-create",
    ),
    path("klien/<uuid:client_pk>/skrining/", client_screenings, name="client-screenings"),
    path("skrining/<uuid:pk>/", screening_detail, name="screening-detail"),
]
