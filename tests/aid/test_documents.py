"""Printed documents: the BAST and the decree annex as PDF, the annex and the hand-overs of a
period as XLSX, the annex job's progress, and who may download them."""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from aid import services
from aid.models import Decree, DecreeDocument, DecreeDocumentPart
from aid.services import annex, documents
from aid.tasks import build_annex_part, build_decree_document
from atensi.audit.models import AuditEvent
from tests.assessments.test_eligibility import (  # noqa: F401 - start_worker: a fixture
    _wait,
    kill_while_holding,
    start_worker,
)

from .conftest import TODAY, approve, make_item, verified


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def xlsx_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return [row for sheet in workbook for row in sheet.iter_rows(values_only=True)]


def xlsx_has_formula(content: bytes) -> bool:
    workbook = load_workbook(io.BytesIO(content))
    return any(cell.data_type == "f" for sheet in workbook for row in sheet.iter_rows()
               for cell in row)  # fmt: skip


@pytest.fixture
def decreed(cast, funded, food, make_client):
    kit = make_item(funded, "Paket kebersihan", cost=1_400_000)
    services.budget_allocate(programme=funded, component="hidup_layak", amount=5_000_000,
                             by=cast.supervisor, reason="tambahan")  # fmt: skip
    a = verified(cast, make_client(serial=1, full_name="=1+1"), funded, [(food, 1), (kit, 1)])
    b = verified(cast, make_client(serial=2, full_name="Siti Rahma"), funded, [(food, 2)])
    decree = approve(cast, [a, b])
    return decree, a, b


def test_the_bast_names_the_recipient_items_and_total_in_figures_and_words(cast, decreed):
    _, proposal, _ = decreed
    handover = services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah")  # fmt: skip

    text = pdf_text(documents.bast_pdf(handover=handover))

    assert "BERITA ACARA SERAH TERIMA" in text.upper()
    assert handover.number in text
    assert "=1+1" in text
    assert "Paket nutrisi" in text and "Paket kebersihan" in text
    assert "Rp 1.500.000" in text
    assert "satu juta lima ratus ribu rupiah" in text.lower()
    assert "Rumah Singgah" in text


def test_the_annex_pdf_lists_recipients_with_masked_nik_and_totals(cast, decreed):
    decree, a, _ = decreed

    text = pdf_text(annex.decree_annex_pdf(decree=decree))

    assert decree.number in text
    assert a.client.village.parent.name in text  # the kecamatan column
    assert "Siti Rahma" in text and "=1+1" in text
    assert a.client.nik not in text
    assert a.client.nik[:4] + "**********" in text
    assert "1.700.000" in text  # 1,500,000 + 2 × 100,000
    assert "Jumlah (2 penerima) 1.700.000" in text
    assert "satu juta tujuh ratus ribu rupiah" in text.lower()
    assert decree.signatory_name in text
    assert f"Lampiran Keputusan : {decree.signatory_title}" in " ".join(text.split())
    assert f"Tentang : Penetapan Penerima {decree.programme.name}" in " ".join(text.split())


def test_the_annex_xlsx_shows_amounts_as_rupiah_and_keeps_its_headings_in_view(cast, decreed):
    decree, _a, _b = decreed

    sheet = load_workbook(io.BytesIO(documents.decree_annex_xlsx(decree=decree))).active

    assert sheet.freeze_panes == "A3"  # the title row and the headings stay in view
    assert sheet["H3"].number_format == "#,##0"
    assert sheet.cell(sheet.max_row, 8).value == 1_700_000
    assert sheet.cell(sheet.max_row, 8).number_format == "#,##0"


def test_the_annex_xlsx_has_a_row_per_recipient_and_no_formula(cast, decreed):
    decree, a, b = decreed

    content = documents.decree_annex_xlsx(decree=decree)
    rows = xlsx_rows(content)

    names = {row[3] for row in rows[2:-1]}
    assert names == {"'=1+1", "Siti Rahma"}
    assert rows[-1][-1] == 1_700_000
    assert not xlsx_has_formula(content)
    assert a.client.nik not in str(rows)


def test_the_hand_overs_of_a_period_export_one_row_per_item(cast, decreed, browse):
    _, a, b = decreed
    for proposal in (a, b):
        services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                 place="Rumah Singgah")  # fmt: skip

    response = browse("supervisor").get(
        "/bantuan/serah-terima/ekspor.xlsx", {"start": "2026-11-01", "end": "2026-11-30"}
    )

    assert response.status_code == 200
    rows = xlsx_rows(response.content)
    assert len(rows) == 1 + 3 + 1  # heading, three items, total
    assert rows[-1][9] == 1_700_000
    assert not xlsx_has_formula(response.content)
    assert AuditEvent.objects.filter(action="export", object_type="handover").exists()
    assert browse("caseworker").get("/bantuan/serah-terima/ekspor.xlsx").status_code == 404


