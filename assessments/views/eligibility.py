"""Pages of batch eligibility screening: create, progress, funnel, export (the review queue
is in ``review``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import fellegi_sunter, linkage, verdicts
from assessments.exports import batch_rows_xlsx, proposal_template_xlsx
from assessments.forms.eligibility import BatchForm
from assessments.models import BatchRow, EligibilityBatch
from assessments.models.eligibility import Verdict
from assessments.selectors import eligibility as selectors
from assessments.selectors.register import can_import_register, snapshot_default
from assessments.services import eligibility as services
from assessments.services import matching
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.spreadsheets import xlsx_response
from atensi.views import perform
from cases.selectors import client_list

from . import review


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


@login_required
def batch_list(request):
    _require(policy.can_write_cases(request.user))
    page = Paginator(selectors.batch_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "assessments/batch_list.html", {"page": page})


@login_required
def batch_create(request):
    user = request.user
    _require(policy.can_write_cases(user))
    programmes = selectors.programmes_for(user=user)
    snapshots = selectors.snapshots_ready(user=user)
    form = BatchForm(
        request.POST or None,
        request.FILES or None,
        programmes=programmes,
        snapshots=snapshots,
        default_snapshot=snapshot_default(organisation=user.organisation),
        area_codes=policy.area_codes(user),
        clients=client_list(user=user).order_by("full_name"),
        initial={"name": _("Proposals %(date)s") % {"date": f"{timezone.localdate():%d-%m-%Y}"}},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_create(
                by=user,
                programme=data["programme"],
                snapshot=data["snapshot"],
                name=data["name"],
                file=data["file"] if data["source"] == "file" else None,
                client_ids=[c.pk for c in data["clients"]] if data["source"] == "clients" else None,
                request=request,
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The list is being screened."))
            return redirect("assessments:batch-detail", pk=batch.pk)
    if request.method == "POST":
        form.ask_for_the_file_again()
    return render(request, "assessments/batch_form.html", {
        "form": form,
        "no_programme": not programmes.exists(),
        "no_snapshot": not snapshots.exists(),
        "can_import": can_import_register(user),
    })  # fmt: skip


def _detail_context(request, batch):
    verdict = request.GET.get("verdict", "")
    if verdict not in Verdict.values:
        verdict = ""
    rows = selectors.batch_rows(batch=batch, verdict=verdict)
    counts = selectors.batch_verdict_counts(batch=batch)
    return {
        "batch": batch,
        "done": batch.status == EligibilityBatch.Status.DONE,
        "failed": batch.status == EligibilityBatch.Status.FAILED,
        "percent": int(100 * batch.processed_rows / batch.total_rows) if batch.total_rows else 0,
        "funnel": selectors.batch_funnel(batch=batch),
        "verdict_counts": [
            (value, label, counts[value]) for value, label in Verdict.choices if value in counts
        ],
        "verdict": verdict,
        "eligible_rows": counts.get(Verdict.ELIGIBLE, 0),
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        **_pending_counts(batch),
        "can_review": policy.has_role(request.user, {User.Role.SUPERVISOR}),
        "can_export_full": policy.can_export(request.user),
        "matching": _matching(batch),
    }


def _pending_counts(batch) -> dict:
    """Rows waiting for review (``pending_reviews``) and, of them, those the funnel loses at
    "matched" (``pending_matched``; the others it lost earlier); one query."""
    pending = Q(review=BatchRow.Review.PENDING)
    earlier = Q(reasons__overlap=list(verdicts.lost_before("matched")))
    return batch.rows.aggregate(
        pending_reviews=Count("id", filter=pending),
        pending_matched=Count("id", filter=pending & ~earlier),
    )


def _matching(batch) -> dict:
    """How the batch was matched, for its page: the method, the thresholds in percent, what
    the model was learnt from and, per level, what it weighs (in bits)."""
    summary = matching.summary(batch)
    return {
        "summary": summary,
        "auto": None if summary.auto is None else matching.percent(summary.auto),
        "review": None if summary.review is None else matching.percent(summary.review),
        # The fixed rules' score, 0 to 1: its thresholds, as the page writes the scores.
        "rules_auto": number_format(linkage.DEFAULT_THRESHOLDS.auto, 2),
        "rules_review": number_format(linkage.DEFAULT_THRESHOLDS.review, 2),
        "weights": [
            (_(fellegi_sunter.describe(c, level)), with_nik, without_nik)
            for c, level, with_nik, without_nik in summary.weights
        ],
    }


@login_required
def batch_detail(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=batch, request=request)
    return render(request, "assessments/batch_detail.html", _detail_context(request, batch))


@login_required
def batch_progress(request, pk):
    """The progress fragment, polled by htmx while the batch runs; full page refresh when done."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    context = _detail_context(request, batch)
    response = render(request, "assessments/_batch_progress.html", context)
    if context["done"] or context["failed"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def batch_rerun(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    perform(
        request,
        lambda: services.batch_rerun(batch=batch, by=request.user, request=request),
        _("The list is being screened again."),
    )
    return redirect("assessments:batch-detail", pk=batch.pk)


@login_required
def batch_export(request, pk):
    """The results as XLSX, NIKs masked; with ``?nik=full`` full NIKs, for supervisors, who
    verify the proposals and act on them."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    full_nik = request.GET.get("nik") == "full"
    if full_nik and not policy.can_export(request.user):
        raise PermissionDenied
    rows = selectors.batch_rows(batch=batch)
    content = batch_rows_xlsx(batch, rows, full_nik=full_nik)
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, obj=batch, request=request,
                 summary=f"eligibility results, rows={batch.total_rows}, "
                         f"nik={'full' if full_nik else 'masked'}")  # fmt: skip
    suffix = "-nik-lengkap" if full_nik else ""
    return xlsx_response(content, f"kelayakan-{batch.pk}{suffix}.xlsx")


@login_required
def batch_template(request):
    """An empty proposal list to fill in (``exports.proposal_template_xlsx``)."""
    _require(policy.can_write_cases(request.user))
    return xlsx_response(proposal_template_xlsx(), "templat-daftar-usulan.xlsx")


urlpatterns = [
    path("kelayakan/", batch_list, name="batch-list"),
    path("kelayakan/templat.xlsx", batch_template, name="batch-template"),
    path("kelayakan/baru/", batch_create, name="batch-create"),
    path("kelayakan/<uuid:pk>/", batch_detail, name="batch-detail"),
    path("kelayakan/<uuid:pk>/progres/", batch_progress, name="batch-progress"),
    path("kelayakan/<uuid:pk>/tinjauan/", review.batch_review, name="batch-review"),
    path(
        "kelayakan/<uuid:pk>/tinjauan/yang-jelas/",
        review.batch_review_obvious,
        name="batch-review-obvious",
    ),
    path(
        "kelayakan/<uuid:pk>/baris/<int:row_pk>/tinjau/",
        review.batch_row_review,
        name="batch-row-review",
    ),
    path(
        "kelayakan/<uuid:pk>/baris/<int:row_pk>/urungkan/",
        review.batch_row_reopen,
        name="batch-row-reopen",
    ),
    path("kelayakan/<uuid:pk>/ulang/", batch_rerun, name="batch-rerun"),
    path("kelayakan/<uuid:pk>/ekspor.xlsx", batch_export, name="batch-export"),
]
