"""Hand-over (serah terima) at most once, numbered BASTs, and idempotency keys.

At most once is held by the database: a unique constraint on the handed proposal item, the
proposal row locked for the whole hand-over, and the BAST counter row incremented in the
same transaction (a rolled-back hand-over gives its number back: no gaps, no repeats).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Sequence

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aid.models import (
    AidRecord,
    BastCounter,
    Handover,
    HandoverItem,
    IdempotencyKey,
    Proposal,
    ProposalItem,
)
from aid.money import by_component, format_rupiah
from aid.nip import nip_problem, normalise_nip
from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases.attachments import validate_attachment
from cases.models import CaseEvent, FamilyMember

from . import budget
from .followups import followups_schedule
from .proposals import PROPOSERS, _lock, _require_readable, _timeline

State = Proposal.State

BAST_FORMAT = "BAST/{seq:04d}/{org}/{year}"


def organisation_code(organisation_id: int) -> str:
    """A short, stable code of an organisation for its BAST numbers, from its service area:
    the region code the area lies in ("16.02" for a regency office; the first code when the
    area spans unrelated regions). Organisations sharing that code are told apart by the
    order they were created in: the first keeps it, the next ones get "-2", "-3"…"""
    through = Organisation.service_area.through
    areas: dict[int, list[str]] = {}
    for org_id, code in through.objects.order_by("organisation_id").values_list(
        "organisation_id", "region_id"
    ):
        areas.setdefault(org_id, []).append(code)
    base = {org_id: area_code(codes) for org_id, codes in areas.items()}
    own = base.get(organisation_id)
    if not own:
        return "ORG"
    sharing = sorted(org_id for org_id, code in base.items() if code == own)
    rank = sharing.index(organisation_id) + 1
    return own if rank == 1 else f"{own}-{rank}"


def area_code(codes: list[str]) -> str:
    """The longest region code every one of `codes` lies in, or the first code when they
    share none (Kemendagri codes nest as dotted prefixes)."""
    codes = sorted(codes)
    if not codes:
        return ""
    common = codes[0].split(".")
    for code in codes[1:]:
        parts = code.split(".")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return ".".join(common) or codes[0]


def bast_next(*, organisation_id: int, year: int) -> int:
    """The next BAST sequence number of an organisation and year. The counter row stays
    locked until the caller's transaction ends, so concurrent hand-overs queue here."""
    table = BastCounter._meta.db_table  # a name from the model; the values are parameters
    sql = (
        f"INSERT INTO {table} (organisation_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (organisation_id, year) DO UPDATE SET last = {table}.last + 1 "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation_id, year])
        return cursor.fetchone()[0]


