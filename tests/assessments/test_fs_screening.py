"""Batch screening with the Fellegi–Sunter matcher (issue 8): parameters estimated once per
batch and stored, chunks matching with them, re-runs idempotent, small batches borrowing,
the rules when configured or when nothing can be learnt, and the review page and API showing
the probability, the flags and the evidence in words."""

import datetime
import io
import random

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from rest_framework.test import APIClient

from aid.models import Programme
from assessments import fellegi_sunter as fs
from assessments import linkage
from assessments.models import BatchRow, EligibilityBatch, RegisterRow, RegisterSnapshot
from assessments.services import eligibility as services
from assessments.services import matching
from assessments.services.register import register_partition_create
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, make_nik, said, shown

SIDAKERSA = "16.02.05.1003"  # another village of Kec. Kayu Agung
HEADER = "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat\n"
FIRST = [
    "Budi", "Ahmad", "Rudi", "Joko", "Dedi", "Agus", "Hendra", "Rahmat", "Yusuf", "Bayu",
    "Siti", "Dewi", "Rina", "Wati", "Lestari", "Nurul", "Fitri", "Yanti", "Ratna", "Sri",
]  # fmt: skip
LAST = [
    "Santoso", "Fauzi", "Hartono", "Susilo", "Kurniawan", "Salim", "Saputra", "Hidayat",
    "Siregar", "Nasution", "Pratama", "Wijaya", "Gunawan", "Setiawan", "Rahayu", "Lubis",
]  # fmt: skip
PEOPLE = 320


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ELIGIBILITY_MATCHER = matching.FELLEGI_SUNTER
    settings.ELIGIBILITY_ESTIMATE_MIN_ROWS = 50


def _people():
    """PEOPLE register rows, deterministic: name, NIK, KK (families of three), birth date,
    sex, village; and one man in Ogan Ilir."""
    rng = random.Random(8)
    out = []
    for i in range(PEOPLE):
        sex = "P" if i % 2 else "L"
        first = FIRST[(i * 7) % 10 + (10 if sex == "P" else 0)]
        name = f"{first} {LAST[(i * 5 + i // 16) % len(LAST)]}"
        born = datetime.date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))
        village = OKI_VILLAGE if i % 3 else SIDAKERSA
        kk = f"160205{1000000000 + i // 3:010d}"
        out.append((name, make_nik(village, born, sex, 1 + i), kk, born, sex, village))
    born = datetime.date(1980, 5, 5)
    out.append(("Hendra Gunadi", make_nik(OI_VILLAGE, born, "L", 4), "", born, "L", OI_VILLAGE))
    return out


@pytest.fixture
def register(cast):
    snapshot = RegisterSnapshot.objects.create(
        source="DTSEN uji", extract_date=datetime.date(2026, 10, 1), file_name="uji.csv",
        sha256="0" * 64, status=RegisterSnapshot.Status.DONE, created_by=cast.supervisor,
        area_rows={"16.02": PEOPLE, "16.10": 1},
    )  # fmt: skip
    register_partition_create(snapshot=snapshot)
    RegisterRow.objects.bulk_create(
        RegisterRow(
            snapshot=snapshot,
            row_number=n,
            id_dtsen=f"DT-{n:04d}",
            nik=nik,
            kk_number=kk,
            name=name,
            name_key=linkage.name_key(name),
            birth_date=born,
            sex=sex,
            village_code=village,
            decile=1 + n % 4,
        )  # fmt: skip
        for n, (name, nik, kk, born, sex, village) in enumerate(_people(), start=1)
    )
    return snapshot, {r.nik: r for r in RegisterRow.objects.filter(snapshot=snapshot)}


@pytest.fixture
def programme(cast):
    return Programme.objects.create(
        name="Bantuan ATENSI", kind=Programme.Kind.REGULAR, year=2026, organisation=cast.dinsos,
        max_decile=4, requires_assessment=False,
    )  # fmt: skip


