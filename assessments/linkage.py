"""Record linkage (padanan): find a person in the DTSEN register. Pure Python, no Django.

A query (a client, or a row of a proposal list) is compared with the register rows of its
blocks (``block_keys`` says which rows to read, ``CandidateIndex`` hands each query its
own) by five rules, strongest first:

``nik_exact``          the same NIK. Refused when name AND birth date both disagree; with
                       only the name disagreeing it is a review, not a match: a typo that
                       lands on another person's NIK usually keeps the birth date (the
                       serial digits), so an agreeing birth date proves little.
``nik_typo``           a NIK one substitution or one swap of two digits away, confirmed by
                       name and birth date. When the NIK as typed belongs to another
                       register row (``nik_of_other``) it is a review, unless that row is
                       named otherwise and lives in another village while the typo's row
                       has the same name, birth date and village; a typo confined to the
                       serial may be a namesake born the same day, so it also needs the
                       same village unless the typed serial was never issued.
``kk_name``            the same family card number (KK) and the same name.
``name_dob_village``   the same name and birth date in the same village,
``name_dob_district``  ... in the same district: meant for a missing or unreadable NIK;
                       a query NIK that points elsewhere costs enough to make it a review.

Each rule gives a score in [0, 1] (``_RULES``, less penalties for conflicting KK, NIK or
sex); the best candidate is a ``match`` at ``Thresholds.auto``, a ``review`` at
``Thresholds.review``, else ``none``. A runner-up within ``Thresholds.ambiguity_margin``
turns a match into a review. The result does not depend on the order of the candidates.

A result offers a reviewer its best three register rows (``MatchResult.candidates``), and
``compare`` says field by field what agrees and what differs, in stable codes.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Hamming, Indel

from cases.nik import FEMALE, FEMALE_DAY_OFFSET, MALE, normalise_nik

# Stored beside ``RegisterRow.name_key``: a change of the rules below changes the keys, and
# stored keys of another version must be computed again.
NAME_KEY_VERSION = 1

MATCH = "match"
REVIEW = "review"
NONE = "none"

NIK_EXACT = "nik_exact"
NIK_TYPO = "nik_typo"
KK_NAME = "kk_name"
NAME_DOB_VILLAGE = "name_dob_village"
NAME_DOB_DISTRICT = "name_dob_district"
METHODS = (NIK_EXACT, NIK_TYPO, KK_NAME, NAME_DOB_VILLAGE, NAME_DOB_DISTRICT)
_RANK = {method: rank for rank, method in enumerate(METHODS)}

EQUAL = "equal"
ONE_SUBSTITUTION = "one_substitution"
ADJACENT_TRANSPOSITION = "adjacent_transposition"
TRANSPOSITION = "transposition"  # two digits swapped that are not neighbours
OTHER = "other"
NIK_TYPOS = frozenset({ONE_SUBSTITUTION, ADJACENT_TRANSPOSITION, TRANSPOSITION})

# Flags a reviewer sees on a result.
FLAG_AMBIGUOUS = "ambiguous"  # another register row scored almost as high
FLAG_NIK_OF_OTHER = "nik_of_other"  # the NIK as typed belongs to another register row
FLAG_NIK_CONFLICT = "nik_conflict"  # both have a NIK, and they are unrelated
FLAG_KK_CONFLICT = "kk_conflict"  # both have a KK, and they differ
FLAG_SEX_CONFLICT = "sex_conflict"
# A NIK typo in the serial (or the sex) the district may have issued to a namesake born the
# same day, away from the village or family card: the score pays SERIAL_TYPO_PENALTY.
FLAG_SERIAL_DOUBT = "serial_doubt"


# --- names ------------------------------------------------------------------------------


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Titles written before a name: pilgrimage, academic, professional, forms of address.
# Removed only from the front (a trailing "H" is more likely an initial).
_PREFIX_TITLES = _word_set(
    "h hj haji hajjah hajah kh dr drs dra ir prof ust ustad ustadz ustadzah tn ny nn nona "
    "sdr sdri bpk bapak ibu pak bu alm almh almarhum almarhumah ns apt drg"
)
# Degrees written after a name, compared without their dots ("S.Pd." -> "spd"). Removed
# only from the end, so a given name such as "Se" or "Ma" in the middle is kept.
_DEGREES = _word_set(
    "spd spdi sag sos ssos se sh shi sip skom ssi st skm skep sked ked sfarm sgz stp sp ssn "
    "sthi sak spsi sikom sei sh msi mpd mag mm mh mkes mkom mt msc ma mba mhum mpsi mkep "
    "amd amdkeb amdkep amk ak bsc ba phd mba lc ns apt"
)
# "bin" / "binti" + the father's name: the patronymic is present in some sources and absent
# in others, so the key keeps only the person's own name. As a first word "Binti" is a
# given name (Javanese): only a later "bin"/"binti" starts a patronymic.
_PATRONYMIC = frozenset({"bin", "binti", "bt", "bte", "binte", "bint"})

# Old (pre-1972) spelling and common transliteration variants, applied inside each word,
# in this order: oe->u (Soekarno), tj->c (Tjahjo), dj->j (Djoko), then j->y (Jusuf, and
# also the modern j: the key treats j and y as one letter, so that an old "Djoko", the new
# "Joko" and a "Yoko" meet; a name always comes with a birth date and an area, so the lost
# distinction does not make two people one). Then the Arabic-origin pairs sy/s, kh/h, ch/h,
# sh/s, dh/d, th/t, ph/f, q/k, and v/f. Then double letters are single (Noor -> nor, which
# the table below makes "nur").
_SPELLING = (
    ("oe", "u"),
    ("tj", "c"),
    ("dj", "j"),
    ("j", "y"),
    ("sy", "s"),
    ("kh", "h"),
    ("ch", "h"),
    ("sh", "s"),
    ("dh", "d"),
    ("th", "t"),
    ("ph", "f"),
    ("q", "k"),
    ("v", "f"),
)
_DOUBLE = re.compile(r"(.)\1+")  # Muhammad -> muhamad, Sitti -> siti, Ferry -> feri
_FINAL_Y = re.compile(r"(?<=[^aeiou])y$")  # Rudy -> rudi, Yanty -> yanti
_FINAL_H = re.compile(r"(?<=[aeiou])h$")  # Aisyah -> aisya, Fatimah -> fatima

# Words spelt in many ways, after the rewriting above, to one form.
_WORDS = {
    "muhamad": "muhamad",
    "mohamad": "muhamad",
    "mohamed": "muhamad",
    "muhamed": "muhamad",
    "mohamat": "muhamad",
    "muhamat": "muhamad",
    "moh": "muhamad",
    "muh": "muhamad",
    "mhd": "muhamad",
    "mhmd": "muhamad",
    "mohd": "muhamad",
    "muhd": "muhamad",
    "ahmed": "ahmad",
    "ahmat": "ahmad",
    "abd": "abdul",
    "abdol": "abdul",
    "nor": "nur",
    "st": "siti",
}
# A single "M" before another word stands for Muhammad ("M. Rizki").
_INITIAL_M = "m"

# Everything that is not a letter or digit separates words, except apostrophes and
# backticks, which join (Ma'ruf -> maruf). Dots are kept for a moment to read titles.
_SEPARATORS = str.maketrans(
    {c: " " for c in ',;:/\\()[]{}<>"-_+&*#@!?=|~^%$\t\n\r'} | {"'": "", "`": ""}
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


@lru_cache(maxsize=1 << 16)
def _canonical_word(word: str) -> str:
    for old, new in _SPELLING:
        if old in word:
            word = word.replace(old, new)
    word = _FINAL_Y.sub("i", word)
    word = _DOUBLE.sub(r"\1", word)
    if word in _WORDS:
        return _WORDS[word]
    return _FINAL_H.sub("", word) if len(word) > 3 else word


def _words(text: str) -> list[str]:
    """Split into words; a dotted degree ("S.Pd.") stays one word, initials split ("H.Ali")."""
    words: list[str] = []
    for raw in text.translate(_SEPARATORS).split():
        compact = raw.replace(".", "")
        if "." in raw and compact in _DEGREES:
            words.append(compact)
        else:
            words.extend(w for w in _NON_ALNUM.split(raw) if w)
    return words


@lru_cache(maxsize=1 << 16)
def _own_words(name: str) -> tuple[str, ...]:
    """The words of the person's own name: folded, lower case, without titles, degrees
    and patronymic."""
    words = _words(_fold(name or ""))
    start, end = 0, len(words)
    while start < end - 1 and words[start] in _PREFIX_TITLES:
        start += 1
    while end > start + 1:
        if words[end - 1] in _DEGREES:
            end -= 1
        elif end > start + 2 and words[end - 2] + words[end - 1] in _DEGREES:
            end -= 2  # "S. Pd"
        else:
            break
    words = words[start:end]
    for i in range(1, len(words)):
        if words[i] in _PATRONYMIC:
            return tuple(words[:i])
    return tuple(words)


@lru_cache(maxsize=1 << 17)
def name_key(name: str) -> str:
    """The comparable form of a name: lower case ASCII words, titles, degrees and the
    patronymic ("bin ...") removed, old spellings and variants of common words unified.

    "Hj. Sitti Noer Aisyah binti Abdoel, S.Pd." -> "siti nur aisa". Stable for a given
    ``NAME_KEY_VERSION``.
    """
    words = _own_words(name)
    out = []
    for i, word in enumerate(words):
        if word == _INITIAL_M and i == 0 and len(words) > 1:
            out.append("muhamad")
        else:
            out.append(_canonical_word(word))
    return " ".join(w for w in out if w)


def plain_name(name: str) -> str:
    """The name's own words as written, without the spelling rules of ``name_key``.

    A typo can meet a spelling rule and be pushed further away ("Asiyah" / "Aisyah" are
    "asiya" / "aisa" as keys); the matcher compares these too when the keys disagree.
    """
    return " ".join(_own_words(name))


# Words so common that agreeing on them says little; they weigh half.
_COMMON_WORDS = _word_set(
    "muhamad muhammad mohammad mohamad ahmad abdul siti nur nurul sri dwi tri eka"
)
_COMMON_WEIGHT = 0.5
# Two words of at least this similarity are one word mistyped; below it, different words.
_WORD_MATCH = 0.70
# A word only the longer name has (a middle or family name left out) costs a quarter of
# what a word that contradicts costs.
_MISSING_WEIGHT = 0.25
# A name that agrees only in common words ("Muhammad Ali" / "Muhammad") is no agreement.
_COMMON_ONLY_CAP = 0.60
# Names that differ only in where the spaces are ("Nur Aini" / "Nuraini").
_JOINED_MATCH = 0.92


def _weight(word: str) -> float:
    return len(word) * (_COMMON_WEIGHT if word in _COMMON_WORDS else 1.0)


def _word_similarity(x: str, y: str) -> float:
    if len(x) == 1 or len(y) == 1:  # an initial: "A." for "Abdul"
        return 0.9 if x[0] == y[0] else 0.0
    return Indel.normalized_similarity(x, y, score_cutoff=_WORD_MATCH)


def name_similarity(a: str, b: str) -> float:
    """How alike two name keys are, from 0 to 1, word by word.

    Words are paired, whatever their order, identical words first, then the most alike
    (rapidfuzz Indel similarity, in C; at least 0.7, so "Rizki"/"Riski" pair and
    "Fauzi"/"Rizki" do not). The score is the paired weight over the paired weight plus
    what is lost: the typing differences inside pairs, the shorter name's unpaired words
    in full, and the longer name's unpaired words (a left-out middle name) at a quarter.
    A word weighs its length, common words ("Muhammad", "Siti", "Nur") half.

    Not Jaro-Winkler, nor a ratio over the whole string: Indonesian names share their
    first words, which Jaro-Winkler's prefix bonus rewards, and a whole-string ratio gives
    "Ahmad Fauzi Siregar" / "Ahmad Rizki Siregar" 0.84 where this gives 0.60.
    """
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    words_a = a.split()
    words_b = b.split()
    rest_b = words_b.copy()
    rest_a = []
    paired = lost = 0.0
    informative = False
    for word in words_a:
        if word in rest_b:
            rest_b.remove(word)
            paired += _weight(word)
            informative = informative or word not in _COMMON_WORDS
        else:
            rest_a.append(word)
    weights_a = [_weight(w) for w in rest_a]
    weights_b = [_weight(w) for w in rest_b]
    unpaired_a = total_a = sum(weights_a)
    unpaired_b = total_b = sum(weights_b)
    if rest_a and rest_b:
        pairs = []
        for i, x in enumerate(rest_a):
            for j, y in enumerate(rest_b):
                similarity = _word_similarity(x, y)
                if similarity >= _WORD_MATCH:
                    pairs.append((-similarity, i, j))
        if pairs:
            pairs.sort()
            used_a: set[int] = set()
            used_b: set[int] = set()
            for negative, i, j in pairs:
                if i in used_a or j in used_b:
                    continue
                used_a.add(i)
                used_b.add(j)
                weight = (weights_a[i] + weights_b[j]) / 2.0
                paired -= weight * negative
                lost += weight * (1.0 + negative)
                unpaired_a -= weights_a[i]
                unpaired_b -= weights_b[j]
                informative = informative or not (
                    rest_a[i] in _COMMON_WORDS or rest_b[j] in _COMMON_WORDS
                )
    score = 0.0
    if paired:
        # The name with less weight in all is the shorter: its unpaired words contradict.
        if total_a <= total_b:
            contradicting, missing = unpaired_a, unpaired_b
        else:
            contradicting, missing = unpaired_b, unpaired_a
        score = paired / (paired + lost + contradicting + _MISSING_WEIGHT * missing)
        if not informative and score > _COMMON_ONLY_CAP:
            score = _COMMON_ONLY_CAP
    if len(words_a) != len(words_b):
        joined = Indel.normalized_similarity(
            a.replace(" ", ""), b.replace(" ", ""), score_cutoff=_JOINED_MATCH
        )
        if joined > score:
            score = joined
    return score


# --- NIK and dates ----------------------------------------------------------------------


def _is_nik16(nik: str) -> bool:
    return len(nik) == 16 and nik.isdigit()


def nik_relation(a: str, b: str) -> str:
    """How two NIKs differ: ``equal``, ``one_substitution``, ``adjacent_transposition``,
    ``transposition`` (two digits further apart swapped) or ``other``.

    Only two 16-digit NIKs can be typos of each other.
    """
    if a == b:
        return EQUAL if a else OTHER
    if not (_is_nik16(a) and _is_nik16(b)):
        return OTHER
    return _relation16(a, b)


def _relation16(a: str, b: str) -> str:
    """``nik_relation`` of two different NIKs, ``a`` known to be 16 digits."""
    if len(b) != 16:
        return OTHER
    distance = Hamming.distance(a, b, score_cutoff=2)
    if distance == 1:
        return ONE_SUBSTITUTION
    if distance == 2:
        i, j = (k for k in range(16) if a[k] != b[k])
        if a[i] == b[j] and a[j] == b[i]:
            return ADJACENT_TRANSPOSITION if j == i + 1 else TRANSPOSITION
    return OTHER


def nik_birth_date(nik: str, *, today: datetime.date | None = None) -> datetime.date | None:
    """The birth date a 16-digit NIK encodes (day minus 40 for women), or None."""
    if not _is_nik16(nik):
        return None
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
    today = today or datetime.date.today()
    year = 2000 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100  # no century in a NIK: the latest that is not in the future
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def nik_sex(nik: str) -> str:
    """The sex a 16-digit NIK's day digits tell: "L", "P", or "" if they are no day."""
    if not _is_nik16(nik):
        return ""
    day = int(nik[6:8])
    if 1 <= day <= 31:
        return MALE
    if 41 <= day <= 71:
        return FEMALE
    return ""


