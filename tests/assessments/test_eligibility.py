"""Batch eligibility screening: verdicts, evidence, review, re-runs, pages and API."""

import contextlib
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from aid.models import AidRecord, Programme
from assessments import linkage, tabular
from assessments.models import (
    Assessment,
    BatchRow,
    EligibilityBatch,
    RegisterRow,
    RegisterSnapshot,
)
from assessments.services import eligibility as services
from assessments.services.register import register_partition_create
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases.nik import mask_nik
from tests.conftest import OKI_VILLAGE, make_nik, said

BORN = datetime.date(1990, 1, 1)
HEADER = "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat\n"


def nik(serial, born=BORN, sex="L"):
    return make_nik(OKI_VILLAGE, born, sex, serial)


def ready_snapshot(cast) -> RegisterSnapshot:
    """A finished register import of Ogan Komering Ilir (its rows added by the caller)."""
    snapshot = RegisterSnapshot.objects.create(
        source="DTSEN uji", extract_date=datetime.date(2026, 10, 1), file_name="uji.csv",
        sha256="0" * 64, status=RegisterSnapshot.Status.DONE, created_by=cast.supervisor,
        area_rows={"16.02": 6},
    )  # fmt: skip
    register_partition_create(snapshot=snapshot)
    return snapshot


@pytest.fixture
def snapshot(cast):
    snapshot = ready_snapshot(cast)
    people = [
        (1, "Budi Santoso", 3),
        (2, "Ahmad Fauzi", 7),
        (3, "Rudi Hartono", 2),
        (4, "Joko Susilo", 4),
        (5, "Dedi Kurniawan", 1),
        (6, "Agus Salim", 2),
    ]
    for number, (serial, name, decile) in enumerate(people, start=1):
        RegisterRow.objects.create(
            snapshot=snapshot, row_number=number, id_dtsen=f"DT-{serial:04d}", nik=nik(serial),
            name=name, name_key=linkage.name_key(name), birth_date=BORN, sex="L",
            village_code=OKI_VILLAGE, decile=decile,
        )  # fmt: skip
    return snapshot


@pytest.fixture
def programme(cast):
    return Programme.objects.create(
        name="Bantuan ATENSI Reguler", kind=Programme.Kind.REGULAR, year=2026,
        organisation=cast.dinsos, max_decile=4,
    )  # fmt: skip


def assessed(make_case, serial, name, *, business=False):
    """A client with a completed social assessment."""
    case = make_case(serial=serial, full_name=name)
    return Assessment.objects.create(
        case=case, assessor=case.assigned_to, assessed_on=datetime.date(2026, 10, 5),
        status=Assessment.Status.COMPLETED, completed_at=timezone.now(),
        has_business=business, business_kind="Warung" if business else "",
    )  # fmt: skip


def upload(text, name="usulan.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")


def run(batch):
    """What the Celery worker does: load, then screen each chunk."""
    for key in services.batch_load(batch_id=batch.pk):
        services.batch_screen_chunk(batch_id=batch.pk, key=key)
    batch.refresh_from_db()
    return {row.row_number: row for row in batch.rows.select_related("match")}


def proposals(*lines):
    return upload(HEADER + "".join(line + "\n" for line in lines))


def line(serial, name, *, nik_text=None, born="01-01-1990", village=OKI_VILLAGE):
    value = nik(serial) if nik_text is None else nik_text
    return f"{value};;{name};{born};L;{village};Jl. Uji"


@pytest.fixture
def screened(cast, snapshot, programme, make_case):
    assessed(make_case, 1, "Budi Santoso")
    assessed(make_case, 2, "Ahmad Fauzi")
    assessed(make_case, 6, "Agus Salim")
    AidRecord.objects.create(
        programme=programme, nik=nik(6), year=2026, given_on=datetime.date(2026, 3, 1)
    )
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan uji",
        file=proposals(
            line(1, "Budi Santoso"),  # 2 eligible
            line(2, "Ahmad Fauzi"),  # 3 decile 7
            line(99, "Orang Lain", born="05-05-1985"),  # 4 not in the register
            line(3, "Rudi Hartono", nik_text="1.60205E+15"),  # 5 NIK lost by a spreadsheet
            line(1, "Budi Santoso"),  # 6 the same person again
            line(4, "Joko Susilo"),  # 7 in the register, no assessment
            line(6, "Agus Salim"),  # 8 already aided this year
            line(5, "Dedik Purnomo"),  # 9 Dedi's NIK under another name: look first
        ),
    )  # fmt: skip
    return batch, run(batch)


def test_each_row_gets_the_verdict_of_its_first_reason(screened):
    _batch, rows = screened

    verdicts = {number: row.verdict for number, row in rows.items()}

    assert verdicts == {
        2: "ELIGIBLE",
        3: "DECILE_ABOVE_THRESHOLD",
        4: "NOT_IN_REGISTER",
        5: "NIK_INVALID",
        6: "DUPLICATE_IN_BATCH",
        7: "ASSESSMENT_MISSING",
        8: "ALREADY_AIDED",
        9: "NEEDS_REVIEW",
    }


def test_a_row_carries_every_reason_that_applies(screened):
    _batch, rows = screened

    assert rows[4].reasons == ["NOT_IN_REGISTER", "ASSESSMENT_MISSING"]
    assert rows[9].reasons == ["NEEDS_REVIEW", "ASSESSMENT_MISSING"]


def test_each_match_keeps_its_evidence(screened):
    _batch, rows = screened

    eligible = rows[2]
    assert (eligible.match.id_dtsen, eligible.match_method, eligible.match_score) == (
        "DT-0001", "nik_exact", 1.0,
    )  # fmt: skip
    assert eligible.decile == 3
    assert rows[9].match.id_dtsen == "DT-0005" and rows[9].match_method == "nik_exact"
    assert rows[9].review == BatchRow.Review.PENDING


