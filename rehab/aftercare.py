"""When the aftercare follow-ups (pascarehabilitasi, bimbingan lanjut) of a rehabilitation
episode fall due: 1, 3 and 6 months after the episode ends. Pure Python, no Django."""

from __future__ import annotations

import calendar
import datetime

FOLLOW_UP_MONTHS = (1, 3, 6)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later, or the month's last day when it is
    shorter (31 January + 1 month = 28 or 29 February; 31 August + 1 = 30 September)."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_dates(ended_on: datetime.date) -> tuple[datetime.date, ...]:
    """The due dates of the follow-ups after an episode that ended on ``ended_on``, each
    counted from the end (not from the previous follow-up)."""
    return tuple(add_months(ended_on, months) for months in FOLLOW_UP_MONTHS)
