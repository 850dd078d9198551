"""Pages of IBM units: the list (and its spreadsheet), a unit with its recovery agents and the
clients it supports, and the forms of the organisation that set the unit up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from atensi.regions.selectors import region_label
from atensi.spreadsheets import xlsx_response
from atensi.views import perform
from rehab.exports import ibm_units_xlsx
from rehab.forms.ibm import IbmUnitEditForm, IbmUnitForm, RecoveryAgentForm
from rehab.models.episodes import RecoveryAgent
from rehab.selectors import ibm as selectors
from rehab.services import ibm as services


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _village_choices(code):
    region = (
        Region.objects.select_related("parent__parent").filter(code=code).first() if code else None
    )
    return [(region.code, region_label(region))] if region else [("", "—")]


@login_required
def ibm_unit_list(request):
    _require(selectors.can_read_units(request.user))
    units = selectors.ibm_unit_list(user=request.user).order_by("-is_active", "name")
    return render(request, "rehab/ibm_unit_list.html", {
        "units": units, "can_create": selectors.can_create_units(request.user),
    })  # fmt: skip


@login_required
def ibm_unit_export(request):
    """The readable units with their agents as a spreadsheet (no client in it), audited."""
    _require(selectors.can_read_units(request.user))
    units = selectors.units_with_agents(user=request.user).order_by("name")
    content = ibm_units_xlsx(units)
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, object_type="ibmunit",
                 summary=f"ibm unit list, units={len(units)}", request=request)  # fmt: skip
    return xlsx_response(content, f"unit-ibm-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def ibm_unit_create(request):
    _require(selectors.can_create_units(request.user))
    form = IbmUnitForm(request.POST or None,
                       village_choices=_village_choices(request.POST.get("village")))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.ibm_unit_create(by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The IBM unit %(name)s is set up.") % {"name": unit.name})
            return redirect("rehab:ibm-unit-detail", unit.pk)
    return render(request, "rehab/ibm_unit_form.html", {
        "form": form, "title": _("New IBM unit"),
    })  # fmt: skip


@login_required
def ibm_unit_edit(request, pk):
    unit = selectors.ibm_unit_get(user=request.user, pk=pk)
    _require(selectors.can_write_unit(request.user, unit))
    initial = {"name": unit.name, "village": unit.village_id,
               "established_on": unit.established_on, "is_active": unit.is_active}  # fmt: skip
    form = IbmUnitEditForm(
        request.POST or None, initial=initial,
        village_choices=_village_choices(request.POST.get("village") or unit.village_id),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.ibm_unit_update(unit=unit, by=request.user, request=request,
                                     **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The IBM unit is saved."))
            return redirect("rehab:ibm-unit-detail", unit.pk)
    return render(request, "rehab/ibm_unit_form.html", {
        "form": form, "title": _("Change the IBM unit"), "unit": unit,
    })  # fmt: skip


@login_required
def ibm_unit_detail(request, pk):
    unit = selectors.ibm_unit_get(user=request.user, pk=pk)
    clients = selectors.ibm_unit_episodes(unit=unit, user=request.user)
    if clients["shown"]:  # the page names clients: a view of their records
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=unit, request=request,
                     summary=f"clients shown: {len(clients['shown'])}")  # fmt: skip
    can_write = selectors.can_write_unit(request.user, unit)
    return render(request, "rehab/ibm_unit_detail.html", {
        "unit": unit,
        "agents": selectors.ibm_unit_agents(unit=unit),
        "clients": clients,
        "can_write": can_write,
        "agent_form": RecoveryAgentForm() if can_write and unit.is_active else None,
    })  # fmt: skip


@login_required
@require_POST
def recovery_agent_add(request, pk):
    unit = selectors.ibm_unit_get(user=request.user, pk=pk)
    _require(selectors.can_write_unit(request.user, unit))
    form = RecoveryAgentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(
            f"{form.fields[name].label}: {error}" if name in form.fields else error
            for name, errors in form.errors.items() for error in errors
        ))  # fmt: skip
    else:
        perform(
            request,
            lambda: services.recovery_agent_add(
                unit=unit, by=request.user, request=request, **form.cleaned_data
            ),  # fmt: skip
            _("The recovery agent is added."),
        )
    return redirect("rehab:ibm-unit-detail", unit.pk)


@login_required
@require_POST
def recovery_agent_deactivate(request, pk):
    agent = get_object_or_404(
        RecoveryAgent.objects.filter(unit__in=selectors.ibm_unit_list(user=request.user)), pk=pk
    )
    _require(selectors.can_write_unit(request.user, agent.unit))
    perform(
        request,
        lambda: services.recovery_agent_deactivate(agent=agent, by=request.user, request=request),
        _("The recovery agent is marked inactive."),
    )
    return redirect("rehab:ibm-unit-detail", agent.unit_id)


urlpatterns = [
    path("ibm/", ibm_unit_list, name="ibm-unit-list"),
    path("ibm/ekspor/", ibm_unit_export, name="ibm-unit-export"),
    path("ibm/baru/", ibm_unit_create, name="ibm-unit-create"),
    path("ibm/<uuid:pk>/", ibm_unit_detail, name="ibm-unit-detail"),
    path("ibm/<uuid:pk>/ubah/", ibm_unit_edit, name="ibm-unit-edit"),
    path("ibm/<uuid:pk>/agen/", recovery_agent_add, name="ibm-agent-add"),
    path("ibm/agen/<uuid:pk>/nonaktif/", recovery_agent_deactivate, name="ibm-agent-deactivate"),
]
