"""/api/v1/ for rehabilitation: episodes, sessions and follow-ups (episodes.py), IBM units
(ibm.py), family guidance sessions (family.py), survey units and their public responses
(survey.py)."""

from . import episodes, family, ibm, survey


def register_all(router) -> None:
    episodes.register(router)
    ibm.register(router)
    family.register(router)
    survey.register(router)
