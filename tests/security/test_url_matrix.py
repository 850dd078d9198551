"""Every URL of ATENSI as every role, generated from the URLconf.

RULES holds one row per URL name: the path arguments, taken from the demo district (Ogan
Komering Ilir, see url_world.py), and the status each role gets on GET. A URL name without
a row fails the suite, so a new endpoint cannot land without its rule. On every answer the
anonymous visitor, the outsiders (a caseworker and a supervisor of Ogan Ilir), the viewer
and centre staff get, no NIK or name of a person they may not read appears; a POST by an
outsider or the anonymous visitor to a URL naming a record of Ogan Komering Ilir changes
nothing. A new URL gets its row here, with the status each role should get; a record it
needs that the demo lacks is added in url_world.py.
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES, module_world

from .url_world import body_text, build_world

pytestmark = pytest.mark.django_db

# The columns of RULES: a visitor who is not signed in, the cast, and a supervisor of the
# outsider's regency (Ogan Ilir).
COLUMNS = ["anonymous", *ROLES, "outsider_supervisor"]
LOGIN = "/akun/masuk/"

# Open to anyone, signed in or not: no personal data behind them. Requested as the anonymous
# visitor and the caseworker only.
PUBLIC = {
    "healthz", "accounts:login", "set_language", "api:token", "schema", "api-docs",
    "rehab:survey-public", "rehab:survey-thanks", "api:survey-response-list",
}  # fmt: skip

# name: (path arguments as parameter=world name, the status per column on GET). "L" is the
# redirect to the login page. The outsider's 200s are lists and forms of their own area.
RULES = {
    # anonymous caseworker supervisor outsider referrer centre viewer admin outsider_supervisor
    "home": ("", "L 200 200 200 200 200 302 200 200"),
    "healthz": ("", "200 200 200 200 200 200 200 200 200"),
    "accounts:login": ("", "200 302 302 302 302 302 302 302 302"),
    "accounts:logout": ("", "405 405 405 405 405 405 405 405 405"),
    "accounts:password-change": ("", "L 200 200 200 200 200 200 200 200"),
    "accounts:two-factor": ("", "L 200 200 200 200 200 200 200 200"),
    "accounts:two-factor-disable": ("", "L 405 405 405 405 405 405 405 405"),
    "regions:village_options": ("", "L 200 200 200 200 200 200 200 200"),
    "audit:list": ("", "L 404 200 404 404 404 404 200 200"),
    "dashboard:index": ("", "L 200 200 200 404 200 200 200 200"),
    "dashboard:refresh": ("", "L 405 405 405 405 405 405 405 405"),
    "dashboard:report": ("", "L 404 200 404 404 200 200 200 200"),
    "dashboard:report-job": ("pk=report", "L 404 200 404 404 200 200 200 404"),
    "dashboard:report-progress": ("pk=report", "L 404 200 404 404 200 200 200 404"),
    "dashboard:report-download": ("pk=report", "L 404 200 404 404 200 200 200 404"),
    "cases:client-list": ("", "L 200 200 200 404 200 404 200 200"),
    "cases:client-create": ("", "L 200 200 200 404 200 404 404 200"),
    "cases:client-detail": ("pk=client", "L 200 200 404 404 404 404 200 404"),
    "cases:client-edit": ("pk=client", "L 200 200 404 404 404 404 404 404"),
    "cases:case-open": ("pk=client", "L 405 405 405 405 405 405 405 405"),
    "cases:family-add": ("pk=client", "L 200 200 404 404 404 404 404 404"),
    "cases:family-edit": ("pk=client member_pk=member", "L 200 200 404 404 404 404 404 404"),
    "cases:family-remove": ("pk=client member_pk=member", "L 405 405 405 405 405 405 405 405"),
    "cases:consent-add": ("pk=client", "L 200 200 404 404 404 404 404 404"),
    "cases:consent-withdraw": ("pk=client", "L 200 200 404 404 404 404 404 404"),
    "cases:personal-data": ("pk=client", "L 200 200 404 404 404 404 403 404"),
    "cases:referral-list": ("", "L 200 200 200 200 200 404 200 200"),
    "cases:referral-create": ("", "L 200 200 200 200 200 404 404 200"),
    "cases:referral-detail": ("pk=referral", "L 200 200 404 200 404 404 200 404"),
    "cases:referral-accept": ("pk=referral", "L 200 200 404 404 404 404 404 404"),
    "cases:referral-correct": ("pk=referral", "L 404 404 404 200 404 404 404 404"),
    "cases:referral-withdraw": ("pk=referral", "L 405 405 405 405 405 405 405 405"),
    "cases:referral-decline": ("pk=referral", "L 405 405 405 405 405 405 405 405"),
    "cases:referral-duplicate": ("pk=referral", "L 405 405 405 405 405 405 405 405"),
    "cases:attachment": ("pk=attachment", "L 200 200 404 200 404 404 200 404"),
    "cases:case-list": ("", "L 200 200 200 404 200 404 200 200"),
    "cases:case-export": ("", "L 404 200 404 404 404 404 404 200"),
    "cases:case-detail": ("pk=case", "L 200 200 404 404 404 404 200 404"),
    "cases:case-transition": ("pk=case", "L 405 405 405 405 405 405 405 405"),
    "cases:case-note": ("pk=case", "L 405 405 405 405 405 405 405 405"),
    "cases:case-assign": ("pk=case", "L 405 405 405 405 405 405 405 405"),
    "assessments:screening-create": ("case_pk=case", "L 200 200 404 404 404 404 404 404"),
    "assessments:client-screening-create": (
        "client_pk=client", "L 200 200 404 404 404 404 404 404"
    ),
    "assessments:client-screenings": ("client_pk=client", "L 200 200 404 404 404 404 200 404"),
    "assessments:screening-detail": ("pk=screening", "L 200 200 404 404 404 404 200 404"),
    "assessments:assessment-list": ("case_pk=case", "L 200 200 404 404 404 404 200 404"),
    "assessments:assessment-create": ("case_pk=case", "L 200 200 404 404 404 404 404 404"),
    "assessments:assessment-detail": ("pk=assessment", "L 200 200 404 404 404 404 200 404"),
    "assessments:assessment-edit": ("pk=assessment", "L 302 302 404 404 404 404 404 404"),
    "assessments:assessment-complete": ("pk=assessment", "L 405 405 405 405 405 405 405 405"),
    "assessments:assessment-approve": ("pk=assessment", "L 405 405 405 405 405 405 405 405"),
    "assessments:plan": ("case_pk=case", "L 200 200 404 404 404 404 200 404"),
    "assessments:plan-item-remove": ("pk=plan_item", "L 405 405 405 405 405 405 405 405"),
    "assessments:register-list": ("", "L 200 200 200 404 200 404 200 200"),
    "assessments:register-import": ("", "L 404 200 404 404 404 404 200 200"),
    "assessments:register-detail": ("pk=snapshot", "L 200 200 200 404 200 404 200 200"),
    "assessments:register-progress": ("pk=snapshot", "L 200 200 200 404 200 404 200 200"),
    "assessments:register-bad-rows-csv": ("pk=snapshot", "L 404 200 404 404 404 404 200 404"),
    "assessments:register-bad-rows-xlsx": ("pk=snapshot", "L 404 200 404 404 404 404 200 404"),
    "assessments:batch-list": ("", "L 200 200 200 404 200 404 404 200"),
    "assessments:batch-create": ("", "L 200 200 200 404 200 404 404 200"),
    "assessments:batch-template": ("", "L 200 200 200 404 200 404 404 200"),
    "assessments:batch-detail": ("pk=batch", "L 200 200 404 404 404 404 404 404"),
    "assessments:batch-progress": ("pk=batch", "L 200 200 404 404 404 404 404 404"),
    "assessments:batch-review": ("pk=batch", "L 200 200 404 404 404 404 404 404"),
    "assessments:batch-review-obvious": ("pk=batch", "L 405 405 405 405 405 405 405 405"),
    "assessments:batch-row-review": (
        "pk=batch row_pk=batch_row", "L 405 405 405 405 405 405 405 405"
    ),
    "assessments:batch-row-reopen": (
        "pk=batch row_pk=batch_row", "L 405 405 405 405 405 405 405 405"
    ),
    "assessments:batch-rerun": ("pk=batch", "L 405 405 405 405 405 405 405 405"),
    "assessments:batch-export": ("pk=batch", "L 200 200 404 404 404 404 404 404"),
    "aid:programme-list": ("", "L 200 200 200 404 200 404 200 200"),
    "aid:programme-detail": ("pk=programme", "L 200 200 404 404 404 404 200 404"),
    "aid:programme-proposals-xlsx": ("pk=programme", "L 404 200 404 404 404 404 404 404"),
    "aid:programme-realisation-xlsx": ("pk=programme", "L 404 200 404 404 404 404 404 404"),
    "aid:proposal-list": ("", "L 200 200 200 404 200 404 200 200"),
    "aid:proposal-bulk": ("", "L 405 405 405 405 405 405 405 405"),
    "aid:client-proposals": ("client_pk=client", "L 200 200 404 404 404 404 200 404"),
    "aid:proposal-create": ("client_pk=client", "L 200 200 404 404 404 404 404 404"),
    "aid:batch-propose": ("batch_pk=batch", "L 200 200 404 404 404 404 404 404"),
    "aid:proposal-detail": ("reference=proposal_ref", "L 200 200 404 404 404 404 200 404"),
    "aid:proposal-edit": ("reference=proposal_ref", "L 200 200 404 404 404 404 404 404"),
    "aid:proposal-submit": ("reference=proposal_ref", "L 405 405 405 405 405 405 405 405"),
    "aid:proposal-verify": ("reference=proposal_ref", "L 405 405 405 405 405 405 405 405"),
    "aid:proposal-reject": ("reference=proposal_ref", "L 405 405 405 405 405 405 405 405"),
    "aid:proposal-cancel": ("reference=proposal_ref", "L 405 405 405 405 405 405 405 405"),
    "aid:decree-list": ("", "L 200 200 200 404 200 404 200 200"),
    "aid:decree-create": ("", "L 404 200 404 404 404 404 404 200"),
    "aid:decree-detail": ("pk=decree", "L 200 200 404 404 404 404 200 404"),
    "aid:proposal-rescreen": ("reference=proposal_ref", "L 405 405 405 405 405 405 405 405"),
    "aid:programme-edit": ("pk=programme", "L 404 200 404 404 404 404 404 404"),
    "aid:programme-allocations": ("pk=programme", "L 405 405 405 405 405 405 405 405"),
    "aid:handover-create": ("pk=proposal", "L 302 302 404 404 404 404 404 404"),
    "aid:handover-list": ("", "L 200 200 200 404 200 404 200 200"),
    "aid:handover-detail": ("pk=handover", "L 200 200 404 404 404 404 200 404"),
    "aid:handover-evidence": ("pk=handover", "L 200 200 404 404 404 404 200 404"),
    "aid:handover-evidence-add": ("pk=handover", "L 405 405 405 405 405 405 405 405"),
    "aid:followup-record": ("pk=followup", "L 200 200 404 404 404 404 404 404"),
    "aid:handover-bast": ("pk=handover", "L 200 200 404 404 404 404 200 404"),
    "aid:handovers-export": ("", "L 404 302 404 404 404 404 404 302"),
    "aid:decree-annex": ("pk=decree kind=annex_kind", "L 405 405 405 405 405 405 405 405"),
    "aid:decree-document": ("pk=document", "L 404 200 404 404 404 404 404 404"),
    "aid:decree-document-progress": ("pk=document", "L 404 200 404 404 404 404 404 404"),
    "aid:decree-document-download": ("pk=document", "L 404 200 404 404 404 404 404 404"),
    "rehab:client-episodes": ("pk=client", "L 200 200 404 404 404 404 200 404"),
    "rehab:episode-list": ("", "L 200 200 200 200 200 404 200 200"),
    "rehab:episode-export": ("", "L 404 200 404 200 404 404 404 200"),
    "rehab:episode-choose": ("", "L 200 200 200 200 200 404 404 200"),
    "rehab:episode-create": ("case_pk=case", "L 200 200 404 404 404 404 404 404"),
    "rehab:episode-detail": ("pk=episode", "L 200 200 404 200 404 404 200 404"),
    "rehab:episode-phase": ("pk=episode", "L 302 302 302 302 302 302 302 302"),
    "rehab:episode-session": ("pk=episode", "L 302 302 302 302 302 302 302 302"),
    "rehab:episode-end": ("pk=episode", "L 302 302 302 302 302 302 302 302"),
    "rehab:follow-up-list": ("", "L 200 200 200 200 200 404 200 200"),
    "rehab:follow-up-record": ("pk=aftercare", "L 200 200 404 200 404 404 403 404"),
    "rehab:ibm-unit-list": ("", "L 200 200 200 200 200 404 200 200"),
    "rehab:ibm-unit-export": ("", "L 200 200 200 200 200 404 200 200"),
    "rehab:ibm-unit-create": ("", "L 200 200 200 200 200 404 404 200"),
    "rehab:ibm-unit-detail": ("pk=ibm_unit", "L 200 200 404 200 200 404 200 404"),
    "rehab:ibm-unit-edit": ("pk=ibm_unit", "L 404 404 404 200 404 404 404 404"),
    "rehab:ibm-agent-add": ("pk=ibm_unit", "L 405 405 405 405 405 405 405 405"),
    "rehab:ibm-agent-deactivate": ("pk=agent", "L 405 405 405 405 405 405 405 405"),
    "rehab:outreach-list": ("", "L 200 200 200 404 200 404 404 200"),
    "rehab:outreach-create": ("", "L 200 200 200 404 200 404 404 200"),
    "rehab:outreach-detail": ("pk=outreach", "L 200 200 404 404 404 404 404 404"),
    "rehab:outreach-refer": ("pk=outreach", "L 200 200 404 404 404 404 404 404"),
    "rehab:family-session-list": ("", "L 200 200 200 404 200 404 200 200"),
    "rehab:family-session-create": ("", "L 200 200 200 404 200 404 404 200"),
    "rehab:family-session-detail": ("pk=family_session", "L 200 200 404 404 200 404 200 404"),
    "rehab:family-session-edit": ("pk=family_session", "L 200 200 404 404 404 404 404 404"),
    "rehab:family-attendance-members": ("pk=family_session", "L 405 405 405 405 405 405 405 405"),
    "rehab:family-attendance-walk-in": ("pk=family_session", "L 405 405 405 405 405 405 405 405"),
    "rehab:family-attendance-mark": ("pk=family_session", "L 405 405 405 405 405 405 405 405"),
    "rehab:family-attendance-remove": (
        "pk=family_session row=attendance", "L 405 405 405 405 405 405 405 405"
    ),
    "rehab:family-client-sessions": ("client_pk=client", "L 200 200 404 404 404 404 200 404"),
    "rehab:family-series-create": ("", "L 200 200 200 404 200 404 404 200"),
    "rehab:family-series-detail": ("pk=series", "L 200 200 404 404 200 404 200 404"),
    "rehab:family-series-edit": ("pk=series", "L 200 200 404 404 404 404 404 404"),
    "rehab:family-series-export": ("pk=series", "L 200 200 404 404 404 404 404 404"),
    "rehab:survey-unit-list": ("", "L 200 200 200 200 200 200 200 200"),
    "rehab:survey-unit-create": ("", "L 200 200 200 200 200 404 404 200"),
    "rehab:survey-unit-detail": ("pk=survey", "L 404 200 404 200 404 200 200 404"),
    "rehab:survey-unit-edit": ("pk=survey", "L 404 404 404 200 404 404 404 404"),
    "rehab:survey-unit-export": ("pk=survey", "L 404 200 404 200 404 200 200 404"),
    "rehab:survey-unit-qr": ("pk=survey", "L 404 200 404 200 404 200 200 404"),
    "rehab:survey-unit-poster": ("pk=survey", "L 404 200 404 200 404 200 200 404"),
    "rehab:survey-paper-entry": ("pk=survey", "L 404 404 404 200 404 404 404 404"),
    "rehab:survey-public": ("code=survey_code", "200 200 200 200 200 200 200 200 200"),
    "rehab:survey-thanks": ("code=survey_code", "200 200 200 200 200 200 200 200 200"),
    "prevention:activity-list": ("", "L 404 200 404 200 404 200 200 200"),
    "prevention:activity-export": ("", "L 404 200 404 200 404 200 200 200"),
    "prevention:activity-create": ("", "L 404 404 404 200 404 404 404 404"),
    "prevention:activity-detail": ("pk=activity", "L 404 200 404 200 404 200 200 404"),
    "prevention:activity-edit": ("pk=activity", "L 404 404 404 200 404 404 404 404"),
    "prevention:enforcement": ("", "L 404 200 404 200 404 200 200 200"),
    "prevention:enforcement-record": ("", "L 405 405 405 405 405 405 405 405"),
    "prevention:enforcement-target": ("", "L 405 405 405 405 405 405 405 405"),
    "prevention:village-status-list": ("", "L 404 200 404 200 404 200 200 200"),
    "prevention:village-status-export": ("", "L 404 200 404 200 404 200 200 200"),
    "prevention:village-status-create": ("", "L 404 404 404 200 404 404 404 404"),
    "prevention:village-detail": ("code=village", "L 404 200 404 200 404 200 200 404"),
    "prevention:desa-bersinar": ("code=village", "L 405 405 405 405 405 405 405 405"),
    "set_language": ("", "302 302 302 302 302 302 302 302 302"),
    "api:token": ("", "405 405 405 405 405 405 405 405 405"),
    "api:logout": ("", "401 401 401 401 401 401 401 401 401"),
    "api:logout-all": ("", "401 401 401 401 401 401 401 401 401"),
    "api:me": ("", "401 200 200 200 200 200 200 200 200"),
    "api:dashboard": ("", "401 200 200 200 404 200 200 200 200"),
    "api:client-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:client-search": ("", "401 405 405 405 405 405 405 405 405"),
    "api:client-detail": ("pk=client", "401 200 200 404 404 404 404 200 404"),
    "api:client-consents": ("pk=client", "401 200 200 404 404 404 404 200 404"),
    "api:client-consent-withdrawals": ("pk=client", "401 200 200 404 404 404 404 200 404"),
    "api:client-personal-data": ("pk=client", "401 200 200 404 404 404 404 403 404"),
    "api:client-family": ("pk=client", "401 200 200 404 404 404 404 200 404"),
    "api:client-family-member": (
        "pk=client member_id=member", "401 405 405 405 405 405 405 405 405"
    ),
    "api:referral-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:referral-search": ("", "401 405 405 405 405 405 405 405 405"),
    "api:referral-detail": ("pk=referral", "401 200 200 404 200 404 404 200 404"),
    "api:referral-accept": ("pk=referral", "401 405 405 405 405 405 405 405 405"),
    "api:referral-decline": ("pk=referral", "401 405 405 405 405 405 405 405 405"),
    "api:referral-withdraw": ("pk=referral", "401 405 405 405 405 405 405 405 405"),
    "api:referral-mark-duplicate": ("pk=referral", "401 405 405 405 405 405 405 405 405"),
    "api:case-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:case-search": ("", "401 405 405 405 405 405 405 405 405"),
    "api:case-detail": ("pk=case", "401 200 200 404 404 404 404 200 404"),
    "api:case-assign": ("pk=case", "401 405 405 405 405 405 405 405 405"),
    "api:case-notes": ("pk=case", "401 200 200 404 404 404 404 200 404"),
    "api:case-timeline": ("pk=case", "401 200 200 404 404 404 404 200 404"),
    "api:case-transition": ("pk=case", "401 405 405 405 405 405 405 405 405"),
    "api:region-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:region-detail": ("code=regency", "401 200 200 200 200 200 200 200 200"),
    "api:screening-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:screening-detail": ("pk=screening", "401 200 200 404 404 404 404 200 404"),
    "api:assessment-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:assessment-detail": ("pk=assessment", "401 200 200 404 404 404 404 200 404"),
    "api:assessment-approve": ("pk=assessment", "401 405 405 405 405 405 405 405 405"),
    "api:assessment-complete": ("pk=assessment", "401 405 405 405 405 405 405 405 405"),
    "api:plan-item-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:plan-item-detail": ("pk=plan_item", "401 405 405 405 405 405 405 405 405"),
    "api:register-import-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:register-import-detail": ("pk=snapshot", "401 200 200 200 404 200 404 200 200"),
    "api:register-import-bad-rows": ("pk=snapshot", "401 404 200 404 404 404 404 200 404"),
    "api:eligibility-batch-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:eligibility-batch-detail": ("pk=batch", "401 200 200 404 404 404 404 404 404"),
    "api:eligibility-batch-rerun": ("pk=batch", "401 405 405 405 405 405 405 405 405"),
    "api:eligibility-batch-results": ("pk=batch", "401 200 200 404 404 404 404 404 404"),
    "api:eligibility-batch-review": (
        "pk=batch row_pk=batch_row", "401 405 405 405 405 405 405 405 405"
    ),
    "api:eligibility-batch-reopen": (
        "pk=batch row_pk=batch_row", "401 405 405 405 405 405 405 405 405"
    ),
    "api:programme-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:programme-detail": ("pk=programme", "401 200 200 404 404 404 404 200 404"),
    "api:programme-allocations": ("pk=programme", "401 405 405 405 405 405 405 405 405"),
    "api:programme-ledger": ("pk=programme", "401 200 200 404 404 404 404 200 404"),
    "api:programme-move": ("pk=programme", "401 405 405 405 405 405 405 405 405"),
    "api:aid-item-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:aid-item-detail": ("pk=aid_item", "401 200 200 404 404 404 404 200 404"),
    "api:proposal-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:proposal-detail": ("pk=proposal", "401 200 200 404 404 404 404 200 404"),
    "api:proposal-approve": ("pk=proposal", "401 405 405 405 405 405 405 405 405"),
    "api:proposal-cancel": ("pk=proposal", "401 405 405 405 405 405 405 405 405"),
    "api:proposal-reject": ("pk=proposal", "401 405 405 405 405 405 405 405 405"),
    "api:proposal-submit": ("pk=proposal", "401 405 405 405 405 405 405 405 405"),
    "api:proposal-verify": ("pk=proposal", "401 405 405 405 405 405 405 405 405"),
    "api:decree-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:decree-detail": ("pk=decree", "401 200 200 404 404 404 404 200 404"),
    "api:handover-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:handover-detail": ("pk=handover", "401 200 200 404 404 404 404 200 404"),
    "api:handover-bast": ("pk=handover", "401 200 200 404 404 404 404 200 404"),
    "api:handover-evidence": ("pk=handover", "401 200 200 404 404 404 404 200 404"),
    "api:decree-document-list": ("", "401 405 405 405 405 405 405 405 405"),
    "api:decree-document-detail": ("pk=document", "401 404 200 404 404 404 404 404 404"),
    "api:decree-document-file": ("pk=document", "401 404 200 404 404 404 404 404 404"),
    "api:episode-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:episode-detail": ("pk=episode", "401 200 200 404 200 404 404 200 404"),
    "api:episode-end": ("pk=episode", "401 405 405 405 405 405 405 405 405"),
    "api:episode-phases": ("pk=episode", "401 405 405 405 405 405 405 405 405"),
    "api:session-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:session-detail": ("pk=session", "401 200 200 404 200 404 404 200 404"),
    "api:follow-up-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:follow-up-detail": ("pk=aftercare", "401 200 200 404 200 404 404 200 404"),
    "api:follow-up-record": ("pk=aftercare", "401 405 405 405 405 405 405 405 405"),
    "api:ibm-unit-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:ibm-unit-detail": ("pk=ibm_unit", "401 200 200 404 200 200 404 200 404"),
    "api:ibm-unit-agents": ("pk=ibm_unit", "401 405 405 405 405 405 405 405 405"),
    "api:family-session-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:family-session-detail": ("pk=family_session", "401 200 200 404 404 200 404 200 404"),
    "api:family-session-attendance": ("pk=family_session", "401 405 405 405 405 405 405 405 405"),
    "api:family-session-mark": ("pk=family_session", "401 405 405 405 405 405 405 405 405"),
    "api:family-series-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:family-series-detail": ("pk=series", "401 200 200 404 404 200 404 200 404"),
    "api:survey-unit-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:survey-unit-detail": ("code=survey_code", "401 404 200 404 200 404 200 200 404"),
    "api:survey-unit-results": ("code=survey_code", "401 404 200 404 200 404 200 200 404"),
    "api:survey-response-list": ("code=survey_code", "405 405 405 405 405 405 405 405 405"),
    "api:activity-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:activity-detail": ("pk=activity", "401 404 200 404 200 404 200 200 404"),
    "api:village-status-list": ("", "401 200 200 200 200 200 200 200 200"),
    "api:village-status-detail": ("code=village", "401 404 200 404 200 404 200 200 404"),
    "api:dashboard-report-list": ("", "401 405 405 405 405 405 405 405 405"),
    "api:dashboard-report-detail": ("pk=report", "401 404 200 404 404 200 200 200 404"),
    "api:dashboard-report-file": ("pk=report", "401 404 200 404 404 200 200 200 404"),
    "api:api-root": ("", "401 200 200 200 200 200 200 200 200"),
    "schema": ("", "200 200 200 200 200 200 200 200 200"),
    "api-docs": ("", "200 200 200 200 200 200 200 200 200"),
    "admin-login": ("", "L 403 403 403 403 403 403 L 403"),

}  # fmt: skip

# The Django admin as a whole: staff only; its own URL names follow Django's.
ADMIN = ("admin:index", "302 403 403 403 403 403 403 200 403")


def _walk(patterns, namespace="", groups=()):
    for entry in patterns:
        found = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from _walk(entry.url_patterns, inner, groups + found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join(n for n in (namespace, entry.name) if n), groups + found


def url_names() -> dict[str, tuple[str, ...]]:
    """Every named URL outside the Django admin, with its path arguments."""
    return {
        name: params
        for name, params in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:")
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_world(django_db_blocker, tmp_path_factory, "url-matrix"):
        yield build_world()


@pytest.fixture(autouse=True)
def _fresh_throttles(world):
    caches["default"].clear()


def url_of(name: str, world) -> str:
    args, _statuses = RULES[name]
    kwargs = dict(pair.split("=") for pair in args.split())
    return reverse(name, kwargs={param: world.args[key] for param, key in kwargs.items()})


def seen(response) -> str:
    """The status as RULES writes it."""
    if response.status_code == 302 and response["Location"].startswith(LOGIN):
        return "L"
    return str(response.status_code)


def writes() -> dict:
    """Rows inserted, updated and deleted so far in this transaction, per table (sessions
    aside: a request may save its session)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname <> 'django_session'"
        )
        return dict(cursor.fetchall())