def test_a_spreadsheet_number_nik_is_kept_as_given_and_never_guessed(screened):
    _batch, rows = screened

    assert rows[5].nik_input == "1.60205E+15"
    assert rows[5].nik == ""


def test_the_funnel_counts_what_is_lost_at_each_step(screened):
    from assessments.selectors.eligibility import batch_funnel

    batch, _rows = screened

    assert batch_funnel(batch=batch) == [
        ("proposed", 8, 0),
        ("in_area", 8, 0),
        ("valid", 6, 2),
        ("matched", 4, 2),
        ("within_decile", 3, 1),
        ("assessed", 2, 1),
        ("eligible", 1, 1),
    ]


def test_the_batch_is_done_with_full_progress(screened):
    batch, _rows = screened

    assert batch.status == EligibilityBatch.Status.DONE
    assert batch.total_rows == batch.processed_rows == 8


def test_a_rerun_gives_the_same_results_and_no_duplicate_rows(cast, screened):
    batch, before = screened

    services.batch_rerun(batch=batch, by=cast.caseworker)
    after = run(batch)

    assert BatchRow.objects.filter(batch=batch).count() == 8
    assert {n: (r.verdict, r.reasons) for n, r in after.items()} == {
        n: (r.verdict, r.reasons) for n, r in before.items()
    }


def test_screening_a_chunk_twice_changes_nothing(screened):
    batch, before = screened
    key = before[2].chunk_key

    services.batch_screen_chunk(batch_id=batch.pk, key=key)
    after = {r.row_number: r.verdict for r in batch.rows.all()}

    assert after == {n: r.verdict for n, r in before.items()}


def test_a_chunk_task_that_fails_for_good_marks_the_batch_failed(cast, client, screened):
    from assessments.tasks.eligibility import screen_chunk

    batch, before = screened
    services.batch_rerun(batch=batch, by=cast.caseworker)  # running again

    screen_chunk.apply(args=(str(batch.pk), "16.99.99"))  # a chunk the batch does not have

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    assert "DoesNotExist" in batch.error and batch.finished_at is not None
    client.force_login(cast.caseworker)
    html = client.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
    assert "Penyaringan gagal:" in html and "Saring ulang" in html
    # Screening again from the page finishes the batch with the same verdicts.
    response = client.post(reverse("assessments:batch-rerun", args=[batch.pk]))
    assert response.status_code == 302
    after = run(batch)
    assert batch.status == EligibilityBatch.Status.DONE
    assert {n: r.verdict for n, r in after.items()} == {n: r.verdict for n, r in before.items()}


def test_a_load_task_that_fails_marks_the_batch_failed(cast, snapshot, programme):
    from assessments.tasks.eligibility import load_batch

    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Berkas hilang",
        file=proposals(line(1, "Budi Santoso")),
    )  # fmt: skip
    batch.file.storage.delete(batch.file.name)  # the uploaded list is gone from storage

    load_batch.apply(args=(str(batch.pk),))

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    assert "FileNotFoundError" in batch.error
    assert batch.rows.count() == 0


def test_a_supervisor_confirms_a_match_and_the_row_is_judged_again(cast, screened, make_case):
    batch, rows = screened
    assessed(make_case, 5, "Dedi Kurniawan")

    row = services.batch_row_review(row=rows[9], by=cast.supervisor, confirm=True)

    assert row.review == BatchRow.Review.CONFIRMED
    assert row.verdict == "ELIGIBLE"
    assert row.reviewed_by == cast.supervisor


def test_a_rejected_match_means_not_in_the_register(cast, screened):
    _batch, rows = screened

    row = services.batch_row_review(row=rows[9], by=cast.supervisor, confirm=False)

    assert row.verdict == "NOT_IN_REGISTER"


def test_a_caseworker_cannot_decide_a_review(cast, screened):
    from django.core.exceptions import PermissionDenied

    _batch, rows = screened

    with pytest.raises(PermissionDenied):
        services.batch_row_review(row=rows[9], by=cast.caseworker, confirm=True)


def test_entrepreneurship_aid_needs_a_recorded_business(cast, snapshot, make_case):
    programme = Programme.objects.create(
        name="Bantuan Kewirausahaan", kind=Programme.Kind.ENTREPRENEURSHIP, year=2026,
        organisation=cast.dinsos, requires_business=True,
    )  # fmt: skip
    assessed(make_case, 1, "Budi Santoso", business=True)
    assessed(make_case, 3, "Rudi Hartono", business=False)
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usaha",
        file=proposals(line(1, "Budi Santoso"), line(3, "Rudi Hartono")),
    )  # fmt: skip

    rows = run(batch)

    assert (rows[2].verdict, rows[3].verdict) == ("ELIGIBLE", "NO_BUSINESS")


def test_a_batch_of_chosen_clients_is_screened_like_a_list(cast, snapshot, programme, make_case):
    budi = assessed(make_case, 1, "Budi Santoso").case.client
    joko = make_case(serial=4, full_name="Joko Susilo").client

    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Klien",
        client_ids=[budi.pk, joko.pk],
    )  # fmt: skip
    rows = {r.client_id: r for r in run(batch).values()}

    assert rows[budi.pk].verdict == "ELIGIBLE"
    assert rows[joko.pk].verdict == "ASSESSMENT_MISSING"


