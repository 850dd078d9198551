"""Tests of the pure record-linkage module: no database, no Django settings needed."""

import datetime
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assessments import linkage
from assessments.linkage import (
    Candidate,
    CandidateIndex,
    Thresholds,
    block_keys,
    close_dates,
    dob_agreement,
    make_person,
    match_person,
    name_key,
    name_similarity,
    nik_relation,
)
from cases.nik import parse_nik
from tests.bench import generate as bench

D = datetime.date
KAYUAGUNG = "16.02.05.1002"  # Kec. Kayu Agung, Kab. Ogan Komering Ilir
SIDAKERSA = "16.02.05.1003"  # another village of the same district
PEDAMARAN = "16.02.03.2008"  # another district of the same regency
BORN = D(1990, 1, 17)


def make_nik(district="160205", born=BORN, sex="L", serial=1):
    day = born.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def row(rid, name, *, nik="", kk="", born=BORN, sex="L", village=KAYUAGUNG):
    if not nik:
        nik = make_nik("".join(village.split(".")[:3]), born, sex)
    return Candidate(
        id=rid,
        nik=nik,
        kk=kk,
        name=name,
        name_key=name_key(name),
        birth_date=born,
        sex=sex,
        village_code=village,
        decile=2,
    )


def query(name, *, nik="", kk="", born=BORN, sex="L", village=KAYUAGUNG):
    return make_person(nik=nik, kk=kk, name=name, birth_date=born, sex=sex, village_code=village)


BUDI = row(100, "BUDI SANTOSO", kk="1602051203150001")
BUDI_NIK = BUDI.nik  # 1602051701900001


def test_the_linkage_module_imports_no_django():
    code = (
        "import sys, assessments.linkage; print(any(m.startswith('django') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


# --- name keys ------------------------------------------------------------------------


def test_name_key_ignores_case_spacing_and_punctuation():
    assert name_key("  budi   SANTOSO ") == name_key("Budi Santoso") == "budi santoso"
    assert name_key("Budi-Santoso") == name_key("Budi, Santoso") == "budi santoso"


def test_name_key_joins_an_apostrophe_and_folds_accents():
    assert name_key("Ma'ruf Amin") == name_key("Maruf Amin")
    assert name_key("Ma`ruf Amin") == name_key("Maruf Amin")
    assert name_key("Désy Ratnasari") == name_key("Desy Ratnasari")


@pytest.mark.parametrize(
    "titled",
    [
        "H. Ahmad Fauzi",
        "H.Ahmad Fauzi",
        "Haji Ahmad Fauzi",
        "Dr. Ahmad Fauzi",
        "Ir. Ahmad Fauzi",
        "Drs. H. Ahmad Fauzi",
        "Prof. Dr. Ir. H. Ahmad Fauzi",
        "Bapak Ahmad Fauzi",
    ],
)
def test_name_key_drops_titles_before_the_name(titled):
    assert name_key(titled) == name_key("Ahmad Fauzi")


@pytest.mark.parametrize("titled", ["Hj. Siti Aminah", "Hajjah Siti Aminah", "Ny. Siti Aminah"])
def test_name_key_drops_titles_of_women_before_the_name(titled):
    assert name_key(titled) == name_key("Siti Aminah")


@pytest.mark.parametrize(
    "degreed",
    [
        "Budi Santoso, S.Pd.",
        "Budi Santoso S.Pd",
        "Budi Santoso, S. Pd",
        "Budi Santoso, S.E.",
        "Budi Santoso SE",
        "Budi Santoso, S.H.",
        "Budi Santoso, S.Kom.",
        "Budi Santoso, M.Si.",
        "Budi Santoso, S.Pd., M.Si.",
        "Budi Santoso, A.Md.Keb",
    ],
)
def test_name_key_drops_degrees_after_the_name(degreed):
    assert name_key(degreed) == name_key("Budi Santoso")


def test_name_key_keeps_a_title_word_that_is_the_whole_name():
    assert name_key("Haji") == name_key("haji") != ""


def test_name_key_drops_bin_or_binti_and_the_fathers_name():
    assert name_key("Ahmad bin Yusuf") == name_key("Ahmad")
    assert name_key("Siti Aminah binti Abdullah") == name_key("Siti Aminah")
    assert name_key("Siti Aminah Bt. Abdullah") == name_key("Siti Aminah")


def test_name_key_keeps_binti_as_a_given_name():
    assert name_key("Binti Masruroh") == "binti masruro"


@pytest.mark.parametrize(
    "spelling",
    [
        "Muhammad",
        "Muhamad",
        "Mohammad",
        "Mohamad",
        "Mohammed",
        "Moh.",
        "Moch.",
        "Mochammad",
        "Muchammad",
        "Muh.",
        "M.",
    ],
)
def test_name_key_writes_every_muhammad_one_way(spelling):
    assert name_key(f"{spelling} Rizki") == "muhamad rizki"


def test_name_key_reads_a_single_m_as_muhammad_only_before_another_word():
    assert name_key("M Rizki") == "muhamad rizki"
    assert name_key("Rizki M") == "rizki m"


@pytest.mark.parametrize("spelling", ["Ahmad", "Achmad", "Akhmad", "Ahmed"])
def test_name_key_writes_every_ahmad_one_way(spelling):
    assert name_key(f"{spelling} Dahlan") == "ahmad dahlan"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Soekarno", "Sukarno"),  # oe -> u
        ("Djoko Widodo", "Joko Widodo"),  # dj -> j
        ("Tjahjo Kumolo", "Cahyo Kumolo"),  # tj -> c, j -> y
        ("Jusuf Kalla", "Yusuf Kalla"),  # j -> y
        ("Sjahrir", "Syahrir"),  # sj -> sy
        ("Njoman", "Nyoman"),  # nj -> ny
    ],
)
def test_name_key_reads_the_old_spelling_as_the_new(old, new):
    assert name_key(old) == name_key(new)