@transaction.atomic
def handover_record(
    *,
    proposal: Proposal,
    by: User,
    handed_on: datetime.date,
    place: str,
    items: Sequence[ProposalItem] | None = None,
    recipient_member: FamilyMember | None = None,
    recipient_name: str = "",
    officer_nip: str = "",
    witness_name: str = "",
    witness_role: str = "",
    evidence=None,
    request=None,
) -> Handover:
    """Hand over items of an approved proposal (all remaining ones when `items` is None) in
    full, with a numbered BAST. Moves their value from reserved to spent, writes the
    AidRecord the screening reads, and closes the proposal as handed over when all are.
    The officer's NIP and the witness are optional; they are printed on the BAST."""
    if not policy.has_role(by, PROPOSERS):
        raise PermissionDenied
    proposal = _lock(proposal)
    programme = proposal.programme
    if programme.organisation_id != by.organisation_id:
        raise PermissionDenied
    _require_readable(by, proposal.client)
    if proposal.state != State.APPROVED:
        raise ApplicationError(
            _("Only an approved proposal can be handed over; this one is %(state)s.")
            % {"state": proposal.get_state_display().lower()},
            code="conflict",
        )
    place = place.strip()
    if not place:
        raise ApplicationError(_("Give the place of the hand-over."), field="place")
    if handed_on > timezone.localdate():
        raise ApplicationError(_("The date of the hand-over lies in the future."),
                               field="handed_on")  # fmt: skip
    remaining = {
        i.pk: i for i in proposal.items.filter(handed__isnull=True).select_related("aid_item")
    }
    if items is None:
        chosen = list(remaining.values())
    else:
        chosen = []
        for item in items:
            if item.proposal_id != proposal.pk:
                raise ApplicationError(_("An item does not belong to this proposal."),
                                       field="items")  # fmt: skip
            if item.pk not in remaining:
                raise ApplicationError(
                    _("%(item)s has already been handed over.") % {"item": item.aid_item.name},
                    field="items", code="already_handed_over",
                )  # fmt: skip
            chosen.append(remaining[item.pk])
    if not chosen:
        raise ApplicationError(_("Every item of this proposal has already been handed over."),
                               field="items", code="already_handed_over")  # fmt: skip
    if recipient_member is not None:
        if recipient_member.client_id != proposal.client_id or recipient_member.removed_at:
            raise ApplicationError(_("The recipient is not a family member of this client."),
                                   field="recipient_member")  # fmt: skip
        recipient_name = recipient_member.full_name
    recipient_name = recipient_name.strip() or proposal.client.full_name
    officer_nip = check_nip(officer_nip)
    witness_name, witness_role = witness_name.strip(), witness_role.strip()
    if witness_role and not witness_name:
        raise ApplicationError(_("Give the witness's name as well as their role."),
                               field="witness_name")  # fmt: skip

    organisation_id = programme.organisation_id
    seq = bast_next(organisation_id=organisation_id, year=handed_on.year)
    handover = Handover(
        proposal=proposal, organisation_id=organisation_id, year=handed_on.year, seq=seq,
        number=BAST_FORMAT.format(seq=seq, org=organisation_code(organisation_id),
                                  year=handed_on.year),
        handed_on=handed_on, place=place, officer=by, recipient_member=recipient_member,
        recipient_name=recipient_name[:150], officer_nip=officer_nip,
        witness_name=witness_name[:150], witness_role=witness_role[:150],
        value=sum(i.value for i in chosen),
    )  # fmt: skip
    if evidence is not None:
        _check_evidence(evidence)
        handover.evidence.save(f"{handover.id}", evidence, save=False)
    try:
        with transaction.atomic():
            handover.save()
            HandoverItem.objects.bulk_create(
                HandoverItem(
                    handover=handover, proposal_item=i, quantity=i.quantity, value=i.value
                )  # fmt: skip
                for i in chosen
            )
    except IntegrityError as exc:  # only reachable by writing around the proposal lock
        raise ApplicationError(_("This item has already been handed over."),
                               field="items", code="already_handed_over") from exc  # fmt: skip
    followups_schedule(handover=handover)
    needs = by_component((i.component, i.value) for i in chosen)
    budget.spend(proposal=proposal, lines=needs, by=by, reason=budget.ledger_reason(
        gettext_noop("hand-over %(number)s"), number=handover.number,
    ))  # fmt: skip
    AidRecord.objects.get_or_create(
        programme=programme, nik=proposal.client.nik, year=programme.year,
        defaults={"client": proposal.client, "given_on": handed_on},
    )  # fmt: skip
    old = proposal.state
    if len(chosen) == len(remaining):
        proposal.state = State.HANDED_OVER
        proposal.save(update_fields=["state", "updated_at"])
    audit_record(actor=by, action=AuditEvent.Action.CREATE, obj=handover, request=request,
                 summary=f"proposal {proposal.pk}")  # fmt: skip
    if proposal.state != old:
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=proposal, request=request,
                     summary=f"proposal {old} -> {proposal.state}")  # fmt: skip
    _timeline(proposal, by, CaseEvent.Verb.AID_HANDED_OVER, handover_text(handover, chosen),
              value=handover.value)  # fmt: skip
    return handover


