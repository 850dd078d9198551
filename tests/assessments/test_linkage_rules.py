"""The matching rules of issue 3 §4, each with its refusal cases (pure: no database)."""

import datetime

import pytest

from assessments import linkage as L

BORN = datetime.date(1990, 1, 1)
VILLAGE = "16.02.05.1002"
OTHER_DISTRICT_VILLAGE = "16.02.03.2008"


def row(rid, nik, name, *, born=BORN, kk="", village=VILLAGE, sex="L", decile=3):
    return L.Candidate(
        id=rid, nik=nik, kk=kk, name=name, name_key=L.name_key(name), birth_date=born,
        sex=sex, village_code=village, decile=decile,
    )  # fmt: skip


def person(nik, name, *, born=BORN, kk="", village=VILLAGE, sex="L"):
    return L.Person(
        nik=nik, kk=kk, name=name, name_key=L.name_key(name), birth_date=born, sex=sex,
        village_code=village,
    )  # fmt: skip


BUDI = row(1, "1602050101900001", "Budi Santoso", kk="1602050000000011")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Rizki", "M. Rizki"),
        ("Muhammad Rizki", "Moh. Rizky"),
        ("Mochammad Rizki", "MUHAMAD  RIZKI"),
        ("H. Ahmad Fauzi, S.Pd.", "Achmad Fauzi"),
        ("Soekarno", "Sukarno"),
        ("Siti Aisyah", "Sitti Aisah"),
    ],
)
def test_spelling_variants_and_titles_share_a_name_key(a, b):
    assert L.name_key(a) == L.name_key(b)


def test_different_people_keep_different_name_keys():
    assert L.name_key("Budi Santoso") != L.name_key("Budi Susanto")


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("1602050101900001", "1602050101900001", "equal"),
        ("1602050101900001", "1602050101900007", "one_substitution"),
        ("1602050101900012", "1602050101900021", "adjacent_transposition"),
        ("1602050101900001", "1602050202900001", "other"),
    ],
)
def test_nik_relations(a, b, relation):
    assert L.nik_relation(a, b) == relation


def test_an_exact_nik_with_agreeing_name_and_birth_date_matches():
    result = L.match_person(person(BUDI.nik, "Budi Santoso"), [BUDI])

    assert (result.status, result.method, result.candidate) == ("match", "nik_exact", BUDI)


def test_an_exact_nik_whose_name_and_birth_date_disagree_is_not_a_match():
    query = person(BUDI.nik, "Ahmad Wijaya", born=datetime.date(1980, 5, 5))

    assert L.match_person(query, [BUDI]).status == "none"


def test_a_nik_typo_confirmed_by_name_and_birth_date_matches():
    result = L.match_person(person("1602050101900007", "Budi Santoso"), [BUDI])

    assert (result.status, result.method) == ("match", "nik_typo")


def test_a_nik_typo_that_lands_on_another_real_person_does_not_match():
    other = row(2, "1602050101900007", "Rudi Hartono")

    result = L.match_person(person(other.nik, "Budi Santoso"), [BUDI, other])

    assert result.status != "match"


def test_a_nik_typo_whose_name_disagrees_is_not_a_match():
    result = L.match_person(person("1602050101900007", "Joko Widodo"), [BUDI])

    assert result.status == "none"


def test_kk_with_the_same_name_matches_when_the_nik_is_missing():
    result = L.match_person(person("", "Budi Santoso", kk=BUDI.kk, born=None), [BUDI])

    assert result.candidate == BUDI and result.method == "kk_name"


def test_kk_with_another_name_is_not_a_match():
    result = L.match_person(person("", "Siti Aminah", kk=BUDI.kk, sex="P"), [BUDI])

    assert result.status == "none"


def test_name_and_birth_date_in_the_same_village_match_without_a_nik():
    result = L.match_person(person("", "Budi Santoso"), [BUDI])

    assert (result.status, result.method) == ("match", "name_dob_village")


def test_name_and_birth_date_in_another_district_are_not_a_match():
    query = person("", "Budi Santoso", village=OTHER_DISTRICT_VILLAGE)

    assert L.match_person(query, [BUDI]).status == "none"


def test_two_equally_good_candidates_need_review():
    twin = row(3, "1602050101900009", "Budi Santoso")

    result = L.match_person(person("", "Budi Santoso"), [BUDI, twin])

    assert result.status == "review"
    assert result.runner_up in (BUDI, twin)


def test_matching_is_deterministic():
    twin = row(3, "1602050101900009", "Budi Santoso")
    query = person("", "Budi Santoso")

    assert L.match_person(query, [BUDI, twin]) == L.match_person(query, [twin, BUDI])


def test_a_spreadsheet_number_nik_never_matches_by_nik():
    query = L.make_person(nik="1.60205E+15", name="Ahmad Wijaya", birth_date=BORN)

    assert L.match_person(query, [BUDI]).status == "none"
