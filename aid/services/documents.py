"""Printed documents of the aid module: the hand-over record (BAST), the decree annex (PDF
and XLSX) and the hand-overs of a period (XLSX).

Rows are read with .values() in chunks from a server-side cursor, so no list of thousands of
model objects is ever held; the annex PDF is laid out a part at a time and the parts joined
with pypdf, since WeasyPrint holds the layout of a whole document in memory. A decree with
more than ANNEX_INLINE_ROWS proposals is built by a Celery job (aid.tasks) that reports its
progress on the DecreeDocument row.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import CharField, Count, F, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from aid.models import Decree, DecreeDocument, Handover, HandoverItem, Proposal
from aid.money import format_rupiah
from aid.terbilang import rupiah_in_words
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.documents import html_document, load_weasyprint, render_pdf
from atensi.spreadsheets import SafeWorkbook
from cases.nik import mask_nik

ANNEX_INLINE_ROWS = 300  # a decree up to this size is built in the request
ANNEX_PART_ROWS = 1000  # rows laid out by WeasyPrint at a time (~27 pages, ~200 MB)
CHUNK = 1000
Progress = Callable[[int], None] | None
DOCUMENT_LANGUAGE = "id"  # printed documents are Indonesian whatever the interface says


def _dots(amount: int) -> str:
    """1500000 → "1.500.000", for columns headed "(Rp)"."""
    return f"{amount:,}".replace(",", ".")


# --- the hand-over record -------------------------------------------------------------------


def bast_context(handover: Handover) -> dict:
    proposal = handover.proposal
    items = list(
        HandoverItem.objects.filter(handover=handover)
        .select_related("proposal_item__aid_item")
        .order_by("proposal_item__aid_item__name")
    )
    for item in items:
        item.unit_rp = _dots(item.proposal_item.unit_cost)
        item.value_rp = _dots(item.value)
    total = sum(i.value for i in items)
    return {
        "handover": handover,
        "proposal": proposal,
        "programme": proposal.programme,
        "organisation": handover.organisation,
        "client": proposal.client,
        "nik_masked": mask_nik(proposal.client.nik),
        "items": items,
        "total": total,
        "total_rp": format_rupiah(total),
        "total_words": rupiah_in_words(total),
        "officer": handover.officer,
        "decree": proposal.decree,
    }


def bast_pdf(*, handover: Handover) -> bytes:
    """The Berita Acara Serah Terima of a hand-over, in Indonesian, ready to sign."""
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("aid/print/bast.html", bast_context(handover))


# --- the decree annex -----------------------------------------------------------------------


def annex_queryset(decree: Decree):
    items = Concat(
        F("items__aid_item__name"), Value(" × "), Cast("items__quantity", CharField()),
        output_field=CharField(),
    )  # fmt: skip
    return (
        Proposal.objects.filter(decree=decree)
        .order_by("client__village__name", "reference")
        .values(
            "reference",
            "client__nik",
            "client__full_name",
            "client__village__name",
            "client__village__parent__name",
            "value",
        )  # fmt: skip
        .annotate(item_list=StringAgg(items, "; ", order_by="items__aid_item__name"))
    )


def annex_rows(decree: Decree, *, chunk: int = CHUNK) -> Iterator[dict]:
    """The annex's rows as plain dicts, one at a time, read from a server-side cursor."""
    with transaction.atomic():  # server-side cursors live inside a transaction
        for number, row in enumerate(annex_queryset(decree).iterator(chunk_size=chunk), 1):
            yield {
                "no": number,
                "reference": row["reference"],
                "nik": mask_nik(row["client__nik"]),
                "name": row["client__full_name"],
                "village": row["client__village__name"],
                "district": row["client__village__parent__name"],
                "items": row["item_list"] or "",
                "value": row["value"],
            }


def annex_totals(decree: Decree) -> dict:
    totals = Proposal.objects.filter(decree=decree).aggregate(
        count=Count("pk"), value=Coalesce(Sum("value"), 0)
    )
    return {**totals, "value_rp": format_rupiah(totals["value"]),
            "value_words": rupiah_in_words(totals["value"])}  # fmt: skip


