"""Batch screening discloses nothing of people outside the uploader's area; the default
register is one that covers the organisation's area; every export cell is plain text; the
eligibility export masks NIKs unless a supervisor asks for them.

Issue 12, items 1, 4, 5 and the eligibility export of item 7.
"""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aid.models import Programme
from assessments.models import Assessment, EligibilityBatch, RegisterSnapshot
from assessments.services import eligibility as services
from assessments.services import register as register_services
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from cases.nik import mask_nik
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, PASSWORD, make_nik, said, shown

BORN = datetime.date(1988, 4, 17)
REGISTER_HEADER = "id_dtsen;nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat;desil"
LIST_HEADER = "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat"
# Three residents of Ogan Komering Ilir and one of Ogan Ilir, in a province-wide extract.
RESIDENTS = [
    ("DT-OKI-1", make_nik(OKI_VILLAGE, BORN, "L", 11), "Sutrisno Wibowo", OKI_VILLAGE, 2),
    ("DT-OKI-2", make_nik(OKI_VILLAGE, BORN, "P", 12), "Siti Aminah", OKI_VILLAGE, 3),
    ("DT-OKI-3", make_nik(OKI_VILLAGE, BORN, "L", 13), "Bambang Irawan", OKI_VILLAGE, 1),
    ("DT-OI-1", make_nik(OI_VILLAGE, BORN, "L", 21), "Hendra Saputra", OI_VILLAGE, 2),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_upload(lines, name="daftar.csv"):
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), "text/csv")


def import_register(by, rows, *, source="DTSEN Sumatera Selatan", extract_date=None):
    """Upload and run a register import as the worker does."""
    lines = [REGISTER_HEADER] + [
        f"{dt};{nik};;{name};{BORN:%d-%m-%Y};{'P' if int(nik[6:8]) > 40 else 'L'};{village};"
        f"Jl. Uji;{decile}"
        for dt, nik, name, village, decile in rows
    ]
    snapshot = register_services.register_import_start(
        by=by, file=csv_upload(lines, "dtsen.csv"), source=source,
        extract_date=extract_date or datetime.date(2026, 10, 1),
    )  # fmt: skip
    snapshot = register_services.register_import_run(snapshot_id=snapshot.pk)
    assert snapshot.status == RegisterSnapshot.Status.DONE, snapshot.error
    return snapshot


@pytest.fixture
def province_register(cast):
    return import_register(cast.supervisor, RESIDENTS)


@pytest.fixture
def oi_supervisor(cast):
    return User.objects.create_user(
        username="supervisor-oi", password=PASSWORD, organisation=cast.other_dinsos,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip


def programme_of(org):
    return Programme.objects.create(
        name=f"ATENSI {org.name}", kind=Programme.Kind.REGULAR, year=2026, organisation=org,
        max_decile=4, requires_assessment=False,
    )  # fmt: skip


def run(batch):
    """What the Celery worker does: load, then screen each chunk."""
    for key in services.batch_load(batch_id=batch.pk):
        services.batch_screen_chunk(batch_id=batch.pk, key=key)
    batch.refresh_from_db()
    return list(batch.rows.select_related("match").order_by("row_number"))


def names_dates_villages(people):
    """The reproduction of the issue: names, birth dates and villages, no NIK."""
    return [LIST_HEADER] + [
        f";;{name};{BORN:%d-%m-%Y};;{village};" for _dt, _nik, name, village, _d in people
    ]


def upload_on_page(browser, programme, snapshot, lines):
    response = browser.post(
        reverse("assessments:batch-create"),
        {
            "name": "Usulan", "programme": programme.pk, "snapshot": snapshot.pk,
            "source": "file", "file": csv_upload(lines),
        },
    )  # fmt: skip
    return response


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def workbook_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)


# --- 1. an outsider learns nothing of people elsewhere ------------------------------------


