"""Record linkage by Fellegi–Sunter with parameters learnt from the data being matched.
Pure Python (standard library and rapidfuzz), no Django.

Same inputs as ``linkage.match_person``: a query ``Person`` and the register rows of its
blocks (``CandidateIndex.candidates_for``: linkage's blocks, and ``ExtraKeys`` for queries
without a NIK). Each candidate is compared field by field (``COMPARISONS``), each with
discrete levels (``LEVELS``) and ``missing``, which adds no evidence; the address (RT/RW
and the street or hamlet, however written: ``linkage.address_parts``) only between two
people of one village, where it tells namesakes born the same day apart. A level adds the
weight log2(m / u):

- u = P(level | two different people the blocks put side by side), counted on register
  rows made queries and compared with their own blocks (``pseudo_queries``, ``count_u``):
  other people by construction, blocked as a query is, their fields blanked as often as the
  queries' are. Blocks bring three kinds of non-match, each agreeing in its own way: the
  same family card (``FAMILY``: the village is no news, an equal birth date is), NIKs with
  the same district and birth date digits (``NIK_PREFIX``: the birth date, sex and
  kecamatan are no news), and others. One u for all would make two people born the same
  day in one kecamatan, or a relative, look like one person; so u is a chain of
  conditional probabilities (``context``): the NIK within the query's stratum (with or
  without a NIK, ``STRATA``: their blocks differ), the KK within the kind of NIK pair, the
  others within the kind of pair.
- m = P(level | the same person): EM over the batch's blocked pairs with u fixed, run over
  the distinct comparison patterns with their counts (``em``). m is shared by all kinds of
  pair (conditional independence: a slip of the pen does not care who else is in the
  block). EM also gives the share of pairs that match, and from it ``prior``: the share of
  queries whose person is among their candidates. (``refine_u`` lets EM add the batch's
  own likely non-matches to u as well; measured, it does not help.)

An exact name weighs by the name's frequency among the register rows read: u for "RIZKI"
is its frequency times the mean u of an exact agreement over the mean frequency (the sum of
the squared frequencies), so a common name weighs less than a rare one.

A candidate's ``probability`` is the posterior that it is the query's person given all its
K candidates, at most one of which is: prior/K · BF_i / ((1 − prior) + prior/K · Σ BF_j).
Two candidates as likely as each other halve each other's probability.

Thresholds (``derive_thresholds``), from the probabilities of the batch's best candidates:
``auto`` is the lowest probability at which the expected share of wrong links among the
automatic ones (the mean of 1 − p over them) stays within ``Targets.false_link_rate``, but
never below ``Targets.min_auto`` (no single automatic link may be more likely wrong than
that, whatever the rest of the batch); ``review`` is the probability below which the
expected number of real links left out (the sum of p below it) stays within
``Targets.missed_link_rate`` of all expected links.

Hard rules on top of the probability (``Model.match``), from ``linkage``:
- the owner of the query's NIK (a row with exactly that NIK whose name agrees) is never
  passed over for someone else: it comes first, and nobody else is a match; an owner
  whose name disagrees is at most a review (a typo may have landed on them);
- a candidate whose own NIK is unrelated to the query's (not equal, not one typo away) is
  never an automatic match: a namesake with another NIK;
- a NIK one typo away from a register row named wholly otherwise (name level
  ``different``) is no match and no review: the typo landed on another real person;
- a NIK typo whose NIK as typed belongs to another register row is a review, unless every
  owner is named otherwise and lives in another village while the typo's row has the same
  name, birth date and village and no other KK (``linkage._typo_past_owners``);
- a NIK typo in the serial, where the typed serial is one the district may have issued,
  needs the same village and no other KK: it may be a namesake born the same day;
- without a NIK or the same KK, a common name with a birth date only near, 1 January or
  missing is a review: a namesake of the village is as likely as the person;
- one of two candidates, surely, but not which: a review (``ambiguous``).

Every scored candidate keeps its comparisons, levels and the weight each added; ``explain``
says them in words (English message ids marked for translation; the caller translates).
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import groupby

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Indel

from assessments import linkage
from assessments.linkage import MATCH, NONE, REVIEW, Candidate, Person


def gettext_noop(s: str) -> str:
    """Mark a string for translation without translating it (read by makemessages)."""
    return s


PARAMETERS_VERSION = 2

# --- comparisons and their levels ----------------------------------------------------------

NIK = "nik"
NAME = "name"
BIRTH_DATE = "birth_date"
KK = "kk"
PLACE = "place"
SEX = "sex"
ADDRESS = "address"  # only within one village: elsewhere an address is no news
COMPARISONS = (NIK, NAME, BIRTH_DATE, KK, PLACE, SEX, ADDRESS)

MISSING = "missing"  # on either side: no evidence

EQUAL = "equal"
DIFFERENT = "different"
# NIK
TYPO = "typo"  # one digit wrong or two swapped, changing the district or birth date digits
SERIAL_TYPO = "serial_typo"  # ... in the serial, or the sex (day + 40): common between
# two people born the same day in the same district, whose serials count up
SAME_PREFIX = "same_prefix"  # the same district and birth date digits, another serial
# name
EXACT = "exact"  # the same name key
REORDERED = "reordered"  # the same parts in another order, or with the spaces elsewhere
VERY_CLOSE = "very_close"  # name similarity at least VERY_CLOSE_AT
ONE_EDIT = "one_edit"  # one letter wrong, missing, added, or two swapped (short names)
PART_DROPPED = "part_dropped"  # one name is the other with a part left out or cut
CLOSE = "close"  # name similarity at least CLOSE_AT
ALIKE = "alike"  # alike as a whole string (rapidfuzz token sort ratio at least ALIKE_AT)
COMMON_PART = "common_part"  # only a common part kept ("Sri" / "Sri Mariam")
PARTIAL = "partial"  # name similarity at least PARTIAL_AT: alike in part
# birth date
NEAR = "near"  # day and month swapped, one day off, one digit off, a year off
JANUARY_FIRST = "january_first"  # one side is 1 January of the same year: a default date
SAME_YEAR = "same_year"
# place
SAME_VILLAGE = "same_village"
SAME_DISTRICT = "same_district"  # kecamatan
SAME_REGENCY = "same_regency"  # kabupaten / kota
ELSEWHERE = "elsewhere"

SAME_RT_RW = "same_rt_rw"  # the same RT and RW, the street or hamlet not (or not written)
SAME_PLACE = "same_place"  # the same street or hamlet, the RT/RW not (or not written)

# Each comparison's levels, from the strongest agreement to the strongest disagreement.
LEVELS: dict[str, tuple[str, ...]] = {
    NIK: (EQUAL, TYPO, SERIAL_TYPO, SAME_PREFIX, DIFFERENT),
    NAME: (EXACT, REORDERED, VERY_CLOSE, ONE_EDIT, PART_DROPPED, CLOSE, ALIKE, COMMON_PART)
    + (PARTIAL, DIFFERENT),
    BIRTH_DATE: (EQUAL, NEAR, JANUARY_FIRST, SAME_YEAR, DIFFERENT),
    KK: (EQUAL, DIFFERENT),
    PLACE: (SAME_VILLAGE, SAME_DISTRICT, SAME_REGENCY, ELSEWHERE),
    SEX: (EQUAL, DIFFERENT),
    ADDRESS: (EQUAL, SAME_RT_RW, SAME_PLACE, DIFFERENT),
}
_INDEX = {c: {level: i for i, level in enumerate(LEVELS[c])} for c in COMPARISONS}

# Name similarity (``linkage.name_similarity``) of the VERY_CLOSE and CLOSE levels. Where a
# level starts is a matter of definition; what each level is worth is learnt.
VERY_CLOSE_AT = 0.90
CLOSE_AT = 0.80
ALIKE_AT = 0.85
PARTIAL_AT = linkage.NAME_DISAGREE
# Names as written at least this alike are compared again without the spelling rules.
_WRITTEN_CLOSE = 0.75
# Parts so common that sharing only them is not sharing a name (name keys).
COMMON_PARTS = frozenset(
    ["muhamad", "ahmad", "abdul", "siti", "nur", "nurul", "sri", "dwi", "tri", "eka"]
)
# Name levels at which a NIK's owner "agrees" (guards): every level but ``different``
# (as in ``linkage``, a name below ``linkage.NAME_DISAGREE`` that is not a cut of the
# other, nor alike as written, disagrees).
NAME_AGREES = frozenset(LEVELS[NAME]) - {DIFFERENT}
NAME_SAME = frozenset({EXACT, REORDERED, VERY_CLOSE})

# Queries with a valid NIK and without are blocked differently (NIK prefix; close birth
# dates): u is kept apart for each.
WITH_NIK = "with_nik"
WITHOUT_NIK = "without_nik"
STRATA = (WITH_NIK, WITHOUT_NIK)
# The kinds of pair the other comparisons are weighed in: NIKs with the same district and
# birth date digits (either sex), or one family card; else the query's stratum.
NIK_PREFIX = "nik_prefix"
NIK_TYPO = "nik_typo"  # (the KK only) NIKs a typo apart in the district or date digits
FAMILY = "family"
CONTEXTS = (WITH_NIK, WITHOUT_NIK, NIK_PREFIX, NIK_TYPO, FAMILY)
_PREFIX_LEVELS = frozenset({EQUAL, SERIAL_TYPO, SAME_PREFIX})

FLAG_AMBIGUOUS = linkage.FLAG_AMBIGUOUS
FLAG_NIK_OF_OTHER = linkage.FLAG_NIK_OF_OTHER
FLAG_NIK_CONFLICT = linkage.FLAG_NIK_CONFLICT
FLAG_OWNER = "nik_owner"  # the register row with the query's NIK, name agreeing
FLAG_SERIAL_DOUBT = linkage.FLAG_SERIAL_DOUBT  # a serial typo: a namesake born the same day?
FLAG_NAME_CONFLICT = "name_conflict"  # the query's NIK, but another name
FLAG_NAMESAKE = "namesake"  # no NIK or KK to tell a namesake of the village from the person
FLAGS = (
    FLAG_OWNER, FLAG_NIK_OF_OTHER, FLAG_NIK_CONFLICT, FLAG_NAME_CONFLICT, FLAG_SERIAL_DOUBT,
    FLAG_NAMESAKE, FLAG_AMBIGUOUS,
)  # fmt: skip

MAX_CANDIDATES = linkage.MAX_CANDIDATES
# Serials count up per district and birth date: a typed serial at most this far above the
# highest one the register holds for that prefix may have been issued (linkage.SERIAL_SLACK).
SERIAL_SLACK = linkage.SERIAL_SLACK


def _is_nik16(value: str) -> bool:
    return len(value) == 16 and value.isdigit()


def _sexless(nik: str) -> str:
    """The first 12 digits with a woman's day (+40) written as a man's: district and date."""
    day = nik[6:8]
    if "41" <= day <= "71":
        return f"{nik[:6]}{int(day) - 40:02d}{nik[8:12]}"
    return nik[:12]


def nik_level(a: str, b: str, a_born=None, b_born=None) -> str:
    """How NIK ``a`` (the query's, with its birth date ``a_born`` as entered) compares
    with ``b`` (a candidate's, born ``b_born``); ``missing`` unless both are 16 digits.

    A typo in the date digits is no typo when the query's NIK says the birth date the
    query gives and the candidate was born on another day: two people born on two days,
    which the birth date comparison already counts."""
    if not (_is_nik16(a) and _is_nik16(b)):
        return MISSING
    if a == b:
        return EQUAL
    same_prefix = _sexless(a) == _sexless(b)
    if linkage.nik_relation(a, b) in linkage.NIK_TYPOS:
        if same_prefix:
            return SERIAL_TYPO
        if (
            a[6:12] != b[6:12]
            and a_born is not None
            and a_born != b_born
            and linkage.nik_birth_date(a) == a_born
        ):
            return DIFFERENT
        return TYPO
    return SAME_PREFIX if same_prefix else DIFFERENT


def _written_similarity(a_name: str, b_name: str) -> float:
    """``name_similarity`` of the names as written, when they are close as written: a typo
    the spelling rules pushed apart ("Asiyah" / "Aisyah")."""
    a, b = linkage.plain_name(a_name), linkage.plain_name(b_name)
    if a and b and Indel.normalized_similarity(a, b, score_cutoff=_WRITTEN_CLOSE):
        return linkage.name_similarity(a, b)
    return 0.0


def _same_parts(a: list[str], b: list[str]) -> bool:
    """Whether the names have the same parts in any order, some run together ("Lestari
    Nasution Fitri" / "LestariNasution Fitri")."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    rest = list(long_)
    for word in short:
        if word in rest:
            rest.remove(word)
            continue
        joined = next(((x, y) for x in rest for y in rest if x is not y and x + y == word), None)
        if joined is None:
            return False
        rest.remove(joined[0])
        rest.remove(joined[1])
    return not rest


def _part_dropped(a: list[str], b: list[str]) -> str | None:
    """``PART_DROPPED`` when the shorter name is the longer with parts left out or cut to
    an initial, keeping a part that is not a common one ("Ahmad Fauzi" / "Ahmad Fauzi
    Siregar", "Siti Aminah" / "Aminah", "Rizki P" / "Rizki Pratama"); ``COMMON_PART`` when
    what is kept is only common ("Sri" / "Sri Mariam", "Abdul H" / "Abdul Ahmadi")."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    rest = list(long_)
    informative = False
    cut = False
    for word in short:
        if word in rest:
            rest.remove(word)
            informative = informative or word not in COMMON_PARTS
            continue
        if len(word) == 1:
            initial = next((w for w in rest if w[0] == word), None)
            if initial is not None:
                rest.remove(initial)
                cut = True
                continue
        return None
    if len(short) == len(long_) and not cut:
        return None
    return PART_DROPPED if informative else COMMON_PART


def name_level(query: Person, candidate: Candidate) -> tuple[str, float]:
    """The name level, and the similarity it was read from (1 for exact)."""
    a, b = query.name_key, candidate.name_key
    if not a or not b:
        return MISSING, 0.0
    if a == b:
        return EXACT, 1.0
    return _name_level(a, b, query.name, candidate.name)


@lru_cache(maxsize=1 << 16)
def _name_level(a: str, b: str, a_name: str, b_name: str) -> tuple[str, float]:
    """``name_level`` of two different name keys (kept: a pair comes back, e.g. when
    estimating u each register row is a query twice)."""
    words_a, words_b = a.split(), b.split()
    if a.replace(" ", "") == b.replace(" ", "") or _same_parts(words_a, words_b):
        return REORDERED, 1.0
    similarity = linkage.name_similarity(a, b)
    if similarity < CLOSE_AT and a_name and b_name:
        similarity = max(similarity, _written_similarity(a_name, b_name))
    if similarity >= VERY_CLOSE_AT:
        return VERY_CLOSE, similarity
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        return ONE_EDIT, similarity
    dropped = _part_dropped(words_a, words_b)
    if dropped == PART_DROPPED:
        return dropped, similarity
    if similarity >= CLOSE_AT:
        return CLOSE, similarity
    if fuzz.token_sort_ratio(a, b, score_cutoff=100 * ALIKE_AT):
        return ALIKE, similarity
    if dropped == COMMON_PART:
        return dropped, similarity
    if similarity >= PARTIAL_AT:
        return PARTIAL, similarity
    return DIFFERENT, similarity


def _is_january_first(d) -> bool:
    return d.month == 1 and d.day == 1


def birth_date_level(a, b) -> str:
    """Equal; 1 January against another day of the same year (a date written when only the
    year was known); near (``linkage.dob_agreement`` close, or a day apart); same year."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return EQUAL
    if a.year == b.year and _is_january_first(a) != _is_january_first(b):
        return JANUARY_FIRST
    if linkage.dob_agreement(a, b) == linkage.DOB_CLOSE or abs((a - b).days) == 1:
        return NEAR
    return SAME_YEAR if a.year == b.year else DIFFERENT


def place_level(a: str, b: str) -> str:
    """Village codes "16.02.05.1002": the same village, kecamatan ("16.02.05"), regency
    ("16.02"), or elsewhere."""
    if not a or not b:
        return MISSING
    if a == b:
        return SAME_VILLAGE
    district = linkage.district_of(a)
    if district and district == linkage.district_of(b):
        return SAME_DISTRICT
    if len(a) >= 5 and a[:5] == b[:5]:
        return SAME_REGENCY
    return ELSEWHERE


def _plain_level(a: str, b: str) -> str:
    if not a or not b:
        return MISSING
    return EQUAL if a == b else DIFFERENT


def address_level(query: Person, candidate: Candidate) -> str:
    """The address within one village (``linkage.address_agreement``): equal (RT/RW and
    the street or hamlet), the same RT/RW, the same street or hamlet, different; missing
    when either has none or they live in different villages."""
    if not query.address or not candidate.address:
        return MISSING
    if not query.village_code or query.village_code != candidate.village_code:
        return MISSING
    numbers, place = linkage.address_agreement(query.address, candidate.address)
    if numbers is None and place is None:
        return MISSING
    if numbers and place:
        return EQUAL
    if numbers:
        return SAME_RT_RW
    if place:
        return SAME_PLACE
    return DIFFERENT


def comparison_levels(query: Person, candidate: Candidate) -> tuple[tuple[str, ...], float]:
    """The level of every comparison (``COMPARISONS`` order), and the name similarity."""
    name, similarity = name_level(query, candidate)
    return (
        nik_level(query.nik, candidate.nik, query.birth_date, candidate.birth_date),
        name,
        birth_date_level(query.birth_date, candidate.birth_date),
        _plain_level(query.kk, candidate.kk),
        place_level(query.village_code, candidate.village_code),
        _plain_level(query.sex, candidate.sex),
        address_level(query, candidate),
    ), similarity


def stratum(query: Person) -> str:
    return WITH_NIK if _is_nik16(query.nik) else WITHOUT_NIK


def context(stratum_: str, comparison: str, levels: Sequence[str]) -> str:
    """Which u table a comparison of a pair is weighed with (``CONTEXTS``), as a chain of
    conditional probabilities: the NIK among all pairs of the query's stratum; the KK
    within the kind of NIK pair (the same district and birth date digits, a typo apart,
    other); the others within the kind of pair (one family card, else the same district
    and birth date digits, else other)."""
    nik = levels[0]
    if comparison == NIK:
        return stratum_
    if comparison == KK:
        if nik in _PREFIX_LEVELS:
            return NIK_PREFIX
        return NIK_TYPO if nik == TYPO else stratum_
    if levels[3] == EQUAL:
        return FAMILY
    return NIK_PREFIX if nik in _PREFIX_LEVELS else stratum_


# --- parameters ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Targets:
    """What the thresholds are derived from (policy, not fitted): the expected share of
    wrong links among the automatic ones, and of real links left unlinked (neither matched
    nor offered for review). ``min_auto``: an automatic link is at least this likely."""

    false_link_rate: float = 0.0001
    missed_link_rate: float = 0.0005
    min_auto: float = 0.99


@dataclass(slots=True)
class Parameters:
    """What a batch was matched with; ``as_dict`` / ``from_dict`` for storing as JSON.

    ``m[comparison][level]``; ``u[context][comparison][level]`` (which table weighs what:
    ``context``; the entries it never picks are copies); ``prior[stratum]``: the share of
    queries whose person is among their candidates; ``name_counts``: name keys seen at
    least twice among ``name_rows`` register rows (others count once); ``name_u_exact``:
    the chance that two of those rows share their name (sum of squared frequencies);
    ``auto`` and ``review``: the thresholds, from ``targets``; ``stats``: how the
    estimation went (EM iterations, pairs, patterns)."""

    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, dict[str, float]]]
    prior: dict[str, float]
    name_counts: dict[str, int]
    name_rows: int
    name_u_exact: float
    auto: float
    review: float
    targets: dict[str, float] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)
    version: int = PARAMETERS_VERSION

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Parameters:
        if data.get("version") != PARAMETERS_VERSION:
            raise ValueError(f"parameters of version {data.get('version')}")
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), separators=(",", ":"), sort_keys=True)

    def weight(self, context_: str, comparison: str, level: str) -> float:
        """log2(m / u) of a level (0 for missing) in a ``context``, without the name
        frequency."""
        if level == MISSING:
            return 0.0
        return math.log2(self.m[comparison][level] / self.u[context_][comparison][level])


