"""Read the CSV and XLSX lists that arrive from outside (register extracts, proposal lists).

Pure Python, no Django. `open_table(source, schema)` checks the file and its header and raises
one `TabularError` for a file that cannot be used; iterating the table then streams `Row`s, each
with its parsed values and its cell errors (column, code, message), so that a caller keeps the
good rows and reports the bad ones. Messages are English source strings marked with
`gettext_noop` (as in `cases.nik`) with `%(name)s` parameters; callers translate and fill in.

What spreadsheets do to such files is expected: a byte-order mark, `;` or tab separators,
Windows-1252 text, a leading apostrophe on identifiers, and long numbers stored as floating
point (`1.60205E+15`): digits are lost then, which is reported and never guessed back.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import csv
import datetime
import gzip
import io
import itertools
import posixpath
import re
import shutil
import struct
import tempfile
import time
import zipfile
import zlib
from array import array
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.parsers import expat

from cases.nik import FEMALE, MALE, gettext_noop, parse_nik, validate_kk

# Kinds of column: how a cell is read.
TEXT = "text"  # free text, whitespace collapsed
IDENTIFIER = "identifier"  # a code: no inner spaces kept, a leading apostrophe dropped
NIK = "nik"
KK = "kk"
DATE = "date"
SEX = "sex"
VILLAGE = "village"
DECILE = "decile"

# Stable error codes (raw in the API and exports, explained by the message).
REQUIRED = "REQUIRED"
TOO_LONG = "TOO_LONG"
FIELD_COUNT = "FIELD_COUNT"
DIGITS_LOST = "DIGITS_LOST"
NIK_SCIENTIFIC = "NIK_SCIENTIFIC"
NIK_INVALID = "NIK_INVALID"
KK_SCIENTIFIC = "KK_SCIENTIFIC"
KK_INVALID = "KK_INVALID"
DATE_UNREADABLE = "DATE_UNREADABLE"
DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
SEX_INVALID = "SEX_INVALID"
VILLAGE_INVALID = "VILLAGE_INVALID"
VILLAGE_UNKNOWN = "VILLAGE_UNKNOWN"
DECILE_INVALID = "DECILE_INVALID"
FORMULA_NO_VALUE = "FORMULA_NO_VALUE"

FILE_EMPTY = "FILE_EMPTY"
FILE_NO_ROWS = "FILE_NO_ROWS"
FILE_UNREADABLE = "FILE_UNREADABLE"
FILE_BINARY = "FILE_BINARY"
FILE_OLD_EXCEL = "FILE_OLD_EXCEL"
COLUMNS_MISSING = "COLUMNS_MISSING"
COLUMN_TWICE = "COLUMN_TWICE"
FILE_TOO_LARGE_UNPACKED = "FILE_TOO_LARGE_UNPACKED"
FILE_PACKED_TOO_TIGHT = "FILE_PACKED_TOO_TIGHT"
FILE_TEXT_TOO_LARGE = "FILE_TEXT_TOO_LARGE"
FILE_HEADER_TOO_DEEP = "FILE_HEADER_TOO_DEEP"
FILE_TOO_SLOW = "FILE_TOO_SLOW"
CELL_TOO_LONG = "CELL_TOO_LONG"
CSV_CELL_UNENDING = "CSV_CELL_UNENDING"
TOO_MANY_ROWS = "TOO_MANY_ROWS"

# Limits on what one file may cost to read. A workbook is a zip archive whose parts can unpack
# to a thousand times their packed size, so the sizes it declares are checked before reading,
# and every part is parsed in small chunks that never hold more than one cell's text.
MAX_UNPACKED = 2048 * 1024 * 1024  # all parts of a workbook (or a gzip file) unpacked
MAX_PACK_RATIO = 100  # a spreadsheet part packs 5-20 fold; whitespace or one repeated text more
_RATIO_FLOOR = 16 * 1024 * 1024  # smaller parts may pack as tightly as they like
MAX_CELL_CHARS = 32_767  # what one Excel cell holds
MAX_TEXT = 256 * 1024 * 1024  # the workbook's shared text (UTF-8 bytes) kept while reading
XLSX_MAX_ROWS = 1_048_576  # what one Excel sheet holds
CSV_MAX_ROWS = 10_000_000
# What a web request may spend on checking an upload's header: the rows come later, in a worker.
CHECK_SCAN_LIMIT = 16 * 1024 * 1024
CHECK_TIME_LIMIT = 20
_MAX_MEMBERS = 10_000
_MAX_COLUMNS = 1024  # cells further right are ignored: no list has that many columns
_MAX_TOKEN = 1024 * 1024  # no tag or attribute of a workbook part is longer
_XML_CHUNK = 32 * 1024

MSG_REQUIRED = gettext_noop("The cell is empty; this column must be filled in.")
MSG_TOO_LONG = gettext_noop("The value has %(length)s characters; at most %(max)s are allowed.")
MSG_FIELD_COUNT = gettext_noop(
    "The row has %(found)s cells but the header has %(expected)s; a separator inside a value "
    "(for example in an address) may have shifted the columns."
)
MSG_DIGITS_LOST = gettext_noop(
    "The value %(value)s was stored as a number by a spreadsheet and its last digits are "
    "lost. Format the column as Text and enter the value again."
)
MSG_NUMBER_NIK = gettext_noop(
    "The NIK is stored as a number in the spreadsheet (%(value)s); a number keeps only 15 "
    "digits, so the NIK cannot be trusted. Format the column as Text and enter the full "
    "16-digit NIK again."
)
MSG_NUMBER_KK = gettext_noop(
    "The family card number (KK) is stored as a number in the spreadsheet (%(value)s); a "
    "number keeps only 15 digits, so it cannot be trusted. Format the column as Text and "
    "enter the full 16-digit number again."
)
MSG_DATE_UNREADABLE = gettext_noop(
    "The date %(value)s cannot be read; write it as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."
)
MSG_DATE_NO_SUCH_DAY = gettext_noop(
    "The date %(value)s does not exist in the calendar; check the day and the month."
)
MSG_DATE_FUTURE = gettext_noop("The date %(value)s lies in the future.")
MSG_DATE_TOO_OLD = gettext_noop("The date %(value)s is before 1900.")
MSG_SEX_INVALID = gettext_noop(
    "The sex %(value)s is not recognised; write L (laki-laki) or P (perempuan)."
)
MSG_VILLAGE_INVALID = gettext_noop(
    "The village code %(value)s is not a Kemendagri village code; write it as "
    "NN.NN.NN.NNNN (for example 16.02.05.1002) or as its 10 digits."
)
MSG_VILLAGE_UNKNOWN = gettext_noop(
    "The village code %(value)s is not in the current list of villages."
)
MSG_DECILE_INVALID = gettext_noop("The decile %(value)s is not a whole number from 1 to 10.")
MSG_FORMULA_NO_VALUE = gettext_noop(
    "The cell holds the formula %(formula)s, whose result was not saved in the file. Open the "
    "file in the spreadsheet and save it again, or paste the column as values, and upload it "
    "again."
)

MSG_FILE_EMPTY = gettext_noop("The file is empty.")
MSG_FILE_NO_ROWS = gettext_noop("The file has column headings but no rows below them.")
MSG_FILE_UNREADABLE = gettext_noop(
    "The file cannot be read as CSV or XLSX (%(reason)s). Save it from the spreadsheet as "
    "CSV or as an Excel workbook (.xlsx) and upload it again."
)
MSG_FILE_BINARY = gettext_noop(
    "The file is neither CSV nor XLSX: it holds binary data, as a picture, a PDF or a damaged "
    "file does. Save the list from the spreadsheet as CSV or as an Excel workbook (.xlsx) and "
    "upload it again."
)
MSG_XLSX_DAMAGED = gettext_noop(
    "The file starts like an Excel workbook (.xlsx) but is damaged or incomplete; it may have "
    "been cut off while it was copied or sent. Open it in the spreadsheet, save it again and "
    "upload it again."
)
MSG_FILE_OLD_EXCEL = gettext_noop(
    "The file is in the old Excel format (.xls). Save it as an Excel workbook (.xlsx) or as "
    "CSV and upload it again."
)
MSG_COLUMNS_MISSING = gettext_noop(
    "The file lacks the required column(s) %(missing)s. Columns found: %(found)s."
)
MSG_COLUMN_TWICE = gettext_noop(
    "The column %(column)s appears more than once in the header, as %(headings)s. Keep one of them."
)
MSG_FILE_TOO_LARGE_UNPACKED = gettext_noop(
    "The file unpacks to %(size)s MB; at most %(limit)s MB can be read. Split the list "
    "into smaller files, or save it as CSV, and upload it again."
)
MSG_FILE_PACKED_TOO_TIGHT = gettext_noop(
    "The file unpacks from %(packed)s MB to %(size)s MB, far more than a spreadsheet "
    "does; the file is damaged or was not made by a spreadsheet program. Save the list again "
    "from the spreadsheet and upload it again."
)
MSG_FILE_TEXT_TOO_LARGE = gettext_noop(
    "The workbook holds more than %(limit)s MB of text; at most %(limit)s MB can be read. "
    "Split the list into smaller files and upload them one by one."
)
MSG_FILE_HEADER_TOO_DEEP = gettext_noop(
    "The column headings and the first row were not found within the first %(limit)s MB of "
    "the file. Remove the empty rows and cells above them, save the list again and upload it "
    "again."
)
MSG_FILE_TOO_SLOW = gettext_noop(
    "Reading the file took longer than %(limit)s seconds and was stopped. Split the list into "
    "smaller files, or save it as CSV, and upload it again."
)
MSG_CELL_TOO_LONG = gettext_noop(
    "A cell of the file holds more than %(limit)s characters; no list needs that much. Check "
    "the file, save it again and upload it again."
)
MSG_CSV_CELL_UNENDING = gettext_noop(
    "Row %(row)s of the file holds a cell of more than %(limit)s characters: most likely a "
    'quotation mark (") opens a value there and is never closed, so the rows below were read '
    "into that cell. Close or remove the quotation mark, save the file again and upload it "
    "again."
)
MSG_TOO_MANY_ROWS = gettext_noop(
    "The file has more than %(limit)s rows; at most %(limit)s rows can be read from one file. "
    "Split the list into smaller files and upload them one by one."
)

# An XLSX file is a zip archive; an old .xls file is an OLE2 compound document.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_GZIP_MAGIC = b"\x1f\x8b"
_SEPARATORS = (";", ",", "\t", "|")
_APOSTROPHES = "'\u2018\u2019`"
_SCAN_CHUNK = 1 << 20
# Bytes no text file holds: the control characters but tab, line breaks, form feed and the
# end-of-file mark (Ctrl-Z) that old Windows programs append.
_TEXT_BYTES = bytes(c for c in range(256) if c >= 32 or c in b"\t\n\x0b\x0c\r\x1a")
_BINARY_SAMPLE = 64 * 1024
# Floats represent every integer up to 2**53 exactly, but a spreadsheet keeps 15 digits.
_EXACT_DIGITS = 15

_VILLAGE_DOTTED = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
_DATE_DMY = re.compile(r"(\d{1,2})([-/])(\d{1,2})\2(\d{4})")
_DATE_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DECILE_TEXT = re.compile(r"(\d{1,2})(?:[.,]0+)?")
_SEX_WORDS = {
    "L": MALE, "LK": MALE, "LAKI-LAKI": MALE, "LAKI LAKI": MALE, "LAKI": MALE,
    "P": FEMALE, "PR": FEMALE, "PEREMPUAN": FEMALE, "WANITA": FEMALE,
}  # fmt: skip


class CellError(NamedTuple):
    """One problem in one cell; `column` is the schema's column name ("" for the whole row)."""

    column: str
    code: str
    message: str
    params: dict

    def render(self, translate=lambda s: s) -> str:
        return translate(self.message) % self.params


