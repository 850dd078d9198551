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


@transaction.atomic
def budget_allocate(
    *, programme: Programme, component: str, amount: int, by: User, reason: str, request=None
) -> BudgetLine:
    """Allocate part of the programme's ceiling to one ATENSI component (a supervisor of the
    programme's organisation); the allocations together never exceed the ceiling."""
    if not policy.has_role(by, {User.Role.SUPERVISOR}):
        raise PermissionDenied
    if programme.organisation_id != by.organisation_id:
        raise PermissionDenied
    if component not in Component.values:
        raise ApplicationError(_("Choose an ATENSI component."), field="component")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(_("The amount must be a whole number of rupiah above zero."),
                               field="amount")  # fmt: skip
    if not reason.strip():
        raise ApplicationError(_("Give a reason."), field="reason")
    # The programme row is the lock that serialises allocations against its ceiling.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    allocated = programme.budget_lines.aggregate(total=Sum("ceiling"))["total"] or 0
    if allocated + amount > programme.budget_ceiling:
        raise ApplicationError(
            _("Only %(free)s of the programme's ceiling is not yet allocated.")
            % {"free": format_rupiah(programme.budget_ceiling - allocated)},
            field="amount",
        )
    line, _created = BudgetLine.objects.get_or_create(programme=programme, component=component)
    BudgetLine.objects.filter(pk=line.pk).update(ceiling=F("ceiling") + amount)
    BudgetEntry.objects.create(
        programme=programme, component=component, kind=Kind.ALLOCATE, amount=amount, by=by,
        reason=reason.strip()[:300],
    )  # fmt: skip
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=programme, request=request,
                 summary=f"budget {component} +{amount}")  # fmt: skip
    line.refresh_from_db()
    return line


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
