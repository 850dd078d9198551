"""Pages of the yearly report: ask for it (area, year, PDF or XLSX), follow the worker's
progress, download the file (audited)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.spreadsheets import XLSX_CONTENT_TYPE

from . import report as reports
from . import selectors
from .models import DashboardReport


def _require_reporter(user) -> None:
    if not reports.can_report(user):
        raise Http404


@login_required
def report_index(request):
    """Ask for a yearly report; the reader's recent reports with their state."""
    user = request.user
    _require_reporter(user)
    if request.method == "POST":
        area = selectors.area_for(user, request.POST.get("area", "").strip())
        if area is None:
            raise Http404
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0
        try:
            report = reports.report_request(area=area, year=year, by=user, request=request,
                                            kind=request.POST.get("kind", ""))  # fmt: skip
        except PermissionDenied:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("dashboard:report")
        return redirect("dashboard:report-job", report.pk)
    recent = list(reports.report_list(user=user)[:20])
    # Each report's area by its name, all names read at once.
    names = selectors._names({c for r in recent for c in [r.area_code, *r.area_codes.split(",")]})
    for r in recent:
        codes = [r.area_code] if r.area_code else r.area_codes.split(",")
        r.area_label = ", ".join(names.get(c, c) for c in codes)
    return render(request, "dashboard/report.html", {
        "area_choices": selectors.area_choices(user),
        "years": list(range(timezone.localdate().year, 2016, -1)),
        "reports": recent,
    })  # fmt: skip


def _report(request, pk) -> DashboardReport:
    _require_reporter(request.user)
    return get_object_or_404(reports.report_list(user=request.user), pk=pk)


def _context(report: DashboardReport) -> dict:
    return {"report": report, "done": report.status == DashboardReport.Status.DONE,
            "area": reports.report_area(report)}  # fmt: skip


@login_required
def report_job(request, pk):
    return render(request, "dashboard/report_job.html", _context(_report(request, pk)))


@login_required
def report_progress(request, pk):
    """The progress bar, polled by htmx every second until the file is ready."""
    return render(request, "dashboard/report_progress.html", _context(_report(request, pk)))


def report_file(request, report: DashboardReport) -> FileResponse:
    """A finished report as a download, audited; 404 until it is ready (page and API)."""
    if report.status != DashboardReport.Status.DONE or not report.file:
        raise Http404
    audit_record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=report,
                 request=request, summary=f"yearly report {report.year} {report.kind}")  # fmt: skip
    content_type = "application/pdf" if report.kind == "pdf" else XLSX_CONTENT_TYPE
    area = selectors.file_area(report.area_code, report.area_codes.split(","))
    filename = f"laporan-tahunan-{area}-{report.year}.{report.kind}"
    return FileResponse(report.file.open("rb"), content_type=content_type, as_attachment=True,
                        filename=filename)  # fmt: skip


@login_required
def report_download(request, pk):
    return report_file(request, _report(request, pk))