def test_name_key_writes_nur_and_siti_one_way():
    assert name_key("Noor Aini") == name_key("Noer Aini") == name_key("Nur Aini")
    assert name_key("Nor Aini") == name_key("Nur Aini")
    assert name_key("Sitti Aminah") == name_key("St. Aminah") == name_key("Siti Aminah")


def test_name_key_writes_arabic_transliterations_one_way():
    assert name_key("Syamsul") == name_key("Samsul")
    assert name_key("Chairul") == name_key("Khairul") == name_key("Hairul")
    assert name_key("Ramadhan") == name_key("Ramadan")
    assert name_key("Taufiq") == name_key("Taufik")


def test_name_key_makes_double_letters_single():
    assert name_key("Sitti") == name_key("Siti")
    assert name_key("Ferry") == name_key("Feri")
    assert name_key("Abdullah") == name_key("Abdulah")


def test_name_key_treats_a_final_y_after_a_consonant_and_a_final_h_after_a_vowel_as_optional():
    assert name_key("Rudy") == name_key("Rudi")
    assert name_key("Aisyah") == name_key("Aisya")
    assert name_key("Fatimah") == name_key("Fatima")


def test_name_key_of_nothing_is_empty():
    assert name_key("") == ""
    assert name_key("  ,. ") == ""


def test_plain_name_removes_titles_but_keeps_the_spelling():
    assert linkage.plain_name("Hj. Sitti Aisyah, S.Pd.") == "sitti aisyah"


# --- name similarity ------------------------------------------------------------------


def sim(a, b):
    return name_similarity(name_key(a), name_key(b))


def test_name_similarity_of_the_same_name_is_one_and_of_nothing_is_zero():
    assert sim("Budi Santoso", "BUDI SANTOSO") == 1.0
    assert sim("", "Budi") == 0.0
    assert sim("", "") == 0.0


def test_name_similarity_ignores_word_order():
    assert sim("Santoso Budi", "Budi Santoso") == 1.0


def test_name_similarity_forgives_a_missing_middle_name():
    assert sim("Muhammad Rizki Pratama", "Muhammad Pratama") >= linkage.NAME_AGREE
    assert sim("Dewi Lestari", "Dewi Lestari Siregar") >= linkage.NAME_AGREE


