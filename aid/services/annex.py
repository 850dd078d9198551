"""The decree annex (lampiran SK) as an A4 PDF, laid out in parallel.

WeasyPrint lays a table out at a few milliseconds a row, on one core, and holds the whole
layout in memory; 10,000 recipients would take a minute in one process. So the annex is cut
into pages *before* layout: the height of every row is worked out from its text (the font's
glyph widths, `atensi.textlayout`) and the measures of the printed table (read once per
process from a small calibration document that WeasyPrint lays out), and every page's first
row is forced onto a new page. The pages are grouped into parts of whole pages; each part is
laid out on its own (by a Celery task per part for a large decree, so that the workers' cores
share the work) and the parts are joined with pypdf, page numbers stamped over the whole.

The plan cuts the pages where WeasyPrint would (the widths, kerning included, agree with
Pango's to a few hundredths of a pixel; tests/aid/test_documents.py compares the two). Should
a row still print taller than planned, WeasyPrint carries it to an extra page: nothing is
lost, and the extra page is logged.

Rows are read with .values() from a server-side cursor, a part at a time; the plan keeps only
row numbers.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.postgres.aggregates import StringAgg
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader, PdfWriter

from aid.models import Decree, DecreeDocument, DecreeDocumentPart, Proposal
from aid.money import format_rupiah, format_thousands
from aid.terbilang import rupiah_in_words
from atensi import textlayout
from atensi.documents import html_document, load_weasyprint
from cases.nik import mask_nik

logger = logging.getLogger(__name__)

CHUNK = 1000
ITEM_SEPARATOR = "\n"  # each item on a line of its own in the PDF ("; " in the XLSX)
PART_ROWS = 400  # rows a part is made of at least (whole pages): ~2 s of layout
DOCUMENT_LANGUAGE = "id"  # printed documents are Indonesian whatever the interface says
FONT_FAMILY = "DejaVu Sans"
FONT_PT = 8  # the cells' font size, given to the template
FONT_PX = FONT_PT * 4 / 3
WIDTH_SLACK_PX = 0.05  # a text is planned in its cell's width less this (see textlayout)
# Taken off a column's width for its text: 1.5 mm of padding each side, and half of the
# 0.6 pt border each side (borders collapse).
CELL_PADDING_MM = 1.5  # each side, given to the template
CELL_PADDING_PX = 2 * CELL_PADDING_MM * 96 / 25.4 + 0.6 * 4 / 3
PAGE_BOTTOM_MARGIN_PX = 22 * 96 / 25.4  # base_print.html: @page margin-bottom 22 mm


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    percent: int
    wraps: bool  # False: one line whatever its length (nowrap)


COLUMNS = (
    Column("no", "No.", 7, wraps=False),
    Column("nik", "NIK", 17, wraps=False),
    Column("name", "Nama", 15, wraps=True),
    Column("village", "Desa/Kelurahan", 13, wraps=True),
    Column("district", "Kecamatan", 13, wraps=True),
    Column("items", "Bantuan", 23, wraps=True),  # an item a line
    Column("value_rp", "Nilai (Rp)", 12, wraps=False),
)
assert sum(c.percent for c in COLUMNS) == 100


# --- the rows ---------------------------------------------------------------------------------


def annex_queryset(decree: Decree):
    items = Concat(
        # No-break spaces: "× 2" stays with its item's name.
        F("items__aid_item__name"), Value("\u00a0×\u00a0"), Cast("items__quantity", CharField()),
        output_field=CharField(),
    )  # fmt: skip
    return (
        Proposal.objects.filter(decree=decree)
        .order_by("client__village__parent__name", "client__village__name", "reference")
        .values(
            "reference",
            "client__nik",
            "client__full_name",
            "client__village__name",
            "client__village__parent__name",
            "value",
        )  # fmt: skip
        .annotate(item_list=StringAgg(items, ITEM_SEPARATOR, order_by="items__aid_item__name"))
    )


def annex_rows(decree: Decree, *, first: int = 1, last: int | None = None,
               chunk: int = CHUNK) -> Iterator[dict]:  # fmt: skip
    """The annex's rows `first` to `last` (numbered from 1) as plain dicts, one at a time,
    read from a server-side cursor."""
    rows = annex_queryset(decree)[first - 1 : last]
    with transaction.atomic():  # server-side cursors live inside a transaction
        for number, row in enumerate(rows.iterator(chunk_size=chunk), first):
            yield {
                "no": number,
                "reference": row["reference"],
                "nik": mask_nik(row["client__nik"]),
                "name": row["client__full_name"],
                "village": row["client__village__name"],
                "district": row["client__village__parent__name"],
                "items": row["item_list"] or "",
                "value": row["value"],
                "value_rp": format_thousands(row["value"]),
            }


def annex_totals(decree: Decree) -> dict:
    totals = Proposal.objects.filter(decree=decree).aggregate(
        count=Count("pk"), value=Coalesce(Sum("value"), 0)
    )
    value = totals["value"]
    return {**totals, "value_rp": format_rupiah(value), "value_dots": format_thousands(value),
            "value_words": rupiah_in_words(value)}  # fmt: skip


# --- the page plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Measures of the printed table, in CSS pixels, read from a laid-out document."""

    first_top: float  # where the first row starts on the first page (below a one-line heading)
    top: float  # where the first row starts on the other pages (below the repeated head)
    bottom: float  # the foot of the page's content area
    row: float  # the height of a row of one line
    line: float  # what each further line adds
    widths: tuple[float, ...]  # the content width of each column


