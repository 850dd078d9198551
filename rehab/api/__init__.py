"""/api/v1/ for rehabilitation: episodes, sessions, follow-ups and IBM units (episodes.py),
family guidance sessions (family.py), survey units and their public responses (survey.py)."""

from . import episodes, family, survey


def register_all(router) -> None:
    episodes.register(router)
    family.register(router)
    survey.register(router)
