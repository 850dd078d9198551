"""Writing spreadsheets that are safe to open.

Every export goes through `SafeWorkbook` (XLSX) or `safe_row` (CSV): the one place where a
value that a spreadsheet would run as a formula is turned into plain text, for every cell of
every sheet — data, headings and summaries alike.
"""

import datetime
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


DATE_FORMAT = "DD-MM-YYYY"  # as the interface writes dates


class _SafeSheet:
    def __init__(self, sheet):
        self._sheet = sheet

    def append(self, values) -> None:
        self._sheet.append([self._cell(value) for value in safe_row(values)])

    def _cell(self, value):
        if isinstance(value, datetime.date):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self._sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        return value


class SafeWorkbook:
    """A write-only XLSX workbook whose sheets neutralise every cell they are given and write
    dates as the interface does."""

    def __init__(self):
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)

    def sheet(self, title: str, *, widths: list[int] | None = None) -> _SafeSheet:
        """A sheet whose first row (the headings) stays in view; `widths` in characters."""
        from openpyxl.utils import get_column_letter

        sheet = self._workbook.create_sheet(str(title))
        sheet.freeze_panes = "A2"
        for number, width in enumerate(widths or [], start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        return _SafeSheet(sheet)

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