def test_name_similarity_forgives_a_left_out_muhammad_or_siti():
    assert sim("Budi", "Muhammad Budi") >= linkage.NAME_AGREE
    assert sim("Aminah", "Siti Aminah") >= linkage.NAME_AGREE


@pytest.mark.parametrize(
    ("typed", "registered"),
    [
        ("Muhammad Riski", "Muhammad Rizki"),  # one letter wrong
        ("Rizki Pratma", "Rizki Pratama"),  # one letter missing
        ("Rizki Prattama", "Rizki Pratama"),  # one letter doubled
        ("Rizki Partama", "Rizki Pratama"),  # two letters swapped
    ],
)
def test_name_similarity_forgives_one_typing_slip(typed, registered):
    assert sim(typed, registered) >= linkage.NAME_AGREE


def test_name_similarity_forgives_where_the_spaces_are():
    assert sim("Nur Aini", "Nuraini") >= 0.95
    assert sim("Abdul Rahman", "Abdurrahman") >= 0.9


def test_name_similarity_tells_apart_names_that_differ_in_the_given_name():
    assert sim("Ahmad Fauzi Siregar", "Ahmad Rizki Siregar") < linkage.NAME_AGREE
    assert sim("Aisyah Lestari", "Mariam Lestari") < linkage.NAME_DISAGREE
    assert sim("Muhammad Hasan", "Muhammad Husein") < linkage.NAME_DISAGREE


def test_name_similarity_gives_little_for_a_shared_common_word_only():
    assert sim("Muhammad Ali", "Muhammad") <= 0.6
    assert sim("Siti Nur Aisyah", "Siti Nur Halimah") < linkage.NAME_DISAGREE


def test_name_similarity_is_symmetric():
    pairs = [("Muhammad Rizki Pratama", "Rizki"), ("Nur Aini", "Nuraini"), ("A. Rahman", "Abdul")]
    for a, b in pairs:
        assert sim(a, b) == sim(b, a)


# --- NIK and birth dates --------------------------------------------------------------


def test_nik_relation_of_the_same_nik_is_equal():
    assert nik_relation(BUDI_NIK, BUDI_NIK) == linkage.EQUAL


def test_nik_relation_sees_one_wrong_digit():
    assert nik_relation(BUDI_NIK, "1602051701900007") == linkage.ONE_SUBSTITUTION
    assert nik_relation(BUDI_NIK, "1603051701900001") == linkage.ONE_SUBSTITUTION


def test_nik_relation_sees_two_neighbouring_digits_swapped():
    assert nik_relation(BUDI_NIK, "1602057101900001") == linkage.ADJACENT_TRANSPOSITION


def test_nik_relation_sees_two_digits_further_apart_swapped():
    assert nik_relation(BUDI_NIK, "1602051901700001") == linkage.TRANSPOSITION


def test_nik_relation_calls_two_different_digits_other():
    assert nik_relation(BUDI_NIK, "1602051701900022") == linkage.OTHER
    assert nik_relation(BUDI_NIK, "9999999999999999") == linkage.OTHER


def test_nik_relation_needs_two_sixteen_digit_niks():
    assert nik_relation(BUDI_NIK, BUDI_NIK[:15]) == linkage.OTHER
    assert nik_relation(BUDI_NIK, "1.60205E+15") == linkage.OTHER
    assert nik_relation("", "") == linkage.OTHER


def test_the_nik_tells_birth_date_sex_and_district():
    female = make_nik(born=D(1985, 7, 5), sex="P")
    assert linkage.nik_birth_date(female) == D(1985, 7, 5)
    assert linkage.nik_sex(female) == "P"
    assert linkage.nik_sex(BUDI_NIK) == "L"
    assert linkage.nik_district(BUDI_NIK) == "16.02.05"
    assert linkage.nik_birth_date("1602053501900001") is None
    assert linkage.district_of(KAYUAGUNG) == "16.02.05"