# Pseudo-counts added to every level when m and u are counted, so that a level never seen
# among the pairs has a small, finite weight.
_SMOOTHING = 0.5


def _normalised(counts: Sequence[float], levels: tuple[str, ...]) -> dict[str, float]:
    total = sum(counts) + _SMOOTHING * len(levels)
    return {level: (n + _SMOOTHING) / total for level, n in zip(levels, counts, strict=True)}


@dataclass(frozen=True, slots=True)
class _Blanks:
    """How often the queries lack a KK, a birth date, a sex, a village, an address."""

    kk: float
    birth_date: float
    sex: float
    village: float
    address: float

    @classmethod
    def of(cls, queries: Sequence[Person]) -> _Blanks:
        n = max(1, len(queries))
        return cls(
            kk=sum(not q.kk for q in queries) / n,
            birth_date=sum(q.birth_date is None for q in queries) / n,
            sex=sum(not q.sex for q in queries) / n,
            village=sum(not q.village_code for q in queries) / n,
            address=sum(not q.address for q in queries) / n,
        )


def pseudo_queries(
    rows: Sequence[Candidate], queries: Sequence[Person], *, sample: int = 4000, seed: int = 0
) -> list[tuple[str, Hashable, Person]]:
    """``sample`` register rows made queries, each once with its NIK and once without, and
    blanked (KK, birth date, sex, village) as often as ``queries`` are: (stratum, the row's
    id, the query). Deterministic for a ``seed``."""
    blanks = _Blanks.of(queries)
    rng = random.Random(seed)
    ordered = sorted(rows, key=lambda c: str(c.id))
    out = []
    for row in rng.sample(ordered, min(sample, len(ordered))):
        kept = {
            "kk": row.kk if rng.random() >= blanks.kk else "",
            "birth_date": row.birth_date if rng.random() >= blanks.birth_date else None,
            "sex": row.sex if rng.random() >= blanks.sex else "",
            "village_code": row.village_code if rng.random() >= blanks.village else "",
            "address": row.address if rng.random() >= blanks.address else "",
        }
        for s, nik in ((WITH_NIK, row.nik), (WITHOUT_NIK, "")):
            out.append((s, row.id, Person(nik=nik, name=row.name, name_key=row.name_key, **kept)))
    return out


