"""Reads of the aid module, always through the access rule.

Programmes, decrees and budgets belong to an organisation: its own staff read them.
Proposals and hand-overs are about a person: they are read by whoever may read the client
(policy.scope_clients). Referrers and viewers read none of it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.models.assessment import Component
from assessments.selectors.register import snapshot_default
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.summaries import facts as summaries
from cases.models import CLOSED_STAGES

from .models import AidItem, BudgetLine, Decree, FollowUp, Handover, Programme, Proposal

AID_READERS = {User.Role.CASEWORKER, User.Role.SUPERVISOR, User.Role.CENTRE, User.Role.ADMIN}


def can_read_aid(user: User) -> bool:
    return policy.has_role(user, AID_READERS)


def programme_list(*, user: User, active: bool | None = None) -> QuerySet[Programme]:
    if not can_read_aid(user):
        return Programme.objects.none()
    qs = Programme.objects.filter(organisation_id=user.organisation_id).select_related(
        "organisation"
    )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def programme_get(*, user: User, pk) -> Programme:
    return get_object_or_404(programme_list(user=user), pk=pk)


def aid_item_list(*, user: User, programme: Programme | None = None) -> QuerySet[AidItem]:
    qs = AidItem.objects.filter(programme__in=programme_list(user=user)).select_related("programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs


def proposal_list(
    *, user: User, programme: Programme | None = None, state: str = ""
) -> QuerySet[Proposal]:
    """Proposals of clients the user may read."""
    if not can_read_aid(user):
        return Proposal.objects.none()
    qs = policy.scope_clients(Proposal.objects.all(), user, "client").select_related(
        "client__village", "programme", "created_by", "decree", "batch_row__batch"
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    if state:
        qs = qs.filter(state=state)
    return qs


def proposal_get(*, user: User, pk) -> Proposal:
    return get_object_or_404(proposal_list(user=user), pk=pk)


def decree_list(*, user: User) -> QuerySet[Decree]:
    if not can_read_aid(user):
        return Decree.objects.none()
    return Decree.objects.filter(organisation_id=user.organisation_id).select_related(
        "programme", "approved_by"
    )


def handover_list(*, user: User, proposal: Proposal | None = None) -> QuerySet[Handover]:
    if not can_read_aid(user):
        return Handover.objects.none()
    qs = policy.scope_clients(Handover.objects.all(), user, "proposal__client").select_related(
        "proposal__client", "proposal__programme", "officer", "recipient_member"
    )
    if proposal is not None:
        qs = qs.filter(proposal=proposal)
    return qs


def officer_last_nip(*, user: User) -> str:
    """The NIP the user gave at their latest hand-over that had one ("" if none)."""
    nip = (
        Handover.objects.filter(officer=user)
        .exclude(officer_nip="")
        .order_by("-created_at")
        .values_list("officer_nip", flat=True)
        .first()
    )
    return nip or ""


def budget_panel(programme: Programme) -> dict:
    """Ceiling, allocated, unallocated, reserved, spent and available for the programme and
    each component. Only what is allocated to a component can be reserved, so the programme's
    available amount is the sum of its components' (allocated less reserved and spent); the
    unallocated rest of the ceiling is shown apart."""
    return budget_panels([programme])[programme.pk]


def budget_panels(programmes: Iterable[Programme]) -> dict:
    """The budget panel of each programme, by primary key, from one query of their lines."""
    programmes = list(programmes)
    lines = defaultdict(list)
    for line in (
        BudgetLine.objects.filter(programme__in=programmes)
        .order_by("programme", "component")
        .values("programme_id", "component", "ceiling", "reserved", "spent")
    ):
        lines[line["programme_id"]].append(line)
    return {programme.pk: _panel(programme, lines[programme.pk]) for programme in programmes}


def _panel(programme: Programme, lines: list[dict]) -> dict:
    labels = dict(Component.choices)
    allocated = sum(line["ceiling"] for line in lines)
    reserved = sum(line["reserved"] for line in lines)
    spent = sum(line["spent"] for line in lines)
    return {
        "ceiling": programme.budget_ceiling,
        "allocated": allocated,
        "unallocated": programme.budget_ceiling - allocated,
        "reserved": reserved,
        "spent": spent,
        "available": allocated - reserved - spent,
        "components": [
            {
                "component": line["component"],
                "label": labels.get(line["component"], line["component"]),
                "ceiling": line["ceiling"],
                "reserved": line["reserved"],
                "spent": line["spent"],
                "available": line["ceiling"] - line["reserved"] - line["spent"],
            }
            for line in lines
        ],
    }


# Why a programme cannot take proposals now (programme_gaps), in the order a page says them.
GAP_INACTIVE = "inactive"
GAP_NO_ITEMS = "no_items"
GAP_NO_CEILING = "no_ceiling"
GAP_NO_ALLOCATION = "no_allocation"
GAP_NO_PERIOD = "no_period"
GAP_NOT_STARTED = "not_started"
GAP_ENDED = "ended"


def programme_gaps(programme: Programme, *, today: datetime.date | None = None) -> list[str]:
    """What a programme lacks to be offered on the proposal form: active, items in its
    catalogue, a ceiling, some of it allocated to a component, a period containing today.
    A missing period is reported but does not stop proposals."""
    today = today or timezone.localdate()
    gaps = []
    if not programme.is_active:
        gaps.append(GAP_INACTIVE)
    if not programme.items.filter(is_active=True).exists():
        gaps.append(GAP_NO_ITEMS)
    if programme.budget_ceiling <= 0:
        gaps.append(GAP_NO_CEILING)
    if not programme.budget_lines.filter(ceiling__gt=0).exists():
        gaps.append(GAP_NO_ALLOCATION)
    if programme.period_start is None and programme.period_end is None:
        gaps.append(GAP_NO_PERIOD)
    if programme.period_start is not None and programme.period_start > today:
        gaps.append(GAP_NOT_STARTED)
    if programme.period_end is not None and programme.period_end < today:
        gaps.append(GAP_ENDED)
    return gaps


def programmes_open_for_proposals(*, user: User, today: datetime.date | None = None):
    """The user's programmes a new proposal can be made for: active, with active items and
    some budget allocated to a component, and today inside their period when one is set
    (the same rule as programme_gaps, in one query)."""
    today = today or timezone.localdate()
    return (
        programme_list(user=user, active=True)
        .filter(
            Exists(AidItem.objects.filter(programme=OuterRef("pk"), is_active=True)),
            Exists(BudgetLine.objects.filter(programme=OuterRef("pk"), ceiling__gt=0)),
            budget_ceiling__gt=0,
        )
        .filter(Q(period_start__isnull=True) | Q(period_start__lte=today))
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=today))
    )


def budget_available(programme_ids) -> dict:
    """{programme id: {component: available}}, available being the allocation less what is
    reserved and spent, for the budget lines of the programmes (one query)."""
    lines = (
        BudgetLine.objects.filter(programme__in=programme_ids)
        .annotate(free=F("ceiling") - F("reserved") - F("spent"))
        .values_list("programme_id", "component", "free")
    )
    available: dict = {}
    for programme_id, component, free in lines:
        available.setdefault(programme_id, {})[component] = free
    return available


def budget_outlook(*, programme: Programme, available: dict, asked: dict,
                   components=()) -> dict:  # fmt: skip
    """What a proposal asking `asked` ({component: amount}) would leave of a programme's
    budget: per component (those with a budget line, in `components` or asked) what is
    available, what is asked and what would remain; `over` when more is asked than is
    available. A warning only: approval reserves the money and refuses what does not fit."""
    labels = dict(Component.choices)
    rows = []
    for component in sorted({*available, *components, *(c for c, a in asked.items() if a)}):
        free, ask = available.get(component, 0), asked.get(component, 0)
        rows.append({
            "component": component, "label": labels.get(component, component),
            "allocated": component in available, "available": free, "asked": ask,
            "after": free - ask, "short": max(ask - free, 0), "over": ask > free,
        })  # fmt: skip
    return {"programme": programme, "rows": rows, "over": any(row["over"] for row in rows)}


REGISTER_OUTDATED = "register_outdated"


def approval_problem(proposal: Proposal) -> str | None:
    """What would stop the proposal at approval today (regions, decile, assessment, once a
    year, business), shown early on its page; None once decided or when nothing would."""
    from .services.proposals import eligibility_problem, programme_codes

    if proposal.state not in Proposal.BEFORE_APPROVAL:
        return None
    return eligibility_problem(proposal, programme_codes(proposal.programme))


def proposal_warnings(proposal: Proposal) -> list[str]:
    """Warnings, not refusals: `register_outdated` when the proposal's screening used an
    older register snapshot than the newest completed one covering the organisation."""
    row = proposal.batch_row
    if row is None:
        return []
    newest = snapshot_default(organisation=proposal.programme.organisation)
    if newest is None or newest.pk == row.batch.snapshot_id:
        return []
    used = row.batch.snapshot
    if (newest.extract_date, newest.finished_at or newest.created_at) > (
        used.extract_date,
        used.finished_at or used.created_at,
    ):
        return [REGISTER_OUTDATED]
    return []


# --- reads for the pages, API and exports ---------------------------------------------------


def proposal_get_by_reference(*, user: User, reference: str) -> Proposal:
    """A proposal named by its number (pages put the number, never a name, in the URL)."""
    return get_object_or_404(proposal_list(user=user), reference=reference)


def proposal_search(
    *, user: User, programme: Programme | None = None, state: str = "", query: str = ""
) -> QuerySet[Proposal]:
    """The proposal list as the page filters it: by programme, state and proposal number."""
    qs = proposal_list(user=user, programme=programme, state=state)
    query = query.strip()
    if query:
        qs = qs.filter(reference__icontains=query)
    return qs


def proposal_items(proposal: Proposal):
    return proposal.items.select_related("aid_item").order_by("aid_item__name")


def batch_proposal_counts(batch) -> dict:
    """How many rows of a screening batch are eligible, how many of them were proposed
    already, and how many can still be proposed (two queries)."""
    from assessments.models.eligibility import Verdict

    eligible = batch.rows.filter(verdict=Verdict.ELIGIBLE)
    n = eligible.count()
    proposed = Proposal.objects.filter(batch_row__in=eligible.values("pk")).count()
    return {"eligible": n, "proposed": proposed, "proposable": max(n - proposed, 0)}


AID_VERBS = (
    "aid_proposed", "aid_submitted", "aid_verified", "aid_approved", "aid_rejected",
    "aid_cancelled", "aid_handed_over", "aid_changed", "aid_rescreened", "aid_follow_up",
)  # fmt: skip


def proposal_timeline(proposal: Proposal):
    """The aid events on the client's case timelines that belong to this proposal's
    programme (the services write them as "<programme>: <value>…")."""
    from cases.models import CaseEvent

    programme = str(proposal.programme)
    return (
        CaseEvent.objects.filter(
            Q(message__p__programme=programme)
            | Q(message__isnull=True, text__startswith=f"{programme}:"),  # written before
            case__client_id=proposal.client_id,
            verb__in=AID_VERBS,
            at__gte=proposal.created_at,
        )
        .select_related("actor", "case")
        .order_by("at", "id")
    )


def client_proposals(*, user: User, client) -> QuerySet[Proposal]:
    return proposal_list(user=user).filter(client=client)


def decree_list_with_totals(*, user: User) -> QuerySet[Decree]:
    """The decrees with how many people each approved and their total value (the sum of
    its proposals' values, as its annex totals them), counted by the database; proposals
    rejected or cancelled since are left out, as the decree's page leaves them out."""
    standing = ~Q(proposals__state__in=Proposal.WITHDRAWN)
    return (
        decree_list(user=user)
        .annotate(
            recipients=Count("proposals__client", distinct=True, filter=standing),
            total=Coalesce(Sum("proposals__value", filter=standing), 0),
        )
        .order_by("-date", "-created_at")  # an aggregate drops the model's ordering
    )


def decree_get(*, user: User, pk) -> Decree:
    return get_object_or_404(decree_list(user=user), pk=pk)


def decree_proposals(*, user: User, decree: Decree) -> QuerySet[Proposal]:
    """The proposals a decree approved, of clients the user may read, with their items."""
    return (
        proposal_list(user=user)
        .filter(decree=decree)
        .prefetch_related("items__aid_item")
        .order_by("client__village__name", "reference")  # as the annex lists them
    )


def budget_ledger(programme: Programme):
    """The programme's ledger, newest first: who, when, why, how much (the caller has read
    the programme through programme_get)."""
    from .models import BudgetEntry

    return (
        BudgetEntry.objects.filter(programme=programme)
        .select_related("by", "proposal")
        .order_by("-at", "-id")
    )


def budget_movements(programme: Programme, *, limit: int = 20):
    """The ledger's latest movements of the programme."""
    return budget_ledger(programme)[:limit]


def realisation(programme: Programme) -> dict:
    """A programme's realisation: the budget panel, and reserved and spent per district
    (kecamatan) of the clients, summed by the database over the proposals' items."""
    from django.db.models import Case, Exists, IntegerField, OuterRef, When
    from django.db.models.functions import Substr

    from atensi.regions.models import Region

    from .models import HandoverItem, ProposalItem

    handed = Exists(HandoverItem.objects.filter(proposal_item=OuterRef("pk")))
    rows = (
        ProposalItem.objects.filter(
            proposal__programme=programme,
            proposal__state__in=("approved", "handed_over", "reported"),
        )
        .annotate(district=Substr("proposal__client__village_id", 1, 8), is_handed=handed)
        .values("district", "component")
        .annotate(
            reserved=Coalesce(
                Sum(Case(When(is_handed=False, then=F("value")), default=0,
                         output_field=IntegerField())), 0),
            spent=Coalesce(
                Sum(Case(When(is_handed=True, then=F("value")), default=0,
                         output_field=IntegerField())), 0),
        )
        .order_by("district", "component")
    )  # fmt: skip
    rows = list(rows)
    names = dict(
        Region.objects.filter(code__in={r["district"] for r in rows}).values_list("code", "name")
    )
    labels = dict(Component.choices)
    for row in rows:
        row["district_name"] = names.get(row["district"], "")
        row["label"] = labels.get(row["component"], row["component"])
    return {"panel": budget_panel(programme), "districts": rows}


# --- follow-up visits ---------------------------------------------------------------------

DUE_AHEAD_DAYS = 7  # a visit shows on the home page a week before it is due


def followup_list(*, user: User, proposal=None) -> QuerySet[FollowUp]:
    if not can_read_aid(user):
        return FollowUp.objects.none()
    qs = policy.scope_clients(FollowUp.objects.all(), user, "proposal__client").select_related(
        "proposal__client", "proposal__programme", "handover", "recorded_by"
    )
    if proposal is not None:
        qs = qs.filter(proposal=proposal)
    return qs


def followups_due(*, user: User, mine: bool, today: datetime.date | None = None) -> QuerySet:
    """Visits not yet recorded that are due within a week or overdue. `mine`: those of the
    user's own hand-overs or of clients whose open case the user holds."""
    today = today or timezone.localdate()
    qs = followup_list(user=user).filter(
        status=FollowUp.Status.DUE,
        due_on__lte=today + datetime.timedelta(days=DUE_AHEAD_DAYS),
        proposal__programme__organisation_id=user.organisation_id,
    )
    if mine:
        own = FollowUp.objects.filter(
            Q(handover__officer=user)
            | Q(
                proposal__client__cases__assigned_to=user,
                proposal__client__cases__stage__in=_open_stages(),
            )  # fmt: skip
        ).values("pk")
        qs = qs.filter(pk__in=own)
    return qs.order_by("due_on", "months")


def _open_stages() -> list[str]:
    from cases.models import Stage

    return [s for s in Stage.values if s not in CLOSED_STAGES]


# --- aggregates for the dashboard -------------------------------------------------------
# Counts and sums only, already scoped to the region codes given (the caller checks that
# the reader may see them), computed by the database. A proposal lies where its client
# lives; ``width`` groups by the first characters of that village code (8: district).


def proposal_facts(start, end, codes) -> QuerySet:
    """The kind "proposals" of the summary tables: proposals made from eligible rows (no
    reason against them) of completed eligibility batches, per month the batch was made,
    village, state and decile."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, TruncDate, TruncMonth

    qs = Proposal.objects.filter(batch_row__reasons=[], batch_row__batch__status="done")
    if start is not None:
        qs = qs.filter(
            batch_row__batch__created_at__date__gte=start,
            batch_row__batch__created_at__date__lte=end,
        )
    decile = Coalesce(Cast("batch_row__decile", CharField()), Value(""))
    return summaries.facts(
        qs, codes=codes, month=TruncMonth(TruncDate("batch_row__batch__created_at")),
        region=F("batch_row__village_code"), keys=[F("state"), decile],
    )  # fmt: skip


def screened_proposals(*, codes: list[str], start, end) -> dict[tuple[str, int | None], int]:
    """The proposals made from the eligible rows (without any reason against them) of the
    eligibility batches screened within the period, whose village lies in the given codes,
    counted per (state, decile)."""
    rows = summaries.totals("proposals", codes=codes, start=start, end=end, by=["key1", "key2"])
    return {(state, int(decile) if decile else None): n for state, decile, n in rows}


def handover_facts(start, end, codes) -> QuerySet:
    """The kind "handovers" of the summary tables: items handed over per month, the client's
    village, ATENSI component, aid item and client (so that people are counted once), with
    the quantity and the value."""
    from django.db.models import CharField, F
    from django.db.models.functions import Cast, TruncMonth

    from .models import HandoverItem

    items = HandoverItem.objects.all()
    if start is not None:
        items = items.filter(handover__handed_on__gte=start, handover__handed_on__lte=end)
    return summaries.facts(
        items, codes=codes, month=TruncMonth("handover__handed_on"),
        region=F("handover__proposal__client__village_id"),
        keys=[F("proposal_item__component"), F("proposal_item__aid_item__name"),
              Cast("handover__proposal__client_id", CharField())],
        amount=Sum("quantity"), value=Sum("value"),
    )  # fmt: skip


def handover_aggregates(*, codes: list[str], start, end, width: int = 8) -> dict:
    """What was handed over within the period: people aided (also per area), and per ATENSI
    component and per aid item the number of people, the quantity and the value."""
    got = summaries.grouped(
        "handovers", codes=codes, start=start, end=end, width=width,
        sets={"all": [], "area": ["area"], "components": ["key1"], "items": ["key1", "key2"]},
        measures=["people", "amount", "value"],
    )  # fmt: skip
    components, items = got["components"], got["items"]
    return {
        "components": list(Component.choices),
        "people": got["all"][0][0],
        "by_area": {area: people for area, people, _quantity, _value in got["area"]},
        "by_component": {
            component: {
                "proposal_item__component": component,
                "people": people,
                "quantity": quantity,
                "value": value,
            }
            for component, people, quantity, value in components
        },  # fmt: skip
        "by_item": [
            {
                "proposal_item__component": component,
                "proposal_item__aid_item__name": name,
                "people": people,
                "quantity": quantity,
                "value": value,
            }
            for component, name, people, quantity, value in sorted(items)
        ],  # fmt: skip
    }


def budget_aggregates(*, codes: list[str], start, end) -> dict:
    """Ceiling, reserved and spent (Rp), per ATENSI component, of the programmes of the
    period's years run by organisations whose whole service area lies inside the codes."""
    from atensi.accounts.models import Organisation
    from atensi.regions.models import Region

    elsewhere = Region.objects.exclude(policy.codes_q(codes, "code"))
    owners = Organisation.objects.filter(policy.codes_q(codes, "service_area__code")).exclude(
        service_area__in=elsewhere
    )
    programmes = Programme.objects.filter(
        year__gte=start.year, year__lte=end.year, organisation__in=owners
    )
    lines = BudgetLine.objects.filter(programme__in=programmes).order_by()
    sums = {"ceiling": Coalesce(Sum("ceiling"), 0), "reserved": Coalesce(Sum("reserved"), 0),
            "spent": Coalesce(Sum("spent"), 0)}  # fmt: skip
    return {
        "programme_ceiling": programmes.aggregate(n=Coalesce(Sum("budget_ceiling"), 0))["n"],
        **lines.aggregate(**sums),
        "by_component": {
            row["component"]: row for row in lines.values("component").annotate(**sums)
        },
    }
