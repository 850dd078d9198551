"""The budget ledger: every movement is a conditional UPDATE of a BudgetLine plus an
append-only BudgetEntry per proposal and component, inside the caller's transaction (a
decree reserves each component's total with one UPDATE and writes its entries at once, so
the reserve entries still add up to what is reserved).

No balance is read, checked and written back in Python: the UPDATE's WHERE clause holds the
rule (PostgreSQL re-checks it after waiting for a concurrent writer), the CHECKs on the
line back it up, and a rowcount of 0 means the money is not there.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from aid.models import BudgetEntry, BudgetLine, Programme, Proposal
from aid.money import by_component, format_rupiah
from assessments.models.assessment import Component
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError

Kind = BudgetEntry.Kind


def component_label(code: str) -> str:
    return str(dict(Component.choices).get(code, code))


def _check_decider(programme: Programme, by: User) -> None:
    """Budgets are set by a supervisor of the programme's organisation."""
    if not policy.has_role(by, {User.Role.SUPERVISOR}):
        raise PermissionDenied
    if programme.organisation_id != by.organisation_id:
        raise PermissionDenied


def _whole_rupiah(amount, field: str, *, zero: bool = False) -> int:
    """A whole number of rupiah above zero (or from zero), never a float or a bool."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < (0 if zero else 1):
        message = (
            _("The amount must be a whole number of rupiah, zero or more.")
            if zero
            else _("The amount must be a whole number of rupiah above zero.")
        )
        raise ApplicationError(message, field=field)
    return amount


def _component(code, field: str) -> str:
    if code not in Component.values:
        raise ApplicationError(_("Choose an ATENSI component."), field=field)
    return code


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ApplicationError(_("Give a reason."), field="reason")
    return reason.strip()[:300]


def _changed_meanwhile() -> ApplicationError:
    return ApplicationError(
        _(
            "The allocations were changed by someone else while you were editing them. "
            "Check the figures now shown and save again."
        ),
        code="conflict",
    )


def _allocations_change(
    *, programme: Programme, by: User, reason: str, changes: dict[str, int] | None = None,
    targets: dict[str, int] | None = None, expected: dict[str, int] | None = None,
    request=None,
) -> dict[str, int]:  # fmt: skip
    """Change the components' allocations at once, by `changes` ({component: +/- rupiah}) or
    to `targets` ({component: rupiah}, compared under the lock): refused whole when they
    would exceed the ceiling or a component would hold less than it has reserved and spent,
    or (`expected`) when the allocations are no longer what the user saw. Lowerings are
    ledger WITHDRAW entries, raisings ALLOCATE entries. Returns the new allocations of every
    component with a budget line."""
    # The programme row is the lock that serialises allocations against its ceiling (NO KEY:
    # a decree writing ledger rows that point at the programme need not wait for it).
    programme = Programme.objects.select_for_update(no_key=True).get(pk=programme.pk)
    lines = {
        line.component: line
        for line in BudgetLine.objects.select_for_update()
        .filter(programme=programme)
        .order_by("component")
    }
    current = {component: line.ceiling for component, line in lines.items()}
    if expected is not None and any(
        current.get(component, 0) != amount for component, amount in expected.items()
    ):
        raise _changed_meanwhile()
    if targets is not None:
        changes = {c: amount - current.get(c, 0) for c, amount in targets.items()}
    changes = {component: amount for component, amount in (changes or {}).items() if amount}
    if not changes:
        raise ApplicationError(_("Nothing changes: give a different amount for a component."),
                               field="amount")  # fmt: skip
    for component, amount in sorted(changes.items()):
        line = lines.get(component)
        used = (line.reserved + line.spent) if line else 0
        if amount < 0 and current.get(component, 0) + amount < used:
            raise ApplicationError(
                _(
                    "%(component)s already has %(used)s reserved and spent: its allocation "
                    "cannot go below that."
                )
                % {"component": component_label(component), "used": format_rupiah(used)},
                field=f"alloc_{component}",
            )
    allocated = sum(current.values())
    if allocated + sum(changes.values()) > programme.budget_ceiling:
        raise ApplicationError(
            _(
                "The allocations would come to %(total)s, above the programme's ceiling of "
                "%(ceiling)s: only %(free)s of it is not yet allocated."
            )
            % {
                "total": format_rupiah(allocated + sum(changes.values())),
                "ceiling": format_rupiah(programme.budget_ceiling),
                "free": format_rupiah(max(programme.budget_ceiling - allocated, 0)),
            },
            field="amount",
        )
    # Lowerings first (the money they free is there for the raisings), in component order.
    for component, amount in sorted(changes.items(), key=lambda c: (c[1] > 0, c[0])):
        if amount < 0:
            moved = BudgetLine.objects.filter(
                programme=programme, component=component,
                ceiling__gte=F("reserved") + F("spent") - amount,
            ).update(ceiling=F("ceiling") + amount)  # fmt: skip
            if not moved:  # the locks make this unreachable; the CHECK backs it up
                raise _changed_meanwhile()
        else:
            line, _created = BudgetLine.objects.get_or_create(
                programme=programme, component=component
            )
            BudgetLine.objects.filter(pk=line.pk).update(ceiling=F("ceiling") + amount)
        BudgetEntry.objects.create(
            programme=programme, component=component,
            kind=Kind.WITHDRAW if amount < 0 else Kind.ALLOCATE, amount=abs(amount), by=by,
            reason=reason,
        )  # fmt: skip
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=programme, request=request,
                     summary=f"budget {component} {amount:+d}")  # fmt: skip
    return dict(
        BudgetLine.objects.filter(programme=programme)
        .order_by("component")
        .values_list("component", "ceiling")
    )


@transaction.atomic
def budget_allocate(
    *, programme: Programme, component: str, amount: int, by: User, reason: str, request=None
) -> BudgetLine:
    """Allocate part of the programme's ceiling to one ATENSI component (a supervisor of the
    programme's organisation); the allocations together never exceed the ceiling."""
    _check_decider(programme, by)
    _component(component, "component")
    _whole_rupiah(amount, "amount")
    _allocations_change(programme=programme, changes={component: amount}, by=by,
                        reason=_reason(reason), request=request)  # fmt: skip
    return BudgetLine.objects.get(programme=programme, component=component)


