"""Pages of BNNK programme work: activities (with urine-test counts), enforcement summaries
against the year's target, and village vulnerability with its history and Desa Bersinar.

Readers and writers as in prevention.selectors; anyone else gets a 404. Exports are audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from atensi.regions.selectors import region_label
from atensi.spreadsheets import xlsx_response
from atensi.views import perform

from . import exports, selectors, services
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    DesaBersinarForm,
    EnforcementForm,
    TargetForm,
    UrineFormSet,
    VillageStatusFilterForm,
    VillageStatusForm,
    urine_rows,
)
from .models import Activity, Vulnerability

EXPORT = AuditEvent.Action.EXPORT
PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _region_choices(code):
    region = (
        Region.objects.select_related("parent__parent").filter(code=code).first() if code else None
    )
    return [(region.code, region_label(region))] if region else [("", "—")]


# --- activities -------------------------------------------------------------------------


def _activity_filters(request):
    user = request.user
    places = Region.objects.filter(
        pk__in=selectors.activity_list(user=user).order_by().values("village")
    ).select_related("parent__parent")
    form = ActivityFilterForm(
        request.GET or None,
        years=selectors.activity_years(user=user),
        places=sorted(((r.code, region_label(r)) for r in places), key=lambda c: c[1]),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    activities = selectors.activity_list(
        user=user, year=filters.get("year"), type=filters.get("type", ""),
        field=filters.get("field", ""), village=filters.get("village", ""),
    )  # fmt: skip
    return form, activities


@login_required
def activity_list(request):
    _require(selectors.can_read(request.user))
    form, activities = _activity_filters(request)
    totals = activities.order_by().aggregate(n=Count("pk"), p=Sum("participants"))
    return render(request, "prevention/activity_list.html", {
        "form": form, "page": Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page")),
        "total": totals["n"], "participants": totals["p"] or 0,
        "can_write": selectors.can_write(request.user),
    })  # fmt: skip


@login_required
def activity_export(request):
    """The filtered activities with their urine-test rows as a spreadsheet, audited."""
    _require(selectors.can_read(request.user))
    _form, activities = _activity_filters(request)
    activities = list(activities.prefetch_related("urine_results"))
    content = exports.activities_xlsx(activities)
    audit_record(actor=request.user, action=EXPORT, object_type="activity",
                 summary=f"activity list, rows={len(activities)}", request=request)  # fmt: skip
    return xlsx_response(content, f"kegiatan-bnnk-{timezone.localdate():%Y%m%d}.xlsx")


def _activity_form(request, activity: Activity | None = None):
    initial, rows = {"date": timezone.localdate(), "participants": 0, "meetings": 1}, []
    if activity is not None:
        names = ("type", "date", "place", "target", "participants", "meetings", "description")
        initial = {name: getattr(activity, name) for name in names}
        initial["village"] = activity.village_id
        rows = list(activity.urine_results.values("institution", "tested", "positive"))
    data = request.POST if request.method == "POST" else None
    code = request.POST.get("village") or initial.get("village")
    form = ActivityForm(data, initial=initial, village_choices=_region_choices(code))
    formset = UrineFormSet(data, initial=rows, prefix="urine")
    return form, formset


def _save_activity(request, form, formset, save):
    if request.method != "POST" or not (form.is_valid() and formset.is_valid()):
        return None
    try:
        return save(**form.cleaned_data, urine_results=urine_rows(formset))
    except ApplicationError as exc:
        form.add_application_error(exc)
        return None


@login_required
def activity_create(request):
    _require(selectors.can_write(request.user))
    form, formset = _activity_form(request)
    activity = _save_activity(request, form, formset, lambda **data: services.activity_create(
        by=request.user, request=request, **data))  # fmt: skip
    if activity is not None:
        messages.success(request, _("The activity has been recorded."))
        return redirect("prevention:activity-detail", activity.pk)
    return render(request, "prevention/activity_form.html", {
        "form": form, "formset": formset, "title": _("Record an activity"),
    })  # fmt: skip


@login_required
def activity_edit(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk)
    _require(selectors.can_edit_activity(request.user, activity))
    form, formset = _activity_form(request, activity)
    saved = _save_activity(request, form, formset, lambda **data: services.activity_update(
        activity=activity, by=request.user, request=request, **data))  # fmt: skip
    if saved is not None:
        messages.success(request, _("The activity has been saved."))
        return redirect("prevention:activity-detail", activity.pk)
    return render(request, "prevention/activity_form.html", {
        "form": form, "formset": formset, "title": _("Change the activity"), "activity": activity,
    })  # fmt: skip


@login_required
def activity_detail(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk)
    return render(request, "prevention/activity_detail.html", {
        "activity": activity, "urine_results": list(activity.urine_results.all()),
        "can_edit": selectors.can_edit_activity(request.user, activity),
    })  # fmt: skip


# --- enforcement ------------------------------------------------------------------------


def _year(request) -> int:
    try:
        return int(request.GET.get("tahun") or request.POST.get("year") or "")
    except ValueError:
        return timezone.localdate().year


@login_required
def enforcement(request):
    _require(selectors.can_read(request.user))
    year = _year(request)
    can_write = selectors.can_write(request.user)
    return render(request, "prevention/enforcement.html", {
        "year": year, "years": range(timezone.localdate().year, 2018, -1),
        "organisations": selectors.enforcement_year(user=request.user, year=year),
        "can_write": can_write,
        "form": EnforcementForm() if can_write else None,
        "target_form": TargetForm() if can_write else None,
    })  # fmt: skip


def _form_errors(request, form) -> None:
    messages.error(request, " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else error
        for name, errors in form.errors.items() for error in errors
    ))  # fmt: skip


@login_required
@require_POST
def enforcement_record(request):
    _require(selectors.can_write(request.user))
    year, form = _year(request), EnforcementForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        perform(request, lambda: services.enforcement_record(
            by=request.user, request=request, year=year, **form.cleaned_data),
            _("The enforcement summary has been saved."))  # fmt: skip
    return redirect(f"{reverse('prevention:enforcement')}?tahun={year}")


@login_required
@require_POST
def enforcement_target(request):
    _require(selectors.can_write(request.user))
    year, form = _year(request), TargetForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        perform(request, lambda: services.enforcement_target_set(
            by=request.user, request=request, year=year, **form.cleaned_data),
            _("The target has been saved."))  # fmt: skip
    return redirect(f"{reverse('prevention:enforcement')}?tahun={year}")


# --- village vulnerability --------------------------------------------------------------


def _village_filters(request):
    user = request.user
    districts = Region.objects.filter(
        level=Region.Level.DISTRICT,
        pk__in=selectors.village_status_current(user=user).order_by().values("village__parent"),
    ).order_by("name")
    form = VillageStatusFilterForm(request.GET or None,
                                   districts=[(d.code, d.name) for d in districts])  # fmt: skip
    filters = form.cleaned_data if form.is_valid() else {}
    on = filters.get("on") or timezone.localdate()
    current = selectors.village_status_current(
        user=user, on=on, status=filters.get("status", ""), district=filters.get("district", "")
    )
    return form, on, current


STATUS_COLOUR = {"bahaya": "danger", "waspada": "warning", "siaga": "info", "aman": "success"}


def _shade(n: int, top: int, status: str) -> str:
    """A heat-map shade, as on the dashboard: the more villages of a district in a status,
    against the district with the most in that status, the darker."""
    if not n or not top:
        return ""
    share = n / top
    opacity = 10 if share <= 0.25 else 25 if share <= 0.5 else 50 if share <= 0.75 else 75
    return f"bg-{STATUS_COLOUR[status]} bg-opacity-{opacity}"


def _shaded(districts: list[dict]) -> list[dict]:
    top = {s: max((row[s] for row in districts), default=0) for s in Vulnerability.values}
    for row in districts:
        row["cells"] = [
            {"status": s, "n": row[s], "css": _shade(row[s], top[s], s)}
            for s in Vulnerability.values
        ]
    return districts


@login_required
def village_status_list(request):
    _require(selectors.can_read(request.user))
    form, on, current = _village_filters(request)
    districts = _shaded(selectors.district_matrix(current))
    totals = [{"status": s, "n": sum(d[s] for d in districts)} for s in Vulnerability.values]
    return render(request, "prevention/village_status_list.html", {
        "form": form, "on": on, "statuses": Vulnerability.choices,
        "districts": districts, "totals": totals, "total": sum(d["total"] for d in districts),
        "page": Paginator(current, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_write": selectors.can_write(request.user),
    })  # fmt: skip


@login_required
def village_status_export(request):
    """The current statuses (as filtered) as a spreadsheet, audited."""
    _require(selectors.can_read(request.user))
    _form, on, current = _village_filters(request)
    rows = list(current)
    content = exports.village_statuses_xlsx(rows, on=on)
    audit_record(actor=request.user, action=EXPORT, object_type="villagestatus",
                 summary=f"village status list, rows={len(rows)}", request=request)  # fmt: skip
    return xlsx_response(content, f"kerawanan-desa-{on:%Y%m%d}.xlsx")


@login_required
def village_status_create(request):
    _require(selectors.can_write(request.user))
    code = request.POST.get("village") or request.GET.get("desa")
    form = VillageStatusForm(
        request.POST or None,
        initial={"village": code, "assessed_on": timezone.localdate(), "assessed_by": "BNNK"},
        village_choices=_region_choices(code),
    )
    if request.method == "POST" and form.is_valid():
        try:
            status = services.village_status_record(by=request.user, request=request,
                                                    **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The assessment has been recorded."))
            return redirect("prevention:village-detail", status.village_id)
    return render(request, "prevention/village_status_form.html", {"form": form})


@login_required
def village_detail(request, code):
    village = selectors.village_get(user=request.user, code=code)
    can_write = selectors.can_write(request.user) and policy.in_area(request.user, code)
    designation = selectors.desa_bersinar_of(village=village)
    return render(request, "prevention/village_detail.html", {
        "village": village, "history": list(selectors.village_history(village=village)),
        "designation": designation, "can_write": can_write,
        "bersinar_form": DesaBersinarForm(initial={
            "designated_on": designation.designated_on, "decree_no": designation.decree_no,
        } if designation else None) if can_write else None,
    })  # fmt: skip


@login_required
@require_POST
def desa_bersinar(request, code):
    village = selectors.village_get(user=request.user, code=code)
    _require(selectors.can_write(request.user))
    form = DesaBersinarForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        perform(request, lambda: services.desa_bersinar_designate(
            by=request.user, request=request, village=village.code, **form.cleaned_data),
            _("The Desa Bersinar designation has been saved."))  # fmt: skip
    return redirect("prevention:village-detail", village.code)


urlpatterns = [
    path("kegiatan-bnnk/", activity_list, name="activity-list"),
    path("kegiatan-bnnk/ekspor/", activity_export, name="activity-export"),
    path("kegiatan-bnnk/baru/", activity_create, name="activity-create"),
    path("kegiatan-bnnk/<uuid:pk>/", activity_detail, name="activity-detail"),
    path("kegiatan-bnnk/<uuid:pk>/ubah/", activity_edit, name="activity-edit"),
    path("penindakan-bnnk/", enforcement, name="enforcement"),
    path("penindakan-bnnk/catat/", enforcement_record, name="enforcement-record"),
    path("penindakan-bnnk/target/", enforcement_target, name="enforcement-target"),
    path("kerawanan-desa/", village_status_list, name="village-status-list"),
    path("kerawanan-desa/ekspor/", village_status_export, name="village-status-export"),
    path("kerawanan-desa/baru/", village_status_create, name="village-status-create"),
    path("kerawanan-desa/desa/<str:code>/", village_detail, name="village-detail"),
    path("kerawanan-desa/desa/<str:code>/bersinar/", desa_bersinar, name="desa-bersinar"),
]
