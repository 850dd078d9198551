"""Tests of the Fellegi–Sunter matcher: pure, no database, no Django settings needed."""

import datetime
import json
import re

import pytest

from assessments import fellegi_sunter as fs
from assessments.linkage import Candidate, make_person, name_key
from tests.bench import fs_eval
from tests.bench import generate as bench

D = datetime.date
KAYUAGUNG = "16.02.05.1002"  # Kec. Kayu Agung, Kab. Ogan Komering Ilir
SIDAKERSA = "16.02.05.1003"  # another village of the same kecamatan
PEDAMARAN = "16.02.03.2008"  # another kecamatan of the same regency
PALEMBANG = "16.71.01.1001"  # another regency
BORN = D(1990, 1, 17)


def make_nik(district="160205", born=BORN, sex="L", serial=1):
    day = born.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def row(rid, name, *, nik="", kk="", born=BORN, sex="L", village=KAYUAGUNG, address=""):
    return Candidate(
        id=rid,
        nik=nik or make_nik("".join(village.split(".")[:3]), born, sex),
        kk=kk,
        name=name,
        name_key=name_key(name),
        birth_date=born,
        sex=sex,
        village_code=village,
        address=address,
        decile=2,
    )


def query(name, *, nik="", kk="", born=BORN, sex="L", village=KAYUAGUNG, address=""):
    return make_person(nik=nik, kk=kk, name=name, birth_date=born, sex=sex, village_code=village,
                       address=address)  # fmt: skip


def levels(q, c):
    return dict(zip(fs.COMPARISONS, fs.comparison_levels(q, c)[0], strict=True))


# --- a small generated batch, and what is learnt from it ------------------------------------


@pytest.fixture(scope="module")
def batch():
    """20,000 register rows and 2,000 proposals with the hard noise, blocked as the batch
    screening reads them."""
    data = fs_eval.from_rows(*bench.generate(20_000, 2_000, seed=5, hard=bench.HardNoise()))
    register = fs_eval.Register(data.register)
    blocks = fs_eval.block(data, register, extra=True)
    return data, register, blocks


def _estimate(batch, **kwargs):
    data, register, blocks = batch
    return fs.estimate(
        data.queries,
        blocks.candidates,
        rows=blocks.read,
        u_rows=data.register,
        blocks_of=lambda people: fs_eval.candidates_of(register, people, extra=True)[0],
        u_sample=2_000,
        **kwargs,
    )


@pytest.fixture(scope="module")
def params(batch):
    return _estimate(batch)


@pytest.fixture(scope="module")
def model(params):
    return fs.Model(params)


def test_estimation_converges_and_learns_a_sensible_order_of_weights(params):
    assert params.stats["em_iterations"] < 500
    assert params.stats["em_converged"]
    w = params.weight
    nik_equal = w(fs.WITH_NIK, fs.NIK, fs.EQUAL)
    # Among the candidates of a query without a NIK (the name, birth date and place decide):
    name_exact = w(fs.WITHOUT_NIK, fs.NAME, fs.EXACT)
    born_equal = w(fs.WITHOUT_NIK, fs.BIRTH_DATE, fs.EQUAL)
    same_village = w(fs.WITHOUT_NIK, fs.PLACE, fs.SAME_VILLAGE)
    assert nik_equal > name_exact + 4
    assert name_exact > born_equal > same_village > 1
    for comparison, level in [
        (fs.NAME, fs.DIFFERENT),
        (fs.BIRTH_DATE, fs.DIFFERENT),
        (fs.PLACE, fs.ELSEWHERE),
        (fs.SEX, fs.DIFFERENT),
    ]:
        assert w(fs.WITHOUT_NIK, comparison, level) < 0, (comparison, level)
    assert w(fs.WITH_NIK, fs.NIK, fs.DIFFERENT) < -5
    # Two relatives on one family card: an equal birth date is news, the village is not.
    assert w(fs.FAMILY, fs.BIRTH_DATE, fs.EQUAL) > 8
    assert abs(w(fs.FAMILY, fs.PLACE, fs.SAME_VILLAGE)) < 1
    # The NIK's first 12 digits already say the birth date: no news when they agree.
    assert abs(w(fs.NIK_PREFIX, fs.BIRTH_DATE, fs.EQUAL)) < 1
    assert 0.5 < params.prior[fs.WITH_NIK] < 1 and 0.5 < params.prior[fs.WITHOUT_NIK] < 1
    assert 0 < params.review <= params.auto < 1