class TabularError(Exception):
    """The file as a whole cannot be used; raised before any row is read."""

    def __init__(self, code: str, message: str, params: dict | None = None):
        self.code = code
        self.message = message
        self.params = params or {}
        super().__init__(self.render())

    def render(self, translate=lambda s: s) -> str:
        return translate(self.message) % self.params


@dataclass(frozen=True)
class Column:
    """A column the schema knows: its name in the files, how to read it, what it demands.

    `required`: the header must have it; `blank`: a cell may be empty (read as "" or None).
    """

    name: str
    kind: str = TEXT
    required: bool = True
    blank: bool = False
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        return {header_key(name) for name in (self.name, *self.aliases)}


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# The columns of DESIGN.md ("Data that crosses the border"), with the headings seen in practice.
STANDARD_COLUMNS = {
    column.name: column
    for column in (
        Column("id_dtsen", IDENTIFIER, max_length=40),
        Column("nik", NIK),
        Column("no_kk", KK, aliases=("nomor_kk", "nokk", "kk")),
        Column("nama", TEXT, max_length=150, aliases=("nama_lengkap",)),
        Column("tgl_lahir", DATE, aliases=("tanggal_lahir",)),
        Column("jenis_kelamin", SEX, aliases=("jk", "l/p")),
        Column("kode_wilayah", VILLAGE, aliases=("kode_desa", "kode_kelurahan")),
        Column("alamat", TEXT, max_length=255),
        Column("desil", DECILE, aliases=("decile",)),
    )
}


