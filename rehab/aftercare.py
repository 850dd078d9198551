"""When the aftercare follow-ups (pascarehabilitasi, bimbingan lanjut) of a rehabilitation
episode fall due: 1, 3 and 6 months after the episode ends. Pure Python, no Django."""

from __future__ import annotations

import datetime

from aid.months import add_months

FOLLOW_UP_MONTHS = (1, 3, 6)


def follow_up_dates(ended_on: datetime.date) -> tuple[datetime.date, ...]:
    """The due dates of the follow-ups after an episode that ended on ``ended_on``, each
    counted from the end (not from the previous follow-up)."""
    return tuple(add_months(ended_on, months) for months in FOLLOW_UP_MONTHS)