def test_clients_outside_the_area_cannot_be_chosen(cast, snapshot, programme, make_client):
    from tests.conftest import OI_VILLAGE

    foreign = make_client(by=cast.outsider, village=OI_VILLAGE)

    with pytest.raises(ApplicationError) as info:
        services.batch_create(
            by=cast.caseworker, programme=programme, snapshot=snapshot, name="x",
            client_ids=[foreign.pk],
        )  # fmt: skip

    assert info.value.field == "client_ids"
    assert not EligibilityBatch.objects.exists()


def test_a_list_without_the_required_columns_is_refused_with_their_names(cast, snapshot, programme):
    with pytest.raises(ApplicationError) as refused:
        services.batch_create(
            by=cast.caseworker, programme=programme, snapshot=snapshot, name="x",
            file=upload("nama;alamat\nBudi;Jl\n"),
        )  # fmt: skip

    assert refused.value.field == "file"
    assert "nik" in refused.value.message and "kode_wilayah" in refused.value.message
    assert not EligibilityBatch.objects.exists()


@pytest.mark.parametrize(
    "content, expected",
    [
        ("", "Berkas kosong."),
        (HEADER, "Berkas memiliki judul kolom, tetapi tidak ada baris data di bawahnya."),
        ("nama;alamat\nBudi;Jl\n", "Kolom yang ditemukan: nama, alamat"),
    ],
    ids=["empty", "header-only", "wrong-columns"],
)
def test_the_page_refuses_a_list_it_cannot_use_with_one_clear_message(
    cast, client, snapshot, programme, content, expected
):
    client.force_login(cast.caseworker)

    response = client.post(
        reverse("assessments:batch-create"),
        {
            "name": "Usulan", "programme": programme.pk, "snapshot": snapshot.pk,
            "source": "file", "file": upload(content),
        },
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert "Pilih berkas daftar usulan." not in html  # a file was chosen
    assert not EligibilityBatch.objects.exists()


def test_a_page_shown_again_with_an_error_asks_for_the_chosen_file_again(
    cast, client, snapshot, programme
):
    """Seen in the browser: the name was left blank, the page came back, and the file input
    was empty with no word about it; the user pressed "Start" again and was told to choose
    a file they had chosen."""
    client.force_login(cast.caseworker)
    again = said("Choose the file again: it is not kept when the form has an error.")
    fields = {"programme": programme.pk, "snapshot": snapshot.pk, "source": "file"}

    blank_name = client.post(
        reverse("assessments:batch-create"),
        {
            **fields,
            "name": "",
            "file": proposals(f"{nik(1)};;Budi Santoso;01-01-1990;L;{OKI_VILLAGE};"),
        },
    ).content.decode()
    bad_file = client.post(
        reverse("assessments:batch-create"), {**fields, "name": "Usulan", "file": upload("")}
    ).content.decode()

    assert again in blank_name
    assert again not in bad_file and "Berkas kosong." in bad_file  # the file's own error
    assert not EligibilityBatch.objects.exists()


def test_each_rows_cell_problems_are_kept_and_shown_while_the_row_is_judged(
    cast, client, screened_with_problems
):
    batch, rows = screened_with_problems

    problems = rows[2].problem_messages()
    # Matched on the NIK, judged like any row, and every bad cell said with its column.
    assert rows[2].verdict == "ASSESSMENT_MISSING" and rows[2].match_method == "nik_exact"
    assert [p.split(":")[0] for p in problems] == ["tgl_lahir", "jenis_kelamin", "kode_wilayah"]
    assert "31-02-1990" in problems[0]
    assert rows[3].problem_messages() == [] and rows[3].problems == []
    # An unknown village is said, yet the row is still matched within its district.
    assert rows[4].problem_messages()[0].startswith("kode_wilayah: ")
    assert (rows[4].chunk_key, rows[4].match_method) == ("16.02.05", "name_dob_district")
    assert rows[5].problem_messages() == [
        "nik: NIK harus terdiri dari tepat 16 digit; yang diisi 15 digit."
    ]
    # A blank NIK has no cell problem: the reason itself says the cell is empty.
    empty = said("%(reason)s: the cell is empty", reason=said("NIK invalid"))
    with translation.override("id"):
        assert rows[4].reason_labels()[0] == empty
        assert rows[5].reason_labels()[0] == said("NIK invalid")

    client.force_login(cast.caseworker)
    html = client.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
    assert "tgl_lahir: " in html and "kode_wilayah: " in html
    export = client.get(reverse("assessments:batch-export", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    header, first = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert first[header.index("Masalah data")].startswith("tgl_lahir: ")
    results = api(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/results/").json()
    by_row = {r["row_number"]: r for r in results["results"]}
    assert [p["column"] for p in by_row[2]["problems"]] == [
        "tgl_lahir", "jenis_kelamin", "kode_wilayah",
    ]  # fmt: skip
    assert by_row[3]["problems"] == []


def test_a_problem_is_told_under_the_heading_the_file_gives_its_column(
    cast, client, snapshot, programme
):
    # The list's own headings, as a spreadsheet made by hand writes them.
    header = "NIK;Nomor KK;Nama Lengkap;Tanggal  Lahir;JK;Kode Desa;Alamat\n"
    data = header + f"{nik(4)};;Joko Susilo;31-02-1990;X;16.02.05.1002;Jl. Uji\n"
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Judul sendiri",
        file=upload(data),
    )  # fmt: skip
    row = run(batch)[2]

    assert [p.split(":")[0] for p in row.problem_messages()] == ["Tanggal Lahir", "JK"]
    client.force_login(cast.caseworker)
    html = client.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
    assert "Tanggal Lahir: " in html and "tgl_lahir" not in html
    export = client.get(reverse("assessments:batch-export", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    header_cells, first = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert first[header_cells.index("Masalah data")].startswith("Tanggal Lahir: ")
    results = api(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/results/").json()
    (only,) = results["results"]
    assert [(p["column"], p["heading"]) for p in only["problems"]] == [
        ("tgl_lahir", "Tanggal Lahir"), ("jenis_kelamin", "JK"),
    ]  # fmt: skip


def test_a_nik_quoted_in_a_problem_is_as_masked_as_in_the_list():
    # A spreadsheet number cell in the NIK column: the message quotes the digits it holds.
    number = {"column": "nik", "code": "NIK_SCIENTIFIC", "message": tabular.MSG_NUMBER_NIK,
              "params": {"value": "160205010190000"}}  # fmt: skip

    (message,) = BatchRow(problems=[number]).problem_messages()

    assert "160205010190000" not in message and "1602*********00" in message


@pytest.fixture
def screened_with_problems(cast, snapshot, programme):
    bad = f"{nik(4)};;Joko Susilo;31-02-1990;X;16.02.99.9999;Jl. Uji"
    # no NIK, and a village code not in the list but well formed: Kayu Agung district
    elsewhere = ";;Dedi Kurniawan;01-01-1990;L;16.02.05.9999;Jl. Uji"
    short = "160205010190000;;Rudi Hartono;01-01-1990;L;16.02.05.1002;Jl. Uji"
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Sel rusak",
        file=proposals(bad, line(99, "Orang Lain", born="05-05-1985"), elsewhere, short),
    )  # fmt: skip
    return batch, run(batch)


def test_another_organisations_programme_cannot_be_used(cast, snapshot):
    other = Programme.objects.create(
        name="Program lain", kind=Programme.Kind.REGULAR, year=2026, organisation=cast.other_dinsos
    )
    with pytest.raises(ApplicationError) as info:
        services.batch_create(
            by=cast.caseworker, programme=other, snapshot=snapshot, name="x",
            file=proposals(line(1, "Budi Santoso")),
        )  # fmt: skip
    assert info.value.field == "programme"


# --- pages ----------------------------------------------------------------------------


def test_the_results_page_shows_the_funnel_and_the_verdicts(cast, client, screened):
    batch, _rows = screened
    client.force_login(cast.caseworker)

    page = client.get(reverse("assessments:batch-detail", args=[batch.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Usulan uji" in html and nik(1) not in html  # NIKs are masked in the list
    assert "termasuk 1 menunggu tinjauan" in html  # why "found" lost one more than the filter
    assert AuditEvent.objects.filter(action="view", object_id=str(batch.pk)).exists()


def test_the_results_page_filters_by_verdict(cast, client, screened):
    batch, rows = screened
    client.force_login(cast.caseworker)

    page = client.get(
        reverse("assessments:batch-detail", args=[batch.pk]), {"verdict": "NOT_IN_REGISTER"}
    )

    assert "Orang Lain" in page.content.decode()
    assert "Joko Susilo" not in page.content.decode()


def row_codes(sheet, header) -> list:
    return [row[header.index("Kode alasan")].value for row in sheet.iter_rows(min_row=2)]


def test_the_export_is_an_audited_spreadsheet_with_raw_codes(cast, client, screened):
    batch, _rows = screened
    client.force_login(cast.caseworker)

    response = client.get(reverse("assessments:batch-export", args=[batch.pk]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    codes = [row[5].value for row in sheet.iter_rows(min_row=2)]
    assert codes[:4] == ["ELIGIBLE", "DECILE_ABOVE_THRESHOLD", "NOT_IN_REGISTER", "NIK_INVALID"]
    header = [c.value for c in sheet[1]]
    explained = [row[header.index("Alasan")].value for row in sheet.iter_rows(min_row=2)]
    # Seen: "Alasan" held "NOT_IN_REGISTER, …", where the page's "Alasan" reads in words.
    assert explained[2] == "Tidak ada di DTSEN; Belum ada asesmen selesai"  # as the page says
    assert row_codes(sheet, header)[2] == "NOT_IN_REGISTER, ASSESSMENT_MISSING"
    methods = {
        (row[header.index("Kode metode pemadanan")].value,
         row[header.index("Metode pemadanan")].value)
        for row in sheet.iter_rows(min_row=2)
    }  # fmt: skip
    assert ("nik_exact", said("NIK exact")) in methods  # the code, and what it means
    assert AuditEvent.objects.filter(action="export", object_id=str(batch.pk)).exists()


def test_the_review_queue_lets_a_supervisor_confirm(cast, client, screened):
    batch, rows = screened
    client.force_login(cast.supervisor)

    response = client.post(
        reverse("assessments:batch-row-review", args=[batch.pk, rows[9].pk]),
        {"decision": "confirm"},
        follow=True,
    )

    assert response.status_code == 200
    rows[9].refresh_from_db()
    assert rows[9].review == BatchRow.Review.CONFIRMED


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
def test_other_organisations_and_roles_get_404(cast, client, screened, role):
    batch, rows = screened
    client.force_login(getattr(cast, role))

    for url in (
        reverse("assessments:batch-detail", args=[batch.pk]),
        reverse("assessments:batch-export", args=[batch.pk]),
        reverse("assessments:batch-review", args=[batch.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/eligibility-batches/{batch.pk}/").status_code == 404


def test_the_batch_list_page_query_count_does_not_grow(
    cast, client, snapshot, programme, django_assert_max_num_queries
):
    client.force_login(cast.caseworker)

    def make(n):
        for i in range(n):
            services.batch_create(
                by=cast.caseworker, programme=programme, snapshot=snapshot, name=f"B{i}",
                file=proposals(line(1, "Budi Santoso")),
            )  # fmt: skip

    make(2)
    with django_assert_max_num_queries(12):
        client.get(reverse("assessments:batch-list"))
    make(20)
    with django_assert_max_num_queries(12):
        client.get(reverse("assessments:batch-list"))


# --- API ------------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_creates_a_batch_from_a_file(cast, snapshot, programme):
    response = api(cast.caseworker).post(
        "/api/v1/eligibility-batches/",
        {"programme": str(programme.pk), "file": proposals(line(1, "Budi Santoso"))},
        format="multipart",
    )

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert EligibilityBatch.objects.filter(pk=response.json()["id"]).exists()


def test_the_api_shows_progress_counts_and_results(cast, screened):
    batch, _rows = screened

    detail = api(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/").json()
    results = api(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/results/").json()

    assert (detail["status"], detail["progress"]) == ("done", 1.0)
    assert detail["counts"]["ELIGIBLE"] == 1
    first = results["results"][0]
    # A list: NIKs masked (a supervisor may ask for them in full with ?nik=full).
    assert first["row_number"] == 2 and first["input_nik"] == mask_nik(nik(1))
    assert (first["verdict"], first["register_id"], first["register_nik"]) == (
        "ELIGIBLE", "DT-0001", mask_nik(nik(1)),
    )  # fmt: skip
    assert (first["decile"], first["match_method"], first["match_score"]) == (3, "nik_exact", 1.0)


def test_the_api_lists_batches_without_the_counts_that_come_with_one_batch(cast, screened):
    batch, _rows = screened

    rows = api(cast.caseworker).get("/api/v1/eligibility-batches/").json()["results"]
    detail = api(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/").json()

    assert [row["id"] for row in rows] == [str(batch.pk)]
    assert set(detail) - set(rows[0]) == {"counts", "funnel"}
    assert detail["counts"]["ELIGIBLE"] == 1


def test_the_api_refuses_an_unknown_verdict_filter(cast, screened):
    batch, _rows = screened

    response = api(cast.caseworker).get(
        f"/api/v1/eligibility-batches/{batch.pk}/results/", {"verdict": "MAYBE"}
    )

    assert response.status_code == 400


# --- a real worker ----------------------------------------------------------------------


@pytest.fixture
def regions_again(transactional_db):
    """A transactional test flushes every table at its end; put the regions back first."""
    from django.core.management import call_command

    call_command("load_regions", stdout=io.StringIO())


@pytest.fixture
def real_worker(regions_again, logs_checked):
    from celery.contrib.testing.worker import start_worker

    from atensi.celery import app

    app.control.purge()  # messages left on the broker by an earlier run are not ours
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def test_a_batch_runs_through_a_real_celery_worker_on_redis(
    real_worker, cast, snapshot, programme, make_case
):
    import time

    assessed(make_case, 1, "Budi Santoso")
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Lewat worker",
        file=proposals(line(1, "Budi Santoso"), line(99, "Orang Lain", born="05-05-1985")),
    )  # fmt: skip  # committed at once: this test runs without a wrapping transaction

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status == EligibilityBatch.Status.DONE:
            break
        time.sleep(0.2)

    assert batch.status == EligibilityBatch.Status.DONE
    verdicts = dict(batch.rows.values_list("row_number", "verdict"))
    assert verdicts == {2: "ELIGIBLE", 3: "NOT_IN_REGISTER"}


def _wait(condition, seconds=30.0, what="the condition"):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


@pytest.fixture
def start_worker(regions_again, logs_checked, tmp_path):
    """Start ``celery -A atensi worker`` as its own process (prefork, one child) on the test
    database, with extra environment, so that a test can kill the child that runs a task."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    from atensi.celery import app

    started = []

    def start(loglevel="warning", purge=True, **extra_env):
        db = connection.settings_dict
        env = dict(os.environ)
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        env.update(extra_env)
        name = f"restart-{os.getpid()}-{len(started)}@test"
        if purge:  # messages an earlier run left on the broker are not ours
            app.control.purge()
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "celery", "-A", "atensi", "worker", "--pool", "prefork",
             "--concurrency", "1", "-l", loglevel, "-n", name],
            cwd=Path(__file__).resolve().parents[2], env=env, start_new_session=True,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((proc, log))
        _wait(lambda: any(name in r for r in app.control.ping(timeout=0.5)), 60, "the worker")
        proc.log_path = tmp_path / f"worker-{len(started) - 1}.log"
        logs_checked.append(proc.log_path)  # searched for personal data at the end
        return proc

    yield start
    for proc, log in started:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            log.close()


@pytest.fixture
def worker_process(start_worker):
    return start_worker()


def kill_the_waiting_child(worker, watcher, table="assessments_batchrow", seconds=30.0):
    """Wait until the worker's child waits on a lock to UPDATE `table` (a row the test
    holds), kill it, end its database session (PostgreSQL notices a dead client only once the
    lock is free), and wait for the worker to start a new child."""
    import os
    import signal

    import psutil

    waiting = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        f"AND wait_event_type = 'Lock' AND query LIKE 'UPDATE %%{table}%%'"
    )
    _wait(lambda: watcher.execute(waiting).fetchone(), seconds, f"an UPDATE of {table} to wait")
    backend = watcher.execute(waiting).fetchone()[0]
    children = psutil.Process(worker.pid).children()
    assert len(children) == 1
    os.kill(children[0].pid, signal.SIGKILL)
    watcher.execute("SELECT pg_terminate_backend(%s)", (backend,))

    def replaced():
        now = psutil.Process(worker.pid).children()
        return bool(now) and now[0].pid != children[0].pid

    _wait(replaced, what="a new child")


def test_a_chunk_that_kills_its_worker_every_time_fails_the_batch_after_a_bounded_number(
    start_worker, cast, snapshot, programme, make_case
):
    """Each delivery of the chunk dies mid-task (as out of memory would); after
    TASK_MAX_DELIVERIES the batch is failed with a clear message instead of looping."""
    from django.db import connection, transaction

    worker = start_worker(TASK_MAX_DELIVERIES="2")
    assessed(make_case, 1, "Budi Santoso")
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Selalu mati",
        file=proposals(line(1, "Budi Santoso"), line(99, "Orang Lain", born="05-05-1985")),
    )  # fmt: skip
    _wait(lambda: EligibilityBatch.objects.get(pk=batch.pk).status == "done", what="the batch")
    holder = psycopg_connection(connection)
    try:
        holder.execute(
            "SELECT id FROM assessments_batchrow WHERE batch_id = %s AND row_number = 2 FOR UPDATE",
            (batch.pk,),
        )
        with transaction.atomic():
            services.batch_rerun(batch=batch, by=cast.caseworker)
        with psycopg_connection(connection, autocommit=True) as watcher:
            for _delivery in range(2):
                kill_the_waiting_child(worker, watcher)
        _wait(lambda: EligibilityBatch.objects.get(pk=batch.pk).status == "failed",
              what="the batch to fail")  # fmt: skip
    finally:
        holder.rollback()
        holder.close()

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    with translation.override("id"):
        expected = translation.gettext(
            "The worker running this job stopped %(n)d times before finishing it (for "
            "example, it ran out of memory), so the job was not started again. Try a smaller "
            "file, or ask the administrator."
        ) % {"n": 2}
    assert batch.error == expected
    assert BatchRow.objects.filter(batch=batch).count() == 2  # nothing lost or doubled


def test_three_workers_share_a_batchs_chunks_and_give_the_rows_of_one(
    start_worker, cast, snapshot, programme, make_case
):
    """Scale-out: three worker processes with their own node names take the district chunks
    of one batch from the one broker; the rows and verdicts are exactly those the same list
    gets when one process screens it."""
    from atensi.regions.models import Region

    assessed(make_case, 1, "Budi Santoso")
    assessed(make_case, 2, "Ahmad Fauzi")
    districts = Region.objects.filter(parent_id="16.02").exclude(code=OKI_VILLAGE[:8])
    villages = (
        [OKI_VILLAGE]
        + [  # one village in each of ten more districts: a chunk each
            Region.objects.filter(parent=district).order_by("code").first().code
            for district in districts.order_by("code")[:10]
        ]
    )
    lines = [line(1, "Budi Santoso"), line(2, "Ahmad Fauzi")] + [
        line(100 + n, f"Warga Uji {n}", village=code) for n, code in enumerate(villages)
    ]

    def screened(name):
        batch = services.batch_create(
            by=cast.caseworker, programme=programme, snapshot=snapshot, name=name,
            file=proposals(*lines),
        )  # fmt: skip
        _wait(lambda: EligibilityBatch.objects.get(pk=batch.pk).status == "done", 120,
              f"batch {name}")  # fmt: skip
        return batch, {
            r.row_number: (r.verdict, r.reasons, r.match_id, r.decile, r.review)
            for r in batch.rows.all()
        }

    workers = [start_worker(loglevel="info") for _ in range(3)]
    shared, rows_by_three = screened("Tiga worker")
    for worker in workers[1:]:
        worker.terminate()
        worker.wait(30)
    alone, rows_by_one = screened("Satu worker")

    chunks = shared.chunks.count()
    assert chunks >= 8
    assert rows_by_three == rows_by_one
    assert rows_by_three[2][0] == "ELIGIBLE" and len(rows_by_three) == len(lines)
    took = [w.log_path.read_text().count("screen_chunk[") for w in workers]
    assert sum(1 for n in took if n) >= 2, took  # the chunks were shared


def test_a_late_chunk_task_of_an_earlier_run_changes_nothing(cast, screened):
    """A retry of run 1 that arrives after "Screen again" started run 2 leaves the rows,
    the chunk and the progress of run 2 alone."""
    from assessments.tasks.eligibility import screen_chunk

    batch, before = screened
    services.batch_rerun(batch=batch, by=cast.caseworker)  # run 2, its tasks not yet run
    batch.refresh_from_db()
    assert batch.run == 2
    row = before[2]
    BatchRow.objects.filter(pk=row.pk).update(verdict="NEEDS_REVIEW")  # a marker
    chunk = batch.chunks.get(key=row.chunk_key)

    screen_chunk.apply(args=(str(batch.pk), row.chunk_key, 1))

    assert BatchRow.objects.get(pk=row.pk).verdict == "NEEDS_REVIEW"
    assert batch.chunks.get(key=row.chunk_key).done_at == chunk.done_at
    screen_chunk.apply(args=(str(batch.pk), row.chunk_key, 2))  # the current run does
    assert BatchRow.objects.get(pk=row.pk).verdict == before[2].verdict


def test_a_chunk_survives_its_worker_being_killed_mid_task(
    worker_process, cast, snapshot, programme, make_case
):
    """A worker child dies while it screens a chunk (its transaction is rolled back); the
    task goes back to the queue, runs again, and the batch ends with the same results."""
    from django.db import connection, transaction

    assessed(make_case, 1, "Budi Santoso")
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Worker mati",
        file=proposals(line(1, "Budi Santoso"), line(99, "Orang Lain", born="05-05-1985")),
    )  # fmt: skip
    # committed at once (no wrapping transaction): the worker loads and screens it
    _wait(lambda: EligibilityBatch.objects.get(pk=batch.pk).status == "done", what="the batch")
    before = {r.row_number: (r.verdict, r.reasons) for r in batch.rows.all()}
    # Hold a lock on one of the batch's rows: the chunk computes its results, then waits
    # at its UPDATE, mid-task.
    holder = psycopg_connection(connection)
    try:
        holder.execute(
            "SELECT id FROM assessments_batchrow WHERE batch_id = %s AND row_number = 2 FOR UPDATE",
            (batch.pk,),
        )
        with transaction.atomic():
            services.batch_rerun(batch=batch, by=cast.caseworker)  # the chunk goes to the worker
        with psycopg_connection(connection, autocommit=True) as watcher:
            kill_the_waiting_child(worker_process, watcher)
    finally:
        holder.rollback()  # the lock goes; the task, back on the queue, runs again
        holder.close()

    _wait(lambda: EligibilityBatch.objects.get(pk=batch.pk).status == "done", what="the batch")
    batch.refresh_from_db()
    assert batch.processed_rows == batch.total_rows == 2
    assert BatchRow.objects.filter(batch=batch).count() == 2
    after = {r.row_number: (r.verdict, r.reasons) for r in batch.rows.all()}
    assert after == before
    assert after[2] == ("ELIGIBLE", []) and after[3][0] == "NOT_IN_REGISTER"


def kill_while_holding(table: str, pk, worker, seconds=60.0):
    """Hold row `pk` of `table` (FOR UPDATE) so that the job waits there, start the worker
    (`worker` may be a function that starts it), kill its child once the job waits, and let
    go of the row: the job goes back to the queue mid-way."""
    from django.db import connection

    holder = psycopg_connection(connection)
    try:
        holder.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", (pk,))  # noqa: S608
        process = worker() if callable(worker) else worker
        with psycopg_connection(connection, autocommit=True) as watcher:
            kill_the_waiting_child(process, watcher, table, seconds=seconds)
    finally:
        holder.rollback()
        holder.close()


def psycopg_connection(connection, autocommit=False):
    """A second connection to the test database, outside Django's. (In autocommit mode each
    query sees pg_stat_activity afresh; in a transaction it is read once.)"""
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=autocommit,
    )  # fmt: skip


def test_the_supervisors_home_links_the_matches_waiting_for_review(cast, client, screened):
    batch, _rows = screened
    client.force_login(cast.supervisor)

    home = client.get(reverse("home")).content.decode()

    assert reverse("assessments:batch-review", args=[batch.pk]) in home
    assert "Usulan uji" in home


def test_a_chunk_whose_database_connection_is_lost_for_good_marks_the_batch_failed(
    regions_again, cast, snapshot, programme
):
    """The last retry fails on a dead connection: the batch is still marked failed, on a
    fresh one."""
    from django.db import connection

    from assessments.tasks.eligibility import screen_chunk
    from atensi.celery import app

    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Koneksi putus",
        file=proposals(line(1, "Budi Santoso")),
    )  # fmt: skip  # committed at once; its load message stays on the queue (purged below)
    key = services.batch_load(batch_id=batch.pk)[0]  # loaded: the batch is running
    app.control.purge()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with psycopg_connection(connection, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))

    result = screen_chunk.apply(args=(str(batch.pk), key), retries=screen_chunk.max_retries)

    assert result.failed()
    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    assert "OperationalError" in batch.error or "InterfaceError" in batch.error


# --- the same person twice, found by the matching ------------------------------------------


def typo_of(serial):
    """The NIK of register person ``serial`` with two district digits swapped ("160250...")."""
    typed = nik(serial)
    return typed[:4] + typed[5] + typed[4] + typed[6:]


def test_the_same_person_twice_with_a_typing_slip_is_a_duplicate_of_the_first_row(
    cast, client, snapshot, programme, make_case
):
    """Seen in the browser: one client listed twice, once with a NIK typo; both rows were
    eligible, for the same DTSEN person, and the dashboard counted two eligible people."""
    assessed(make_case, 1, "Budi Santoso")
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=proposals(
            line(1, "Budi Santoso", nik_text=typo_of(1)),  # 2 the typo first
            line(2, "Ahmad Fauzi"),  # 3
            line(1, "Budi Santoso"),  # 4 the NIK as it is
        ),
    )  # fmt: skip

    rows = run(batch)

    assert rows[2].match_id == rows[4].match_id and rows[2].match_method == "nik_typo"
    assert (rows[2].verdict, rows[2].same_person_as) == ("ELIGIBLE", None)
    assert (rows[4].verdict, rows[4].same_person_as) == ("DUPLICATE_IN_BATCH", 2)
    assert rows[4].reasons == ["DUPLICATE_IN_BATCH"]  # the match and its decile are kept
    assert rows[4].decile == rows[2].decile
    said_so = said(
        "%(reason)s (the same person as row %(row)d)",
        reason=said("Duplicate row in the batch"), row=2,
    )  # fmt: skip
    client.force_login(cast.caseworker)
    page = client.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
    assert said_so in page
    results = api(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/results/").json()
    by_row = {r["row_number"]: r for r in results["results"]}
    assert (by_row[4]["same_person_as"], by_row[2]["same_person_as"]) == (2, None)
    export = client.get(reverse("assessments:batch-export", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {r[0].value: r[header.index(said("Reasons"))].value
             for r in sheet.iter_rows(min_row=2)}  # fmt: skip
    assert cells[4] == said_so


def test_the_same_person_in_two_kecamatan_is_found_across_chunks(cast, snapshot, programme):
    """A person who moved is listed in two kecamatan: two chunks, neither sees the other."""
    kk = "1602050101900001"
    RegisterRow.objects.filter(snapshot=snapshot, nik=nik(2)).update(kk_number=kk)
    elsewhere = "16.02.03.2008"
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=proposals(
            line(2, "Ahmad Fauzi"),  # 2
            f"{typo_of(2)};{kk};Ahmad Fauzi;01-01-1990;L;{elsewhere};Jl. Baru",  # 3
        ),
    )  # fmt: skip

    rows = run(batch)

    assert rows[2].chunk_key != rows[3].chunk_key
    assert rows[2].match_id == rows[3].match_id
    assert (rows[3].verdict, rows[3].same_person_as) == ("DUPLICATE_IN_BATCH", 2)
    assert rows[2].verdict == "DECILE_ABOVE_THRESHOLD"


def test_confirming_a_review_makes_a_later_row_of_the_same_person_its_duplicate(
    cast, client, snapshot, programme
):
    """The review card warns that the candidate is another row's match; once confirmed,
    the later of the two rows is the duplicate, whichever was matched first."""
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=proposals(
            line(5, "Dedik Purnomo"),  # 2 Dedi's NIK under another name: a review
            line(5, "Dedi Kurniawan", nik_text=typo_of(5)),  # 3 Dedi, a NIK typo
        ),
    )  # fmt: skip
    rows = run(batch)
    assert rows[2].review == BatchRow.Review.PENDING and rows[3].match_id == rows[2].match_id
    assert rows[3].same_person_as is None  # a match waiting for review is no match yet
    client.force_login(cast.supervisor)
    queue = client.get(reverse("assessments:batch-review", args=[batch.pk])).content.decode()
    warning = said("Already the match of row %(row)d of this list: the same person twice?", row=3)
    assert warning in queue

    services.batch_row_review(row=rows[2], by=cast.supervisor, confirm=True)

    after = {r.row_number: r for r in batch.rows.all()}
    assert after[2].review == BatchRow.Review.CONFIRMED and after[2].same_person_as is None
    assert (after[3].verdict, after[3].same_person_as) == ("DUPLICATE_IN_BATCH", 2)


def test_a_duplicate_found_by_matching_ends_when_the_earlier_row_has_another_match(
    cast, snapshot, programme
):
    """Screened again with other results (another matcher), a row is no longer the same
    person as an earlier one: its duplicate reason goes, unlike one found at loading."""
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=proposals(
            line(3, "Rudi Hartono", nik_text=typo_of(3)),  # 2
            line(3, "Rudi Hartono"),  # 3 the same person: a duplicate by the match
            line(3, "Rudi Hartono"),  # 4 the same NIK as row 3: a duplicate at loading
        ),
    )  # fmt: skip
    rows = run(batch)
    assert [rows[n].same_person_as for n in (2, 3, 4)] == [None, 2, None]
    assert all(rows[n].verdict == "DUPLICATE_IN_BATCH" for n in (3, 4))
    other = RegisterRow.objects.get(snapshot=snapshot, nik=nik(4))
    BatchRow.objects.filter(pk=rows[2].pk).update(match=other)

    services.mark_same_person(batch.pk)

    after = {r.row_number: r for r in batch.rows.all()}
    assert after[3].same_person_as is None
    assert after[3].reasons == [r for r in rows[3].reasons if r != "DUPLICATE_IN_BATCH"]
    assert after[3].verdict == (after[3].reasons or ["ELIGIBLE"])[0]
    assert (after[4].same_person_as, after[4].verdict) == (None, "DUPLICATE_IN_BATCH")


def test_the_page_offers_to_propose_aid_only_when_a_row_is_eligible(
    cast, client, snapshot, programme, make_case
):
    """Seen in the browser: the page's main button led a list with no eligible row to
    "there are no eligible rows"."""
    assessed(make_case, 1, "Budi Santoso")
    some = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=proposals(line(1, "Budi Santoso")),
    )  # fmt: skip
    none = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=proposals(line(99, "Orang Lain", born="05-05-1985")),
    )  # fmt: skip
    run(some)
    run(none)
    client.force_login(cast.caseworker)

    def offers(batch):
        page = client.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
        return reverse("aid:batch-propose", args=[batch.pk]) in page

    assert (offers(some), offers(none)) == (True, False)


def test_the_empty_list_to_fill_in_is_read_back_as_written(cast, client, snapshot, programme):
    # Seen: the page named the columns, but offered no list to fill in, and said nothing of
    # the date, the sex or the village code's form.
    client.force_login(cast.caseworker)
    form = client.get(reverse("assessments:batch-create")).content.decode()
    url = reverse("assessments:batch-template")
    assert f'href="{url}"' in form
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="templat-daftar-usulan.xlsx"' in response["Content-Disposition"]

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, guide = workbook.worksheets
    headings = [c.value for c in sheet[1]]
    assert set(headings) == {c.name for c in services.PROPOSAL_SCHEMA.columns}
    # The NIK is text as it is typed in: a spreadsheet does not make it 1.6E+15.
    assert sheet.cell(row=2, column=headings.index("nik") + 1).number_format == "@"
    assert "L (laki-laki) atau P (perempuan)." in [row[2] for row in guide.values]
    for name, value in (("nik", nik(1)), ("nama", "Budi Santoso"), ("tgl_lahir", BORN),
                        ("jenis_kelamin", "L"), ("kode_wilayah", OKI_VILLAGE)):  # fmt: skip
        sheet.cell(row=2, column=headings.index(name) + 1, value=value)
    filled = io.BytesIO()
    workbook.save(filled)
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Dari templat",
        file=SimpleUploadedFile("templat-daftar-usulan.xlsx", filled.getvalue()),
    )  # fmt: skip

    [row] = run(batch).values()
    assert (row.nik, row.name, row.birth_date, row.problems) == (nik(1), "Budi Santoso", BORN, [])
    assert row.match.nik == nik(1)
    assert client.get(url).status_code == 200
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_a_referrer_gets_no_list_to_fill_in(cast):
    browser = Client()
    browser.force_login(cast.referrer)
    assert browser.get(reverse("assessments:batch-template")).status_code in (403, 404)