@transaction.atomic
def budget_move(
    *, programme: Programme, source: str | None, target: str | None, amount: int, by: User,
    reason: str, request=None,
) -> dict[str, int]:  # fmt: skip
    """Move an amount between two components' allocations, or between one of them and the
    unallocated part of the ceiling (`source` or `target` None): one WITHDRAW and/or one
    ALLOCATE entry with the reason. Returns the new allocations."""
    _check_decider(programme, by)
    if source is not None:
        _component(source, "source")
    if target is not None:
        _component(target, "target")
    if source == target:
        raise ApplicationError(_("Choose two different places to move the amount between."),
                               field="target")  # fmt: skip
    _whole_rupiah(amount, "amount")
    changes = {}
    if source is not None:
        changes[source] = -amount
    if target is not None:
        changes[target] = amount
    return _allocations_change(programme=programme, changes=changes, by=by,
                               reason=_reason(reason), request=request)  # fmt: skip


@transaction.atomic
def budget_allocations_set(
    *, programme: Programme, allocations: dict[str, int], by: User, reason: str,
    expected: dict[str, int] | None = None, request=None,
) -> dict[str, int]:  # fmt: skip
    """Set what the named components are allocated (whole rupiah; 0 gives a component's
    allocation back): the differences are written to the ledger, lowerings first.
    `expected` (what the user saw) refuses the change as a conflict when someone else
    changed the allocations meanwhile. Returns the new allocations."""
    _check_decider(programme, by)
    for component, amount in allocations.items():
        _component(component, "allocations")
        _whole_rupiah(amount, f"alloc_{component}", zero=True)
    return _allocations_change(programme=programme, targets=allocations, by=by,
                               reason=_reason(reason), expected=expected,
                               request=request)  # fmt: skip


@transaction.atomic
def programme_budget_update(
    *, programme: Programme, by: User, budget_ceiling: int, period_start, period_end,
    funding_source: str, request=None,
) -> Programme:  # fmt: skip
    """Set a programme's budget ceiling, period and funding source (a supervisor of its
    organisation; audited with the fields changed); the ceiling never goes below what is
    already allocated to its components."""
    _check_decider(programme, by)
    _whole_rupiah(budget_ceiling, "budget_ceiling", zero=True)
    if funding_source not in Programme.Funding.values:
        raise ApplicationError(_("Choose a funding source."), field="funding_source")
    if period_start and period_end and period_start > period_end:
        raise ApplicationError(_("The period cannot end before it starts."), field="period_end")
    programme = Programme.objects.select_for_update(no_key=True).get(pk=programme.pk)
    allocated = programme.budget_lines.aggregate(total=Sum("ceiling"))["total"] or 0
    if budget_ceiling < allocated:
        raise ApplicationError(
            _(
                "The ceiling cannot be below what is already allocated to the components "
                "(%(allocated)s); lower the allocations first."
            )
            % {"allocated": format_rupiah(allocated)},
            field="budget_ceiling",
        )
    values = {"budget_ceiling": budget_ceiling, "period_start": period_start,
              "period_end": period_end, "funding_source": funding_source}  # fmt: skip
    changed = [name for name, value in values.items() if getattr(programme, name) != value]
    if changed:
        Programme.objects.filter(pk=programme.pk).update(**values)
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=programme, request=request,
                     summary=f"fields: {', '.join(changed)}")  # fmt: skip
        programme.refresh_from_db()
    return programme


