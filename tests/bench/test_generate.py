"""The benchmark's generator: the ordinary profile unchanged, the hard profile's noise kinds
each made, tagged and deterministic. Pure (no database), small sizes."""

import datetime
import hashlib
from dataclasses import fields

import pytest

from tests.bench import generate as bench

D = datetime.date
HARD_KINDS = [f.name for f in fields(bench.HardNoise) if f.name != "namesake_nik_blank"]


def digest(generated) -> str:
    h = hashlib.sha256()
    for rows in generated:
        for row in rows:
            h.update(("\x1f".join(map(str, row)) + "\n").encode())
    return h.hexdigest()


def test_the_ordinary_profile_makes_the_same_data_as_before_the_hard_one():
    # The digest of the generator as it was before the hard profile (commit d23f3c0):
    # the ordinary data of a seed must not change.
    assert digest(bench.generate(5_000, 500, seed=7)) == (
        "2e18765b933e3ef20bf26a4a3edf36c21c1d895f2bd916398e22dc92d94e4f63"
    )


@pytest.fixture(scope="module")
def hard():
    return bench.generate(20_000, 3_000, seed=5, hard=bench.HardNoise())


def parse(text: str) -> D | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def test_the_hard_profile_makes_every_kind_of_its_noise(hard):
    _register, _proposals, truth = hard
    tags = {tag for _row, _id, noise in truth for tag in noise.split(";") if tag}
    assert set(HARD_KINDS) <= tags, set(HARD_KINDS) - tags
    # ... and the ordinary noise with it.
    assert {"nik_substitution", "name_variant", "kk_blank", "duplicate"} <= tags


def test_the_hard_profile_is_deterministic_for_a_seed(hard):
    again = bench.generate(20_000, 3_000, seed=5, hard=bench.HardNoise())
    assert digest(again) == digest(hard)
    other = bench.generate(20_000, 3_000, seed=6, hard=bench.HardNoise())
    assert digest(other) != digest(hard)


def test_the_hard_profile_keeps_the_ordinary_register_and_adds_same_day_namesakes(hard):
    register, _proposals, truth = hard
    ordinary = bench.generate(20_000, 3_000, seed=5)[0]
    assert register[:20_000] == ordinary
    people = {(r[3], r[4], r[5], r[6]): r for r in register[:20_000]}
    added = register[20_000:]
    assert added
    for row in added:
        twin = people[(row[3], row[4], row[5], row[6])]  # name, born, sex, village
        assert row[1] != twin[1] and row[2] != twin[2]  # a NIK and a KK of their own
    assert len({r[1] for r in register}) == len(register)
    # The proposal is of either namesake: the added one's higher id tells nothing.
    added_ids = {r[0] for r in added}
    proposed = {i for _row, i, noise in truth if "namesake_same_day" in noise}
    assert proposed & added_ids and proposed - added_ids


def test_each_hard_kind_does_what_its_tag_says(hard):
    register, proposals, truth = hard
    by_id = {r[0]: r for r in register}
    names = {(r[3], r[6]) for r in register}
    niks = {r[1] for r in register}
    seen = set()
    for proposal, (_row, id_dtsen, noise) in zip(proposals, truth, strict=True):
        nik, kk, name, born_text, _sex, village, _address = proposal
        tags = noise.split(";")
        person = by_id.get(id_dtsen)
        born = parse(born_text)
        if "dob_default" in tags and person:
            assert (born.month, born.day) == (1, 1)
            assert born.year == D.fromisoformat(person[4]).year
            seen.add("dob_default")
        if "dob_swap" in tags and person:
            true = D.fromisoformat(person[4])
            assert (born.day, born.month) == (true.month, true.day)
            seen.add("dob_swap")
        if "dob_day_off" in tags and person:
            assert abs((born - D.fromisoformat(person[4])).days) == 1
            seen.add("dob_day_off")
        if "moved" in tags:
            assert village[:8] == person[6][:8]
            assert village != person[6] or "other_village" in tags
            assert kk != person[2] or not kk  # a new KK, unless left out
            seen.add("moved")
        if "kk_missing" in tags:
            assert kk == ""
        if "namesake_not_in_register" in tags:
            assert id_dtsen == "" and "not_in_register" in tags
            assert nik.lstrip("'") not in niks  # their own NIK, or none
            seen.add("namesake_not_in_register")
        if "namesake_same_day" in tags:
            seen.add("namesake_same_day")
        if "nik_and_name" in tags and person and "duplicate" not in tags:
            assert nik.lstrip("'") != person[1]
            seen.add("nik_and_name")
    assert seen == {
        "dob_default", "dob_swap", "dob_day_off", "moved", "namesake_not_in_register",
        "namesake_same_day", "nik_and_name",
    }  # fmt: skip
    # A namesake outside the register has the name and the village of someone in it.
    untouched = ("name_", "nik_and_name", "other_village")
    outside = [
        p
        for p, (_r, _id, noise) in zip(proposals, truth, strict=True)
        if "namesake_not_in_register" in noise
        and not any(t.startswith(untouched) for t in noise.split(";"))
    ]
    assert outside
    assert all((" ".join(p[2].upper().split()), p[5]) in names for p in outside)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Muhammad", {"Muhamad", "Mochammad", "Moch.", "M."}),
        ("Ahmad", {"Achmad", "Akhmad"}),
        ("Yusuf", {"Yusup", "Joesoef", "Jusuf"}),
        ("Joko", {"Djoko"}),
        ("Khairul", {"Chairul", "Hairul"}),
        ("Syaiful", {"Sjaiful", "Saiful", "Syaeful"}),
        ("Zainal", {"Jainal", "Zaenal"}),
        ("Rizki", {"Rizky", "Rizqi"}),
        ("Rahmat", {"Rachmat", "Rohmat"}),
        ("Sutrisno", {"Soetrisno"}),
        ("Candra", {"Tjandra"}),
        ("Fatimah", {"Patimah", "Fatima"}),
        ("SOEKARDI", {"SUKARDI"}),
    ],
)
def test_spelling_variants_of_a_name_part(word, expected):
    variants = bench.spelling_variants(word)
    assert expected <= set(variants), variants
    assert word not in variants


def test_the_command_line_takes_a_profile_and_rates(tmp_path):
    bench.main(["--register", "3000", "--proposals", "300", "--out", str(tmp_path / "a"),
                "--seed", "2", "--noise", "hard", "--noise", "moved=0.5"])  # fmt: skip
    truth = (tmp_path / "a" / "truth.csv").read_text()
    assert truth.count("moved") > 60
    with pytest.raises(SystemExit):
        bench.main(["--out", str(tmp_path / "b"), "--noise", "moved=0.5"])
    with pytest.raises(SystemExit):
        bench.main(["--out", str(tmp_path / "b"), "--noise", "harder"])