def count_u(
    pseudo: Sequence[tuple[str, Hashable, Person]],
    blocks: Sequence[Sequence[Candidate]],
) -> tuple[dict[str, dict[str, list[int]]], dict[str, int]]:
    """Level counts per kind of pair from ``pseudo_queries`` and their ``blocks`` (each
    one's candidates, read as a query's are): every candidate but the row itself is
    another person. Returns the counts and the number of pairs per kind of pair (the
    strata: all their pairs)."""
    counts = {x: {c: [0] * len(LEVELS[c]) for c in COMPARISONS} for x in CONTEXTS}
    pairs = dict.fromkeys(CONTEXTS, 0)
    for (s, row_id, query), found in zip(pseudo, blocks, strict=True):
        for other in found:
            if other.id == row_id:
                continue
            levels, _ = comparison_levels(query, other)
            kind = context(s, NAME, levels)
            pairs[s] += 1
            if kind != s:
                pairs[kind] += 1
            for c, level in zip(COMPARISONS, levels, strict=True):
                if level != MISSING:
                    counts[context(s, c, levels)][c][_INDEX[c][level]] += 1
    return counts, pairs


def _probabilities(counts: dict[str, dict[str, list[float]]]) -> dict:
    out = {x: {c: _normalised(counts[x][c], LEVELS[c]) for c in COMPARISONS} for x in CONTEXTS}
    # Never used (``context``): copies, so that every table is whole.
    for x in (NIK_PREFIX, NIK_TYPO, FAMILY):
        out[x][NIK] = dict(out[WITH_NIK][NIK])
    out[FAMILY][KK] = dict(out[WITH_NIK][KK])
    for c in COMPARISONS:
        if c != KK:
            out[NIK_TYPO][c] = dict(out[WITH_NIK][c])
    return out