def line(nik, name, born, sex="L", village=OKI_VILLAGE, kk=""):
    return f"{nik};{kk};{name};{born:%d-%m-%Y};{sex};{village};Jl. Uji"


def typo(nik: str) -> str:
    """The NIK with two serial digits swapped (or the last one changed)."""
    a, b = nik[13], nik[14]
    if a != b:
        return nik[:13] + b + a + nik[15]
    return nik[:15] + str((int(nik[15]) + 1) % 10)


# The named rows, after the 150 plain ones (row numbers: the heading is row 1).
NAMESAKE, NAME_CONFLICT, TYPO_ROW, OUTSIDER, NOBODY = 152, 153, 154, 155, 156


def proposal_lines():
    """150 register people as given (every other one), then the rows the tests look at."""
    people = _people()
    lines = [line(nik, name, born, sex, village) for name, nik, _kk, born, sex, village in
             people[:300:2]]  # fmt: skip
    namesake = people[5]  # same name, birth date and village, a NIK of his own
    nik_of = people[7]
    typed = people[11]
    hendra = people[-1]
    lines += [
        line(make_nik(namesake[5], namesake[3], namesake[4], 900), namesake[0], namesake[3],
             namesake[4], namesake[5]),
        line(nik_of[1], "Bambang Irawan", nik_of[3], nik_of[4], nik_of[5]),
        line(typo(typed[1]), typed[0], typed[3], typed[4], typed[5]),
        line(hendra[1], hendra[0], hendra[3], village=OKI_VILLAGE),
        line(make_nik(OKI_VILLAGE, datetime.date(1961, 2, 3), "L", 77), "Orang Lain",
             datetime.date(1961, 2, 3)),
    ]  # fmt: skip
    return lines


def upload(lines):
    return SimpleUploadedFile("usulan.csv", (HEADER + "".join(f"{x}\n" for x in lines)).encode())


def run(batch, *, estimate=True):
    """What the Celery worker does: load, estimate, then screen each chunk."""
    keys = services.batch_load(batch_id=batch.pk)
    if estimate and keys:
        matching.batch_estimate(batch_id=batch.pk)
    for key in keys:
        services.batch_screen_chunk(batch_id=batch.pk, key=key)
    batch.refresh_from_db()
    return {row.row_number: row for row in batch.rows.select_related("match")}


def create(cast, register, programme, lines, by=None):
    snapshot, _rows = register
    return services.batch_create(
        by=by or cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan FS",
        file=upload(lines),
    )  # fmt: skip


@pytest.fixture
def screened(cast, register, programme):
    batch = create(cast, register, programme, proposal_lines())
    return batch, run(batch), register[1]


def outcome(rows):
    return {
        n: (r.verdict, r.match_id, r.match_method, r.match_score, r.review, r.candidates)
        for n, r in rows.items()
    }


# --- estimation and matching ---------------------------------------------------------------


def test_the_batch_stores_the_parameters_it_was_estimated_with(screened):
    batch, _rows, _register = screened

    stored = batch.linkage_parameters
    assert stored["version"] == fs.PARAMETERS_VERSION
    params = fs.Parameters.from_dict(stored)
    assert params.review <= params.auto
    # What the data says: an equal NIK is worth more than an equal birth date, which is
    # worth more than an equal sex.
    weight = params.weight
    assert (
        weight(fs.WITH_NIK, fs.NIK, fs.EQUAL)
        > weight(fs.WITH_NIK, fs.BIRTH_DATE, fs.EQUAL)
        > weight(fs.WITH_NIK, fs.SEX, fs.EQUAL)
    )
    assert stored["stats"]["queries"] == 155  # the outsider's row is not matched at all


def test_people_given_as_in_the_register_are_matched_with_their_probability(screened):
    _batch, rows, register = screened

    plain = [rows[n] for n in range(2, 152)]
    assert all(r.match_method == matching.METHOD for r in plain)
    assert all(r.match_id == register[r.nik].pk for r in plain)
    assert all(r.review == BatchRow.Review.NONE and r.match_score >= 0.99 for r in plain)
    first = plain[0].candidates[0]
    assert first["probability"] == first["score"] == plain[0].match_score
    assert first["flags"] == [fs.FLAG_OWNER]
    assert [e["comparison"] for e in first["evidence"]] == list(fs.COMPARISONS)
    assert {c["field"] for c in first["comparisons"]} == set(linkage.FIELDS)


