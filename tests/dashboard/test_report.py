"""The yearly report of an area: the demo's 2023 reads like the narcotics board's published
year (XLSX cells and PDF text), the job runs through the service with its progress, the
download is audited, outsiders get 404, and no client's name or NIK is in it."""

import io

import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.dashboard import report as reports
from atensi.dashboard import selectors
from atensi.dashboard.models import DashboardReport
from atensi.dashboard.tasks import build_report
from tests.assessments.test_eligibility import (  # noqa: F401 - start_worker: a fixture
    _wait,
    kill_while_holding,
    start_worker,
)
from tests.dashboard.test_dashboard import _personal

OKI = "16.02"
PAGE = reverse("dashboard:report")


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"  # the report is built in the interface's language
    call_command("load_demo", stdout=io.StringIO())


def _as(username) -> Browser:
    browser = Browser()
    browser.force_login(User.objects.get(username=username))
    return browser


def _built(browser, *, area=OKI, year=2023, kind="xlsx", capture=None) -> DashboardReport:
    """Ask for the report on the page, then run the worker's task (eagerly)."""
    sent = []
    original = build_report.delay
    build_report.delay = sent.append
    try:
        with capture(execute=True):
            response = browser.post(PAGE, {"area": area, "year": year, "kind": kind})
    finally:
        build_report.delay = original
    report = DashboardReport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "dashboard:report-job", args=[report.pk]
    )
    assert report.status == "queued" and sent == [str(report.pk)]
    build_report(str(report.pk))
    build_report(str(report.pk))  # safe to run twice
    report.refresh_from_db()
    return report


