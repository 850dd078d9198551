"""/api/v1/ for aid: programmes, aid items, proposals and their transitions (proposals.py),
decrees, hand-overs and documents (handovers.py)."""

from . import handovers, proposals


def register_all(router) -> None:
    proposals.register(router)
    handovers.register(router)
