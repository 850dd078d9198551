"""Every write on clients, families, consent, referrals and cases.

Each function is one business action in one transaction; it checks its precondition
first, raises ApplicationError with a message for the user, and leaves an audit event
(and, on a case, a timeline event) behind.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

import pghistory
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError, refuse_first
from atensi.regions.models import Region

from . import nik as nikmod
from . import selectors
from .attachments import validate_attachment
from .models import (
    CLOSED_STAGES,
    Case,
    CaseEvent,
    CaseNote,
    Client,
    Consent,
    ConsentWithdrawal,
    FamilyMember,
    Referral,
    ReferralAttachment,
    Stage,
)

Action = AuditEvent.Action

# Each open stage gets a follow-up date; this one when the caseworker names none.
DEFAULT_FOLLOW_UP = datetime.timedelta(days=14)

# Forward one step at a time, back one step to redo work, and referral out from any open stage.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.INTAKE: (Stage.ASSESSMENT,),
    Stage.ASSESSMENT: (Stage.PLANNING, Stage.INTAKE),
    Stage.PLANNING: (Stage.INTERVENTION, Stage.ASSESSMENT),
    Stage.INTERVENTION: (Stage.REINTEGRATION, Stage.PLANNING),
    Stage.REINTEGRATION: (Stage.TERMINATION, Stage.INTERVENTION),
    Stage.TERMINATION: (Stage.AFTERCARE, Stage.CLOSED),
    Stage.AFTERCARE: (Stage.CLOSED,),
    Stage.CLOSED: (),
    Stage.REFERRED_OUT: (),
}


def allowed_transitions(stage: str) -> tuple[str, ...]:
    if stage in CLOSED_STAGES:
        return ()
    return TRANSITIONS[stage] + (Stage.REFERRED_OUT,)


def _new_reference(prefix: str) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    token = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{prefix}-{timezone.localdate():%y%m}-{token}"


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _region_known(code: str) -> bool:
    return Region.objects.filter(code=code).exists()


# --- identity checks -------------------------------------------------------------------


def check_nik(
    value: str, *, birth_date=None, sex=None, field: str = "nik", warnings: list | None = None
) -> str:
    """Return the normalised NIK or raise ApplicationError with the first error's message.

    Warnings (an unknown, perhaps older district code) are appended to `warnings` if given.
    """
    result = nikmod.parse_nik(value, birth_date=birth_date, sex=sex, known_district=_region_known)
    if not result.ok:
        raise ApplicationError(result.errors[0].render(_), field=field)
    if warnings is not None:
        warnings.extend(issue.render(_) for issue in result.warnings)
    return result.value


def check_kk(value: str, *, field: str = "kk_number", warnings: list | None = None) -> str:
    if not value:
        return ""
    result = nikmod.validate_kk(value, known_district=_region_known)
    if not result.ok:
        raise ApplicationError(result.errors[0].render(_), field=field)
    if warnings is not None:
        warnings.extend(issue.render(_) for issue in result.warnings)
    return result.value


def _check_village(by: User, code: str, *, field: str = "village") -> Region:
    region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if region is None:
        raise ApplicationError(
            _("Village code %(code)s is not a known village.") % {"code": code}, field=field
        )
    if not policy.in_area(by, region.code):
        raise ApplicationError(
            _("Village %(code)s lies outside your organisation's service area.") % {"code": code},
            field=field,
        )
    return region


def check_birth_date(value: datetime.date, *, field: str = "birth_date") -> None:
    if value > timezone.localdate():
        raise ApplicationError(_("The date of birth lies in the future."), field=field)
    if value.year < 1900:
        raise ApplicationError(_("The date of birth is before 1900."), field=field)


def client_probable_duplicates(*, by: User, full_name: str, birth_date, village_code: str):
    """Clients with the same name and birth date in the same regency as the given village,
    among those the user may see (a warning must not reveal records outside the area)."""
    regency = ".".join(village_code.split(".")[:2])
    return policy.scope_clients(
        Client.objects.filter(
            full_name__iexact=" ".join(full_name.split()),
            birth_date=birth_date,
            village__code__startswith=regency + ".",
        ),
        by,
    )


# --- clients ---------------------------------------------------------------------------

CLIENT_FIELDS = (
    "kk_number", "full_name", "alias", "sex", "birth_place", "birth_date", "religion",
    "education", "occupation", "marital_status", "phone", "address", "substances",
)  # fmt: skip


@transaction.atomic
def client_register(
    *,
    by: User,
    nik: str,
    full_name: str,
    sex: str,
    birth_date: datetime.date,
    address: str,
    village: str,
    allow_probable_duplicate: bool = False,
    request=None,
    **details,
) -> Client:
    """Register a KPN client. Refuses a NIK already registered; warns of a probable duplicate."""
    _require(policy.can_write_cases(by))
    unknown = set(details) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    check_birth_date(birth_date)
    warnings: list[str] = []
    nik = check_nik(nik, birth_date=birth_date, sex=sex, warnings=warnings)
    details["kk_number"] = check_kk(details.get("kk_number", ""), warnings=warnings)
    region = _check_village(by, village)
    if Client.objects.filter(nik=nik).exists():
        raise ApplicationError(
            _("A client with this NIK is already registered."), field="nik", code="conflict"
        )
    if not allow_probable_duplicate:
        dupes = client_probable_duplicates(
            by=by, full_name=full_name, birth_date=birth_date, village_code=region.code
        )
        match = dupes.first()
        if match is not None:
            raise ApplicationError(
                _(
                    "A client with the same name and date of birth is already registered in "
                    "this regency (NIK %(masked)s). Check that this is not the same person, "
                    "then confirm to register anyway."
                )
                % {"masked": match.masked_nik},
                field="full_name",
                code="probable_duplicate",
            )
    try:
        with transaction.atomic():
            client = Client.objects.create(
                nik=nik,
                full_name=" ".join(full_name.split()),
                sex=sex,
                birth_date=birth_date,
                address=address,
                village=region,
                registered_by=by.organisation,
                created_by=by,
                **details,
            )
    except IntegrityError as exc:  # a concurrent registration of the same NIK
        raise ApplicationError(
            _("A client with this NIK is already registered."), field="nik", code="conflict"
        ) from exc
    audit_record(actor=by, action=Action.CREATE, obj=client, request=request)
    client.warnings = warnings  # shown once to the person registering; not stored
    return client


@transaction.atomic
def client_update(*, client: Client, by: User, request=None, **changes) -> Client:
    """Change a client's details; the NIK, once registered, is corrected only by an admin.
    Only the organisation the client belongs to or was handed to (policy.can_write_client)."""
    _require(policy.can_write_client(by, client))
    unknown = set(changes) - set(CLIENT_FIELDS) - {"village"}
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    if "village" in changes:
        changes["village"] = _check_village(by, changes["village"])
    if "birth_date" in changes:
        check_birth_date(changes["birth_date"])
    if "kk_number" in changes:
        changes["kk_number"] = check_kk(changes["kk_number"])
    birth_date = changes.get("birth_date", client.birth_date)
    sex = changes.get("sex", client.sex)
    if "birth_date" in changes or "sex" in changes:
        check_nik(client.nik, birth_date=birth_date, sex=sex, field="birth_date")
    changed = [name for name, value in changes.items() if getattr(client, name) != value]
    if not changed:
        return client
    for name in changed:
        setattr(client, name, changes[name])
    with pghistory.context(user=by.pk):
        client.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=by, action=Action.UPDATE, obj=client, request=request,
        summary="fields: " + ", ".join(sorted(changed)),
    )  # fmt: skip
    for case in client.cases.exclude(stage__in=CLOSED_STAGES):
        CaseEvent.objects.create(
            case=case, verb=CaseEvent.Verb.CLIENT_UPDATED, actor=by,
            message=texts.msg(gettext_noop("Changed: %(fields)s"),
                              fields=texts.joined(texts.field(Client, name) for name in changed)),
        )  # fmt: skip
    return client


@transaction.atomic
def family_member_add(
    *,
    client: Client,
    by: User,
    relation: str,
    full_name: str,
    nik: str = "",
    phone: str = "",
    request=None,
) -> FamilyMember:
    _require(policy.can_write_client(by, client))
    if nik:
        nik = check_nik(nik)
    with pghistory.context(user=by.pk):
        member = FamilyMember.objects.create(
            client=client, relation=relation, full_name=full_name.strip(), nik=nik, phone=phone
        )
    audit_record(actor=by, action=Action.CREATE, obj=member, request=request,
                 summary=f"client {client.pk}")  # fmt: skip
    _case_events(client, by, CaseEvent.Verb.FAMILY, _relation(member))
    return member


FAMILY_FIELDS = ("relation", "full_name", "nik", "phone")


def _current_member(member: FamilyMember) -> FamilyMember:
    member = FamilyMember.objects.select_for_update().get(pk=member.pk)
    if member.removed_at is not None:
        raise ApplicationError(
            _("This family member has been removed from the record."), code="conflict"
        )
    return member


@transaction.atomic
def family_member_update(
    *, member: FamilyMember, by: User, request=None, **changes
) -> FamilyMember:
    """Correct a family member's relation, name, NIK or phone. The change is kept in the
    member's history (pghistory), audited and put on the client's open cases."""
    _require(policy.can_write_client(by, member.client))
    unknown = set(changes) - set(FAMILY_FIELDS)
    if unknown:
        raise TypeError(f"unknown family member fields: {sorted(unknown)}")
    member = _current_member(member)
    if "full_name" in changes:
        changes["full_name"] = " ".join(changes["full_name"].split())
        if not changes["full_name"]:
            raise ApplicationError(_("Enter the family member's name."), field="full_name")
    if changes.get("nik"):
        changes["nik"] = check_nik(changes["nik"])
    changed = [name for name, value in changes.items() if getattr(member, name) != value]
    if not changed:
        return member
    for name in changed:
        setattr(member, name, changes[name])
    with pghistory.context(user=by.pk):
        member.save(update_fields=changed)
    audit_record(
        actor=by, action=Action.UPDATE, obj=member, request=request,
        summary=f"client {member.client_id}; fields: {', '.join(sorted(changed))}",
    )  # fmt: skip
    _case_events(member.client, by, CaseEvent.Verb.FAMILY_UPDATED, _relation(member))
    return member


@transaction.atomic
def family_member_remove(*, member: FamilyMember, by: User, request=None) -> FamilyMember:
    """Take a family member off the client's record. The row stays, marked removed, so the
    guidance sessions they attended and any aid handed to them keep their record."""
    _require(policy.can_write_client(by, member.client))
    member = _current_member(member)
    member.removed_at = timezone.now()
    with pghistory.context(user=by.pk):
        member.save(update_fields=["removed_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=member, request=request,
                 summary=f"client {member.client_id}; marked removed")  # fmt: skip
    _case_events(member.client, by, CaseEvent.Verb.FAMILY_REMOVED, _relation(member))
    return member


@transaction.atomic
def consent_problems(
    *, given_by: str, basis: str, purposes, date, given_by_name: str = "", notes: str = ""
) -> list[tuple[str, str]]:
    """What is wrong with a consent to record, every field at once (the form shows them all
    in one round): (field, message)."""
    problems = []
    if not purposes:
        problems.append(("purposes", _("Choose at least one purpose.")))
    if date is not None and date > timezone.localdate():
        problems.append(("date", _("The consent date lies in the future.")))
    if basis == Consent.Basis.CONSENT and given_by == Consent.GivenBy.NONE:
        problems.append(("given_by", _("Say who gave consent, or choose another lawful basis.")))
    if basis != Consent.Basis.CONSENT and given_by != Consent.GivenBy.NONE:
        problems.append(("basis", _("When consent was given, the lawful basis is consent.")))
    if given_by in (Consent.GivenBy.PARENT, Consent.GivenBy.GUARDIAN) and not given_by_name:
        problems.append(
            ("given_by_name", _("Enter the name of the parent or guardian who consented."))
        )
    if basis != Consent.Basis.CONSENT and not (notes or "").strip():
        problems.append(("notes", _("Explain why the service proceeds without consent.")))
    return problems


def consent_record(
    *,
    client: Client,
    by: User,
    given_by: str,
    basis: str,
    purposes: Iterable[str],
    date: datetime.date,
    given_by_name: str = "",
    notes: str = "",
    request=None,
) -> Consent:
    """Record consent at intake, or the lawful basis relied on when there is none."""
    _require(policy.can_write_client(by, client))
    purposes = list(dict.fromkeys(purposes))
    refuse_first(
        consent_problems(
            given_by=given_by, basis=basis, purposes=purposes, date=date,
            given_by_name=given_by_name, notes=notes,
        )
    )  # fmt: skip
    consent = Consent.objects.create(
        client=client, given_by=given_by, given_by_name=given_by_name.strip(), basis=basis,
        purposes=purposes, date=date, notes=notes, recorded_by=by,
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=consent, request=request,
                 summary=f"client {client.pk}")  # fmt: skip
    _case_events(client, by, CaseEvent.Verb.CONSENT, texts.choice(Consent.Basis, consent.basis))
    return consent


def clients_anonymise(ids, by: User | None = None) -> int:
    """Anonymise the clients whose retention time has passed (``atensi.retention``), one
    transaction and one audit event each; returns the rows changed."""
    from atensi import retention

    changed = 0
    for client in Client.objects.filter(pk__in=ids):
        with transaction.atomic():
            client = Client.objects.select_for_update().get(pk=client.pk)
            rows = retention.anonymise_person(client)
            audit_record(actor=by, action=Action.UPDATE, object_type="client",
                         object_id=str(client.pk), channel="command",
                         summary=f"retention: anonymised, {rows} records")  # fmt: skip
            changed += rows
    return changed


def client_personal_data(*, client: Client, by: User, request=None) -> tuple[bytes, int]:
    """Everything held about the client, for their access request (UU 27/2022 art. 7): an
    XLSX with a sheet per kind of record. Audited as an export of the person's record."""
    from atensi import personal_data

    _require(policy.can_write_client(by, client))
    content, rows = personal_data.workbook(client, by=by)
    audit_record(actor=by, action=Action.EXPORT, obj=client, request=request,
                 summary=f"access request: {rows} records")  # fmt: skip
    return content, rows


