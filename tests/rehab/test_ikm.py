"""The IKM arithmetic of PermenPAN-RB 14/2017 (``rehab.ikm``): worked examples, every grade
boundary, the target and the weakest elements, and refused ratings. Pure: no database."""

from decimal import Decimal

import pytest

from rehab import ikm


def response(*ratings):
    return dict(zip(ikm.CODES, ratings, strict=True))


# Four respondents; per element (U1..U9) the means are 3.75, 3.75, 4, 3.75, 4, 4, 4, 3.25, 3.75.
WORKED = [
    response(4, 4, 4, 3, 4, 4, 4, 3, 4),
    response(4, 3, 4, 4, 4, 4, 4, 3, 4),
    response(4, 4, 4, 4, 4, 4, 4, 4, 4),
    response(3, 4, 4, 4, 4, 4, 4, 3, 3),
]


def test_a_worked_example_by_hand():
    result = ikm.compute(WORKED, target="3.9")

    assert result.respondents == 4
    assert [e.mean for e in result.elements] == [
        Decimal(x) for x in ("3.75", "3.75", "4", "3.75", "4", "4", "4", "3.25", "3.75")
    ]
    assert result.elements[7].weighted == Decimal("0.3611")  # 3.25 / 9
    # (3.75 × 4 + 4 × 4 + 3.25) / 9 = 34.25 / 9 = 3.80556; × 25 = 95.139
    assert result.index == Decimal("3.8056")
    assert result.converted == Decimal("95.14")
    assert (result.grade.letter, result.grade.label) == ("A", "Very good")
    assert result.meets_target is False
    assert result.weakest == ("U1", "U2", "U4", "U8", "U9")  # below 3.9


def test_without_a_target_the_weakest_is_the_lowest_element():
    result = ikm.compute(WORKED)
    assert result.meets_target is None and result.weakest == ("U8",)


def test_every_rating_the_same():
    assert ikm.compute([response(*[4] * 9)] * 3).converted == Decimal("100.00")
    lowest = ikm.compute([response(*[1] * 9)])
    assert (lowest.index, lowest.converted, lowest.grade.letter) == (Decimal(1), Decimal(25), "D")


def test_an_index_of_2_6_is_65_00_and_grade_c():
    # Five respondents rating every element 2, 3, 3, 3, 2: each mean 13 / 5 = 2.6.
    result = ikm.compute([response(*[r] * 9) for r in (2, 3, 3, 3, 2)])
    assert (result.index, result.converted, result.grade.letter) == (
        Decimal("2.6000"), Decimal("65.00"), "C",
    )  # fmt: skip
    # One rating lower anywhere takes it under: 2.5778 × 25 = 64.44, D.
    below = ikm.compute([response(*[r] * 9) for r in (2, 3, 3, 3, 2)] + [response(*[2] * 9)])
    assert below.converted < Decimal("65") and below.grade.letter == "D"


@pytest.mark.parametrize(
    ("converted", "letter"),
    [
        ("25.00", "D"), ("64.99", "D"), ("65.00", "C"), ("76.60", "C"), ("76.61", "B"),
        ("88.30", "B"), ("88.31", "A"), ("100.00", "A"),
        # In the regulation's gaps (index 3.0642 and 3.5322), read as published: two decimals.
        ("76.604", "C"), ("76.605", "B"), ("88.304", "B"), ("88.305", "A"),
    ],
)  # fmt: skip
def test_every_grade_boundary(converted, letter):
    assert ikm.grade_of(converted).letter == letter


def test_an_element_left_unanswered_is_averaged_over_those_who_rated_it():
    partial = [response(4, 4, 4, 4, 4, 4, 4, 4, 4), {**response(*[2] * 9), "U4": None}]
    result = ikm.compute(partial)
    assert result.elements[3].answers == 1 and result.elements[3].mean == Decimal(4)
    assert result.elements[0].mean == Decimal(3)


def test_refused_ratings_name_the_respondent_and_the_element():
    with pytest.raises(ikm.IkmError) as caught:
        ikm.compute([response(*[4] * 9), {**response(*[3] * 9), "U3": 5, "U10": 4}])
    assert caught.value.problems == [
        (2, "U10", "not an element of the survey"),
        (2, "U3", "a rating is 1, 2, 3 or 4, not 5"),
    ]
    with pytest.raises(ikm.IkmError, match="no responses"):
        ikm.compute([])
    with pytest.raises(ikm.IkmError, match="U9: nobody rated it"):
        ikm.compute([{**response(*[4] * 9), "U9": None}])
    with pytest.raises(ikm.IkmError, match="between 25 and 100"):
        ikm.grade_of("101")


def test_the_instrument_has_nine_elements_each_weighing_a_ninth():
    assert tuple(f"U{n}" for n in range(1, 10)) == ikm.CODES
    assert sum(ikm.WEIGHT for _ in ikm.CODES) == pytest.approx(Decimal(1))
