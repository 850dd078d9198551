"""Issue 12 item 2: a small spreadsheet that unpacks to a huge one costs little to refuse.

The files are built here, the way an attacker would: a valid XLSX skeleton whose sheet holds
hundreds of megabytes of whitespace or of one cell's text, packed into a few megabytes. Each
distinct piece is deflated once and its blocks repeated, so that building a "1 GB" sheet
takes a moment. The upload's header check runs in the web request and the rows are read by
the worker; both must stay small in memory and refuse the file with a clear message.
"""

import contextlib
import datetime
import io
import os
import resource
import signal
import struct
import tracemalloc
import zlib

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from aid.models import Programme
from assessments.models import EligibilityBatch, RegisterSnapshot
from assessments.services import eligibility
from tests.assessments.test_eligibility import ready_snapshot
from tests.conftest import OKI_VILLAGE, make_nik, said

MB = 1024 * 1024
# What reading may add to the process while refusing a bomb (the bug took it to 3.2 GB).
MEMORY_CEILING = 100 * MB

HEADER = ["nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "alamat"]
REGISTER_HEADER = [*HEADER, "id_dtsen", "desil"]


# --- building workbooks --------------------------------------------------------------------


def _deflate(pieces):
    """Raw deflate of the pieces (bytes, or (bytes, times) repeated), with its CRC and size."""
    out, crc, size = [], 0, 0
    for piece in pieces:
        data, times = piece if isinstance(piece, tuple) else (piece, 1)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)
        out.append(block * times)
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        size += len(data) * times
    out.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())  # the final, empty block
    return b"".join(out), crc, size


def zip_bytes(members: dict) -> bytes:
    """A zip archive of deflated members, written by hand so that a member may be huge."""
    body, directory = io.BytesIO(), []
    for name, pieces in members.items():
        packed, crc, size = _deflate(pieces)
        encoded = name.encode()
        offset = body.tell()
        fields = (20, 0, 8, 0, 0, crc, len(packed), size, len(encoded), 0)
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + encoded + packed)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 20, *fields[:-1], 0, 0, 0, 0, 0, offset
            ) + encoded
        )  # fmt: skip
    start = body.tell()
    body.write(b"".join(directory))
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
        body.tell() - start, start, 0,
    )  # fmt: skip
    return body.getvalue() + end


def cells(values) -> bytes:
    return b"".join(
        b'<c t="inlineStr"><is><t>' + str(value).encode() + b"</t></is></c>" for value in values
    )


def row(values) -> bytes:
    return b"<row>" + cells(values) + b"</row>"


def person(serial=1) -> list:
    return [make_nik(serial=serial), "", f"Orang Uji {serial}", "01-01-1990", "L", OKI_VILLAGE, ""]


def workbook(*sheet_pieces) -> bytes:
    """A minimal valid workbook whose first sheet is the pieces inside <sheetData>."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rels = b"http://schemas.openxmlformats.org/package/2006/relationships"
    kinds = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return zip_bytes({
        "[Content_Types].xml": [
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ],
        "_rels/.rels": [
            b'<Relationships xmlns="' + rels + b'"><Relationship Id="rId1" Type="' + kinds
            + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ],
        "xl/workbook.xml": [
            b"<workbook " + ns + b" " + rel + b'><sheets><sheet name="Usulan" sheetId="1" '
            b'r:id="rId1"/></sheets></workbook>'
        ],
        "xl/_rels/workbook.xml.rels": [
            b'<Relationships xmlns="' + rels + b'"><Relationship Id="rId1" Type="' + kinds
            + b'/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ],
        "xl/worksheets/sheet1.xml": [
            b"<worksheet " + ns + b"><sheetData>", *sheet_pieces, b"</sheetData></worksheet>"
        ],
    })  # fmt: skip


def sparse(base: bytes, others: bytes) -> bytes:
    """1 MB of the `base` character with one of `others` at random places (each about one in
    256): text that packs about 50-fold, below the ratio that gives a bomb away."""
    table = bytearray(base * 256)
    table[: len(others)] = others
    return os.urandom(MB).translate(bytes(table))


def whitespace_mb() -> bytes:
    """1 MB of spaces with scattered line breaks and tabs."""
    return sparse(b" ", b"\n\t\r")


def letters_mb() -> bytes:
    """1 MB of the letter a with scattered other letters: one long cell's text."""
    return sparse(b"a", b"bcd")


def bomb_of_whitespace(megabytes=1024, header=HEADER) -> bytes:
    """The issue's file: about 1 GB of whitespace in the sheet, packed into about 1 MB."""
    return workbook((b" " * MB, megabytes), row(header), row(person() + ["DT1", 2]))


def bomb_below_the_ratio(megabytes=256, header=HEADER) -> bytes:
    """Whitespace that packs only about 50-fold: the header lies 256 MB deep."""
    return workbook((whitespace_mb(), megabytes), row(header), row(person() + ["DT1", 2]))