def test_an_outsiders_list_of_another_regencys_residents_gets_no_register_data(
    cast, province_register, browse
):
    programme = programme_of(cast.other_dinsos)
    oki = RESIDENTS[:3]
    outsider = browse("outsider")

    response = upload_on_page(outsider, programme, province_register, names_dates_villages(oki))
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = EligibilityBatch.objects.get(organisation=cast.other_dinsos)
    rows = run(batch)

    assert [(r.verdict, r.reasons, r.match_id, r.decile) for r in rows] == [
        ("OUTSIDE_AREA", ["OUTSIDE_AREA", "NIK_INVALID"], None, None)
    ] * 3
    page = outsider.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
    assert "Di luar wilayah layanan Anda" in page
    results = api_as(cast.outsider).get(f"/api/v1/eligibility-batches/{batch.pk}/results/")
    assert [
        (r["verdict"], r["register_id"], r["register_nik"], r["decile"])
        for r in results.json()["results"]
    ] == [("OUTSIDE_AREA", None, None, None)] * 3
    export = outsider.get(reverse("assessments:batch-export", args=[batch.pk]))
    assert export.status_code == 200
    for answer in (page, results.content.decode(), workbook_text(export.content)):
        for dt, nik, _name, _village, _decile in oki:
            assert nik not in answer and mask_nik(nik) not in answer and dt not in answer


def test_an_outsider_using_a_residents_nik_under_their_own_village_learns_nothing(
    cast, province_register, make_case
):
    """The register row, the decile and whether the person is a client stay hidden."""
    _dt, nik, name, _village, _decile = RESIDENTS[0]
    case = make_case(serial=11, full_name=name, nik=nik, birth_date=BORN)
    Assessment.objects.create(
        case=case, assessor=case.assigned_to, assessed_on=datetime.date(2026, 10, 5),
        status=Assessment.Status.COMPLETED, completed_at=timezone.now(),
    )  # fmt: skip
    programme = programme_of(cast.other_dinsos)
    programme.requires_assessment = True
    programme.save()
    unknown = make_nik(OI_VILLAGE, BORN, "L", 99)
    batch = services.batch_create(
        by=cast.outsider, programme=programme, snapshot=province_register, name="Usulan",
        file=csv_upload([
            LIST_HEADER,
            f"{nik};;{name};{BORN:%d-%m-%Y};L;{OI_VILLAGE};",
            f"{unknown};;Orang Lain;{BORN:%d-%m-%Y};L;{OI_VILLAGE};",
        ]),
    )  # fmt: skip

    resident, stranger = run(batch)

    assert resident.match_id is None and resident.decile is None
    # Told exactly what an unknown NIK is told: nothing hints at the assessment on record.
    assert resident.reasons == stranger.reasons == ["NOT_IN_REGISTER", "ASSESSMENT_MISSING"]


def test_the_owner_matches_their_residents_and_reads_register_niks_masked_in_lists(
    cast, province_register, browse
):
    programme = programme_of(cast.dinsos)
    oki = RESIDENTS[:3]
    caseworker = browse("caseworker")
    response = upload_on_page(caseworker, programme, province_register, names_dates_villages(oki))
    assert response.status_code == 302
    batch = EligibilityBatch.objects.get(organisation=cast.dinsos)

    rows = run(batch)

    assert [(r.match.id_dtsen, r.decile) for r in rows] == [(dt, d) for dt, *_x, d in oki]
    results = api_as(cast.caseworker).get(f"/api/v1/eligibility-batches/{batch.pk}/results/")
    assert [r["register_nik"] for r in results.json()["results"]] == [
        mask_nik(nik) for _dt, nik, *_x in oki
    ]
    page = caseworker.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()
    assert not any(nik in page for _dt, nik, *_x in oki)


def test_a_list_mixing_both_regencies_matches_only_the_owners_residents(cast, province_register):
    programme = programme_of(cast.other_dinsos)
    batch = services.batch_create(
        by=cast.outsider, programme=programme, snapshot=province_register, name="Usulan",
        file=csv_upload(names_dates_villages(RESIDENTS)),
    )  # fmt: skip

    rows = run(batch)

    assert [(r.verdict, r.match.id_dtsen if r.match else None) for r in rows] == [
        ("OUTSIDE_AREA", None), ("OUTSIDE_AREA", None), ("OUTSIDE_AREA", None),
        ("NIK_INVALID", "DT-OI-1"),  # no NIK given, yet found by name and birth date
    ]  # fmt: skip
    funnel = dict((step, lost) for step, _n, lost in services_funnel(batch))
    assert (funnel["in_area"], funnel["valid"]) == (3, 1)  # the fourth row lacks a NIK


def services_funnel(batch):
    from assessments.selectors.eligibility import batch_funnel

    return batch_funnel(batch=batch)