def handover_text(handover: Handover, items: Sequence[ProposalItem]) -> texts.Stored:
    """What the timeline says of a hand-over besides its value: its BAST number and items,
    and, when it is a part, the proposal's whole value."""
    names = ", ".join(
        f"{i.aid_item.name} × {i.quantity}" for i in sorted(items, key=lambda i: i.aid_item.name)
    )
    said = [f"{handover.number}: {names}"]
    if handover.value != handover.proposal.value:
        said.append(texts.msg(gettext_noop("(part of the proposal's %(total)s)"),
                              total=format_rupiah(handover.proposal.value)))  # fmt: skip
    return texts.joined(said, " ")


def check_nip(value: str, *, field: str = "officer_nip") -> str:
    """The NIP without its separators, or "" when none is given; ApplicationError saying
    what is wrong otherwise."""
    nip = normalise_nip(value)
    if not nip:
        return ""
    problem = nip_problem(nip, today=timezone.localdate())
    if problem is not None:
        message, params = problem
        raise ApplicationError(_(message) % params, field=field)
    return nip


def _check_evidence(upload) -> None:
    """A photo or scan of the signed record: JPG, PNG or PDF, checked by its content."""
    try:
        validate_attachment(upload)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, field="evidence") from exc


# --- idempotency keys ---------------------------------------------------------------------


def fingerprint(params: dict) -> str:
    """sha256 of the parameters as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(*, user: User, key: str, params: dict, fn: Callable[[], models.Model]):
    """Run `fn` once per (user, key) and store a reference to its result: a retry with the
    same parameters gets that result again; other parameters under the key are refused.
    A failed `fn` stores nothing, so the retry runs it again."""
    key = (key or "").strip()
    if not key or len(key) > 255:
        raise ApplicationError(_("The idempotency key must have 1 to 255 characters."),
                               field="idempotency_key")  # fmt: skip
    digest = fingerprint(params)
    with transaction.atomic():
        try:
            # A concurrent request with the same key waits here until the first one ends.
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=digest)
        except IntegrityError:
            record = IdempotencyKey.objects.get(user=user, key=key)
            if record.fingerprint != digest:
                raise ApplicationError(
                    _("This idempotency key was already used for a different request."),
                    field="idempotency_key", code="idempotency_conflict",
                ) from None  # fmt: skip
            model = apps.get_model(record.result_type)
            return model._default_manager.get(pk=record.result_id)
        result = fn()
        record.result_type = result._meta.label_lower
        record.result_id = str(result.pk)
        record.save(update_fields=["result_type", "result_id"])
        return result


@transaction.atomic
def handover_evidence_attach(*, handover: Handover, by: User, evidence, request=None) -> Handover:
    """Attach the photo or scan of the signed record to a hand-over that has none yet: the
    evidence, once given, is not replaced."""
    if not policy.has_role(by, PROPOSERS):
        raise PermissionDenied
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("proposal__client", "proposal__programme")
        .get(pk=handover.pk)
    )
    if handover.proposal.programme.organisation_id != by.organisation_id:
        raise PermissionDenied
    _require_readable(by, handover.proposal.client)
    if handover.evidence:
        raise ApplicationError(_("This hand-over already has its signed record."),
                               field="evidence", code="conflict")  # fmt: skip
    _check_evidence(evidence)
    handover.evidence.save(f"{handover.id}", evidence, save=False)
    handover.save(update_fields=["evidence"])
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=handover, request=request,
                 summary="evidence attached")  # fmt: skip
    return handover


def evidence_content_type(handover: Handover) -> str:
    """The evidence's type read from its content (it was checked on upload)."""
    import filetype

    with handover.evidence.open("rb") as stored:
        kind = filetype.guess(stored.read(8192))
    return kind.mime if kind else "application/octet-stream"
