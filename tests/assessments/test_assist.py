"""WHO ASSIST v3.1 scoring, skip rules, validation and the recommended pathway.

The expected scores are typed in from the WHO ASSIST v3.1 response card and scoring sheet
(Humeniuk et al., WHO 2010), not read back from the module under test.
"""

import ast
import itertools
from pathlib import Path

import pytest

from assessments import assist
from assessments.assist import AssistError, Problem

CODES = [s.code for s in assist.SUBSTANCES]
OTHER_THAN_ALCOHOL = [c for c in CODES if c != "alcohol"]

# question → answer → points, as printed by WHO.
WHO_TABLE = {
    "q2": {"never": 0, "once_twice": 2, "monthly": 3, "weekly": 4, "daily": 6},
    "q3": {"never": 0, "once_twice": 3, "monthly": 4, "weekly": 5, "daily": 6},
    "q4": {"never": 0, "once_twice": 4, "monthly": 5, "weekly": 6, "daily": 7},
    "q5": {"never": 0, "once_twice": 5, "monthly": 6, "weekly": 7, "daily": 8},
    "q6": {"never": 0, "recent": 6, "earlier": 3},
    "q7": {"never": 0, "recent": 6, "earlier": 3},
}


def nothing_used() -> dict:
    return {code: {"q1": False} for code in CODES}


def used(code: str, **answers) -> dict:
    """An answer set where only `code` was ever used, with the given answers."""
    result = nothing_used()
    result[code] = {"q1": True, **answers}
    return result


def recent(code: str, q2="once_twice", q3="never", q4="never", q5="never", **rest) -> dict:
    """Used in the past three months: Q3–Q5 asked (Q5 not for tobacco)."""
    answers = {"q2": q2, "q3": q3, "q4": q4, "q6": "never", "q7": "never"}
    if code != "tobacco":
        answers["q5"] = q5
    return answers | rest


def problems_of(answers, injection="never") -> list[tuple]:
    with pytest.raises(AssistError) as info:
        assist.score(answers, injection)
    return [(p.substance, p.question, p.message) for p in info.value.problems]


# --- the instrument --------------------------------------------------------------------


def test_the_module_imports_nothing_from_django():
    tree = ast.parse(Path(assist.__file__).read_text())
    modules = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    modules += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]

    assert not [m for m in modules if m.split(".")[0] == "django"]


def test_the_ten_substances_are_in_the_instruments_order_a_to_j():
    assert [(s.letter, s.code) for s in assist.SUBSTANCES] == [
        ("a", "tobacco"), ("b", "alcohol"), ("c", "cannabis"), ("d", "cocaine"), ("e", "ats"),
        ("f", "inhalants"), ("g", "sedatives"), ("h", "hallucinogens"), ("i", "opioids"),
        ("j", "other"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "words"),
    [("ats", ["sabu", "ekstasi"]), ("inhalants", ["lem", "bensin", "tiner"]),
     ("sedatives", ["Lexotan", "Alprazolam"]), ("opioids", ["heroin", "putaw", "methadone"]),
     ("cannabis", ["ganja"]), ("other", ["dextro", "CTM", "LL (pil koplo)"])],
)  # fmt: skip
def test_each_substance_carries_its_local_examples(code, words):
    examples = assist.BY_CODE[code].examples

    assert all(word in examples for word in words)


def test_question_5_is_not_asked_for_tobacco_only():
    assert "q5" not in assist.BY_CODE["tobacco"].questions
    assert all("q5" in assist.BY_CODE[c].questions for c in CODES if c != "tobacco")


# --- every cell of the scoring table ---------------------------------------------------


def _cell_answers(code: str, question: str, answer: str) -> tuple[dict, int]:
    """Answers where only `question` carries points, and the score WHO gives them. Q3–Q5 are
    asked only after a recent use, so there Q2 is "once or twice" (2 points) as well."""
    points = WHO_TABLE[question][answer]
    if question == "q2" and answer == "never":
        return {"q2": "never", "q6": "never", "q7": "never"}, 0
    if question == "q2":
        return recent(code, q2=answer), points
    if question in ("q3", "q4", "q5"):
        return recent(code, **{question: answer}), 2 + points
    return {"q2": "never", "q6": "never", "q7": "never", question: answer}, points


CELLS = [
    (code, question, answer, points)
    for code in CODES
    for question, answers in WHO_TABLE.items()
    if not (code == "tobacco" and question == "q5")
    for answer, points in answers.items()
]


@pytest.mark.parametrize(("code", "question", "answer", "points"), CELLS)
def test_every_cell_of_the_scoring_table_counts_as_who_prints_it(code, question, answer, points):
    answers, expected = _cell_answers(code, question, answer)

    result = assist.score(used(code, **answers))

    assert [(r.substance, r.score) for r in result.substances] == [(code, expected)]
    assert assist.SCORES[question][answer] == points