def test_dob_agreement_grades_equal_close_different_and_unknown():
    born = D(1990, 5, 7)
    assert dob_agreement(born, D(1990, 5, 7)) == linkage.DOB_EQUAL
    assert dob_agreement(born, D(1990, 7, 5)) == linkage.DOB_CLOSE  # day and month swapped
    assert dob_agreement(born, D(1991, 5, 7)) == linkage.DOB_CLOSE  # a year off
    assert dob_agreement(born, D(1980, 5, 7)) == linkage.DOB_CLOSE  # one digit of the year
    assert dob_agreement(born, D(1990, 5, 27)) == linkage.DOB_CLOSE  # one digit of the day
    assert dob_agreement(born, D(1992, 6, 7)) == linkage.DOB_DIFFERENT
    assert dob_agreement(born, None) is None


@pytest.mark.parametrize("born", [D(1990, 5, 7), D(2004, 12, 31), D(1961, 2, 28)])
def test_close_dates_are_exactly_the_dates_dob_agreement_calls_close(born):
    close = set(close_dates(born))
    first, last = D(1900, 1, 1).toordinal(), D(2099, 12, 31).toordinal()
    for ordinal in range(first, last + 1):
        other = D.fromordinal(ordinal)
        assert (other in close) == (dob_agreement(born, other) == linkage.DOB_CLOSE), other


# --- people ---------------------------------------------------------------------------


def test_make_person_cleans_nik_and_kk_and_computes_the_name_key():
    person = make_person(nik="'1602 0517 0190 0001", kk=" 1602051203150001", name="H. Budi")
    assert person.nik == BUDI_NIK
    assert person.kk == "1602051203150001"
    assert person.name_key == "budi"


def test_make_person_does_not_read_a_missing_birth_date_or_sex_from_the_nik():
    person = make_person(nik=BUDI_NIK, name="Budi")
    assert person.birth_date is None
    assert person.sex == ""


def test_make_person_keeps_a_nik_in_scientific_notation_unusable():
    person = make_person(nik="1.60205E+15", name="Budi")
    assert person.nik == "1.60205E+15"
    assert block_keys([person]).niks == frozenset()


# --- matching: exact NIK --------------------------------------------------------------


def test_exact_nik_with_name_and_birth_date_is_a_match():
    result = match_person(query("Budi Santoso", nik=BUDI_NIK), [BUDI])
    assert result.status == linkage.MATCH
    assert result.method == linkage.NIK_EXACT
    assert result.score == 1.0
    assert result.candidate == BUDI
    assert result.runner_up is None


def test_exact_nik_with_a_mistyped_birth_date_is_a_match():
    result = match_person(query("Budi Santoso", nik=BUDI_NIK, born=D(1990, 7, 1)), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NIK_EXACT)


def test_exact_nik_with_a_spelling_variant_and_a_title_is_a_match():
    moh = row(2, "MUHAMMAD YUSUF", born=D(1975, 3, 2))
    result = match_person(query("H. Moch. Jusuf", nik=moh.nik, born=D(1975, 3, 2)), [moh])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NIK_EXACT)


def test_exact_nik_whose_name_and_birth_date_both_disagree_is_not_a_match():
    result = match_person(query("Siti Aminah", nik=BUDI_NIK, born=D(1970, 3, 3)), [BUDI])
    assert result.status == linkage.NONE
    assert result.candidate is None


def test_exact_nik_whose_name_disagrees_is_only_a_review():
    # The birth date agrees, but a typo in the serial keeps the birth date: no proof.
    result = match_person(query("Siti Aminah", nik=BUDI_NIK), [BUDI])
    assert (result.status, result.method) == (linkage.REVIEW, linkage.NIK_EXACT)


def test_exact_nik_refused_leaves_the_other_rules_to_find_the_person():
    aminah = row(2, "SITI AMINAH", sex="P", born=D(1970, 3, 3))
    typed = query("Siti Aminah", nik=BUDI_NIK, born=D(1970, 3, 3), sex="P")
    result = match_person(typed, [BUDI, aminah])
    assert result.candidate == aminah
    assert result.method == linkage.NAME_DOB_VILLAGE
    assert result.status == linkage.REVIEW  # her NIK is another: not without a look