def _chunks(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _step(progress: Progress, done: int, total: int, start: int, span: int) -> None:
    if progress is not None and total:
        progress(start + span * min(done, total) // total)


def _annex_part(context: dict, rows: list[dict], *, last: bool, fonts) -> tuple[bytes, list[dict]]:
    """One part of the annex as PDF, and the rows left over for the next part: unless it is
    the last, the part's last page is dropped and its rows carried, so every page but the
    document's last is full."""
    html = render_to_string(
        "aid/print/decree_annex.html",
        # Rendered (and escaped) by our own template.
        {**context, "last": last, "rows_html": mark_safe(  # noqa: S308
            render_to_string("aid/print/_annex_rows.html", {"rows": rows}))},
    )  # fmt: skip
    document = html_document(html).render(font_config=fonts)
    if last or len(document.pages) < 2:
        return document.write_pdf(), []
    on_last_page = [int(a[1:]) for a in document.pages[-1].anchors if a.startswith("r")]
    if not on_last_page:
        return document.write_pdf(), []
    first_carried = min(on_last_page)
    carried = [row for row in rows if row["no"] >= first_carried]
    return document.copy(document.pages[:-1]).write_pdf(), carried


def _page_numbers(writer: PdfWriter) -> None:
    """Stamp "Halaman N dari M" on every page of the joined annex."""
    html = render_to_string("aid/print/_annex_page_numbers.html",
                            {"pages": range(len(writer.pages))})  # fmt: skip
    stamps = html_document(html)
    numbers = PdfReader(io.BytesIO(stamps.write_pdf()))
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()  # merging leaves the page's content uncompressed


def decree_annex_pdf(*, decree: Decree, progress: Progress = None) -> bytes:
    """The annex (lampiran) of a decree as an A4 PDF: masked NIK, name, village, items and
    value of every recipient, the totals, and the signatory's block.

    Laid out ANNEX_PART_ROWS rows at a time and joined into one document, so memory stays
    flat whatever the size: the header on the first part, the totals and signature on the
    last, page numbers stamped over the whole."""
    totals = annex_totals(decree)
    context = {"decree": decree, "programme": decree.programme,
               "organisation": decree.organisation, "totals": totals}  # fmt: skip
    writer = PdfWriter()
    load_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # loaded once for all the parts
    with translation.override(DOCUMENT_LANGUAGE):
        batches = _chunks(annex_rows(decree), ANNEX_PART_ROWS)
        batch, carried, first = next(batches, []), [], True
        while True:
            following = next(batches, None)
            for row in batch:
                row["value_rp"] = _dots(row["value"])
            rows = carried + batch
            content, carried = _annex_part({**context, "first": first}, rows,
                                           last=following is None, fonts=fonts)  # fmt: skip
            part = PdfReader(io.BytesIO(content))
            if first:
                writer.add_metadata(part.metadata or {})
            writer.append(part)
            first = False
            if following is None:
                break
            _step(progress, rows[-1]["no"] - len(carried), totals["count"], 0, 90)
            batch = following
        _page_numbers(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    if progress is not None:
        progress(100)
    return buffer.getvalue()


def decree_annex_xlsx(*, decree: Decree, progress: Progress = None) -> bytes:
    """The annex as XLSX: one row per recipient (masked NIK), then the total."""
    totals = annex_totals(decree)
    workbook = SafeWorkbook()
    sheet = workbook.sheet(
        _("Decree annex"), widths=[6, 16, 19, 28, 22, 22, 40, 14], money=(8,), header_row=2
    )
    sheet.append([_("Decree number"), decree.number, _("Date"), decree.date,
                  _("Programme"), str(decree.programme)])  # fmt: skip
    sheet.append([_("No."), _("Proposal number"), _("NIK"), _("Name"), _("Village"),
                  _("District"), _("Items"), _("Value (Rp)")])  # fmt: skip
    for row in annex_rows(decree):
        sheet.append([row["no"], row["reference"], row["nik"], row["name"], row["village"],
                      row["district"], row["items"], row["value"]])  # fmt: skip
        if row["no"] % CHUNK == 0:
            _step(progress, row["no"], totals["count"], 0, 90)
    sheet.append(["", "", "", _("Total"), "", "", _("%(n)d recipients") % {"n": totals["count"]},
                  totals["value"]])  # fmt: skip
    content = workbook.content()
    if progress is not None:
        progress(100)
    return content


def _require_exporter(by: User, decree: Decree) -> None:
    if not policy.can_export(by) or decree.organisation_id != by.organisation_id:
        raise PermissionDenied


def decree_document_request(*, decree: Decree, kind: str, by: User, request=None) -> DecreeDocument:
    """Ask for a decree annex: built now for a small decree, else queued for a worker (after
    the transaction commits). Audited as an export."""
    _require_exporter(by, decree)
    if kind not in DecreeDocument.Kind.values:
        raise PermissionDenied
    document = DecreeDocument.objects.create(decree=decree, kind=kind, requested_by=by)
    audit_record(actor=by, action=AuditEvent.Action.EXPORT, obj=decree, request=request,
                 summary=f"decree annex {kind}, document {document.pk}")  # fmt: skip
    if decree.proposals.count() <= ANNEX_INLINE_ROWS:
        return decree_document_build(document_id=document.pk)
    from aid import tasks

    transaction.on_commit(lambda: tasks.build_decree_document.delay(str(document.pk)))
    return document


def decree_document_build(*, document_id) -> DecreeDocument:
    """Build a requested annex and store it; safe to run twice (a finished one is kept)."""
    document = DecreeDocument.objects.select_related(
        "decree__programme", "decree__organisation"
    ).get(pk=document_id)
    if document.status == DecreeDocument.Status.DONE:
        return document
    DecreeDocument.objects.filter(pk=document.pk).update(
        status=DecreeDocument.Status.RUNNING, progress=0, error=""
    )

    def progress(percent: int) -> None:
        DecreeDocument.objects.filter(pk=document.pk).update(progress=min(percent, 99))

    build = decree_annex_pdf if document.kind == DecreeDocument.Kind.PDF else decree_annex_xlsx
    content = build(decree=document.decree, progress=progress)
    document.file.save(f"{document.pk}.{document.kind}", ContentFile(content), save=False)
    document.status = DecreeDocument.Status.DONE
    document.progress = 100
    document.rows = document.decree.proposals.count()
    document.finished_at = timezone.now()
    document.save(update_fields=["file", "status", "progress", "rows", "finished_at"])
    return document


def decree_document_fail(*, document_id, exc: BaseException) -> None:
    DecreeDocument.objects.filter(pk=document_id).exclude(
        status=DecreeDocument.Status.DONE
    ).update(status=DecreeDocument.Status.FAILED, error=exc.__class__.__name__,
             finished_at=timezone.now())  # fmt: skip


# --- hand-overs of a period -----------------------------------------------------------------


def handovers_xlsx(*, handovers, start: datetime.date, end: datetime.date) -> bytes:
    """Hand-overs of a period, one row per handed item (masked NIK)."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(
        _("Hand-overs"), widths=[24, 12, 16, 19, 28, 22, 28, 30, 8, 14, 14], money=(10,)
    )
    sheet.append([_("BAST number"), _("Date"), _("Proposal number"), _("NIK"), _("Name"),
                  _("Village"), _("Programme"), _("Item"), _("Quantity"), _("Value (Rp)"),
                  _("Place")])  # fmt: skip
    rows = (
        HandoverItem.objects.filter(
            handover__in=handovers.order_by().values("pk"), handover__handed_on__range=(start, end)
        )  # fmt: skip
        .order_by("handover__handed_on", "handover__seq", "proposal_item__aid_item__name")
        .values_list(
            "handover__number",
            "handover__handed_on",
            "handover__proposal__reference",
            "handover__proposal__client__nik",
            "handover__proposal__client__full_name",
            "handover__proposal__client__village__name",
            "handover__proposal__programme__name",
            "proposal_item__aid_item__name",
            "quantity",
            "value",
            "handover__place",
        )  # fmt: skip
    )
    total = 0
    with transaction.atomic():
        for row in rows.iterator(chunk_size=CHUNK):
            row = list(row)
            row[3] = mask_nik(row[3])
            total += row[9]
            sheet.append(row)
    sheet.append(["", "", "", "", _("Total"), "", "", "", "", total, ""])
    return workbook.content()