def nik_district(nik: str) -> str:
    """The dotted district code of a 16-digit NIK ("16.02.05"), or ""."""
    if not _is_nik16(nik):
        return ""
    return f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"


def district_of(village_code: str) -> str:
    """The district part of a dotted village code: "16.02.05.1002" -> "16.02.05"."""
    return village_code[:8] if len(village_code) >= 8 else ""


# Agreement of two birth dates, as the weight they carry.
DOB_EQUAL = 1.0
DOB_CLOSE = 0.5  # day and month swapped, a year off, or one digit different
DOB_DIFFERENT = 0.0


def _one_digit_apart(a: int, b: int) -> bool:
    """Whether two numbers written with the same number of digits differ in one digit."""
    differ = 0
    while a or b:
        if a % 10 != b % 10:
            differ += 1
            if differ > 1:
                return False
        a //= 10
        b //= 10
    return differ == 1


def dob_agreement(a: datetime.date | None, b: datetime.date | None) -> float | None:
    """1 equal, 0.5 close (a typing slip), 0 different, None when either is unknown.

    Close: day and month swapped, the year one off, or one digit of DD-MM-YYYY different.
    """
    if a is None or b is None:
        return None
    if a == b:
        return DOB_EQUAL
    same_day, same_month, same_year = a.day == b.day, a.month == b.month, a.year == b.year
    if same_day and same_month:
        close = abs(a.year - b.year) == 1 or _one_digit_apart(a.year, b.year)
    elif same_year and same_month:
        close = _one_digit_apart(a.day, b.day)
    elif same_year and same_day:
        close = _one_digit_apart(a.month, b.month)
    else:
        close = same_year and a.day == b.month and a.month == b.day
    return DOB_CLOSE if close else DOB_DIFFERENT


