"""Proposals (usulan) from draft to decree: every transition checks its precondition first,
runs in one transaction, and leaves an audit event and a case-timeline event behind."""

from __future__ import annotations

import datetime
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aid.models import AidItem, AidRecord, Decree, Programme, Proposal, ProposalItem
from aid.money import by_component, format_rupiah, line_value
from assessments.models import EligibilityBatch, RegisterRow
from assessments.models.assessment import Assessment
from assessments.models.eligibility import Verdict
from assessments.selectors.register import snapshot_default
from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record, client_ip
from atensi.errors import ApplicationError
from cases.models import CLOSED_STAGES, Case, CaseEvent, Client, Consent
from cases.selectors import consent_now
from cases.services import consent_require_given

from . import budget

State = Proposal.State
Verb = CaseEvent.Verb
Action = AuditEvent.Action
ASSESSED = (Assessment.Status.COMPLETED, Assessment.Status.APPROVED)
PROPOSERS = {User.Role.CASEWORKER, User.Role.SUPERVISOR, User.Role.CENTRE}
DECIDERS = {User.Role.SUPERVISOR}


# --- shared steps -----------------------------------------------------------------------


def _require_proposer(by: User, programme: Programme) -> None:
    if not policy.has_role(by, PROPOSERS) or programme.organisation_id != by.organisation_id:
        raise PermissionDenied


def _require_decider(by: User, programme: Programme) -> None:
    if not policy.has_role(by, DECIDERS) or programme.organisation_id != by.organisation_id:
        raise PermissionDenied


def _require_readable(by: User, client: Client) -> None:
    if not policy.scope_clients(Client.objects.filter(pk=client.pk), by).exists():
        raise PermissionDenied


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("client", "programme")
        .get(pk=proposal.pk)
    )


def _expect(proposal: Proposal, *states: str) -> None:
    if proposal.state not in states:
        raise ApplicationError(
            _("This proposal is %(state)s; the action needs it to be %(expected)s.")
            % {
                "state": proposal.get_state_display().lower(),
                "expected": _(" or ").join(str(State(s).label).lower() for s in states),
            },
            code="conflict",
        )


def _four_eyes(proposal: Proposal, by: User) -> None:
    if by.pk in (proposal.created_by_id, proposal.submitted_by_id):
        raise ApplicationError(
            _("Whoever created or submitted a proposal cannot verify or approve it."),
            code="four_eyes",
        )


def _timeline_message(proposal: Proposal, said=None, value: int | None = None) -> texts.Stored:
    """ "<programme>: <value>. <what is said>": the proposal's value unless the event is about
    another amount (a partial hand-over gives its own). The programme is a parameter of its
    own, which is how the proposal's page finds its events."""
    amount = proposal.value if value is None else value
    head = {"programme": str(proposal.programme), "value": format_rupiah(amount)}
    if said is None or said == "":
        return texts.msg(gettext_noop("%(programme)s: %(value)s"), **head)
    return texts.msg(gettext_noop("%(programme)s: %(value)s. %(said)s"), **head, said=said)


def _timeline(proposal: Proposal, by: User, verb: str, said=None, value: int | None = None,
              typed: str = "") -> None:  # fmt: skip
    """One event on each open case of the client: the caseworker's timeline. What the system
    says is read in the reader's language; what a person typed (a reason) is kept as typed."""
    message = _timeline_message(proposal, said, value)
    for case in proposal.client.cases.exclude(stage__in=CLOSED_STAGES):
        CaseEvent.objects.create(case=case, verb=verb, actor=by, message=message, text=typed)


def _moved_all(proposals: list[Proposal], old: str, new: str, by: User, verb: str, request,
               said: str = "") -> None:  # fmt: skip
    """_moved for many proposals with a constant number of queries: the same audit event
    per proposal and timeline event per open case, written with bulk inserts."""
    channel = "api" if request is not None and request.path.startswith("/api/") else "web"
    ip_address = client_ip(request)
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                actor=by,
                actor_username=by.username,
                action=Action.UPDATE,
                object_type=Proposal._meta.model_name,
                object_id=str(proposal.pk),
                summary=f"proposal {old} -> {new}",
                channel=channel,
                ip_address=ip_address,
            )  # fmt: skip
            for proposal in proposals
        ),
        batch_size=2000,
    )
    open_cases: dict = {}
    cases = Case.objects.filter(client__in=[p.client_id for p in proposals]).exclude(
        stage__in=CLOSED_STAGES
    )
    for client_id, case_id in cases.values_list("client_id", "pk"):
        open_cases.setdefault(client_id, []).append(case_id)
    CaseEvent.objects.bulk_create(
        (
            CaseEvent(
                case_id=case_id, verb=verb, actor=by, message=_timeline_message(proposal, said)
            )  # fmt: skip
            for proposal in proposals
            for case_id in open_cases.get(proposal.client_id, ())
        ),
        batch_size=2000,
    )


