"""The dashboard as a workbook: one sheet per section, the same suppressed display values
as the page ("<5" and "x" stay text), never a name or an ID number."""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook, xlsx_response

from .selectors import Section, file_area

# Words a cut title does not end on: "Rujukan menurut sumber dan" reads as cut short.
_CONNECTORS = frozenset({
    "dan", "atau", "menurut", "per", "dari", "di", "ke", "yang", "untuk", "dengan", "serta",
    "and", "or", "by", "of", "the", "to", "with",
})  # fmt: skip


def _words_within(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters at the end of a word, without trailing commas,
    brackets or joining words ("Anggaran alokasi, dicadangk" read as a slip)."""
    if len(text) <= width:
        return text.rstrip(" ,;:-–(")
    text = text[: width + 1].rsplit(" ", 1)[0] if " " in text[:width] else text[:width]
    words = text.rstrip(" ,;:-–(").split(" ")
    while len(words) > 1 and words[-1].lower().strip(",;:") in _CONNECTORS:
        words.pop()
    return " ".join(words).rstrip(" ,;:-–(")


def _sheet_title(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts (no []:*?/\\, at most 31 characters, unique), cut at a
    word's end."""
    base = " ".join(re.sub(r"[\[\]:*?/\\]", " ", str(text)).split()) or "Sheet"
    title, n = _words_within(base, 31), 2
    while title.lower() in used:
        suffix = f" {n}"
        title, n = _words_within(base, 31 - len(suffix)) + suffix, n + 1
    used.add(title.lower())
    return title


def _write(workbook: SafeWorkbook, section: Section, data: dict, used: set[str]) -> None:
    detail = [section.detail_key] if section.detail_key else []  # the page's second column
    first = 2 + len(detail)
    money = tuple(range(first, first + len(section.columns) + 1)) if section.money else ()
    sheet = workbook.sheet(
        _sheet_title(section.title, used),
        widths=[40] + [30] * len(detail) + [14] * (len(section.columns) + 1),
        money=money, header_row=4,
    )  # fmt: skip
    sheet.append([section.title])
    sheet.append([data["area"].name, data["period"].label])
    sheet.append([_("Counts from 1 to 4 read <5; x hides a larger count that would reveal one.")])
    has_total = any("total" in row for row in section.rows)
    headings = [str(section.detail_heading)] if detail else []
    sheet.append(["", *headings, *section.columns, *([_("Total")] if has_total else [])])
    for row in [*section.rows, *([section.total] if section.total else [])]:
        cells = ["" if v is None else v for v in row["cells"]]
        total = [row.get("total", "")] if has_total else []
        details = [str(row.get(key, "")) for key in detail]
        sheet.append([str(row["label"]), *details, *cells, *total])
    if section.note:
        sheet.append([])
        sheet.append([section.note])


def dashboard_xlsx(data: dict, *, section: str = ""):
    """The whole dashboard (cards, every section, the breakdown by area) or one section."""
    sections = [*data["sections"], data["areas"]]
    if section:
        sections = [s for s in sections if s.key == section]
        if not sections:
            raise Http404
    workbook = SafeWorkbook()
    used: set[str] = set()
    if not section:
        sheet = workbook.sheet(_sheet_title(_("Summary"), used), widths=[40, 14, 14, 14])
        sheet.append([_("Dashboard"), data["area"].name, data["period"].label])
        sheet.append(
            [
                "",
                data["period"].label,
                data["previous_period"].label,
                _("Change from the period before"),
            ]
        )
        for card in data["cards"]:
            sheet.append([card["label"], card["value"], card["previous"],
                          "" if card["delta"] is None else card["delta"]])  # fmt: skip
    for s in sections:
        _write(workbook, s, data, used)
    name = f"dasbor-{file_area(data['area'].code, data['area'].codes)}-{data['period'].key}"
    if section:
        name += f"-{section}"
    return xlsx_response(workbook.content(), f"{name}.xlsx")
