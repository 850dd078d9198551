"""Every write on rehabilitation episodes: start, phases, sessions, end (with the relapse
chain), and the aftercare follow-ups that the end schedules.

An episode is recorded on a client's case. Dinsos and centre staff record episodes on the
cases their organisation holds, with their own or a partner organisation as the provider;
BNNK staff record episodes their organisation provides, for people it referred and whose
referral was accepted. Each change is audited and, where a caseworker should read it, an
event on the case timeline.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError, refuse_first
from cases.choices import Substance
from cases.models import Case, CaseEvent, Consent, Referral
from cases.services import _new_reference, consent_require
from rehab import aftercare
from rehab.models import (
    FOLLOWED_UP_OUTCOMES,
    PHASE_ORDER,
    AftercareFollowUp,
    Episode,
    EpisodePhase,
    IbmUnit,
    RecoveryAgent,
    Session,
)

Action = AuditEvent.Action
Modality = Episode.Modality
Outcome = Episode.Outcome

# Kinds of organisation that provide rehabilitation.
PROVIDER_KINDS = (
    Organisation.Kind.BNNK,
    Organisation.Kind.BNNP,
    Organisation.Kind.SENTRA,
    Organisation.Kind.LKS,
    Organisation.Kind.IPWL,
    Organisation.Kind.OTHER,
    Organisation.Kind.DINSOS_REGENCY,
    Organisation.Kind.DINSOS_PROVINCE,
)


def _timeline(episode: Episode, by: User, verb: str, message: texts.Stored) -> None:
    """One event on the episode's case (kept even when the case has since closed)."""
    CaseEvent.objects.create(case_id=episode.case_id, verb=verb, actor=by, message=message)


def _check_date(value: datetime.date, field: str, *, not_before=None, label_before="") -> None:
    if message := _date_problem(value, not_before=not_before, label_before=label_before):
        raise ApplicationError(message, field=field)


def _date_problem(value, *, not_before=None, label_before="") -> str | None:
    if value > timezone.localdate():
        return _("The date lies in the future.")
    if not_before is not None and value < not_before:
        return label_before
    return None


def start_problems(
    *,
    provider,
    modality,
    legal_route,
    started_on,
    worker,
    planned_end_on=None,
    ibm_unit=None,
    recovery_agent=None,
    referred_to="",
    referral_accepted_on=None,
    court_decision_no="",
    court_decision_date=None,
    tat_assessed_on=None,
) -> list[tuple[str, str]]:
    """What is wrong with the fields of an episode to start, every field at once (the form
    shows them all in one round): (field, message). ``worker``: the responsible worker
    chosen (the starter by default). The provider's own eligibility and a previous episode
    are checked by ``episode_start``."""
    problems: list[tuple[str, str]] = []

    def problem(field: str, message) -> None:
        if message and field not in {f for f, _m in problems}:
            problems.append((field, message))

    if modality not in Modality.values:
        problem("modality", _("Choose a modality."))
    if legal_route not in Episode.LegalRoute.values:
        problem("legal_route", _("Choose a legal route."))
    if started_on is not None:
        problem("started_on", _date_problem(started_on))
        if planned_end_on is not None and planned_end_on < started_on:
            problem("planned_end_on", _("The planned end lies before the start."))
    if (
        worker is not None
        and provider is not None
        and (worker.organisation_id != provider.pk or not policy.can_write_rehab(worker))
    ):
        problem("worker", _("The responsible worker must work for the provider."))
    if modality == Modality.COMMUNITY:
        if ibm_unit is None:
            problem("ibm_unit", _("Name the IBM unit."))
        elif not ibm_unit.is_active:
            problem("ibm_unit", _("This IBM unit is no longer active."))
        elif recovery_agent is not None and recovery_agent.unit_id != ibm_unit.pk:
            problem("recovery_agent", _("The recovery agent belongs to another IBM unit."))
    if modality == Modality.REFERRAL:
        if not " ".join((referred_to or "").split()):
            problem("referred_to", _("Name the organisation the client is referred to."))
        if referral_accepted_on is not None:
            problem("referral_accepted_on", _date_problem(
                referral_accepted_on, not_before=started_on,
                label_before=_("The referral cannot be accepted before it was made."),
            ))  # fmt: skip
    if legal_route == Episode.LegalRoute.COURT:
        if not (court_decision_no or "").strip():
            problem("court_decision_no", _("Give the number of the court decision."))
        if court_decision_date is None:
            problem("court_decision_date", _("Give the date of the court decision."))
        else:
            problem("court_decision_date", _date_problem(court_decision_date))
    if tat_assessed_on is not None:
        problem("tat_assessed_on", _date_problem(tat_assessed_on))
    return problems


