"""What a reviewer reads beside a candidate (``linkage.compare``) and the candidates a
result offers (``MatchResult.candidates``). Pure: no database."""

import datetime

import pytest

from assessments import linkage as L
from assessments.linkage import Candidate, compare, make_person, match_person, name_key

D = datetime.date
BORN = D(1990, 1, 17)
KAYUAGUNG = "16.02.05.1002"  # Kec. Kayu Agung
SIDAKERSA = "16.02.05.1003"  # another village of Kec. Kayu Agung
PEDAMARAN = "16.02.03.2008"  # another kecamatan
BUDI_NIK = "1602051701900001"
BUDI_KK = "1602051203150001"


ADDRESS = "Dusun III RT 004/RW 002"


def row(rid, name, *, nik="", kk="", born=BORN, sex="L", village=KAYUAGUNG, address=ADDRESS):
    return Candidate(
        id=rid, nik=nik, kk=kk, name=name, name_key=name_key(name), birth_date=born,
        sex=sex, village_code=village, address=address, decile=2,
    )  # fmt: skip


def query(
    name="Budi Santoso", *, nik=BUDI_NIK, kk=BUDI_KK, born=BORN, sex="L", village=KAYUAGUNG,
    address=ADDRESS,
):  # fmt: skip
    return make_person(nik=nik, kk=kk, name=name, birth_date=born, sex=sex, village_code=village,
                       address=address)  # fmt: skip


BUDI = row(100, "BUDI SANTOSO", nik=BUDI_NIK, kk=BUDI_KK)


def levels(q, c):
    """{field: (level, agreement)} of compare(q, c)."""
    return {x.field: (x.level, x.agreement) for x in compare(q, c)}


def field(q, c, name):
    return next(x for x in compare(q, c) if x.field == name)


def test_compare_names_every_field_once_in_reading_order():
    assert tuple(x.field for x in compare(query(), BUDI)) == L.FIELDS == (
        "nik", "name", "birth_date", "kk", "place", "address", "sex",
    )  # fmt: skip


def test_compare_of_the_same_person_agrees_on_every_field():
    assert levels(query(), BUDI) == {
        "nik": ("same", "agree"),
        "name": ("same", "agree"),
        "birth_date": ("same", "agree"),
        "kk": ("same", "agree"),
        "place": ("same_village", "agree"),
        "address": ("same", "agree"),
        "sex": ("same", "agree"),
    }
    assert field(query(), BUDI, "name").similarity == 1.0


# --- address ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "level", "agreement"),
    [
        ("Dusun III RT 004/RW 002", "same", "agree"),
        ("Dsn. 3 RT 4 RW 2", "same", "agree"),  # the same address written otherwise
        ("rt/rw 004/002, dusun iii", "same", "agree"),
        ("Rt.04/Rw.02", "same", "agree"),  # only the RT/RW written: all it says agrees
        ("Dusun III RT 007/RW 002", "close", "close"),  # another RT
        ("Dusun I RT 004/RW 002", "close", "close"),  # another hamlet
        ("Jl. Merdeka No. 12 RT 009/RW 005", "different", "differ"),
        ("", "missing", "unknown"),
    ],
)
def test_compare_reads_the_address_however_it_is_written(written, level, agreement):
    assert levels(query(address=written), BUDI)["address"] == (level, agreement)


def test_address_parts_read_rt_rw_and_the_street_or_hamlet():
    assert L.address_parts("Jalan Diponegoro No. 117, Rt.04/Rw.06") == L.AddressParts(
        4, 6, "jl diponegoro 117"
    )
    assert L.address_parts("RT/RW 005/001 Dsn V") == L.AddressParts(5, 1, "dusun 5")
    assert L.address_parts("Gg. Mawar") == L.AddressParts(None, None, "gang mawar")
    assert L.address_parts("") == L.AddressParts(None, None, "")


# --- NIK --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "level", "agreement"),
    [
        (BUDI_NIK, "same", "agree"),
        ("1602051701900007", "one_digit", "close"),
        ("1602051710900001", "swapped", "close"),  # neighbouring digits
        ("1602051901700001", "swapped", "close"),  # digits further apart
        ("1602051701907701", "different", "differ"),  # two digits changed, not swapped
        ("", "missing", "unknown"),
        ("160205170190001", "missing", "unknown"),  # 15 digits: no usable NIK
        ("1.60205E+15", "missing", "unknown"),  # a spreadsheet's number
    ],
)
def test_compare_tells_how_the_niks_differ(typed, level, agreement):
    assert levels(query(nik=typed), BUDI)["nik"] == (level, agreement)