@transaction.atomic
def consent_withdraw(
    *,
    client: Client,
    by: User,
    withdrawn_by: str,
    purposes: Iterable[str],
    date: datetime.date,
    withdrawn_by_name: str = "",
    reason: str = "",
    retained_basis: str = ConsentWithdrawal.RetainedBasis.LEGAL_DUTY,
    request=None,
) -> ConsentWithdrawal:
    """Record that consent is withdrawn for some purposes: from now on nothing new is done
    for them (`consent_require` refuses) until consent is given again; what is recorded stays."""
    _require(policy.can_write_client(by, client))
    purposes = list(dict.fromkeys(purposes))
    if not purposes:
        raise ApplicationError(_("Choose at least one purpose."), field="purposes")
    if date > timezone.localdate():
        raise ApplicationError(_("The withdrawal date lies in the future."), field="date")
    if withdrawn_by not in dict(Consent.GivenBy.choices) or withdrawn_by == Consent.GivenBy.NONE:
        raise ApplicationError(_("Say who withdrew the consent."), field="withdrawn_by")
    if withdrawn_by in (Consent.GivenBy.PARENT, Consent.GivenBy.GUARDIAN) and not (
        withdrawn_by_name.strip()
    ):
        raise ApplicationError(
            _("Enter the name of the parent or guardian who withdrew the consent."),
            field="withdrawn_by_name",
        )
    withdrawal = ConsentWithdrawal.objects.create(
        client=client, withdrawn_by=withdrawn_by, withdrawn_by_name=withdrawn_by_name.strip(),
        purposes=purposes, date=date, reason=reason.strip(), retained_basis=retained_basis,
        recorded_by=by,
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=withdrawal, request=request,
                 summary=f"client {client.pk}: " + ", ".join(purposes))  # fmt: skip
    _case_events(client, by, CaseEvent.Verb.CONSENT_WITHDRAWN,
                 texts.joined((Consent.Purpose(p) for p in purposes), "; "))  # fmt: skip
    return withdrawal


