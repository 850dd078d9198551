"""Eligibility verdicts: which reasons apply to a proposed person, and the funnel.

Pure: no Django. The codes are the stable ones of DESIGN.md. A row carries every reason
that applies; its verdict is the first of them in `PRIORITY`, or ELIGIBLE when none does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ELIGIBLE = "ELIGIBLE"
NEEDS_REVIEW = "NEEDS_REVIEW"
NIK_INVALID = "NIK_INVALID"
NOT_IN_REGISTER = "NOT_IN_REGISTER"
DECILE_ABOVE_THRESHOLD = "DECILE_ABOVE_THRESHOLD"
DUPLICATE_IN_BATCH = "DUPLICATE_IN_BATCH"
ALREADY_AIDED = "ALREADY_AIDED"
ASSESSMENT_MISSING = "ASSESSMENT_MISSING"
NO_BUSINESS = "NO_BUSINESS"
# The row's village lies outside the screening organisation's service area: it is not
# matched at all, so that no register data of people elsewhere reaches the uploader.
OUTSIDE_AREA = "OUTSIDE_AREA"

# The order a person meets the rules in: the first reason that applies names the verdict.
PRIORITY = (
    OUTSIDE_AREA,
    NIK_INVALID,
    DUPLICATE_IN_BATCH,
    NOT_IN_REGISTER,
    NEEDS_REVIEW,
    DECILE_ABOVE_THRESHOLD,
    ASSESSMENT_MISSING,
    NO_BUSINESS,
    ALREADY_AIDED,
)

# The funnel: each step keeps the rows that have none of the reasons lost so far.
FUNNEL = (
    ("proposed", ()),
    ("in_area", (OUTSIDE_AREA,)),
    ("valid", (NIK_INVALID, DUPLICATE_IN_BATCH)),
    ("matched", (NOT_IN_REGISTER, NEEDS_REVIEW)),
    ("within_decile", (DECILE_ABOVE_THRESHOLD,)),
    ("assessed", (ASSESSMENT_MISSING, NO_BUSINESS)),
    ("eligible", (ALREADY_AIDED,)),
)


@dataclass(frozen=True)
class Rules:
    max_decile: int
    requires_assessment: bool
    requires_business: bool
    once_per_year: bool


@dataclass(frozen=True)
class Facts:
    """What is known about one proposed row after matching."""

    nik_valid: bool
    duplicate: bool
    outside_area: bool
    # "match" | "review" | "none" (after any supervisor review); a row whose NIK is not
    # valid is not reviewed: its "review" adds no reason.
    match_status: str
    decile: int | None
    assessed: bool
    has_business: bool
    aided_this_year: bool


def reasons_for(facts: Facts, rules: Rules) -> list[str]:
    reasons = []
    if not facts.nik_valid:
        reasons.append(NIK_INVALID)
    if facts.duplicate:
        reasons.append(DUPLICATE_IN_BATCH)
    if facts.outside_area:
        # Nothing else is looked up for such a row: no register, assessment or aid facts.
        return sorted([*reasons, OUTSIDE_AREA], key=PRIORITY.index)
    if facts.match_status == "none":
        reasons.append(NOT_IN_REGISTER)
    elif facts.match_status == "review" and facts.nik_valid:
        reasons.append(NEEDS_REVIEW)  # an invalid NIK is corrected in the list, not reviewed
    elif facts.decile is not None and facts.decile > rules.max_decile:
        reasons.append(DECILE_ABOVE_THRESHOLD)
    if rules.requires_assessment and not facts.assessed:
        reasons.append(ASSESSMENT_MISSING)
    if rules.requires_business and not facts.has_business:
        reasons.append(NO_BUSINESS)
    if rules.once_per_year and facts.aided_this_year:
        reasons.append(ALREADY_AIDED)
    return sorted(reasons, key=PRIORITY.index)


def verdict_of(reasons: Iterable[str]) -> str:
    reasons = list(reasons)
    return min(reasons, key=PRIORITY.index) if reasons else ELIGIBLE


def lost_before(step: str) -> frozenset[str]:
    """The reasons the funnel loses rows for before ``step``."""
    lost: set[str] = set()
    for name, lost_here in FUNNEL:
        if name == step:
            return frozenset(lost)
        lost |= set(lost_here)
    raise ValueError(step)


def funnel(reason_counts: Mapping[frozenset, int]) -> list[tuple[str, int, int]]:
    """(step, rows remaining, rows lost at this step) from counts per set of reasons."""
    steps = []
    lost_so_far: set[str] = set()
    previous = None
    for step, lost_here in FUNNEL:
        lost_so_far |= set(lost_here)
        remaining = sum(n for reasons, n in reason_counts.items() if not reasons & lost_so_far)
        steps.append((step, remaining, 0 if previous is None else previous - remaining))
        previous = remaining
    return steps