def bomb_in_one_cell(megabytes=256, *, rows_before=1) -> bytes:
    """A good header and first rows, then one cell of 256 MB of text."""
    good = [row(person(serial)) for serial in range(1, rows_before + 1)]
    huge = b'<row><c t="inlineStr"><is><t>'
    return workbook(row(HEADER), *good, huge, (letters_mb(), megabytes), b"</t></is></c></row>")


def _max_resident() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


class Memory:
    """The peak of Python allocations and the growth of the process's resident set."""

    def __enter__(self):
        self.rss_before = _max_resident()
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        _size, self.peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.rss_growth = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.rss_before
        )

    def assert_small(self):
        assert self.peak < MEMORY_CEILING, f"{self.peak / MB:.0f} MB allocated"
        assert self.rss_growth < MEMORY_CEILING, f"{self.rss_growth / MB:.0f} MB more resident"


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def snapshot(cast):
    return ready_snapshot(cast)


@pytest.fixture
def programme(cast):
    return Programme.objects.create(
        name="Bantuan ATENSI Reguler", kind=Programme.Kind.REGULAR, year=2026,
        organisation=cast.dinsos, max_decile=4,
    )  # fmt: skip


def xlsx(data: bytes, name="usulan.xlsx"):
    return SimpleUploadedFile(
        name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def upload_on_the_page(client, snapshot, programme, data: bytes):
    return client.post(
        reverse("assessments:batch-create"),
        {
            "name": "Usulan", "programme": programme.pk, "snapshot": snapshot.pk,
            "source": "file", "file": xlsx(data),
        },
    )  # fmt: skip


# --- the proposal list: refused in the request -------------------------------------------


def test_the_bomb_of_the_issue_is_small_to_send():
    data = bomb_of_whitespace()

    assert len(data) < 2 * MB


def test_the_page_refuses_a_gigabyte_of_whitespace_packed_into_a_megabyte(
    cast, client, snapshot, programme
):
    data = bomb_of_whitespace()
    client.force_login(cast.caseworker)

    with Memory() as memory:
        response = upload_on_the_page(client, snapshot, programme, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Berkas terurai dari" in html and "jauh melebihi berkas spreadsheet biasa" in html
    assert not EligibilityBatch.objects.exists()
    memory.assert_small()


def test_the_page_refuses_a_header_buried_under_whitespace_that_packs_normally(
    cast, client, snapshot, programme
):
    data = bomb_below_the_ratio()
    client.force_login(cast.caseworker)

    with Memory() as memory:
        response = upload_on_the_page(client, snapshot, programme, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Judul kolom dan baris data pertama tidak ditemukan dalam 16 MB pertama" in html
    assert not EligibilityBatch.objects.exists()
    memory.assert_small()


def test_the_page_refuses_a_header_cell_of_hundreds_of_megabytes(cast, client, snapshot, programme):
    data = workbook(
        b'<row><c t="inlineStr"><is><t>nik', (letters_mb(), 256), b"</t></is></c></row>"
    )
    client.force_login(cast.caseworker)

    with Memory() as memory:
        response = upload_on_the_page(client, snapshot, programme, data)

    html = response.content.decode()
    assert "Sebuah sel dalam berkas memuat lebih dari 32767 karakter" in html
    assert not EligibilityBatch.objects.exists()
    memory.assert_small()


def test_the_api_refuses_the_bomb_with_the_indonesian_message_and_stores_nothing(
    cast, snapshot, programme
):
    api = APIClient()
    api.force_authenticate(cast.caseworker)

    with Memory() as memory:
        response = api.post(
            "/api/v1/eligibility-batches/",
            {"programme": str(programme.pk), "snapshot": str(snapshot.pk),
             "file": xlsx(bomb_below_the_ratio())},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="id",
        )  # fmt: skip

    assert response.status_code == 400, response.content
    assert "tidak ditemukan dalam 16 MB pertama" in response.content.decode()
    assert not EligibilityBatch.objects.exists()
    memory.assert_small()


# --- the proposal list: the worker ---------------------------------------------------------


def test_the_worker_stops_at_a_cell_of_hundreds_of_megabytes_with_a_clear_failure(
    cast, snapshot, programme
):
    from assessments.tasks.eligibility import load_batch

    batch = eligibility.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=xlsx(bomb_in_one_cell(rows_before=3)),
    )  # fmt: skip

    with Memory() as memory:
        load_batch.apply(args=(str(batch.pk),))

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    assert "Sebuah sel dalam berkas memuat lebih dari 32767 karakter" in batch.error
    assert batch.rows.count() == 0
    memory.assert_small()


def test_the_worker_stops_at_more_rows_than_a_sheet_holds(cast, snapshot, programme):
    from assessments.tasks.eligibility import load_batch

    data = workbook(row(HEADER), row(person()), (b"<row/>" * 1024, 1024))
    batch = eligibility.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=xlsx(data),
    )  # fmt: skip

    load_batch.apply(args=(str(batch.pk),))

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    assert "Berkas memiliki lebih dari 1048576 baris" in batch.error
    assert batch.rows.count() == 0


def test_whitespace_between_rows_is_read_through_in_little_memory(cast, snapshot, programme):
    data = workbook(row(HEADER), row(person(1)), (whitespace_mb(), 128), row(person(2)))
    batch = eligibility.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=xlsx(data),
    )  # fmt: skip

    with Memory() as memory:
        eligibility.batch_load(batch_id=batch.pk)

    assert sorted(batch.rows.values_list("row_number", flat=True)) == [2, 3]
    memory.assert_small()