def consent_require(*, client: Client | None, purpose: str) -> None:
    """Refuse new processing of a person for a purpose whose consent they withdrew."""
    if client is None:
        return
    withdrawal = selectors.consent_withdrawn(client=client, purpose=purpose)
    if withdrawal is not None:
        raise ApplicationError(
            _("Consent for “%(purpose)s” was withdrawn on %(date)s: nothing new may be "
              "recorded for it until consent is given again.")
            % {"purpose": dict(Consent.Purpose.choices)[purpose],
               "date": withdrawal.date.strftime("%d-%m-%Y")},
            field="consent", code="conflict",
        )  # fmt: skip


def consent_require_given(*, client: Client, purpose: str) -> None:
    """Refuse processing for a purpose that no consent (or other lawful basis) on record
    covers: withdrawn (``consent_require``), or never recorded."""
    consent_require(client=client, purpose=purpose)
    if not selectors.consent_covers(client=client, purpose=purpose):
        raise ApplicationError(
            _("No consent or other lawful basis for “%(purpose)s” is on record for this "
              "person. Record it on the client's page first.")
            % {"purpose": dict(Consent.Purpose.choices)[purpose]},
            field="consent", code="conflict",
        )  # fmt: skip


def _case_events(client: Client, by: User, verb: str, message: texts.Stored) -> None:
    for case in client.cases.exclude(stage__in=CLOSED_STAGES):
        CaseEvent.objects.create(case=case, verb=verb, actor=by, message=message)