def test_estimation_is_deterministic_and_its_parameters_round_trip_as_json(batch, params):
    again = _estimate(batch)
    assert again.to_json() == params.to_json()
    restored = fs.Parameters.from_dict(json.loads(params.to_json()))
    q = query("Rudi Hartono", nik=make_nik())
    c = row(1, "RUDI HARTONO")
    assert fs.Model(restored).match(q, [c]) == fs.Model(params).match(q, [c])
    with pytest.raises(ValueError):
        fs.Parameters.from_dict({**params.as_dict(), "version": 0})


def test_a_rare_exact_name_weighs_more_than_a_common_one(model, batch):
    data, _register, blocks = batch
    common = max(model.parameters.name_counts, key=model.parameters.name_counts.get)
    assert model.frequency_weight(common) < 0 < model.frequency_weight("zubaidah rosmawati")
    for name in ("RIZKI", "ZUBAIDAH ROSMAWATI"):
        q = query(name)
        scored = model.match(q, [row(1, name)]).best
        assert scored.evidence[1].frequency == pytest.approx(
            model.frequency_weight(name_key(name)), abs=1e-3
        )
    rare = model.match(query("Zubaidah Rosmawati"), [row(1, "ZUBAIDAH ROSMAWATI")]).best
    usual = model.match(query(common), [row(1, common)]).best
    assert rare.weight > usual.weight


def test_the_thresholds_come_from_the_targets():
    best = [1.0] * 9_000 + [0.999] * 50 + [0.9] * 10 + [0.5] * 20 + [0.01] * 500
    targets = fs.Targets(false_link_rate=0.0001, missed_link_rate=0.001, min_auto=0.0)
    auto, review, before = fs.derive_thresholds(best, targets)
    # 9,050 links expected wrong 0.05 in all: 0.9 would add 1.0, over 0.0001 * 9,060.
    assert auto == before == 0.999
    # The sum of p below review stays within 0.001 of all the expected links (~9,075).
    assert review == 0.5
    floored, _review, before = fs.derive_thresholds(best, fs.Targets(min_auto=0.9999))
    assert floored == 0.9999 and before == 0.999


# --- comparisons, level by level -----------------------------------------------------------


def test_nik_levels():
    nik = make_nik()
    assert fs.nik_level(nik, nik) == fs.EQUAL
    assert fs.nik_level(nik, nik[:4] + "6" + nik[5:]) == fs.TYPO  # the district digits
    assert fs.nik_level(nik, nik[:-1] + "7") == fs.SERIAL_TYPO
    assert fs.nik_level(nik, nik[:6] + "5" + nik[7:]) == fs.SERIAL_TYPO  # day + 40: the sex
    assert fs.nik_level(nik, nik[:12] + "0012") == fs.SAME_PREFIX
    assert fs.nik_level(nik, make_nik("167101", D(1970, 5, 5))) == fs.DIFFERENT
    assert fs.nik_level(nik, "") == fs.nik_level("1.60205E+15", nik) == fs.MISSING
    # One year digit apart in the NIKs, and the query's NIK says the birth date it gives:
    # two people born in two years, which the birth date comparison counts.
    other = make_nik(born=D(1991, 1, 17))
    assert fs.nik_level(nik, other, BORN, D(1991, 1, 17)) == fs.DIFFERENT
    assert fs.nik_level(nik, other, D(1991, 1, 17), D(1991, 1, 17)) == fs.TYPO
    assert fs.nik_level(nik, other) == fs.TYPO