def standard_schema(
    *, required: Iterable[str], optional: Iterable[str] = (), blank: Iterable[str] = ()
) -> Schema:
    """A schema of standard columns: `required` ones must be in the header, `optional` ones
    may be; a cell of a column in `blank` may be empty."""
    blank = set(blank)
    columns = [replace(STANDARD_COLUMNS[name], required=True) for name in required]
    columns += [replace(STANDARD_COLUMNS[name], required=False) for name in optional]
    return Schema(columns=tuple(replace(c, blank=c.name in blank) for c in columns))


def is_dotted_village(text: str) -> bool:
    """Whether ``text`` has the shape of a dotted village code (16.02.05.1002)."""
    return bool(_VILLAGE_DOTTED.fullmatch(text))


def header_key(text) -> str:
    """Headings compare without case, spaces, underscores, dashes or dots: "Tgl Lahir" matches."""
    return re.sub(r"[\s_.\-]+", "", str(text or "").strip().lstrip(_APOSTROPHES).lower())


@dataclass(slots=True)
class Row:
    """One data row: `number` as the spreadsheet shows it (the header is row 1 or later).

    `values` holds every schema column: the value read, "" (None for dates and deciles) for
    an empty cell or a column the file lacks, and None for a cell with an error.
    """

    number: int
    values: dict
    errors: list[CellError]
    record: Sequence
    positions: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def raw(self) -> dict:
        """The cells as they were in the file, by column name; columns it lacks are left out."""
        size = len(self.record)
        return {
            name: self.record[position] if position < size else None
            for name, position in self.positions.items()
        }


# --- cell readers -------------------------------------------------------------------------
# Each takes a non-empty cell (text from CSV; text, number or date from XLSX) and returns
# the value, or raises _Refused with the cell's error.


class _Refused(Exception):
    def __init__(self, error: CellError):
        self.error = error


def _refuse(column: Column, code: str, message: str, **params):
    raise _Refused(CellError(column.name, code, message, params))


def _is_blank(cell) -> bool:
    return cell is None or (cell.__class__ is str and (not cell or cell.isspace()))


def _is_number(cell) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _number_text(value: float | int) -> str:
    """How a spreadsheet shows a long number: 1.60205E+15."""
    if abs(value) >= 10**_EXACT_DIGITS:
        return f"{float(value):.5E}".replace("E+0", "E+")
    return str(int(value)) if float(value).is_integer() else repr(value)


def _text_of(cell, column: Column) -> str:
    """A cell as text; a long number that may have lost digits is refused."""
    if cell.__class__ is str:
        return cell
    if _is_number(cell):
        if isinstance(cell, float) and not cell.is_integer():
            return repr(cell)
        if abs(cell) >= 10**_EXACT_DIGITS:
            _refuse(column, DIGITS_LOST, MSG_DIGITS_LOST, value=_number_text(cell))
        return str(int(cell))
    if isinstance(cell, datetime.datetime | datetime.date):
        return cell.isoformat()
    return str(cell)


def read_text(cell, column: Column, context: _Context) -> str:
    value = " ".join(_text_of(cell, column).split())
    if column.max_length is not None and len(value) > column.max_length:
        _refuse(column, TOO_LONG, MSG_TOO_LONG, length=len(value), max=column.max_length)
    return value


def read_identifier(cell, column: Column, context: _Context) -> str:
    value = "".join(_text_of(cell, column).split()).lstrip(_APOSTROPHES)
    if column.max_length is not None and len(value) > column.max_length:
        _refuse(column, TOO_LONG, MSG_TOO_LONG, length=len(value), max=column.max_length)
    return value


def _nik_fast(value: str) -> bool:
    """An exact shortcut of `parse_nik` for the common case, which it would also accept:
    16 ASCII digits, a day 01-28 (or 41-68), a month 01-12 and a serial other than 0000.
    Such a date exists in every year, and without an entered birth date never lies ahead."""
    if len(value) != 16 or not value.isdigit() or not value.isascii():
        return False
    day = value[6:8]
    return (
        ("01" <= day <= "28" or "41" <= day <= "68")
        and "01" <= value[8:10] <= "12"
        and value[12:] != "0000"
    )


def read_nik(cell, column: Column, context: _Context) -> str:
    if cell.__class__ is not str:
        if _is_number(cell):
            _refuse(column, NIK_SCIENTIFIC, MSG_NUMBER_NIK, value=_number_text(cell))
        cell = str(cell)
    text = cell.strip()
    if _nik_fast(text):
        return text
    result = parse_nik(text, today=context.today)
    if result.ok:
        return result.value
    issue = result.errors[0]
    code = NIK_SCIENTIFIC if issue.code == "scientific_notation" else NIK_INVALID
    raise _Refused(CellError(column.name, code, issue.message, issue.params))


def read_kk(cell, column: Column, context: _Context) -> str:
    if cell.__class__ is not str:
        if _is_number(cell):
            _refuse(column, KK_SCIENTIFIC, MSG_NUMBER_KK, value=_number_text(cell))
        cell = str(cell)
    text = cell.strip()
    if len(text) == 16 and text.isdigit() and text.isascii() and text[12:] != "0000":
        return text
    result = validate_kk(text)
    if result.ok:
        return result.value
    issue = result.errors[0]
    code = KK_SCIENTIFIC if issue.code == "scientific_notation" else KK_INVALID
    raise _Refused(CellError(column.name, code, issue.message, issue.params))