def _relation(member: FamilyMember) -> texts.Stored:
    return texts.choice(FamilyMember.Relation, member.relation)


def _referral_event(case: Case, referral: Referral, by: User) -> None:
    """The referral that brought the person to the case, on its timeline."""
    CaseEvent.objects.create(
        case=case, verb=CaseEvent.Verb.REFERRAL, actor=by,
        message=texts.joined([referral.reference, Referral.Source(referral.source),
                              referral.referring_org.name], " · "),
    )  # fmt: skip


# --- referrals -------------------------------------------------------------------------

# What Dinsos staff may enter themselves; partner organisations refer with their own source.
DINSOS_SOURCES = (Referral.Source.FAMILY, Referral.Source.SELF, Referral.Source.COMMUNITY)


def check_referral_date(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ApplicationError(_("The referral date lies in the future."), field="referral_date")


def _checked_referral(by: User, *, referral_date, birth_date, nik, sex, region):
    """The referral's dates, NIK and place checked; returns the cleaned NIK and the region."""
    check_referral_date(referral_date)
    if birth_date is not None:
        check_birth_date(birth_date)
    if nik:
        nik = check_nik(nik, birth_date=birth_date, sex=sex)
    place = Region.objects.filter(code=region, level__gte=Region.Level.DISTRICT).first()
    if place is None:
        raise ApplicationError(
            _("Region code %(code)s is not a known district or village.") % {"code": region},
            field="region",
        )
    if not policy.in_area(by, place.code):
        raise ApplicationError(
            _("Region %(code)s lies outside your organisation's service area.") % {"code": region},
            field="region",
        )
    return nik, place


@transaction.atomic
def referral_submit(
    *,
    by: User,
    source: str,
    referring_officer: str,
    referral_date: datetime.date,
    full_name: str,
    sex: str,
    region: str,
    reason: str,
    nik: str = "",
    birth_date: datetime.date | None = None,
    attachments: Iterable = (),
    request=None,
    **details,
) -> Referral:
    """Submit a referral on behalf of the user's organisation; a missing NIK is allowed."""
    _require(policy.can_submit_referrals(by))
    if by.role != User.Role.REFERRER and source not in DINSOS_SOURCES:
        raise ApplicationError(
            _("Dinsos staff enter referrals on behalf of a family, the person or the community."),
            field="source",
        )
    allowed = {"phone", "address", "substances", "urine_test", "legal_status", "notes"}
    if set(details) - allowed:
        raise TypeError(f"unknown referral fields: {sorted(set(details) - allowed)}")
    nik, place = _checked_referral(
        by, referral_date=referral_date, birth_date=birth_date, nik=nik, sex=sex, region=region
    )
    files = list(attachments)
    checked = [validate_attachment(f) for f in files]
    referral = Referral.objects.create(
        reference=_new_reference("RJK"),
        source=source,
        referring_org=by.organisation,
        referring_officer=referring_officer.strip(),
        referral_date=referral_date,
        nik=nik,
        full_name=" ".join(full_name.split()),
        sex=sex,
        birth_date=birth_date,
        region=place,
        reason=reason,
        submitted_by=by,
        **details,
    )
    for upload, content_type in zip(files, checked, strict=True):
        ReferralAttachment.objects.create(
            referral=referral, file=upload, original_name=upload.name[:255],
            content_type=content_type, size=upload.size, uploaded_by=by,
        )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=referral, request=request)
    return referral


