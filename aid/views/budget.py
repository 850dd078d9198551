"""A programme's page and its budget: the panel, what the programme still lacks for proposals,
and for a supervisor of its organisation the forms that set its ceiling and period and split
the ceiling across the ATENSI components."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aid import selectors, services
from aid.forms.budget import AllocationForm, ProgrammeBudgetForm
from aid.models import BudgetLine, Proposal
from aid.money import format_rupiah
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.errors import ApplicationError


def can_manage_budget(user, programme) -> bool:
    """A supervisor of the programme's organisation (as the budget services require)."""
    return (
        policy.has_role(user, {User.Role.SUPERVISOR})
        and programme.organisation_id == user.organisation_id
    )


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole > 0 else 0


def with_bars(panel: dict) -> dict:
    """The panel with each component's spent and reserved share of its allocation."""
    for line in panel["components"]:
        line["spent_pct"] = _percent(line["spent"], line["ceiling"])
        line["reserved_pct"] = _percent(line["reserved"], line["ceiling"])
    return panel


def _lines(programme) -> dict:
    return {
        line["component"]: line
        for line in BudgetLine.objects.filter(programme=programme).values(
            "component", "ceiling", "reserved", "spent"
        )
    }


def gap_text(programme, gap: str) -> str:
    """What a programme lacks for proposals (selectors.programme_gaps), in words."""
    if gap == selectors.GAP_NOT_STARTED:
        return _("Its period starts on %(date)s.") % {"date": f"{programme.period_start:%d-%m-%Y}"}
    if gap == selectors.GAP_ENDED:
        return _("Its period ended on %(date)s.") % {"date": f"{programme.period_end:%d-%m-%Y}"}
    return {
        selectors.GAP_INACTIVE: _("The programme is closed."),
        selectors.GAP_NO_ITEMS: _(
            "Its catalogue has no aid items yet (an administrator adds them)."
        ),
        selectors.GAP_NO_CEILING: _("No budget ceiling is set."),
        selectors.GAP_NO_ALLOCATION: _(
            "None of the budget is allocated to an ATENSI component yet."
        ),
        selectors.GAP_NO_PERIOD: _("No period is set: proposals are accepted until one is set."),
    }[gap]


def programme_page(request, programme, *, allocation_form=None):
    """The programme page: details, what it lacks for proposals, the budget panel, the
    catalogue, the ledger's latest movements, and the allocation form for a supervisor."""
    user = request.user
    manage = can_manage_budget(user, programme)
    if manage and allocation_form is None:
        allocation_form = AllocationForm(lines=_lines(programme))
    panel = with_bars(selectors.budget_panel(programme))
    gaps = selectors.programme_gaps(programme)
    after = panel["ceiling"] - allocation_form.shown_total() if allocation_form else 0
    counts = (
        selectors.proposal_list(user=user, programme=programme)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
    )
    return render(request, "aid/programme_detail.html", {
        "programme": programme,
        "regions": programme.regions.order_by("code"),
        "items": selectors.aid_item_list(user=user, programme=programme),
        "panel": panel,
        "gap_texts": [gap_text(programme, gap) for gap in gaps],
        "blocking_gaps": [gap for gap in gaps if gap != selectors.GAP_NO_PERIOD],
        "movements": selectors.budget_movements(programme),
        "counts": {row["state"]: row["n"] for row in counts},
        "states": Proposal.State.choices,
        "can_manage": manage,
        "can_export": policy.can_export(user),
        "allocation_form": allocation_form if manage else None,
        "allocation_after": after,
        "allocation_over": max(-after, 0),
    })  # fmt: skip


def _managed_programme(request, pk):
    programme = selectors.programme_get(user=request.user, pk=pk)
    if not can_manage_budget(request.user, programme):
        raise Http404
    return programme


@login_required
def programme_edit(request, pk):
    """Set the programme's budget ceiling, period and funding source."""
    programme = _managed_programme(request, pk)
    form = ProgrammeBudgetForm(request.POST or None, initial={
        "funding_source": programme.funding_source, "budget_ceiling": programme.budget_ceiling,
        "period_start": programme.period_start, "period_end": programme.period_end,
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_budget_update(programme=programme, by=request.user,
                                             request=request, **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The programme's budget ceiling and period are saved."))
            return redirect("aid:programme-detail", pk=programme.pk)
    allocated = sum(line["ceiling"] for line in _lines(programme).values())
    return render(request, "aid/programme_form.html", {
        "programme": programme, "form": form, "allocated": allocated,
    })  # fmt: skip


@login_required
@require_POST
def programme_allocations(request, pk):
    """Set what each ATENSI component is allocated; a refusal is shown on the programme page
    with the figures as typed."""
    programme = _managed_programme(request, pk)
    form = AllocationForm(request.POST, lines=_lines(programme))
    if form.is_valid():
        try:
            services.budget_allocations_set(
                programme=programme, allocations=form.allocations(),
                expected=form.expected(), reason=form.cleaned_data["reason"],
                by=request.user, request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            if exc.code == "conflict":
                # Show the allocations as they are now, keeping the reason.
                form = AllocationForm(initial={"reason": form.cleaned_data["reason"]},
                                      lines=_lines(programme))  # fmt: skip
                messages.error(request, exc.message)
            else:
                form.add_application_error(exc)
        else:
            panel = selectors.budget_panel(programme)
            messages.success(request, _(
                "The allocations are saved. Not yet allocated: %(unallocated)s."
            ) % {"unallocated": format_rupiah(panel["unallocated"])})  # fmt: skip
            return redirect("aid:programme-detail", pk=programme.pk)
    return programme_page(request, programme, allocation_form=form)


urlpatterns = [
    path("bantuan/program/<uuid:pk>/ubah/", programme_edit, name="programme-edit"),
    path("bantuan/program/<uuid:pk>/alokasi/", programme_allocations,
         name="programme-allocations"),
]  # fmt: skip
