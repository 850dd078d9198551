"""Pages of the satisfaction survey (IKM).

Staff: the units they may read, a unit's results for a period (with a chart, the table of
means, the index and grade against the target, the weakest elements), its QR code (PNG) and
poster (PDF), the XLSX report (audited), setting up and changing a unit, typing in a paper
questionnaire. Who may do what: rehab/selectors/survey.py.

The public: the questionnaire at /survei/<code>/ without login (CSRF kept), and its thank-you
page. Flood protection: rehab/survey_guard.py and the form's honeypot.
"""

from __future__ import annotations

import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.documents import pdf_response, render_pdf
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from atensi.spreadsheets import xlsx_response
from rehab import ikm, survey_guard
from rehab.forms.survey import (
    PaperQuestionnaireForm,
    PeriodForm,
    QuestionnaireForm,
    SurveyUnitForm,
)
from rehab.selectors import survey as selectors
from rehab.services import survey as services
from rehab.survey_exports import survey_xlsx


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _regions(user):
    return Region.objects.filter(
        policy.area_q(user, "code"), level__lte=Region.Level.DISTRICT
    ).order_by("code")


def public_url(request, unit) -> str:
    return request.build_absolute_uri(reverse("rehab:survey-public", args=[unit.code]))


# --- staff pages ------------------------------------------------------------------------


@login_required
def unit_list(request):
    """The survey units the user may read, with their number of responses."""
    units = selectors.survey_unit_list(user=request.user)
    can_create = selectors.can_manage_units(request.user)
    _require(can_create or policy.has_role(request.user, selectors.AREA_READERS))
    return render(request, "rehab/survey/unit_list.html", {
        "units": units[:200], "can_create": can_create,
    })  # fmt: skip


def _unit_form(request, form: SurveyUnitForm) -> SurveyUnitForm:
    form.fields["region"].queryset = _regions(request.user)
    return form