def test_a_namesake_born_the_same_day_with_another_nik_is_not_matched_automatically(screened):
    _batch, rows, _register = screened

    row = rows[NAMESAKE]
    assert row.verdict != "ELIGIBLE"
    assert row.review in (BatchRow.Review.PENDING, BatchRow.Review.NONE)
    if row.review == BatchRow.Review.PENDING:
        assert fs.FLAG_NIK_CONFLICT in row.candidates[0]["flags"]


def test_a_nik_under_another_name_is_a_review_flagged_name_conflict(screened):
    _batch, rows, register = screened

    row = rows[NAME_CONFLICT]
    assert row.review == BatchRow.Review.PENDING
    assert row.verdict == "NEEDS_REVIEW"
    first = row.candidates[0]
    assert first["id"] == register[_people()[7][1]].pk
    assert fs.FLAG_NAME_CONFLICT in first["flags"]


def test_a_nik_typo_finds_the_person(screened):
    _batch, rows, register = screened

    row = rows[TYPO_ROW]
    assert row.match_id == register[_people()[11][1]].pk
    assert row.candidates[0]["evidence"][0]["level"] in (fs.TYPO, fs.SERIAL_TYPO)


def test_people_without_a_nik_or_a_true_birth_date_are_found_by_name_or_birth_year(
    cast, register, programme
):
    # Without a NIK, a row with no birth date is looked for by the words of its name in the
    # kecamatan, and one born "1 January" by the year; neither is in a birth date's block.
    people = _people()
    # Two people not among the plain rows, whose blocks would read them otherwise.
    undated, defaulted = people[21], people[23]
    assert (defaulted[3].month, defaulted[3].day) != (1, 1)
    lines = [
        *proposal_lines(),
        f";;{undated[0]};;{undated[4]};{undated[5]};Jl. Uji",
        line("", defaulted[0], defaulted[3].replace(month=1, day=1), defaulted[4], defaulted[5]),
    ]
    rows = run(create(cast, register, programme, lines))
    found = register[1]

    for row_number, person in ((157, undated), (158, defaulted)):
        offered = [c["id"] for c in rows[row_number].candidates]
        assert found[person[1]].pk in offered, (row_number, rows[row_number].verdict)


def test_a_resident_elsewhere_is_not_matched_and_nothing_of_the_register_is_stored(screened):
    _batch, rows, _register = screened

    outsider = rows[OUTSIDER]  # Hendra of Ogan Ilir's NIK, given in Kayuagung
    assert outsider.match_id is None
    assert outsider.candidates == []
    assert outsider.verdict == "NOT_IN_REGISTER"
    assert rows[NOBODY].verdict == "NOT_IN_REGISTER"


def test_screening_again_or_a_chunk_again_reuses_the_parameters_and_gives_the_same_rows(
    cast, screened
):
    batch, rows, _register = screened
    before = outcome(rows)
    stored = batch.linkage_parameters

    services.batch_rerun(batch=batch, by=cast.caseworker)
    matching.batch_estimate(batch_id=batch.pk)  # a redelivered load task: nothing changes
    after = run(batch)
    services.batch_screen_chunk(batch_id=batch.pk, key=rows[2].chunk_key)  # a retried chunk
    again = {r.row_number: r for r in batch.rows.select_related("match")}

    batch.refresh_from_db()
    assert batch.linkage_parameters == stored
    assert outcome(after) == before
    assert outcome(again) == before


