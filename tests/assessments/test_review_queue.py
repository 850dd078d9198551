"""The review queue (issue 8, §3): each row waiting for review beside its best candidates,
field by field; choose one, reject them all, or confirm the obvious ones; the same through
the API; register data only inside the reader's area."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext
from rest_framework.test import APIClient

from aid.models import Programme, Proposal
from assessments import linkage
from assessments.models import BatchRow, RegisterRow, RegisterSnapshot
from assessments.selectors.eligibility import OBVIOUS_MARGIN
from assessments.services import eligibility as services
from assessments.services.register import register_partition_create
from atensi.audit.models import AuditEvent
from atensi.regions.models import Region
from cases.nik import mask_nik
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, make_nik, said, shown

BORN = datetime.date(1988, 4, 17)
SIDAKERSA = "16.02.05.1003"  # another village of Kec. Kayu Agung
KK = "1602051203150001"
HEADER = "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat\n"


def nik(serial, sex="L", village=OKI_VILLAGE):
    return make_nik(village, BORN, sex, serial)


# The register, a province's extract: twins of almost one name on one family card, a man in
# the next village, three others in Kayuagung, and one man in Ogan Ilir.
PEOPLE = {
    "aisyah": ("Siti Nur Aisyah", nik(1, "P"), KK, "P", OKI_VILLAGE, 2),
    "aisah": ("Siti Nur Aisah", nik(2, "P"), KK, "P", OKI_VILLAGE, 3),
    "bambang": ("Bambang Irawan", nik(5), "", "L", SIDAKERSA, 1),
    "dedi": ("Dedi Kurniawan", nik(7), "", "L", OKI_VILLAGE, 2),
    "agus": ("Agus Salim", nik(8), "", "L", OKI_VILLAGE, 2),
    "joko": ("Joko Susilo", nik(9), "", "L", OKI_VILLAGE, 2),
    "hendra": ("Hendra Saputra", nik(4, village=OI_VILLAGE), "", "L", OI_VILLAGE, 1),  # Ogan Ilir
}
# The proposals, by row number in the file (the heading is row 1).
LINES = {
    2: f"{nik(3, 'P')};{KK};Siti Nur Aisyah;17-04-1988;P;{OKI_VILLAGE};",  # twins: review
    3: f"{nik(6)};;Bambang Irawan;17-04-1988;L;{OKI_VILLAGE};",  # serial typo, next village
    4: f"{nik(7)};;Dedik Purnomo;17-04-1988;L;{OKI_VILLAGE};",  # Dedi's NIK, another name
    5: f"{nik(99)};;Agus Salim;17-04-1988;L;{OKI_VILLAGE};",  # a namesake with his own NIK
    6: f"{nik(9)};;Joko Susilo;17-04-1988;L;{OKI_VILLAGE};",  # a match
    7: f"{make_nik(OKI_VILLAGE, datetime.date(1970, 2, 3), 'L', 50)};;Orang Lain;03-02-1970;L;"
    f"{OKI_VILLAGE};",  # nobody
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_register(cast):
    """The register snapshot with ``PEOPLE``: (snapshot, {key: register row})."""
    snapshot = RegisterSnapshot.objects.create(
        source="DTSEN uji", extract_date=datetime.date(2026, 10, 1), file_name="uji.csv",
        sha256="0" * 64, status=RegisterSnapshot.Status.DONE, created_by=cast.supervisor,
        area_rows={"16.02": len(PEOPLE) - 1, "16.10": 1},
    )  # fmt: skip
    register_partition_create(snapshot=snapshot)
    rows = {}
    for number, (key, (name, nik_, kk, sex, village, decile)) in enumerate(PEOPLE.items(), 1):
        rows[key] = RegisterRow.objects.create(
            snapshot=snapshot, row_number=number, id_dtsen=f"DT-{number:04d}", nik=nik_,
            kk_number=kk, name=name, name_key=linkage.name_key(name), birth_date=BORN, sex=sex,
            village_code=village, decile=decile,
        )  # fmt: skip
    return snapshot, rows


@pytest.fixture
def register(cast):
    return make_register(cast)


def programme_of(org):
    return Programme.objects.create(
        name="Bantuan ATENSI", kind=Programme.Kind.REGULAR, year=2026, organisation=org,
        max_decile=4, requires_assessment=False,
    )  # fmt: skip


def upload(*lines):
    return SimpleUploadedFile("usulan.csv", (HEADER + "".join(f"{x}\n" for x in lines)).encode())


def run(batch):
    """What the Celery worker does: load, then screen each chunk."""
    for key in services.batch_load(batch_id=batch.pk):
        services.batch_screen_chunk(batch_id=batch.pk, key=key)
    batch.refresh_from_db()
    return {row.row_number: row for row in batch.rows.select_related("match")}


def make_screened(cast, register):
    """``LINES`` uploaded by the caseworker and screened: (batch, {row number: row}, people)."""
    snapshot, people = register
    batch = services.batch_create(
        by=cast.caseworker, programme=programme_of(cast.dinsos), snapshot=snapshot,
        name="Usulan tinjauan", file=upload(*LINES.values()),
    )  # fmt: skip
    return batch, run(batch), people


@pytest.fixture
def screened(cast, register):
    return make_screened(cast, register)


def refreshed(row):
    return BatchRow.objects.select_related("match").get(pk=row.pk)


def ids(row):
    return [c["id"] for c in row.candidates]


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def review_page(browser, batch):
    response = browser.get(reverse("assessments:batch-review", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def decide(browser, batch, row, choice):
    return browser.post(
        reverse("assessments:batch-row-review", args=[batch.pk, row.pk]),
        {"choice": choice},
        follow=True,
    )


# --- what a screened row stores ----------------------------------------------------------


def test_each_row_waiting_for_review_stores_its_candidates_with_the_comparisons(screened):
    _batch, rows, people = screened

    pending = [n for n, r in rows.items() if r.review == BatchRow.Review.PENDING]
    assert pending == [2, 3, 4, 5]
    twins = rows[2]
    assert sorted(ids(twins)) == sorted([people["aisyah"].pk, people["aisah"].pk])
    assert twins.match_id == twins.candidates[0]["id"]
    first, second = twins.candidates
    assert first["score"] >= second["score"]
    assert first["method"] == twins.match_method == "nik_typo"
    assert "ambiguous" in first["flags"]
    for candidate in twins.candidates:
        assert [c["field"] for c in candidate["comparisons"]] == list(linkage.FIELDS)
        assert {c["field"]: c["level"] for c in candidate["comparisons"]} == {
            "nik": "one_digit", "name": "same", "birth_date": "same", "kk": "same",
            "place": "same_village", "address": "missing", "sex": "same",
        }  # fmt: skip


def test_a_match_stores_the_chosen_candidate_and_a_row_without_one_stores_none(screened):
    _batch, rows, people = screened

    assert ids(rows[6]) == [people["joko"].pk] == [rows[6].match_id]
    assert {c["agreement"] for c in rows[6].candidates[0]["comparisons"]} == {"agree", "unknown"}
    assert rows[7].candidates == [] and rows[7].verdict == "NOT_IN_REGISTER"


def test_screening_a_chunk_again_or_the_whole_batch_stores_the_same_candidates(cast, screened):
    batch, before, people = screened
    services.batch_row_review(
        row=before[2], by=cast.supervisor, confirm=True, candidate_id=before[2].candidates[1]["id"]
    )
    decided = {n: (r.verdict, r.match_id, r.review, r.candidates) for n, r in run(batch).items()}

    services.batch_screen_chunk(batch_id=batch.pk, key=before[2].chunk_key)
    services.batch_screen_chunk(batch_id=batch.pk, key=before[2].chunk_key)
    again = {n: (r.verdict, r.match_id, r.review, r.candidates) for n, r in run(batch).items()}
    services.batch_rerun(batch=batch, by=cast.caseworker)
    rerun = {n: (r.verdict, r.match_id, r.review, r.candidates) for n, r in run(batch).items()}

    assert again == rerun == decided
    assert BatchRow.objects.filter(batch=batch).count() == len(LINES)
    assert decided[2][1] == before[2].candidates[1]["id"]  # the reviewer's choice stays
    assert decided[3][3] == before[3].candidates  # a pending row: the same candidates


# --- the page ------------------------------------------------------------------------------


def test_the_review_page_shows_each_row_beside_its_candidates_field_by_field(
    cast, browse, screened
):
    batch, rows, people = screened

    html = review_page(browse("supervisor"), batch)

    for number in (2, 3, 4, 5):
        assert f'id="baris-{number}"' in html
    assert 'id="baris-6"' not in html  # a match needs no review
    assert shown("Candidate %(n)s", n=1) in html and shown("Candidate %(n)s", n=2) in html
    for key in ("aisyah", "aisah"):
        register = people[key]
        assert register.name in html
        assert mask_nik(register.nik) in html
        assert register.nik not in html  # masked, as in every list
    assert mask_nik(KK) in html and KK not in html
    assert rows[2].nik_input not in html
    for text in ("agrees", "differs", "one digit differs", "same village", "Place"):
        assert shown(text) in html
    # the next village of the same kecamatan, by its name
    assert "Sidakersa (Kec. Kayu Agung)" in html
    assert shown("same kecamatan, another village") in html
    assert html.count('value="none"') == 4  # one "none of them" per row
    assert html.index('id="baris-2"') < html.index('id="baris-3"') < html.index('id="baris-5"')


def test_a_caseworker_reading_the_queue_is_told_the_decision_is_a_supervisors(browse, screened):
    """Seen in the browser: the caseworker got the evidence and no buttons, with no word why."""
    batch, _rows, _people = screened
    notice = shown(
        "Only a supervisor decides these rows; you can read them here. Ask your supervisor to "
        "review them."
    )

    caseworker = review_page(browse("caseworker"), batch)
    supervisor = review_page(browse("supervisor"), batch)

    assert notice in caseworker and 'value="none"' not in caseworker
    assert notice not in supervisor


def test_each_field_is_marked_with_an_icon_and_a_word_not_colour_alone(browse, screened):
    batch, _rows, _people = screened

    html = review_page(browse("supervisor"), batch)

    marks = re.findall(r'<div class="cmp cmp-(\w+)" title="[^"]+"><i class="bi ([\w-]+)"', html)
    assert marks and {agreement for agreement, _icon in marks} >= {"agree", "close", "differ"}
    icons = {"agree": "bi-check-circle-fill", "close": "bi-circle-half",
             "differ": "bi-x-circle-fill", "unknown": "bi-question-circle"}  # fmt: skip
    assert all(icon == icons[agreement] for agreement, icon in marks)
    # each mark is followed by its words
    assert re.search(r'bi-x-circle-fill" aria-hidden="true"></i> <span class="visually-hidden">'
                     + re.escape(shown("differs")) + r":</span> \S", html)  # fmt: skip


def test_the_keyboard_script_comes_from_a_static_file_and_the_page_has_no_inline_code(
    browse, screened
):
    batch, _rows, _people = screened

    html = review_page(browse("supervisor"), batch)

    assert '<script src="/static/js/review-queue.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)  # every script has a src
    assert " style=" not in html and " onclick=" not in html
    script = Path(finders.find("js/review-queue.js")).read_text()
    for key in ('"j"', '"k"', '"1"', '"2"', '"3"', '"0"', '"n"'):
        assert key in script
    # the buttons the keys press, in the order Tab reaches them
    row = html[html.index('id="baris-2"') : html.index('id="baris-3"')]
    assert re.findall(r'data-key="(\d)"', row) == ["1", "2", "0"]


def test_choosing_the_second_candidate_makes_it_the_match_and_judges_the_row_again(
    cast, browse, screened
):
    batch, rows, people = screened
    second = rows[2].candidates[1]["id"]
    register = RegisterRow.objects.get(pk=second)

    response = decide(browse("supervisor"), batch, rows[2], second)

    assert response.redirect_chain[-1][0].endswith("#baris-3")  # on to the next row
    row = refreshed(rows[2])
    assert (row.review, row.match_id, row.decile) == ("confirmed", second, register.decile)
    assert (row.match_method, row.match_score) == (
        rows[2].candidates[1]["method"], rows[2].candidates[1]["score"],
    )  # fmt: skip
    assert row.verdict == "ELIGIBLE" and row.reviewed_by == cast.supervisor
    said_it = shown(
        "Row %(row)d: candidate %(n)d chosen; verdict now %(verdict)s.",
        row=2, n=2, verdict=said("Eligible"),
    )  # fmt: skip
    assert said_it in response.content.decode()
    event = AuditEvent.objects.get(object_id=str(batch.pk), summary__startswith="row 2 ")
    assert (event.actor, event.summary) == (cast.supervisor, "row 2 match confirmed: candidate 2")
    assert 'id="baris-2"' not in response.content.decode()


def test_none_of_them_rejects_the_row(cast, browse, screened):
    batch, rows, _people = screened

    decide(browse("supervisor"), batch, rows[4], "none")

    row = refreshed(rows[4])
    assert (row.review, row.match_id, row.verdict) == ("rejected", None, "NOT_IN_REGISTER")
    assert AuditEvent.objects.filter(summary="row 4 match rejected").exists()
    # The results page says the "not in the register" was a supervisor's decision.
    page = browse("supervisor").get(reverse("assessments:batch-detail", args=[batch.pk]))
    assert shown("Match rejected") in page.content.decode()


def test_a_choice_that_is_not_one_of_the_rows_candidates_is_refused(browse, screened):
    batch, rows, people = screened

    response = decide(browse("supervisor"), batch, rows[2], people["joko"].pk)

    assert shown("Choose one of the row's candidates.") in response.content.decode()
    assert refreshed(rows[2]).review == "pending"


def test_a_caseworker_sees_the_queue_but_no_buttons_and_cannot_decide(cast, browse, screened):
    batch, rows, _people = screened
    caseworker = browse("caseworker")

    html = review_page(caseworker, batch)
    response = caseworker.post(
        reverse("assessments:batch-row-review", args=[batch.pk, rows[2].pk]),
        {"choice": rows[2].candidates[0]["id"]},
    )

    assert shown("Candidate %(n)s", n=1) in html
    assert 'name="choice"' not in html and "review-queue.js" not in html
    assert response.status_code == 403
    assert refreshed(rows[2]).review == "pending"


def test_a_row_screened_before_candidates_were_stored_shows_and_takes_its_match(browse, screened):
    batch, rows, people = screened
    BatchRow.objects.filter(pk=rows[4].pk).update(candidates=[])  # as screened before

    supervisor = browse("supervisor")
    card = review_page(supervisor, batch).split('id="baris-4"')[1].split('id="baris-5"')[0]
    decide(supervisor, batch, rows[4], people["dedi"].pk)

    assert people["dedi"].name in card and shown("differs") in card
    row = refreshed(rows[4])
    assert (row.review, row.match_id) == ("confirmed", people["dedi"].pk)


def test_the_review_page_takes_a_fixed_number_of_queries(
    cast, browse, register, django_assert_max_num_queries
):
    snapshot, _people = register
    supervisor = browse("supervisor")
    programme = programme_of(cast.dinsos)

    def queue(lines):
        batch = services.batch_create(
            by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
            file=upload(*lines),
        )  # fmt: skip
        run(batch)
        return reverse("assessments:batch-review", args=[batch.pk])

    small, large = queue([LINES[2]]), queue([LINES[n] for n in (2, 3, 4, 5)] * 5)
    # 15: one of them reads the reviewer's latest decisions (with their undo)
    with django_assert_max_num_queries(15):
        supervisor.get(small)
    with django_assert_max_num_queries(15):
        assert supervisor.get(large).content.decode().count("data-review-row") == 20


def test_the_queue_counts_the_reviews_the_funnel_counts(cast, browse, register):
    # The twins' row again without a NIK: the funnel already lost it as a NIK that is not
    # valid, and no choice of a reviewer changes that. Seen: the queue's button counted it
    # ("Antrean tinjauan 5") beside a funnel of 4 waiting for review.
    snapshot, _people = register
    blank = f";{KK};Siti Nur Aisyah;17-04-1988;P;{OKI_VILLAGE};"
    batch = services.batch_create(
        by=cast.caseworker, programme=programme_of(cast.dinsos), snapshot=snapshot,
        name="Usulan tinjauan", file=upload(*LINES.values(), blank),
    )  # fmt: skip
    rows = run(batch)
    assert rows[8].review == "" and rows[8].reasons[0] == "NIK_INVALID"
    assert "NEEDS_REVIEW" not in rows[8].reasons and rows[8].match_id is None

    html = browse("supervisor").get(reverse("assessments:batch-detail", args=[batch.pk]))
    html = html.content.decode()

    assert said("incl. %(n)s waiting for review", n=4) in html
    assert '<span class="badge text-bg-light">4</span>' in html
    assert '<span class="badge text-bg-light">5</span>' not in html


# --- confirm the obvious ones ------------------------------------------------------------


def test_a_nik_slip_in_the_serial_from_the_next_village_is_flagged_and_not_obvious(
    browse, screened
):
    # Bambang's NIK a slip away in its serial, given in the next village: the district may
    # have issued that serial to a namesake born the same day, so the row is a review, it
    # says why, and it is not among the obvious ones.
    batch, rows, people = screened
    row = rows[3]
    assert row.review == "pending" and row.candidates[0]["id"] == people["bambang"].pk
    assert linkage.FLAG_SERIAL_DOUBT in row.candidates[0]["flags"]

    html = review_page(browse("supervisor"), batch)
    card = html[html.index('id="baris-3"') : html.index('id="baris-4"')]
    assert shown("The NIK differs only in its serial, which may be a namesake's born the "
                 "same day.") in card  # fmt: skip
    assert 'name="row"' not in html
    browse("supervisor").post(
        reverse("assessments:batch-review-obvious", args=[batch.pk]), {"row": [row.pk]}
    )
    assert refreshed(row).review == "pending"


@pytest.fixture
def obvious(screened):
    """``screened`` with row 3 as a matcher that saw no doubt in it stores it: Bambang, the
    NIK a slip away, everything else agreeing or near (the bulk action, not the matcher,
    is what these tests are about)."""
    batch, rows, people = screened
    row = rows[3]
    for candidate in row.candidates:
        candidate["flags"] = [f for f in candidate["flags"] if f != linkage.FLAG_SERIAL_DOUBT]
    row.save(update_fields=["candidates"])
    return batch, rows, people


def test_the_page_explains_the_obvious_ones_and_says_which_it_will_confirm(browse, obvious):
    batch, rows, _people = obvious

    html = review_page(browse("supervisor"), batch)

    assert shown("Confirm the obvious ones") in html
    # the runner-up's margin, stated as the page writes numbers ("0,10", not "0.10")
    margin = f"{OBVIOUS_MARGIN:.2f}"
    assert margin.replace(".", ",") in html and margin not in html
    assert shown("Confirm %(n)s obvious row", n=1) in html
    assert f'<input type="hidden" name="row" value="{rows[3].pk}">' in html
    assert html.count('name="row"') == 1
    card = html[html.index('id="baris-3"') : html.index('id="baris-4"')]
    assert shown("obvious") in card


def test_confirming_the_obvious_ones_confirms_only_those_and_audits_each(cast, browse, obvious):
    batch, rows, people = obvious
    every_pending = [rows[n].pk for n in (2, 3, 4, 5)]  # more than the page offered

    response = browse("supervisor").post(
        reverse("assessments:batch-review-obvious", args=[batch.pk]),
        {"row": every_pending},
        follow=True,
    )

    assert shown("%(n)d obvious match confirmed.", n=1) in response.content.decode()
    after = {n: refreshed(rows[n]) for n in (2, 3, 4, 5)}
    assert after[3].review == "confirmed" and after[3].match_id == people["bambang"].pk
    assert after[3].verdict == "ELIGIBLE" and after[3].reviewed_by == cast.supervisor
    # the twins (a runner-up as good), Dedi's NIK under another name, the namesake
    assert [after[n].review for n in (2, 4, 5)] == ["pending"] * 3
    events = AuditEvent.objects.filter(object_id=str(batch.pk), action="update")
    assert [e.summary for e in events] == ["row 3 match confirmed: candidate 1, obvious"]
    assert events[0].actor == cast.supervisor


def test_the_obvious_ones_are_only_those_the_reviewer_was_shown(browse, obvious):
    batch, rows, _people = obvious

    browse("supervisor").post(
        reverse("assessments:batch-review-obvious", args=[batch.pk]), {"row": [rows[2].pk]}
    )

    assert refreshed(rows[3]).review == "pending"


def test_a_caseworker_cannot_confirm_the_obvious_ones(browse, obvious):
    batch, rows, _people = obvious

    response = browse("caseworker").post(
        reverse("assessments:batch-review-obvious", args=[batch.pk]), {"row": [rows[3].pk]}
    )

    assert response.status_code == 403
    assert refreshed(rows[3]).review == "pending"


# --- the API -------------------------------------------------------------------------------


def results(user, batch, **params):
    response = api_as(user).get(f"/api/v1/eligibility-batches/{batch.pk}/results/", params)
    assert response.status_code == 200, response.content
    return {r["row_number"]: r for r in response.json()["results"]}


def test_the_results_api_gives_each_rows_candidates_and_comparisons(cast, screened):
    batch, rows, people = screened

    found = results(cast.caseworker, batch)

    twins = found[2]["candidates"]
    assert [c["id"] for c in twins] == ids(rows[2])
    aisah = next(c for c in twins if c["id"] == people["aisah"].pk)
    assert (aisah["register_id"], aisah["nik"], aisah["name"], aisah["decile"]) == (
        people["aisah"].id_dtsen, mask_nik(people["aisah"].nik), "Siti Nur Aisah", 3,
    )  # fmt: skip
    assert aisah["comparisons"][0] == {
        "field": "nik", "level": "one_digit", "agreement": "close", "similarity": None, "notes": [],
    }  # fmt: skip
    assert [c["chosen"] for c in twins] == [True, False]
    assert [c["id"] for c in found[6]["candidates"]] == [people["joko"].pk]
    assert found[7]["candidates"] == []


def test_the_results_api_gives_full_niks_of_candidates_only_to_a_supervisor_asking(cast, screened):
    batch, rows, people = screened

    found = results(cast.supervisor, batch, nik="full")

    assert {c["nik"] for c in found[2]["candidates"]} == {
        people["aisyah"].nik, people["aisah"].nik,
    }  # fmt: skip


def test_the_api_review_chooses_a_candidate_by_its_register_row_id(cast, screened):
    batch, rows, _people = screened
    second = rows[2].candidates[1]["id"]

    response = api_as(cast.supervisor).post(
        f"/api/v1/eligibility-batches/{batch.pk}/rows/{rows[2].pk}/review/",
        {"candidate": second},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["review"], body["verdict"]) == ("confirmed", "ELIGIBLE")
    assert [c["chosen"] for c in body["candidates"]] == [False, True]
    assert refreshed(rows[2]).match_id == second


def test_the_api_review_refuses_a_register_row_that_is_not_one_of_the_candidates(cast, screened):
    batch, rows, people = screened
    url = f"/api/v1/eligibility-batches/{batch.pk}/rows/{rows[2].pk}/review/"
    api = api_as(cast.supervisor)

    other = api.post(url, {"candidate": people["joko"].pk}, format="json")
    both = api.post(url, {"candidate": people["aisah"].pk, "confirm": False}, format="json")
    nothing = api.post(url, {}, format="json")

    assert other.status_code == 400
    assert other.json()["error"]["fields"]["candidate"] == [
        said("Choose one of the row's candidates.")
    ]
    assert both.status_code == nothing.status_code == 400
    assert refreshed(rows[2]).review == "pending"


def test_the_api_review_rejects_or_confirms_the_proposed_match_as_before(cast, screened):
    batch, rows, people = screened
    api = api_as(cast.supervisor)

    rejected = api.post(
        f"/api/v1/eligibility-batches/{batch.pk}/rows/{rows[4].pk}/review/",
        {"confirm": False},
        format="json",
    )
    confirmed = api.post(
        f"/api/v1/eligibility-batches/{batch.pk}/rows/{rows[3].pk}/review/",
        {"confirm": True},
        format="json",
    )

    assert (rejected.status_code, rejected.json()["verdict"]) == (200, "NOT_IN_REGISTER")
    assert (confirmed.status_code, confirmed.json()["review"]) == (200, "confirmed")
    assert refreshed(rows[3]).match_id == people["bambang"].pk


def test_the_openapi_schema_documents_the_candidates_and_the_choice(cast):
    schema = api_as(cast.caseworker).get("/api/schema/?format=json").json()

    components = schema["components"]["schemas"]
    assert "candidates" in components["Result"]["properties"]
    candidate = components["Candidate"]["properties"]
    assert {"id", "register_id", "nik", "method", "score", "flags", "comparisons", "chosen"} <= set(
        candidate
    )
    assert {"field", "level", "agreement", "similarity", "notes"} <= set(
        components["Comparison"]["properties"]
    )
    assert {"confirm", "candidate"} <= set(components["ReviewRequest"]["properties"])


# --- the area rule (issue 12) --------------------------------------------------------------


def test_an_outsiders_list_of_residents_elsewhere_stores_and_shows_no_candidates(
    cast, register, browse
):
    snapshot, people = register
    bambang = people["bambang"]
    batch = services.batch_create(
        by=cast.outsider, programme=programme_of(cast.other_dinsos), snapshot=snapshot,
        name="Usulan luar", file=upload(
            f";;Siti Nur Aisyah;17-04-1988;P;{OKI_VILLAGE};",  # a resident, in her village
            f"{bambang.nik};;Bambang Irawan;17-04-1988;L;{OI_VILLAGE};",  # his NIK, OI village
        ),
    )  # fmt: skip

    rows = run(batch)

    assert [(r.candidates, r.match_id) for r in rows.values()] == [([], None)] * 2
    html = review_page(browse("outsider"), batch)
    body = api_as(cast.outsider).get(f"/api/v1/eligibility-batches/{batch.pk}/results/")
    assert [r["candidates"] for r in body.json()["results"]] == [[], []]
    aisyah = people["aisyah"]
    for answer in (html, body.content.decode()):
        # her NIK and decile, his DTSEN id, the other twin: nothing of the register
        assert aisyah.nik not in answer and mask_nik(aisyah.nik) not in answer
        assert all(register.id_dtsen not in answer for register in people.values())
        assert people["aisah"].name not in answer
    assert shown("Nothing is waiting for review.") in html


def test_candidates_outside_the_readers_area_are_neither_shown_nor_chosen(cast, browse, screened):
    batch, rows, people = screened
    cast.dinsos.service_area.set(Region.objects.filter(code="16.02.03"))  # Pedamaran only

    html = review_page(browse("supervisor"), batch)
    found = results(cast.supervisor, batch)
    response = decide(browse("supervisor"), batch, rows[2], rows[2].candidates[1]["id"])

    for register in people.values():
        assert register.name not in html and mask_nik(register.nik) not in html
    with translation.override("id"):
        hidden = ngettext(
            "%(n)s candidate lies outside your service area: nothing of it is shown.",
            "%(n)s candidates lie outside your service area: nothing of them is shown.", 2,
        ) % {"n": 2}  # fmt: skip
    assert escape(hidden) in html
    assert found[2]["candidates"] == [] and found[6]["candidates"] == []
    assert shown("Choose one of the row's candidates.") in response.content.decode()
    assert refreshed(rows[2]).review == "pending"


def test_the_audit_log_tells_a_chosen_candidate_and_an_obvious_one_in_the_readers_language():
    from django.utils import translation

    from atensi.audit.summaries import summary_label

    with translation.override("id"):
        chosen = summary_label("row 2 match confirmed: candidate 2")
        obvious = summary_label("row 3 match confirmed: candidate 1, obvious")

    assert chosen == said("row %(row)s: match confirmed, candidate %(n)s", row="2", n="2")
    assert obvious == said(
        "row %(row)s: match confirmed, candidate %(n)s, among the obvious ones", row="3", n="1"
    )


# --- undoing a decision ------------------------------------------------------------------


def reopen(browser, batch, row):
    return browser.post(
        reverse("assessments:batch-row-reopen", args=[batch.pk, row.pk]), follow=True
    )


def test_a_decision_is_undone_from_the_queue_and_the_row_waits_for_review_again(
    cast, browse, screened
):
    """Seen in the browser: one key decides a row, and nothing took a slip back."""
    batch, rows, _people = screened
    proposed = rows[2].candidates[0]["id"]
    supervisor = browse("supervisor")
    decide(supervisor, batch, rows[2], rows[2].candidates[1]["id"])

    page = review_page(supervisor, batch)
    undo = reverse("assessments:batch-row-reopen", args=[batch.pk, rows[2].pk])
    assert shown("Your latest decisions") in page and f'action="{undo}"' in page
    response = reopen(supervisor, batch, rows[2])

    row = refreshed(rows[2])
    assert (row.review, row.match_id, row.verdict) == ("pending", proposed, "NEEDS_REVIEW")
    assert (row.reviewed_by, row.reviewed_at) == (None, None)
    text = response.content.decode()
    assert shown("Row %(row)d: decision undone; it waits for review again.", row=2) in text
    assert 'id="baris-2"' in text and f'action="{undo}"' not in text
    assert AuditEvent.objects.filter(
        object_id=str(batch.pk), actor=cast.supervisor, summary="row 2 decision undone"
    ).exists()


def test_a_rejection_is_undone_through_the_api(cast, screened):
    batch, rows, _people = screened
    api = api_as(cast.supervisor)
    url = f"/api/v1/eligibility-batches/{batch.pk}/rows/{rows[4].pk}/"
    api.post(url + "review/", {"confirm": False}, format="json")
    assert refreshed(rows[4]).review == "rejected"

    response = api.post(url + "reopen/")

    assert response.status_code == 200, response.content
    assert (response.json()["review"], response.json()["verdict"]) == ("pending", "NEEDS_REVIEW")
    again = api.post(url + "reopen/")
    assert again.status_code == 409
    assert said("This row has no decision to undo.") in again.content.decode()


def test_a_caseworker_cannot_undo_a_decision(cast, browse, screened):
    batch, rows, _people = screened
    decide(browse("supervisor"), batch, rows[4], "none")

    response = browse("caseworker").post(
        reverse("assessments:batch-row-reopen", args=[batch.pk, rows[4].pk])
    )

    assert response.status_code in (403, 404)
    assert refreshed(rows[4]).review == "rejected"
    assert "batch-row-reopen" not in review_page(browse("caseworker"), batch)


def test_a_decision_an_aid_proposal_was_made_from_stays(cast, browse, screened, make_client):
    batch, rows, _people = screened
    decide(browse("supervisor"), batch, rows[2], rows[2].candidates[0]["id"])
    Proposal.objects.create(
        reference="USL-UJI-0001", programme=batch.programme, client=make_client(),
        batch_row=rows[2], created_by=cast.caseworker,
    )  # fmt: skip

    supervisor = browse("supervisor")
    # Seen: "Undo" offered beside it, only to be refused.
    page = review_page(supervisor, batch)
    undo = reverse("assessments:batch-row-reopen", args=[batch.pk, rows[2].pk])
    assert f'action="{undo}"' not in page
    assert shown("An aid proposal was made from this row: its decision stays.") in page
    response = reopen(supervisor, batch, rows[2])

    assert shown("An aid proposal was made from this row: its decision stays.") in (
        response.content.decode()
    )
    assert refreshed(rows[2]).review == "confirmed"


def test_a_candidate_of_another_name_is_not_offered_as_the_main_button(browse, screened):
    """Seen in the browser: the green "Choose candidate 1" was the main button beside a name
    that differs completely."""
    batch, rows, _people = screened
    page = review_page(browse("supervisor"), batch)

    def button_of(row):
        card = page[page.index(f'id="baris-{row.row_number}"') :]
        choice = rows[row.row_number].candidates[0]["id"]
        return re.search(rf'<button class="([^"]*)" type="submit" name="choice" value="{choice}"',
                         card)[1]  # fmt: skip

    name_of = {c["field"]: c["level"] for c in rows[4].candidates[0]["comparisons"]}
    assert name_of["name"] == "different"  # "Dedik Purnomo" beside "Dedi Kurniawan"
    assert "btn-outline-success" in button_of(rows[4])
    assert "btn-outline-success" not in button_of(rows[2]) and "btn-success" in button_of(rows[2])
