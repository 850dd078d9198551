"""Pages of family guidance (bimbingan sosial keluarga): sessions, their attendance, series
with their attendance matrix and its spreadsheet.

Readers: case readers whose area holds the village; writers: case writers of the session's
organisation. Anyone else gets a 404. Pages that name family members are audited views.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atensi.accounts import policy
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from atensi.regions.selectors import region_label
from atensi.spreadsheets import xlsx_response
from atensi.views import perform
from cases.selectors import client_get
from rehab.family_exports import series_attendance_xlsx
from rehab.forms.family import (
    FilterForm,
    MembersForm,
    SeriesEditForm,
    SeriesForm,
    SessionForm,
    WalkInForm,
)
from rehab.models.family import FamilySeries
from rehab.selectors import family as selectors
from rehab.services import family as services

VIEW = AuditEvent.Action.VIEW
LIST_LIMIT = 200


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _village_choices(code):
    region = (
        Region.objects.select_related("parent__parent").filter(code=code).first() if code else None
    )
    return [(region.code, region_label(region))] if region else [("", "—")]


def _own_series(user):
    return FamilySeries.objects.filter(organisation_id=user.organisation_id).order_by("-created_at")


@login_required
def session_list(request):
    user = request.user
    _require(selectors.can_read(user))
    series_all = list(selectors.series_list(user=user).order_by("-created_at"))
    villages = (
        Region.objects.filter(pk__in=selectors.session_list(user=user).values("village"))
        .select_related("parent__parent")
        .order_by("name")
    )
    form = FilterForm(
        request.GET or None,
        villages=[(r.code, region_label(r)) for r in villages],
        series=series_all,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    series = next((s for s in series_all if str(s.pk) == filters.get("series")), None)
    sessions = selectors.session_list(
        user=user, start=filters.get("start"), end=filters.get("end"),
        village=filters.get("village", ""), series=series,
    ).order_by("-date", "-created_at")  # fmt: skip
    return render(request, "rehab/family_session_list.html", {
        "form": form, "sessions": sessions[:LIST_LIMIT], "series_list": series_all,
        "can_write": selectors.can_write(user),
    })  # fmt: skip


def _session_form(request, *, session=None):
    user = request.user
    initial = {"date": timezone.localdate()}
    series_id = request.GET.get("seri")
    if session is not None:
        initial = {
            name: getattr(session, name)
            for name in ("date", "place", "topic", "facilitator", "notes", "meeting_number")
        }
        initial["village"] = session.village_id
        initial["series"] = str(session.series_id or "")
    elif series_id:
        series = _own_series(user).filter(pk=series_id).first() if _is_uuid(series_id) else None
        if series is not None:
            initial.update(series=str(series.pk), village=series.village_id,
                           meeting_number=series.sessions.count() + 1)  # fmt: skip
    form = SessionForm(
        request.POST or None,
        initial=initial,
        series=_own_series(user),
        village_choices=_village_choices(request.POST.get("village", initial.get("village"))),
    )
    return form


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def session_create(request):
    _require(selectors.can_write(request.user))
    form = _session_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(by=request.user, request=request,
                                              **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The session has been recorded. Now list who came."))
            return redirect("rehab:family-session-detail", pk=session.pk)
    return render(request, "rehab/family_session_form.html", {"form": form})


@login_required
def session_edit(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    _require(selectors.can_write(request.user, session))
    form = _session_form(request, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, by=request.user, request=request,
                                    **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect("rehab:family-session-detail", pk=session.pk)
    return render(request, "rehab/family_session_form.html", {"form": form, "session": session})


def _session_page(request, session, *, members_form=None, walk_in_form=None):
    user = request.user
    audit_record(actor=user, action=VIEW, obj=session, request=request, summary="attendance")
    can_write = selectors.can_write(user, session)
    attendees = selectors.attendees(user=user, session=session)
    context = {
        "session": session,
        "attendees": attendees,
        "present": sum(1 for a in attendees if a.row.attended),
        "can_write": can_write,
    }
    if can_write:
        context["members_form"] = members_form or MembersForm(
            members=selectors.member_choices(user=user, session=session)
        )
        context["walk_in_form"] = walk_in_form or WalkInForm(prefix="walkin")
    return render(request, "rehab/family_session_detail.html", context)


@login_required
def session_detail(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    return _session_page(request, session)


def _writable_session(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    _require(selectors.can_write(request.user, session))
    return session


@login_required
@require_POST
def attendance_add_members(request, pk):
    session = _writable_session(request, pk)
    form = MembersForm(
        request.POST, members=selectors.member_choices(user=request.user, session=session)
    )
    if form.is_valid():
        try:
            rows = services.attendance_add_members(
                session=session, by=request.user, members=form.chosen(),
                attended=form.cleaned_data["attended"], request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("%(n)d attendee(s) added.") % {"n": len(rows)})
            return redirect("rehab:family-session-detail", pk=session.pk)
    return _session_page(request, session, members_form=form)


@login_required
@require_POST
def attendance_add_walk_in(request, pk):
    session = _writable_session(request, pk)
    form = WalkInForm(request.POST, prefix="walkin")
    if form.is_valid():
        try:
            services.attendance_add_walk_in(session=session, by=request.user, request=request,
                                            **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The attendee has been added."))
            return redirect("rehab:family-session-detail", pk=session.pk)
    return _session_page(request, session, walk_in_form=form)


@login_required
@require_POST
def attendance_mark(request, pk):
    session = _writable_session(request, pk)
    perform(
        request,
        lambda: services.attendance_mark(
            session=session, by=request.user, present=set(request.POST.getlist("present")),
            request=request,
        ),
        lambda counts: _("Attendance saved: %(present)d present, %(absent)d absent.")
        % {"present": counts[0], "absent": counts[1]},
    )  # fmt: skip
    return redirect("rehab:family-session-detail", pk=session.pk)


@login_required
@require_POST
def attendance_remove(request, pk, row):
    session = _writable_session(request, pk)
    attendance = get_object_or_404(session.attendances, pk=row)
    perform(
        request,
        lambda: services.attendance_remove(attendance=attendance, by=request.user,
                                           request=request),
        _("The attendee has been taken off the list."),
    )  # fmt: skip
    return redirect("rehab:family-session-detail", pk=session.pk)


@login_required
def client_sessions(request, client_pk):
    """The guidance sessions the client's family was listed at, as a fragment of the client
    page (htmx)."""
    client = client_get(user=request.user, pk=client_pk)
    return render(request, "rehab/_client_family_sessions.html", {
        "client": client,
        "rows": selectors.client_sessions(user=request.user, client=client),
    })  # fmt: skip


@login_required
def series_create(request):
    _require(selectors.can_write(request.user))
    form = SeriesForm(
        request.POST or None, village_choices=_village_choices(request.POST.get("village"))
    )
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(by=request.user, request=request,
                                            **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The series has been created."))
            return redirect("rehab:family-series-detail", pk=series.pk)
    return render(request, "rehab/family_series_form.html", {"form": form})


@login_required
def series_edit(request, pk):
    series = selectors.series_get(user=request.user, pk=pk)
    _require(selectors.can_write(request.user, series))
    initial = {name: getattr(series, name) for name in ("name", "planned_meetings", "description")}
    form = SeriesEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.series_update(series=series, by=request.user, request=request,
                                   **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("The series has been saved."))
            return redirect("rehab:family-series-detail", pk=series.pk)
    return render(request, "rehab/family_series_form.html", {"form": form, "series": series})


def _can_export(user, series) -> bool:
    return policy.can_export(user) or selectors.can_write(user, series)


@login_required
def series_detail(request, pk):
    series = selectors.series_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=VIEW, obj=series, request=request,
                 summary="attendance matrix")  # fmt: skip
    matrix = selectors.series_matrix(user=request.user, series=series)
    return render(request, "rehab/family_series_detail.html", {
        "series": series, "matrix": matrix,
        "can_edit": selectors.can_write(request.user, series),
        "can_write": selectors.can_write(request.user, series)
        and len(matrix.sessions) < series.planned_meetings,
        "can_export": _can_export(request.user, series),
    })  # fmt: skip


@login_required
def series_export(request, pk):
    """The series' attendance matrix as XLSX; every export is audited."""
    series = selectors.series_get(user=request.user, pk=pk)
    _require(_can_export(request.user, series))
    matrix = selectors.series_matrix(user=request.user, series=series)
    content = series_attendance_xlsx(series, matrix)
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, obj=series,
                 request=request,
                 summary=f"attendance matrix, rows={len(matrix.participants)}")  # fmt: skip
    return xlsx_response(
        content, f"kehadiran-bimbingan-keluarga-{timezone.localdate():%Y%m%d}.xlsx"
    )