def _lock_submitted(referral: Referral) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status != Referral.Status.SUBMITTED:
        raise ApplicationError(
            _("This referral has already been decided (%(status)s).")
            % {"status": locked.get_status_display()},
            code="conflict",
        )
    return locked


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    by: User,
    client: Client,
    assign_to: User | None = None,
    request=None,
) -> Case:
    """Accept a referral: link it to the client and open a case. Consent must be on record."""
    _require(policy.can_decide_referrals(by))
    referral = _lock_submitted(referral)
    if not client.consents.exists():
        raise ApplicationError(
            _("Record the client's consent, or the lawful basis, before accepting."),
            field="consent",
        )
    if referral.nik and referral.nik != client.nik:
        raise ApplicationError(
            _("The referral's NIK differs from the chosen client's NIK."), field="client"
        )
    referral.status = Referral.Status.ACCEPTED
    referral.client = client
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "client", "decided_by", "decided_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=referral, request=request,
                 summary="accepted")  # fmt: skip
    open_case = (
        client.cases.filter(organisation=by.organisation).exclude(stage__in=CLOSED_STAGES).first()
    )
    if open_case is not None:  # the person is already in our care: the referral joins that case
        referral.joined_case = open_case
        referral.save(update_fields=["joined_case"])
        _referral_event(open_case, referral, by)
        return open_case
    return case_open(
        client=client,
        by=by,
        organisation=by.organisation,
        assigned_to=assign_to or by,
        referral=referral,
        request=request,
    )