@pytest.mark.parametrize(
    ("mine", "theirs", "level"),
    [
        ("Hj. Siti Aminah", "SITI AMINAH", fs.EXACT),
        ("Syahputra Dani", "DANI SYAHPUTRA", fs.REORDERED),
        ("Nuraini Lestari", "NUR AINI LESTARI", fs.REORDERED),
        ("LestariNasution Fitri", "FITRI LESTARI NASUTION", fs.REORDERED),
        ("Ahmad Fauzi Sireagr", "AHMAD FAUZI SIREGAR", fs.VERY_CLOSE),
        ("Wrna", "ERNA", fs.ONE_EDIT),
        ("Ahmad Fauzi", "AHMAD FAUZI SIREGAR", fs.PART_DROPPED),
        ("Rizki P.", "RIZKI PRATAMA", fs.VERY_CLOSE),
        ("Sri", "SRI MARIAM", fs.COMMON_PART),
        ("Muhammad", "MUHAMMAD ALI", fs.COMMON_PART),
        ("Siti Skaiah Safitri", "SITI ZAKIAH SAFITRI", fs.ALIKE),
        ("Ahmad Fauzi Siregar", "AHMAD RIZKI SIREGAR", fs.PARTIAL),
        ("Bambang Sutrisno", "RUDI HARTONO", fs.DIFFERENT),
    ],
)
def test_name_levels(mine, theirs, level):
    assert fs.name_level(query(mine), row(1, theirs))[0] == level


def test_birth_date_levels():
    level = fs.birth_date_level
    assert level(BORN, BORN) == fs.EQUAL
    assert level(D(1990, 1, 1), D(1990, 6, 15)) == fs.JANUARY_FIRST  # a default date
    assert level(D(1990, 6, 15), D(1990, 1, 1)) == fs.JANUARY_FIRST
    assert level(D(1991, 1, 1), D(1990, 6, 15)) == fs.DIFFERENT
    assert level(D(1990, 5, 6), D(1990, 6, 5)) == fs.NEAR  # day and month swapped
    assert level(D(1990, 1, 31), D(1990, 2, 1)) == fs.NEAR  # a day apart
    assert level(D(1990, 1, 17), D(1990, 1, 18)) == fs.NEAR
    assert level(D(1990, 1, 17), D(1991, 1, 17)) == fs.NEAR  # a year off
    assert level(D(1990, 3, 17), D(1990, 8, 29)) == fs.SAME_YEAR
    assert level(None, BORN) == fs.MISSING


def test_place_kk_and_sex_levels():
    q = query("Rudi", kk="1602051501100001")
    assert levels(q, row(1, "Rudi"))[fs.PLACE] == fs.SAME_VILLAGE
    assert levels(q, row(1, "Rudi", village=SIDAKERSA))[fs.PLACE] == fs.SAME_DISTRICT
    assert levels(q, row(1, "Rudi", village=PEDAMARAN))[fs.PLACE] == fs.SAME_REGENCY
    assert levels(q, row(1, "Rudi", village=PALEMBANG))[fs.PLACE] == fs.ELSEWHERE
    assert levels(q, row(1, "Rudi", kk="1602051501100001"))[fs.KK] == fs.EQUAL
    assert levels(q, row(1, "Rudi", kk="1602051501100002"))[fs.KK] == fs.DIFFERENT
    assert levels(q, row(1, "Rudi"))[fs.KK] == fs.MISSING
    assert levels(q, row(1, "Rudi", sex="P"))[fs.SEX] == fs.DIFFERENT
    assert levels(query("Rudi", sex=""), row(1, "Rudi"))[fs.SEX] == fs.MISSING


def test_address_levels_within_one_village():
    home = "Dusun II RT 003/RW 001"
    q = query("Rudi", address="Dsn. 2 Rt.03/Rw.01")  # the same address, written otherwise
    assert levels(q, row(1, "Rudi", address=home))[fs.ADDRESS] == fs.EQUAL
    assert levels(q, row(1, "Rudi", address="Dusun IV RT 003/RW 001"))[fs.ADDRESS] == (
        fs.SAME_RT_RW
    )
    assert levels(q, row(1, "Rudi", address="Dusun II RT 008/RW 001"))[fs.ADDRESS] == (
        fs.SAME_PLACE
    )
    assert levels(q, row(1, "Rudi", address="Jl. Merdeka No. 4 RT 009/RW 002"))[fs.ADDRESS] == (
        fs.DIFFERENT
    )
    assert levels(q, row(1, "Rudi"))[fs.ADDRESS] == fs.MISSING
    # In another village an address is no news: not compared.
    moved = row(1, "Rudi", village=SIDAKERSA, address=home)
    assert levels(q, moved)[fs.ADDRESS] == fs.MISSING