def test_the_scoring_table_has_exactly_the_who_cells():
    assert assist.SCORES == WHO_TABLE


def test_the_score_is_the_sum_of_questions_2_to_7():
    answers = recent("cannabis", q2="weekly", q3="monthly", q4="once_twice", q5="daily")
    answers |= {"q6": "earlier", "q7": "recent"}

    result = assist.score(used("cannabis", **answers))

    assert result.substances[0].score == 4 + 4 + 4 + 8 + 3 + 6


@pytest.mark.parametrize(("code", "maximum"), [("tobacco", 31), *[(c, 39) for c in CODES[1:]]])
def test_the_highest_possible_score_is_31_for_tobacco_and_39_for_the_others(code, maximum):
    answers = recent(code, q2="daily", q3="daily", q4="daily", q5="daily")
    answers |= {"q6": "recent", "q7": "recent"}

    result = assist.score(used(code, **answers))

    assert result.substances[0].score == maximum == assist.BY_CODE[code].max_score
    assert result.substances[0].risk == "high"


# --- risk levels -----------------------------------------------------------------------

# Answer sets that reach a given score for any substance (Q5 "never" where it is asked).
SCORE_OF = {
    0: {"q2": "never", "q6": "never", "q7": "never"},
    3: {"q2": "never", "q6": "earlier", "q7": "never"},
    4: {"q2": "weekly", "q3": "never", "q4": "never", "q6": "never", "q7": "never"},
    10: {"q2": "weekly", "q3": "never", "q4": "never", "q6": "recent", "q7": "never"},
    11: {"q2": "once_twice", "q3": "once_twice", "q4": "never", "q6": "never", "q7": "recent"},
    26: {"q2": "daily", "q3": "daily", "q4": "monthly", "q6": "recent", "q7": "earlier"},
    27: {"q2": "daily", "q3": "daily", "q4": "weekly", "q6": "recent", "q7": "earlier"},
}
ALCOHOL_RISK = {0: "low", 3: "low", 4: "low", 10: "low", 11: "moderate", 26: "moderate",
                27: "high"}  # fmt: skip
OTHER_RISK = {0: "low", 3: "low", 4: "moderate", 10: "moderate", 11: "moderate",
              26: "moderate", 27: "high"}  # fmt: skip


def _reach(code: str, points: int) -> dict:
    answers = dict(SCORE_OF[points])
    if "q3" in answers and code != "tobacco":
        answers["q5"] = "never"
    return used(code, **answers)


@pytest.mark.parametrize(("points", "risk"), ALCOHOL_RISK.items())
def test_alcohol_is_low_up_to_10_moderate_from_11_and_high_from_27(points, risk):
    result = assist.score(_reach("alcohol", points))

    assert (result.substances[0].score, result.substances[0].risk) == (points, risk)


@pytest.mark.parametrize(
    ("code", "points"), list(itertools.product(OTHER_THAN_ALCOHOL, OTHER_RISK))
)
def test_every_other_substance_is_low_up_to_3_moderate_from_4_and_high_from_27(code, points):
    result = assist.score(_reach(code, points))

    assert (result.substances[0].score, result.substances[0].risk) == (points, OTHER_RISK[points])


@pytest.mark.parametrize(
    ("code", "score", "risk"),
    [("alcohol", 10, "low"), ("alcohol", 11, "moderate"), ("alcohol", 26, "moderate"),
     ("alcohol", 27, "high"), ("alcohol", 39, "high"), ("ats", 3, "low"), ("ats", 4, "moderate"),
     ("ats", 26, "moderate"), ("ats", 27, "high"), ("tobacco", 31, "high"),
     ("opioids", 0, "low")],
)  # fmt: skip
def test_risk_level_at_each_cut_off(code, score, risk):
    assert assist.risk_level(code, score) == risk


# --- skip rules ------------------------------------------------------------------------


def test_a_substance_never_used_gets_no_further_questions():
    answers = used("ats", **recent("ats"))
    answers["cannabis"] = {"q1": False, "q2": "weekly", "q6": "never"}

    assert problems_of(answers) == [
        ("cannabis", "q2", assist.MSG_NOT_USED),
        ("cannabis", "q6", assist.MSG_NOT_USED),
    ]


def test_q2_never_skips_q3_to_q5_but_q6_and_q7_are_still_asked():
    answers = used("opioids", q2="never", q3="daily", q4="never", q5="weekly")

    assert problems_of(answers) == [
        ("opioids", "q3", assist.MSG_NOT_RECENT),
        ("opioids", "q4", assist.MSG_NOT_RECENT),
        ("opioids", "q5", assist.MSG_NOT_RECENT),
        ("opioids", "q6", assist.MSG_MISSING),
        ("opioids", "q7", assist.MSG_MISSING),
    ]