def _moved(proposal: Proposal, old: str, by: User, verb: str, request, reason: str = "") -> None:
    audit_record(actor=by, action=Action.UPDATE, obj=proposal, request=request,
                 summary=f"proposal {old} -> {proposal.state}")  # fmt: skip
    _timeline(proposal, by, verb, typed=reason)


def _clean_items(programme: Programme, items: Iterable[tuple[AidItem, int]]) -> list:
    cleaned = []
    seen = set()
    for item, quantity in items:
        if item.programme_id != programme.pk or not item.is_active:
            raise ApplicationError(
                _("%(item)s is not an active item of this programme.") % {"item": item.name},
                field="items",
            )
        if item.pk in seen:
            raise ApplicationError(_("%(item)s is listed twice.") % {"item": item.name},
                                   field="items")  # fmt: skip
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise ApplicationError(
                _("The quantity of %(item)s must be a whole number above zero.")
                % {"item": item.name},
                field="items",
            )
        seen.add(item.pk)
        cleaned.append((item, quantity))
    return cleaned


def _write_items(proposal: Proposal, items: list) -> None:
    """Replace the proposal's items; the unit cost is copied now and the total kept in sync."""
    proposal.items.all().delete()
    rows = [
        ProposalItem(
            proposal=proposal,
            aid_item=item,
            component=item.component,
            quantity=quantity,
            unit_cost=item.unit_cost,
            value=line_value(quantity, item.unit_cost),
        )  # fmt: skip
        for item, quantity in items
    ]
    ProposalItem.objects.bulk_create(rows)
    proposal.value = sum(row.value for row in rows)
    proposal.save(update_fields=["value", "business_plan", "updated_at"])


def _has_entrepreneurship(proposal: Proposal) -> bool:
    return proposal.items.filter(aid_item__kind=AidItem.Kind.ENTREPRENEURSHIP).exists()


def _with_entrepreneurship(pks) -> set:
    """Which of the proposals have an entrepreneurship item."""
    return set(
        ProposalItem.objects.filter(proposal__in=pks, aid_item__kind=AidItem.Kind.ENTREPRENEURSHIP)
        .values_list("proposal_id", flat=True)
        .distinct()
    )


# --- creating -----------------------------------------------------------------------------


def _new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    token = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"USL-{timezone.localdate():%y%m}-{token}"


def _create(*, client, programme, items, business_plan, by, batch_row=None) -> Proposal:
    if not programme.is_active:
        raise ApplicationError(_("This programme is closed."), field="programme")
    items = _clean_items(programme, items)
    proposal = Proposal(
        reference=_new_reference(), programme=programme, client=client, created_by=by,
        batch_row=batch_row, business_plan=business_plan.strip(),
    )  # fmt: skip
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("This client already has an open proposal in this programme."),
            field="client", code="conflict",
        ) from exc  # fmt: skip
    _write_items(proposal, items)
    return proposal


@transaction.atomic
def proposal_create(
    *,
    client: Client,
    programme: Programme,
    items: Sequence[tuple[AidItem, int]] = (),
    business_plan: str = "",
    by: User,
    request=None,
) -> Proposal:
    """Propose a client for a programme's items (a draft). One open proposal per client and
    programme, by constraint."""
    _require_proposer(by, programme)
    _require_readable(by, client)
    consent_require_given(client=client, purpose=Consent.Purpose.AID)
    proposal = _create(client=client, programme=programme, items=items,
                       business_plan=business_plan, by=by)  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=proposal, request=request)
    _timeline(proposal, by, Verb.AID_PROPOSED)
    return proposal