def parse_date(text: str) -> datetime.date | None:
    """YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (day and month may have one digit), with or
    without a time of day after it; None when it is none of these or not in the calendar."""
    text = text.strip()
    if len(text) > 10:
        text = text.split(" ", 1)[0].split("T", 1)[0]
    try:
        if len(text) == 10 and text.isascii():
            if text[4] == "-" and text[7] == "-":
                return datetime.date.fromisoformat(text)
            if text[2] == text[5] and text[2] in "-/":
                return datetime.date.fromisoformat(f"{text[6:10]}-{text[3:5]}-{text[0:2]}")
        if match := _DATE_DMY.fullmatch(text):
            return datetime.date(int(match[4]), int(match[3]), int(match[1]))
        if match := _DATE_YMD.fullmatch(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def read_date(cell, column: Column, context: _Context) -> datetime.date:
    if cell.__class__ is str:
        value = parse_date(cell)
    elif isinstance(cell, datetime.datetime):
        value = cell.date()
    elif isinstance(cell, datetime.date):
        value = cell
    else:
        value = None
    if value is None or value > context.today or value.year < 1900:
        shown = str(cell).strip()[:40]
        if value is None:
            day = shown.split(" ", 1)[0].split("T", 1)[0]
            written_well = _DATE_DMY.fullmatch(day) or _DATE_YMD.fullmatch(day)
            message = MSG_DATE_NO_SUCH_DAY if written_well else MSG_DATE_UNREADABLE
            _refuse(column, DATE_UNREADABLE, message, value=shown)
        message = MSG_DATE_FUTURE if value > context.today else MSG_DATE_TOO_OLD
        _refuse(column, DATE_OUT_OF_RANGE, message, value=shown)
    return value


def read_sex(cell, column: Column, context: _Context) -> str:
    value = _SEX_WORDS.get(cell) if cell.__class__ is str else None
    if value is None:
        value = _SEX_WORDS.get(" ".join(str(cell).split()).upper())
        if value is None:
            _refuse(column, SEX_INVALID, MSG_SEX_INVALID, value=str(cell).strip()[:20])
    return value


def read_village(cell, column: Column, context: _Context) -> str:
    known = context.known_villages
    if known is not None and cell.__class__ is str and cell in known:
        return cell
    code = _text_of(cell, column).strip().lstrip(_APOSTROPHES).strip()
    if len(code) == 10 and code.isdigit() and code.isascii():
        code = f"{code[0:2]}.{code[2:4]}.{code[4:6]}.{code[6:10]}"
    elif not _VILLAGE_DOTTED.fullmatch(code):
        _refuse(column, VILLAGE_INVALID, MSG_VILLAGE_INVALID, value=code[:20])
    if known is not None and code not in known:
        _refuse(column, VILLAGE_UNKNOWN, MSG_VILLAGE_UNKNOWN, value=code)
    return code


def read_decile(cell, column: Column, context: _Context) -> int:
    value = None
    if cell.__class__ is str:
        text = cell.strip()
        if text.isdigit() and len(text) <= 2:
            value = int(text)
        elif match := _DECILE_TEXT.fullmatch(text):
            value = int(match[1])
    elif _is_number(cell) and float(cell).is_integer():
        value = int(cell)
    if value is None or not 1 <= value <= 10:
        _refuse(column, DECILE_INVALID, MSG_DECILE_INVALID, value=str(cell).strip()[:20])
    return value


READERS = {
    TEXT: read_text, IDENTIFIER: read_identifier, NIK: read_nik, KK: read_kk,
    DATE: read_date, SEX: read_sex, VILLAGE: read_village, DECILE: read_decile,
}  # fmt: skip


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    today: datetime.date
    known_villages: Container[str] | None


class Table:
    """An opened, checked file: the schema `columns` it has, their `headings` as written,
    `estimated_rows` (or None), and its data rows when iterated (once). Close it, or use it
    as a context manager."""

    def __init__(self, schema: Schema, opened: _Opened, context: _Context):
        self.schema = schema
        self.kind = opened.kind
        self.estimated_rows = opened.estimate
        self.header_row = opened.header_row
        self.positions = _map_header(schema, opened.header)
        self.columns = tuple(c.name for c in schema.columns if c.name in self.positions)
        # Each column's heading as the file writes it ("Tanggal Lahir" for tgl_lahir): a
        # problem is reported under the name the user sees in the spreadsheet.
        self.headings = {
            name: " ".join(str(opened.header[index]).split()) or name
            for name, index in self.positions.items()
        }
        self._opened = opened
        self._context = context
        self._first = self._peek()
        opened.budget.opened()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def _peek(self) -> tuple[int, list]:
        """Read ahead to the first data row, so that a file with none is a file error."""
        for number, record in self._opened.records:
            if not _all_blank(record):
                return number, record
        raise TabularError(FILE_NO_ROWS, MSG_FILE_NO_ROWS)

    def __iter__(self) -> Iterator[Row]:
        columns = self.schema.columns
        positions = self.positions
        plan = [
            (c.name, positions[c.name], c, READERS[c.kind], c.blank, _empty_value(c))
            for c in columns
            if c.name in positions
        ]
        absent = {c.name: _empty_value(c) for c in columns if c.name not in positions}
        width = len(self._opened.header)
        check_width = self._opened.kind != "xlsx"
        context = self._context
        for number, record in itertools.chain((self._first,), self._opened.records):
            size = len(record)
            errors: list[CellError] = []
            values = absent.copy()
            blank = True
            for name, position, column, read, may_be_blank, empty in plan:
                cell = record[position] if position < size else None
                if cell is None or cell == "" or (cell.__class__ is str and cell.isspace()):
                    values[name] = empty
                    if not may_be_blank:
                        errors.append(CellError(name, REQUIRED, MSG_REQUIRED, {}))
                    continue
                blank = False
                if cell.__class__ is Formula:
                    values[name] = None
                    params = {"formula": cell.shown()}
                    errors.append(CellError(name, FORMULA_NO_VALUE, MSG_FORMULA_NO_VALUE, params))
                    continue
                try:
                    values[name] = read(cell, column, context)
                except _Refused as refused:
                    values[name] = None
                    errors.append(refused.error)
            if blank and _all_blank(record):
                continue
            if check_width and size > width and not _all_blank(record[width:]):
                params = {"found": size, "expected": width}
                errors.insert(0, CellError("", FIELD_COUNT, MSG_FIELD_COUNT, params))
            yield Row(number, values, errors, record, positions)


def _empty_value(column: Column):
    return None if column.kind in (DATE, DECILE) else ""


def _all_blank(cells) -> bool:
    return all(_is_blank(cell) for cell in cells)


def _map_header(schema: Schema, header: list[str]) -> dict[str, int]:
    by_key = {key: column for column in schema.columns for key in column.header_keys()}
    positions: dict[str, int] = {}
    for index, heading in enumerate(header):
        column = by_key.get(header_key(heading))
        if column is None:
            continue
        if column.name in positions:
            twice = (header[positions[column.name]], heading)
            headings = " / ".join(f'"{" ".join(str(h).split())}"' for h in twice)
            raise TabularError(
                COLUMN_TWICE, MSG_COLUMN_TWICE, {"column": column.name, "headings": headings}
            )
        positions[column.name] = index
    missing = [c.name for c in schema.columns if c.required and c.name not in positions]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip()) or "-"
        raise TabularError(
            COLUMNS_MISSING, MSG_COLUMNS_MISSING, {"missing": ", ".join(missing), "found": found}
        )
    return positions


