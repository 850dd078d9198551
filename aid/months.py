"""Counting whole months from a day, as follow-up schedules do. Pure Python, no Django."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later, or the month's last day when it is
    shorter (31 January + 1 month = 28 or 29 February; 31 August + 1 = 30 September)."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