def test_compare_says_the_nik_is_missing_when_the_register_row_has_none():
    assert levels(query(), row(1, "Budi Santoso", nik=""))["nik"] == ("missing", "unknown")


# --- name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        ("Budi Santoso", "same"),
        ("H. Budi Santoso, S.Pd.", "same"),  # titles and degrees are not the name
        ("Budi Santosa", "similar"),  # one typing slip: the matcher's "same", not the reader's
        ("Budi Susanto", "similar"),
        ("Budi Santoso Wijaya", "similar"),  # a family name only one side has
        ("Budi", "different"),  # half the name
        ("Agus Salim", "different"),
    ],
)
def test_compare_grades_the_name_as_the_matcher_does(typed, level):
    found = field(query(typed), BUDI, "name")
    assert found.level == level
    assert found.similarity == round(L.name_similarity(name_key(typed), BUDI.name_key), 2)


def test_compare_says_reversed_name_order_is_the_same_name_in_another_order():
    found = field(query("Santoso Budi"), BUDI, "name")
    assert (found.level, found.agreement, found.similarity) == ("same", "agree", 1.0)
    assert found.notes == (L.NOTE_OTHER_ORDER,)
    assert field(query(), BUDI, "name").notes == ()


@pytest.mark.parametrize(
    ("typed", "notes"),
    [
        ("BUDI  SANTOSO", ()),  # case and spaces are no difference
        ("H. Budi Santoso, S.Pd.", ()),
        ("Budy Santoso", (L.NOTE_SPELLING,)),  # y for i: the same name, written otherwise
        ("BudiSantoso", (L.NOTE_SPELLING,)),
    ],
)
def test_compare_notes_a_same_name_written_otherwise(typed, notes):
    """Seen in the browser: "Budy Gunawan" beside "BUDI GUNAWAN" read "agrees: same" with
    nothing to say the two are written differently."""
    found = field(query(typed), BUDI, "name")
    assert (found.level, found.agreement, found.notes) == ("same", "agree", notes)


def test_compare_says_a_name_is_missing_when_one_side_has_none():
    assert levels(query(""), BUDI)["name"] == ("missing", "unknown")


# --- birth date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "level", "notes"),
    [
        (BORN, "same", ()),
        (D(1990, 1, 18), "close", ("one_digit",)),  # a day off by one digit
        (D(1990, 1, 7), "close", ("one_digit",)),
        (D(1991, 1, 17), "close", ("year",)),
        (D(2005, 3, 4), "different", ()),
        (None, "missing", ()),
    ],
)
def test_compare_grades_the_birth_date(typed, level, notes):
    found = field(query(born=typed), BUDI, "birth_date")
    assert (found.level, found.notes) == (level, notes)


def test_compare_sees_day_and_month_swapped():
    registered = row(1, "Budi Santoso", born=D(1990, 5, 3))
    found = field(query(born=D(1990, 3, 5)), registered, "birth_date")
    assert (found.level, found.agreement, found.notes) == ("close", "close", ("day_month_swapped",))


def test_compare_points_out_a_default_first_of_january_against_a_true_date():
    # Refusal case: 1 January is written when the date is unknown; it is no agreement.
    found = field(
        query(born=D(1990, 1, 1)), row(1, "Budi Santoso", born=D(1990, 5, 23)), "birth_date"
    )
    assert (found.level, found.agreement) == ("different", "differ")
    assert found.notes == (L.NOTE_JANUARY_FIRST,)
    # Both on 1 January is simply the same date; a close one keeps both notes.
    assert (
        field(query(born=D(1990, 1, 1)), row(1, "B", born=D(1990, 1, 1)), "birth_date").notes == ()
    )
    close = field(query(born=D(1990, 1, 1)), row(1, "B", born=D(1990, 1, 11)), "birth_date")
    assert (close.level, close.notes) == ("close", ("one_digit", "january_first"))


# --- KK, place, sex ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "registered", "level"),
    [
        (BUDI_KK, BUDI_KK, "same"),
        (BUDI_KK, "1602051203150099", "different"),
        ("", BUDI_KK, "missing"),
        (BUDI_KK, "", "missing"),
    ],
)
def test_compare_tells_whether_the_family_cards_agree(typed, registered, level):
    assert levels(query(kk=typed), row(1, "Budi Santoso", kk=registered))["kk"][0] == level


@pytest.mark.parametrize(
    ("village", "level", "agreement"),
    [
        (KAYUAGUNG, "same_village", "agree"),
        (SIDAKERSA, "same_district", "close"),
        (PEDAMARAN, "elsewhere", "differ"),
        ("", "missing", "unknown"),
    ],
)
def test_compare_tells_whether_they_live_in_the_same_village_or_kecamatan(
    village, level, agreement
):
    assert levels(query(village=village), BUDI)["place"] == (level, agreement)