@transaction.atomic
def referral_decline(*, referral: Referral, by: User, reason: str, request=None) -> Referral:
    _require(policy.can_decide_referrals(by))
    if not reason.strip():
        raise ApplicationError(_("Give the reason for declining."), field="reason")
    referral = _lock_submitted(referral)
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason.strip()
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=referral, request=request,
                 summary="declined")  # fmt: skip
    return referral


@transaction.atomic
def referral_mark_duplicate(
    *, referral: Referral, by: User, original: Referral, request=None
) -> Referral:
    _require(policy.can_decide_referrals(by))
    if original.pk == referral.pk:
        raise ApplicationError(_("A referral cannot duplicate itself."), field="original")
    if original.status == Referral.Status.DUPLICATE:
        raise ApplicationError(
            _("Link to the original referral, not to another duplicate."), field="original"
        )
    referral = _lock_submitted(referral)
    referral.status = Referral.Status.DUPLICATE
    referral.duplicate_of = original
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "duplicate_of", "decided_by", "decided_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=referral, request=request,
                 summary=f"duplicate of {original.pk}")  # fmt: skip
    return referral


REFERRAL_CORRECTABLE = (
    "referring_officer", "referral_date", "nik", "full_name", "sex", "birth_date", "phone",
    "address", "region", "substances", "urine_test", "legal_status", "reason", "notes",
)  # fmt: skip


def _lock_own_undecided(referral: Referral, by: User) -> Referral:
    """The referral locked for its referrer: only the submitting organisation may change it,
    and only while nobody has decided on it."""
    _require(policy.can_submit_referrals(by) and referral.referring_org_id == by.organisation_id)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status != Referral.Status.SUBMITTED:
        raise ApplicationError(
            _("This referral has already been decided (%(status)s) and can no longer be "
              "changed by the referrer.") % {"status": locked.get_status_display()},
            code="conflict",
        )  # fmt: skip
    return locked


