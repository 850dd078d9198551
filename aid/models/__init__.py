"""Aid: programmes and their catalogue, budgets and the ledger, proposals, decrees and
hand-overs."""

from .budget import BudgetEntry, BudgetLine
from .document import DecreeDocument, DecreeDocumentPart
from .followup import FOLLOWUP_MONTHS, FollowUp
from .handover import BastCounter, Handover, HandoverItem, IdempotencyKey
from .programme import AidItem, AidRecord, Programme
from .proposal import Decree, Proposal, ProposalItem

__all__ = [
    "AidItem",
    "AidRecord",
    "BastCounter",
    "BudgetEntry",
    "BudgetLine",
    "Decree",
    "DecreeDocument",
    "DecreeDocumentPart",
    "FOLLOWUP_MONTHS",
    "FollowUp",
    "Handover",
    "HandoverItem",
    "IdempotencyKey",
    "Programme",
    "Proposal",
    "ProposalItem",
]