# --- the register import -------------------------------------------------------------------


def test_the_register_upload_refuses_the_bomb_and_stores_no_snapshot(browse):
    with Memory() as memory:
        response = browse("supervisor").post(
            reverse("assessments:register-import"),
            {"file": xlsx(bomb_of_whitespace(header=REGISTER_HEADER), "dtsen.xlsx"),
             "source": "DTSEN", "extract_date": "2026-01-02"},
        )  # fmt: skip

    assert response.status_code == 200
    assert "jauh melebihi berkas spreadsheet biasa" in response.content.decode()
    assert not RegisterSnapshot.objects.exists()
    memory.assert_small()


def test_the_register_api_refuses_a_header_buried_deep_and_stores_no_snapshot(cast):
    api = APIClient()
    api.force_authenticate(cast.supervisor)

    with Memory() as memory:
        response = api.post(
            "/api/v1/register-imports/",
            {"file": xlsx(bomb_below_the_ratio(header=REGISTER_HEADER), "dtsen.xlsx"),
             "source": "DTSEN API", "extract_date": "2026-01-02"},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="id",
        )  # fmt: skip

    assert response.status_code == 400, response.content
    assert "tidak ditemukan dalam 16 MB pertama" in response.content.decode()
    assert not RegisterSnapshot.objects.exists()
    memory.assert_small()


def test_the_register_worker_stops_at_a_huge_cell_and_keeps_no_rows(cast):
    from assessments.services import register
    from assessments.tasks.register import register_import

    good = row([*person(1), "DT1", 2])
    data = workbook(
        row(REGISTER_HEADER), good, b'<row><c t="inlineStr"><is><t>', (letters_mb(), 256),
        b"</t></is></c></row>",
    )  # fmt: skip
    snapshot = register.register_import_start(
        by=cast.supervisor, file=xlsx(data, "dtsen.xlsx"), source="DTSEN",
        extract_date=datetime.date(2026, 1, 2),
    )  # fmt: skip

    with Memory() as memory:
        register_import.apply(args=(str(snapshot.pk),))

    snapshot.refresh_from_db()
    assert snapshot.status == RegisterSnapshot.Status.FAILED
    assert "Sebuah sel dalam berkas memuat lebih dari 32767 karakter" in snapshot.error
    assert (snapshot.good_rows, snapshot.bad_rows) == (0, 0)
    memory.assert_small()


# --- the workers' soft time limit --------------------------------------------------------


@contextlib.contextmanager
def soft_time_limit(seconds: float):
    """What Celery's pool does when a task reaches its soft limit: a signal raises
    SoftTimeLimitExceeded wherever the task is."""

    def expire(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def long_csv(header, make_row, rows: int) -> SimpleUploadedFile:
    lines = [";".join(header)] + [";".join(map(str, make_row(i))) for i in range(1, rows + 1)]
    return SimpleUploadedFile("panjang.csv", ("\n".join(lines) + "\n").encode(), "text/csv")


def test_a_batch_stopped_at_its_soft_time_limit_says_it_took_too_long(cast, snapshot, programme):
    from assessments.tasks.eligibility import load_batch

    batch = eligibility.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan",
        file=long_csv(HEADER, lambda i: [*person(i % 9000 + 1)], 200_000),
    )  # fmt: skip

    with soft_time_limit(0.3):
        load_batch.apply(args=(str(batch.pk),))

    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.FAILED
    assert batch.error == said(
        "Screening took longer than allowed and was stopped. Screen the list again, split it "
        "into smaller lists, or ask the administrator."
    )
    assert batch.rows.count() == 0


def test_a_register_import_stopped_at_its_soft_time_limit_keeps_no_rows(cast):
    from assessments.services import register
    from assessments.tasks.register import register_import

    snapshot = register.register_import_start(
        by=cast.supervisor, source="DTSEN", extract_date=datetime.date(2026, 1, 2),
        file=long_csv(REGISTER_HEADER, lambda i: [*person(i % 9000 + 1), f"DT{i}", 2], 300_000),
    )  # fmt: skip

    with soft_time_limit(0.3):
        register_import.apply(args=(str(snapshot.pk),))

    snapshot.refresh_from_db()
    assert snapshot.status == RegisterSnapshot.Status.FAILED
    assert snapshot.error == said(
        "The import took longer than allowed and was stopped; no rows were kept. Split the "
        "extract into smaller files, or ask the administrator."
    )
    assert (snapshot.good_rows, snapshot.bad_rows) == (0, 0)