class _Budget:
    """What reading may still cost: the bytes to scan before the header and first row are
    found (None: no limit), a deadline, and the other limits of `open_table`."""

    def __init__(self, *, scan, time_limit, max_unpacked, max_cell, max_text, max_rows):
        self.scan = scan
        self.scan_limit = scan
        self.time_limit = time_limit
        self.deadline = None if time_limit is None else time.monotonic() + time_limit
        self.max_unpacked = max_unpacked
        self.max_cell = max_cell
        self.max_text = max_text
        self.max_rows = max_rows

    def spend(self, size: int) -> None:
        if self.scan is not None:
            self.scan -= size
            if self.scan < 0:
                raise TabularError(
                    FILE_HEADER_TOO_DEEP, MSG_FILE_HEADER_TOO_DEEP, {"limit": _mb(self.scan_limit)}
                )
        self.check_time()

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TabularError(FILE_TOO_SLOW, MSG_FILE_TOO_SLOW, {"limit": round(self.time_limit)})

    def opened(self) -> None:
        """The header and first row are read: the rows that follow are not scanning."""
        self.scan = None


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}" if size >= 1024 * 1024 else f"{size / 1024 / 1024:.1f}"


@dataclass
class _Opened:
    """A file opened by one of the readers, positioned after its header row."""

    header: list[str]
    header_row: int
    records: Iterator[tuple[int, Sequence]]
    estimate: int | None
    close: Callable[[], None]
    kind: str  # "csv", "csv.gz" or "xlsx"
    budget: _Budget = field(default=None)


# A time limit for every file read in this context (a worker task sets one; see `time_budget`).
_time_budget: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "tabular_time_budget", default=None
)


@contextlib.contextmanager
def time_budget(seconds: float):
    """Files opened inside this block stop with FILE_TOO_SLOW once `seconds` have passed."""
    token = _time_budget.set(seconds)
    try:
        yield
    finally:
        _time_budget.reset(token)


def open_table(
    source: str | Path | BinaryIO,
    schema: Schema,
    *,
    known_villages: Container[str] | None = None,
    today: datetime.date | None = None,
    max_unpacked: int = MAX_UNPACKED,
    max_cell: int = MAX_CELL_CHARS,
    max_text: int = MAX_TEXT,
    max_rows: int | None = None,
    scan_limit: int | None = None,
    time_limit: float | None = None,
) -> Table:
    """Open a CSV or XLSX file (told apart by content), check its header and first row.

    `source` is a path or a binary stream (read from its start; the caller's stream is left
    open). `known_villages`, when given, makes a village code outside it a cell error.
    Reading is bounded: `max_unpacked` bytes unpacked (XLSX, gzip), `max_cell` characters in
    a cell and `max_text` bytes of shared text (XLSX), `max_rows` rows (by default what the
    format holds), `scan_limit` bytes read before the header and first row are found, and
    `time_limit` seconds in all (by default that of `time_budget`). Raises TabularError.
    """
    if time_limit is None:
        time_limit = _time_budget.get()
    budget = _Budget(
        scan=scan_limit, time_limit=time_limit, max_unpacked=max_unpacked, max_cell=max_cell,
        max_text=max_text, max_rows=max_rows,
    )  # fmt: skip
    stream, close_stream = _binary(source)
    try:
        head = stream.read(8)
        stream.seek(0)
        if not head:
            raise TabularError(FILE_EMPTY, MSG_FILE_EMPTY)
        if head.startswith(_OLE2_MAGIC):
            raise TabularError(FILE_OLD_EXCEL, MSG_FILE_OLD_EXCEL)
        if head.startswith(_ZIP_MAGIC):
            opened = _open_xlsx(stream, budget)
        elif head.startswith(_GZIP_MAGIC):
            opened = _open_gzip(stream, budget)
        else:
            opened = _open_csv(stream, budget)
        opened.budget = budget
    except BaseException:
        close_stream()
        raise
    reader_close = opened.close

    def close():
        reader_close()
        close_stream()

    opened.close = close
    try:
        return Table(schema, opened, _Context(today or datetime.date.today(), known_villages))
    except BaseException:
        close()
        raise


def _binary(source) -> tuple[BinaryIO, Callable[[], None]]:
    """A seekable binary stream over the source, and how to close what was opened here."""
    if isinstance(source, str | Path):
        handle = open(source, "rb")  # noqa: SIM115 - closed by the table
        return handle, handle.close
    if hasattr(source, "seekable") and source.seekable():
        source.seek(0)
        return source, lambda: None
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the table
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool, spool.close


# --- CSV ----------------------------------------------------------------------------------


def _detect_encoding(
    stream: BinaryIO, budget: _Budget, packed: BinaryIO | None = None
) -> tuple[str, int]:
    """UTF-16 by its byte-order mark; else UTF-8 if every byte of the file decodes as UTF-8,
    else Windows-1252. Also counts the line breaks, for the progress estimate.

    `packed` is the compressed file under a gzip `stream`: what it unpacks to is bounded."""
    start = stream.read(4)
    stream.seek(0)
    utf16 = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16 and packed is None:
        return "utf-16", 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = not utf16
    lines = 0
    unpacked = 0
    while chunk := stream.read(_SCAN_CHUNK):
        budget.check_time()
        if packed is not None:
            unpacked += len(chunk)
            _check_unpacked(unpacked, packed.tell(), budget)
        if utf16:
            continue
        lines += chunk.count(b"\n")
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    stream.seek(0)
    if utf16:
        return "utf-16", 0
    return ("utf-8-sig" if utf8 else "cp1252"), lines