def _initial_m() -> dict[str, dict[str, float]]:
    """A start for EM: the first level likely, the others less and less."""
    out = {}
    for c in COMPARISONS:
        levels = LEVELS[c]
        weights = [0.9] + [0.1 * 0.5**i for i in range(len(levels) - 1)]
        total = sum(weights)
        out[c] = {level: w / total for level, w in zip(levels, weights, strict=True)}
    return out


def em(
    patterns: Counter,
    u_counts: dict[str, dict[str, list[int]]],
    *,
    refine_u: bool = False,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
) -> tuple[dict, dict, dict[str, float], dict]:
    """m, u and the share of matching pairs per stratum by EM over the distinct patterns.

    ``patterns``: (stratum, levels) -> number of blocked pairs with that comparison
    pattern. ``u_counts``: level counts of pairs known to be two people (``count_u``).
    With ``refine_u`` those are joined by the batch's own pairs as far as EM takes them for
    non-matches (a semi-supervised EM: the known pairs anchor u, the batch fills in kinds
    of pair the sample has few of); else u is the known pairs' alone. m is shared by all
    kinds of pair (a typing error does not care who else is in the block).
    Returns (m, u, share of matching pairs per stratum, stats)."""
    rows = []
    for (s, levels), n in patterns.items():
        cells = tuple(
            (k, _INDEX[c][level], context(s, c, levels))
            for k, (c, level) in enumerate(zip(COMPARISONS, levels, strict=True))
            if level != MISSING
        )
        rows.append((s, cells, n))
    initial = _initial_m()
    m_list = [[initial[c][lv] for lv in LEVELS[c]] for c in COMPARISONS]
    u = _probabilities(u_counts)
    u_list = {x: [[u[x][c][lv] for lv in LEVELS[c]] for c in COMPARISONS] for x in CONTEXTS}
    share = dict.fromkeys(STRATA, 0.3)
    iterations = 0
    change = 1.0
    log_likelihood = 0.0
    while iterations < max_iterations and change > tolerance:
        iterations += 1
        expected_m = [[0.0] * len(LEVELS[c]) for c in COMPARISONS]
        expected_u = {
            x: [[float(v) for v in u_counts[x][c]] for c in COMPARISONS] for x in CONTEXTS
        }
        matched = dict.fromkeys(STRATA, 0.0)
        total = dict.fromkeys(STRATA, 0.0)
        log_likelihood = 0.0
        for s, cells, n in rows:
            pm, pu = share[s], 1.0 - share[s]
            for k, level, x in cells:
                pm *= m_list[k][level]
                pu *= u_list[x][k][level]
            g = pm / (pm + pu)
            log_likelihood += n * math.log(pm + pu)
            matched[s] += n * g
            total[s] += n
            for k, level, x in cells:
                expected_m[k][level] += n * g
                expected_u[x][k][level] += n * (1.0 - g)
        new_m = []
        for k, c in enumerate(COMPARISONS):
            t = sum(expected_m[k]) + _SMOOTHING * len(LEVELS[c])
            new_m.append([(v + _SMOOTHING) / t for v in expected_m[k]])
        new_u = u_list
        if refine_u:
            probabilities = _probabilities(
                {x: {c: expected_u[x][k] for k, c in enumerate(COMPARISONS)} for x in CONTEXTS}
            )
            new_u = {
                x: [[probabilities[x][c][lv] for lv in LEVELS[c]] for c in COMPARISONS]
                for x in CONTEXTS
            }
        new_share = {s: (matched[s] / total[s] if total[s] else 0.3) for s in STRATA}
        change = max(
            max(abs(a - b) for old, new in zip(m_list, new_m, strict=True)
                for a, b in zip(old, new, strict=True)),
            max(abs(a - b) for x in CONTEXTS
                for old, new in zip(u_list[x], new_u[x], strict=True)
                for a, b in zip(old, new, strict=True)),
            max(abs(share[s] - new_share[s]) for s in STRATA),
        )  # fmt: skip
        m_list, u_list, share = new_m, new_u, new_share
    m_out = {c: dict(zip(LEVELS[c], m_list[k], strict=True)) for k, c in enumerate(COMPARISONS)}
    u_out = {
        x: {c: dict(zip(LEVELS[c], u_list[x][k], strict=True)) for k, c in enumerate(COMPARISONS)}
        for x in CONTEXTS
    }
    stats = {
        "em_iterations": iterations,
        "em_converged": change <= tolerance,
        "em_log_likelihood": round(log_likelihood, 3),
    }
    return m_out, u_out, share, stats