# --- the eligibility export and results: masked unless a supervisor asks ------------------


@pytest.fixture
def owners_batch(cast, province_register):
    programme = programme_of(cast.dinsos)
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=province_register, name="Usulan",
        file=csv_upload([LIST_HEADER] + [
            f"{nik};;{name};{BORN:%d-%m-%Y};;{village};"
            for _dt, nik, name, village, _d in RESIDENTS[:3]
        ]),
    )  # fmt: skip
    run(batch)
    return batch


def test_the_eligibility_export_masks_niks_for_a_caseworker(cast, owners_batch, browse):
    caseworker = browse("caseworker")

    masked = caseworker.get(reverse("assessments:batch-export", args=[owners_batch.pk]))
    full = caseworker.get(reverse("assessments:batch-export", args=[owners_batch.pk]) + "?nik=full")

    text = workbook_text(masked.content)
    for _dt, nik, *_x in RESIDENTS[:3]:
        assert nik not in text and mask_nik(nik) in text
    assert full.status_code == 403
    api = api_as(cast.caseworker).get(
        f"/api/v1/eligibility-batches/{owners_batch.pk}/results/?nik=full"
    )
    assert api.status_code == 403


def test_a_supervisor_may_export_full_niks_and_the_export_is_audited(cast, owners_batch, browse):
    supervisor = browse("supervisor")
    page = supervisor.get(reverse("assessments:batch-detail", args=[owners_batch.pk]))
    assert "?nik=full" in page.content.decode()

    full = supervisor.get(reverse("assessments:batch-export", args=[owners_batch.pk]) + "?nik=full")

    text = workbook_text(full.content)
    assert all(nik in text for _dt, nik, *_x in RESIDENTS[:3])
    event = AuditEvent.objects.filter(
        actor=cast.supervisor, action=AuditEvent.Action.EXPORT
    ).latest("at")
    assert "nik=full" in event.summary
    api = api_as(cast.supervisor).get(
        f"/api/v1/eligibility-batches/{owners_batch.pk}/results/?nik=full"
    )
    assert [r["register_nik"] for r in api.json()["results"]] == [
        nik for _dt, nik, *_x in RESIDENTS[:3]
    ]


# --- 4. no cell of any export is a formula --------------------------------------------------

FORMULA = "=1+1+"


def formula_cells(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]


def test_no_cell_of_the_eligibility_export_is_a_formula(cast, browse):
    snapshot = import_register(cast.supervisor, RESIDENTS[:1], source=FORMULA)
    programme = programme_of(cast.dinsos)
    programme.name = '=HYPERLINK("http://example.invalid")'
    programme.save()
    batch = services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="@SUM(A1)",
        file=csv_upload([LIST_HEADER, f";;=cmd|' /C calc'!A0;{BORN:%d-%m-%Y};L;{OKI_VILLAGE};"]),
    )  # fmt: skip
    run(batch)

    for query in ("", "?nik=full"):
        export = browse("supervisor").get(
            reverse("assessments:batch-export", args=[batch.pk]) + query
        )
        assert export.status_code == 200
        assert formula_cells(export.content) == []
        book = openpyxl.load_workbook(io.BytesIO(export.content))
        assert book.worksheets[1]["B3"].value.startswith("'=1+1+")


def test_no_cell_of_the_cases_export_is_a_formula(cast, make_case, browse):
    make_case(serial=5, full_name="=1+1+")

    export = browse("supervisor").get(reverse("cases:case-export"))

    assert export.status_code == 200
    assert formula_cells(export.content) == []


def test_no_cell_of_the_refused_rows_export_is_a_formula(cast, browse):
    lines = [REGISTER_HEADER, f"=1+1;{RESIDENTS[0][1]};;Nama;{BORN:%d-%m-%Y};L;X;Jl;=2+3"]
    snapshot = register_services.register_import_start(
        by=cast.supervisor, file=csv_upload(lines, "dtsen.csv"), source=FORMULA,
        extract_date=datetime.date(2026, 10, 1),
    )  # fmt: skip
    snapshot = register_services.register_import_run(snapshot_id=snapshot.pk)
    assert snapshot.bad_rows == 1

    export = browse("supervisor").get(
        reverse("assessments:register-bad-rows-xlsx", args=[snapshot.pk])
    )

    assert export.status_code == 200
    assert formula_cells(export.content) == []


