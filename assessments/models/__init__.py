"""Screening, assessment, the DTSEN register, and batch eligibility screening."""

from .assessment import Assessment, AssessmentDomain, PlanItem
from .eligibility import BatchChunk, BatchRow, EligibilityBatch
from .register import RegisterBadRow, RegisterRow, RegisterSnapshot
from .screening import Screening, ScreeningSubstance

__all__ = [
    "Assessment", "AssessmentDomain", "PlanItem", "BatchChunk", "BatchRow", "EligibilityBatch",
    "RegisterBadRow", "RegisterRow", "RegisterSnapshot", "Screening", "ScreeningSubstance",
]  # fmt: skip