# --- matching: NIK typos --------------------------------------------------------------


@pytest.mark.parametrize(
    "typed_nik",
    [
        "1602051701900007",  # one wrong digit in the serial, never issued in that block
        "1602081701900001",  # one wrong digit in the district
        "1602051701980001",  # one wrong digit in the year
        "1602051710900001",  # two neighbouring digits swapped
        "1602051901700001",  # two digits further apart swapped
    ],
)
def test_nik_typo_confirmed_by_name_and_birth_date_is_a_match(typed_nik):
    result = match_person(query("Budi Santoso", nik=typed_nik), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NIK_TYPO)
    assert result.candidate == BUDI


def test_nik_typo_with_another_name_is_not_a_match():
    result = match_person(query("Agus Salim", nik="1602051701900007"), [BUDI])
    assert result.status == linkage.NONE


def test_nik_typo_with_another_birth_date_is_not_a_match():
    result = match_person(
        query("Budi Santoso", nik="1602081701900001", born=D(1982, 9, 30)), [BUDI]
    )
    assert result.status == linkage.NONE


def test_nik_typo_without_any_birth_date_is_only_a_review():
    typed = make_person(nik="1602051701980001", name="Budi Santoso", village_code=KAYUAGUNG)
    result = match_person(typed, [BUDI])
    assert (result.status, result.method) == (linkage.REVIEW, linkage.NIK_TYPO)


def test_nik_typo_outside_the_date_digits_takes_the_birth_date_written_in_the_nik():
    typed = make_person(nik="1602081701900001", name="Budi Santoso", village_code=KAYUAGUNG)
    result = match_person(typed, [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NIK_TYPO)


def test_nik_typo_that_lands_on_another_real_person_never_matches_that_person():
    # Budi's NIK typed with a wrong district digit is Rina's NIK in the next district.
    rina = row(2, "RINA", nik="1602081701900001", sex="P", village=PEDAMARAN)
    result = match_person(query("Budi Santoso", nik=rina.nik), [rina, BUDI])
    assert result.candidate == BUDI
    assert result.method == linkage.NIK_TYPO
    assert linkage.FLAG_NIK_OF_OTHER in result.flags
    assert result.runner_up is None or result.runner_up == rina


def test_nik_typo_onto_another_person_matches_when_name_birth_date_and_village_agree():
    # Rina is named otherwise and lives elsewhere; Budi has the same name, birth date and
    # village: only the NIK points at Rina, and it is one typo from Budi's.
    rina = row(2, "RINA", nik="1602081701900001", sex="P", village=PEDAMARAN)
    result = match_person(query("Budi Santoso", nik=rina.nik), [rina, BUDI])
    assert result.status == linkage.MATCH


@pytest.mark.parametrize(
    "typed, owner",
    [
        # Budi in another village of the district: a reviewer looks first.
        (query("Budi Santoso", village=SIDAKERSA), ("RINA", BORN, PEDAMARAN)),
        # A birth date one digit off is close, not the same.
        (query("Budi Santoso", born=D(1990, 1, 18)), ("RINA", BORN, PEDAMARAN)),
        # A name only nearly the same (one letter and a word missing).
        (query("Budy Santoso Putra"), ("RINA", BORN, PEDAMARAN)),
        # Another family card than Budi's.
        (query("Budi Santoso", kk="1602051203150009"), ("RINA", BORN, PEDAMARAN)),
        # The NIK's owner lives in the query's village: NIK and village both say Rina.
        (query("Budi Santoso"), ("RINA", BORN, KAYUAGUNG)),
        # The owner is named partly like the query (Budi, without Santoso), born another
        # day: not the query, and not clearly someone else either.
        (query("Budi Santoso"), ("BUDI", D(1985, 5, 5), PEDAMARAN)),
    ],
    ids=["other-village", "close-date", "near-name", "other-kk", "owner-here", "owner-alike"],
)
def test_nik_typo_onto_another_person_is_a_review_on_any_doubt(typed, owner):
    name, born, village = owner
    owner = row(2, name, nik="1602081701900001", born=born, village=village)
    typed = replace(typed, nik=owner.nik)
    result = match_person(typed, [owner, BUDI])
    assert result.status == linkage.REVIEW
    assert result.candidate == BUDI
    assert linkage.FLAG_NIK_OF_OTHER in result.flags


def test_nik_confirmed_as_its_owners_makes_the_owners_namesake_a_typo_away_no_rival():
    # Two Aminahs born the same day in Kayuagung: serials 0001 and 0002.
    first = row(1, "AMINAH", sex="P", born=D(2000, 12, 1))
    second = replace(first, id=2, nik=first.nik[:12] + "0002", kk="1602050101100002")
    result = match_person(
        query("Aminah", nik=first.nik, sex="P", born=D(2000, 12, 1)), [second, first]
    )
    assert (result.status, result.candidate) == (linkage.MATCH, first)


def test_serial_typo_to_a_serial_the_district_may_have_issued_needs_the_same_village():
    budi_elsewhere = replace(BUDI, village_code=SIDAKERSA)
    next_serial = BUDI_NIK[:12] + "0002"  # may be a namesake born the same day
    result = match_person(query("Budi Santoso", nik=next_serial), [budi_elsewhere])
    assert (result.status, result.method) == (linkage.REVIEW, linkage.NIK_TYPO)
    result = match_person(query("Budi Santoso", nik=next_serial), [BUDI])
    assert result.status == linkage.MATCH


def test_serial_typo_to_a_serial_never_issued_is_a_match_in_another_village():
    budi_elsewhere = replace(BUDI, village_code=SIDAKERSA)
    result = match_person(query("Budi Santoso", nik=BUDI_NIK[:12] + "0051"), [budi_elsewhere])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NIK_TYPO)


