"""WHO ASSIST v3.1 (Alcohol, Smoking and Substance Involvement Screening Test): the
instrument, its skip rules, the Specific Substance Involvement Scores and risk levels.

Pure Python, no Django: labels and messages are English source strings marked with
``gettext_noop`` so ``makemessages`` extracts them; callers translate when rendering.
Scores and cut-offs follow the WHO manual (Humeniuk et al., WHO 2010, ISBN 978 92 4 159938 2).

The answers are one object keyed by substance code, each an object keyed by question::

    {
        "tobacco": {"q1": true, "q2": "daily", "q3": "weekly", "q4": "never",
                    "q6": "never", "q7": "earlier"},
        "alcohol": {"q1": false},
        "ats": {"q1": true, "q2": "never", "q6": "recent", "q7": "never"},
        "other": {"q1": true, "specify": "dextro", "q2": "monthly", ...},
        ...                                  # all ten substances, each with q1
    }

- Substance codes, in the instrument's order a–j: tobacco, alcohol, cannabis, cocaine, ats
  (amphetamine-type stimulants), inhalants, sedatives, hallucinogens, opioids, other.
- ``q1`` (ever used, non-medical use only): ``true`` / ``false``; asked for every substance.
- ``q2``–``q5`` (past 3 months): ``never``, ``once_twice``, ``monthly``, ``weekly``, ``daily``.
- ``q6``, ``q7`` (ever): ``never``, ``recent`` (in the past 3 months), ``earlier`` (not in
  the past 3 months).
- ``specify`` (``other`` only, optional): what the other substance was.
- Q8, injection, is a separate answer for the whole interview: ``never``, ``recent``,
  ``earlier``; it is not part of any score.

Skip rules: Q1 "no" → nothing else for that substance. Q1 "yes" → Q2, Q6 and Q7.
Q2 other than "never" → also Q3, Q4 and Q5 (Q5 never for tobacco). When no substance was
ever used the interview stops, so Q8 is "never". A skipped question must not be answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def gettext_noop(s: str) -> str:
    """Mark a string for translation without translating it (read by makemessages)."""
    return s


# --- the instrument --------------------------------------------------------------------

NEVER, ONCE_TWICE, MONTHLY, WEEKLY, DAILY = "never", "once_twice", "monthly", "weekly", "daily"
RECENT, EARLIER = "recent", "earlier"

FREQUENCY = (NEVER, ONCE_TWICE, MONTHLY, WEEKLY, DAILY)
RECENCY = (NEVER, RECENT, EARLIER)

# The official answer scores (WHO ASSIST v3.1 response card and scoring sheet).
SCORES: dict[str, dict[str, int]] = {
    "q2": {NEVER: 0, ONCE_TWICE: 2, MONTHLY: 3, WEEKLY: 4, DAILY: 6},
    "q3": {NEVER: 0, ONCE_TWICE: 3, MONTHLY: 4, WEEKLY: 5, DAILY: 6},
    "q4": {NEVER: 0, ONCE_TWICE: 4, MONTHLY: 5, WEEKLY: 6, DAILY: 7},
    "q5": {NEVER: 0, ONCE_TWICE: 5, MONTHLY: 6, WEEKLY: 7, DAILY: 8},
    "q6": {NEVER: 0, RECENT: 6, EARLIER: 3},
    "q7": {NEVER: 0, RECENT: 6, EARLIER: 3},
}
SCORED_QUESTIONS = ("q2", "q3", "q4", "q5", "q6", "q7")
RECENT_USE_QUESTIONS = ("q3", "q4", "q5")  # asked only when Q2 is not "never"
QUESTIONS = ("q1", *SCORED_QUESTIONS)
SPECIFY = "specify"
SPECIFY_MAX_LENGTH = 100

INJECTION = RECENCY  # Q8: never / recent / earlier

LOW, MODERATE, HIGH = "low", "moderate", "high"
RISKS = (LOW, MODERATE, HIGH)
HIGH_FROM = 27

# Recommendation codes, as stored on a screening.
NONE, BRIEF, FURTHER, INPATIENT = "none", "brief", "further", "inpatient"
RECOMMENDATIONS = (NONE, BRIEF, FURTHER, INPATIENT)


@dataclass(frozen=True)
class Substance:
    code: str
    letter: str
    name: str
    examples: str
    moderate_from: int = 4  # 0–3 low risk for every substance but alcohol
    asks_q5: bool = True

    @property
    def questions(self) -> tuple[str, ...]:
        """Every question this substance can be asked, Q1 first."""
        return tuple(q for q in QUESTIONS if q != "q5" or self.asks_q5)

    @property
    def max_score(self) -> int:
        return sum(max(SCORES[q].values()) for q in self.questions if q != "q1")


SUBSTANCES: tuple[Substance, ...] = (
    Substance(
        "tobacco", "a", gettext_noop("Tobacco products"),
        gettext_noop("cigarettes, kretek, cigars, shisha, chewing tobacco"), asks_q5=False,
    ),
    Substance(
        "alcohol", "b", gettext_noop("Alcoholic beverages"),
        gettext_noop("beer, wine, spirits, tuak, arak, ciu, oplosan"), moderate_from=11,
    ),
    Substance("cannabis", "c", gettext_noop("Cannabis"), gettext_noop("ganja, marijuana, hashish")),
    Substance("cocaine", "d", gettext_noop("Cocaine"), gettext_noop("cocaine, crack")),
    Substance(
        "ats", "e", gettext_noop("Amphetamine-type stimulants"),
        gettext_noop("sabu (methamphetamine), ekstasi, amphetamine, speed"),
    ),
    Substance(
        "inhalants", "f", gettext_noop("Inhalants"),
        gettext_noop("lem (glue), bensin (petrol), tiner (paint thinner), aerosol sprays"),
    ),
    Substance(
        "sedatives", "g", gettext_noop("Sedatives or sleeping pills"),
        gettext_noop("Lexotan, Alprazolam, Dumolid, Riklona, diazepam (Valium)"),
    ),
    Substance(
        "hallucinogens", "h", gettext_noop("Hallucinogens"),
        gettext_noop("LSD, magic mushrooms, ketamine, PCP"),
    ),
    Substance(
        "opioids", "i", gettext_noop("Opioids"),
        gettext_noop("heroin, putaw, morphine, methadone, buprenorphine (Subutex), codeine, "
                     "tramadol"),
    ),
    Substance(
        "other", "j", gettext_noop("Other"),
        gettext_noop("dextro (dextromethorphan), CTM, LL (pil koplo), trihexyphenidyl, "
                     "sinte (synthetic cannabinoids), kecubung"),
    ),
)  # fmt: skip
BY_CODE: dict[str, Substance] = {s.code: s for s in SUBSTANCES}

QUESTION_TEXT = {
    "q1": gettext_noop(
        "In your life, which of the following substances have you ever used? (non-medical use only)"
    ),
    "q2": gettext_noop("In the past three months, how often have you used this substance?"),
    "q3": gettext_noop(
        "During the past three months, how often have you had a strong desire or urge to use it?"
    ),
    "q4": gettext_noop(
        "During the past three months, how often has your use of it led to health, social, "
        "legal or financial problems?"
    ),
    "q5": gettext_noop(
        "During the past three months, how often have you failed to do what was normally "
        "expected of you because of your use of it?"
    ),
    "q6": gettext_noop(
        "Has a friend or relative or anyone else ever expressed concern about your use of it?"
    ),
    "q7": gettext_noop("Have you ever tried and failed to control, cut down or stop using it?"),
    "q8": gettext_noop("Have you ever used any drug by injection? (non-medical use only)"),
}
FREQUENCY_LABELS = {
    NEVER: gettext_noop("Never"),
    ONCE_TWICE: gettext_noop("Once or twice"),
    MONTHLY: gettext_noop("Monthly"),
    WEEKLY: gettext_noop("Weekly"),
    DAILY: gettext_noop("Daily or almost daily"),
}
RECENCY_LABELS = {
    NEVER: gettext_noop("No, never"),
    RECENT: gettext_noop("Yes, in the past 3 months"),
    EARLIER: gettext_noop("Yes, but not in the past 3 months"),
}
YES_NO_LABELS = {True: gettext_noop("Yes"), False: gettext_noop("No")}
RISK_LABELS = {
    LOW: gettext_noop("Low risk"),
    MODERATE: gettext_noop("Moderate risk"),
    HIGH: gettext_noop("High risk"),
}


def answer_labels(question: str) -> dict[str, str]:
    """The answer codes of a question with their (untranslated) labels, in card order."""
    if question in ("q6", "q7", "q8"):
        return RECENCY_LABELS
    return FREQUENCY_LABELS


# --- problems --------------------------------------------------------------------------

MSG_NOT_AN_OBJECT = gettext_noop(
    "The answers must be an object with one entry per substance, keyed by substance code."
)
MSG_SUBSTANCE_NOT_AN_OBJECT = gettext_noop(
    "The answers for a substance must be an object keyed by question (q1 … q7)."
)
MSG_UNKNOWN_SUBSTANCE = gettext_noop(
    "%(code)s is not a substance of the ASSIST; use one of: %(codes)s."
)
MSG_UNKNOWN_QUESTION = gettext_noop("This substance has no question %(code)s.")
MSG_Q5_TOBACCO = gettext_noop("Question 5 is not asked for tobacco.")
MSG_MISSING = gettext_noop("This question must be answered.")
MSG_NOT_YES_NO = gettext_noop("Answer yes (true) or no (false).")
MSG_UNKNOWN_ANSWER = gettext_noop(
    "%(value)s is not an answer to this question; use one of: %(codes)s."
)
MSG_NOT_USED = gettext_noop(
    "Not asked: the substance was never used (the answer to question 1 is no)."
)
MSG_NOT_RECENT = gettext_noop(
    "Not asked: the substance was not used in the past three months "
    "(the answer to question 2 is never)."
)
MSG_SPECIFY_TEXT = gettext_noop("Name the other substance in at most %(max)s characters.")
MSG_INJECTION_NO_USE = gettext_noop(
    "Not asked: no substance was ever used, so the answer must be “No, never”."
)

MSG_AT_SUBSTANCE_QUESTION = gettext_noop("%(substance)s, question %(number)s: %(problem)s")
MSG_AT_SUBSTANCE = gettext_noop("%(substance)s: %(problem)s")
MSG_AT_QUESTION = gettext_noop("Question %(number)s: %(problem)s")


def _identity(s: str) -> str:
    return s


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an answer set: where (substance, question) and what."""

    substance: str | None
    question: str | None  # "q1" … "q7", "specify", or "q8" for injection
    message: str
    params: dict = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = _identity) -> str:
        """The problem alone, to show next to the input it concerns."""
        return translate(self.message) % self.params if self.params else translate(self.message)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """The problem with the substance and question it concerns."""
        problem = self.text(translate)
        substance = BY_CODE.get(self.substance) if self.substance else None
        name = translate(substance.name) if substance else self.substance
        number = self.question[1:] if self.question and self.question[0] == "q" else None
        if self.question == SPECIFY:
            number = "1"
        if name and number:
            return translate(MSG_AT_SUBSTANCE_QUESTION) % {
                "substance": name, "number": number, "problem": problem,
            }  # fmt: skip
        if name:
            return translate(MSG_AT_SUBSTANCE) % {"substance": name, "problem": problem}
        if number:
            return translate(MSG_AT_QUESTION) % {"number": number, "problem": problem}
        return problem


