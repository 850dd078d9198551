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
import csv
import datetime
import gzip
import io
import itertools
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple

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

FILE_EMPTY = "FILE_EMPTY"
FILE_NO_ROWS = "FILE_NO_ROWS"
FILE_UNREADABLE = "FILE_UNREADABLE"
FILE_OLD_EXCEL = "FILE_OLD_EXCEL"
COLUMNS_MISSING = "COLUMNS_MISSING"
COLUMN_TWICE = "COLUMN_TWICE"

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

MSG_FILE_EMPTY = gettext_noop("The file is empty.")
MSG_FILE_NO_ROWS = gettext_noop("The file has column headings but no rows below them.")
MSG_FILE_UNREADABLE = gettext_noop(
    "The file cannot be read as CSV or XLSX (%(reason)s). Save it from the spreadsheet as "
    "CSV or as an Excel workbook (.xlsx) and upload it again."
)
MSG_FILE_OLD_EXCEL = gettext_noop(
    "The file is in the old Excel format (.xls). Save it as an Excel workbook (.xlsx) or as "
    "CSV and upload it again."
)
MSG_COLUMNS_MISSING = gettext_noop(
    "The file lacks the required column(s) %(missing)s. Columns found: %(found)s."
)
MSG_COLUMN_TWICE = gettext_noop("The column %(column)s appears more than once in the header.")

# An XLSX file is a zip archive; an old .xls file is an OLE2 compound document.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_GZIP_MAGIC = b"\x1f\x8b"
_SEPARATORS = (";", ",", "\t", "|")
_APOSTROPHES = "'\u2018\u2019`"
_SCAN_CHUNK = 1 << 20
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
    """An opened, checked file: the schema `columns` it has, `estimated_rows` (or None), and
    its data rows when iterated (once). Close it, or use it as a context manager."""

    def __init__(self, schema: Schema, opened: _Opened, context: _Context):
        self.schema = schema
        self.kind = opened.kind
        self.estimated_rows = opened.estimate
        self.header_row = opened.header_row
        self.positions = _map_header(schema, opened.header)
        self.columns = tuple(c.name for c in schema.columns if c.name in self.positions)
        self._opened = opened
        self._context = context
        self._first = self._peek()

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
            raise TabularError(COLUMN_TWICE, MSG_COLUMN_TWICE, {"column": column.name})
        positions[column.name] = index
    missing = [c.name for c in schema.columns if c.required and c.name not in positions]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip()) or "-"
        raise TabularError(
            COLUMNS_MISSING, MSG_COLUMNS_MISSING, {"missing": ", ".join(missing), "found": found}
        )
    return positions


@dataclass
class _Opened:
    """A file opened by one of the readers, positioned after its header row."""

    header: list[str]
    header_row: int
    records: Iterator[tuple[int, Sequence]]
    estimate: int | None
    close: Callable[[], None]
    kind: str  # "csv", "csv.gz" or "xlsx"


def open_table(
    source: str | Path | BinaryIO,
    schema: Schema,
    *,
    known_villages: Container[str] | None = None,
    today: datetime.date | None = None,
) -> Table:
    """Open a CSV or XLSX file (told apart by content), check its header and first row.

    `source` is a path or a binary stream (read from its start; the caller's stream is left
    open). `known_villages`, when given, makes a village code outside it a cell error.
    Raises TabularError.
    """
    stream, close_stream = _binary(source)
    try:
        head = stream.read(8)
        stream.seek(0)
        if not head:
            raise TabularError(FILE_EMPTY, MSG_FILE_EMPTY)
        if head.startswith(_OLE2_MAGIC):
            raise TabularError(FILE_OLD_EXCEL, MSG_FILE_OLD_EXCEL)
        if head.startswith(_ZIP_MAGIC):
            opened = _open_xlsx(stream)
        elif head.startswith(_GZIP_MAGIC):
            opened = _open_gzip(stream)
        else:
            opened = _open_csv(stream)
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


def _detect_encoding(stream: BinaryIO) -> tuple[str, int]:
    """UTF-16 by its byte-order mark; else UTF-8 if every byte of the file decodes as UTF-8,
    else Windows-1252. Also counts the line breaks, for the progress estimate."""
    start = stream.read(4)
    stream.seek(0)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    while chunk := stream.read(_SCAN_CHUNK):
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
    return ("utf-8-sig" if utf8 else "cp1252"), lines


def _open_csv(stream: BinaryIO) -> _Opened:
    encoding, lines = _detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        return _read_csv_header(text, lines)
    except BaseException:
        text.detach()  # leave the stream to its owner
        raise


def _read_csv_header(text: io.TextIOWrapper, lines: int) -> _Opened:
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
    records = _numbered_csv(csv.reader(text, delimiter=delimiter))
    for number, record in records:
        if any(cell.strip() for cell in record):
            header = [cell.lstrip("\ufeff") for cell in record]
            estimate = max(lines - skipped - number, 0) if lines else None
            return _Opened(header, number, records, estimate, text.detach, "csv")
    raise TabularError(FILE_EMPTY, MSG_FILE_EMPTY)


def _open_gzip(stream: BinaryIO) -> _Opened:
    """A gzip-compressed CSV file (a register extract is large; it compresses five-fold)."""
    unpacked = gzip.GzipFile(fileobj=stream, mode="rb")
    try:
        unpacked.peek(1)
        opened = _open_csv(unpacked)
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


def _numbered_csv(reader) -> Iterator[tuple[int, list]]:
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        reason = f"line {reader.line_num}: {exc}"
        raise TabularError(FILE_UNREADABLE, MSG_FILE_UNREADABLE, {"reason": reason}) from exc


# --- XLSX ---------------------------------------------------------------------------------


def _open_xlsx(stream: BinaryIO) -> _Opened:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        reason = str(exc) or exc.__class__.__name__
        raise TabularError(FILE_UNREADABLE, MSG_FILE_UNREADABLE, {"reason": reason}) from exc
    try:
        sheet = workbook.worksheets[0]
        declared_rows = sheet.max_row
        # The declared size may be wrong: read every row there is.
        sheet.reset_dimensions()
        records = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        for number, record in records:
            if not _all_blank(record):
                header = ["" if cell is None else str(cell) for cell in record]
                while header and not header[-1].strip():
                    header.pop()
                estimate = declared_rows - number if declared_rows else None
                return _Opened(header, number, records, estimate, workbook.close, "xlsx")
    except BaseException:
        workbook.close()
        raise
    workbook.close()
    raise TabularError(FILE_EMPTY, MSG_FILE_EMPTY)