def _latest_business(client_ids) -> dict:
    """{client pk: has_business} of each client's latest completed (or approved) social
    assessment; clients never assessed are absent."""
    latest = (
        Assessment.objects.filter(case__client__in=client_ids, status__in=ASSESSED)
        .order_by("case__client_id", "-assessed_on", "-created_at")
        .distinct("case__client_id")
        .values_list("case__client_id", "has_business")
    )
    return dict(latest)


def is_entrepreneurship_item(item: AidItem) -> bool:
    return item.kind == AidItem.Kind.ENTREPRENEURSHIP


@dataclass
class BatchProposals:
    created: list[Proposal] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    # Of the created: those given the entrepreneurship items and the business plan (their
    # assessment records a business), and those given only the other items.
    with_business: list[Proposal] = field(default_factory=list)
    without_business: list[Proposal] = field(default_factory=list)
    # Whether entrepreneurship items or a business plan were chosen at all.
    entrepreneurship_chosen: bool = False
    # Whether any item other than entrepreneurship was chosen.
    others_chosen: bool = False


@transaction.atomic
def proposals_create_from_batch(
    *,
    batch: EligibilityBatch,
    by: User,
    items: Sequence[tuple[AidItem, int]] = (),
    business_plan: str = "",
    request=None,
) -> BatchProposals:
    """A draft proposal for every ELIGIBLE row whose person is a registered client in the
    user's area, with the row as its evidence. Entrepreneurship items and the business plan
    go only to people whose latest assessment records an existing business (embrio usaha);
    the others get the other items. Safe to repeat: rows already proposed, and clients with
    an open proposal, are skipped and counted."""
    programme = batch.programme
    _require_proposer(by, programme)
    if batch.status != EligibilityBatch.Status.DONE:
        raise ApplicationError(_("The batch has not finished screening."), code="conflict")
    items = list(items)
    business_plan = business_plan.strip()
    other_items = [(item, qty) for item, qty in items if not is_entrepreneurship_item(item)]
    result = BatchProposals(
        entrepreneurship_chosen=len(other_items) < len(items) or bool(business_plan),
        others_chosen=bool(other_items),
    )  # fmt: skip
    rows = batch.rows.order_by("row_number")
    result.skipped["not_eligible"] = rows.exclude(verdict=Verdict.ELIGIBLE).count()
    eligible = list(rows.filter(verdict=Verdict.ELIGIBLE))
    # Their consents and withdrawals read at once: each row's consent check makes no query.
    readable = policy.scope_clients(Client.objects.prefetch_related("consents", "withdrawals"), by)
    by_id = readable.in_bulk({r.client_id for r in eligible if r.client_id})
    by_nik = {c.nik: c for c in readable.filter(nik__in={r.nik for r in eligible if r.nik})}
    proposed_rows = set(
        Proposal.objects.filter(batch_row__in=eligible).values_list("batch_row_id", flat=True)
    )
    businesses = _latest_business([*by_id, *(c.pk for c in by_nik.values())])
    for row in eligible:
        client = by_id.get(row.client_id) if row.client_id else by_nik.get(row.nik)
        if client is None:
            result.skipped["no_client"] += 1
            continue
        consent = consent_now(client=client, purpose=Consent.Purpose.AID)
        if consent != "given":
            result.skipped["consent_withdrawn" if consent else "no_consent"] += 1
            continue
        if row.pk in proposed_rows:
            result.skipped["already_proposed"] += 1
            continue
        has_business = bool(businesses.get(client.pk))
        try:
            with transaction.atomic():
                proposal = _create(
                    client=client, programme=programme,
                    items=items if has_business else other_items,
                    business_plan=business_plan if has_business else "", by=by, batch_row=row,
                )  # fmt: skip
        except ApplicationError as exc:
            if exc.code != "conflict":
                raise
            result.skipped["open_proposal"] += 1
            continue
        _timeline(proposal, by, Verb.AID_PROPOSED)
        result.created.append(proposal)
        (result.with_business if has_business else result.without_business).append(proposal)
    audit_record(actor=by, action=Action.CREATE, obj=batch, request=request,
                 summary=f"proposals created: {len(result.created)}")  # fmt: skip
    return result


