"""The rehabilitation demo: IBM units, their recovery agents and outreach visits
(demo_ibm.py); episodes, sessions and aftercare (demo_episodes.py); the family-resilience
series (demo_family.py); the outpatient service's satisfaction survey (demo_survey.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from . import demo_episodes, demo_family, demo_ibm, demo_survey


def load(*, users, stdout=None) -> bool:
    """Add the rehabilitation story; False (changing nothing) when it is already there.

    The timeline texts the services write are in the interface's language, as when the
    users write them."""
    with translation.override(settings.LANGUAGE_CODE):
        return _load(users=users, stdout=stdout)


def _load(*, users, stdout=None) -> bool:
    loaded = demo_ibm.load(users=users, stdout=stdout)
    loaded = demo_episodes.load(users=users, stdout=stdout) or loaded
    loaded = demo_family.load(users=users, stdout=stdout) or loaded
    return demo_survey.load(users=users, stdout=stdout) or loaded
