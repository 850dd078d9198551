"""Writing spreadsheets that are safe to open.

Every export goes through `SafeWorkbook` (XLSX) or `safe_row` (CSV): the one place where a
value that a spreadsheet would run as a formula is turned into plain text, for every cell of
every sheet — data, headings and summaries alike.
"""

import io

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is written as plain text."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]


class _SafeSheet:
    def __init__(self, sheet):
        self._sheet = sheet

    def append(self, values) -> None:
        self._sheet.append(safe_row(values))


class SafeWorkbook:
    """A write-only XLSX workbook whose sheets neutralise every cell they are given."""

    def __init__(self):
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)

    def sheet(self, title: str) -> _SafeSheet:
        return _SafeSheet(self._workbook.create_sheet(str(title)))

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str):
    """A finished workbook as a download named ``filename``."""
    from django.http import HttpResponse

    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