def _check_unpacked(unpacked: int, packed: int, budget: _Budget) -> None:
    if unpacked > budget.max_unpacked:
        raise TabularError(
            FILE_TOO_LARGE_UNPACKED,
            MSG_FILE_TOO_LARGE_UNPACKED,
            {"size": _mb(unpacked), "limit": _mb(budget.max_unpacked)},
        )
    if unpacked > _RATIO_FLOOR and unpacked > MAX_PACK_RATIO * max(packed, 1):
        raise TabularError(
            FILE_PACKED_TOO_TIGHT,
            MSG_FILE_PACKED_TOO_TIGHT,
            {"packed": _mb(packed), "size": _mb(unpacked)},
        )


def _is_binary(stream: BinaryIO) -> bool:
    """Whether the start of the file holds the control bytes of binary data, more than one in
    a hundred (text has none but tabs and line breaks); UTF-16 text is told by its mark."""
    sample = stream.read(_BINARY_SAMPLE)
    stream.seek(0)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = len(sample.translate(None, _TEXT_BYTES))
    return controls >= 4 and controls * 100 > len(sample)


def _open_csv(stream: BinaryIO, budget: _Budget, packed: BinaryIO | None = None) -> _Opened:
    if _is_binary(stream):
        raise TabularError(FILE_BINARY, MSG_FILE_BINARY)
    encoding, lines = _detect_encoding(stream, budget, packed)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        return _read_csv_header(text, lines, budget)
    except BaseException:
        text.detach()  # leave the stream to its owner
        raise


def _read_csv_header(text: io.TextIOWrapper, lines: int, budget: _Budget) -> _Opened:
    sample = text.read(64 * 1024).lstrip("\ufeff").splitlines()
    text.seek(0)
    first = sample[0].strip() if sample else ""
    skipped = 0
    # Excel's hint line "sep=;" names the separator; Excel does not show it as a row.
    if len(first) == 5 and first[:4].lower() == "sep=":
        delimiter = first[4]
        text.readline()
        skipped = 1
    else:
        header_line = next((line for line in sample if line.strip()), "")
        delimiter = max(_SEPARATORS, key=header_line.count)
        if header_line.count(delimiter) == 0:
            delimiter = ","
    records = _numbered_csv(csv.reader(text, delimiter=delimiter), budget)
    for number, record in records:
        if any(cell.strip() for cell in record):
            header = [cell.lstrip("\ufeff") for cell in record]
            estimate = max(lines - skipped - number, 0) if lines else None
            return _Opened(header, number, records, estimate, text.detach, "csv")
    raise TabularError(FILE_EMPTY, MSG_FILE_EMPTY)


def _open_gzip(stream: BinaryIO, budget: _Budget) -> _Opened:
    """A gzip-compressed CSV file (a register extract is large; it compresses five-fold)."""
    unpacked = gzip.GzipFile(fileobj=stream, mode="rb")
    try:
        unpacked.peek(1)
        opened = _open_csv(unpacked, budget, packed=stream)
    except (OSError, EOFError) as exc:
        unpacked.close()
        reason = str(exc) or exc.__class__.__name__
        raise TabularError(FILE_UNREADABLE, MSG_FILE_UNREADABLE, {"reason": reason}) from exc
    except BaseException:
        unpacked.close()
        raise
    close_text = opened.close

    def close():
        close_text()
        unpacked.close()

    opened.close = close
    opened.kind = "csv.gz"
    return opened


def _numbered_csv(reader, budget: _Budget) -> Iterator[tuple[int, list]]:
    limit = CSV_MAX_ROWS if budget.max_rows is None else budget.max_rows
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if number & 0xFFF == 0:
                budget.check_time()
            if number > limit:
                raise TabularError(TOO_MANY_ROWS, MSG_TOO_MANY_ROWS, {"limit": limit})
            yield number, record
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            params = {"row": number + 1, "limit": csv.field_size_limit()}
            raise TabularError(CSV_CELL_UNENDING, MSG_CSV_CELL_UNENDING, params) from exc
        reason = f"line {reader.line_num}: {exc}"
        raise TabularError(FILE_UNREADABLE, MSG_FILE_UNREADABLE, {"reason": reason}) from exc


# --- XLSX ---------------------------------------------------------------------------------
# Read with the standard library, part by part in small chunks: the sizes the archive declares
# are checked first (a part never unpacks to more than it declares), and the parsers keep no
# text but that of the cell being read. openpyxl, which holds the shared strings and any long
# run of text whole, only writes workbooks here.

_REL_OFFICE_DOCUMENT = "/officeDocument"
_REL_WORKSHEET = "/worksheet"
_REL_SHARED_STRINGS = "/sharedStrings"
_REL_STYLES = "/styles"


def _unreadable(reason: str) -> TabularError:
    return TabularError(FILE_UNREADABLE, MSG_FILE_UNREADABLE, {"reason": reason})


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


def _check_archive(stream: BinaryIO, budget: _Budget) -> zipfile.ZipFile:
    """Open the zip archive once its declared sizes are known to be bounded."""
    # The central directory's own size comes first: each entry costs memory to list.
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_size = min(size, 65_535 + 22)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at >= 0 and at + 22 <= len(tail):
        entries, directory = struct.unpack("<10xHL6x", tail[at : at + 22])
        if entries > _MAX_MEMBERS or directory > _MAX_MEMBERS * 1024:
            raise _unreadable(f"the archive lists more than {_MAX_MEMBERS} parts")
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise TabularError(FILE_UNREADABLE, MSG_XLSX_DAMAGED) from exc
    members = archive.infolist()
    if len(members) > _MAX_MEMBERS:
        raise _unreadable(f"the archive lists more than {_MAX_MEMBERS} parts")
    unpacked = sum(info.file_size for info in members)
    if unpacked > budget.max_unpacked:
        raise TabularError(
            FILE_TOO_LARGE_UNPACKED,
            MSG_FILE_TOO_LARGE_UNPACKED,
            {"size": _mb(unpacked), "limit": _mb(budget.max_unpacked)},
        )
    for info in members:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_PACK_RATIO * max(
            info.compress_size, 1
        ):
            raise TabularError(
                FILE_PACKED_TOO_TIGHT,
                MSG_FILE_PACKED_TOO_TIGHT,
                {"packed": _mb(info.compress_size), "size": _mb(info.file_size)},
            )
    return archive