@pytest.mark.parametrize(("sex", "level"), [("L", "same"), ("P", "different"), ("", "missing")])
def test_compare_tells_whether_the_sexes_agree(sex, level):
    assert levels(query(sex=sex), BUDI)["sex"][0] == level


# --- refusal cases, as a reviewer sees them ----------------------------------------------


def test_a_namesake_with_another_nik_shows_the_nik_differing_and_the_name_the_same():
    namesake = row(2, "BUDI SANTOSO", nik="1602051701900077", kk="")
    typed = query(nik="1602051701904321", kk="")  # his own NIK, not in the register

    result = match_person(typed, [namesake])

    assert result.status != L.MATCH
    assert levels(typed, namesake)["nik"] == ("different", "differ")
    assert levels(typed, namesake)["name"] == ("same", "agree")
    assert result.candidates[0].candidate == namesake
    assert L.FLAG_NIK_CONFLICT in result.candidates[0].flags


def test_a_nik_typo_landing_on_another_person_shows_whose_nik_it_is_and_who_is_meant():
    # Budi's NIK typed with a wrong district digit is Rina's NIK in the next kecamatan.
    rina = row(2, "RINA", nik="1602081701900001", sex="P", village=PEDAMARAN)
    typed = query(nik=rina.nik, kk="")

    result = match_person(typed, [rina, BUDI])

    assert result.candidate == BUDI
    assert levels(typed, BUDI)["nik"] == ("one_digit", "close")
    assert levels(typed, BUDI)["name"] == ("same", "agree")
    assert levels(typed, rina)["nik"] == ("same", "agree")
    assert levels(typed, rina)["name"] == ("different", "differ")
    assert L.FLAG_NIK_OF_OTHER in result.candidates[0].flags


def test_compare_is_pure_and_leaves_the_result_of_the_matcher_alone():
    typed = query("Santoso Budi")
    before = match_person(typed, [BUDI])
    compare(typed, BUDI)
    assert match_person(typed, [BUDI]) == before
    assert (before.status, before.method) == (L.MATCH, L.NIK_EXACT)


# --- the candidates a result offers -----------------------------------------------------


def test_a_result_offers_the_best_three_distinct_rows_best_first():
    kk = "1602052002100001"
    born = D(2010, 2, 20)
    aisyah = row(1, "SITI NUR AISYAH", nik="1602056002100001", kk=kk, sex="P", born=born)
    aisah = row(2, "SITI NUR AISAH", nik="1602056002100002", kk=kk, sex="P", born=born)
    near = row(3, "SITI NUR AISYAH", nik="1602056002100003", sex="P", born=D(2010, 2, 21),
               village=SIDAKERSA)  # fmt: skip
    cousin = row(4, "SITI NURAINI", nik="1602056002100004", kk=kk, sex="P", born=born)
    typed = make_person(name="Siti Nur Aisyah", kk=kk, sex="P", birth_date=born,
                        village_code=KAYUAGUNG)  # fmt: skip

    result = match_person(typed, [cousin, near, aisah, aisyah, aisah, near])

    offered = result.candidates
    assert len(offered) == L.MAX_CANDIDATES == 3
    assert len({s.candidate.id for s in offered}) == 3
    assert [s.score for s in offered] == sorted((s.score for s in offered), reverse=True)
    assert offered[0].candidate == result.candidate
    assert (offered[0].method, offered[0].score, offered[0].flags) == (
        result.method, result.score, result.flags,
    )  # fmt: skip
    assert (offered[1].candidate, offered[1].method, offered[1].score) == (
        result.runner_up, result.runner_up_method, result.runner_up_score,
    )  # fmt: skip
    assert cousin not in [s.candidate for s in offered]  # the weakest is left out


def test_a_result_with_one_candidate_offers_that_one_and_none_offers_nothing():
    assert [s.candidate for s in match_person(query(), [BUDI]).candidates] == [BUDI]
    assert match_person(query(), []).candidates == ()


def test_a_later_candidate_is_told_when_the_nik_as_typed_is_another_rows():
    owner = row(2, "BUDI SANTOSO", nik="1602051701900077")  # a namesake holding the typed NIK
    meant = row(3, "BUDI SANTOSO", nik="1602051701900076")
    typed = query(nik=owner.nik, kk="")

    result = match_person(typed, [owner, meant])

    first, second = result.candidates
    assert (first.candidate, second.candidate) == (owner, meant)
    assert L.FLAG_NIK_OF_OTHER not in first.flags
    assert L.FLAG_NIK_OF_OTHER in second.flags