def _download(browser, report) -> bytes:
    response = browser.get(reverse("dashboard:report-download", args=[report.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _xlsx_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [
        tuple(c for c in row if c not in (None, "")) for row in sheet.iter_rows(values_only=True)
    ]


def _after(rows, heading, n) -> list[tuple]:
    i = rows.index((heading,))
    return rows[i + 1 : i + 1 + n]


def test_the_demo_report_of_oki_2023_as_xlsx_reads_like_the_boards_published_year(
    demo, django_capture_on_commit_callbacks
):
    viewer = _as("demo-viewer")
    report = _built(viewer, capture=django_capture_on_commit_callbacks)
    assert (report.status, report.progress, report.year, report.area_code) == (
        "done", 100, 2023, OKI,
    )  # fmt: skip
    rows = _xlsx_rows(_download(viewer, report))
    cells = set(rows)

    assert ("Rehabilitation episodes", 63) in cells  # episodes: a person may have several
    assert ("Outpatient (rawat jalan)", 50) in cells and ("Referral onward", 13) in cells
    ikm = next(r for r in rows if r and r[0] == "Layanan Rawat Jalan Klinik Pratama BNNK OKI")
    assert ikm[2:] == (3.94, 98.5, "A (Very good)", 3.9, "Yes")  # numbers, not text
    assert ("IBM units", 2) in cells and ("Recovery agents", 10) in cells
    urine = {r[0]: r[1] for r in _after(rows, "Urine tests by institution", 8)}
    assert urine == {
        "Institution": "Tested", "DPMD": 16, "Dinas Pendidikan": 17, "Diskominfo": 25,
        "KPP Pratama Kayuagung": 7, "Kecamatan Kota Kayuagung": 25, "Samsat Tugumulyo": 18,
        "Total": 108,
    }  # fmt: skip
    activists = [r for r in rows if r and r[0] == "Anti-drug activist training and inauguration"]
    assert sum(r[-2] for r in activists) == 40 and len(activists) == 2
    assert ("Cases", 3) in cells and ("Suspects", 3) in cells
    assert ("Target (cases)", 1) in cells
    family = next(r for r in rows if r and r[0] == "Family-resilience programme")
    assert family[2:] == ("Kelurahan Kutaraya", "Keluarga di Kelurahan Kutaraya", 4, 20, 0)
    assert report.file.name.endswith(".xlsx")


def test_the_demo_report_as_pdf_reads_the_same_and_the_2025_villages(
    demo, django_capture_on_commit_callbacks
):
    supervisor = _as("demo-supervisor")
    report = _built(supervisor, kind="pdf", capture=django_capture_on_commit_callbacks)
    assert (report.status, report.progress) == ("done", 100)
    content = _download(supervisor, report)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    for expected in (
        "Rehabilitation episodes: 63", "Outpatient (rawat jalan) 50", "Referral onward 13",
        "3.94 98.50 A (Very good) 3.9 Yes", "IBM units: 2", "Recovery agents: 10",
        "Diskominfo 25 0",
        "Kecamatan Kota Kayuagung 25 0", "Samsat Tugumulyo 18 0", "KPP Pratama Kayuagung 7 0",
        "Dinas Pendidikan 17 0", "DPMD 16 0", "Cases 3", "Suspects 3", "Target (cases) 1",
        "Kelurahan Kutaraya Keluarga di Kelurahan Kutaraya 4 20", "<5", "published as they are",
    ):  # fmt: skip
        assert expected in text, expected

    area = selectors.area_for(User.objects.get(username="demo-viewer"), OKI)
    with translation.override("en"):
        data = reports.report_data(area, 2025)
        rows = _xlsx_rows(reports.report_xlsx(data))
    assert (data["villages"]["by_status"]["bahaya"], data["villages"]["by_status"]["waspada"]) == (
        7, 34,
    )  # fmt: skip
    assert ("Bahaya (danger)", 7) in rows and ("Waspada (alert)", 34) in rows


def test_the_indonesian_pdf_writes_the_ikm_as_indonesian_numbers(demo):
    area = selectors.area_for(User.objects.get(username="demo-viewer"), OKI)
    with translation.override("id"):
        content = reports.report_pdf(reports.report_data(area, 2023))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)

    assert "3,94 98,50 A (Sangat Baik) 3,9" in " ".join(text.split())


def test_the_download_is_audited_and_served_only_when_ready(
    demo, django_capture_on_commit_callbacks
):
    viewer = _as("demo-viewer")
    report = _built(viewer, capture=django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(action="export", object_id=str(report.pk)).count() == 1
    _download(viewer, report)
    assert AuditEvent.objects.filter(action="download", object_id=str(report.pk)).count() == 1
    job = viewer.get(reverse("dashboard:report-job", args=[report.pk]))
    assert job.status_code == 200
    assert "Kabupaten Ogan Komering Ilir" in job.content.decode()  # named, not only "16.02"
    listed = viewer.get(PAGE).content.decode()
    assert '<td class="stack-title">Kabupaten Ogan Komering Ilir <span' in listed
    progress = viewer.get(reverse("dashboard:report-progress", args=[report.pk]))
    assert "dashboard:report" not in progress.text and "unduh" in progress.text
    DashboardReport.objects.filter(pk=report.pk).update(status="running")
    assert viewer.get(reverse("dashboard:report-download", args=[report.pk])).status_code == 404


def test_an_outsider_or_a_caseworker_gets_404(demo, django_capture_on_commit_callbacks):
    report = _built(_as("demo-viewer"), capture=django_capture_on_commit_callbacks)
    outsider = _as("demo-caseworker-2")  # Dinsos Ogan Ilir
    for name in ("dashboard:report-job", "dashboard:report-progress", "dashboard:report-download"):
        assert outsider.get(reverse(name, args=[report.pk])).status_code == 404
        assert _as("demo-caseworker").get(reverse(name, args=[report.pk])).status_code == 404
    assert outsider.get(PAGE).status_code == 404  # a caseworker does not build reports
    response = _as("demo-supervisor").post(PAGE, {"area": "16.10", "year": 2023, "kind": "pdf"})
    assert response.status_code == 404
    assert DashboardReport.objects.count() == 1


def test_the_report_page_lists_the_readers_reports(demo, django_capture_on_commit_callbacks):
    viewer = _as("demo-viewer")
    report = _built(viewer, capture=django_capture_on_commit_callbacks)
    page = viewer.get(PAGE)
    assert page.status_code == 200
    assert reverse("dashboard:report-download", args=[report.pk]) in page.text
    assert reverse("dashboard:report") in viewer.get(reverse("dashboard:index")).text


def test_no_client_name_or_nik_is_in_the_report(demo, django_capture_on_commit_callbacks):
    personal = _personal()
    assert len(personal) > 100
    viewer = _as("demo-viewer")
    xlsx = _built(viewer, capture=django_capture_on_commit_callbacks)
    content = _download(viewer, xlsx)
    texts = [" ".join(str(c) for row in _xlsx_rows(content) for c in row)]
    area = selectors.area_for(User.objects.get(username="demo-viewer"), OKI)
    pdf = reports.report_pdf(reports.report_data(area, 2023))
    texts.append(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    found = {value for value in personal for text in texts if value in text}
    assert not found, sorted(found)[:5]


def test_the_api_asks_for_a_report_follows_it_and_serves_the_file_to_readers_only(
    demo, django_capture_on_commit_callbacks, monkeypatch
):
    from rest_framework.test import APIClient

    sent = []
    monkeypatch.setattr(build_report, "delay", sent.append)
    api = APIClient()
    api.force_authenticate(User.objects.get(username="demo-supervisor"))
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/dashboard-reports/",
                           {"area": OKI, "year": 2023, "kind": "xlsx"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "queued" and sent == [pk]
    assert api.get(f"/api/v1/dashboard-reports/{pk}/file/").status_code == 404  # not ready
    build_report(pk)
    state = api.get(f"/api/v1/dashboard-reports/{pk}/").json()
    assert (state["status"], state["progress"]) == ("done", 100)
    download = api.get(f"/api/v1/dashboard-reports/{pk}/file/")
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="download", object_id=pk).count() == 1

    outsider = APIClient()
    outsider.force_authenticate(User.objects.get(username="demo-caseworker-2"))
    assert outsider.get(f"/api/v1/dashboard-reports/{pk}/").status_code == 404
    assert outsider.get(f"/api/v1/dashboard-reports/{pk}/file/").status_code == 404
    outside = api.post("/api/v1/dashboard-reports/", {"area": "16.10", "year": 2023,
                                                      "kind": "pdf"}, format="json")  # fmt: skip
    assert outside.status_code == 404


def test_the_list_holds_only_reports_whose_every_region_lies_in_the_readers_area(cast):
    def made(codes):
        return DashboardReport.objects.create(
            area_codes=codes, year=2023, kind="xlsx", requested_by=cast.viewer
        ).pk

    inside = {made("16.02"), made("16.02.05"), made("16.02.05.1002,16.02.11")}
    for codes in ("16.10", "16.02,16.10", "16", "16.020", ""):
        made(codes)

    assert set(reports.report_list(user=cast.viewer).values_list("pk", flat=True)) == inside
    assert not reports.report_list(user=cast.caseworker).exists()


def test_a_yearly_report_whose_worker_is_killed_is_built_once_after_the_restart(
    start_worker,  # noqa: F811 - the fixture imported above
    cast,
    settings,
    tmp_path,
):
    """The report's task starts, its worker dies while it holds it (the task waits on the
    report's row, held here); the task goes back to the queue and the report is built once."""

    settings.MEDIA_ROOT = tmp_path
    report = reports.report_request(
        area=selectors.area_of_codes(["16.02"]), year=2025, kind="xlsx", by=cast.supervisor
    )  # committed at once: the task waits on the broker for a worker
    kill_while_holding("dashboard_dashboardreport", report.pk,
                       lambda: start_worker(purge=False, MEDIA_ROOT=str(tmp_path)))  # fmt: skip

    _wait(lambda: DashboardReport.objects.get(pk=report.pk).status == "done", 120,
          "the report")  # fmt: skip
    report.refresh_from_db()
    assert report.progress == 100 and report.file.name.endswith(".xlsx")
    assert openpyxl.load_workbook(report.file.path).sheetnames
    assert DashboardReport.objects.count() == 1
    assert len(list(tmp_path.rglob("*.xlsx"))) == 1  # one file, not one per attempt


@pytest.mark.parametrize("year", [2023, 2026])
def test_the_report_hides_what_the_dashboard_of_the_same_year_hides(demo, year):
    """Seen in the browser: the dashboard's episode table showed an outpatient total of 9
    with "<5" still open, "x" completed and "x x" as its column totals, while the report of
    the year gave "Still open 7, Completed 6": together they gave away the hidden cells.
    Both now publish one suppression of the same counts."""
    area = selectors.area_for(User.objects.get(username="demo-viewer"), OKI)
    period = selectors.parse_period(str(year))

    with translation.override("en"):
        data = reports.report_data(area, year)
        board = selectors.dashboard(area, period)
    [episodes] = [s for s in board["sections"] if s.key == "episodes"]
    [aided] = [c for c in board["cards"] if c["key"] == "aided"]

    rehab = data["rehabilitation"]
    by_modality = {r["code"]: r["total"] for r in episodes.rows}
    assert {m["code"]: m["people"] for m in rehab["modalities"]} == by_modality
    assert [o["people"] for o in rehab["outcomes"]] == episodes.total["cells"]
    assert rehab["total"] == episodes.total["total"]
    assert data["aid"]["people"] == aided["value"]


def test_the_report_file_names_its_area_as_the_dashboard_workbook_does(
    demo, django_capture_on_commit_callbacks
):
    # Seen: "laporan-tahunan-wilayah-2023.xlsx" for the whole area, "dasbor-16.02-…" beside it.
    viewer = _as("demo-viewer")
    report = _built(viewer, area="", capture=django_capture_on_commit_callbacks)
    response = viewer.get(reverse("dashboard:report-download", args=[report.pk]))
    workbook = viewer.get(reverse("dashboard:index"), {"period": "2023", "format": "xlsx"})

    assert report.area_code == "" and report.area_codes == "16.02"
    assert 'filename="laporan-tahunan-16.02-2023.xlsx"' in response["Content-Disposition"]
    assert 'filename="dasbor-16.02-2023.xlsx"' in workbook["Content-Disposition"]
