"""Writes on outreach visits: recording a field visit, and turning it into a referral."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from cases.models import Referral
from cases.services import referral_submit
from rehab.models.episodes import Outreach
from rehab.selectors.outreach import can_record_outreach, can_refer_outreach

from .ibm import check_village

Action = AuditEvent.Action

# The referral source a visit suggests for Dinsos staff, who refer only on behalf of a family,
# the person or the community: a report by an LKS or village officials is the community's.
SOURCE_OF_REPORT = {
    Outreach.ReportedBy.FAMILY: Referral.Source.FAMILY,
    Outreach.ReportedBy.COMMUNITY: Referral.Source.COMMUNITY,
    Outreach.ReportedBy.LKS: Referral.Source.COMMUNITY,
    Outreach.ReportedBy.VILLAGE: Referral.Source.COMMUNITY,
    Outreach.ReportedBy.OTHER: Referral.Source.COMMUNITY,
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def outreach_record(
    *,
    by: User,
    visited_on: datetime.date,
    village: str,
    reported_by: str,
    findings: str,
    reporter: str = "",
    person_name: str = "",
    request=None,
) -> Outreach:
    """Record a field visit made by the user after a report, in a village of their area."""
    _require(can_record_outreach(by))
    if visited_on > timezone.localdate():
        raise ApplicationError(_("The visit date lies in the future."), field="visited_on")
    if reported_by not in Outreach.ReportedBy.values:
        raise ApplicationError(_("Choose who made the report."), field="reported_by")
    if not findings.strip():
        raise ApplicationError(_("Write down what the visit found."), field="findings")
    region = check_village(by, village)
    outreach = Outreach.objects.create(
        organisation=by.organisation, worker=by, visited_on=visited_on, village=region,
        reported_by=reported_by, reporter=reporter.strip(),
        person_name=" ".join(person_name.split()), findings=findings.strip(),
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, obj=outreach, request=request)
    return outreach


@transaction.atomic
def outreach_refer(*, outreach: Outreach, by: User, request=None, **referral) -> Referral:
    """Submit a referral of the person found (cases.services.referral_submit, with its rules)
    and link it to the visit; a visit becomes at most one referral."""
    _require(can_refer_outreach(by, outreach))
    locked = Outreach.objects.select_for_update().get(pk=outreach.pk)
    if locked.referral_id is not None:
        raise ApplicationError(_("This visit has already become a referral."), code="conflict")
    submitted = referral_submit(by=by, request=request, **referral)
    locked.referral = submitted
    locked.save(update_fields=["referral"])
    outreach.referral = submitted
    audit_record(actor=by, action=Action.UPDATE, obj=locked, request=request,
                 summary=f"referral {submitted.pk}")  # fmt: skip
    return submitted


def referral_initial(outreach: Outreach, *, by: User) -> dict:
    """The referral form filled in from the visit."""
    return {
        "source": SOURCE_OF_REPORT.get(outreach.reported_by, Referral.Source.COMMUNITY),
        "referring_officer": str(by),
        "referral_date": timezone.localdate(),
        "full_name": outreach.person_name,
        "region": outreach.village_id,
        "reason": outreach.findings,
    }
