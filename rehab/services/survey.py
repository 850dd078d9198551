"""Writes of the satisfaction survey: setting up a unit, and recording a response (online,
without login, or typed in from a paper questionnaire by the unit's staff).

A response is anonymous: it is not audited (an audit event would store the address) and
carries no trace of who sent it; a unit's changes are audited like other reference data.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from rehab import ikm
from rehab.models.survey import SurveyResponse, SurveyUnit
from rehab.selectors.survey import can_manage_unit, can_manage_units

PROFILE = ("sex", "age_group", "education", "occupation")


def _check_unit_fields(*, by: User, name: str, region: Region, target: Decimal | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the unit a name."), field="name")
    if not policy.in_area(by, region.code):
        raise ApplicationError(
            _("The area served must lie inside your organisation's area."), field="region"
        )
    if target is not None and not Decimal(1) <= target <= Decimal(4):
        raise ApplicationError(_("The target index lies between 1 and 4."), field="target")
    return name


def _save_unit(unit: SurveyUnit) -> None:
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("Your organisation already has a survey unit of this name."), field="name",
            code="conflict",
        ) from exc  # fmt: skip


@transaction.atomic
def survey_unit_create(
    *, by: User, name: str, region: Region, target: Decimal | None = None, request=None
) -> SurveyUnit:
    """A new survey unit of the user's organisation, open for responses."""
    if not can_manage_units(by):
        raise Http404
    name = _check_unit_fields(by=by, name=name, region=region, target=target)
    unit = SurveyUnit(
        name=name, organisation=by.organisation, region=region, target=target, created_by=by
    )
    _save_unit(unit)
    audit_record(actor=by, action=AuditEvent.Action.CREATE, obj=unit, request=request,
                 summary="survey unit")  # fmt: skip
    return unit


@transaction.atomic
def survey_unit_update(
    *, unit: SurveyUnit, by: User, name: str, region: Region, target: Decimal | None,
    is_active: bool, request=None,
) -> SurveyUnit:  # fmt: skip
    """Change a unit's name, area, target, or close it (its link then answers 404)."""
    if not can_manage_unit(by, unit):
        raise Http404
    unit.name = _check_unit_fields(by=by, name=name, region=region, target=target)
    unit.region, unit.target, unit.is_active = region, target, is_active
    _save_unit(unit)
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=unit, request=request,
                 summary="survey unit")  # fmt: skip
    return unit


@transaction.atomic
def survey_response_submit(
    *, unit: SurveyUnit, ratings: dict[str, int], sex: str, age_group: str, education: str,
    occupation: str, suggestion: str = "", by: User | None = None,
    submitted_at: datetime.datetime | None = None,
) -> SurveyResponse:  # fmt: skip
    """Record one respondent's answers: all nine ratings (1–4) and the profile. With `by`,
    staff of the unit's organisation typed it in from paper; `submitted_at` dates it back
    (paper, the demo), never forward."""
    if by is not None and not can_manage_unit(by, unit):
        raise Http404
    if not unit.is_active and by is None:
        raise ApplicationError(_("This survey is closed."), code="conflict")
    missing = [code for code in ikm.CODES if ratings.get(code) is None]
    if missing:
        raise ApplicationError(
            _("Answer every question (%(codes)s).") % {"codes": ", ".join(missing)}
        )
    try:
        ikm.check([ratings])
    except ikm.IkmError as exc:
        raise ApplicationError(_("Every answer is a rating from 1 to 4.")) from exc
    profile = {"sex": sex, "age_group": age_group, "education": education,
               "occupation": occupation}  # fmt: skip
    for field, value in profile.items():
        if value not in {v for v, _label in SurveyResponse._meta.get_field(field).choices}:
            raise ApplicationError(_("Choose one of the answers given."), field=field)
    if submitted_at is None:
        submitted_at = timezone.now()
    elif submitted_at > timezone.now():
        raise ApplicationError(_("A questionnaire cannot be dated in the future."),
                               field="submitted_at")  # fmt: skip
    return SurveyResponse.objects.create(
        unit=unit, submitted_at=submitted_at, entered_by=by,
        suggestion=(suggestion or "").strip()[:1000],
        **{code.lower(): ratings[code] for code in ikm.CODES}, **profile,
    )  # fmt: skip


def suggestions_clear(ids, by: User | None = None) -> int:
    """Clear the suggestions of these answers (retention); the ratings stay for the index."""
    with transaction.atomic():
        cleared = (
            SurveyResponse.objects.filter(pk__in=ids).exclude(suggestion="").update(suggestion="")
        )
        summary = f"retention: {cleared} suggestions cleared"
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, object_type="surveyresponse",
                     channel="command", summary=summary)  # fmt: skip
    return cleared
