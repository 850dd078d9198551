"""Every write of the aid module: budgets, proposals, decrees and hand-overs."""

from .budget import budget_allocate, budget_allocations_set, budget_move, programme_budget_update
from .handovers import bast_next, fingerprint, handover_record, idempotent
from .proposals import (
    BatchProposals,
    decree_approve,
    eligibility_problem,
    proposal_approve,
    proposal_cancel,
    proposal_create,
    proposal_items_set,
    proposal_reject,
    proposal_submit,
    proposal_verify,
    proposals_create_from_batch,
)
from .rescreen import proposal_rescreen

__all__ = [
    "BatchProposals",
    "bast_next",
    "budget_allocate",
    "budget_allocations_set",
    "budget_move",
    "decree_approve",
    "eligibility_problem",
    "fingerprint",
    "handover_record",
    "idempotent",
    "programme_budget_update",
    "proposal_approve",
    "proposal_cancel",
    "proposal_create",
    "proposal_items_set",
    "proposal_reject",
    "proposal_rescreen",
    "proposal_submit",
    "proposal_verify",
    "proposals_create_from_batch",
]
