"""/api/v1/ for aid: programmes and their budgets (programmes.py), aid items, proposals and
their transitions (proposals.py), decrees, hand-overs and documents (handovers.py)."""

from . import handovers, programmes, proposals


def register_all(router) -> None:
    programmes.register(router)
    proposals.register(router)
    handovers.register(router)