@transaction.atomic
def referral_update(*, referral: Referral, by: User, request=None, **changes) -> Referral:
    """Correct a referral the user's organisation submitted, while it is undecided. The
    earlier values stay in the referral's history."""
    unknown = set(changes) - set(REFERRAL_CORRECTABLE)
    if unknown:
        raise TypeError(f"unknown referral fields: {sorted(unknown)}")
    referral = _lock_own_undecided(referral, by)
    merged = {name: getattr(referral, name) for name in REFERRAL_CORRECTABLE}
    merged["region"] = referral.region_id
    merged.update(changes)
    if not str(merged["full_name"]).strip():
        raise ApplicationError(_("Enter the person's name."), field="full_name")
    if not str(merged["reason"]).strip():
        raise ApplicationError(_("Give the reason for referral."), field="reason")
    nik, place = _checked_referral(
        by, referral_date=merged["referral_date"], birth_date=merged["birth_date"],
        nik=merged["nik"] or "", sex=merged["sex"], region=merged["region"],
    )  # fmt: skip
    merged.update(
        nik=nik, region=place, full_name=" ".join(str(merged["full_name"]).split()),
        referring_officer=str(merged["referring_officer"]).strip(),
    )  # fmt: skip
    changed = [name for name in REFERRAL_CORRECTABLE if getattr(referral, name) != merged[name]]
    if not changed:
        return referral
    for name in changed:
        setattr(referral, name, merged[name])
    with pghistory.context(user=by.pk):
        referral.save(update_fields=changed)
    audit_record(actor=by, action=Action.UPDATE, obj=referral, request=request,
                 summary="corrected: " + ", ".join(changed))  # fmt: skip
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, by: User, reason: str, request=None) -> Referral:
    """The referrer withdraws its own undecided referral; it leaves every queue."""
    if not reason.strip():
        raise ApplicationError(_("Give the reason for withdrawing."), field="reason")
    referral = _lock_own_undecided(referral, by)
    referral.status = Referral.Status.WITHDRAWN
    referral.withdraw_reason = reason.strip()
    referral.decided_by = by
    referral.decided_at = timezone.now()
    with pghistory.context(user=by.pk):
        referral.save(update_fields=["status", "withdraw_reason", "decided_by", "decided_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=referral, request=request,
                 summary="withdrawn")  # fmt: skip
    return referral


# --- cases -----------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    client: Client,
    by: User,
    organisation: Organisation,
    assigned_to: User | None = None,
    referral: Referral | None = None,
    reason: str = "",
    request=None,
) -> Case:
    """Open a case at intake. A client has at most one open case per organisation, and
    nobody is taken into care before their consent (or the lawful basis) is on record.

    On a client another organisation registered, a case is opened only from a referral
    accepted here or a case that organisation referred out to this one (then with a reason,
    kept on the timeline)."""
    _require(policy.can_write_cases(by))
    handover = None
    if referral is None and client.registered_by_id != organisation.pk:
        handover = selectors.handover_case(client=client, organisation=organisation)
        if handover is None:
            raise ApplicationError(
                _(
                    "This client was registered by %(org)s. Your organisation can open a case "
                    "only when a case of the client is referred to it, or by accepting a "
                    "referral."
                )
                % {"org": client.registered_by.name},
                code="no_handover",
            )
        if not reason.strip():
            raise ApplicationError(
                _("Say why your organisation takes the client over."), field="reason"
            )
    if not client.consents.exists():
        raise ApplicationError(
            _("Record the client's consent, or the lawful basis, before opening a case."),
            field="consent",
        )
    if assigned_to is not None:
        _check_assignee(assigned_to, organisation)
    if client.cases.filter(organisation=organisation).exclude(stage__in=CLOSED_STAGES).exists():
        raise ApplicationError(
            _("This client already has an open case with this organisation."), code="conflict"
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                reference=_new_reference("KS"),
                client=client,
                organisation=organisation,
                assigned_to=assigned_to,
                referral=referral,
                stage=Stage.INTAKE,
                stage_changed_at=now,
                next_action_due=timezone.localdate() + datetime.timedelta(days=7),  # a week
            )
    except IntegrityError as exc:  # opened concurrently by someone else
        raise ApplicationError(
            _("This client already has an open case with this organisation."), code="conflict"
        ) from exc
    if referral is not None:
        _referral_event(case, referral, by)
    handed = None
    if handover is not None:
        handed = texts.joined([handover.reference, handover.organisation.name], " · ")
    CaseEvent.objects.create(
        case=case, verb=CaseEvent.Verb.OPENED, actor=by, to_stage=Stage.INTAKE, message=handed,
        text=" ".join(reason.split()) if handover is not None else "",
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=case, request=request)
    return case


def _check_assignee(user: User, organisation: Organisation) -> None:
    if (
        user.organisation_id != organisation.pk
        or user.role not in policy.CASE_WRITERS
        or not user.is_active
    ):
        raise ApplicationError(
            _("The assigned caseworker must be a caseworker of the case's organisation."),
            field="assigned_to",
        )