def name_frequencies(rows: Iterable[Candidate]) -> tuple[dict[str, int], int, float]:
    """Name keys seen at least twice, the number of rows, and the sum of the squared
    frequencies (the chance that two rows drawn at random share their name)."""
    counts = Counter(c.name_key for c in rows if c.name_key)
    n = sum(counts.values())
    squares = sum(k * k for k in counts.values()) / (n * n) if n else 0.0
    return {k: v for k, v in counts.items() if v > 1}, n, squares


def derive_thresholds(best: Sequence[float], targets: Targets) -> tuple[float, float, float]:
    """(auto, review, auto before ``min_auto``) from the probabilities of each query's best
    candidate: see the module docstring. A threshold is one of the probabilities, and takes
    all the rows at it."""
    ordered = sorted(best, reverse=True)
    auto = 1.0
    wrong = 0.0
    n = 0
    for p, group in groupby(ordered):
        size = len(list(group))
        wrong += size * (1.0 - p)
        n += size
        if wrong > targets.false_link_rate * n:
            break
        auto = p
    fdr_auto = auto
    auto = max(auto, targets.min_auto)
    allowed = targets.missed_link_rate * sum(ordered)
    review = auto
    lost = 0.0
    for p, group in groupby(reversed(ordered)):
        if p >= auto:
            break
        lost += p * len(list(group))
        if lost > allowed:
            review = p
            break
    return auto, review, fdr_auto


def estimate(
    queries: Sequence[Person],
    candidates: Sequence[Sequence[Candidate]],
    *,
    rows: Sequence[Candidate],
    blocks_of: Callable[[list[Person]], Sequence[Sequence[Candidate]]],
    u_rows: Sequence[Candidate] | None = None,
    targets: Targets = Targets(),  # noqa: B008 - frozen
    u_sample: int = 4000,
    refine_u: bool = False,
    seed: int = 0,
) -> Parameters:
    """Learn the parameters from a batch: ``queries`` with their ``candidates`` (each
    query's blocked register rows) and ``rows``, the register rows read (name frequencies).
    u comes from ``u_sample`` rows of ``u_rows`` (default ``rows``; better the register at
    random) made queries, whose candidates ``blocks_of`` reads as a batch's are read."""
    sample_from = u_rows if u_rows is not None else rows
    pseudo = pseudo_queries(sample_from, queries, sample=u_sample, seed=seed)
    u_counts, u_pairs = count_u(pseudo, blocks_of([q for _s, _id, q in pseudo]))
    patterns: Counter = Counter()
    pair_count = dict.fromkeys(STRATA, 0)
    query_count = Counter()
    compared = []
    for query, found in zip(queries, candidates, strict=True):
        s = stratum(query)
        query_count[s] += 1
        levels_of = []
        seen = set()
        for c in found:
            if c.id in seen:
                continue
            seen.add(c.id)
            levels, _ = comparison_levels(query, c)
            patterns[s, levels] += 1
            pair_count[s] += 1
            levels_of.append((c, levels))
        compared.append(levels_of)
    m, u, share, stats = em(patterns, u_counts, refine_u=refine_u)
    prior = {
        s: min(0.999, share[s] * pair_count[s] / query_count[s]) if query_count[s] else 0.5
        for s in STRATA
    }
    counts, n_rows, squares = name_frequencies(rows)
    params = Parameters(
        m=m, u=u, prior=prior, name_counts=counts, name_rows=n_rows, name_u_exact=squares,
        auto=1.0, review=1.0, targets=asdict(targets),
        stats={
            **stats, "patterns": len(patterns), "queries": len(queries),
            **{f"pairs_{s}": pair_count[s] for s in STRATA},
            **{f"u_pairs_{x}": n for x, n in u_pairs.items()},
        },
    )  # fmt: skip
    model = Model(params)
    best = []
    for query, levels_of in zip(queries, compared, strict=True):
        if levels_of:
            scored = model.score(query, levels_of)
            best.append(scored[0].probability)
    params.auto, params.review, fdr_auto = derive_thresholds(best, targets)
    params.stats["auto_from_false_link_rate"] = fdr_auto
    params.stats.update({f"match_share_{s}": share[s] for s in STRATA})
    return params


# --- more blocks ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtraKeys:
    """Blocks ``linkage.block_keys`` does not read, for queries without a valid NIK (whose
    NIK would otherwise find the person):

    - ``district_years``: (kecamatan, year) when the birth date is 1 January, often
      written when only the year is known;
    - ``district_words``: (kecamatan, name word) when there is no birth date either: the
      rows of the kecamatan with a word of the name (not a common one), whatever the order.
    """

    district_years: frozenset[tuple[str, int]]
    district_words: frozenset[tuple[str, str]]


def _block_words(name_key: str) -> set[str]:
    return {w for w in name_key.split() if len(w) > 2 and w not in COMMON_PARTS}


def _extra_keys_of(person: Person) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
    district = linkage.district_of(person.village_code)
    if _is_nik16(person.nik) or not district:
        return [], []
    born = person.birth_date
    if born is None:
        return [], [(district, w) for w in sorted(_block_words(person.name_key))]
    if _is_january_first(born):
        return [(district, born.year)], []
    return [], []


def extra_block_keys(queries: Iterable[Person]) -> ExtraKeys:
    """The extra blocks ``queries`` need; see ``ExtraKeys``."""
    years: set[tuple[str, int]] = set()
    words: set[tuple[str, str]] = set()
    for person in queries:
        y, w = _extra_keys_of(person)
        years.update(y)
        words.update(w)
    return ExtraKeys(frozenset(years), frozenset(words))


def in_extra_blocks(c: Candidate, keys: ExtraKeys) -> bool:
    """Whether register row ``c`` is in one of the blocks of ``keys``."""
    district = linkage.district_of(c.village_code)
    if c.birth_date is not None and (district, c.birth_date.year) in keys.district_years:
        return True
    return any((district, w) in keys.district_words for w in _block_words(c.name_key))