def _render(context: dict, rows: list[dict], breaks: frozenset[int] = frozenset(), *,
            anchors: bool = False):  # fmt: skip
    """The annex laid out. With `anchors`, each row carries an id (r<number>) whose position
    the page plan reads; without, it is a quarter faster (WeasyPrint makes every id a named
    destination of the PDF)."""
    rows_html = render_to_string("aid/print/_annex_rows.html",
                                 {"rows": rows, "breaks": breaks, "anchors": anchors})  # fmt: skip
    rows_html = mark_safe(rows_html)  # noqa: S308 - rendered (and escaped) by our own template
    html = render_to_string(
        "aid/print/decree_annex.html",
        {**context, "columns": COLUMNS, "font_pt": FONT_PT, "padding_mm": CELL_PADDING_MM,
         "rows_html": rows_html},
    )  # fmt: skip
    load_weasyprint()
    return html_document(html).render(font_config=_fonts())


@functools.cache
def _fonts():
    load_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _positions(document) -> dict[int, tuple[int, tuple[float, float, float, float]]]:
    """Row number → (page index, (x1, y1, x2, y2)) of the rows of a laid-out annex."""
    found = {}
    for index, page in enumerate(document.pages):
        for anchor, box in page.anchors.items():
            if anchor.startswith("r") and anchor[1:].isdigit():
                found[int(anchor[1:])] = (index, box)
    return found


@functools.cache
def geometry() -> Geometry:
    """Lay out a calibration annex once per process and read its measures: a two-line row,
    then one-line rows until the third page."""
    wide = "W" * 8  # 8 W's fill more than half of the name column: "W… W…" takes two lines
    row = {"no": 0, "reference": "", "nik": "1", "name": "A", "village": "A", "district": "A",
           "items": "A", "value": 0, "value_rp": "0"}  # fmt: skip
    rows = [{**row, "no": 1, "name": f"{wide} {wide}"}]
    rows += [{**row, "no": n} for n in range(2, 121)]
    with translation.override(DOCUMENT_LANGUAGE):
        context = {"decree": Decree(number="0", signatory_title="0"),
                   "programme": None, "first": True, "last": False, "totals": {}}  # fmt: skip
        document = _render(context, rows, anchors=True)
        # A part's own first page: no heading, the head of the table at the top.
        part = _positions(_render({**context, "first": False}, rows[1:3], anchors=True))
    at = _positions(document)
    second_page = min(n for n, (page, _box) in at.items() if page == 1)
    top = {n: box[1] for n, (_page, box) in at.items()}
    x1, _y1, x2, _y2 = at[2][1]
    return Geometry(
        first_top=top[1],
        # The same on both, the body having no margin (decree_annex.html); the lower, should
        # they ever differ.
        top=max(top[second_page], part[2][1][1]),
        bottom=document.pages[0].height - PAGE_BOTTOM_MARGIN_PX,
        row=top[3] - top[2],
        line=(top[2] - top[1]) - (top[3] - top[2]),
        # The table's width as laid out (the row's), shared by the columns as the CSS says.
        widths=tuple((x2 - x1) * c.percent / 100 - CELL_PADDING_PX for c in COLUMNS),
    )


