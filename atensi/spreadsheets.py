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
MONEY_FORMAT = "#,##0"  # whole rupiah with thousands separators, in the reader's locale


class _SafeSheet:
    def __init__(self, sheet, money: frozenset[int]):
        self._sheet = sheet
        self._money = money

    def append(self, values) -> None:
        self._sheet.append(
            [self._cell(number, value) for number, value in enumerate(safe_row(values), 1)]
        )

    def _cell(self, column: int, value):
        if isinstance(value, datetime.date):
            return self._formatted(value, DATE_FORMAT)
        if column in self._money and isinstance(value, int) and not isinstance(value, bool):
            return self._formatted(value, MONEY_FORMAT)
        return value

    def _formatted(self, value, number_format: str):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=value)
        cell.number_format = number_format
        return cell


class SafeWorkbook:
    """A write-only XLSX workbook whose sheets neutralise every cell they are given and write
    dates as the interface does."""

    def __init__(self):
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)

    def sheet(
        self,
        title: str,
        *,
        widths: list[int] | None = None,
        money: tuple[int, ...] = (),
        header_row: int = 1,
    ) -> _SafeSheet:
        """A sheet whose headings (row `header_row`) stay in view; `widths` in characters;
        whole numbers in the `money` columns (1-based) shown as rupiah amounts."""
        from openpyxl.utils import get_column_letter

        sheet = self._workbook.create_sheet(str(title))
        sheet.freeze_panes = f"A{header_row + 1}"
        for number, width in enumerate(widths or [], start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        return _SafeSheet(sheet, frozenset(money))

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
