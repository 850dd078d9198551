"""Writes on IBM units and their recovery agents, by the organisation that set the unit up.

Each function checks the user may write first, runs in one transaction and leaves an audit
event behind.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from rehab.models.episodes import IbmUnit, RecoveryAgent
from rehab.selectors.ibm import can_create_units, can_write_unit

Action = AuditEvent.Action

UNIT_FIELDS = ("name", "village", "established_on", "is_active")
AGENT_FIELDS = ("full_name", "phone", "trained_on", "is_active")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def check_village(by: User, code: str, *, field: str = "village") -> Region:
    """The village of that code, inside the user's area."""
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


def _check_past(value: datetime.date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ApplicationError(_("The date lies in the future."), field=field)


def _name_taken() -> ApplicationError:
    return ApplicationError(
        _("Your organisation already has an IBM unit of this name."), field="name", code="conflict"
    )


@transaction.atomic
def ibm_unit_create(
    *,
    by: User,
    name: str,
    village: str,
    established_on: datetime.date | None = None,
    request=None,
) -> IbmUnit:
    """Set up an IBM unit of the user's organisation in a village of its area."""
    _require(can_create_units(by))
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Give the unit a name."), field="name")
    region = check_village(by, village)
    _check_past(established_on, "established_on")
    if IbmUnit.objects.filter(organisation_id=by.organisation_id, name__iexact=name).exists():
        raise _name_taken()
    try:
        with transaction.atomic():
            unit = IbmUnit.objects.create(
                name=name, village=region, organisation=by.organisation,
                established_on=established_on, created_by=by,
            )  # fmt: skip
    except IntegrityError as exc:  # set up concurrently under the same name
        raise _name_taken() from exc
    audit_record(actor=by, action=Action.CREATE, obj=unit, request=request)
    return unit


@transaction.atomic
def ibm_unit_update(*, unit: IbmUnit, by: User, request=None, **changes) -> IbmUnit:
    """Change a unit's name, village, date set up or whether it is active."""
    _require(can_write_unit(by, unit))
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = " ".join(changes["name"].split())
        if not changes["name"]:
            raise ApplicationError(_("Give the unit a name."), field="name")
        taken = IbmUnit.objects.filter(
            organisation_id=unit.organisation_id, name__iexact=changes["name"]
        ).exclude(pk=unit.pk)
        if taken.exists():
            raise _name_taken()
    if "village" in changes:
        changes["village"] = check_village(by, changes["village"])
    if "established_on" in changes:
        _check_past(changes["established_on"], "established_on")
    changed = [name for name, value in changes.items() if getattr(unit, name) != value]
    if not changed:
        return unit
    for name in changed:
        setattr(unit, name, changes[name])
    unit.save(update_fields=changed)
    audit_record(actor=by, action=Action.UPDATE, obj=unit, request=request,
                 summary="fields: " + ", ".join(sorted(changed)))  # fmt: skip
    return unit


@transaction.atomic
def recovery_agent_add(
    *,
    unit: IbmUnit,
    by: User,
    full_name: str,
    phone: str = "",
    trained_on: datetime.date | None = None,
    request=None,
) -> RecoveryAgent:
    """Add a trained member of the community to an active unit."""
    _require(can_write_unit(by, unit))
    if not unit.is_active:
        raise ApplicationError(_("This IBM unit is no longer active."), code="conflict")
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ApplicationError(_("Enter the agent's name."), field="full_name")
    _check_past(trained_on, "trained_on")
    agent = RecoveryAgent.objects.create(
        unit=unit, full_name=full_name, phone=phone.strip(), trained_on=trained_on
    )
    audit_record(actor=by, action=Action.CREATE, obj=agent, request=request,
                 summary=f"ibm unit {unit.pk}")  # fmt: skip
    return agent


@transaction.atomic
def recovery_agent_update(
    *, agent: RecoveryAgent, by: User, request=None, **changes
) -> RecoveryAgent:
    """Change an agent's name, phone, training date or whether they are active."""
    _require(can_write_unit(by, agent.unit))
    unknown = set(changes) - set(AGENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agent fields: {sorted(unknown)}")
    if "full_name" in changes:
        changes["full_name"] = " ".join(changes["full_name"].split())
        if not changes["full_name"]:
            raise ApplicationError(_("Enter the agent's name."), field="full_name")
    if "trained_on" in changes:
        _check_past(changes["trained_on"], "trained_on")
    changed = [name for name, value in changes.items() if getattr(agent, name) != value]
    if not changed:
        return agent
    for name in changed:
        setattr(agent, name, changes[name])
    agent.save(update_fields=changed)
    audit_record(actor=by, action=Action.UPDATE, obj=agent, request=request,
                 summary="fields: " + ", ".join(sorted(changed)))  # fmt: skip
    return agent


def recovery_agent_deactivate(*, agent: RecoveryAgent, by: User, request=None) -> RecoveryAgent:
    """The agent no longer works for the unit; their past episodes keep them."""
    if not agent.is_active:
        raise ApplicationError(_("This agent is already inactive."), code="conflict")
    return recovery_agent_update(agent=agent, by=by, is_active=False, request=request)