def _lines(font: textlayout.Font | None, text: str, width: float) -> int:
    if font is None:  # no fontconfig: a wide glyph per character
        return max(1, int(-(-len(text) * FONT_PX // width)))
    return font.lines(text, width, FONT_PX)


def row_height(row: dict, geo: Geometry) -> float:
    font = textlayout.font(FONT_FAMILY)
    lines = 1
    for column, width in zip(COLUMNS, geo.widths, strict=True):
        if column.wraps:
            count = sum(
                _lines(font, paragraph, width - WIDTH_SLACK_PX)
                for paragraph in str(row[column.key]).split(ITEM_SEPARATOR)
            )
            lines = max(lines, count)
    return geo.row + (lines - 1) * geo.line


def plan_pages(rows: Iterable[dict], geo: Geometry) -> list[tuple[int, int]]:
    """(first row number, rows) of each page, the rows being cut as WeasyPrint would."""
    pages: list[tuple[int, int]] = []
    top, first, count = geo.first_top, None, 0
    for row in rows:
        height = row_height(row, geo)
        if count and top + height > geo.bottom:
            pages.append((first, count))
            top, first, count = geo.top, None, 0
        if first is None:
            first = row["no"]
        top += height
        count += 1
    if count:
        pages.append((first, count))
    return pages


def plan_parts(pages: list[tuple[int, int]], part_rows: int) -> list[list[tuple[int, int]]]:
    """The pages grouped into parts of at least `part_rows` rows (the last may be smaller)."""
    parts, current, size = [], [], 0
    for page in pages:
        current.append(page)
        size += page[1]
        if size >= part_rows:
            parts.append(current)
            current, size = [], 0
    if current:
        parts.append(current)
    return parts


# --- building: plan, parts, join --------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    index: int
    first_row: int
    last_row: int
    page_starts: tuple[int, ...]


def _context(decree: Decree, totals: dict, *, first: bool, last: bool) -> dict:
    return {"decree": decree, "programme": decree.programme, "organisation": decree.organisation,
            "totals": totals, "first": first, "last": last}  # fmt: skip


def first_top(decree: Decree) -> float:
    """Where the first row starts below this decree's own heading (its title and number
    may take more than a line): its first row laid out under it."""
    with translation.override(DOCUMENT_LANGUAGE):
        row = next(annex_rows(decree, last=1))
        laid_out = _render(_context(decree, {}, first=True, last=False), [row], anchors=True)
    return _positions(laid_out)[row["no"]][1][1]


def plan(decree: Decree) -> list[Part]:
    """The annex cut into parts of whole pages."""
    if not decree.proposals.exists():
        return [Part(0, 1, 1, (1,))]
    geo = dataclasses.replace(geometry(), first_top=first_top(decree))
    with translation.override(DOCUMENT_LANGUAGE):
        pages = plan_pages(annex_rows(decree), geo)
    return [
        Part(index, part[0][0], part[-1][0] + part[-1][1] - 1, tuple(p[0] for p in part))
        for index, part in enumerate(plan_parts(pages, PART_ROWS))
    ]


def part_pdf(decree: Decree, part: Part, totals: dict) -> tuple[bytes, int]:
    """One part of the annex laid out as PDF, and its number of pages: the heading on the
    first part, the totals and the signature on the last."""
    # A decree's recipients are fixed once it is approved (the database holds every decided
    # proposal to its decree), so the planned rows are still the rows.
    rows = list(annex_rows(decree, first=part.first_row, last=part.last_row))
    is_last = part.last_row >= totals["count"]
    context = _context(decree, totals, first=part.first_row == 1, last=is_last)
    with translation.override(DOCUMENT_LANGUAGE):
        laid_out = _render(context, rows, breaks=frozenset(part.page_starts[1:]))
    pages, planned = len(laid_out.pages), len(part.page_starts)
    if pages > planned + (1 if is_last else 0):  # the totals may start a page of their own
        # The plan thought a row shorter than it prints; nothing is lost, a page is extra.
        logger.warning("annex of decree %s, part %d: %d pages laid out, %d planned",
                       decree.pk, part.index, pages, planned)  # fmt: skip
    return laid_out.write_pdf(), pages


def _page_numbers(writer: PdfWriter) -> None:
    """Stamp "Halaman N dari M" on every page of the joined annex."""
    html = render_to_string("aid/print/_annex_page_numbers.html",
                            {"pages": range(len(writer.pages))})  # fmt: skip
    numbers = PdfReader(io.BytesIO(html_document(html).write_pdf()))
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()  # merging leaves the page's content uncompressed


def join(contents: Iterable[bytes]) -> bytes:
    """The parts' PDFs joined in order into one, page numbers stamped over the whole."""
    writer = PdfWriter()
    for index, content in enumerate(contents):
        reader = PdfReader(io.BytesIO(content))
        if index == 0:
            writer.add_metadata(reader.metadata or {})
        writer.append(reader)
    with translation.override(DOCUMENT_LANGUAGE):
        _page_numbers(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def decree_annex_pdf(*, decree: Decree, progress=None) -> bytes:
    """The whole annex laid out in this process, part after part (a small decree)."""
    totals = annex_totals(decree)
    contents = []
    for part in plan(decree):
        contents.append(part_pdf(decree, part, totals)[0])
        if progress is not None and totals["count"]:
            progress(90 * part.last_row // totals["count"])
    content = join(contents)
    if progress is not None:
        progress(100)
    return content


# --- a large decree: a task per part, the last one joins --------------------------------------


def stored_plan(document: DecreeDocument) -> list[DecreeDocumentPart]:
    """Record the parts of a document's annex; safe to run twice (recorded parts are kept)."""
    existing = list(document.parts.order_by("index"))
    if existing:
        return existing
    return DecreeDocumentPart.objects.bulk_create(
        DecreeDocumentPart(document=document, index=p.index, first_row=p.first_row,
                           last_row=p.last_row, page_starts=list(p.page_starts))
        for p in plan(document.decree)
    )  # fmt: skip


def stored_part_build(part: DecreeDocumentPart) -> None:
    """Lay out one recorded part and store it; a part already done is not laid out again."""
    if part.done_at is not None:
        return
    decree = part.document.decree
    content, pages = part_pdf(
        decree,
        Part(part.index, part.first_row, part.last_row, tuple(part.page_starts)),
        annex_totals(decree),
    )
    # A delivery whose worker died after writing the file left it behind: write over it, so
    # that a part has one file however often it was laid out.
    name = part.file.field.generate_filename(part, f"{part.index}.pdf")
    if part.file.storage.exists(name):
        part.file.storage.delete(name)
    part.file.save(f"{part.index}.pdf", ContentFile(content), save=False)
    DecreeDocumentPart.objects.filter(pk=part.pk).update(
        file=part.file.name, pages=pages, done_at=timezone.now()
    )


def stored_progress(document: DecreeDocument) -> tuple[int, bool]:
    """The share of rows laid out (0-90 %), and whether every part is done."""
    parts = document.parts.aggregate(
        n=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)),
        rows=Coalesce(Sum(F("last_row") - F("first_row") + 1,
                          filter=Q(done_at__isnull=False)), 0),
        total=Coalesce(Sum(F("last_row") - F("first_row") + 1), 0),
    )  # fmt: skip
    percent = 90 * parts["rows"] // parts["total"] if parts["total"] else 0
    return percent, parts["n"] > 0 and parts["done"] == parts["n"]


def stored_join(document: DecreeDocument) -> bytes:
    """The stored parts joined; their files are deleted once the annex is kept."""
    parts = list(document.parts.order_by("index"))

    def contents():
        for part in parts:
            with part.file.open("rb") as f:
                yield f.read()

    return join(contents())


def stored_parts_delete(document: DecreeDocument) -> None:
    for part in document.parts.all():
        if part.file:
            part.file.delete(save=False)
    document.parts.all().delete()