def proposal_needs(proposal: Proposal) -> dict[str, int]:
    """What a proposal costs per component, in component order."""
    return by_component(proposal.items.values_list("component", "value"))


def lock_lines(programme_id, components) -> dict[str, int]:
    """Lock the programme's lines in component order before moving money on several of
    them: two decrees touching the same components then wait instead of deadlocking.
    Returns what each locked line has available (a missing line is absent)."""
    rows = (
        BudgetLine.objects.select_for_update()
        .filter(programme_id=programme_id, component__in=list(components))
        .order_by("component")
        .values_list("component", "ceiling", "reserved", "spent")
    )
    return {component: ceiling - reserved - spent for component, ceiling, reserved, spent in rows}


def reserve(*, programme_id, needs: list[tuple[Proposal, dict[str, int]]], by: User,
            reason: str) -> None:  # fmt: skip
    """Reserve what the proposals cost: one conditional UPDATE per component for their total
    and one ledger entry per proposal and component. Refused, like reserving them one by one
    in the given order would be, naming the first proposal that no longer fits. The caller's
    transaction rolls back a partial reservation."""
    totals: dict[str, int] = {}
    for _proposal, need in needs:
        for component, amount in need.items():
            totals[component] = totals.get(component, 0) + amount
    available = lock_lines(programme_id, totals)
    for component, total in sorted(totals.items()):
        moved = BudgetLine.objects.filter(
            programme_id=programme_id,
            component=component,
            ceiling__gte=F("reserved") + F("spent") + total,
        ).update(reserved=F("reserved") + total)
        if not moved:
            raise _shortfall(needs, available)
    BudgetEntry.objects.bulk_create(
        (
            BudgetEntry(
                programme_id=programme_id,
                component=component,
                kind=Kind.RESERVE,
                amount=amount,
                proposal=proposal,
                by=by,
                reason=reason[:300],
            )  # fmt: skip
            for proposal, need in needs
            for component, amount in need.items()
        ),
        batch_size=2000,
    )


def _shortfall(needs, available: dict[str, int]) -> ApplicationError:
    """The refusal for the first (proposal, component) that does not fit once the ones
    before it are counted: the message reserving one by one would have given."""
    left = dict(available)
    for proposal, need in needs:
        for component, amount in need.items():
            if amount > left.get(component, 0):
                return ApplicationError(
                    _(
                        "The budget for %(component)s is not enough for proposal %(ref)s: "
                        "%(needed)s needed, %(available)s available."
                    )
                    % {
                        "component": component_label(component),
                        "ref": proposal.reference,
                        "needed": format_rupiah(amount),
                        "available": format_rupiah(left.get(component, 0)),
                    },
                    field="proposals",
                    code="budget_exceeded",
                )
            left[component] = left.get(component, 0) - amount
    raise AssertionError("a reservation was refused although every proposal fits")


def release(*, proposal: Proposal, by: User, reason: str) -> None:
    """Give back what is still reserved for the proposal (items not yet handed over)."""
    pending = by_component(
        proposal.items.filter(handed__isnull=True).values_list("component", "value")
    )
    for component, amount in pending.items():
        moved = BudgetLine.objects.filter(
            programme_id=proposal.programme_id, component=component, reserved__gte=amount
        ).update(reserved=F("reserved") - amount)
        if not moved:  # the ledger and the proposal disagree: stop, change nothing
            raise ApplicationError(_("The reservation of this proposal is missing."),
                                   code="ledger_mismatch")  # fmt: skip
        _entry(proposal, component, Kind.RELEASE, amount, by, reason)


def spend(*, proposal: Proposal, lines: dict[str, int], by: User, reason: str) -> None:
    """Move handed-over value from reserved to spent, per component."""
    for component, amount in sorted(lines.items()):
        moved = BudgetLine.objects.filter(
            programme_id=proposal.programme_id, component=component, reserved__gte=amount
        ).update(reserved=F("reserved") - amount, spent=F("spent") + amount)
        if not moved:
            raise ApplicationError(_("The reservation of this proposal is missing."),
                                   code="ledger_mismatch")  # fmt: skip
        _entry(proposal, component, Kind.SPEND, amount, by, reason)


def _entry(proposal: Proposal, component: str, kind: str, amount: int, by: User, reason: str):
    BudgetEntry.objects.create(
        programme_id=proposal.programme_id, component=component, kind=kind, amount=amount,
        proposal=proposal, by=by, reason=reason[:300],
    )  # fmt: skip


def ledger_reason(text: str, **params) -> str:
    """A ledger reason written by the system, stored in the interface's default language (the
    ledger keeps what it was told, like every stored message)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _(text) % params