def test_the_address_weighs_for_the_same_house_and_against_another(params):
    w = params.weight
    # (Less than a name: the others a search finds in the village are often of the same
    # household, whose family card the query may not give.)
    assert w(fs.WITHOUT_NIK, fs.ADDRESS, fs.EQUAL) > 1.5
    assert w(fs.WITHOUT_NIK, fs.ADDRESS, fs.DIFFERENT) < -1
    # One family card, one house: the address is no news between relatives.
    assert abs(w(fs.FAMILY, fs.ADDRESS, fs.EQUAL)) < 1.5


def test_namesakes_born_the_same_day_in_one_village_are_told_apart_by_the_address(model):
    twins = [
        row(1, "AGUS SHOLEH", nik=make_nik(serial=1), address="Dusun I RT 002/RW 001"),
        row(2, "AGUS SHOLEH", nik=make_nik(serial=2), address="Jl. Merdeka No. 9 RT 010/RW 004"),
    ]
    without = model.match(query("Agus Sholeh"), twins)
    assert without.status == fs.REVIEW and fs.FLAG_AMBIGUOUS in without.flags
    result = model.match(query("Agus Sholeh", address="Jalan Merdeka 9, RT 10 RW 4"), twins)
    assert result.best.candidate == twins[1]
    assert result.best.probability > 20 * result.runner_up.probability
    assert result.status == fs.MATCH


# --- matching and its guards -----------------------------------------------------------------


def test_the_same_person_with_a_nik_typo_and_reversed_name_is_a_match(model):
    kk = "1602051501100001"
    true = row(1, "DANI SYAHPUTRA", nik=make_nik(), kk=kk)
    wife = row(2, "SITI AMINAH", nik=make_nik(born=D(1992, 5, 5), sex="P"), kk=kk, sex="P")
    q = query("Syahputra Dani", nik=make_nik(born=D(1990, 1, 27)))  # a date digit mistyped
    result = model.match(q, [true, wife])
    assert result.status == fs.MATCH and result.candidate == true
    assert result.best.level(fs.NAME) == fs.REORDERED
    assert result.best.level(fs.NIK) == fs.TYPO
    assert result.probability > 0.99


def test_a_namesake_with_another_nik_is_never_an_automatic_match(model):
    q = query("Ahmad Fauzi Siregar", nik=make_nik(serial=12))
    namesake = row(1, "AHMAD FAUZI SIREGAR", nik=make_nik(serial=1))  # born the same day
    elsewhere = row(2, "AHMAD FAUZI SIREGAR", nik=make_nik("167101"))
    for candidate, level in [(namesake, fs.SAME_PREFIX), (elsewhere, fs.DIFFERENT)]:
        result = model.match(q, [candidate])
        assert result.best.level(fs.NIK) == level
        assert result.status != fs.MATCH
        assert fs.FLAG_NIK_CONFLICT in result.flags


def _typo_scene(owner_village):
    """Rudi's NIK with a year digit mistyped is the NIK of Bambang, born a year later."""
    rudi = row(1, "RUDI HARTONO", nik=make_nik())
    bambang_nik = make_nik(born=D(1991, 1, 17))
    bambang = row(2, "BAMBANG SUTRISNO", nik=bambang_nik, born=D(1991, 1, 17))
    bambang = Candidate(**{**_fields(bambang), "village_code": owner_village})
    return query("Rudi Hartono", nik=bambang_nik), rudi, bambang


def _fields(c):
    return {f: getattr(c, f) for f in c.__dataclass_fields__}


def test_a_nik_typo_landing_on_another_person_in_the_village_goes_to_review(model):
    q, rudi, bambang = _typo_scene(KAYUAGUNG)
    result = model.match(q, [rudi, bambang])
    assert result.status == fs.REVIEW
    assert result.candidate == rudi
    assert fs.FLAG_NIK_OF_OTHER in result.flags
    assert [s.candidate for s in result.candidates] == [rudi, bambang]
    assert fs.FLAG_NIK_OF_OTHER in result.candidates[1].flags