class CandidateIndex(linkage.CandidateIndex):
    """``linkage.CandidateIndex`` with the blocks of ``ExtraKeys`` too (indexed when first
    asked for: most queries have a NIK and need none)."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._rows: list[Candidate] = []
        self._by_year: dict[tuple[str, int], list[Candidate]] | None = None
        self._by_word: dict[tuple[str, str], list[Candidate]] | None = None
        super().__init__(candidates)

    def add(self, c: Candidate) -> None:
        super().add(c)
        self._rows.append(c)
        if self._by_year is not None:
            self._add_extra(c)

    def _add_extra(self, c: Candidate) -> None:
        district = linkage.district_of(c.village_code)
        if c.birth_date is not None:
            self._by_year.setdefault((district, c.birth_date.year), []).append(c)
        for w in _block_words(c.name_key):
            self._by_word.setdefault((district, w), []).append(c)

    def extra_blocks(self, keys: ExtraKeys) -> list[Candidate]:
        """The indexed rows in the blocks of ``keys``, each once."""
        if self._by_year is None:
            self._by_year, self._by_word = {}, {}
            for c in self._rows:
                self._add_extra(c)
        out: dict[Hashable, Candidate] = {}
        groups = [self._by_year.get(k, ()) for k in keys.district_years]
        groups += [self._by_word.get(k, ()) for k in keys.district_words]
        for group in groups:
            for c in group:
                out.setdefault(c.id, c)
        return list(out.values())

    def candidates_for(self, person: Person) -> list[Candidate]:
        found = super().candidates_for(person)
        years, words = _extra_keys_of(person)
        if not (years or words):
            return found
        seen = {c.id for c in found}
        groups = [self.extra_blocks(ExtraKeys(frozenset(years), frozenset(words)))]
        for group in groups:
            for c in group:
                if c.id not in seen:
                    seen.add(c.id)
                    found.append(c)
        return found


# --- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """One comparison of a scored candidate: its level and the weight (log2 Bayes factor)
    it added; ``frequency``: the part of it from the name's frequency (exact names)."""

    comparison: str
    level: str
    weight: float
    frequency: float = 0.0


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate as the model judged it: ``weight`` the sum of the evidence's weights,
    ``probability`` the posterior that it is the query's person (given all candidates)."""

    candidate: Candidate
    evidence: tuple[Evidence, ...]
    weight: float
    probability: float
    flags: tuple[str, ...] = ()

    def level(self, comparison: str) -> str:
        return self.evidence[COMPARISONS.index(comparison)].level


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome: ``status`` (``match``, ``review``, ``none``), the chosen candidate and
    its probability, the best ``MAX_CANDIDATES`` candidates (best first) and the flags."""

    status: str
    candidate: Candidate | None = None
    probability: float = 0.0
    candidates: tuple[Scored, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def best(self) -> Scored | None:
        return self.candidates[0] if self.candidates else None

    @property
    def runner_up(self) -> Scored | None:
        return self.candidates[1] if len(self.candidates) > 1 else None


class Model:
    """Scores candidates with ``Parameters``: weights looked up once per level."""

    def __init__(self, parameters: Parameters) -> None:
        self.parameters = parameters
        p = parameters
        self._weights = {
            x: [{lv: p.weight(x, c, lv) for lv in (*LEVELS[c], MISSING)} for c in COMPARISONS]
            for x in CONTEXTS
        }
        self._name_u = p.name_u_exact
        self._name_rows = max(1, p.name_rows)
        self._frequency_cache: dict[str, float] = {}
        self._pattern_cache: dict[tuple, list[float]] = {}
        self._evidence_cache: dict[tuple, tuple[tuple[Evidence, ...], float]] = {}

    def _pattern_weights(self, stratum_: str, levels: tuple[str, ...]) -> list[float]:
        key = (stratum_, levels)
        found = self._pattern_cache.get(key)
        if found is None:
            found = [
                self._weights[context(stratum_, c, levels)][k][level]
                for k, (c, level) in enumerate(zip(COMPARISONS, levels, strict=True))
            ]
            self._pattern_cache[key] = found
        return found

    def frequency_weight(self, name_key: str) -> float:
        """What an exact agreement on ``name_key`` adds beyond the mean exact agreement:
        log2(mean chance of sharing a name / frequency of this name)."""
        cached = self._frequency_cache.get(name_key)
        if cached is None:
            if self._name_u <= 0:
                cached = 0.0
            else:
                count = self.parameters.name_counts.get(name_key, 1)
                cached = math.log2(self._name_u / (count / self._name_rows))
            self._frequency_cache[name_key] = cached
        return cached

    def _evidence(self, stratum_: str, levels: tuple[str, ...], name_key: str):
        """(the evidence of a comparison pattern, its total weight); an exact name adds its
        frequency weight. Kept per pattern and name weight: many candidates share them."""
        extra = self.frequency_weight(name_key) if levels[1] == EXACT else 0.0
        key = (stratum_, levels, extra)
        found = self._evidence_cache.get(key)
        if found is None:
            weights = self._pattern_weights(stratum_, levels)
            evidence = []
            total = 0.0
            for k, level in enumerate(levels):
                w = weights[k]
                frequency = 0.0
                if k == 1 and level == EXACT:
                    frequency = extra
                    w += extra
                total += w
                evidence.append(Evidence(COMPARISONS[k], level, round(w, 3), round(frequency, 3)))
            found = (tuple(evidence), total)
            self._evidence_cache[key] = found
        return found

    def score(self, query: Person, compared: Sequence[tuple[Candidate, tuple[str, ...]]]):
        """Candidates with their levels -> ``Scored``, most likely first."""
        s = stratum(query)
        prior = self.parameters.prior[s]
        per_candidate = prior / max(1, len(compared))
        raw = [(c, *self._evidence(s, levels, c.name_key)) for c, levels in compared]
        top = max((t for _c, _e, t in raw), default=0.0)
        # Bayes factors relative to the best one, so that 2**weight stays a float.
        none = (1.0 - prior) * 2.0**-top if top > -1000 else math.inf
        denominator = none + per_candidate * math.fsum(2.0 ** (t - top) for _c, _e, t in raw)
        out = [
            Scored(c, e, round(t, 3), per_candidate * 2.0 ** (t - top) / denominator)
            for c, e, t in raw
        ]
        out.sort(key=lambda x: (-x.probability, -x.weight, str(x.candidate.id)))
        return out

    def match(self, query: Person, candidates: Iterable[Candidate]) -> Result:
        """Match ``query`` against its blocked register rows; see the module docstring."""
        pool: dict[Hashable, Candidate] = {}
        for c in candidates:
            pool.setdefault(c.id, c)
        if not pool:
            return Result(status=NONE)
        compared = [(c, comparison_levels(query, c)[0]) for c in pool.values()]
        scored = self.score(query, compared)
        return self._decide(query, scored)

    def _decide(self, query: Person, scored: list[Scored]) -> Result:
        p = self.parameters
        nik = query.nik if _is_nik16(query.nik) else ""
        # A NIK one slip away from a register row named wholly otherwise: the slip landed on
        # another real person (serials are dense), not on this one. Left out; the others
        # keep their probabilities (what it had goes to "nobody").
        scored = [
            x for x in scored
            if not (x.level(NIK) in (TYPO, SERIAL_TYPO) and x.level(NAME) == DIFFERENT)
        ]  # fmt: skip
        if not scored:
            return Result(status=NONE)
        owners = [x for x in scored if nik and x.candidate.nik == nik]
        agreeing = [x for x in owners if x.level(NAME) in NAME_AGREES]
        flags: list[str] = []
        if agreeing:
            # The NIK's owner is never passed over: first, and nobody else is a match.
            first = agreeing[0]
            scored = [first, *(x for x in scored if x is not first)]
            flags.append(FLAG_OWNER)
        best = scored[0]
        status = MATCH if best.probability >= p.auto else (
            REVIEW if best.probability >= p.review else NONE
        )  # fmt: skip
        if agreeing and status == NONE:
            status = REVIEW
        best_nik = best.level(NIK)
        if best_nik == EQUAL and best.level(NAME) not in NAME_AGREES:
            # The NIK as typed, named otherwise: a typo may have landed on this person.
            flags.append(FLAG_NAME_CONFLICT)
            if status == MATCH:
                status = REVIEW
            typed_for = _typo_of(scored) if best.level(KK) != EQUAL else None
            if typed_for is not None and status == REVIEW:
                # The person the typo was meant for (their name and birth date, a NIK one
                # slip away) is offered first, the NIK's owner beside them; unless the row's
                # family card is the owner's.
                scored = [typed_for, *(x for x in scored if x is not typed_for)]
                best = typed_for
        if best_nik in (SAME_PREFIX, DIFFERENT):
            # A namesake with a NIK of their own.
            flags.append(FLAG_NIK_CONFLICT)
            if status == MATCH:
                status = REVIEW
        others = [x for x in owners if x is not best]
        if others and not agreeing:
            flags.append(FLAG_NIK_OF_OTHER)
            if status == MATCH and not _typo_past_owners(query, best, others):
                status = REVIEW
        if (
            status != NONE
            and best_nik == SERIAL_TYPO
            and best.candidate.nik[:12] == nik[:12]
            and (best.level(PLACE) != SAME_VILLAGE or best.level(KK) == DIFFERENT)
            and _serial_doubt(nik, scored)
        ):
            # Flagged on a review too: a reviewer (and "confirm the obvious ones") sees why.
            flags.append(FLAG_SERIAL_DOUBT)
            status = REVIEW
        if (
            not nik
            and best.level(KK) != EQUAL
            and best.level(BIRTH_DATE) in (NEAR, JANUARY_FIRST, MISSING)
            and best.evidence[1].frequency <= 0
        ):
            flags.append(FLAG_NAMESAKE)
            if status == MATCH:
                status = REVIEW
        runner = scored[1] if len(scored) > 1 else None
        if (
            runner is not None
            and best.probability < p.auto
            and best.probability + runner.probability >= p.auto
        ):
            # One of the two, surely; which one, not: a reviewer's choice, not a coin's.
            flags.append(FLAG_AMBIGUOUS)
            status = REVIEW
        offered = tuple(
            _with_flags(x, tuple(flags) if i == 0 else _own_flags(x, query, nik))
            for i, x in enumerate(scored[:MAX_CANDIDATES])
        )
        return Result(
            status=status,
            candidate=best.candidate if status != NONE else None,
            probability=best.probability,
            candidates=offered,
            flags=tuple(flags),
        )


def _with_flags(scored: Scored, flags: tuple[str, ...]) -> Scored:
    """``scored`` with the flags it is offered with."""
    return Scored(scored.candidate, scored.evidence, scored.weight, scored.probability, flags)


def _own_flags(x: Scored, query: Person, nik: str) -> tuple[str, ...]:
    flags: tuple[str, ...] = ()
    if x.level(NIK) in (SAME_PREFIX, DIFFERENT):
        flags += (FLAG_NIK_CONFLICT,)
    if nik and x.candidate.nik == nik:
        flags += (FLAG_OWNER,) if x.level(NAME) in NAME_AGREES else (FLAG_NIK_OF_OTHER,)
    return flags


def _typo_of(scored: list[Scored]) -> Scored | None:
    """The candidate a NIK typo most likely meant: a NIK one slip away, the same name and
    birth date (the most likely of them); None when there is none."""
    return next(
        (
            x
            for x in scored
            if x.level(NIK) in (TYPO, SERIAL_TYPO)
            and x.level(NAME) in NAME_SAME
            and x.level(BIRTH_DATE) == EQUAL
        ),
        None,
    )


def _typo_past_owners(query: Person, best: Scored, owners: list[Scored]) -> bool:
    """Whether a NIK typo may be a match although the NIK as typed is ``owners``': each owner
    lives in another village and is named otherwise, and the typo's row has the same name,
    birth date and village, and no other KK (as ``linkage._typo_past_owners``)."""
    return (
        best.level(NIK) in (TYPO, SERIAL_TYPO)
        and all(o.level(PLACE) != SAME_VILLAGE and o.level(NAME) == DIFFERENT for o in owners)
        and best.level(NAME) in NAME_SAME
        and best.level(BIRTH_DATE) == EQUAL
        and best.level(PLACE) == SAME_VILLAGE
        and best.level(KK) != DIFFERENT
    )


def _serial_doubt(nik: str, scored: list[Scored]) -> bool:
    """Whether the typed serial is one the district may have issued: at most SERIAL_SLACK
    above the highest serial of the same first 12 digits among the candidates."""
    prefix = nik[:12]
    issued = [
        int(x.candidate.nik[12:])
        for x in scored
        if x.candidate.nik[:12] == prefix and _is_nik16(x.candidate.nik)
    ]
    return int(nik[12:]) <= max(issued, default=0) + SERIAL_SLACK


def match(query: Person, candidates: Iterable[Candidate], parameters: Parameters) -> Result:
    """``Model(parameters).match(query, candidates)``; keep a ``Model`` for many queries."""
    return Model(parameters).match(query, candidates)


# --- explaining ----------------------------------------------------------------------------

_FACTS: dict[str, dict[str, str]] = {
    NIK: {
        EQUAL: gettext_noop("The NIK is the same."),
        TYPO: gettext_noop("The NIK differs by one digit, or two digits swapped."),
        SERIAL_TYPO: gettext_noop(
            "The NIK differs by one digit, or two digits swapped, in its serial (the last "
            "four digits) or in the sex it encodes."
        ),
        SAME_PREFIX: gettext_noop(
            "The NIK has the same district and birth date digits but another serial: "
            "another person's NIK."
        ),
        DIFFERENT: gettext_noop("The NIK is another one."),
        MISSING: gettext_noop("The NIK is not compared: one side has none."),
    },
    NAME: {
        EXACT: gettext_noop("The name is the same."),
        REORDERED: gettext_noop("The name has the same parts, in another order or joined."),
        VERY_CLOSE: gettext_noop("The name is very close (a spelling or typing difference)."),
        ONE_EDIT: gettext_noop(
            "The name differs by one letter (wrong, missing, added, or two swapped)."
        ),
        PART_DROPPED: gettext_noop("The name is the same with a part left out or shortened."),
        CLOSE: gettext_noop("The name is similar."),
        ALIKE: gettext_noop("The name is alike as written (several letters differ)."),
        COMMON_PART: gettext_noop(
            "The name shares only a common part (such as Muhammad, Siti or Sri); the rest "
            "is left out or shortened."
        ),
        PARTIAL: gettext_noop("The name is alike in part only."),
        DIFFERENT: gettext_noop("The name is different."),
        MISSING: gettext_noop("The name is not compared: one side has none."),
    },
    BIRTH_DATE: {
        EQUAL: gettext_noop("The birth date is the same."),
        NEAR: gettext_noop(
            "The birth date is near: day and month swapped, a day apart, or one digit different."
        ),
        JANUARY_FIRST: gettext_noop(
            "One birth date is 1 January of the same year, as written when only the year is known."
        ),
        SAME_YEAR: gettext_noop("The birth date is in the same year only."),
        DIFFERENT: gettext_noop("The birth date is different."),
        MISSING: gettext_noop("The birth date is not compared: one side has none."),
    },
    KK: {
        EQUAL: gettext_noop("The family card number (KK) is the same."),
        DIFFERENT: gettext_noop("The family card number (KK) is different."),
        MISSING: gettext_noop("The family card number (KK) is not compared: one side has none."),
    },
    PLACE: {
        SAME_VILLAGE: gettext_noop("They live in the same village."),
        SAME_DISTRICT: gettext_noop("They live in another village of the same kecamatan."),
        SAME_REGENCY: gettext_noop("They live in another kecamatan of the same regency."),
        ELSEWHERE: gettext_noop("They live in another regency."),
        MISSING: gettext_noop("The village is not compared: one side has none."),
    },
    SEX: {
        EQUAL: gettext_noop("The sex is the same."),
        DIFFERENT: gettext_noop("The sex is different."),
        MISSING: gettext_noop("The sex is not compared: one side has none."),
    },
    ADDRESS: {
        EQUAL: gettext_noop("The address is the same (street or hamlet, RT and RW)."),
        SAME_RT_RW: gettext_noop(
            "The RT and RW are the same; the street or hamlet is not, or is not written."
        ),
        SAME_PLACE: gettext_noop(
            "The street or hamlet is the same; the RT or RW is not, or is not written."
        ),
        DIFFERENT: gettext_noop("The address is different."),
        MISSING: gettext_noop(
            "The address is not compared: one side has none, or they live in different villages."
        ),
    },
}
MSG_COMMON_NAME = gettext_noop("It is a common name, so it counts for less.")
MSG_RARE_NAME = gettext_noop("It is a rare name, so it counts for more.")
MSG_STRONG_FOR = gettext_noop("Strong evidence for this person (%(weight)s).")
MSG_FOR = gettext_noop("Evidence for this person (%(weight)s).")
MSG_LITTLE = gettext_noop("Says little either way (%(weight)s).")
MSG_AGAINST = gettext_noop("Evidence against this person (%(weight)s).")
MSG_STRONG_AGAINST = gettext_noop("Strong evidence against this person (%(weight)s).")
MSG_NO_EVIDENCE = gettext_noop("No evidence either way.")
MSG_DIFFERS_FOR = gettext_noop(
    "It differs, but the other people such a search finds share it even more rarely, so "
    "it still counts for this person (%(weight)s)."
)
MSG_PROBABILITY = gettext_noop(
    "Taken together: %(percent)s likely to be this person, among %(count)s candidates."
)
_FLAG_MESSAGES = {
    FLAG_OWNER: gettext_noop("This register row holds the NIK as entered."),
    FLAG_NIK_OF_OTHER: gettext_noop(
        "The NIK as entered belongs to another person in the register."
    ),
    FLAG_NIK_CONFLICT: gettext_noop(
        "Both have a NIK and they are unrelated: this may be a namesake."
    ),
    FLAG_AMBIGUOUS: gettext_noop("Another register row is nearly as likely."),
    FLAG_SERIAL_DOUBT: gettext_noop(
        "The NIK differs only in its serial, which the district may have given to a "
        "namesake born the same day."
    ),
    FLAG_NAME_CONFLICT: gettext_noop(
        "The NIK as entered is this person's, but the name is another: a mistyped NIK may "
        "have landed on them."
    ),
    FLAG_NAMESAKE: gettext_noop(
        "Without a NIK or the same KK, and with a common name and a birth date that is not "
        "quite the same, a namesake in the village is as likely as this person."
    ),
}
# The levels that say "not the same": a positive weight on one of them is explained.
_DISAGREEMENTS = frozenset(
    {(NIK, SAME_PREFIX), (NIK, DIFFERENT), (NAME, PARTIAL), (NAME, DIFFERENT),
     (BIRTH_DATE, SAME_YEAR), (BIRTH_DATE, DIFFERENT), (KK, DIFFERENT), (PLACE, SAME_REGENCY),
     (PLACE, ELSEWHERE), (SEX, DIFFERENT), (ADDRESS, DIFFERENT)}
)  # fmt: skip
# Weights (bits) from which evidence is called strong, or little.
_STRONG = 6.0
_LITTLE = 1.0


def _effect(weight: float) -> str:
    if weight >= _STRONG:
        return MSG_STRONG_FOR
    if weight >= _LITTLE:
        return MSG_FOR
    if weight > -_LITTLE:
        return MSG_LITTLE
    if weight > -_STRONG:
        return MSG_AGAINST
    return MSG_STRONG_AGAINST


def describe(comparison: str, level: str) -> str:
    """A comparison's level in words (an English message id)."""
    return _FACTS[comparison][level]