def test_nik_typo_with_another_kk_is_not_a_match():
    typed = query("Budi Santoso", nik=BUDI_NIK[:12] + "0002", kk="1602050101100009")
    result = match_person(typed, [BUDI])
    assert result.status != linkage.MATCH
    assert linkage.FLAG_KK_CONFLICT in result.flags


# --- matching: KK, name and birth date ------------------------------------------------


def test_kk_with_the_name_is_a_match():
    result = match_person(query("Budi Santoso", kk=BUDI.kk, born=None), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.KK_NAME)


def test_kk_with_another_name_is_not_a_match():
    wife = row(2, "SITI AMINAH", kk=BUDI.kk, sex="P", born=D(1992, 4, 4))
    result = match_person(query("Rahmat Hidayat", kk=BUDI.kk, born=D(2015, 1, 1)), [BUDI, wife])
    assert result.status == linkage.NONE


def test_name_and_birth_date_in_the_same_village_is_a_match_without_a_nik():
    result = match_person(query("Budi Santoso"), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NAME_DOB_VILLAGE)


def test_name_and_birth_date_in_the_same_district_is_a_match_without_a_nik():
    result = match_person(query("Budi Santoso", village=SIDAKERSA), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NAME_DOB_DISTRICT)


def test_name_and_birth_date_in_another_district_is_not_a_match():
    result = match_person(query("Budi Santoso", village=PEDAMARAN), [BUDI])
    assert result.status == linkage.NONE


def test_a_nik_in_scientific_notation_falls_back_to_name_and_birth_date():
    result = match_person(query("Budi Santoso", nik="1.60205E+15"), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NAME_DOB_VILLAGE)


def test_name_and_birth_date_when_the_typed_nik_is_another_is_only_a_review():
    result = match_person(query("Budi Santoso", nik="3171010101800001"), [BUDI])
    assert result.status == linkage.REVIEW
    assert linkage.FLAG_NIK_CONFLICT in result.flags


def test_name_with_a_mistyped_birth_date_in_the_same_village_is_a_match():
    result = match_person(query("Budi Santoso", born=D(1990, 1, 27)), [BUDI])
    assert (result.status, result.method) == (linkage.MATCH, linkage.NAME_DOB_VILLAGE)