def test_the_person_a_nik_typo_meant_is_offered_before_the_nik_s_owner(model):
    """Rudi has moved to Pedamaran; his NIK, its day mistyped, is that of Bambang, born the
    next day in Rudi's old village. Bambang is the likelier on the weights (the NIK and the
    village), but the review offers first the person of that name and birth date."""
    owner_nik = make_nik(born=D(1990, 1, 18))
    rudi = row(1, "RUDI HARTONO", nik=make_nik(), kk="1602031111110001")
    rudi = Candidate(**{**_fields(rudi), "village_code": PEDAMARAN})
    bambang = row(2, "BAMBANG SUTRISNO", nik=owner_nik, born=D(1990, 1, 18),
                  kk="1602051111110001")  # fmt: skip
    q = query("Rudi Hartono", nik=owner_nik)
    weighed = model.score(q, [(c, fs.comparison_levels(q, c)[0]) for c in (rudi, bambang)])
    assert [s.candidate for s in weighed] == [bambang, rudi]

    result = model.match(q, [rudi, bambang])

    assert result.status == fs.REVIEW and fs.FLAG_NAME_CONFLICT in result.flags
    assert [s.candidate for s in result.candidates] == [rudi, bambang]
    assert result.candidate == rudi
    # The row's family card is Bambang's: the owner stays first.
    with_card = model.match(query("Rudi Hartono", nik=owner_nik, kk=bambang.kk), [rudi, bambang])
    assert [s.candidate for s in with_card.candidates] == [bambang, rudi]


def test_a_nik_typo_landing_on_someone_named_otherwise_is_not_offered(model):
    """Someone the register lacks, whose NIK has a year digit mistyped: it is the NIK of
    Bambang, born that day in the kecamatan; no match, and not a review either."""
    bambang = row(2, "BAMBANG SUTRISNO", nik=make_nik(born=D(1991, 1, 17)), born=D(1991, 1, 17))
    q = query("Rudi Hartono", nik=make_nik(born=D(1990, 1, 17)), born=D(1991, 1, 17))
    assert levels(q, bambang)[fs.NIK] == fs.TYPO
    result = model.match(q, [bambang])
    assert result.status == fs.NONE and result.candidate is None and not result.candidates
    # Named alike, the same slip is the person.
    assert model.match(query("Bambang Sutrisno", nik=q.nik, born=D(1991, 1, 17)),
                       [bambang]).status == fs.MATCH  # fmt: skip


def test_a_nik_typo_past_an_owner_named_otherwise_elsewhere_is_a_match(model):
    q, rudi, bambang = _typo_scene(PEDAMARAN)
    result = model.match(q, [rudi, bambang])
    assert result.status == fs.MATCH and result.candidate == rudi
    assert fs.FLAG_NIK_OF_OTHER in result.flags


def test_the_owner_of_the_nik_is_never_passed_over_for_someone_else(model):
    nik = make_nik()
    owner = row(1, "SITI AMINAH", nik=nik, born=D(1985, 3, 2), sex="P")
    namesake = row(2, "SITI AMINAH", nik=make_nik(serial=2), sex="P")
    q = query("Siti Aminah", nik=nik, sex="P")
    result = model.match(q, [namesake, owner])
    assert result.best.candidate == owner
    assert fs.FLAG_OWNER in result.flags
    assert result.candidate in (None, owner)


def test_an_owner_named_otherwise_is_at_most_a_review(model):
    nik = make_nik()
    result = model.match(query("Rudi Hartono", nik=nik), [row(1, "BAMBANG SUTRISNO", nik=nik)])
    assert result.status in (fs.REVIEW, fs.NONE)
    assert fs.FLAG_NAME_CONFLICT in result.flags


def test_a_default_birth_date_is_its_own_level_and_needs_more_without_a_nik(model):
    nik = make_nik(born=D(1990, 6, 15))
    true = row(1, "RIZKI", nik=nik, born=D(1990, 6, 15))
    with_nik = model.match(query("Rizki", nik=nik, born=D(1990, 1, 1)), [true])
    assert with_nik.best.level(fs.BIRTH_DATE) == fs.JANUARY_FIRST
    assert with_nik.status == fs.MATCH
    # Without a NIK or a KK, a common name on 1 January may be a namesake of the village.
    without = model.match(query("Rizki", born=D(1990, 1, 1)), [true])
    assert without.status != fs.MATCH
    assert fs.FLAG_NAMESAKE in without.flags