def test_a_chunk_screened_after_its_batch_s_parameters_changed_matches_with_the_new_ones(
    screened,
):
    # The model a worker process keeps from one chunk to the next is the batch's current one.
    batch, rows, _register = screened
    chunk = batch.rows.filter(chunk_key=rows[2].chunk_key)
    automatic = chunk.filter(review=BatchRow.Review.NONE, match__isnull=False)
    assert automatic.exists()
    services.batch_screen_chunk(batch_id=batch.pk, key=rows[2].chunk_key)  # the model is kept
    unreachable = {**batch.linkage_parameters, "auto": 1.5, "review": 1.5}
    EligibilityBatch.objects.filter(pk=batch.pk).update(linkage_parameters=unreachable)

    services.batch_screen_chunk(batch_id=batch.pk, key=rows[2].chunk_key)

    assert not automatic.exists()  # nobody is likely enough now: the NIK's owners are reviews
    assert chunk.filter(review=BatchRow.Review.PENDING).count() >= 100


def test_a_reviewed_row_keeps_its_decision_when_the_chunk_is_screened_again(cast, screened):
    batch, rows, register = screened
    row = rows[NAME_CONFLICT]

    decided = services.batch_row_review(row=row, by=cast.supervisor, confirm=False)

    assert decided.review == BatchRow.Review.REJECTED
    assert decided.match_id is None
    assert decided.candidates == row.candidates


def test_the_load_task_estimates_before_the_chunks_run(cast, register, programme):
    from assessments.tasks.eligibility import load_batch
    from atensi.celery import app

    batch = create(cast, register, programme, proposal_lines())
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        load_batch.apply(args=(str(batch.pk),))
    finally:
        app.conf.task_always_eager = eager

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.DONE
    assert batch.linkage_parameters["version"] == fs.PARAMETERS_VERSION
    assert set(batch.rows.exclude(match=None).values_list("match_method", flat=True)) == {
        matching.METHOD
    }


# --- small batches, the rules ----------------------------------------------------------------


def test_a_small_batch_borrows_the_organisations_latest_parameters(cast, register, programme):
    donor = create(cast, register, programme, proposal_lines())
    run(donor)
    name, nik, _kk, born, sex, village = _people()[0]

    batch = create(cast, register, programme, [line(nik, name, born, sex, village)])
    rows = run(batch)

    assert batch.linkage_parameters["borrowed_from"] == str(donor.pk)
    assert rows[2].match_method == matching.METHOD
    assert rows[2].verdict == "ELIGIBLE"


def test_a_small_batch_with_nothing_to_borrow_is_matched_by_the_rules(cast, register, programme):
    name, nik, _kk, born, sex, village = _people()[0]

    batch = create(cast, register, programme, [line(nik, name, born, sex, village)])
    rows = run(batch)

    assert batch.linkage_parameters is None
    assert rows[2].match_method == "nik_exact"


def test_another_organisations_parameters_are_not_borrowed(cast, register, programme):
    donor = create(cast, register, programme, proposal_lines())
    run(donor)
    theirs = Programme.objects.create(
        name="Bantuan OI", kind=Programme.Kind.REGULAR, year=2026,
        organisation=cast.other_dinsos, max_decile=4, requires_assessment=False,
    )  # fmt: skip
    hendra = _people()[-1]

    batch = create(
        cast, register, theirs, [line(hendra[1], hendra[0], hendra[3], village=OI_VILLAGE)],
        by=cast.outsider,
    )  # fmt: skip
    run(batch)

    assert batch.linkage_parameters is None


def test_rows_without_a_kecamatan_give_nothing_to_learn_from(cast, register, programme):
    batch = create(cast, register, programme, proposal_lines())
    rows = [("-", "", "", "Budi Santoso", None, "L", "", "")] * 600

    assert matching.estimate(batch=batch, rows=rows, area=["16.02"]) is None


def test_the_rules_setting_keeps_the_rule_matcher(settings, cast, register, programme):
    settings.ELIGIBILITY_MATCHER = matching.RULES

    batch = create(cast, register, programme, proposal_lines())
    rows = run(batch)

    assert batch.linkage_parameters is None
    assert rows[2].match_method == "nik_exact"
    assert "probability" not in rows[2].candidates[0]