@transaction.atomic
def proposal_items_set(
    *,
    proposal: Proposal,
    items: Sequence[tuple[AidItem, int]],
    business_plan: str | None = None,
    by: User,
    request=None,
) -> Proposal:
    """Change the items (and business plan) of a draft; the value follows. The old and new
    value go to the audit log, the new items and value on the client's open case timelines."""
    _require_proposer(by, proposal.programme)
    proposal = _lock(proposal)
    _require_readable(by, proposal.client)
    _expect(proposal, State.DRAFT)
    items = _clean_items(proposal.programme, items)
    before, plan = proposal.value, proposal.business_plan
    if business_plan is not None:
        proposal.business_plan = business_plan.strip()
    _write_items(proposal, items)
    changed = "items, business_plan" if proposal.business_plan != plan else "items"
    audit_record(actor=by, action=Action.UPDATE, obj=proposal, request=request,
                 summary=f"{changed}: value {before} -> {proposal.value}")  # fmt: skip
    _timeline(proposal, by, Verb.AID_CHANGED,
              ", ".join(f"{item.name} × {quantity}" for item, quantity in items))  # fmt: skip
    return proposal


# --- transitions --------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User, request=None) -> Proposal:
    """Draft → submitted, once it has items (and a business plan for entrepreneurship)."""
    _require_proposer(by, proposal.programme)
    proposal = _lock(proposal)
    _require_readable(by, proposal.client)
    _expect(proposal, State.DRAFT)
    if not proposal.items.exists():
        raise ApplicationError(_("Add at least one aid item first."), field="items")
    if _has_entrepreneurship(proposal) and not proposal.business_plan:
        raise ApplicationError(_("Entrepreneurship aid needs a business plan."),
                               field="business_plan")  # fmt: skip
    old = proposal.state
    proposal.state = State.SUBMITTED
    proposal.submitted_by = by
    proposal.submitted_at = timezone.now()
    proposal.save(update_fields=["state", "submitted_by", "submitted_at", "updated_at"])
    _moved(proposal, old, by, Verb.AID_SUBMITTED, request)
    return proposal


@transaction.atomic
def proposal_verify(*, proposal: Proposal, by: User, request=None) -> Proposal:
    """Submitted → verified by a supervisor who neither created nor submitted it."""
    _require_decider(by, proposal.programme)
    proposal = _lock(proposal)
    _require_readable(by, proposal.client)
    _expect(proposal, State.SUBMITTED)
    _four_eyes(proposal, by)
    old = proposal.state
    proposal.state = State.VERIFIED
    proposal.verified_by = by
    proposal.verified_at = timezone.now()
    proposal.save(update_fields=["state", "verified_by", "verified_at", "updated_at"])
    _moved(proposal, old, by, Verb.AID_VERIFIED, request)
    return proposal


def programme_codes(programme: Programme) -> list[str]:
    """The region codes a programme serves: its own, or its organisation's whole area."""
    codes = sorted(programme.regions.values_list("code", flat=True))
    return codes or policy.organisation_area_codes(programme.organisation)


@dataclass
class Facts:
    """What the programme's rules look at, read for many proposals with a few queries."""

    deciles: dict = field(default_factory=dict)  # proposal pk → decile, or None if unknown
    latest_business: dict = field(default_factory=dict)  # client pk → has_business, when assessed
    aided: set = field(default_factory=set)  # NIKs aided by the programme this year
    entrepreneurship: set = field(default_factory=set)  # proposal pks


def _deciles(programme: Programme, proposals: Sequence[Proposal]) -> dict:
    """The decile the screening found, else the client's row in the newest register
    snapshot covering the organisation (the first row, should the NIK appear twice)."""
    deciles, missing = {}, []
    for proposal in proposals:
        row = proposal.batch_row
        if row is not None and row.decile is not None:
            deciles[proposal.pk] = row.decile
        else:
            missing.append(proposal)
    if not missing:
        return deciles
    snapshot = snapshot_default(organisation=programme.organisation)
    found = {}
    if snapshot is not None:
        rows = RegisterRow.objects.filter(
            snapshot=snapshot, nik__in={p.client.nik for p in missing}
        ).order_by("-pk")
        found = dict(rows.values_list("nik", "decile"))  # the lowest pk is written last
    for proposal in missing:
        deciles[proposal.pk] = found.get(proposal.client.nik)
    return deciles