class _Part:
    """One XML part of the workbook, fed to expat one chunk at a time (`step`)."""

    def __init__(self, archive: zipfile.ZipFile, name: str, budget: _Budget, handler):
        self.name = name
        self.budget = budget
        try:
            self.file = archive.open(name)
        except (KeyError, zipfile.BadZipFile, NotImplementedError, OSError) as exc:
            raise _unreadable(f"{name}: {exc}") from exc
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = _XML_CHUNK
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.text
        parser.StartDoctypeDeclHandler = self._no_doctype
        parser.EntityDeclHandler = self._no_doctype
        self.parser = parser
        self.fed = 0
        self.done = False

    def _no_doctype(self, *args):
        raise _unreadable(f"{self.name}: a document type declaration")

    def step(self) -> bool:
        """Parse the next chunk; False once the part is at its end."""
        if self.done:
            return False
        try:
            chunk = self.file.read(_XML_CHUNK)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise _unreadable(f"{self.name}: {exc}") from exc
        self.budget.spend(len(chunk))
        try:
            self.parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            raise _unreadable(f"{self.name}: {exc}") from exc
        self.fed += len(chunk)
        # Expat keeps an unfinished tag whole: a tag or attribute without end is refused.
        if self.fed - max(self.parser.CurrentByteIndex, 0) > _MAX_TOKEN:
            raise _unreadable(f"{self.name}: a tag longer than {_MAX_TOKEN // 1024} kB")
        if not chunk:
            self.close()
            return False
        return True

    def run(self) -> None:
        while self.step():
            pass

    def close(self) -> None:
        self.done = True
        self.file.close()


class _Ignore:
    def start(self, name, attrs):
        pass

    def end(self, name):
        pass

    def text(self, data):
        pass


class _Relationships(_Ignore):
    """The targets of a .rels part, by id, and the first of each type wanted."""

    def __init__(self, ids: Container[str] = (), types: Iterable[str] = ()):
        self.ids = ids
        self.types = tuple(types)
        self.by_id: dict[str, str] = {}
        self.by_type: dict[str, str] = {}

    def start(self, name, attrs):
        if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        if attrs.get("Id") in self.ids:
            self.by_id[attrs["Id"]] = target
        kind = attrs.get("Type", "")
        for wanted in self.types:
            if kind.endswith(wanted):
                self.by_type.setdefault(wanted, target)


class _WorkbookPart(_Ignore):
    """The first sheet's relationship id, and whether dates count from 1904."""

    def __init__(self):
        self.sheet_ids: list[str] = []
        self.date1904 = False

    def start(self, name, attrs):
        name = _local(name)
        if name == "sheet" and len(self.sheet_ids) < 256:
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            if rid:
                self.sheet_ids.append(rid)
        elif name == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _StylesPart(_Ignore):
    """Which cell styles (cellXfs indices) show a number as a date or a duration."""

    def __init__(self):
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_xfs = False

    def start(self, name, attrs):
        name = _local(name)
        if name == "numFmt" and len(self.custom) < 65_536:
            with contextlib.suppress(KeyError, ValueError):
                self.custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            self.in_xfs = True
        elif name == "xf" and self.in_xfs and len(self.formats) < 65_536:
            try:
                self.formats.append(int(attrs.get("numFmtId", 0)))
            except ValueError:
                self.formats.append(0)

    def end(self, name):
        if _local(name) == "cellXfs":
            self.in_xfs = False

    def date_styles(self) -> tuple[frozenset, frozenset]:
        from openpyxl.styles.numbers import (
            builtin_format_code,
            is_date_format,
            is_timedelta_format,
        )

        dates, durations = set(), set()
        for index, number_format in enumerate(self.formats):
            code = self.custom.get(number_format) or builtin_format_code(number_format)
            if code and is_date_format(code):
                dates.add(index)
                if is_timedelta_format(code):
                    durations.add(index)
        return frozenset(dates), frozenset(durations)


class _Text:
    """Collects the text of one cell or string, never more than `limit` characters."""

    __slots__ = ("limit", "pieces", "size")

    def __init__(self, limit: int):
        self.limit = limit
        self.pieces: list[str] = []
        self.size = 0

    def add(self, data: str) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TabularError(CELL_TOO_LONG, MSG_CELL_TOO_LONG, {"limit": self.limit})
        self.pieces.append(data)

    def value(self) -> str:
        return "".join(self.pieces).replace("x005F_", "")


class _SharedStrings(_Ignore):
    """The workbook's table of strings, read only as far as a cell needs it and kept packed
    (UTF-8 in one buffer) to hold a whole register in little memory."""

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.data = bytearray()
        self.ends = array("Q")
        self.part: _Part | None = None
        self.current: _Text | None = None
        self.collect: _Text | None = None
        self.phonetic = 0

    def attach(self, part: _Part) -> None:
        self.part = part

    def get(self, index: int) -> str:
        ends = self.ends
        while index >= len(ends):
            if self.part is None or not self.part.step():
                raise _unreadable(f"shared string {index} is missing")
        start = ends[index - 1] if index else 0
        return self.data[start : ends[index]].decode()

    def start(self, name, attrs):
        name = _local(name)
        if name == "si":
            self.current = _Text(self.budget.max_cell)
        elif name == "t" and self.current is not None and not self.phonetic:
            self.collect = self.current
        elif name == "rPh":
            self.phonetic += 1

    def text(self, data):
        if self.collect is not None:
            self.collect.add(data)

    def end(self, name):
        name = _local(name)
        if name == "t":
            self.collect = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.current is not None:
            self.data += self.current.value().encode()
            if len(self.data) > self.budget.max_text:
                raise TabularError(
                    FILE_TEXT_TOO_LARGE,
                    MSG_FILE_TEXT_TOO_LARGE,
                    {"limit": _mb(self.budget.max_text)},
                )
            self.ends.append(len(self.data))
            self.current = None

    def close(self) -> None:
        if self.part is not None:
            self.part.close()