def test_q6_and_q7_alone_score_a_substance_not_used_lately():
    result = assist.score(used("opioids", q2="never", q6="earlier", q7="earlier"))

    assert [(r.substance, r.score, r.risk) for r in result.substances] == [
        ("opioids", 6, "moderate")
    ]


def test_a_recent_user_must_answer_q3_to_q5():
    answers = used("ats", q2="daily", q6="never", q7="never")

    assert problems_of(answers) == [
        ("ats", "q3", assist.MSG_MISSING),
        ("ats", "q4", assist.MSG_MISSING),
        ("ats", "q5", assist.MSG_MISSING),
    ]


def test_tobacco_answered_on_question_5_is_refused():
    answers = used("tobacco", **recent("tobacco"), q5="never")

    assert problems_of(answers) == [("tobacco", "q5", assist.MSG_Q5_TOBACCO)]


def test_a_user_who_skips_q2_is_asked_for_q2_q6_and_q7():
    assert problems_of(used("cannabis")) == [
        ("cannabis", "q2", assist.MSG_MISSING),
        ("cannabis", "q6", assist.MSG_MISSING),
        ("cannabis", "q7", assist.MSG_MISSING),
    ]


@pytest.mark.parametrize(
    ("code", "answers", "asked"),
    [("ats", {"q1": False}, ("q1",)),
     ("ats", {"q1": True, "q2": "never"}, ("q1", "q2", "q6", "q7")),
     ("ats", {"q1": True, "q2": "weekly"}, ("q1", "q2", "q3", "q4", "q5", "q6", "q7")),
     ("tobacco", {"q1": True, "q2": "daily"}, ("q1", "q2", "q3", "q4", "q6", "q7"))],
)  # fmt: skip
def test_asked_questions_follow_the_skip_rules(code, answers, asked):
    assert assist.asked_questions(assist.BY_CODE[code], answers) == asked


def test_the_normalised_answers_keep_every_substance_and_only_what_was_asked():
    answers = used("other", **recent("other"), specify="  dextro   sachet ")

    result = assist.score(answers)

    assert list(result.answers) == CODES
    assert result.answers["alcohol"] == {"q1": False}
    assert result.answers["other"] == {
        "q1": True, "q2": "once_twice", "q3": "never", "q4": "never", "q5": "never",
        "q6": "never", "q7": "never", "specify": "dextro sachet",
    }  # fmt: skip


def test_nobody_who_used_nothing_gets_a_substance_result():
    result = assist.score(nothing_used())

    assert (result.substances, result.recommendation, result.highest) == ((), "none", None)


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [None, [], "tobacco", 3])
def test_answers_that_are_not_an_object_are_refused(answers):
    assert problems_of(answers) == [(None, None, assist.MSG_NOT_AN_OBJECT)]


def test_a_substance_left_out_is_a_missing_question_1():
    answers = nothing_used()
    del answers["hallucinogens"]

    assert problems_of(answers) == [("hallucinogens", "q1", assist.MSG_MISSING)]


def test_an_unknown_substance_is_refused():
    answers = nothing_used() | {"kratom": {"q1": True}}

    assert problems_of(answers) == [("kratom", None, assist.MSG_UNKNOWN_SUBSTANCE)]


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", None])
def test_question_1_takes_only_true_or_false(value):
    answers = nothing_used()
    answers["alcohol"] = {"q1": value}

    expected = assist.MSG_MISSING if value is None else assist.MSG_NOT_YES_NO
    assert problems_of(answers) == [("alcohol", "q1", expected)]


@pytest.mark.parametrize(
    ("question", "value"),
    [("q2", "sometimes"), ("q2", 4), ("q3", "recent"), ("q6", "weekly"), ("q7", ["never"])],
)
def test_an_unknown_answer_code_is_refused(question, value):
    answers = used("cannabis", **recent("cannabis", **{question: value}))

    assert problems_of(answers) == [("cannabis", question, assist.MSG_UNKNOWN_ANSWER)]


def test_an_unknown_question_is_refused():
    answers = used("cocaine", **recent("cocaine"), q9="never")

    assert problems_of(answers) == [("cocaine", "q9", assist.MSG_UNKNOWN_QUESTION)]


def test_the_answers_of_a_substance_must_be_an_object():
    answers = nothing_used() | {"cocaine": True}

    assert problems_of(answers) == [("cocaine", None, assist.MSG_SUBSTANCE_NOT_AN_OBJECT)]


def test_only_other_may_name_its_substance():
    answers = used("ats", **recent("ats"), specify="sabu")

    assert problems_of(answers) == [("ats", "specify", assist.MSG_UNKNOWN_QUESTION)]


