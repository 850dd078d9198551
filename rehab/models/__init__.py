"""Rehabilitation (episodes.py), family guidance (family.py) and the satisfaction survey
(survey.py). Importing the modules here registers their models."""

from . import family, survey  # noqa: F401  (their models register on import)
from .episodes import (
    FOLLOWED_UP_OUTCOMES,
    PHASE_ORDER,
    AftercareFollowUp,
    Episode,
    EpisodePhase,
    IbmUnit,
    Outreach,
    RecoveryAgent,
    Session,
)

__all__ = [
    "FOLLOWED_UP_OUTCOMES",
    "PHASE_ORDER",
    "AftercareFollowUp",
    "Episode",
    "EpisodePhase",
    "IbmUnit",
    "Outreach",
    "RecoveryAgent",
    "Session",
]
