"""Recording a WHO ASSIST screening: validate and score the answers, keep them, tell the case."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments import assist
from assessments.models import Screening, ScreeningSubstance
from atensi import texts
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases.models import CLOSED_STAGES, Case, CaseEvent, Client, Consent
from cases.services import consent_require

Action = AuditEvent.Action


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def screening_summary(result: assist.AssistResult) -> texts.Stored:
    """One line for the case timeline: the substance that steers the pathway, and the pathway."""
    recommendation = Screening.Recommendation(result.recommendation)
    top = result.highest
    if top is None:
        return texts.msg(
            gettext_noop("No substance ever used. Recommendation: %(recommendation)s."),
            recommendation=recommendation,
        )
    return texts.msg(
        gettext_noop(
            "Highest risk: %(substance)s (%(risk)s, score %(score)s of %(max)s). "
            "Recommendation: %(recommendation)s."
        ),
        substance=texts.msg(assist.BY_CODE[top.substance].name),
        risk=ScreeningSubstance.Risk(top.risk),
        score=top.score,
        max=top.max_score,
        recommendation=recommendation,
    )


@transaction.atomic
def screening_record(
    *,
    client: Client,
    by: User,
    screened_on: datetime.date,
    answers: dict,
    injection: str,
    case: Case | None = None,
    notes: str = "",
    request=None,
) -> Screening:
    """Record one ASSIST interview with its scores per substance and the recommended pathway.

    Within a case, only its holding organisation screens. Refuses a case of another client,
    a closed case, a future date and any answer set that breaks the instrument (naming
    substance and question). Leaves an audit event and, on
    the case (or, without one, on each of the client's open cases), a timeline event.
    """
    _require(policy.can_write_client(by, client))
    consent_require(client=client, purpose=Consent.Purpose.ASSESSMENT)
    if case is not None:
        _require(policy.can_write_case(by, case))
        if case.client_id != client.pk:
            raise ApplicationError(_("The case belongs to another client."), field="case")
        if not case.is_open:
            raise ApplicationError(
                _("A screening cannot be added to a closed case."), field="case", code="conflict"
            )
    if screened_on > timezone.localdate():
        raise ApplicationError(_("The screening date lies in the future."), field="screened_on")
    if screened_on < client.birth_date:
        raise ApplicationError(
            _("The screening date is before the client's date of birth."), field="screened_on"
        )
    try:
        result = assist.score(answers, injection)
    except assist.AssistError as exc:
        problems = [problem.render(_) for problem in exc.problems]
        field = "injection" if all(p.question == "q8" for p in exc.problems) else "answers"
        raise ApplicationError(" ".join(problems), field=field) from exc

    screening = Screening.objects.create(
        client=client,
        case=case,
        screened_on=screened_on,
        screened_by=by,
        answers=result.answers,
        injection=injection,
        recommendation=result.recommendation,
        notes=notes.strip(),
    )
    ScreeningSubstance.objects.bulk_create(
        ScreeningSubstance(screening=screening, substance=r.substance, score=r.score, risk=r.risk)
        for r in result.substances
    )
    audit_record(actor=by, action=Action.CREATE, obj=screening, request=request,
                 summary=f"client {client.pk}")  # fmt: skip
    cases = [case] if case is not None else client.cases.exclude(stage__in=CLOSED_STAGES)
    said = screening_summary(result)
    for each in cases:
        CaseEvent.objects.create(case=each, verb=CaseEvent.Verb.SCREENING, actor=by, message=said)
    return screening