def test_two_candidates_equally_likely_are_a_review_not_a_coin_flip(model):
    twins = [
        row(1, "AGUS SHOLEH", nik=make_nik(serial=1), kk="1602050101100001"),
        row(2, "AGUS SHOLEH", nik=make_nik(serial=2), kk="1602050101100002"),
    ]
    result = model.match(query("Agus Sholeh"), twins)
    assert result.status == fs.REVIEW
    assert fs.FLAG_AMBIGUOUS in result.flags
    assert result.best.probability == pytest.approx(result.runner_up.probability)
    assert result.best.probability + result.runner_up.probability > 0.99
    # Whoever's KK is given is the one.
    result = model.match(query("Agus Sholeh", kk="1602050101100002"), twins)
    assert result.status == fs.MATCH and result.candidate == twins[1]


def test_the_result_does_not_depend_on_the_order_of_the_candidates(model):
    q, rudi, bambang = _typo_scene(KAYUAGUNG)
    others = [row(3 + i, "RUDI HARTONO", nik=make_nik(serial=3 + i)) for i in range(3)]
    one = model.match(q, [rudi, bambang, *others])
    two = model.match(q, [*reversed(others), bambang, rudi])
    assert one == two


# --- blocks --------------------------------------------------------------------------------


def test_extra_blocks_are_read_only_for_queries_without_a_nik():
    keys = fs.extra_block_keys(
        [
            query("Rizki", born=D(1990, 1, 1)),
            query("Dani Syahputra", born=None),
            query("Muhammad", born=None),
            query("Rizki", nik=make_nik(), born=D(1990, 1, 1)),
        ]
    )
    assert keys.district_years == {("16.02.05", 1990)}
    # The words of the name keys ("Syahputra" is "sahputra", as old and new spellings meet).
    assert keys.district_words == {("16.02.05", "dani"), ("16.02.05", "sahputra")}
    moved = row(1, "SYAHPUTRA DANI", village=SIDAKERSA, born=D(1970, 5, 5))
    default = row(2, "RIZKI", born=D(1990, 8, 9))
    index = fs.CandidateIndex([moved, default, row(3, "RUDI", born=D(1970, 5, 5))])
    assert index.candidates_for(query("Dani Syahputra", born=None)) == [moved]
    assert index.candidates_for(query("Rizki", born=D(1990, 1, 1))) == [default]
    assert fs.in_extra_blocks(moved, keys) and fs.in_extra_blocks(default, keys)


# --- explanation ---------------------------------------------------------------------------


def test_the_explanation_names_every_comparison_in_words(model):
    q, rudi, bambang = _typo_scene(KAYUAGUNG)
    result = model.match(q, [rudi, bambang])
    lines = fs.explain(result.best, candidates=2)
    assert len(lines) == len(fs.COMPARISONS) + len(result.flags) + 1
    for line, comparison in zip(lines, fs.COMPARISONS, strict=False):
        assert fs._FACTS[comparison][result.best.level(comparison)] in line
    assert "NIK differs by one digit" in lines[0]
    assert "family card number (KK) is not compared" in lines[3]
    assert "No evidence either way." in lines[3]
    assert "belongs to another person in the register" in " ".join(lines)
    assert lines[-1].startswith("Taken together:") and "among 2 candidates" in lines[-1]
    translated = fs.explain(result.best, translate=lambda s: f"[{s}]")
    assert translated[0].startswith("[The NIK differs") and "] [" in translated[0]


def test_the_explanation_writes_numbers_as_the_reader_does_and_never_rounds_to_certain(model):
    q, rudi, bambang = _typo_scene(KAYUAGUNG)
    best = model.match(q, [rudi, bambang]).best
    almost = fs.Scored(best.candidate, best.evidence, best.weight, 0.99996, best.flags)

    def comma(value, digits):
        return f"{value:.{digits}f}".replace(".", ",")

    lines = fs.explain(almost, number=comma)

    weights = [e.weight for e in best.evidence if e.level != fs.MISSING]
    assert f"({'+' if weights[0] >= 0 else '-'}{comma(abs(weights[0]), 1)})" in lines[0]
    assert "99,996 %" in lines[-1]
    assert not any(re.search(r"\([+-]\d+\.\d\)", line) for line in lines)
    assert [fs.percent_digits(p) for p in (85.25, 99.96, 99.996, 100.0, 0.004)] == [1, 2, 3, 1, 3]


def test_every_level_and_flag_has_words():
    for comparison in fs.COMPARISONS:
        assert set(fs._FACTS[comparison]) == {*fs.LEVELS[comparison], fs.MISSING}
    assert set(fs._FLAG_MESSAGES) == set(fs.FLAGS)
