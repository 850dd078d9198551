"""Aid pages: printable documents and exports — the BAST of a hand-over, the decree annex
(PDF and XLSX, built by a worker for a large decree, with a progress bar) and the
hand-overs of a period. Every download is audited as an export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aid import exports, selectors
from aid.forms.handovers import PeriodForm
from aid.models import DecreeDocument
from aid.services import documents
from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.documents import pdf_response
from atensi.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response

EXPORT = AuditEvent.Action.EXPORT


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


@login_required
def handover_bast(request, pk):
    """The hand-over record (BAST) as PDF, for whoever may read the hand-over."""
    handover = get_object_or_404(selectors.handover_list(user=request.user), pk=pk)
    content = documents.bast_pdf(handover=handover)
    audit_record(actor=request.user, action=EXPORT, obj=handover, request=request,
                 summary="BAST pdf")  # fmt: skip
    return pdf_response(content, f"{handover.number.replace('/', '-')}.pdf")


@login_required
def handovers_export(request):
    """Hand-overs of a period as XLSX (NIK masked), for supervisors."""
    _require(policy.can_export(request.user))
    form = PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Give the period to export (from and to)."))
        return redirect("aid:handover-list")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    content = exports.handovers_xlsx(
        handovers=selectors.handover_list(user=request.user), start=start, end=end
    )
    audit_record(actor=request.user, action=EXPORT, request=request, object_type="handover",
                 summary=f"hand-overs {start:%Y-%m-%d}..{end:%Y-%m-%d} xlsx")  # fmt: skip
    return xlsx_response(content, f"serah-terima-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


def _decree(request, pk):
    _require(policy.can_export(request.user))
    return get_object_or_404(selectors.decree_list(user=request.user), pk=pk)


def _document(request, pk) -> DecreeDocument:
    _require(policy.can_export(request.user))
    return get_object_or_404(
        DecreeDocument.objects.select_related("decree__programme").filter(
            decree__in=selectors.decree_list(user=request.user)
        ),
        pk=pk,
    )


@login_required
@require_POST
def decree_annex(request, pk, kind):
    """Ask for the decree's annex as PDF or XLSX; then follow its progress."""
    decree = _decree(request, pk)
    _require(kind in DecreeDocument.Kind.values)
    document = documents.decree_document_request(decree=decree, kind=kind, by=request.user,
                                                 request=request)  # fmt: skip
    return redirect("aid:decree-document", document.pk)


def _progress_context(document: DecreeDocument) -> dict:
    return {"document": document, "done": document.status == DecreeDocument.Status.DONE}


@login_required
def decree_document(request, pk):
    document = _document(request, pk)
    return render(request, "aid/print/annex_job.html", _progress_context(document))


@login_required
def decree_document_progress(request, pk):
    """The progress bar, polled by htmx every second until the file is ready."""
    document = _document(request, pk)
    return render(request, "aid/print/_annex_progress.html", _progress_context(document))


def annex_file(request, document: DecreeDocument) -> FileResponse:
    """A finished annex as a download, audited; 404 until it is ready (page and API)."""
    if document.status != DecreeDocument.Status.DONE or not document.file:
        raise Http404
    audit_record(actor=request.user, action=EXPORT, obj=document.decree, request=request,
                 summary=f"decree annex {document.kind} downloaded")  # fmt: skip
    content_type = "application/pdf" if document.kind == "pdf" else XLSX_CONTENT_TYPE
    filename = f"lampiran-{document.decree.number.replace('/', '-')}.{document.kind}"
    return FileResponse(document.file.open("rb"), content_type=content_type,
                        as_attachment=True, filename=filename)  # fmt: skip


@login_required
def decree_document_download(request, pk):
    return annex_file(request, _document(request, pk))


urlpatterns = [
    path("bantuan/serah-terima/<uuid:pk>/bast.pdf", handover_bast, name="handover-bast"),
    path("bantuan/serah-terima/ekspor.xlsx", handovers_export, name="handovers-export"),
    path("bantuan/sk/<uuid:pk>/lampiran/<str:kind>/", decree_annex, name="decree-annex"),
    path("bantuan/dokumen/<uuid:pk>/", decree_document, name="decree-document"),
    path(
        "bantuan/dokumen/<uuid:pk>/progres/",
        decree_document_progress,
        name="decree-document-progress",
    ),  # fmt: skip
    path(
        "bantuan/dokumen/<uuid:pk>/unduh/",
        decree_document_download,
        name="decree-document-download",
    ),  # fmt: skip
]