# --- what the supervisor reads -------------------------------------------------------------


def test_the_review_page_shows_the_probability_the_flags_and_the_evidence_in_words(
    browse, screened
):
    batch, rows, _register = screened

    response = browse("supervisor").get(reverse("assessments:batch-review", args=[batch.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="baris-{NAME_CONFLICT}"' in page
    assert said("probability") in page
    for text in fs._FACTS[fs.NIK][fs.EQUAL], fs._FLAG_MESSAGES[fs.FLAG_NAME_CONFLICT]:
        assert shown(text) in page
    # Every comparison of the first candidate is told.
    evidence = rows[NAME_CONFLICT].candidates[0]["evidence"]
    for e in evidence:
        assert shown(fs._FACTS[e["comparison"]][e["level"]]) in page


def test_the_results_api_gives_the_probability_the_evidence_and_the_explanation(cast, screened):
    batch, rows, _register = screened
    api = APIClient()
    api.force_authenticate(cast.caseworker)

    response = api.get(f"/api/v1/eligibility-batches/{batch.pk}/results/", {"page_size": 200})

    assert response.status_code == 200
    found = {r["row_number"]: r for r in response.json()["results"]}
    first = found[NAME_CONFLICT]["candidates"][0]
    stored = rows[NAME_CONFLICT].candidates[0]
    assert first["probability"] == stored["probability"]
    assert first["flags"] == stored["flags"]
    assert [e["comparison"] for e in first["evidence"]] == list(fs.COMPARISONS)
    assert len(first["explanation"]) >= len(fs.COMPARISONS) + 1
    assert found[OUTSIDER]["candidates"] == []


def test_the_batch_page_tells_how_the_list_was_matched(browse, screened):
    batch, _rows, _register = screened
    params = batch.linkage_parameters

    page = browse("caseworker").get(reverse("assessments:batch-detail", args=[batch.pk]))

    html = page.content.decode()
    assert said("How the list was matched to the register") in html
    districts = params["stats"]["districts"]
    assert params["stats"]["queries"] == 155 and districts == 1  # one kecamatan, every row
    assert (
        shown(
            "A register row is matched automatically when it is at least %(auto)s%% likely to be "
            "the person, and offered for review from %(review)s%%; below that the row is not "
            "matched.",
            auto=f"{100 * params['auto']:.1f}".replace(".", ","),
            review=f"{100 * params['review']:.1f}".replace(".", ","),
        )
        in html
    )
    # Every level of every comparison with what it weighs.
    model = fs.Parameters.from_dict(params)
    for c in fs.COMPARISONS:
        for level in fs.LEVELS[c]:
            assert shown(fs.describe(c, level)) in html
    weight = model.weight(fs.WITHOUT_NIK, fs.ADDRESS, fs.EQUAL)
    assert f"{weight:.1f}".replace(".", ",") in html


def test_the_batch_page_says_when_the_rules_matched(browse, settings, cast, register, programme):
    name, nik, _kk, born, sex, village = _people()[0]

    def page(batch):
        response = browse("caseworker").get(reverse("assessments:batch-detail", args=[batch.pk]))
        return response.content.decode()

    short = create(cast, register, programme, [line(nik, name, born, sex, village)])
    run(short)
    pages = {short: page(short)}
    settings.ELIGIBILITY_MATCHER = matching.RULES
    configured = create(cast, register, programme, [line(nik, name, born, sex, village)])
    run(configured)
    pages[configured] = page(configured)

    assert said("How the list was matched to the register") in pages[short]
    assert (
        shown(
            "Matched by the fixed rules (NIK, then name with date of birth and place): the list is "
            "too short to learn a model from and no earlier list of your organisation has one to "
            "borrow."
        )
        in pages[short]
    )
    assert (
        shown(
            "Matched by the fixed rules (NIK, then name with date of birth and place), as this "
            "installation is configured."
        )
        in pages[configured]
    )
    # The rules' score is told, with the thresholds as the page writes its scores ("0,88").
    with translation.override("id"):
        auto, review = (
            number_format(t, 2)
            for t in (linkage.DEFAULT_THRESHOLDS.auto, linkage.DEFAULT_THRESHOLDS.review)
        )
    score = shown(
        "The score beside a match is the rule's, from 0 to 1: 1 for the same NIK, name and date "
        "of birth; a match by family card, or by name and date of birth, starts a little lower; "
        "a field that only nearly agrees or is missing costs some, and a family card, NIK or sex "
        "that contradicts costs more. From %(auto)s the row is matched, from %(review)s it waits "
        "for review.",
        auto=auto, review=review,
    )  # fmt: skip
    assert auto == f"{linkage.DEFAULT_THRESHOLDS.auto:.2f}".replace(".", ",")  # as "0,88"
    assert all(score in html for html in pages.values())


def test_the_export_explains_each_match_in_words(browse, screened):
    batch, rows, _register = screened

    response = browse("caseworker").get(reverse("assessments:batch-export", args=[batch.pk]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index(said("Match explained"))
    cells = {r[0].value: r[column].value for r in sheet.iter_rows(min_row=2)}
    conflict = rows[NAME_CONFLICT].candidates[0]
    for e in conflict["evidence"]:  # every comparison of the candidate shown, in words
        assert said(fs._FACTS[e["comparison"]][e["level"]]) in cells[NAME_CONFLICT]
    assert said(fs._FLAG_MESSAGES[fs.FLAG_NAME_CONFLICT]) in cells[NAME_CONFLICT]
    assert cells[NOBODY] is None and cells[OUTSIDER] is None


def test_the_openapi_schema_documents_the_probability_and_the_evidence(cast):
    api = APIClient()
    api.force_authenticate(cast.caseworker)

    schema = api.get("/api/schema/", {"format": "json"}).json()

    candidate = schema["components"]["schemas"]["Candidate"]["properties"]
    assert {"probability", "evidence", "explanation"} <= set(candidate)
    assert set(schema["components"]["schemas"]["Evidence"]["properties"]) == {
        "comparison", "level", "weight", "frequency",
    }  # fmt: skip


def test_estimating_takes_a_number_of_queries_that_does_not_grow_with_the_batch(
    cast, register, programme
):
    counts = []
    for lines in (proposal_lines()[:60], proposal_lines()):
        batch = create(cast, register, programme, lines)
        services.batch_load(batch_id=batch.pk)
        with CaptureQueriesContext(connection) as queries:
            matching.batch_estimate(batch_id=batch.pk)
        counts.append(len(queries))

    assert counts[1] - counts[0] < 10, counts  # a query per district chunk, not per row


def test_a_row_without_a_valid_nik_is_not_queued_for_review(cast, register, programme):
    # Seen: rows already "NIK tidak valid" offered for review ("Antrean tinjauan 1" beside
    # no "Perlu ditinjau"), and a reviewer's choice that changed nothing: without a valid
    # NIK the row is not eligible, whoever it is.
    people = _people()
    blank, invalid = people[25], people[27]
    lines = [
        *proposal_lines(),
        line("", blank[0], blank[3].replace(month=1, day=1), blank[4], blank[5]),
        line("1.60205E+15", invalid[0], invalid[3].replace(month=1, day=1), invalid[4],
             invalid[5]),
    ]  # fmt: skip
    rows = run(create(cast, register, programme, lines))

    assert rows[NAME_CONFLICT].review == BatchRow.Review.PENDING  # a valid NIK's doubt
    for row in (rows[157], rows[158]):
        # A namesake's doubt, which takes a match to review.
        assert row.match_score >= row.batch.linkage_parameters["review"] - 1e-6  # rounded
        assert fs.FLAG_NAMESAKE in row.candidates[0]["flags"]
        assert row.verdict == "NIK_INVALID" and "NEEDS_REVIEW" not in row.reasons
        assert row.review == BatchRow.Review.NONE and row.match_id is None
