"""Every write on social assessments (asesmen) and the intervention plan.

Each function is one business action in one transaction: it checks its precondition first,
raises ApplicationError with a message for the user, and leaves an audit event and, where
the caseworker would want to read it later, an entry on the case timeline.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError, refuse_first
from cases.models import CLOSED_STAGES, Case, CaseEvent, Consent, Stage
from cases.services import case_transition, consent_require

from ..models import Assessment, AssessmentDomain, PlanItem
from ..models.assessment import Component, Modality
from ..selectors.assessment import latest_assessment

Action = AuditEvent.Action
Domain = AssessmentDomain.Domain

ASSESSMENT_FIELDS = (
    "assessed_on", "strengths", "family_support", "family_notes", "economic_situation",
    "housing", "spirituality", "has_business", "business_kind", "business_since",
    "business_monthly_income", "recommended_components", "recommended_modality", "summary",
)  # fmt: skip
BUSINESS_FIELDS = ("business_kind", "business_since", "business_monthly_income")
RATINGS = ("troubled", "help_needed")

# The stages in which a case has (or is making) an intervention plan.
PLAN_STAGES = (
    Stage.PLANNING, Stage.INTERVENTION, Stage.REINTEGRATION, Stage.TERMINATION, Stage.AFTERCARE,
)  # fmt: skip


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _is_supervisor(user: User) -> bool:
    return policy.has_role(user, {User.Role.SUPERVISOR})


# The rules below, as questions a page asks to decide which buttons to show.


def may_change(user: User, assessment: Assessment) -> bool:
    return (
        assessment.status == Assessment.Status.DRAFT
        and policy.can_write_case(user, assessment.case)
        and (assessment.assessor_id == user.pk or _is_supervisor(user))
    )


def may_complete(user: User, assessment: Assessment) -> bool:
    return (
        assessment.status == Assessment.Status.DRAFT
        and policy.can_write_case(user, assessment.case)
        and assessment.assessor_id == user.pk
    )


def may_approve(user: User, assessment: Assessment) -> bool:
    return (
        assessment.status == Assessment.Status.COMPLETED
        and _is_supervisor(user)
        and policy.can_write_case(user, assessment.case)
        and assessment.assessor_id != user.pk
    )


def _lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=assessment.pk)
    )


def _check_assessed_on(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ApplicationError(
            _("The date of the assessment lies in the future."), field="assessed_on"
        )


def _timeline(case: Case, by: User, verb: str, message: str, **params) -> None:
    """One event on the case, its message (marked with gettext_noop) read in the reader's
    language."""
    CaseEvent.objects.create(case=case, verb=verb, actor=by, message=texts.msg(message, **params))


# --- the assessment --------------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *, case: Case, by: User, assessed_on: datetime.date, request=None
) -> Assessment:
    """Start a draft assessment of an open case, assessed by `by`; one draft per case at a time."""
    _require(policy.can_write_case(by, case))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ApplicationError(_("A closed case cannot be assessed."), code="conflict")
    _check_assessed_on(assessed_on)
    consent_require(client=case.client, purpose=Consent.Purpose.ASSESSMENT)
    if case.assessments.filter(status=Assessment.Status.DRAFT).exists():
        raise ApplicationError(
            _("This case already has an assessment in draft; continue that one."),
            code="conflict",
        )
    assessment = Assessment.objects.create(case=case, assessor=by, assessed_on=assessed_on)
    _timeline(
        case, by, CaseEvent.Verb.ASSESSMENT,
        gettext_noop("Assessment started (draft), dated %(date)s."), date=f"{assessed_on:%d-%m-%Y}",
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=assessment, request=request,
                 summary=f"case {case.pk}")  # fmt: skip
    return assessment


def _check_rating(domain: str, name: str, value) -> int:
    labels = {
        "troubled": _("how troubled"),
        "help_needed": _("how much help is needed"),
    }
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ApplicationError(
            _("%(domain)s: the rating of %(rating)s must be a whole number from 0 to 4.")
            % {"domain": Domain(domain).label, "rating": labels[name]},
            field=f"domains.{domain}.{name}",
        )
    return value


def both_ratings(domain: str) -> str:
    """What a domain with one rating of its two lacks."""
    return _("%(domain)s: give both ratings (0–4) to save this domain.") % {
        "domain": Domain(domain).label
    }


def _update_domains(assessment: Assessment, domains: dict) -> list[str]:
    """Merge the given domains into the stored ones; return the names of those changed.

    A domain is stored once both its ratings are given (the ratings are required columns);
    clearing its notes and both ratings removes it again.
    """
    unknown = set(domains) - set(Domain.values)
    if unknown:
        raise ApplicationError(
            _("Unknown assessment domain: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            field="domains",
        )
    stored = {d.domain: d for d in assessment.domains.all()}
    changed = []
    for name in Domain.values:  # in the instrument's order, so the first error is the first domain
        if name not in domains:
            continue
        given = domains[name] or {}
        extra = set(given) - {"notes", *RATINGS}
        if extra:
            raise TypeError(f"unknown domain fields: {sorted(extra)}")
        row = stored.get(name)
        current = {
            "notes": row.notes if row else "",
            "troubled": row.troubled if row else None,
            "help_needed": row.help_needed if row else None,
        }
        new = current | given
        new["notes"] = (new["notes"] or "").strip()
        if new == current:
            continue
        if new["troubled"] is None and new["help_needed"] is None and not new["notes"]:
            if row is not None:
                row.delete()
                changed.append(name)
            continue
        for rating in RATINGS:
            if new[rating] is None:
                raise ApplicationError(both_ratings(name), field=f"domains.{name}.{rating}")
            _check_rating(name, rating, new[rating])
        AssessmentDomain.objects.update_or_create(assessment=assessment, domain=name, defaults=new)
        changed.append(name)
    return changed


def business_problems(values: dict) -> list[tuple[str, str]]:
    """What is wrong with the small business of an assessment's ``values``, every field at
    once (the form shows them all in one round): (field, message), at most one per field."""
    if not values["has_business"]:
        return []
    problems = []
    if not (values["business_kind"] or "").strip():
        problems.append(("business_kind", _("Say what kind of business the client runs.")))
    since = values["business_since"]
    if since is None:
        problems.append(("business_since", _("Say since when the business has been running.")))
    elif since > timezone.localdate():
        problems.append(("business_since", _("The business start date lies in the future.")))
    income = values["business_monthly_income"]
    if income is None:
        problems.append((
            "business_monthly_income",
            _("Give the business's monthly income in rupiah (0 if none yet)."),
        ))  # fmt: skip
    elif isinstance(income, bool) or not isinstance(income, int) or income < 0:
        problems.append((
            "business_monthly_income",
            _("The monthly income must be a whole number of rupiah, 0 or more."),
        ))  # fmt: skip
    return problems


def _check_business(values: dict) -> None:
    refuse_first(business_problems(values))


def _clean_fields(assessment: Assessment, fields: dict) -> dict:
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    if "assessed_on" in fields:
        _check_assessed_on(fields["assessed_on"])
    if "recommended_components" in fields:
        components = list(dict.fromkeys(fields["recommended_components"] or []))
        wrong = [c for c in components if c not in Component.values]
        if wrong:
            raise ApplicationError(
                _("Unknown ATENSI component: %(names)s.") % {"names": ", ".join(map(str, wrong))},
                field="recommended_components",
            )
        fields["recommended_components"] = components
    modality = fields.get("recommended_modality")
    if modality and modality not in Modality.values:
        raise ApplicationError(_("Unknown rehabilitation modality."),
                               field="recommended_modality")  # fmt: skip
    family_support = fields.get("family_support")
    if family_support and family_support not in Assessment.FamilySupport.values:
        raise ApplicationError(_("Unknown level of family support."), field="family_support")
    for name in ("business_kind", "strengths", "family_notes", "economic_situation", "housing",
                 "spirituality", "summary"):  # fmt: skip
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    merged = {name: fields.get(name, getattr(assessment, name)) for name in ASSESSMENT_FIELDS}
    if not merged["has_business"]:
        # No business: nothing stale stays behind to mislead the eligibility screening.
        fields.update(business_kind="", business_since=None, business_monthly_income=None)
        merged.update(business_kind="", business_since=None, business_monthly_income=None)
    _check_business(merged)
    return fields


@transaction.atomic
def assessment_update(
    *, assessment: Assessment, by: User, domains: dict | None = None, request=None, **fields
) -> Assessment:
    """Change a draft: the social-rehabilitation fields and any of the six ASI domains.

    `domains` maps a domain name to {"notes", "troubled", "help_needed"}; only the domains
    and fields given change. Only the assessor or a supervisor may change a draft.
    """
    _require(policy.can_write_case(by, assessment.case))
    assessment = _lock(assessment)
    if assessment.status != Assessment.Status.DRAFT:
        raise ApplicationError(
            _("Only a draft assessment can be changed; this one is %(status)s.")
            % {"status": assessment.get_status_display().lower()},
            code="conflict",
        )
    if assessment.assessor_id != by.pk and not _is_supervisor(by):
        raise ApplicationError(_("Only the assessor or a supervisor can change this assessment."))
    fields = _clean_fields(assessment, dict(fields))
    changed = [name for name, value in fields.items() if getattr(assessment, name) != value]
    changed_domains = _update_domains(assessment, domains or {})
    for name in changed:
        setattr(assessment, name, fields[name])
    if changed or changed_domains:
        assessment.save(update_fields=[*changed, "updated_at"])
        summary = ", ".join([*sorted(changed), *(f"domain {d}" for d in changed_domains)])
        audit_record(actor=by, action=Action.UPDATE, obj=assessment, request=request,
                     summary="fields: " + summary)  # fmt: skip
    return assessment


def _unrated(assessment: Assessment) -> list[str]:
    # Today a stored domain always has both ratings; the None test keeps this right if the
    # ratings become nullable so that a draft can hold notes before its ratings.
    rated = {
        d.domain
        for d in assessment.domains.all()
        if d.troubled is not None and d.help_needed is not None
    }
    return [Domain(name).label for name in Domain.values if name not in rated]


def _move_case_to_assessment(case: Case, by: User, request) -> Case:
    """A case still in intake moves to assessment, where its assessment was carried out."""
    if case.stage == Stage.INTAKE:
        case = case_transition(
            case=case, by=by, to_stage=Stage.ASSESSMENT, request=request,
            reason=_("Social assessment carried out."),
        )  # fmt: skip
    return case


def _move_case_to_planning(case: Case, by: User, request) -> None:
    """Walk the case forward to planning; a case already past assessment keeps its stage."""
    case = _move_case_to_assessment(case, by, request)
    if case.stage == Stage.ASSESSMENT:
        case_transition(
            case=case, by=by, to_stage=Stage.PLANNING, request=request,
            reason=_("Social assessment completed: plan the intervention."),
        )  # fmt: skip


@transaction.atomic
def assessment_complete(*, assessment: Assessment, by: User, request=None) -> Assessment:
    """The assessor completes the draft: every domain rated, at least one ATENSI component
    and a modality recommended. The case moves on to planning."""
    _require(policy.can_write_case(by, assessment.case))
    assessment = _lock(assessment)
    if assessment.status != Assessment.Status.DRAFT:
        raise ApplicationError(_("This assessment has already been completed."), code="conflict")
    if assessment.assessor_id != by.pk:
        raise ApplicationError(_("Only the assessor can complete this assessment."))
    case = Case.objects.select_for_update().get(pk=assessment.case_id)
    if not case.is_open:
        raise ApplicationError(
            _("The case is closed; the assessment can no longer be completed."), code="conflict"
        )
    gaps = []  # every gap at once, not one per attempt: (field, message)
    missing = _unrated(assessment)
    if missing:
        gaps.append(("domains", _("Rate every domain before completing; not yet rated: "
                                  "%(domains)s.")
                     % {"domains": ", ".join(str(label) for label in missing)}))  # fmt: skip
    if not assessment.recommended_components:
        gaps.append(("recommended_components", _("Recommend at least one ATENSI component.")))
    if not assessment.recommended_modality:
        gaps.append(("recommended_modality", _("Recommend a rehabilitation modality.")))
    if gaps:
        raise ApplicationError(
            " ".join(message for _field, message in gaps),
            field=gaps[0][0],  # the first to mend
        )
    _check_business({name: getattr(assessment, name) for name in ASSESSMENT_FIELDS})
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["status", "completed_at", "updated_at"])
    modality = assessment.recommended_modality
    # The timeline in the order things happened: into assessment, completed, into planning.
    case = _move_case_to_assessment(case, by, request)
    _timeline(
        case, by, CaseEvent.Verb.ASSESSMENT,
        gettext_noop("Assessment completed. Recommended: %(components)s; modality: %(modality)s."),
        components=texts.joined((Component(c) for c in assessment.recommended_components), "; "),
        modality=Modality(modality) if modality else "",
    )  # fmt: skip
    audit_record(actor=by, action=Action.UPDATE, obj=assessment, request=request,
                 summary="completed")  # fmt: skip
    _move_case_to_planning(case, by, request)
    return assessment


@transaction.atomic
def assessment_approve(*, assessment: Assessment, by: User, request=None) -> Assessment:
    """A supervisor approves a completed assessment, never one they made themselves."""
    _require(_is_supervisor(by) and policy.can_write_case(by, assessment.case))
    assessment = _lock(assessment)
    if assessment.assessor_id == by.pk:
        raise ApplicationError(_("You cannot approve an assessment you made yourself."))
    if assessment.status != Assessment.Status.COMPLETED:
        message = (
            _("Only a completed assessment can be approved.")
            if assessment.status == Assessment.Status.DRAFT
            else _("This assessment has already been approved.")
        )
        raise ApplicationError(message, code="conflict")
    assessment.status = Assessment.Status.APPROVED
    assessment.approved_by = by
    assessment.approved_at = timezone.now()
    assessment.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _timeline(assessment.case, by, CaseEvent.Verb.ASSESSMENT, gettext_noop("Assessment approved."))
    audit_record(actor=by, action=Action.UPDATE, obj=assessment, request=request,
                 summary="approved")  # fmt: skip
    return assessment


# --- the intervention plan -------------------------------------------------------------


@transaction.atomic
def plan_item_add(
    *,
    case: Case,
    by: User,
    component: str,
    goal: str,
    responsible: str,
    target_date: datetime.date,
    request=None,
) -> PlanItem:
    """Add a line to the plan of an open case in planning or later, tied to its latest
    completed assessment."""
    _require(policy.can_write_case(by, case))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage in CLOSED_STAGES:
        raise ApplicationError(_("The plan of a closed case cannot be changed."), code="conflict")
    if case.stage not in PLAN_STAGES:
        raise ApplicationError(
            _("Complete the social assessment first: the plan is made in the planning stage."),
            code="conflict",
        )
    if component not in Component.values:
        raise ApplicationError(_("Unknown ATENSI component."), field="component")
    if not goal.strip():
        raise ApplicationError(_("Describe the goal."), field="goal")
    if not responsible.strip():
        raise ApplicationError(_("Say who is responsible."), field="responsible")
    if target_date < timezone.localdate():
        raise ApplicationError(_("The target date lies in the past."), field="target_date")
    item = PlanItem.objects.create(
        case=case, assessment=latest_assessment(case=case), component=component, goal=goal.strip(),
        responsible=responsible.strip(), target_date=target_date, created_by=by,
    )  # fmt: skip
    _timeline(
        case, by, CaseEvent.Verb.PLAN,
        gettext_noop("Added: %(component)s — %(goal)s (%(responsible)s, by %(date)s)."),
        component=Component(item.component), goal=item.goal, responsible=item.responsible,
        date=f"{target_date:%d-%m-%Y}",
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=item, request=request,
                 summary=f"case {case.pk}")  # fmt: skip
    return item


@transaction.atomic
def plan_item_remove(*, item: PlanItem, by: User, request=None) -> None:
    """Remove a line from the plan of an open case; the timeline keeps what it said."""
    _require(policy.can_write_case(by, item.case))
    case = Case.objects.select_for_update().get(pk=item.case_id)
    if case.stage in CLOSED_STAGES:
        raise ApplicationError(_("The plan of a closed case cannot be changed."), code="conflict")
    item = PlanItem.objects.filter(pk=item.pk, case=case).first()
    if item is None:
        raise ApplicationError(_("This plan item has already been removed."), code="conflict")
    pk = item.pk
    _timeline(
        case, by, CaseEvent.Verb.PLAN,
        gettext_noop("Removed: %(component)s — %(goal)s."),
        component=Component(item.component), goal=item.goal,
    )  # fmt: skip
    item.delete()
    # The audit trail has no "delete" action yet: record the change on the case.
    audit_record(actor=by, action=Action.UPDATE, obj=case, request=request,
                 summary=f"plan item {pk} removed")  # fmt: skip