def test_another_sex_keeps_a_match_from_being_automatic():
    result = match_person(query("Budi Santoso", sex="P"), [BUDI])
    assert result.status != linkage.MATCH
    assert linkage.FLAG_SEX_CONFLICT in result.flags


def test_twins_of_the_same_name_are_a_review_with_the_runner_up():
    kk = "1602052002100001"
    first = row(1, "SITI NUR AISYAH", kk=kk, sex="P", born=D(2010, 2, 20))
    second = replace(first, id=2, nik=first.nik[:12] + "0002", name="SITI NUR AISAH")
    second = replace(second, name_key=name_key(second.name))
    result = match_person(query("Siti Nur Aisyah", sex="P", born=D(2010, 2, 20)), [first, second])
    assert result.status == linkage.REVIEW
    assert linkage.FLAG_AMBIGUOUS in result.flags
    assert {result.candidate, result.runner_up} == {first, second}


def test_nobody_in_the_blocks_is_none():
    assert match_person(query("Budi Santoso"), []) == linkage.MatchResult(status=linkage.NONE)


# --- thresholds and determinism -------------------------------------------------------


def test_thresholds_decide_match_review_and_none():
    typed = query("Budi Santoso", nik=BUDI_NIK, born=D(1990, 1, 18))  # scores 0.97
    assert match_person(typed, [BUDI]).score == pytest.approx(0.97)
    assert match_person(typed, [BUDI], thresholds=Thresholds(auto=0.97)).status == "match"
    assert match_person(typed, [BUDI], thresholds=Thresholds(auto=0.98)).status == "review"
    strict = Thresholds(auto=0.99, review=0.98)
    assert match_person(typed, [BUDI], thresholds=strict).status == "none"


def test_default_thresholds_are_ordered():
    t = linkage.DEFAULT_THRESHOLDS
    assert 0 < t.review < t.auto <= 1
    assert 0 < t.ambiguity_margin < t.auto - t.review


def test_the_result_does_not_depend_on_the_order_or_repetition_of_candidates():
    kk = "1602052002100001"
    first = row(1, "SITI NUR AISYAH", kk=kk, sex="P", born=D(2010, 2, 20))
    second = replace(first, id=2, nik=first.nik[:12] + "0002")
    family = [first, second, BUDI, row(3, "AGUS", kk=kk, born=D(1980, 1, 1))]
    typed = query("Siti Nur Aisyah", kk=kk, sex="P", born=D(2010, 2, 20))
    expected = match_person(typed, family)
    rng = random.Random(7)
    for _ in range(20):
        shuffled = family * 2
        rng.shuffle(shuffled)
        assert match_person(typed, shuffled) == expected


# --- blocking -------------------------------------------------------------------------


def test_block_keys_name_the_niks_prefixes_kks_and_district_dates_to_read():
    typed = query("Budi Santoso", nik="1602081701900001", kk=BUDI.kk, born=D(1990, 1, 18))
    keys = block_keys([typed])
    assert keys.niks == {"1602081701900001"}
    assert keys.nik_prefixes == {"160208170190"}
    assert keys.kks == {BUDI.kk}
    assert keys.district_dates == {
        ("16.02.05", D(1990, 1, 18)),  # the village's district, the entered date
        ("16.02.05", D(1990, 1, 17)),  # ... the date in the NIK
        ("16.02.08", D(1990, 1, 18)),  # the NIK's district
        ("16.02.08", D(1990, 1, 17)),
    }


def test_block_keys_search_close_dates_only_for_a_query_without_a_nik():
    keys = block_keys([query("Budi Santoso", born=D(1990, 1, 18))])
    assert keys.niks == frozenset()
    assert ("16.02.05", D(1990, 1, 18)) in keys.district_dates
    assert ("16.02.05", D(1991, 1, 18)) in keys.district_dates
    assert len(keys.district_dates) == 1 + len(close_dates(D(1990, 1, 18)))


