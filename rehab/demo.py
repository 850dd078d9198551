"""The rehabilitation demo: episodes, sessions and aftercare (demo_episodes.py)."""

from __future__ import annotations

from . import demo_episodes


def load(*, users, stdout=None) -> bool:
    """Add the rehabilitation story; False (changing nothing) when it is already there."""
    return demo_episodes.load(users=users, stdout=stdout)