def providers_for(*, by: User, client) -> list[Organisation]:
    """The organisations a user may name as an episode's provider for this client: their own,
    and active rehabilitation providers whose service area holds the client's village and
    who have staff to run an episode (a regency's government, whose users only read the
    dashboard, has none)."""
    if by.role == User.Role.REFERRER:
        return [by.organisation]
    found = [by.organisation]
    for org in (
        Organisation.objects.filter(is_active=True, kind__in=PROVIDER_KINDS)
        .filter(pk__in=policy.organisations_with_staff(policy.REHAB_WRITERS))
        .exclude(pk=by.organisation_id)
        .prefetch_related("service_area")
    ):
        codes = [r.code for r in org.service_area.all()]
        if policy.code_in_area(client.village_id, codes):
            found.append(org)
    return found


def cases_for_referrer(*, by: User):
    """The cases a BNNK worker may start an episode on: those opened or joined by an accepted
    referral of their organisation."""
    accepted = Referral.Status.ACCEPTED
    org = by.organisation_id
    return Case.objects.filter(
        Q(referral__referring_org_id=org, referral__status=accepted)
        | Q(joined_referrals__referring_org_id=org, joined_referrals__status=accepted)
    ).distinct()


def may_start_on(by: User, case: Case) -> bool:
    if not policy.can_write_rehab(by):
        return False
    if by.role == User.Role.REFERRER:
        return cases_for_referrer(by=by).filter(pk=case.pk).exists()
    return policy.can_write_case(by, case) or (
        by.role == User.Role.CENTRE and case.referred_to_org_id == by.organisation_id
    )


@transaction.atomic
def episode_start(
    *,
    by: User,
    case: Case,
    provider: Organisation,
    modality: str,
    legal_route: str,
    started_on: datetime.date,
    worker: User | None = None,
    planned_end_on: datetime.date | None = None,
    ibm_unit: IbmUnit | None = None,
    recovery_agent: RecoveryAgent | None = None,
    referred_to: str = "",
    referral_accepted_on: datetime.date | None = None,
    court_decision_no: str = "",
    court_decision_date: datetime.date | None = None,
    tat_assessed_on: datetime.date | None = None,
    tat_recommendation: str = "",
    previous: Episode | None = None,
    request=None,
) -> Episode:
    """Start an episode of rehabilitation for the case's client.

    A client has at most one open episode per provider. `previous` links a new episode to
    the one it follows after a relapse; that episode must have ended and not yet been
    followed."""
    case = Case.objects.select_related("client").get(pk=case.pk)
    if not may_start_on(by, case):
        raise PermissionDenied
    client = case.client
    consent_require(client=client, purpose=Consent.Purpose.REHABILITATION)
    if provider.pk not in {o.pk for o in providers_for(by=by, client=client)}:
        raise ApplicationError(
            _("%(org)s cannot be named as the provider here.") % {"org": provider.name},
            field="provider",
        )
    worker = worker or by
    refuse_first(
        start_problems(
            provider=provider, modality=modality, legal_route=legal_route, started_on=started_on,
            worker=worker, planned_end_on=planned_end_on, ibm_unit=ibm_unit,
            recovery_agent=recovery_agent, referred_to=referred_to,
            referral_accepted_on=referral_accepted_on, court_decision_no=court_decision_no,
            court_decision_date=court_decision_date, tat_assessed_on=tat_assessed_on,
        )
    )  # fmt: skip
    if modality != Modality.COMMUNITY:
        ibm_unit = recovery_agent = None
    referred_to = " ".join(referred_to.split())
    if modality != Modality.REFERRAL:
        referred_to, referral_accepted_on = "", None
    court_decision_no = court_decision_no.strip()
    if legal_route != Episode.LegalRoute.COURT:
        court_decision_no, court_decision_date = "", None
    if previous is not None:
        previous = Episode.objects.select_for_update().get(pk=previous.pk)
        if previous.client_id != client.pk:
            raise ApplicationError(_("The previous episode is another client's."),
                                   field="previous")  # fmt: skip
        if previous.is_open:
            raise ApplicationError(_("The previous episode has not ended yet."),
                                   field="previous")  # fmt: skip
        if Episode.objects.filter(previous=previous).exists():
            raise ApplicationError(_("The previous episode is already followed by another."),
                                   field="previous")  # fmt: skip
        if started_on < previous.ended_on:
            raise ApplicationError(_("A new episode cannot start before the previous ended."),
                                   field="started_on")  # fmt: skip
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                reference=_new_reference("RHB"), client=client, case=case, provider=provider,
                modality=modality, ibm_unit=ibm_unit, recovery_agent=recovery_agent,
                referred_to=referred_to, referral_accepted_on=referral_accepted_on,
                legal_route=legal_route, court_decision_no=court_decision_no,
                court_decision_date=court_decision_date, tat_assessed_on=tat_assessed_on,
                tat_recommendation=tat_recommendation.strip(), started_on=started_on,
                planned_end_on=planned_end_on, worker=worker, previous=previous, created_by=by,
            )  # fmt: skip
    except IntegrityError as exc:
        if "episode_one_open_per_client_and_provider" in str(exc):
            raise ApplicationError(
                _("This client already has an open episode with %(org)s.") % {"org": provider},
                code="conflict",
            ) from exc
        raise
    audit_record(actor=by, action=Action.CREATE, obj=episode, request=request,
                 summary=f"episode {episode.modality}")  # fmt: skip
    said = [
        texts.msg(gettext_noop("%(ref)s: %(modality)s at %(provider)s from %(date)s"),
                  ref=episode.reference, modality=Modality(episode.modality),
                  provider=provider.name, date=f"{started_on:%d-%m-%Y}")
    ]  # fmt: skip
    if previous is not None:
        said.append(texts.msg(gettext_noop("after relapse, follows %(ref)s"),
                              ref=previous.reference))  # fmt: skip
    _timeline(episode, by, CaseEvent.Verb.EPISODE_OPENED, texts.joined(said, " · "))
    return episode