def test_the_other_substance_name_has_a_length_limit():
    answers = used("other", **recent("other"), specify="x" * 101)

    assert problems_of(answers) == [("other", "specify", assist.MSG_SPECIFY_TEXT)]


@pytest.mark.parametrize("injection", ["sometimes", None, "", 1])
def test_an_unknown_injection_answer_is_refused(injection):
    answers = used("ats", **recent("ats"))

    assert problems_of(answers, injection) == [(None, "q8", assist.MSG_UNKNOWN_ANSWER)]


def test_injection_is_not_asked_when_nothing_was_ever_used():
    assert problems_of(nothing_used(), "recent") == [(None, "q8", assist.MSG_INJECTION_NO_USE)]


def test_every_problem_is_reported_at_once_in_instrument_order():
    answers = nothing_used()
    answers["tobacco"] = {"q1": True, "q2": "daily", "q3": "never", "q4": "never", "q5": "x"}
    answers["alcohol"] = {"q1": "yes"}
    answers["ats"] = {"q1": False, "q3": "daily"}

    problems = problems_of(answers, "often")

    assert [(s, q) for s, q, _ in problems] == [
        ("tobacco", "q5"), ("tobacco", "q6"), ("tobacco", "q7"), ("alcohol", "q1"),
        ("ats", "q3"), (None, "q8"),
    ]  # fmt: skip


def test_a_problem_names_its_substance_and_question():
    with pytest.raises(AssistError) as info:
        assist.score(used("ats", q2="never", q3="daily", q6="never", q7="never"))

    assert str(info.value) == (
        "Amphetamine-type stimulants, question 3: Not asked: the substance was not used in the "
        "past three months (the answer to question 2 is never)."
    )


def test_a_problem_is_rendered_through_the_callers_translation():
    problem = Problem("ats", "q4", assist.MSG_MISSING)
    catalogue = {
        assist.MSG_AT_SUBSTANCE_QUESTION: "%(substance)s, pertanyaan %(number)s: %(problem)s",
        assist.MSG_MISSING: "Pertanyaan ini wajib dijawab.",
        "Amphetamine-type stimulants": "Stimulan jenis amfetamin",
    }

    rendered = problem.render(lambda s: catalogue.get(s, s))

    assert rendered == "Stimulan jenis amfetamin, pertanyaan 4: Pertanyaan ini wajib dijawab."
    assert problem.text() == "This question must be answered."


# --- recommendation --------------------------------------------------------------------


def _with(*sets: dict) -> dict:
    answers = nothing_used()
    for one in sets:
        answers |= {code: value for code, value in one.items() if value != {"q1": False}}
    return answers


@pytest.mark.parametrize(
    ("answers", "injection", "recommendation"),
    [
        (nothing_used(), "never", "none"),
        (_reach("alcohol", 10), "never", "brief"),
        (_with(_reach("alcohol", 10), _reach("cannabis", 3)), "never", "brief"),
        (_reach("alcohol", 10), "earlier", "brief"),
        (_reach("alcohol", 11), "never", "further"),
        (_with(_reach("alcohol", 3), _reach("ats", 4)), "never", "further"),
        (_with(_reach("alcohol", 3), _reach("ats", 26)), "earlier", "further"),
        (_with(_reach("alcohol", 3), _reach("ats", 27)), "never", "inpatient"),
        (_reach("ats", 3), "recent", "inpatient"),
        (_reach("opioids", 4), "recent", "inpatient"),
    ],
    ids=["nothing", "all-low", "two-low", "low-earlier-injection", "alcohol-moderate",
         "ats-moderate", "moderate-earlier-injection", "high", "low-recent-injection",
         "moderate-recent-injection"],
)  # fmt: skip
def test_the_recommendation_follows_the_highest_risk_and_recent_injection(
    answers, injection, recommendation
):
    assert assist.score(answers, injection).recommendation == recommendation


def test_tobacco_alone_never_leads_beyond_brief_intervention():
    assert assist.score(_reach("tobacco", 27)).recommendation == "brief"
    assert assist.score(_with(_reach("tobacco", 27), _reach("alcohol", 11))).recommendation == (
        "further"
    )


def test_the_highest_substance_is_the_one_of_highest_risk_then_score():
    result = assist.score(_with(_reach("tobacco", 27), _reach("alcohol", 10), _reach("ats", 4)))

    assert (result.highest.substance, result.highest.risk, result.highest.score) == (
        "ats", "moderate", 4,
    )  # fmt: skip
    assert assist.score(_reach("tobacco", 27)).highest.substance == "tobacco"


def test_the_injection_flag_is_kept_with_the_result():
    result = assist.score(_reach("ats", 4), "earlier")

    assert (result.injection, result.injected) == ("earlier", True)
    assert assist.score(_reach("ats", 4)).injected is False