def close_dates(d: datetime.date) -> list[datetime.date]:
    """Every other date ``dob_agreement`` calls close to ``d``, in order: day and month
    swapped, a year off, one digit of DD-MM-YYYY different (years 1900 to 2099)."""
    found: set[datetime.date] = set()

    def add(year: int, month: int, day: int) -> None:
        if 1900 <= year <= 2099:
            with contextlib.suppress(ValueError):  # no such day in that month
                found.add(datetime.date(year, month, day))

    add(d.year, d.day, d.month)
    add(d.year - 1, d.month, d.day)
    add(d.year + 1, d.month, d.day)
    for place in (1, 10):
        for value, rebuild in (
            (d.day, lambda v: (d.year, d.month, v)),
            (d.month, lambda v: (d.year, v, d.day)),
        ):
            digit = value // place % 10
            for other in range(10):
                if other != digit:
                    add(*rebuild(value + (other - digit) * place))
    for place in (1, 10, 100, 1000):
        digit = d.year // place % 10
        for other in range(10):
            if other != digit:
                add(d.year + (other - digit) * place, d.month, d.day)
    found.discard(d)
    return sorted(found)


# --- people -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Who is looked for. ``nik`` and ``kk`` are digits or "" (``make_person`` cleans
    them); ``name_key`` is ``name_key(name)``; ``birth_date`` and ``sex`` ("L", "P" or "")
    as entered; ``village_code`` dotted ("16.02.05.1002"); ``address`` the street or
    hamlet with RT/RW, as written."""

    nik: str = ""
    kk: str = ""
    name: str = ""
    name_key: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    village_code: str = ""
    address: str = ""  # as written: "Dusun V RT 005/RW 001" (``address_parts`` reads it)


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate(Person):
    """A register row: a person with its row id and welfare decile."""

    id: Hashable
    decile: int | None = None


def make_person(
    *,
    nik: str = "",
    kk: str = "",
    name: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    village_code: str = "",
    address: str = "",
) -> Person:
    """A query from raw values: NIK and KK cleaned (a spreadsheet's "1.60205E+15" is kept
    as is and so never matches), sex upper-cased, the name key computed.

    A missing birth date or sex is not read from the NIK: a mistyped NIK would then
    confirm itself. (Blocking does use the NIK's birth date to find candidates.)
    """
    return Person(
        nik=normalise_nik(nik or ""),
        kk=normalise_nik(kk or ""),
        name=name or "",
        name_key=name_key(name or ""),
        birth_date=birth_date,
        sex=(sex or "").strip().upper(),
        village_code=(village_code or "").strip(),
        address=(address or "").strip(),
    )


# --- matching ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score at or above ``auto`` is a match, at or above ``review`` needs review.

    A runner-up scoring within ``ambiguity_margin`` of the best (and at least ``review``)
    makes the result a review. The defaults were tuned on generated data
    (tests/bench/generate.py); the scores that mean "look first" (an exact NIK with another
    name, a NIK typo without a birth date, a serial typo in another village) are 0.85.
    """

    auto: float = 0.88
    review: float = 0.70
    ambiguity_margin: float = 0.05


DEFAULT_THRESHOLDS = Thresholds()

# Names as written at least this alike (whole-string Indel) are compared word by word
# again when their keys disagree.
_WRITTEN_CLOSE = 0.75
# A name "agrees" at this similarity; below NAME_DISAGREE it disagrees.
NAME_AGREE = 0.80
NAME_DISAGREE = 0.60
# A NIK typo whose typed NIK belongs to another register row stands without review only
# when that row is named otherwise and lives elsewhere, and the typo's row has the same
# name (at least NAME_SAME), birth date and village (``_typo_past_owners``).
NAME_SAME = 0.90

# Each rule's score: its base, less ``name_cost * (1 - name similarity)``, less the cost of
# the birth dates' agreement (equal, close, unknown, different; None: the rule does not
# apply). The KK, typo and name + birth date rules need a name similarity of NAME_AGREE;
# an exact NIK takes any name, a name below NAME_DISAGREE costing as much as one at 0.4.
_RULES: dict[str, tuple[float, float, tuple[float | None, ...]]] = {
    NIK_EXACT: (1.00, 0.25, (0.0, 0.03, 0.05, 0.10)),
    # Without a birth date entered, the date written in the typed NIK stands in for it at
    # the cost of a close date (it is not independent of the NIK); none at all: review.
    NIK_TYPO: (0.97, 0.50, (0.0, 0.06, 0.12, None)),
    KK_NAME: (0.95, 0.30, (0.0, 0.05, 0.05, 0.20)),
    NAME_DOB_VILLAGE: (0.96, 0.60, (0.0, 0.06, None, None)),
    NAME_DOB_DISTRICT: (0.93, 0.60, (0.0, 0.10, None, None)),
}
_DOB_EQUAL, _DOB_CLOSE, _DOB_UNKNOWN, _DOB_DIFFERENT = range(4)
# Taken off a score when both NIKs are present and unrelated (kk and name + birth date
# rules: the NIK says another person), when both KKs are present and differ (NIK typo and
# name + birth date rules), or when the sexes differ.
NIK_CONFLICT_PENALTY = 0.15
KK_CONFLICT_PENALTY = 0.10
SEX_CONFLICT_PENALTY = 0.20
# Serials count up per district and birth date, so a NIK that differs only in its last
# four digits may be a namesake's born the same day, not in the register: when the typed
# serial is one the district could have issued (at most two above the highest serial the
# register holds for that district and date), such a NIK typo needs the same village and
# no other KK to stand without review.
SERIAL_TYPO_PENALTY = 0.12
SERIAL_SLACK = 2
# An exact NIK with another KK: households split and cards are reissued, so only a little.
KK_CONFLICT_EXACT_PENALTY = 0.05


# How many register rows a result offers a reviewer, best first.
MAX_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A register row as the matcher judged it: its best rule, score and flags."""

    candidate: Candidate
    method: str
    score: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome and its evidence: the chosen register row, how and how well it matched,
    and the runner-up a reviewer should compare it with.

    ``candidates``: the best ``MAX_CANDIDATES`` distinct register rows, best first (the
    first is ``candidate``, with the result's ``flags``; the others carry their own, and
    ``nik_of_other`` when the NIK as typed is another row's)."""

    status: str
    method: str = ""
    score: float = 0.0
    candidate: Candidate | None = None
    runner_up: Candidate | None = None
    runner_up_method: str = ""
    runner_up_score: float = 0.0
    flags: tuple[str, ...] = field(default=())
    candidates: tuple[ScoredCandidate, ...] = field(default=())


def _rule_score(method: str, similarity: float, dob: int) -> float | None:
    base, name_cost, dob_costs = _RULES[method]
    dob_cost = dob_costs[dob]
    if dob_cost is None:
        return None
    return base - name_cost * (1.0 - similarity) - dob_cost


class _Query:
    """What is compared of the query, computed once per ``match_person``."""

    __slots__ = (
        "nik", "nik_date", "kk", "district", "village", "birth_date", "sex", "key", "name",
        "_written", "nik_taken", "serial_doubt",
    )  # fmt: skip

    def __init__(self, person: Person) -> None:
        self.nik = person.nik if _is_nik16(person.nik) else ""
        self.nik_date = nik_birth_date(self.nik) if self.nik else None
        self.kk = person.kk
        self.district = district_of(person.village_code)
        self.village = person.village_code
        self.birth_date = person.birth_date
        self.sex = person.sex
        self.key = person.name_key
        self.name = person.name
        self._written: str | None = None
        self.nik_taken = False
        self.serial_doubt = False

    @property
    def written(self) -> str:
        if self._written is None:
            self._written = plain_name(self.name)
        return self._written


def _dob_level(a: datetime.date | None, b: datetime.date | None) -> int:
    if a is None or b is None:
        return _DOB_UNKNOWN
    if a == b:
        return _DOB_EQUAL
    return _DOB_CLOSE if dob_agreement(a, b) == DOB_CLOSE else _DOB_DIFFERENT


def _name_agreement(q: _Query, c: Candidate) -> float:
    similarity = name_similarity(q.key, c.name_key)
    # A typo the spelling rules pushed away: compare the names as written, when close.
    if (
        similarity < NAME_AGREE
        and q.name
        and c.name
        and Indel.normalized_similarity(q.written, c.name.lower(), score_cutoff=_WRITTEN_CLOSE)
    ):
        similarity = max(similarity, name_similarity(q.written, plain_name(c.name)))
    return similarity


def _score_candidate(q: _Query, c: Candidate) -> tuple[float, str, tuple[str, ...]] | None:
    """The best rule for one candidate: (score, method, flags), or None if none applies."""
    if not q.nik:
        relation = OTHER
    elif q.nik == c.nik:
        relation = EQUAL
    else:
        relation = _relation16(q.nik, c.nik)
    if q.nik_taken and relation in NIK_TYPOS:
        # The NIK as typed is confirmed as another row's: one typo away is no evidence.
        relation = OTHER
    same_kk = bool(q.kk) and q.kk == c.kk
    same_district = bool(q.district) and c.village_code.startswith(q.district)
    dob = _dob_level(q.birth_date, c.birth_date)
    near_dob = dob <= _DOB_CLOSE
    if relation == OTHER and not same_kk and not (near_dob and same_district):
        return None

    similarity = _name_agreement(q, c)
    kk_conflict = bool(q.kk) and bool(c.kk) and not same_kk
    same_village = q.village == c.village_code
    best: tuple[float, str] | None = None
    serial_doubt = False
    if relation == EQUAL:
        if similarity >= NAME_DISAGREE or dob != _DOB_DIFFERENT:
            # A disagreeing name costs as much as one at 0.4: review, whatever the date.
            score = _rule_score(NIK_EXACT, similarity if similarity >= NAME_DISAGREE else 0.4, dob)
            if kk_conflict:
                score -= KK_CONFLICT_EXACT_PENALTY
            best = (score, NIK_EXACT)
    elif relation != OTHER and similarity >= NAME_AGREE:
        typo_dob = dob
        if dob == _DOB_UNKNOWN and q.nik_date is not None and q.nik_date == c.birth_date:
            typo_dob = _DOB_CLOSE
        score = _rule_score(NIK_TYPO, similarity, typo_dob)
        if score is not None:
            if kk_conflict:
                score -= KK_CONFLICT_PENALTY
            serial_doubt = (
                q.serial_doubt and q.nik[:12] == c.nik[:12] and (kk_conflict or not same_village)
            )
            if serial_doubt:
                score -= SERIAL_TYPO_PENALTY
            best = (score, NIK_TYPO)
    # For the KK and name + birth date rules any other NIK speaks against; a NIK typo is
    # judged by its own rule.
    nik_conflict = relation != EQUAL and bool(q.nik) and len(c.nik) == 16
    if similarity >= NAME_AGREE and (same_kk or (near_dob and same_district)):
        penalty = (NIK_CONFLICT_PENALTY if nik_conflict else 0.0) + (
            KK_CONFLICT_PENALTY if kk_conflict else 0.0
        )
        methods = (KK_NAME,) if same_kk else ()
        if near_dob and same_district:
            methods += (NAME_DOB_VILLAGE if same_village else NAME_DOB_DISTRICT,)
        for method in methods:
            score = _rule_score(method, similarity, dob)
            if score is not None and (best is None or score - penalty > best[0]):
                best = (score - penalty, method)
    if best is None:
        return None
    score, method = best
    flags: tuple[str, ...] = ()
    if method == NIK_TYPO and serial_doubt:
        flags += (FLAG_SERIAL_DOUBT,)
    if nik_conflict and method != NIK_TYPO:
        flags += (FLAG_NIK_CONFLICT,)
    if kk_conflict and method != NIK_EXACT:
        flags += (FLAG_KK_CONFLICT,)
    if q.sex and c.sex and q.sex != c.sex:
        score -= SEX_CONFLICT_PENALTY
        flags += (FLAG_SEX_CONFLICT,)
    return round(min(1.0, max(0.0, score)), 4), method, flags


def _status(score: float, thresholds: Thresholds) -> str:
    if score >= thresholds.auto:
        return MATCH
    if score >= thresholds.review:
        return REVIEW
    return NONE


def _typo_past_owners(q: _Query, best: Candidate, method: str, owners: list[Candidate]) -> bool:
    """Whether a NIK typo may be a match although the NIK as typed is ``owners``': each
    owner lives in another village and is named otherwise, and the typo's row has the same
    name, birth date and village (and no other KK). Then only the NIK points at the owner
    and everything else at the typo's row. An owner in the query's own village shares the
    NIK and the village with the query: that conflict is left to a reviewer."""
    return (
        method == NIK_TYPO
        and all(
            owner.village_code != q.village and _name_agreement(q, owner) < NAME_DISAGREE
            for owner in owners
        )
        and _name_agreement(q, best) >= NAME_SAME
        and _dob_level(q.birth_date, best.birth_date) == _DOB_EQUAL
        and q.village == best.village_code
        and (not q.kk or not best.kk or q.kk == best.kk)
    )


def match_person(
    query: Person,
    candidates: Iterable[Candidate],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> MatchResult:
    """Match ``query`` against its register blocks (``CandidateIndex.candidates_for``).

    The candidates must include every register row with the query's NIK and those sharing
    its first 12 digits (``BlockKeys``): a NIK typo that lands on another real person, or
    on a serial the district may have issued, is then seen, and judged as the module's
    docstring says (``nik_typo``).
    """
    q = _Query(query)
    pool: dict[Hashable, Candidate] = {}
    for c in candidates:
        pool.setdefault(c.id, c)
    owners = [c for c in pool.values() if q.nik and c.nik == q.nik]
    if q.nik:
        prefix = q.nik[:12]
        issued = [
            int(c.nik[12:]) for c in pool.values() if c.nik[:12] == prefix and _is_nik16(c.nik)
        ]
        q.serial_doubt = int(q.nik[12:]) <= max(issued, default=0) + SERIAL_SLACK

    scored: list[tuple[float, int, str, Candidate, str, tuple[str, ...]]] = []

    def score(c: Candidate) -> None:
        found = _score_candidate(q, c)
        if found is not None:
            value, method, flags = found
            scored.append((value, _RANK[method], str(c.id), c, method, flags))

    # The rows holding the NIK as typed first: when one of them is confirmed, the rows a
    # typo away from it are other people.
    for c in owners:
        score(c)
    q.nik_taken = any(s[0] >= thresholds.auto for s in scored)
    for c in pool.values():
        if not (q.nik and c.nik == q.nik):
            score(c)
    if not scored:
        return MatchResult(status=NONE)

    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    value, _rank, _id, best, method, flags = scored[0]
    status = _status(value, thresholds)
    others = [owner for owner in owners if owner.id != best.id]
    if others:
        flags += (FLAG_NIK_OF_OTHER,)
        if status == MATCH and not _typo_past_owners(q, best, method, others):
            status = REVIEW
    runner = next((s for s in scored[1:] if s[3].id != best.id), None)
    if runner is None:
        return MatchResult(
            status=status, method=method, score=value, candidate=best, flags=flags,
            candidates=_offered(scored, flags, owners),
        )  # fmt: skip
    r_value, _r_rank, _r_id, r_best, r_method, _r_flags = runner
    if (
        status == MATCH
        and r_value >= thresholds.review
        and value - r_value < thresholds.ambiguity_margin
    ):
        status = REVIEW
        flags += (FLAG_AMBIGUOUS,)
    return MatchResult(
        status=status,
        method=method,
        score=value,
        candidate=best,
        runner_up=r_best,
        runner_up_method=r_method,
        runner_up_score=r_value,
        flags=flags,
        candidates=_offered(scored, flags, owners),
    )


def _offered(scored: list, flags: tuple[str, ...], owners: list[Candidate]) -> tuple:
    """The best ``MAX_CANDIDATES`` distinct rows of the sorted ``scored``, best first."""
    out: list[ScoredCandidate] = []
    seen: set[Hashable] = set()
    for value, _rank, _id, c, method, own_flags in scored:
        if c.id in seen:
            continue
        seen.add(c.id)
        if not out:
            mine = flags
        elif any(owner.id != c.id for owner in owners):
            mine = (*own_flags, FLAG_NIK_OF_OTHER)
        else:
            mine = own_flags
        out.append(ScoredCandidate(candidate=c, method=method, score=value, flags=mine))
        if len(out) == MAX_CANDIDATES:
            break
    return tuple(out)


# --- addresses ----------------------------------------------------------------------------

# "RT/RW 005/001", "RT 5 / RW 1", "Rt.05 Rw.01", "RT005RW001": the neighbourhood (rukun
# tetangga) and the hamlet association (rukun warga) numbers.
_RT_RW_PAIR = re.compile(r"\bRT\s*[./]?\s*RW\s*[.:]?\s*(\d{1,3})\s*[/-]\s*(\d{1,3})", re.I)
_RT = re.compile(r"\bRT\s*[.:]?\s*(\d{1,3})", re.I)
_RW = re.compile(r"RW\s*[.:]?\s*(\d{1,3})", re.I)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
          "viii": "8", "ix": "9", "x": "10"}  # fmt: skip
# Words written in more than one way, and words that say nothing ("No." before a number).
_ADDRESS_WORDS = {"jalan": "jl", "jln": "jl", "dsn": "dusun", "dukuh": "dusun", "gg": "gang",
                  "no": "", "nomor": "", "nmr": "", "kel": "", "desa": "", "ds": ""}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AddressParts:
    """An address as compared: the RT and RW numbers (None when not written) and the rest,
    ``place``: lower-case words, "jl" for Jalan, numbers without leading zeros, Roman
    hamlet numbers as digits ("Dusun V" -> "dusun 5")."""

    rt: int | None
    rw: int | None
    place: str


@lru_cache(maxsize=1 << 17)
def address_parts(text: str) -> AddressParts:
    rt = rw = None
    rest = text or ""
    pair = _RT_RW_PAIR.search(rest)
    if pair:
        rt, rw = int(pair.group(1)), int(pair.group(2))
        rest = rest[: pair.start()] + " " + rest[pair.end() :]
    else:
        found = _RT.search(rest)
        if found:
            rt = int(found.group(1))
            rest = rest[: found.start()] + " " + rest[found.end() :]
        found = _RW.search(rest)
        if found:
            rw = int(found.group(1))
            rest = rest[: found.start()] + " " + rest[found.end() :]
    words = []
    for word in re.split(r"[^0-9a-z]+", _fold(rest)):
        if not word:
            continue
        if word.isdigit():
            word = str(int(word))
        word = _ROMAN.get(word, _ADDRESS_WORDS.get(word, word))
        if word:
            words.append(word)
    return AddressParts(rt, rw, " ".join(words))


ADDRESS_PLACE_ALIKE = 0.9  # place similarity (Indel ratio) from which two places are one


def address_agreement(a: str, b: str) -> tuple[bool | None, bool | None]:
    """(the RT and RW agree, the place agrees): None where either side lacks it."""
    x, y = address_parts(a), address_parts(b)
    numbers = None
    if x.rt is not None and y.rt is not None:
        numbers = x.rt == y.rt and (x.rw is None or y.rw is None or x.rw == y.rw)
    place = None
    if x.place and y.place:
        place = x.place == y.place or Indel.normalized_similarity(x.place, y.place) >= (
            ADDRESS_PLACE_ALIKE
        )
    return numbers, place


# --- explaining a candidate --------------------------------------------------------------

# Whether a field speaks for the candidate: it agrees, it is close (a typing slip, a
# neighbouring place, a similar name), it differs, or it cannot tell (missing on one side).
AGREE = "agree"
CLOSE = "close"
DIFFER = "differ"
UNKNOWN = "unknown"

# The fields ``compare`` looks at, in the order a reviewer reads them, and their levels.
# Stable codes: stored with a screened row and given raw by the API.
FIELD_NIK = "nik"  # same, one_digit, swapped, different, missing
FIELD_NAME = "name"  # same, similar, different, missing
FIELD_BIRTH_DATE = "birth_date"  # same, close, different, missing
FIELD_KK = "kk"  # same, different, missing
FIELD_PLACE = "place"  # same_village, same_district, elsewhere, missing
FIELD_ADDRESS = "address"  # same, close (RT/RW or the street/hamlet), different, missing
FIELD_SEX = "sex"  # same, different, missing
FIELDS = (FIELD_NIK, FIELD_NAME, FIELD_BIRTH_DATE, FIELD_KK, FIELD_PLACE, FIELD_ADDRESS,
          FIELD_SEX)  # fmt: skip

SAME = "same"
DIFFERENT = "different"
MISSING = "missing"
ONE_DIGIT = "one_digit"  # a NIK with one digit wrong
SWAPPED = "swapped"  # a NIK with two digits swapped
SIMILAR = "similar"  # a name at least NAME_AGREE alike, not the same
SAME_VILLAGE = "same_village"
SAME_DISTRICT = "same_district"  # another village of the same kecamatan
ELSEWHERE = "elsewhere"

# Notes that say more about a level.
NOTE_OTHER_ORDER = "other_order"  # name: the same words in another order
NOTE_SPELLING = "spelling"  # name: the same, written otherwise (Budy / Budi, Moh. / Muhammad)
NOTE_DAY_MONTH_SWAPPED = "day_month_swapped"  # birth date
NOTE_YEAR = "year"  # birth date: only the year, one off or one digit
NOTE_ONE_DIGIT = "one_digit"  # birth date: one digit of the day or the month
NOTE_JANUARY_FIRST = "january_first"  # one side is 1 January, often written when unknown

_AGREEMENT = {
    SAME: AGREE, SAME_VILLAGE: AGREE,
    ONE_DIGIT: CLOSE, SWAPPED: CLOSE, SIMILAR: CLOSE, CLOSE: CLOSE, SAME_DISTRICT: CLOSE,
    DIFFERENT: DIFFER, ELSEWHERE: DIFFER,
    MISSING: UNKNOWN,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field of a query beside a candidate: ``level`` (a code of the field),
    ``agreement`` (AGREE, CLOSE, DIFFER, UNKNOWN), the name's ``similarity``, ``notes``."""

    field: str
    level: str
    similarity: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def agreement(self) -> str:
        return _AGREEMENT[self.level]


def _both(a, b) -> bool:
    return bool(a) and bool(b)


def _compare_nik(a: str, b: str) -> Comparison:
    if not (_is_nik16(a) and _is_nik16(b)):
        return Comparison(FIELD_NIK, MISSING)
    relation = nik_relation(a, b)
    level = {EQUAL: SAME, ONE_SUBSTITUTION: ONE_DIGIT, OTHER: DIFFERENT}.get(relation, SWAPPED)
    return Comparison(FIELD_NIK, level)


def _compare_name(query: Person, candidate: Candidate) -> Comparison:
    if not _both(query.name_key, candidate.name_key):
        return Comparison(FIELD_NAME, MISSING)
    similarity = _name_agreement(_Query(query), candidate)
    # The same name only when nothing but case, spaces, titles or the spelling rules of
    # ``name_key`` differ: a reviewer reads a typing slip ("Susanti" / "Susanto", 91 %) as
    # nearly agreeing, as the page's legend says, even where the matcher counts it the same.
    if similarity >= 1.0:
        level = SAME
    elif similarity >= NAME_AGREE:
        level = SIMILAR
    else:
        level = DIFFERENT
    mine, theirs = query.name_key.split(), candidate.name_key.split()
    notes: tuple[str, ...] = ()
    if mine != theirs and sorted(mine) == sorted(theirs):
        notes = (NOTE_OTHER_ORDER,)
    elif level == SAME and sorted(_own_words(query.name)) != sorted(_own_words(candidate.name)):
        notes = (NOTE_SPELLING,)
    return Comparison(FIELD_NAME, level, round(similarity, 2), notes)


def _compare_birth_date(a: datetime.date | None, b: datetime.date | None) -> Comparison:
    agreement = dob_agreement(a, b)
    if agreement is None:
        return Comparison(FIELD_BIRTH_DATE, MISSING)
    if agreement == DOB_EQUAL:
        return Comparison(FIELD_BIRTH_DATE, SAME)
    notes: tuple[str, ...] = ()
    if agreement == DOB_CLOSE:
        if (a.day, a.month) == (b.day, b.month):
            notes = (NOTE_YEAR,)
        elif (a.day, a.month, a.year) == (b.month, b.day, b.year):
            notes = (NOTE_DAY_MONTH_SWAPPED,)
        else:
            notes = (NOTE_ONE_DIGIT,)
    if ((a.day, a.month) == (1, 1)) != ((b.day, b.month) == (1, 1)):
        notes += (NOTE_JANUARY_FIRST,)
    return Comparison(FIELD_BIRTH_DATE, CLOSE if agreement == DOB_CLOSE else DIFFERENT, None, notes)


def _compare_place(a: str, b: str) -> Comparison:
    if not _both(a, b):
        return Comparison(FIELD_PLACE, MISSING)
    if a == b:
        return Comparison(FIELD_PLACE, SAME_VILLAGE)
    district = district_of(a)
    return Comparison(
        FIELD_PLACE, SAME_DISTRICT if district and district == district_of(b) else ELSEWHERE
    )


def _compare_address(a: str, b: str) -> Comparison:
    """Same when every part both sides wrote (RT/RW, the street or hamlet) agrees; close
    when one does."""
    known = [v for v in address_agreement(a, b) if v is not None]
    if not known:
        return Comparison(FIELD_ADDRESS, MISSING)
    if all(known):
        return Comparison(FIELD_ADDRESS, SAME)
    return Comparison(FIELD_ADDRESS, CLOSE if any(known) else DIFFERENT)


def _compare_plain(field_: str, a: str, b: str) -> Comparison:
    if not _both(a, b):
        return Comparison(field_, MISSING)
    return Comparison(field_, SAME if a == b else DIFFERENT)


def compare(query: Person, candidate: Candidate) -> tuple[Comparison, ...]:
    """What agrees and what differs between ``query`` and ``candidate``, field by field in
    ``FIELDS`` order: the evidence a reviewer reads beside a candidate. Names are compared
    as the matcher compares them; birth dates are close as ``dob_agreement`` says."""
    return (
        _compare_nik(query.nik, candidate.nik),
        _compare_name(query, candidate),
        _compare_birth_date(query.birth_date, candidate.birth_date),
        _compare_plain(FIELD_KK, query.kk, candidate.kk),
        _compare_place(query.village_code, candidate.village_code),
        _compare_address(query.address, candidate.address),
        _compare_plain(FIELD_SEX, query.sex, candidate.sex),
    )


# --- blocking ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockKeys:
    """What to read from the register for a set of queries. A row is needed when:

    - its NIK is in ``niks`` (exact NIK);
    - its NIK starts with one of ``nik_prefixes`` (the first 12 digits: district, birth
      date and sex; a typo in the serial, and the serials already issued), or
    - its KK is in ``kks``, or
    - ``(district_of(village_code), birth_date)`` is in ``district_dates``: the query's
      district (from its village and from its NIK) with its birth date (entered, and read
      from the NIK): a NIK typo in the region or date digits, and the name + birth date
      rules. A query without a usable NIK adds every date ``close_dates`` gives, since
      its birth date may itself be mistyped (about 50 more keys, a few rows each).

    NIK halves (first / last 8 digits) would also catch every single substitution, but in
    a 2,000,000-row register a last-8 block (birth month, year and serial) holds ~1,000
    rows and a first-8 block ~150; these keys cost a few rows each.
    """

    niks: frozenset[str]
    nik_prefixes: frozenset[str]
    kks: frozenset[str]
    district_dates: frozenset[tuple[str, datetime.date]]


@lru_cache(maxsize=1 << 12)  # a chunk asks twice for each row: its blocks, then its candidates
def _query_keys(person: Person) -> tuple[str, str, tuple[tuple[str, datetime.date], ...]]:
    nik = person.nik if _is_nik16(person.nik) else ""
    dates = {d for d in (person.birth_date, nik_birth_date(nik)) if d is not None}
    if not nik and person.birth_date is not None:
        dates.update(close_dates(person.birth_date))
    districts = {d for d in (district_of(person.village_code), nik_district(nik)) if d}
    pairs = tuple(sorted((district, date) for district in districts for date in dates))
    return nik, person.kk, pairs


def block_keys(queries: Iterable[Person]) -> BlockKeys:
    """The register blocks that ``queries`` can match in; see ``BlockKeys``."""
    niks, prefixes, kks = set(), set(), set()
    dates: set[tuple[str, datetime.date]] = set()
    for person in queries:
        nik, kk, pairs = _query_keys(person)
        if nik:
            niks.add(nik)
            prefixes.add(nik[:12])
        if kk:
            kks.add(kk)
        dates.update(pairs)
    return BlockKeys(
        niks=frozenset(niks),
        nik_prefixes=frozenset(prefixes),
        kks=frozenset(kks),
        district_dates=frozenset(dates),
    )


class CandidateIndex:
    """Register rows read for ``block_keys``, indexed the same way, so that each query gets
    the union of its blocks: ``CandidateIndex(rows).candidates_for(person)``."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._by_prefix: dict[str, list[Candidate]] = {}
        self._by_kk: dict[str, list[Candidate]] = {}
        self._by_date: dict[tuple[str, datetime.date], list[Candidate]] = {}
        for c in candidates:
            self.add(c)

    def add(self, c: Candidate) -> None:
        if c.nik:
            self._by_prefix.setdefault(c.nik[:12], []).append(c)
        if c.kk:
            self._by_kk.setdefault(c.kk, []).append(c)
        if c.birth_date is not None:
            key = (district_of(c.village_code), c.birth_date)
            self._by_date.setdefault(key, []).append(c)

    def candidates_for(self, person: Person) -> list[Candidate]:
        """The rows of the person's blocks, each once, the exact NIK block included."""
        nik, kk, pairs = _query_keys(person)
        groups: list = []
        if nik:
            groups.append(self._by_prefix.get(nik[:12], ()))
        if kk:
            groups.append(self._by_kk.get(kk, ()))
        by_date = self._by_date
        groups += [by_date[pair] for pair in pairs if pair in by_date]
        out: dict[Hashable, Candidate] = {}
        for group in groups:
            for c in group:
                out.setdefault(c.id, c)
        return list(out.values())