def test_every_url_name_has_a_rule():
    names = url_names()

    missing = sorted(set(names) - set(RULES))
    assert not missing, f"URLs without a rule in RULES of {__name__}: {missing}"
    assert not sorted(set(RULES) - set(names)), "RULES name URLs that no longer exist"
    for name, (args, statuses) in RULES.items():
        given = {pair.split("=")[0] for pair in args.split()}
        assert given == set(names[name]), f"{name}: path arguments {names[name]}, rule {args}"
        assert len(statuses.split()) == len(COLUMNS), name


def test_every_page_but_the_public_ones_sends_the_anonymous_visitor_away():
    for name, (_args, statuses) in RULES.items():
        anonymous = statuses.split()[0]
        if name in PUBLIC:
            assert anonymous != "L", name
        else:
            # 405: a POST-only URL refuses the method before it looks at the visitor.
            assert anonymous in {"L", "401", "405"}, name


def test_a_public_url_answers_everyone_signed_in_alike():
    for name in PUBLIC:
        signed_in = RULES[name][1].split()[1:]
        assert len(set(signed_in)) == 1, name


def test_the_leak_check_finds_a_clients_nik_and_name(world):
    """The check the matrix runs on every answer does see personal data where it is shown."""
    page = body_text(world.browser("caseworker").get(url_of("cases:client-detail", world)))

    assert len(world.private["outsider"].found_in(page)) >= 2


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_role_gets_the_pinned_status_and_nobody_elses_personal_data(world, name):
    url = url_of(name, world)
    wrong = []

    for role, expected in zip(COLUMNS, RULES[name][1].split(), strict=True):
        if name in PUBLIC and role not in ("anonymous", "caseworker"):
            continue  # the same for everyone signed in (see the test below); the schema is slow
        response = world.browser(role).get(url)
        if seen(response) != expected:
            wrong.append(f"{role}: expected {expected}, got {seen(response)}")
        elif role in world.private and response.status_code == 200:
            leaked = world.private[role].found_in(body_text(response))
            if leaked:
                wrong.append(f"{role} reads personal data: {leaked[:5]}")

    assert not wrong, f"GET {url} ({name}): " + "; ".join(wrong)


ADDRESSED = sorted(name for name, (args, _s) in RULES.items() if args and name not in PUBLIC)


@pytest.mark.parametrize("name", ADDRESSED)
def test_a_post_by_an_outsider_or_a_stranger_to_a_record_changes_nothing(world, name):
    url = url_of(name, world)

    statuses = dict(zip(COLUMNS, RULES[name][1].split(), strict=True))
    for role in ("anonymous", "outsider", "outsider_supervisor"):
        refused = {"L", "401", "405"} if role == "anonymous" else {"403", "404", "405"}
        # An outsider may read a register snapshot's page (national, no personal data).
        refused |= {"200"} & {statuses[role]}
        before = writes()
        response = world.browser(role).post(url, {})
        changed = {table for table, n in writes().items() if before.get(table, 0) != n}

        assert seen(response) in refused, f"{role}: POST {url} answered {seen(response)}"
        assert not changed, f"{role}: POST {url} wrote to {sorted(changed)}"


@pytest.mark.parametrize(("role", "expected"), list(zip(COLUMNS, ADMIN[1].split(), strict=True)))
def test_the_admin_site_is_for_staff_only(world, role, expected):
    assert seen(world.browser(role).get(reverse(ADMIN[0]))) == expected