def eligibility_facts(programme: Programme, proposals: Sequence[Proposal]) -> Facts:
    """Read what eligibility_problem needs for all the proposals (of one programme) at once."""
    facts = Facts()
    pks = [p.pk for p in proposals]
    if programme.screens_deciles:
        facts.deciles = _deciles(programme, proposals)
    facts.entrepreneurship = _with_entrepreneurship(pks)
    if programme.requires_assessment or programme.requires_business or facts.entrepreneurship:
        facts.latest_business = _latest_business({p.client_id for p in proposals})
    if programme.once_per_year:
        facts.aided = set(
            AidRecord.objects.filter(
                programme=programme, year=programme.year, nik__in={p.client.nik for p in proposals}
            ).values_list("nik", flat=True)
        )
    return facts


def eligibility_problem(proposal: Proposal, codes: list[str], facts: Facts | None = None
                        ) -> str | None:  # fmt: skip
    """Why the programme's rules refuse the proposal today, or None when they hold. `facts`
    read for many proposals at once (eligibility_facts) saves the queries of each."""
    programme, client = proposal.programme, proposal.client
    if facts is None:
        facts = eligibility_facts(programme, [proposal])
    if not policy.code_in_area(client.village_id, codes):
        return _("the person lives outside the programme's regions")
    if programme.screens_deciles:
        decile = facts.deciles.get(proposal.pk)
        if decile is None:
            return _("no register decile is known for the person")
        if decile > programme.max_decile:
            return _("decile %(decile)d is above the programme's highest, %(max)d") % {
                "decile": decile,
                "max": programme.max_decile,
            }
    assessed = client.pk in facts.latest_business
    if programme.requires_assessment and not assessed:
        return _("there is no completed social assessment")
    if programme.once_per_year and client.nik in facts.aided:
        return _("the person already received this programme's aid this year")
    entrepreneurship = proposal.pk in facts.entrepreneurship
    if entrepreneurship or programme.requires_business:
        if not facts.latest_business.get(client.pk):
            return _("the assessment records no existing business (embrio usaha)")
        if entrepreneurship and not proposal.business_plan:
            return _("the business plan is missing")
    return None


@transaction.atomic
def decree_approve(
    *,
    proposals: Sequence[Proposal],
    number: str,
    date: datetime.date,
    signatory_name: str,
    signatory_title: str,
    by: User,
    request=None,
) -> Decree:
    """Approve verified proposals of one programme by one decree and reserve their budget.

    All or nothing: a proposal that breaks a rule or does not fit the budget fails the
    whole decree, with a message naming it. Four eyes: not its creator nor its submitter."""
    if not proposals:
        raise ApplicationError(_("Choose the proposals to approve."), field="proposals")
    programmes = {p.programme_id for p in proposals}
    if len(programmes) != 1:
        raise ApplicationError(_("A decree approves proposals of one programme."),
                               field="proposals")  # fmt: skip
    programme = Programme.objects.get(pk=programmes.pop())
    _require_decider(by, programme)
    number = number.strip()
    if not number:
        raise ApplicationError(_("Give the decree number."), field="number")
    if not signatory_name.strip():
        raise ApplicationError(_("Give the signatory's name."), field="signatory_name")
    # Proposals first, in one order, then the budget lines: the lock order everywhere.
    locked = list(
        Proposal.objects.select_for_update(of=("self",))
        .select_related("client", "programme__organisation", "batch_row")
        .filter(pk__in=[p.pk for p in proposals])
        .order_by("pk")
    )
    if len(locked) != len({p.pk for p in proposals}):
        raise ApplicationError(_("A proposal was not found."), field="proposals")
    codes = programme_codes(programme)
    # Every fact for every proposal is read at once; the rules then run in proposal order,
    # so the first proposal to break one is the one named, as before.
    pks = [p.pk for p in locked]
    readable = set(
        policy.scope_clients(
            Client.objects.filter(pk__in=[p.client_id for p in locked]), by
        ).values_list("pk", flat=True)
    )
    facts = eligibility_facts(programme, locked)
    for proposal in locked:
        if proposal.client_id not in readable:
            raise PermissionDenied
        if proposal.state != State.VERIFIED:
            raise ApplicationError(
                _("Proposal %(ref)s is not verified.") % {"ref": proposal.reference},
                field="proposals", code="conflict",
            )  # fmt: skip
        if by.pk in (proposal.created_by_id, proposal.submitted_by_id):
            raise ApplicationError(
                _("You created or submitted proposal %(ref)s: another supervisor must "
                  "approve it.") % {"ref": proposal.reference},
                field="proposals", code="four_eyes",
            )  # fmt: skip
        problem = eligibility_problem(proposal, codes, facts)
        if problem:
            raise ApplicationError(
                _("Proposal %(ref)s cannot be approved: %(problem)s.")
                % {"ref": proposal.reference, "problem": problem},
                field="proposals", code="not_eligible",
            )  # fmt: skip
    if Decree.objects.filter(organisation=programme.organisation, number=number).exists():
        raise ApplicationError(_("A decree with this number already exists."),
                               field="number", code="conflict")  # fmt: skip
    decree = Decree.objects.create(
        organisation=programme.organisation, programme=programme, number=number, date=date,
        signatory_name=signatory_name.strip(), signatory_title=signatory_title.strip(),
        approved_by=by,
    )  # fmt: skip
    lines: dict = {pk: [] for pk in pks}
    for pk, component, value in ProposalItem.objects.filter(proposal__in=pks).values_list(
        "proposal_id", "component", "value"
    ):
        lines[pk].append((component, value))
    needs = [(proposal, by_component(lines[proposal.pk])) for proposal in locked]
    budget.reserve(
        programme_id=programme.pk, needs=needs, by=by,
        reason=budget.ledger_reason(gettext_noop("decree %(number)s"), number=number),
    )  # fmt: skip
    Proposal.objects.filter(pk__in=pks).update(
        state=State.APPROVED, decree=decree, updated_at=timezone.now()
    )
    _moved_all(locked, State.VERIFIED.value, State.APPROVED.value, by, Verb.AID_APPROVED,
               request, number)  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=decree, request=request,
                 summary=f"proposals: {len(locked)}")  # fmt: skip
    return decree


