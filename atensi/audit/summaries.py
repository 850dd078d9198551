"""Audit summaries in the reader's language.

The log stores each summary in one fixed, technical form (it is append-only and searched by
it: "stage intake -> assessment", "row 12 match confirmed"); the audit page shows it through
the patterns below, translated. A summary no pattern knows is shown as stored.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# (pattern of the stored text, the translatable text; named groups fill its placeholders)
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(p), text)
    for p, text in (
        (r"fields: (?P<fields>.*)", _("changed: %(fields)s")),
        (r"client (?P<id>\S+)", _("client %(id)s")),
        (r"case (?P<id>\S+)", _("case %(id)s")),
        (r"accepted", _("accepted")),
        (r"declined", _("declined")),
        (r"duplicate of (?P<id>\S+)", _("duplicate of %(id)s")),
        (r"stage (?P<old>\S+) -> (?P<new>\S+)", _("stage %(old)s → %(new)s")),
        (r"assigned to (?P<user>\S+)", _("assigned to %(user)s")),
        (r"family", _("family members")),
        (r"consents", _("consents")),
        (r"timeline", _("timeline")),
        (r"notes", _("notes")),
        (r"edit form", _("edit form")),
        (r"accept form, (?P<n>\d+) candidate client\(s\)",
         _("accept form, %(n)s candidate client(s)")),
        (r"case list, stage=(?P<stage>\S*), rows=(?P<n>\d+)",
         _("case list, stage %(stage)s, %(n)s rows")),
        (r"register import queued, (?P<n>\d+) bytes", _("register import queued, %(n)s bytes")),
        (r"register import queued again", _("register import queued again")),
        (r"register snapshot deleted with its (?P<n>\d+) rows",
         _("register snapshot deleted with its %(n)s rows")),
        (r"re-run", _("screened again")),
        (r"row (?P<row>\d+) match confirmed", _("row %(row)s: match confirmed")),
        (r"row (?P<row>\d+) match confirmed: candidate (?P<n>\d+)",
         _("row %(row)s: match confirmed, candidate %(n)s")),
        (r"row (?P<row>\d+) match confirmed: candidate (?P<n>\d+), obvious",
         _("row %(row)s: match confirmed, candidate %(n)s, among the obvious ones")),
        (r"row (?P<row>\d+) match rejected", _("row %(row)s: match rejected")),
        (r"completed", _("completed")),
        (r"approved", _("approved")),
        (r"plan item (?P<id>\S+) removed", _("plan item %(id)s removed")),
        (r"register refused rows, (?P<kind>\w+), rows=(?P<n>\d+)",
         _("refused register rows (%(kind)s), %(n)s rows")),
        (r"register refused rows, api, page=(?P<page>\S+)",
         _("refused register rows (API), page %(page)s")),
        (r"review queue", _("review queue")),
        (r"eligibility results, rows=(?P<n>\d+)", _("eligibility results, %(n)s rows")),
        (r"eligibility results, rows=(?P<n>\d+), nik=masked",
         _("eligibility results, %(n)s rows, NIKs masked")),
        (r"eligibility results, rows=(?P<n>\d+), nik=full",
         _("eligibility results, %(n)s rows, full NIKs")),
        (r"results, nik=masked", _("results, NIKs masked")),
        (r"results, nik=full", _("results, full NIKs")),
        (r"budget (?P<component>\S+) \+(?P<amount>\d+)", _("budget %(component)s +Rp %(amount)s")),
        (r"budget (?P<component>\S+) -(?P<amount>\d+)", _("budget %(component)s −Rp %(amount)s")),
        (r"proposal (?P<from_state>\S+) -> (?P<to_state>\S+)",
         _("proposal %(from_state)s → %(to_state)s")),
        (r"proposals created: (?P<n>\d+)", _("proposals created: %(n)s")),
        (r"re-screened: (?P<verdict>\S+)", _("screened again: %(verdict)s")),
        (r"items: value (?P<before>\d+) -> (?P<after>\d+)",
         _("items changed, value %(before)s → %(after)s")),
        (r"items, business_plan: value (?P<before>\d+) -> (?P<after>\d+)",
         _("items and business plan changed, value %(before)s → %(after)s")),
        (r"proposals: (?P<n>\d+)", _("proposals in the decree: %(n)s")),
        (r"proposal (?P<id>\S+)", _("proposal %(id)s")),
        (r"assessments", _("assessments")),
        (r"plan", _("intervention plan")),
        (r"screenings", _("screenings")),
        (r"results", _("results")),
        (r"two-factor login enabled", _("two-factor login enabled")),
        (r"two-factor login disabled", _("two-factor login disabled")),
        (r"API tokens revoked: (?P<n>\d+)", _("API tokens revoked: %(n)s")),
    )
]  # fmt: skip


def _stage_label(code: str) -> str:
    from cases.models import Stage

    return str(Stage(code).label) if code in Stage.values else code


def _component_label(code: str) -> str:
    from assessments.models.assessment import Component

    return str(Component(code).label) if code in Component.values else code


def _proposal_state_label(code: str) -> str:
    from aid.models import Proposal

    states = Proposal.State
    return str(states(code).label).lower() if code in states.values else code


def _verdict_label(code: str) -> str:
    from assessments.models.eligibility import Verdict

    return str(Verdict(code).label) if code in Verdict.values else code


def _rupiah(amount: str) -> str:
    return f"Rp {int(amount):,}".replace(",", ".")


# Groups whose stored value is a code with a label of its own, or an amount in rupiah.
_LABELS = {
    "old": _stage_label, "new": _stage_label, "component": _component_label,
    "from_state": _proposal_state_label, "to_state": _proposal_state_label,
    "verdict": _verdict_label, "before": _rupiah, "after": _rupiah,
}  # fmt: skip


def summary_label(summary: str) -> str:
    """The stored summary in the active language; as stored when no pattern knows it."""
    for pattern, text in _PATTERNS:
        found = pattern.fullmatch(summary)
        if found:
            values = {k: _LABELS.get(k, str)(v) for k, v in found.groupdict().items()}
            return str(text) % values
    return summary
