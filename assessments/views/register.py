"""Pages of the DTSEN register: snapshots, the upload, live progress, the refused-row report."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assessments.forms.register import RegisterImportForm
from assessments.models import RegisterSnapshot
from assessments.selectors import register as selectors
from assessments.services import register as services
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from atensi.spreadsheets import SafeWorkbook, safe_row, xlsx_response

PAGE_SIZE = 25
BAD_ROWS_PAGE_SIZE = 50
XLSX_MAX_ROWS = 1_048_575  # a worksheet's limit, less the header
ACTIVE = {RegisterSnapshot.Status.QUEUED, RegisterSnapshot.Status.RUNNING}


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _percent(snapshot: RegisterSnapshot) -> int:
    if snapshot.status == RegisterSnapshot.Status.DONE:
        return 100
    if not snapshot.total_rows:
        return 0
    return min(99, int(100 * snapshot.processed_rows / snapshot.total_rows))


@login_required
def snapshot_list(request):
    user = request.user
    _require(selectors.can_read_snapshots(user))
    page = Paginator(selectors.snapshot_list(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    codes = {code for snapshot in page for code in snapshot.area_rows}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for snapshot in page:
        snapshot.regency_names = [names.get(code, code) for code in snapshot.area_codes]
    return render(request, "assessments/register_list.html", {
        "page": page, "can_import": selectors.can_import_register(user),
    })  # fmt: skip


@login_required
def snapshot_import(request):
    _require(selectors.can_import_register(request.user))
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            snapshot = services.register_import_start(
                by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            if snapshot.already_imported:
                when = timezone.localtime(snapshot.created_at)
                messages.info(
                    request,
                    _("This file was already uploaded on %(date)s; here is that import.")
                    % {"date": formats.date_format(when, "SHORT_DATE_FORMAT")},
                )
            else:
                messages.success(request, _("The file has been received; the import is running."))
            return redirect("assessments:register-detail", pk=snapshot.pk)
    return render(request, "assessments/register_import.html", {
        "form": form, "limit_mb": services.upload_max_bytes() // (1024 * 1024),
    })  # fmt: skip


def _progress_context(snapshot):
    return {
        "snapshot": snapshot,
        "active": snapshot.status in ACTIVE,
        "percent": _percent(snapshot),
    }


@login_required
def snapshot_detail(request, pk):
    user = request.user
    snapshot = selectors.snapshot_get(user=user, pk=pk)
    context = _progress_context(snapshot)
    context["show_bad_rows"] = (
        selectors.can_read_bad_rows(user, snapshot)
        and snapshot.status == RegisterSnapshot.Status.DONE
    )
    if context["show_bad_rows"]:
        bad_rows = selectors.bad_row_list(user=user, snapshot=snapshot)
        context["page"] = Paginator(bad_rows, BAD_ROWS_PAGE_SIZE).get_page(request.GET.get("page"))
        context["xlsx_possible"] = snapshot.bad_rows and snapshot.bad_rows <= XLSX_MAX_ROWS
    return render(request, "assessments/register_detail.html", context)


@login_required
def snapshot_progress(request, pk):
    """The progress fragment that the snapshot page polls; once the import has ended, the
    page is reloaded whole (HX-Refresh) to show the counts and the refused rows."""
    snapshot = selectors.snapshot_get(user=request.user, pk=pk)
    response = render(request, "assessments/register_progress.html", _progress_context(snapshot))
    if request.headers.get("HX-Request") and snapshot.status not in ACTIVE:
        response["HX-Refresh"] = "true"
    return response


def _report_rows(request, snapshot):
    """The refused-row report, for importers of the area only; each download is an audited
    export."""
    user = request.user
    _require(selectors.can_read_bad_rows(user, snapshot))
    if snapshot.status != RegisterSnapshot.Status.DONE:
        raise Http404
    return selectors.bad_row_list(user=user, snapshot=snapshot)


def _header():
    return [_("Row"), _("Column"), _("Code"), _("Reason")]


def _audit_export(request, snapshot, kind: str) -> None:
    audit_record(
        actor=request.user, action=AuditEvent.Action.EXPORT, obj=snapshot, request=request,
        summary=f"register refused rows, {kind}, rows={snapshot.bad_rows}",
    )  # fmt: skip


class _Echo:
    def write(self, value):
        return value


@login_required
def bad_rows_csv(request, pk):
    snapshot = selectors.snapshot_get(user=request.user, pk=pk)
    rows = _report_rows(request, snapshot)
    _audit_export(request, snapshot, "csv")
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(
            safe_row(_header())
        )  # the mark tells Excel the text is UTF-8
        for row in rows.values_list("row_number", "column", "code", "message").iterator(
            chunk_size=5000
        ):
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="baris-ditolak-{snapshot.extract_date:%Y%m%d}.csv"'
    )
    return response


@login_required
def bad_rows_xlsx(request, pk):
    snapshot = selectors.snapshot_get(user=request.user, pk=pk)
    rows = _report_rows(request, snapshot)
    if snapshot.bad_rows > XLSX_MAX_ROWS:
        messages.warning(request, _("Too many refused rows for one worksheet; download the CSV."))
        return redirect("assessments:register-detail", pk=snapshot.pk)
    _audit_export(request, snapshot, "xlsx")
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Refused rows"), widths=[8, 16, 22, 80])
    sheet.append(_header())
    for row in rows.values_list("row_number", "column", "code", "message").iterator(
        chunk_size=5000
    ):
        sheet.append(row)
    return xlsx_response(workbook.content(), f"baris-ditolak-{snapshot.extract_date:%Y%m%d}.xlsx")


urlpatterns = [
    path("register/", snapshot_list, name="register-list"),
    path("register/impor/", snapshot_import, name="register-import"),
    path("register/<uuid:pk>/", snapshot_detail, name="register-detail"),
    path("register/<uuid:pk>/progres/", snapshot_progress, name="register-progress"),
    path("register/<uuid:pk>/baris-ditolak.csv", bad_rows_csv, name="register-bad-rows-csv"),
    path("register/<uuid:pk>/baris-ditolak.xlsx", bad_rows_xlsx, name="register-bad-rows-xlsx"),
]
