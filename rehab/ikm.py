"""The public satisfaction index (Indeks Kepuasan Masyarakat, IKM) of a service unit, as
PermenPAN-RB 14/2017 computes it. Pure Python (standard library), no Django.

Each respondent rates the nine elements (``ELEMENTS``, U1–U9) from 1 (not good) to 4 (very
good). Per element, the mean of the ratings given (NRR); the index is the weighted mean of
the nine, each weighing 1/9 (the regulation prints 0.111); the converted value is the index
× 25, on a scale of 25–100, rounded to two decimals as it is published. The grade is read
from the converted value (the regulation's table of index intervals has gaps between its
rows, 2.5996 / 2.60, 3.064 / 3.0644, 3.532 / 3.5324; the converted limits have none):

    A  Sangat Baik (very good)   88.31 – 100.00
    B  Baik (good)               76.61 – 88.30
    C  Kurang Baik (not good)    65.00 – 76.60
    D  Tidak Baik (poor)         25.00 – 64.99

A unit's target is an index (BNNK's outpatient service: 3.9). The weakest elements are the
ones whose mean is below the target, or without a target the lowest.

Labels are English message ids marked for translation; the caller translates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def gettext_noop(s: str) -> str:
    return s


@dataclass(frozen=True, slots=True)
class Element:
    code: str
    label: str


ELEMENTS: tuple[Element, ...] = (
    Element("U1", gettext_noop("Requirements")),
    Element("U2", gettext_noop("Systems, mechanisms and procedures")),
    Element("U3", gettext_noop("Time to complete")),
    Element("U4", gettext_noop("Costs and fees")),
    Element("U5", gettext_noop("Products by kind of service")),
    Element("U6", gettext_noop("Competence of the staff")),
    Element("U7", gettext_noop("Conduct of the staff")),
    Element("U8", gettext_noop("Handling of complaints, suggestions and feedback")),
    Element("U9", gettext_noop("Facilities and infrastructure")),
)
CODES = tuple(e.code for e in ELEMENTS)
RATINGS = (1, 2, 3, 4)
WEIGHT = Decimal(1) / Decimal(len(ELEMENTS))
CONVERSION = Decimal(25)


@dataclass(frozen=True, slots=True)
class Grade:
    letter: str
    label: str
    lowest: Decimal  # converted value from which it applies


GRADES: tuple[Grade, ...] = (  # best first
    Grade("A", gettext_noop("Very good"), Decimal("88.31")),
    Grade("B", gettext_noop("Good"), Decimal("76.61")),
    Grade("C", gettext_noop("Not good"), Decimal("65.00")),
    Grade("D", gettext_noop("Poor"), Decimal("25.00")),
)


class IkmError(ValueError):
    """Ratings that break the instrument; ``problems``: (respondent, element, message)
    with the respondent counted from 1 and the element a code (or None for the whole)."""

    def __init__(self, problems: list[tuple[int | None, str | None, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(_describe(p) for p in problems))


def _describe(problem: tuple[int | None, str | None, str]) -> str:
    respondent, element, message = problem
    where = []
    if respondent is not None:
        where.append(f"respondent {respondent}")
    if element is not None:
        where.append(element)
    return f"{', '.join(where)}: {message}" if where else message


@dataclass(frozen=True, slots=True)
class ElementResult:
    element: Element
    answers: int
    mean: Decimal  # NRR, 4 decimals
    weighted: Decimal  # NRR × 1/9, 4 decimals


@dataclass(frozen=True, slots=True)
class Result:
    respondents: int
    elements: tuple[ElementResult, ...]
    index: Decimal  # 1–4, 4 decimals (shown with 2)
    converted: Decimal  # 25–100, 2 decimals
    grade: Grade
    target: Decimal | None
    weakest: tuple[str, ...]  # element codes

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.index >= self.target


def grade_of(converted: Decimal | float | str) -> Grade:
    """The grade of a converted value (25–100), read at two decimals."""
    value = _two(Decimal(str(converted)))
    if not Decimal(25) <= value <= Decimal(100):
        raise IkmError([(None, None, f"a converted value lies between 25 and 100, not {value}")])
    return next(g for g in GRADES if value >= g.lowest)


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _four(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def check(responses: Sequence[Mapping[str, int | None]]) -> None:
    """Raise ``IkmError`` naming every respondent and element whose rating is not 1–4 or
    not an element of the instrument; an element may be left unanswered (None)."""
    problems: list[tuple[int | None, str | None, str]] = []
    if not responses:
        problems.append((None, None, "no responses"))
    for number, response in enumerate(responses, start=1):
        for code in sorted(set(response) - set(CODES)):
            problems.append((number, code, "not an element of the survey"))
        for code in CODES:
            rating = response.get(code)
            if rating is None:
                continue
            if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
                problems.append((number, code, f"a rating is 1, 2, 3 or 4, not {rating!r}"))
    for code in CODES:
        if responses and all(r.get(code) is None for r in responses):
            problems.append((None, code, "nobody rated it"))
    if problems:
        raise IkmError(problems)


def compute(
    responses: Iterable[Mapping[str, int | None]], *, target: Decimal | float | str | None = None
) -> Result:
    """The IKM of a unit's responses (each ``{"U1": 4, ..., "U9": 3}``) against ``target``
    (an index, 1–4)."""
    responses = list(responses)
    check(responses)
    totals = {}
    for element in ELEMENTS:
        ratings = [r[element.code] for r in responses if r.get(element.code) is not None]
        totals[element.code] = (len(ratings), sum(ratings))
    return from_totals(len(responses), totals, target=target)


def from_totals(
    respondents: int,
    totals: Mapping[str, tuple[int, int]],
    *,
    target: Decimal | float | str | None = None,
) -> Result:
    """The IKM from, per element code, the number of answers and the sum of their ratings
    (what a database sums), of ``respondents`` people, against ``target``."""
    missing = [e.code for e in ELEMENTS if not totals.get(e.code, (0, 0))[0]]
    if respondents < 1 or missing:
        raise IkmError([(None, code, "nobody rated it") for code in missing] or
                       [(None, None, "no responses")])  # fmt: skip
    elements = []
    for element in ELEMENTS:
        answers, total = totals[element.code]
        elements.append((element, answers, Decimal(total) / Decimal(answers)))
    index = sum((mean * WEIGHT for _e, _n, mean in elements), Decimal(0))
    converted = _two(index * CONVERSION)
    goal = None if target is None else Decimal(str(target))
    if goal is not None:
        weakest = tuple(e.code for e, _n, mean in elements if mean < goal)
    else:
        lowest = min(mean for _e, _n, mean in elements)
        weakest = tuple(e.code for e, _n, mean in elements if mean == lowest)
    return Result(
        respondents=respondents,
        elements=tuple(
            ElementResult(e, n, _four(mean), _four(mean * WEIGHT)) for e, n, mean in elements
        ),
        index=_four(index),
        converted=converted,
        grade=grade_of(converted),
        target=goal,
        weakest=weakest,
    )