@login_required
def unit_create(request):
    _require(selectors.can_manage_units(request.user))
    form = _unit_form(request, SurveyUnitForm(request.POST or None,
                                              initial={"is_active": True}))  # fmt: skip
    del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.survey_unit_create(
                by=request.user, name=data["name"], region=data["region"],
                target=data["target"], request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The survey unit is set up."))
            return redirect("rehab:survey-unit-detail", unit.pk)
    return render(request, "rehab/survey/unit_form.html", {
        "form": form, "title": _("New survey unit"),
    })  # fmt: skip


@login_required
def unit_edit(request, pk):
    unit = selectors.survey_unit_get(user=request.user, pk=pk)
    _require(selectors.can_manage_unit(request.user, unit))
    form = _unit_form(request, SurveyUnitForm(request.POST or None, instance=unit))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit.refresh_from_db()  # the ModelForm changed the instance while validating
        try:
            services.survey_unit_update(
                unit=unit, by=request.user, name=data["name"], region=data["region"],
                target=data["target"], is_active=data["is_active"], request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The survey unit is saved."))
            return redirect("rehab:survey-unit-detail", unit.pk)
    return render(request, "rehab/survey/unit_form.html", {
        "form": form, "title": _("Change the survey unit"), "unit": unit,
    })  # fmt: skip


def _period(request, unit):
    """The period asked for (?period= or the period form), or the unit's default."""
    form = PeriodForm(request.GET if "year" in request.GET or "start" in request.GET else None)
    text = request.GET.get("period", "")
    if not text and form.is_bound and form.is_valid():
        text = form.period_text() or ""
    error = None
    period = None
    if text:
        try:
            period = selectors.parse_period(text)
        except ApplicationError as exc:
            error = exc.message
    period = period or selectors.default_period(unit)
    if not form.is_bound:
        form = PeriodForm(initial={"year": period.start.year})
    return period, form, error


def _chart(result: ikm.Result, distribution: dict) -> dict:
    return {
        "labels": [f"{e.element.code} {_(e.element.label)}" for e in result.elements],
        "codes": [e.element.code for e in result.elements],
        "means": [float(e.mean) for e in result.elements],
        "target": float(result.target) if result.target is not None else None,
        "weakest": list(result.weakest),
        "distribution": [distribution[e.element.code] for e in result.elements],
        "answers": [_("Rating %(n)d") % {"n": n} for n in ikm.RATINGS],
        "mean_label": _("Mean (NRR)"),
        "target_label": _("Target"),
    }


def _profile(unit, period) -> list[tuple[str, list]]:
    labels = {"sex": _("Sex"), "age_group": _("Age"), "education": _("Education"),
              "occupation": _("Occupation")}  # fmt: skip
    profile = selectors.survey_profile(unit=unit, period=period)
    return [(labels[field], counts) for field, counts in profile.items()]


@login_required
def unit_detail(request, pk):
    """A unit's results for a period; the suggestions for its own organisation only."""
    unit = selectors.survey_unit_get(user=request.user, pk=pk)
    period, period_form, period_error = _period(request, unit)
    result = selectors.survey_results(unit=unit, period=period)
    distribution = selectors.survey_distribution(unit=unit, period=period) if result else {}
    rows = []
    if result is not None:
        for element in result.elements:
            rows.append({
                "element": element, "label": _(element.element.label),
                "weak": element.element.code in result.weakest,
                "counts": distribution[element.element.code],
            })  # fmt: skip
    can_manage = selectors.can_manage_unit(request.user, unit)
    return render(request, "rehab/survey/unit_detail.html", {
        "unit": unit, "period": period, "period_form": period_form,
        "period_error": period_error, "result": result, "rows": rows,
        "grade_label": _(result.grade.label) if result else "",
        "chart": _chart(result, distribution) if result else None,
        "can_manage": can_manage, "public_url": public_url(request, unit),
        "suggestions": selectors.survey_suggestions(user=request.user, unit=unit, period=period),
        "can_read_suggestions": selectors.can_read_suggestions(request.user, unit),
        "profile": _profile(unit, period) if result else [],
    })  # fmt: skip


@login_required
def unit_export(request, pk):
    """The IKM report of the period as XLSX (ratings only), audited as an export."""
    unit = selectors.survey_unit_get(user=request.user, pk=pk)
    period, _form, error = _period(request, unit)
    if error:
        messages.error(request, error)
        return redirect("rehab:survey-unit-detail", unit.pk)
    result = selectors.survey_results(unit=unit, period=period)
    content = survey_xlsx(unit=unit, period=period, result=result)
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, obj=unit, request=request,
                 summary=f"IKM {period.start:%Y-%m-%d}..{period.end:%Y-%m-%d} xlsx")  # fmt: skip
    return xlsx_response(content, f"ikm-{unit.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")


def _qr(request, unit):
    return segno.make(public_url(request, unit), error="m")


@login_required
def unit_qr(request, pk):
    """The QR code of the unit's public link, as a PNG to print."""
    unit = selectors.survey_unit_get(user=request.user, pk=pk)
    buffer = io.BytesIO()
    _qr(request, unit).save(buffer, kind="png", scale=12, border=4)
    return HttpResponse(buffer.getvalue(), content_type="image/png", headers={
        "Content-Disposition": f'attachment; filename="survei-{unit.code}.png"',
    })  # fmt: skip


@login_required
def unit_poster(request, pk):
    """An A4 poster: the unit's name, the QR code and the link."""
    unit = selectors.survey_unit_get(user=request.user, pk=pk)
    content = render_pdf("rehab/survey/poster.html", {
        "unit": unit, "url": public_url(request, unit),
        "qr_svg": _qr(request, unit).svg_inline(scale=9, border=2),
    })  # fmt: skip
    return pdf_response(content, f"survei-{unit.code}.pdf")


@login_required
def paper_entry(request, pk):
    """Staff of the unit type in a paper questionnaire."""
    unit = selectors.survey_unit_get(user=request.user, pk=pk)
    _require(selectors.can_manage_unit(request.user, unit))
    form = PaperQuestionnaireForm(request.POST or None,
                                  initial={"answered_on": timezone.localdate()})  # fmt: skip
    del form.fields["website"]
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["answered_on"]
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        try:
            services.survey_response_submit(
                unit=unit, ratings=form.ratings(), **form.profile(),
                suggestion=form.cleaned_data["suggestion"], by=request.user,
                submitted_at=min(at, timezone.now()),  # today's, typed in before noon
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The questionnaire is recorded. Next one?"))
            return redirect("rehab:survey-paper-entry", unit.pk)
    return render(request, "rehab/survey/paper_form.html", {"form": form, "unit": unit})


# --- the public questionnaire -----------------------------------------------------------


@never_cache
def public_form(request, code):
    """The questionnaire, for anyone with the link; no login, nothing that names them."""
    unit = selectors.public_unit(code)
    token = survey_guard.device_token(request)
    status = 200
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST":
        if not survey_guard.allow_address(request):
            return _public_page(request, unit, "rehab/survey/public_limited.html", token, 429)
        if form.is_valid():
            if form.is_robot():
                return redirect("rehab:survey-thanks", unit.code)
            if not survey_guard.claim_today(unit, token):
                return _public_page(request, unit, "rehab/survey/public_already.html", token)
            try:
                services.survey_response_submit(
                    unit=unit, ratings=form.ratings(), **form.profile(),
                    suggestion=form.cleaned_data["suggestion"],
                )  # fmt: skip
            except ApplicationError as exc:
                survey_guard.release_today(unit, token)
                form.add_application_error(exc)
            else:
                return redirect("rehab:survey-thanks", unit.code)
        status = 400
    elif survey_guard.answered_today(unit, token):
        return _public_page(request, unit, "rehab/survey/public_already.html", token)
    response = render(request, "rehab/survey/public_form.html", {"form": form, "unit": unit},
                      status=status)  # fmt: skip
    if token is None:
        survey_guard.set_device_cookie(response, survey_guard.new_device_token())
    return response


def _public_page(request, unit, template, token, status=200):
    response = render(request, template, {"unit": unit}, status=status)
    if token is None:
        survey_guard.set_device_cookie(response, survey_guard.new_device_token())
    return response


def public_thanks(request, code):
    unit = selectors.public_unit(code)
    return render(request, "rehab/survey/public_thanks.html", {"unit": unit})


urlpatterns = [
    path("survei-kepuasan/", unit_list, name="survey-unit-list"),
    path("survei-kepuasan/baru/", unit_create, name="survey-unit-create"),
    path("survei-kepuasan/<uuid:pk>/", unit_detail, name="survey-unit-detail"),
    path("survei-kepuasan/<uuid:pk>/ubah/", unit_edit, name="survey-unit-edit"),
    path("survei-kepuasan/<uuid:pk>/ikm.xlsx", unit_export, name="survey-unit-export"),
    path("survei-kepuasan/<uuid:pk>/qr.png", unit_qr, name="survey-unit-qr"),
    path("survei-kepuasan/<uuid:pk>/poster.pdf", unit_poster, name="survey-unit-poster"),
    path(
        "survei-kepuasan/<uuid:pk>/kuesioner-kertas/", paper_entry, name="survey-paper-entry"
    ),  # fmt: skip
    path("survei/<slug:code>/", public_form, name="survey-public"),
    path("survei/<slug:code>/terima-kasih/", public_thanks, name="survey-thanks"),
]
