"""What a job returns stays inside the reader's area, as what a URL returns does: a register
import's refused-row report, an eligibility batch, the exports and the built documents of
another regency are a 404 to a supervisor of Ogan Ilir, whose own exports hold only their
people. Uploaded files are served only through access-checked views, never from MEDIA_URL.

The eligibility batch screened by an outsider is in test_batch_area.py; the role × URL
matrix in test_url_matrix.py.
"""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from rest_framework.test import APIClient

from aid import services as aid_services
from aid.services import documents as aid_documents
from assessments.models import RegisterSnapshot
from assessments.services import eligibility as eligibility_services
from assessments.services import register as register_services
from atensi.accounts.models import Organisation, User
from atensi.dashboard import report as dashboard_report
from atensi.dashboard import selectors as dashboard_selectors
from atensi.regions.models import Region
from cases.models import ReferralAttachment
from tests.aid.conftest import TODAY, approve, fund, make_item, make_programme, verified
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, PASSWORD, make_nik, pdf_file, png_file

BORN = datetime.date(1988, 4, 17)
REGISTER_HEADER = "id_dtsen;nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat;desil"
# A birth date no calendar has: the refused-row report quotes it back.
REFUSED_DATE = "31-02-1977"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def oi_supervisor(cast):
    return User.objects.create_user(
        username="supervisor-oi", password=PASSWORD, organisation=cast.other_dinsos,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip


def browser_of(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def api_of(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def workbook_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)


def import_register(by, village=OKI_VILLAGE, serial=1):
    nik = make_nik(village, BORN, "L", serial)
    lines = [
        REGISTER_HEADER,
        f"DT-{serial}-1;{nik};;Warga Terdaftar;{BORN:%d-%m-%Y};L;{village};Jl. Uji;2",
        f"DT-{serial}-2;{make_nik(village, BORN, 'L', serial + 1)};;Baris Ditolak;"
        f"{REFUSED_DATE};L;{village};Jl. Uji;2",
    ]
    snapshot = register_services.register_import_start(
        by=by, file=SimpleUploadedFile("dtsen.csv", ("\n".join(lines) + "\n").encode()),
        source=f"DTSEN {village}", extract_date=datetime.date(2026, 10, 1),
    )  # fmt: skip
    snapshot = register_services.register_import_run(snapshot_id=snapshot.pk)
    assert snapshot.status == RegisterSnapshot.Status.DONE and snapshot.bad_rows == 1
    return snapshot


# --- the refused-row report of a register import ------------------------------------------


def refused_row_answers(user, snapshot) -> dict:
    browser = browser_of(user)
    return {
        "page": browser.get(reverse("assessments:register-detail", args=[snapshot.pk])),
        "csv": browser.get(reverse("assessments:register-bad-rows-csv", args=[snapshot.pk])),
        "xlsx": browser.get(reverse("assessments:register-bad-rows-xlsx", args=[snapshot.pk])),
        "api": api_of(user).get(f"/api/v1/register-imports/{snapshot.pk}/bad-rows/"),
    }


def test_the_importer_reads_the_refused_rows_with_the_value_refused(cast):
    snapshot = import_register(cast.supervisor)

    answers = refused_row_answers(cast.supervisor, snapshot)

    assert {kind: r.status_code for kind, r in answers.items()} == dict.fromkeys(answers, 200)
    assert REFUSED_DATE in answers["page"].content.decode()
    assert REFUSED_DATE in workbook_text(answers["xlsx"].content)
    assert REFUSED_DATE in answers["api"].json()["results"][0]["message"]


def test_a_supervisor_of_another_regency_reads_no_refused_row_of_an_import(cast, oi_supervisor):
    snapshot = import_register(cast.supervisor)

    answers = refused_row_answers(oi_supervisor, snapshot)

    # The snapshot itself (source, dates, counts) is national; its refused rows are not.
    assert answers["page"].status_code == 200
    assert REFUSED_DATE not in answers["page"].content.decode()
    assert [answers[kind].status_code for kind in ("csv", "xlsx", "api")] == [404, 404, 404]


def test_an_importer_whose_area_holds_the_whole_extract_reads_its_refused_rows(cast):
    province = Organisation.objects.create(
        name="Dinsos Sumatera Selatan", kind=Organisation.Kind.DINSOS_PROVINCE
    )
    province.service_area.set(Region.objects.filter(code="16"))
    head = User.objects.create_user(
        username="kabid-provinsi", password=PASSWORD, organisation=province,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip
    oki_only = import_register(cast.supervisor)
    both = import_register(head, village=OI_VILLAGE, serial=5)

    assert refused_row_answers(head, oki_only)["csv"].status_code == 200
    # Ogan Komering Ilir's supervisor does not read an extract of Ogan Ilir's people.
    assert refused_row_answers(cast.supervisor, both)["csv"].status_code == 404


# --- a batch, the exports and the built documents of another regency ----------------------


def test_another_regencys_eligibility_batch_is_a_404_on_every_path(cast, oi_supervisor):
    snapshot = import_register(cast.supervisor)
    programme = make_programme(cast, max_decile=4)
    nik = make_nik(OKI_VILLAGE, BORN, "L", 1)
    batch = eligibility_services.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan OKI",
        file=SimpleUploadedFile("daftar.csv", (
            "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat\n"
            f"{nik};;Warga Terdaftar;{BORN:%d-%m-%Y};L;{OKI_VILLAGE};\n"
        ).encode()),
    )  # fmt: skip
    for key in eligibility_services.batch_load(batch_id=batch.pk):
        eligibility_services.batch_screen_chunk(batch_id=batch.pk, key=key)
    browser, api = browser_of(oi_supervisor), api_of(oi_supervisor)

    answers = [
        browser.get(reverse("assessments:batch-detail", args=[batch.pk])),
        browser.get(reverse("assessments:batch-export", args=[batch.pk]) + "?nik=full"),
        browser.get(reverse("aid:batch-propose", args=[batch.pk])),
        api.get(f"/api/v1/eligibility-batches/{batch.pk}/"),
        api.get(f"/api/v1/eligibility-batches/{batch.pk}/results/"),
    ]

    assert [r.status_code for r in answers] == [404] * 5
    listed = api.get("/api/v1/eligibility-batches/").json()
    assert listed["count"] == 0
    assert browser_of(cast.supervisor).get(
        reverse("assessments:batch-export", args=[batch.pk]) + "?nik=full"
    ).status_code == 200  # fmt: skip


def test_a_supervisors_cases_export_holds_only_their_regencys_people(
    cast, oi_supervisor, make_client, make_case
):
    oki = make_case(serial=1, full_name="Klien Kayuagung")
    oi = make_case(by=cast.outsider, serial=2, village=OI_VILLAGE, full_name="Klien Indralaya")

    export = browser_of(oi_supervisor).get(reverse("cases:case-export"))

    assert export.status_code == 200
    text = workbook_text(export.content)
    assert oi.reference in text and oki.reference not in text
    assert "Klien Kayuagung" not in text and oki.client.nik not in text


def test_another_regencys_documents_and_reports_are_a_404_to_download(
    cast, oi_supervisor, make_client
):
    programme = make_programme(cast)
    food = make_item(programme)
    fund(cast, programme, 2_000_000)
    client = make_client(serial=7, full_name="Penerima Bantuan Kayuagung")
    proposal = verified(cast, client, programme, [(food, 1)])
    decree = approve(cast, [proposal])
    document = aid_documents.decree_document_request(decree=decree, kind="xlsx", by=cast.supervisor)
    handover = aid_services.handover_record(
        proposal=proposal, by=cast.caseworker, handed_on=TODAY, place="Kantor Dinsos",
        recipient_name=client.full_name, evidence=png_file("bast.png"),
    )  # fmt: skip
    report = dashboard_report.report_request(
        area=dashboard_selectors.area_for(cast.supervisor), year=2026, kind="xlsx",
        by=cast.supervisor,
    )  # fmt: skip
    dashboard_report.report_build(report_id=report.pk)
    browser, api = browser_of(oi_supervisor), api_of(oi_supervisor)

    answers = {
        "annex": browser.get(reverse("aid:decree-document-download", args=[document.pk])),
        "annex api": api.get(f"/api/v1/decree-documents/{document.pk}/file/"),
        "bast": browser.get(reverse("aid:handover-bast", args=[handover.pk])),
        "evidence": browser.get(reverse("aid:handover-evidence", args=[handover.pk])),
        "evidence api": api.get(f"/api/v1/handovers/{handover.pk}/evidence/"),
        "realisation": browser.get(reverse("aid:programme-realisation-xlsx", args=[programme.pk])),
        "report": browser.get(reverse("dashboard:report-download", args=[report.pk])),
        "report api": api.get(f"/api/v1/dashboard-reports/{report.pk}/file/"),
    }

    assert {kind: r.status_code for kind, r in answers.items()} == dict.fromkeys(answers, 404)
    period = reverse("aid:handovers-export") + f"?start={TODAY:%Y-%m-01}&end={TODAY:%Y-%m-28}"
    own = browser_of(cast.supervisor).get(period)
    other = browser.get(period)
    assert own.status_code == other.status_code == 200
    assert client.full_name in workbook_text(own.content)
    assert client.full_name not in workbook_text(other.content)


# --- uploaded files ------------------------------------------------------------------------


def test_no_uploaded_file_is_served_from_its_media_path(cast, make_referral, settings):
    referral = make_referral(attachments=[pdf_file()])
    attachment = ReferralAttachment.objects.get(referral=referral)
    assert (settings.MEDIA_ROOT / attachment.file.name).exists()
    guessed = settings.MEDIA_URL + attachment.file.name

    for browser in (Browser(), browser_of(cast.caseworker), browser_of(cast.admin)):
        assert browser.get(guessed).status_code == 404
    # The one way to the file: the view that checks the reader's access.
    allowed = browser_of(cast.caseworker).get(reverse("cases:attachment", args=[attachment.pk]))
    assert allowed.status_code == 200
    assert browser_of(cast.outsider).get(
        reverse("cases:attachment", args=[attachment.pk])
    ).status_code == 404  # fmt: skip


def test_media_root_lies_outside_the_static_files():
    media = settings.MEDIA_ROOT.resolve()
    static = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]

    assert not any(media.is_relative_to(p.resolve()) for p in static)
    assert not getattr(settings, "WHITENOISE_ROOT", None)
