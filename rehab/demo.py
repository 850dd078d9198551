"""The rehabilitation demo: IBM units, their recovery agents and outreach visits
(demo_ibm.py); episodes, sessions and aftercare (demo_episodes.py); the family-resilience
series (demo_family.py); the outpatient service's satisfaction survey (demo_survey.py)."""

from __future__ import annotations

from . import demo_episodes, demo_family, demo_ibm, demo_survey


def load(*, users, stdout=None) -> bool:
    """Add the rehabilitation story; False (changing nothing) when it is already there."""
    loaded = demo_ibm.load(users=users, stdout=stdout)
    loaded = demo_episodes.load(users=users, stdout=stdout) or loaded
    loaded = demo_family.load(users=users, stdout=stdout) or loaded
    return demo_survey.load(users=users, stdout=stdout) or loaded