def test_a_large_annex_is_built_by_the_task_with_progress_to_100(
    cast, decreed, monkeypatch, django_capture_on_commit_callbacks
):
    decree, _, _ = decreed
    monkeypatch.setattr(documents, "ANNEX_INLINE_ROWS", 1)
    sent = []
    monkeypatch.setattr(build_decree_document, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.decree_document_request(decree=decree, kind="xlsx",
                                                     by=cast.supervisor)  # fmt: skip
    assert document.status == "queued" and sent == [str(document.pk)]

    build_decree_document(str(document.pk))
    build_decree_document(str(document.pk))  # safe to run twice

    document.refresh_from_db()
    assert (document.status, document.progress, document.rows) == ("done", 100, 2)
    rows = xlsx_rows(document.file.read())
    assert len(rows) == 2 + 2 + 1


def test_the_annex_page_builds_a_small_decree_at_once_and_serves_it(cast, decreed, browse):
    decree, _, _ = decreed
    supervisor = browse("supervisor")

    response = supervisor.post(f"/bantuan/sk/{decree.pk}/lampiran/pdf/")
    document = DecreeDocument.objects.get()
    assert response.status_code == 302 and str(document.pk) in response.url
    page = supervisor.get(response.url)
    assert page.status_code == 200
    download = supervisor.get(f"/bantuan/dokumen/{document.pk}/unduh/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", object_id=str(decree.pk)).count() == 2


@pytest.mark.parametrize("role", ["caseworker", "outsider", "referrer", "viewer", "centre"])
def test_only_the_organisations_supervisor_gets_the_annex(cast, decreed, browse, role):
    decree, _, _ = decreed
    document = documents.decree_document_request(decree=decree, kind="xlsx", by=cast.supervisor)
    browser = browse(role)

    assert browser.post(f"/bantuan/sk/{decree.pk}/lampiran/pdf/").status_code == 404
    assert browser.get(f"/bantuan/dokumen/{document.pk}/").status_code == 404
    assert browser.get(f"/bantuan/dokumen/{document.pk}/progres/").status_code == 404
    assert browser.get(f"/bantuan/dokumen/{document.pk}/unduh/").status_code == 404


@pytest.mark.parametrize("role, status", [("caseworker", 200), ("supervisor", 200),
                                          ("outsider", 404), ("referrer", 404), ("viewer", 404),
                                          ("centre", 404)])  # fmt: skip
def test_the_bast_pdf_is_for_those_who_may_read_the_client(cast, decreed, browse, role, status):
    _, proposal, _ = decreed
    handover = services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah")  # fmt: skip

    response = browse(role).get(f"/bantuan/serah-terima/{handover.pk}/bast.pdf")

    assert response.status_code == status
    if status == 200:
        assert response.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="export", object_id=str(handover.pk)).exists()


# --- the annex PDF in parts of whole pages ----------------------------------------------------