class Formula:
    """An XLSX cell that holds a formula but not its result (the cached value a spreadsheet
    saves with it, and which is read instead when present)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return "=" + self.text

    def shown(self, limit: int = 40) -> str:
        text = str(self)
        return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _column_of(ref: str) -> int:
    """The 0-based column of a cell reference ("C5" -> 2); -1 when it has none."""
    column = 0
    for char in ref:
        code = ord(char) | 0x20  # lower case
        if 97 <= code <= 122:
            column = column * 26 + code - 96
        else:
            break
    return column - 1


def _cast_number(text: str):
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _SheetPart(_Ignore):
    """The rows of a worksheet as they are parsed: (row number, cell values) in `rows`."""

    def __init__(self, strings: _SharedStrings, styles: _StylesPart | None, epoch, budget):
        self.strings = strings
        self.dates, self.durations = styles.date_styles() if styles else (frozenset(), frozenset())
        self.epoch = epoch
        self.budget = budget
        self.max_rows = XLSX_MAX_ROWS if budget.max_rows is None else budget.max_rows
        self.rows: list[tuple[int, list]] = []
        self.count = 0
        self.dimension: str | None = None
        self.row_number = 0
        self.record: list | None = None
        self.column = -1
        self.kind = "n"
        self.style = 0
        self.value: _Text | None = None
        self.collect: _Text | None = None
        self.inline = False
        self.phonetic = 0
        self.formula: _Text | None = None

    def start(self, name, attrs):
        if ":" in name:
            name = _local(name)
        if name == "c":
            ref = attrs.get("r")
            column = _column_of(ref) if ref else -1
            self.column = column if column >= 0 else self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style and style.isdigit() else 0
            self.value = None
            self.formula = None
        elif name == "f":
            self.formula = self.collect = _Text(self.budget.max_cell)
        elif name == "v" or (name == "t" and self.inline and not self.phonetic):
            if self.value is None:
                self.value = _Text(self.budget.max_cell)
            self.collect = self.value
        elif name == "row":
            self.count += 1
            if self.count > self.max_rows:
                raise TabularError(TOO_MANY_ROWS, MSG_TOO_MANY_ROWS, {"limit": self.max_rows})
            number = attrs.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
            self.record = []
            self.column = -1
        elif name == "is":
            self.inline = True
        elif name == "rPh":
            self.phonetic += 1
        elif name == "dimension":
            self.dimension = attrs.get("ref")

    def text(self, data):
        if self.collect is not None:
            self.collect.add(data)

    def end(self, name):
        if ":" in name:
            name = _local(name)
        if name == "c":
            self._cell()
        elif name in ("v", "t", "f"):
            self.collect = None
        elif name == "row":
            if self.record is not None:
                self.rows.append((self.row_number, self.record))
            self.record = None
        elif name == "is":
            self.inline = False
        elif name == "rPh":
            self.phonetic -= 1

    def _cell(self) -> None:
        record = self.record
        column = self.column
        if record is None or column >= _MAX_COLUMNS:
            return
        if self.formula is not None and (
            self.value is None or (self.kind != "str" and not self.value.size)
        ):
            # A program wrote the formula without its result: there is nothing to read.
            if column >= len(record):
                record.extend([None] * (column - len(record) + 1))
            record[column] = Formula(self.formula.value())
            self.value = self.formula = None
            return
        if self.value is None:
            return
        text = self.value.value()
        self.value = self.formula = None
        kind = self.kind
        if kind == "inlineStr":
            value = text
        elif not text:
            return
        elif kind == "s":
            try:
                value = self.strings.get(int(text))
            except ValueError as exc:
                raise _unreadable(f"shared string {text[:20]!r}") from exc
        elif kind in ("str", "e"):
            value = text
        elif kind == "b":
            value = text.strip() not in ("0", "false", "")
        elif kind == "d":
            try:
                value = datetime.datetime.fromisoformat(text.strip().rstrip("Z"))
            except ValueError:
                value = text
        else:
            try:
                value = _cast_number(text.strip())
            except ValueError:
                value = text
            else:
                if self.style in self.dates:
                    value = self._date(value)
        if column >= len(record):
            record.extend([None] * (column - len(record) + 1))
        record[column] = value

    def _date(self, number):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, self.epoch, timedelta=self.style in self.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"

    def estimate_total(self) -> int | None:
        """The last row number the sheet declares (it may be wrong)."""
        if not self.dimension:
            return None
        last = self.dimension.rpartition(":")[2]
        digits = last[len(last.rstrip("0123456789")) :]
        return int(digits) if digits else None


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_of(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _open_xlsx(stream: BinaryIO, budget: _Budget) -> _Opened:
    archive = _check_archive(stream, budget)
    strings = None
    try:
        names = set(archive.namelist())
        root = _Relationships(types=[_REL_OFFICE_DOCUMENT])
        if "_rels/.rels" in names:
            _Part(archive, "_rels/.rels", budget, root).run()
        workbook_name = _resolve("", root.by_type.get(_REL_OFFICE_DOCUMENT, "xl/workbook.xml"))
        workbook = _WorkbookPart()
        _Part(archive, workbook_name, budget, workbook).run()
        links = _Relationships(
            ids=set(workbook.sheet_ids), types=[_REL_SHARED_STRINGS, _REL_STYLES]
        )
        rels_name = _rels_of(workbook_name)
        if rels_name in names:
            _Part(archive, rels_name, budget, links).run()
        sheet_name = next(
            (
                _resolve(workbook_name, links.by_id[rid])
                for rid in workbook.sheet_ids
                if rid in links.by_id and "chartsheet" not in links.by_id[rid]
            ),
            None,
        )
        if sheet_name is None or sheet_name not in names:
            raise _unreadable("the workbook has no worksheet")

        def part_name(kind: str, default: str) -> str | None:
            target = links.by_type.get(kind)
            name = _resolve(workbook_name, target) if target else default
            return name if name in names else None

        styles = None
        if styles_name := part_name(_REL_STYLES, "xl/styles.xml"):
            styles = _StylesPart()
            _Part(archive, styles_name, budget, styles).run()
        strings = _SharedStrings(budget)
        if strings_name := part_name(_REL_SHARED_STRINGS, "xl/sharedStrings.xml"):
            strings.attach(_Part(archive, strings_name, budget, strings))
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
        sheet = _SheetPart(strings, styles, epoch, budget)
        sheet_part = _Part(archive, sheet_name, budget, sheet)
        records = _sheet_rows(sheet_part, sheet)

        def close():
            sheet_part.close()
            strings.close()
            archive.close()

        for number, record in records:
            if not _all_blank(record):
                header = ["" if cell is None else str(cell) for cell in record]
                while header and not header[-1].strip():
                    header.pop()
                declared = sheet.estimate_total()
                estimate = max(declared - number, 0) if declared else None
                return _Opened(header, number, records, estimate, close, "xlsx")
    except BaseException:
        if strings is not None:
            strings.close()
        archive.close()
        raise
    close()
    raise TabularError(FILE_EMPTY, MSG_FILE_EMPTY)


def _sheet_rows(part: _Part, sheet: _SheetPart) -> Iterator[tuple[int, list]]:
    rows = sheet.rows
    while part.step():
        if rows:
            yield from rows
            rows.clear()
    yield from rows
    rows.clear()