def _lock(episode: Episode, by: User) -> Episode:
    episode = (
        Episode.objects.select_for_update(of=("self",)).select_related("case").get(pk=episode.pk)
    )
    if not policy.can_manage_episode(by, episode):
        raise PermissionDenied
    return episode


@transaction.atomic
def episode_phase_start(
    *, episode: Episode, by: User, phase: str, started_on: datetime.date, request=None
) -> EpisodePhase:
    """Move an open inpatient episode into its next phase (detoxification, entry, primary
    programme, re-entry, in that order; a phase may be skipped, never gone back to). The
    phase before ends the day the new one starts."""
    episode = _lock(episode, by)
    if episode.modality != Modality.INPATIENT:
        raise ApplicationError(_("Only inpatient episodes have phases."), field="phase")
    if not episode.is_open:
        raise ApplicationError(_("This episode has ended."), code="conflict")
    consent_require(client=episode.client, purpose=Consent.Purpose.REHABILITATION)
    if phase not in EpisodePhase.Phase.values:
        raise ApplicationError(_("Choose a phase."), field="phase")
    _check_date(started_on, "started_on", not_before=episode.started_on,
                label_before=_("A phase cannot start before the episode."))  # fmt: skip
    phases = list(episode.phases.all())
    if phases:
        last = max(phases, key=lambda p: PHASE_ORDER.index(p.phase))
        if PHASE_ORDER.index(phase) <= PHASE_ORDER.index(last.phase):
            raise ApplicationError(
                _("After %(phase)s only a later phase can follow.")
                % {"phase": last.get_phase_display()},
                field="phase",
            )
        if started_on < last.started_on:
            raise ApplicationError(_("A phase cannot start before the phase before it."),
                                   field="started_on")  # fmt: skip
        if last.ended_on is None:
            last.ended_on = started_on
            last.save(update_fields=["ended_on"])
    new = EpisodePhase.objects.create(episode=episode, phase=phase, started_on=started_on)
    audit_record(actor=by, action=Action.UPDATE, obj=episode, request=request,
                 summary=f"phase {phase}")  # fmt: skip
    _timeline(
        episode,
        by,
        CaseEvent.Verb.EPISODE_PHASE,
        _dated(episode, EpisodePhase.Phase(phase), started_on),
    )
    return new


def _substances(values: Iterable[str], field: str) -> list[str]:
    values = list(dict.fromkeys(values))
    unknown = [v for v in values if v not in Substance.values]
    if unknown:
        raise ApplicationError(_("Unknown substance: %(code)s") % {"code": unknown[0]},
                               field=field)  # fmt: skip
    return values