def percent_digits(percent: float) -> int:
    """The decimals (one to four) a percentage needs so as not to read 100 % when it is
    less, nor 0 % when it is more: 99.996 % is not certain."""
    for digits in range(1, 5):
        shown = round(percent, digits)
        if (shown < 100 or percent >= 100) and (shown > 0 or percent <= 0):
            return digits
    return 4


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def explain(
    scored: Scored,
    *,
    candidates: int = 1,
    translate: Callable[[str], str] = lambda s: s,
    number: Callable[[float, int], str] = _number,
) -> list[str]:
    """The evidence of one candidate in words, a sentence or two per comparison (every
    comparison, missing ones too), then the flags and the probability. ``translate``: the
    caller's gettext; ``number(value, decimals)``: the caller's number format (a decimal
    point by default). The weights are shown in bits (+ for, - against)."""

    def signed(weight: float) -> str:
        return ("+" if weight >= 0 else "-") + number(abs(weight), 1)

    lines = []
    for e in scored.evidence:
        parts = [translate(_FACTS[e.comparison][e.level])]
        if e.frequency >= _LITTLE:
            parts.append(translate(MSG_RARE_NAME))
        elif e.frequency <= -_LITTLE:
            parts.append(translate(MSG_COMMON_NAME))
        if e.level == MISSING:
            parts.append(translate(MSG_NO_EVIDENCE))
        elif e.weight >= _LITTLE and (e.comparison, e.level) in _DISAGREEMENTS:
            parts.append(translate(MSG_DIFFERS_FOR) % {"weight": signed(e.weight)})
        else:
            parts.append(translate(_effect(e.weight)) % {"weight": signed(e.weight)})
        lines.append(" ".join(parts))
    lines += [translate(_FLAG_MESSAGES[f]) for f in scored.flags if f in _FLAG_MESSAGES]
    percent = 100 * scored.probability
    lines.append(
        translate(MSG_PROBABILITY)
        % {"percent": f"{number(percent, percent_digits(percent))} %", "count": candidates}
    )
    return lines
