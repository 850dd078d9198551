"""Follow-up scheduling from an episode's end (``rehab.aftercare``). Pure: no database."""

import datetime

import pytest

from rehab import aftercare

D = datetime.date


def test_follow_ups_fall_due_one_three_and_six_months_after_the_end():
    assert aftercare.follow_up_dates(D(2023, 3, 15)) == (D(2023, 4, 15), D(2023, 6, 15),
                                                        D(2023, 9, 15))  # fmt: skip


def test_each_is_counted_from_the_end_not_from_the_one_before():
    # From 31 January: 28 February, 30 April, 31 July (not 28 April from 28 February).
    assert aftercare.follow_up_dates(D(2023, 1, 31)) == (D(2023, 2, 28), D(2023, 4, 30),
                                                        D(2023, 7, 31))  # fmt: skip


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # a leap year
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2023, 8, 31), 1, D(2023, 9, 30)),
        (D(2023, 12, 15), 1, D(2024, 1, 15)),  # into the next year
        (D(2023, 10, 31), 6, D(2024, 4, 30)),
        (D(2023, 5, 10), 0, D(2023, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert aftercare.add_months(day, months) == expected


def test_add_months_refuses_going_back():
    with pytest.raises(ValueError, match="negative"):
        aftercare.add_months(D(2023, 5, 10), -1)