@transaction.atomic
def session_record(
    *,
    episode: Episode,
    by: User,
    date: datetime.date,
    kind: str,
    attendance: str = Session.Attendance.PRESENT,
    urine_result: str = "",
    substances_found: Iterable[str] = (),
    notes: str = "",
    request=None,
) -> Session:
    """Record one session of an episode, within the episode's dates. A urine test the client
    attended needs its result; substances are named only for a positive one."""
    episode = _lock(episode, by)
    consent_require(client=episode.client, purpose=Consent.Purpose.REHABILITATION)
    if kind not in Session.Kind.values:
        raise ApplicationError(_("Choose the kind of session."), field="kind")
    if attendance not in Session.Attendance.values:
        raise ApplicationError(_("Choose the attendance."), field="attendance")
    _check_date(date, "date", not_before=episode.started_on,
                label_before=_("The session lies before the episode started."))  # fmt: skip
    if episode.ended_on is not None and date > episode.ended_on:
        raise ApplicationError(_("The session lies after the episode ended."), field="date")
    tested = kind == Session.Kind.URINE_TEST and attendance == Session.Attendance.PRESENT
    if tested and urine_result not in Session.UrineResult.values:
        raise ApplicationError(_("Give the result of the urine test."), field="urine_result")
    if not tested:
        urine_result = ""
    substances = _substances(substances_found, "substances_found")
    if urine_result != Session.UrineResult.POSITIVE:
        substances = []
    session = Session.objects.create(
        episode=episode, date=date, kind=kind, attendance=attendance, urine_result=urine_result,
        substances_found=substances, notes=notes.strip(), worker=by,
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=session, request=request,
                 summary=f"session {kind} {attendance}")  # fmt: skip
    return session


@transaction.atomic
def episode_end(
    *,
    episode: Episode,
    by: User,
    ended_on: datetime.date,
    outcome: str,
    note: str = "",
    relapse_modality: str = "",
    relapse_started_on: datetime.date | None = None,
    request=None,
) -> Episode:
    """End an open episode with its outcome.

    Completed and dropped-out episodes get their aftercare follow-ups (1, 3 and 6 months
    after the end). A relapse opens the next episode at the same provider — with
    `relapse_modality` (default: the same) from `relapse_started_on` (default: the end) —
    linked to this one; it is returned as `episode.next`."""
    episode = _lock(episode, by)
    if not episode.is_open:
        raise ApplicationError(_("This episode has already ended."), code="conflict")
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose the outcome."), field="outcome")
    _check_date(ended_on, "ended_on", not_before=episode.started_on,
                label_before=_("An episode cannot end before it started."))  # fmt: skip
    last_session = episode.sessions.order_by("-date").values_list("date", flat=True).first()
    if last_session is not None and ended_on < last_session:
        raise ApplicationError(
            _("A session was recorded on %(date)s, after this end date.")
            % {"date": f"{last_session:%d-%m-%Y}"},
            field="ended_on",
        )
    note = note.strip()
    if outcome == Outcome.REFERRED_ON and not note:
        raise ApplicationError(_("Say where the client was referred on to."), field="note")
    episode.phases.filter(ended_on__isnull=True).update(ended_on=ended_on)
    episode.ended_on = ended_on
    episode.outcome = outcome
    episode.outcome_note = note
    episode.save(update_fields=["ended_on", "outcome", "outcome_note", "updated_at"])
    audit_record(actor=by, action=Action.UPDATE, obj=episode, request=request,
                 summary=f"episode ended {outcome}")  # fmt: skip
    _timeline(
        episode, by, CaseEvent.Verb.EPISODE_ENDED, _dated(episode, Outcome(outcome), ended_on)
    )
    if outcome in FOLLOWED_UP_OUTCOMES:
        follow_ups_schedule(episode=episode)
    if outcome == Outcome.RELAPSED:
        modality = relapse_modality or episode.modality
        if modality != episode.modality and modality in (Modality.COMMUNITY, Modality.REFERRAL):
            raise ApplicationError(
                _(
                    "A community-based episode or a referral onward after a relapse is started "
                    "from the new-episode form: it needs its unit or destination."
                ),
                field="relapse_modality",
            )
        episode_start(
            by=by, case=episode.case, provider=episode.provider,
            modality=modality, legal_route=episode.legal_route,
            started_on=relapse_started_on or ended_on,
            worker=episode.worker if episode.worker.is_active else by,
            ibm_unit=episode.ibm_unit, recovery_agent=episode.recovery_agent,
            referred_to=episode.referred_to, court_decision_no=episode.court_decision_no,
            court_decision_date=episode.court_decision_date, previous=episode,
            request=request,
        )  # fmt: skip
    return episode


def follow_ups_schedule(*, episode: Episode) -> list[AftercareFollowUp]:
    """The follow-ups at 1, 3 and 6 months after the end, each counted from the end; safe to
    run twice."""
    rows = [
        AftercareFollowUp(episode=episode, months=months, due_on=due)
        for months, due in zip(aftercare.FOLLOW_UP_MONTHS,
                               aftercare.follow_up_dates(episode.ended_on), strict=True)
    ]  # fmt: skip
    return AftercareFollowUp.objects.bulk_create(
        rows, ignore_conflicts=True, unique_fields=["episode", "months"]
    )