def varied_rows(count: int) -> list[dict]:
    """Annex rows of one to six lines: names, villages and item lists of many lengths."""
    words = ["MUHAMMAD", "SITI", "NUR", "ABDURRAHMAN", "KHAIRUNNISA", "PRATAMA", "BINTI",
             "WULANDARI", "HIDAYAT", "PURNAMASARI", "AL-FARISI", "AHMAD"]  # fmt: skip
    places = ["Sukamaju", "Tanjung Lubuk", "Sungai Pedada Ilir Ulu", "Pedamaran Timur Laut Raya"]
    items = ["Paket nutrisi\u00a0×\u00a01",
             "Paket nutrisi\u00a0×\u00a01\nPaket kebersihan diri\u00a0×\u00a02",
             "Paket alat usaha (peralatan wirausaha)\u00a0×\u00a01\nPaket nutrisi\u00a0×\u00a01\n"
             "Perlengkapan sekolah\u00a0×\u00a03\nAlat bantu dengar\u00a0×\u00a01"]  # fmt: skip
    rows = []
    for n in range(1, count + 1):
        name = " ".join(words[(n * k) % len(words)] for k in range(1, 2 + n % 5))
        if n % 37 == 0:
            name = "X" * 70  # one long word: broken anywhere
        rows.append({"no": n, "reference": f"USL-{n}", "nik": "1602**********12", "name": name,
                     "village": places[n % 4], "district": places[(n // 4) % 4],
                     "items": items[n % 3], "value": 1_500_000,
                     "value_rp": "1.500.000"})  # fmt: skip
    return rows


def row_pages(document) -> list[int]:
    """The first row number of each page of a laid-out annex."""
    firsts: dict[int, int] = {}
    for number, (page, _top) in annex._positions(document).items():
        firsts[page] = min(firsts.get(page, number), number)
    return [firsts[page] for page in sorted(firsts)]


def test_the_page_plan_cuts_the_pages_where_the_layout_would(db):
    rows = varied_rows(300)
    context = {"decree": Decree(number="SK/1", signatory_title="Kepala Dinas"),
               "programme": None, "first": True, "last": False, "totals": {}}  # fmt: skip

    planned = [first for first, _count in annex.plan_pages(rows, annex.geometry())]
    natural = row_pages(annex._render(context, rows, anchors=True))
    forced = row_pages(annex._render(context, rows, breaks=frozenset(planned[1:]), anchors=True))

    assert planned == natural  # the plan cuts the pages where WeasyPrint would
    assert forced == planned  # and forcing those breaks changes nothing


def many_items(funded, count: int) -> list:
    """`count` catalogue items, so that a proposal's "Bantuan" cell runs over many lines."""
    return [make_item(funded, f"Barang bantuan nomor {n} ukuran sedang", cost=1_000)
            for n in range(count)]  # fmt: skip


@pytest.fixture
def long_decree(cast, funded, make_client):
    """A decree of 14 recipients with four items each: a handful of rows a page."""
    stuff = many_items(funded, 4)
    proposals = [
        verified(cast, make_client(serial=10 + n, full_name=f"Penerima Nomor {n}"), funded,
                 [(item, 1) for item in stuff])
        for n in range(14)
    ]  # fmt: skip
    return approve(cast, proposals)


def test_a_large_annex_pdf_is_laid_out_by_a_task_per_part_and_joined_by_the_last(
    cast, long_decree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(documents, "ANNEX_INLINE_ROWS", 1)
    monkeypatch.setattr(annex, "PART_ROWS", 1)  # a part per page
    sent, parts_sent = [], []
    monkeypatch.setattr(build_decree_document, "delay", sent.append)
    monkeypatch.setattr(build_annex_part, "delay", lambda *args: parts_sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.decree_document_request(decree=long_decree, kind="pdf",
                                                     by=cast.supervisor)  # fmt: skip

    build_decree_document(*sent)
    parts = list(DecreeDocumentPart.objects.filter(document=document))
    assert len(parts) >= 3 and len(parts_sent) == len(parts)
    assert [p.page_starts[0] for p in parts] == [p.first_row for p in parts]
    progress = []
    for args in reversed(parts_sent):  # in any order; the last one to finish joins
        with django_capture_on_commit_callbacks(execute=True):
            build_annex_part(*args)
        document.refresh_from_db()
        progress.append((document.status, document.progress))
    assert [s for s, _ in progress[:-1]] == ["running"] * (len(parts) - 1)
    assert [p for _, p in progress[:-1]] == sorted(p for _, p in progress[:-1])
    assert progress[-1] == ("done", 100)
    build_annex_part(*parts_sent[0])  # safe to run twice

    reader = PdfReader(document.file.open("rb"))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) in (len(parts), len(parts) + 1)  # the totals may start a page
    text = " ".join(pages)
    names = [f"Penerima Nomor {n}" for n in range(14)]
    assert all(name in text for name in names)
    assert "Jumlah (14 penerima)" in text
    assert f"Halaman 1 dari {len(pages)}" in pages[0]
    assert f"Halaman {len(pages)} dari {len(pages)}" in pages[-1]
    assert not DecreeDocumentPart.objects.filter(document=document).exists()  # parts dropped


def test_an_annex_whose_worker_is_killed_mid_part_is_built_once_with_every_row_once(
    start_worker,  # noqa: F811 - the fixture imported above
    cast,
    long_decree,
    settings,
    tmp_path,
    monkeypatch,
):
    """The part's task has laid its pages out and waits to record them (on the part's row,
    held here) when its worker dies; the part goes back to the queue, and the annex is joined
    once, every recipient on it once, with no part file left behind."""

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(documents, "ANNEX_INLINE_ROWS", 1)  # asked for here: queued
    document = documents.decree_document_request(decree=long_decree, kind="pdf",
                                                 by=cast.supervisor)  # fmt: skip
    [part] = annex.stored_plan(document)  # what the worker's first task records, recorded now
    kill_while_holding("aid_decreedocumentpart", part.pk,
                       lambda: start_worker(purge=False, MEDIA_ROOT=str(tmp_path)))  # fmt: skip

    _wait(lambda: DecreeDocument.objects.get(pk=document.pk).status == "done", 120,
          "the annex")  # fmt: skip
    document.refresh_from_db()
    text = pdf_text(document.file.open("rb").read())
    assert sorted(int(n) for n in re.findall(r"Penerima Nomor (\d+)\b", text)) == list(range(14))
    assert "Jumlah (14 penerima)" in text
    assert DecreeDocument.objects.filter(decree=long_decree).count() == 1
    assert [p.name for p in tmp_path.rglob("*.pdf")] == [f"{document.pk}.pdf"]
