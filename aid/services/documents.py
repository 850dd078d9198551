"""Printed documents of the aid module: the hand-over record (BAST), the decree annex (PDF
and XLSX) and the hand-overs of a period (XLSX).

Rows are read with .values() in chunks from a server-side cursor, so no list of thousands of
model objects is ever held. A decree with more than ANNEX_INLINE_ROWS proposals is built by
Celery jobs (aid.tasks) that report their progress on the DecreeDocument row: the XLSX by
one, the PDF by one per part of whole pages, the last part to finish joining them
(aid/services/annex.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aid.models import Decree, DecreeDocument, Handover, HandoverItem
from aid.money import format_rupiah, format_thousands
from aid.services import annex
from aid.services.annex import annex_rows, annex_totals
from aid.terbilang import rupiah_in_words
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.documents import render_pdf
from atensi.outage import require_queue
from atensi.spreadsheets import SafeWorkbook
from atensi.tasks import failure_text
from cases.nik import mask_nik

ANNEX_INLINE_ROWS = 300  # a decree up to this size is built in the request
CHUNK = 1000
Progress = Callable[[int], None] | None
DOCUMENT_LANGUAGE = annex.DOCUMENT_LANGUAGE


# --- the hand-over record -------------------------------------------------------------------


def bast_context(handover: Handover) -> dict:
    proposal = handover.proposal
    items = list(
        HandoverItem.objects.filter(handover=handover)
        .select_related("proposal_item__aid_item")
        .order_by("proposal_item__aid_item__name")
    )
    for item in items:
        item.unit_rp = format_thousands(item.proposal_item.unit_cost)
        item.value_rp = format_thousands(item.value)
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
        items = row["items"].replace(annex.ITEM_SEPARATOR, "; ")
        sheet.append([row["no"], row["reference"], row["nik"], row["name"], row["village"],
                      row["district"], items, row["value"]])  # fmt: skip
        if progress is not None and row["no"] % CHUNK == 0:
            progress(90 * row["no"] // totals["count"])
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
    inline = decree.proposals.count() <= ANNEX_INLINE_ROWS
    if not inline:
        require_queue()
    document = DecreeDocument.objects.create(decree=decree, kind=kind, requested_by=by)
    audit_record(actor=by, action=AuditEvent.Action.EXPORT, obj=decree, request=request,
                 summary=f"decree annex {kind}, document {document.pk}")  # fmt: skip
    if inline:
        return decree_document_build(document_id=document.pk)
    from aid import tasks

    transaction.on_commit(lambda: tasks.build_decree_document.delay(str(document.pk)))
    return document


def decree_document_build(*, document_id, inline: bool = True) -> DecreeDocument:
    """Build a requested annex and store it; safe to run twice (a finished one is kept).

    In the request (`inline`) or for an XLSX, in this process. A PDF built by a worker is
    cut into parts of whole pages, each sent to a task of its own (`build_annex_part`); the
    last part to finish joins them (`annex_part_build`)."""
    document = DecreeDocument.objects.select_related(
        "decree__programme", "decree__organisation"
    ).get(pk=document_id)
    if document.status == DecreeDocument.Status.DONE:
        return document
    DecreeDocument.objects.filter(pk=document.pk).update(
        status=DecreeDocument.Status.RUNNING, progress=0, error=""
    )
    document.status = DecreeDocument.Status.RUNNING

    def progress(percent: int) -> None:
        DecreeDocument.objects.filter(pk=document.pk).update(progress=min(percent, 99))

    if document.kind == DecreeDocument.Kind.XLSX:
        return _document_done(document, decree_annex_xlsx(decree=document.decree,
                                                          progress=progress))  # fmt: skip
    if inline:
        return _document_done(document, annex.decree_annex_pdf(decree=document.decree,
                                                               progress=progress))  # fmt: skip
    parts = annex.stored_plan(document)
    from aid import tasks

    for part in parts:
        if part.done_at is None:
            tasks.build_annex_part.delay(str(document.pk), part.index)
    if all(part.done_at is not None for part in parts):  # a re-run after the parts were done
        annex_part_build(document_id=document.pk, index=parts[-1].index)
        document.refresh_from_db()
    return document


def annex_part_build(*, document_id, index: int) -> None:
    """Lay out one part of a document's annex PDF; the last part to finish joins them all."""
    document = DecreeDocument.objects.select_related(
        "decree__programme", "decree__organisation"
    ).get(pk=document_id)
    if document.status != DecreeDocument.Status.RUNNING:
        return
    annex.stored_part_build(document.parts.get(index=index))
    with transaction.atomic():
        # The document's row lock lets only one of the parts finishing together join them.
        document = DecreeDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != DecreeDocument.Status.RUNNING:
            return
        percent, complete = annex.stored_progress(document)
        if not complete:
            DecreeDocument.objects.filter(pk=document.pk).update(progress=percent)
            return
        _document_done(document, annex.stored_join(document))
        transaction.on_commit(lambda: annex.stored_parts_delete(document))


def _document_done(document: DecreeDocument, content: bytes) -> DecreeDocument:
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
    ).update(status=DecreeDocument.Status.FAILED, error=failure_text(exc),
             finished_at=timezone.now())  # fmt: skip