@transaction.atomic
def follow_up_record(
    *,
    follow_up: AftercareFollowUp,
    by: User,
    contacted_on: datetime.date,
    reached: bool = True,
    used_since: bool | None = None,
    substances: Iterable[str] = (),
    urine_test: str = "",
    activity: str = "",
    relapse: bool | None = None,
    note: str = "",
    request=None,
) -> AftercareFollowUp:
    """Record a due follow-up once: what the client says and shows, or that they were not
    reached. A relapse is recorded here and a new episode started from the page."""
    follow_up = (
        AftercareFollowUp.objects.select_for_update(of=("self",))
        .select_related("episode__case")
        .get(pk=follow_up.pk)
    )
    episode = follow_up.episode
    if not policy.can_manage_episode(by, episode):
        raise PermissionDenied
    if follow_up.status != AftercareFollowUp.Status.DUE:
        raise ApplicationError(_("This follow-up has already been recorded."), code="conflict")
    consent_require(client=episode.client, purpose=Consent.Purpose.CONTACT)
    _check_date(contacted_on, "contacted_on", not_before=episode.ended_on,
                label_before=_("A follow-up cannot be before the episode ended."))  # fmt: skip
    note = note.strip()
    if reached:
        if used_since is None:
            raise ApplicationError(_("Say whether the client used since the last contact."),
                                   field="used_since")  # fmt: skip
        if urine_test and urine_test not in AftercareFollowUp.UrineTest.values:
            raise ApplicationError(_("Choose the urine test result."), field="urine_test")
        if activity not in AftercareFollowUp.Activity.values:
            raise ApplicationError(_("Say whether the client works or is in school."),
                                   field="activity")  # fmt: skip
        if relapse is None:
            raise ApplicationError(_("Say whether the client relapsed."), field="relapse")
        if relapse and not used_since:
            # Seen: "did not use since the last contact" and "relapsed" recorded together.
            raise ApplicationError(
                _("A relapse is a return to use: say above that the client used since the "
                  "last contact, or that there was no relapse."),
                field="relapse",
            )  # fmt: skip
        follow_up.status = AftercareFollowUp.Status.REACHED
        follow_up.used_since = used_since
        follow_up.substances = _substances(substances, "substances") if used_since else []
        follow_up.urine_test = urine_test or AftercareFollowUp.UrineTest.NOT_TESTED
        follow_up.activity = activity
        follow_up.relapse = relapse
    else:
        follow_up.status = AftercareFollowUp.Status.NOT_REACHED
    follow_up.contacted_on = contacted_on
    follow_up.note = note
    follow_up.recorded_by = by
    follow_up.recorded_at = timezone.now()
    follow_up.save()
    audit_record(actor=by, action=Action.UPDATE, obj=follow_up, request=request,
                 summary=f"aftercare {follow_up.months}m {follow_up.status}")  # fmt: skip
    _timeline(episode, by, CaseEvent.Verb.AFTERCARE, _follow_up_text(follow_up))
    return follow_up


def _dated(episode: Episode, what, day: datetime.date) -> texts.Stored:
    """The reference, a phase or an outcome, and its date."""
    return texts.joined([f"{episode.reference}:", what, f"{day:%d-%m-%Y}"], " ")


def _follow_up_text(follow_up: AftercareFollowUp) -> texts.Stored:
    if follow_up.months == 1:
        said = gettext_noop("%(ref)s: follow-up after %(months)d month")
    else:
        said = gettext_noop("%(ref)s: follow-up after %(months)d months")
    head = texts.msg(said, ref=follow_up.episode.reference, months=follow_up.months)
    if follow_up.status == AftercareFollowUp.Status.NOT_REACHED:
        parts = [texts.msg(gettext_noop("not reached"))]
    else:
        used = gettext_noop("used since the last contact") if follow_up.used_since else None
        parts = [
            texts.msg(used or gettext_noop("no use")),
            AftercareFollowUp.Activity(follow_up.activity),
        ]
        urine = AftercareFollowUp.UrineTest
        if follow_up.urine_test and follow_up.urine_test != urine.NOT_TESTED:
            result = urine(follow_up.urine_test)
            parts.append(texts.msg(gettext_noop("urine test %(result)s"), result=result))
        if follow_up.relapse:
            parts.append(texts.msg(gettext_noop("relapse")))
    return texts.joined([head, texts.joined(parts, "; ")], ": ")
