from aid.selectors import can_read_aid
from assessments.selectors.register import can_read_snapshots
from prevention import selectors as prevention_selectors
from rehab.selectors import survey as survey_selectors
from rehab.selectors.ibm import can_read_units
from rehab.selectors.outreach import can_record_outreach

from . import policy


def navigation(request):
    """Which menu entries the current user may see."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "cases": policy.can_read_cases(user),
            "referrals": policy.can_read_referrals(user),
            "audit": policy.can_read_audit(user),
            "eligibility": policy.can_write_cases(user),
            "register": can_read_snapshots(user),
            "aid": can_read_aid(user),
            "rehab": policy.can_read_cases(user) or policy.can_write_rehab(user),
            "ibm": can_read_units(user),
            "prevention": prevention_selectors.can_read(user),
            "outreach": can_record_outreach(user),
            "surveys": survey_selectors.can_manage_units(user)
            or policy.has_role(user, survey_selectors.AREA_READERS),
            "propose_aid": policy.has_role(user, policy.CASE_WRITERS),
            "dashboard": policy.has_role(user, policy.DASHBOARD_READERS),
            "admin": user.is_staff,
        }
    }