urlpatterns = [
    path("bimbingan-keluarga/", session_list, name="family-session-list"),
    path("bimbingan-keluarga/baru/", session_create, name="family-session-create"),
    path("bimbingan-keluarga/<uuid:pk>/", session_detail, name="family-session-detail"),
    path("bimbingan-keluarga/<uuid:pk>/ubah/", session_edit, name="family-session-edit"),
    path(
        "bimbingan-keluarga/<uuid:pk>/peserta/keluarga/",
        attendance_add_members,
        name="family-attendance-members",
    ),
    path(
        "bimbingan-keluarga/<uuid:pk>/peserta/tamu/",
        attendance_add_walk_in,
        name="family-attendance-walk-in",
    ),
    path("bimbingan-keluarga/<uuid:pk>/kehadiran/", attendance_mark, name="family-attendance-mark"),
    path(
        "bimbingan-keluarga/<uuid:pk>/peserta/<uuid:row>/hapus/",
        attendance_remove,
        name="family-attendance-remove",
    ),
    path(
        "bimbingan-keluarga/klien/<uuid:client_pk>/",
        client_sessions,
        name="family-client-sessions",
    ),
    path("bimbingan-keluarga/seri/baru/", series_create, name="family-series-create"),
    path("bimbingan-keluarga/seri/<uuid:pk>/", series_detail, name="family-series-detail"),
    path("bimbingan-keluarga/seri/<uuid:pk>/ubah/", series_edit, name="family-series-edit"),
    path("bimbingan-keluarga/seri/<uuid:pk>/ekspor/", series_export, name="family-series-export"),
]