@transaction.atomic
def case_transition(
    *,
    case: Case,
    by: User,
    to_stage: str,
    reason: str,
    referred_to: str = "",
    referred_to_org: Organisation | None = None,
    next_action_due: datetime.date | None = None,
    request=None,
) -> Case:
    """Move a case to its next ATENSI stage; only the transitions in TRANSITIONS are allowed.
    A referral out names the destination; one that works in the system (referred_to_org)
    may then read the client and open its own case."""
    _require(policy.can_write_case(by, case))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_stage not in allowed_transitions(case.stage):
        raise ApplicationError(
            _("A case cannot move from %(from)s to %(to)s.")
            % {
                "from": Stage(case.stage).label,
                "to": Stage(to_stage).label if to_stage in Stage.values else to_stage,
            },
            field="to_stage",
            code="conflict",
        )
    if not reason.strip():
        raise ApplicationError(_("Say why the case moves to this stage."), field="reason")
    if referred_to_org is not None:
        if to_stage != Stage.REFERRED_OUT:
            raise ApplicationError(
                _("Choose an organisation only when referring the case out."),
                field="referred_to_org",
            )
        _check_destination(case, referred_to_org)
        consent_require(client=case.client, purpose=Consent.Purpose.SHARING)
        referred_to = referred_to_org.name
    if to_stage == Stage.REFERRED_OUT and not referred_to.strip():
        raise ApplicationError(_("Say where the client is referred to."), field="referred_to")
    if to_stage == Stage.CLOSED:
        _require_episodes_ended(case)
    if next_action_due is not None and next_action_due < timezone.localdate():
        raise ApplicationError(
            _("The next action's due date lies in the past."), field="next_action_due"
        )
    from_stage = case.stage
    now = timezone.now()
    case.stage = to_stage
    case.stage_changed_at = now
    if to_stage in CLOSED_STAGES:
        case.next_action_due = None
    else:
        case.next_action_due = next_action_due or timezone.localdate() + DEFAULT_FOLLOW_UP
    if to_stage in CLOSED_STAGES:
        case.closed_at = now
    if to_stage == Stage.REFERRED_OUT:
        case.referred_to = referred_to.strip()[:200]
        case.referred_to_org = referred_to_org
    case.save(
        update_fields=[
            "stage", "stage_changed_at", "next_action_due", "closed_at", "referred_to",
            "referred_to_org",
        ]
    )  # fmt: skip
    CaseEvent.objects.create(
        case=case, verb=CaseEvent.Verb.STAGE, actor=by, from_stage=from_stage,
        to_stage=to_stage, text=reason.strip(),
    )  # fmt: skip
    audit_record(actor=by, action=Action.UPDATE, obj=case, request=request,
                 summary=f"stage {from_stage} -> {to_stage}")  # fmt: skip
    return case


def _require_episodes_ended(case: Case) -> None:
    """A case is closed once its rehabilitation is over: refused while one of its episodes
    runs (its provider records the end and the outcome)."""
    running = case.episodes.filter(ended_on__isnull=True).order_by("started_on").first()
    if running is not None:
        raise ApplicationError(
            _("The rehabilitation episode %(reference)s has not ended yet. Its provider records "
              "the end and the outcome on the episode's page; then the case can be closed.")
            % {"reference": running.reference},
            field="to_stage", code="conflict",
        )  # fmt: skip


def _check_destination(case: Case, organisation: Organisation) -> None:
    if not selectors.referral_destinations(case=case).filter(pk=organisation.pk).exists():
        raise ApplicationError(
            _("%(org)s cannot take this case: it is your own organisation, inactive, or does not "
              "serve the client's village.") % {"org": organisation.name},
            field="referred_to_org",
        )  # fmt: skip


@transaction.atomic
def case_assign(*, case: Case, by: User, assignee: User, request=None) -> Case:
    _require(policy.can_assign_cases(by) and policy.can_write_case(by, case))
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    if not case.is_open:
        raise ApplicationError(_("A closed case cannot be assigned."), code="conflict")
    _check_assignee(assignee, case.organisation)
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    CaseEvent.objects.create(case=case, verb=CaseEvent.Verb.ASSIGNED, actor=by, text=str(assignee))
    audit_record(actor=by, action=Action.UPDATE, obj=case, request=request,
                 summary=f"assigned to {assignee.username}")  # fmt: skip
    return case


@transaction.atomic
def case_note_add(*, case: Case, by: User, text: str, request=None) -> CaseNote:
    _require(policy.can_write_case(by, case))
    if not text.strip():
        raise ApplicationError(_("The note is empty."), field="text")
    if not case.is_open:
        raise ApplicationError(_("Notes cannot be added to a closed case."), code="conflict")
    note = CaseNote.objects.create(case=case, author=by, text=text.strip())
    CaseEvent.objects.create(case=case, verb=CaseEvent.Verb.NOTE, actor=by, text=text.strip())
    audit_record(actor=by, action=Action.CREATE, obj=note, request=request,
                 summary=f"case {case.pk}")  # fmt: skip
    return note