def proposal_approve(
    *,
    proposal: Proposal,
    by: User,
    number: str,
    date: datetime.date,
    signatory_name: str,
    signatory_title: str,
    request=None,
) -> Proposal:
    """Approve one proposal by a decree of its own (see decree_approve)."""
    decree_approve(proposals=[proposal], number=number, date=date, signatory_name=signatory_name,
                   signatory_title=signatory_title, by=by, request=request)  # fmt: skip
    proposal.refresh_from_db()
    return proposal


def _close(proposal: Proposal, state: str, reason: str, by: User, verb: str, request):
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give a reason."), field="reason")
    old = proposal.state
    if old == State.APPROVED:
        if proposal.handovers.exists():
            raise ApplicationError(
                _("Part of this proposal has been handed over; it can no longer be closed."),
                code="conflict",
            )
        budget.lock_lines(proposal.programme_id, set(budget.proposal_needs(proposal)))
        budget.release(proposal=proposal, by=by, reason=budget.ledger_reason(
            gettext_noop("%(state)s: %(reason)s"), state=State(state).label, reason=reason,
        ))  # fmt: skip
    proposal.state = state
    proposal.reason = reason
    proposal.closed_by = by
    proposal.closed_at = timezone.now()
    proposal.save(update_fields=["state", "reason", "closed_by", "closed_at", "updated_at"])
    _moved(proposal, old, by, verb, request, reason)
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, reason: str, request=None) -> Proposal:
    """A supervisor rejects a submitted, verified or approved proposal with a reason; an
    approval's reservation is released."""
    _require_decider(by, proposal.programme)
    proposal = _lock(proposal)
    _require_readable(by, proposal.client)
    _expect(proposal, State.SUBMITTED, State.VERIFIED, State.APPROVED)
    return _close(proposal, State.REJECTED, reason, by, Verb.AID_REJECTED, request)


@transaction.atomic
def proposal_cancel(*, proposal: Proposal, by: User, reason: str, request=None) -> Proposal:
    """Withdraw a proposal before hand-over, with a reason; an approved one only by a
    supervisor, releasing its reservation."""
    _require_proposer(by, proposal.programme)
    proposal = _lock(proposal)
    _require_readable(by, proposal.client)
    _expect(proposal, *Proposal.UNDER_WAY)
    if proposal.state == State.APPROVED:
        _require_decider(by, proposal.programme)
    return _close(proposal, State.CANCELLED, reason, by, Verb.AID_CANCELLED, request)