class AssistError(ValueError):
    """The answer set breaks the instrument; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(p.render() for p in self.problems))


# --- validation ------------------------------------------------------------------------


def asked_questions(substance: Substance, answers: Mapping) -> tuple[str, ...]:
    """The questions the skip rules ask of this substance, given its Q1 and Q2 answers."""
    if answers.get("q1") is not True:
        return ("q1",)
    asked = ["q1", "q2"]
    q2 = answers.get("q2")
    if q2 in FREQUENCY and q2 != NEVER:
        asked += [q for q in RECENT_USE_QUESTIONS if q != "q5" or substance.asks_q5]
    return (*asked, "q6", "q7")


def _check_substance(substance: Substance, given) -> tuple[dict, list[Problem]]:
    code = substance.code
    if not isinstance(given, Mapping):
        return {}, [Problem(code, None, MSG_SUBSTANCE_NOT_AN_OBJECT)]
    problems: list[Problem] = []
    clean: dict = {}
    allowed = set(substance.questions) | ({SPECIFY} if code == "other" else set())
    for key in given:
        if key not in allowed:
            if key == "q5":
                problems.append(Problem(code, "q5", MSG_Q5_TOBACCO))
            else:
                problems.append(Problem(code, str(key), MSG_UNKNOWN_QUESTION, {"code": key}))
    q1 = given.get("q1")
    if "q1" not in given or q1 is None:
        problems.append(Problem(code, "q1", MSG_MISSING))
    elif not isinstance(q1, bool):
        problems.append(Problem(code, "q1", MSG_NOT_YES_NO))
    else:
        clean["q1"] = q1
    q1_known = "q1" in clean
    used = clean.get("q1") is True
    q2 = given.get("q2")
    q2_known = isinstance(q2, str) and q2 in SCORES["q2"]
    for question in SCORED_QUESTIONS:
        if question not in allowed:
            continue
        value = given.get(question)
        asked: bool | None  # None: cannot tell until Q1 (or Q2) has a valid answer
        if not q1_known:
            asked = None
        elif not used:
            asked = False
        elif question in RECENT_USE_QUESTIONS:
            asked = q2 != NEVER if q2_known else None
        else:
            asked = True
        if value is None:
            if asked:
                problems.append(Problem(code, question, MSG_MISSING))
            continue
        if asked is False:
            reason = MSG_NOT_USED if not used else MSG_NOT_RECENT
            problems.append(Problem(code, question, reason))
            continue
        if not isinstance(value, str) or value not in SCORES[question]:
            problems.append(Problem(code, question, MSG_UNKNOWN_ANSWER, {
                "value": repr(value) if not isinstance(value, str) else f"“{value}”",
                "codes": ", ".join(SCORES[question]),
            }))  # fmt: skip
            continue
        if asked:
            clean[question] = value
    if code == "other":
        specify = given.get(SPECIFY)
        if specify is not None:
            if not isinstance(specify, str) or len(specify.strip()) > SPECIFY_MAX_LENGTH:
                problems.append(
                    Problem(code, SPECIFY, MSG_SPECIFY_TEXT, {"max": SPECIFY_MAX_LENGTH})
                )
            elif specify.strip() and q1_known and not used:
                problems.append(Problem(code, SPECIFY, MSG_NOT_USED))
            elif specify.strip() and used:
                clean[SPECIFY] = " ".join(specify.split())
    return clean, problems


def validate(answers, injection: str = NEVER) -> dict[str, dict]:
    """Check an answer set against the instrument and its skip rules.

    Returns the answers normalised (all ten substances, only the questions asked, in
    instrument order); raises AssistError listing every problem found.
    """
    if not isinstance(answers, Mapping):
        raise AssistError([Problem(None, None, MSG_NOT_AN_OBJECT)])
    problems: list[Problem] = []
    for code in answers:
        if code not in BY_CODE:
            problems.append(Problem(str(code), None, MSG_UNKNOWN_SUBSTANCE, {
                "code": f"“{code}”", "codes": ", ".join(BY_CODE),
            }))  # fmt: skip
    clean: dict[str, dict] = {}
    for substance in SUBSTANCES:
        if substance.code not in answers:
            problems.append(Problem(substance.code, "q1", MSG_MISSING))
            continue
        substance_answers, found = _check_substance(substance, answers[substance.code])
        problems += found
        clean[substance.code] = {
            key: substance_answers[key]
            for key in (*substance.questions, SPECIFY)
            if key in substance_answers
        }
    if not isinstance(injection, str) or injection not in INJECTION:
        problems.append(Problem(None, "q8", MSG_UNKNOWN_ANSWER, {
            "value": f"“{injection}”" if isinstance(injection, str) else repr(injection),
            "codes": ", ".join(INJECTION),
        }))  # fmt: skip
    elif injection != NEVER:
        every_q1 = all("q1" in clean.get(s.code, {}) for s in SUBSTANCES)
        if every_q1 and not any(a["q1"] for a in clean.values()):
            problems.append(Problem(None, "q8", MSG_INJECTION_NO_USE))
    if problems:
        raise AssistError(problems)
    return clean


# --- scoring ---------------------------------------------------------------------------


def substance_score(code: str, answers: Mapping) -> int:
    """The Specific Substance Involvement Score: the sum of Q2–Q7 (Q5 not for tobacco)."""
    substance = BY_CODE[code]
    return sum(
        SCORES[q][answers[q]] for q in SCORED_QUESTIONS if q in substance.questions and q in answers
    )


def risk_level(code: str, score: int) -> str:
    """Alcohol: 0–10 low, 11–26 moderate, 27+ high. Every other substance: 0–3, 4–26, 27+."""
    if score >= HIGH_FROM:
        return HIGH
    if score >= BY_CODE[code].moderate_from:
        return MODERATE
    return LOW


RISK_RANK = {LOW: 0, MODERATE: 1, HIGH: 2}


@dataclass(frozen=True)
class SubstanceResult:
    substance: str
    score: int
    risk: str

    @property
    def max_score(self) -> int:
        return BY_CODE[self.substance].max_score


# Tobacco is scored and shown, but does not steer the rehabilitation pathway: a heavy smoker
# scores 27+ on tobacco alone, and ATENSI's pathway is for the other substances (NAPZA).
PATHWAY_EXCLUDED = frozenset({"tobacco"})


def recommend(results: tuple[SubstanceResult, ...] | list[SubstanceResult], injection: str) -> str:
    """The ATENSI pathway: nothing used → none; all low → brief intervention / family-based
    rehabilitation; any moderate → further assessment; any high, or injecting in the past
    three months → further assessment with inpatient care suggested. Tobacco alone never
    leads beyond brief intervention (see PATHWAY_EXCLUDED)."""
    if not results:
        return NONE
    risks = {r.risk for r in results if r.substance not in PATHWAY_EXCLUDED}
    if HIGH in risks or injection == RECENT:
        return INPATIENT
    if MODERATE in risks:
        return FURTHER
    return BRIEF


@dataclass(frozen=True)
class AssistResult:
    answers: dict[str, dict]
    injection: str
    substances: tuple[SubstanceResult, ...]  # every substance ever used, in instrument order
    recommendation: str

    @property
    def highest(self) -> SubstanceResult | None:
        """The substance that steers the recommendation: highest risk level, then highest
        score; tobacco only when no other substance was used."""
        pathway = [r for r in self.substances if r.substance not in PATHWAY_EXCLUDED]
        candidates = pathway or self.substances
        if not candidates:
            return None
        return max(candidates, key=lambda r: (RISK_RANK[r.risk], r.score))

    @property
    def injected(self) -> bool:
        return self.injection != NEVER


def score(answers, injection: str = NEVER) -> AssistResult:
    """Validate an answer set and score it; raises AssistError when it breaks the rules."""
    clean = validate(answers, injection)
    results = []
    for substance in SUBSTANCES:
        if clean[substance.code]["q1"]:
            points = substance_score(substance.code, clean[substance.code])
            results.append(
                SubstanceResult(substance.code, points, risk_level(substance.code, points))
            )
    results = tuple(results)
    return AssistResult(clean, injection, results, recommend(results, injection))