def test_candidate_index_gives_each_query_its_blocks_once():
    wife = row(2, "SITI AMINAH", kk=BUDI.kk, sex="P", born=D(1992, 4, 4))
    same_day = row(3, "AGUS", nik=BUDI_NIK[:12] + "0002", village=SIDAKERSA)
    stranger = row(4, "AGUS", born=D(1991, 1, 17), village=PEDAMARAN)
    index = CandidateIndex([BUDI, wife, same_day, stranger])
    found = index.candidates_for(query("Budi Santoso", nik=BUDI_NIK, kk=BUDI.kk))
    assert sorted(c.id for c in found) == [2, 3, 100]


def test_every_one_digit_typo_of_a_nik_still_finds_the_person_when_the_date_is_entered():
    index = CandidateIndex([BUDI])
    digits = "0123456789"
    for place in range(16):
        for digit in digits.replace(BUDI_NIK[place], ""):
            typed_nik = BUDI_NIK[:place] + digit + BUDI_NIK[place + 1 :]
            typed = query("Budi Santoso", nik=typed_nik)
            assert match_person(typed, index.candidates_for(typed)).candidate == BUDI, typed_nik
    for place in range(15):
        typed_nik = BUDI_NIK[:place] + BUDI_NIK[place + 1] + BUDI_NIK[place] + BUDI_NIK[place + 2 :]
        if typed_nik != BUDI_NIK:
            typed = query("Budi Santoso", nik=typed_nik)
            assert match_person(typed, index.candidates_for(typed)).candidate == BUDI, typed_nik


def test_a_query_without_nik_finds_the_person_despite_a_mistyped_birth_date():
    index = CandidateIndex([BUDI])
    for born in (D(1990, 1, 7), D(1991, 1, 17), D(1980, 1, 17)):
        typed = query("Budi Santoso", born=born)
        assert match_person(typed, index.candidates_for(typed)).candidate == BUDI, born


# --- the benchmark's generator, and the matcher on its data --------------------------


@pytest.fixture(scope="module")
def generated():
    return bench.generate(20_000, 2_000, seed=3)


def test_generator_makes_valid_unique_niks_in_real_villages(generated):
    register, proposals, truth = generated
    assert len(register) == 20_000
    assert len(proposals) == len(truth) == 2_000
    assert len({r[1] for r in register}) == len(register)
    villages = set(bench.load_villages(("16",)))
    for r in register[:2_000]:
        born = D.fromisoformat(r[4])
        assert parse_nik(r[1], birth_date=born, sex=r[5], today=bench.TODAY).ok, r
        assert r[6] in villages


def test_generator_is_deterministic_and_its_truth_points_into_the_register(generated):
    register, _proposals, truth = generated
    assert bench.generate(20_000, 2_000, seed=3)[2] == truth
    ids = {r[0] for r in register}
    assert all(t[1] in ids for t in truth if t[1])
    outside = sum(1 for t in truth if not t[1]) / len(truth)
    assert 0.15 < outside < 0.25


def test_matching_a_generated_proposal_list_is_precise_and_nearly_complete(generated):
    register, proposals, truth = generated
    candidates = [
        Candidate(
            id=r[0],
            nik=r[1],
            kk=r[2],
            name=r[3],
            name_key=name_key(r[3]),
            birth_date=D.fromisoformat(r[4]),
            sex=r[5],
            village_code=r[6],
            decile=int(r[8]),
        )  # fmt: skip
        for r in register
    ]
    index = CandidateIndex(candidates)
    tp = fp = fn = 0
    for p, (_row, true_id, _noise) in zip(proposals, truth, strict=True):
        born = None
        for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
            try:
                born = datetime.datetime.strptime(p[3], fmt).date()
            except ValueError:
                continue
        typed = make_person(
            nik=p[0], kk=p[1], name=p[2], birth_date=born, sex=p[4], village_code=p[5]
        )
        result = match_person(typed, index.candidates_for(typed))
        found = result.candidate.id if result.status == linkage.MATCH else ""
        tp += bool(found) and found == true_id
        fp += bool(found) and found != true_id
        fn += bool(true_id) and found != true_id
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.999
    assert recall >= 0.99