# --- 5. the register offered and chosen by default -----------------------------------------


def test_an_import_records_the_regencies_its_rows_cover(cast, province_register):
    assert province_register.area_rows == {"16.02": 3, "16.10": 1}
    assert province_register.area_codes == ["16.02", "16.10"]


def test_another_regencys_newer_upload_is_neither_offered_nor_the_default(
    cast, province_register, oi_supervisor, browse
):
    newer = import_register(
        oi_supervisor, RESIDENTS[3:], source="Uji Ogan Ilir",
        extract_date=datetime.date(2026, 11, 20),
    )  # fmt: skip
    programme = programme_of(cast.dinsos)
    caseworker = browse("caseworker")

    form = caseworker.get(reverse("assessments:batch-create")).context["form"]

    assert list(form.fields["snapshot"].queryset) == [province_register]
    assert form.fields["snapshot"].initial == province_register
    refused = upload_on_page(caseworker, programme, newer, names_dates_villages(RESIDENTS[:1]))
    assert refused.status_code == 200
    assert "snapshot" in refused.context["form"].errors
    assert not EligibilityBatch.objects.exists()


def test_a_batch_without_a_chosen_snapshot_uses_the_newest_that_covers_the_area(
    cast, province_register, oi_supervisor, make_client
):
    newer = import_register(
        oi_supervisor, RESIDENTS[3:], source="Uji Ogan Ilir",
        extract_date=datetime.date(2026, 11, 20),
    )  # fmt: skip
    client = make_client(serial=11)

    oki_batch = services.batch_create(
        by=cast.caseworker, programme=programme_of(cast.dinsos), name="OKI",
        client_ids=[client.pk],
    )  # fmt: skip
    oi_batch = services.batch_create(
        by=cast.outsider, programme=programme_of(cast.other_dinsos), name="OI",
        file=csv_upload(names_dates_villages(RESIDENTS[3:])),
    )  # fmt: skip

    assert oki_batch.snapshot == province_register
    assert oi_batch.snapshot == newer


def test_a_small_newer_upload_covering_the_area_is_offered_but_not_the_default(
    cast, browse, oi_supervisor
):
    people = [
        (f"DT-{i}", make_nik(OKI_VILLAGE, BORN, "L", i), f"Warga {i}", OKI_VILLAGE, 2)
        for i in range(1, 41)
    ]
    full = import_register(cast.supervisor, people, source="DTSEN OKI")
    small = import_register(
        oi_supervisor, [RESIDENTS[0], RESIDENTS[3]], source="Uji kecil",
        extract_date=datetime.date(2026, 11, 20),
    )  # fmt: skip
    programme_of(cast.dinsos)

    form = browse("caseworker").get(reverse("assessments:batch-create")).context["form"]

    assert list(form.fields["snapshot"].queryset) == [small, full]
    assert form.fields["snapshot"].initial == full
    labels = [label for _value, label in form.fields["snapshot"].choices][1:]
    assert labels == [
        said("%(snapshot)s · %(rows)s rows in your area", snapshot=small, rows="1"),
        said("%(snapshot)s · %(rows)s rows in your area", snapshot=full, rows="40"),
    ]


def test_the_form_says_why_no_list_can_be_screened_yet(cast, browse):
    page = browse("outsider").get(reverse("assessments:batch-create")).content.decode()

    assert shown("A list cannot be screened yet.") in page
    assert (
        shown(
            "Your organisation has no active aid programme. The administrator sets up programmes."
        )
        in page
    )
    assert shown("No completed DTSEN register extract holds rows of your area.") in page
    assert shown("A supervisor imports one under DTSEN register.") in page
    assert re.search(r'<button class="btn btn-atensi" type="submit" disabled', page)


def test_the_register_list_names_the_regencies_an_extract_covers(cast, province_register, browse):
    page = browse("caseworker").get(reverse("assessments:register-list")).content.decode()

    assert "Kabupaten Ogan Komering Ilir, Kabupaten Ogan Ilir" in page


def test_every_field_description_a_form_points_to_is_on_the_page(cast, browse):
    page = browse("caseworker").get(reverse("assessments:batch-create")).content.decode()

    described = set(re.findall(r'aria-describedby="([^"]+)"', page))
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert described and described <= ids
