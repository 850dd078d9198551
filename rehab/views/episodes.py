"""Pages: rehabilitation episodes (list, start, detail with phases, sessions, end and
timeline), and the aftercare follow-ups (due list, record)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.spreadsheets import xlsx_response
from cases import selectors as case_selectors
from cases.models import CLOSED_STAGES, Case
from rehab.exports import episodes_xlsx
from rehab.forms.episodes import EndForm, EpisodeForm, FollowUpForm, PhaseForm, SessionForm
from rehab.models import PHASE_ORDER, AftercareFollowUp, Episode, EpisodePhase
from rehab.selectors import episodes as selectors
from rehab.services import episodes as services

VIEW = AuditEvent.Action.VIEW
PAGE_SIZE = 50


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _filters(request) -> dict:
    get = request.GET
    year = get.get("year", "")
    return {
        "modality": get.get("modality", "") if get.get("modality") in Episode.Modality.values
        else "",
        "status": get.get("status", "")
        if get.get("status") in ("open", "ended", *Episode.Outcome.values) else "",
        "provider": get.get("provider", "") if get.get("provider", "").isdigit() else "",
        "year": int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
    }  # fmt: skip


@login_required
def episode_list(request):
    user = request.user
    _require(policy.can_read_cases(user) or policy.can_write_rehab(user))
    filters = _filters(request)
    qs = selectors.episode_list(user=user, **filters).order_by("-started_on", "reference")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    providers = Organisation.objects.filter(
        pk__in=selectors.episode_list(user=user).values("provider_id")
    )
    return render(request, "rehab/episode_list.html", {
        "page": page, "filters": filters, "providers": providers,
        "counts": selectors.episode_counts(user=user, year=filters["year"]),
        "modalities": Episode.Modality.choices, "outcomes": Episode.Outcome.choices,
        "can_start": policy.can_write_rehab(user),
        "can_export": policy.can_export(user) or policy.has_role(user, {User.Role.REFERRER}),
        "query": request.GET.urlencode(),
    })  # fmt: skip


@login_required
def episode_export(request):
    """The filtered episode list as XLSX (supervisors; BNNK staff for their own episodes)."""
    user = request.user
    _require(policy.can_export(user) or policy.has_role(user, {User.Role.REFERRER}))
    filters = _filters(request)
    qs = selectors.episode_list(user=user, **filters).order_by("started_on", "reference")
    content = episodes_xlsx(qs)
    audit_record(actor=user, action=AuditEvent.Action.EXPORT, object_type="episode",
                 summary=f"episode list, rows={qs.count()}", request=request)  # fmt: skip
    return xlsx_response(content, f"rehabilitasi-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def episode_choose(request):
    """Where an episode starts: BNNK staff pick one of their accepted referrals; Dinsos and
    centre staff start from a case of their organisation."""
    user = request.user
    _require(policy.can_write_rehab(user))
    if user.role == User.Role.REFERRER:
        cases = services.cases_for_referrer(by=user)
    else:
        cases = (
            case_selectors.case_list(user=user)
            .filter(organisation_id=user.organisation_id)
            .exclude(stage__in=CLOSED_STAGES)
        )
    # Someone already in an episode of the user's organisation starts no second one there.
    busy = Episode.objects.filter(provider_id=user.organisation_id, ended_on__isnull=True)
    cases = (
        cases.exclude(client__in=busy.values("client_id"))
        .select_related("client__village")
        .order_by("client__full_name")[:200]
    )
    return render(request, "rehab/episode_choose.html", {"cases": cases})


def _startable_case(user, pk) -> Case:
    case = get_object_or_404(Case.objects.select_related("client"), pk=pk)
    _require(services.may_start_on(user, case))
    return case


@login_required
def episode_create(request, case_pk):
    user = request.user
    case = _startable_case(user, case_pk)
    previous = None
    if request.GET.get("previous"):
        try:
            previous_pk = uuid.UUID(request.GET["previous"])
        except ValueError as exc:  # a malformed id is as unknown as a missing one
            raise Http404 from exc
        previous = selectors.episode_get(user=user, pk=previous_pk)
    providers = services.providers_for(by=user, client=case.client)
    form = EpisodeForm(request.POST or None, providers=providers, by=user)
    if previous is not None and not request.POST:
        form.initial.update({
            "provider": previous.provider_id, "modality": previous.modality,
            "legal_route": previous.legal_route, "worker": previous.worker_id,
        })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episode = services.episode_start(by=user, case=case, previous=previous,
                                             request=request, **data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("Episode %(ref)s started.") % {"ref": episode.reference})
            return redirect("rehab:episode-detail", episode.pk)
    return render(request, "rehab/episode_form.html", {
        "form": form, "case": case, "client": case.client, "previous": previous,
        "show_client_link": user.role != User.Role.REFERRER,
    })  # fmt: skip


@login_required
def episode_detail(request, pk, *, forms=None):
    user = request.user
    episode = selectors.episode_get(user=user, pk=pk)
    audit_record(actor=user, action=VIEW, obj=episode, request=request)
    can_manage = policy.can_manage_episode(user, episode)
    forms = forms or {}
    phases = list(episode.phases.all())
    sessions = list(episode.sessions.select_related("worker"))
    follow_ups = list(episode.follow_ups.all())
    chain = selectors.chain(episode)
    readable = {e.pk for e in selectors.episode_list(user=user).filter(
        pk__in=[e.pk for e in chain])}  # fmt: skip
    return render(request, "rehab/episode_detail.html", {
        "episode": episode, "client": episode.client, "can_manage": can_manage,
        "show_client_link": selectors.can_read_client(user, episode),
        "phases": phases, "sessions": sessions, "follow_ups": follow_ups,
        "chain": [(e, e.pk in readable) for e in chain] if len(chain) > 1 else [],
        "timeline": selectors.episode_timeline(episode),
        "phase_form": forms.get("phase") or PhaseForm(),
        "session_form": forms.get("session") or SessionForm(),
        "end_form": forms.get("end") or EndForm(),
        "is_inpatient": episode.modality == Episode.Modality.INPATIENT,
        "next_phases": _next_phases(phases),
        "today": timezone.localdate(),
    })  # fmt: skip


def _next_phases(phases):
    done = [PHASE_ORDER.index(p.phase) for p in phases]
    start = max(done) + 1 if done else 0
    labels = dict(EpisodePhase.Phase.choices)
    return [(p.value, labels[p]) for p in PHASE_ORDER[start:]]


def _managed(request, pk) -> Episode:
    episode = selectors.episode_get(user=request.user, pk=pk)
    if not policy.can_manage_episode(request.user, episode):
        raise PermissionDenied
    return episode


def _post(request, pk, form_class, key, call, success):
    episode = _managed(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = call(episode, form.cleaned_data)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, success(result))
            return redirect("rehab:episode-detail", episode.pk)
    return episode_detail(request, pk, forms={key: form})


def _or_detail(view):
    """The form posts to its own address; opened there again (the language switch, a
    reload) it shows the episode page instead of refusing the method."""

    def wrapped(request, pk):
        if request.method != "POST":
            return redirect("rehab:episode-detail", pk)
        return view(request, pk)

    wrapped.__name__ = view.__name__
    return login_required(wrapped)


@_or_detail
def episode_phase(request, pk):
    return _post(
        request, pk, PhaseForm, "phase",
        lambda episode, data: services.episode_phase_start(
            episode=episode, by=request.user, request=request, **data),
        lambda phase: _("Phase %(phase)s started.") % {"phase": phase.get_phase_display()},
    )  # fmt: skip


@_or_detail
def episode_session(request, pk):
    return _post(
        request, pk, SessionForm, "session",
        lambda episode, data: services.session_record(
            episode=episode, by=request.user, request=request, **data),
        lambda session: _("Session recorded."),
    )  # fmt: skip


@_or_detail
def episode_end(request, pk):
    def call(episode, data):
        return services.episode_end(
            episode=episode, by=request.user, ended_on=data["ended_on"],
            outcome=data["outcome"], note=data["note"],
            relapse_modality=data["relapse_modality"],
            relapse_started_on=data["relapse_started_on"], request=request,
        )  # fmt: skip

    def success(episode):
        if episode.outcome == Episode.Outcome.RELAPSED:
            return _("The episode has ended in a relapse; episode %(ref)s has started.") % {
                "ref": Episode.objects.get(previous=episode).reference
            }
        return _("The episode has ended.")

    return _post(request, pk, EndForm, "end", call, success)


@login_required
def follow_up_list(request):
    user = request.user
    _require(policy.can_write_rehab(user) or policy.can_read_cases(user))
    status = request.GET.get("status", "open")
    if status not in ("open", "all", *AftercareFollowUp.Status.values):
        status = "open"
    qs = selectors.follow_up_list(user=user, status="" if status == "all" else status)
    page = Paginator(qs.order_by("due_on", "months"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rehab/follow_up_list.html", {
        "page": page, "status": status, "statuses": AftercareFollowUp.Status.choices,
        "today": timezone.localdate(),
    })  # fmt: skip


@login_required
def follow_up_record(request, pk):
    user = request.user
    follow_up = selectors.follow_up_get(user=user, pk=pk)
    episode = follow_up.episode
    if not policy.can_manage_episode(user, episode):
        raise PermissionDenied
    if follow_up.status != AftercareFollowUp.Status.DUE:
        messages.error(request, _("This follow-up has already been recorded."))
        return redirect("rehab:episode-detail", episode.pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(follow_up=follow_up, by=user, request=request,
                                      **form.cleaned_data)  # fmt: skip
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            follow_up.refresh_from_db()
            if follow_up.relapse:
                messages.warning(request, _(
                    "A relapse is recorded. Start a new episode for the client below."
                ))  # fmt: skip
                start = reverse("rehab:episode-create", args=[episode.case_id])
                return redirect(f"{start}?previous={episode.pk}")
            messages.success(request, _("The follow-up is recorded."))
            return redirect("rehab:episode-detail", episode.pk)
    audit_record(actor=user, action=VIEW, obj=episode, request=request,
                 summary=f"follow-up {follow_up.months}m")  # fmt: skip
    return render(request, "rehab/follow_up_form.html", {
        "form": form, "follow_up": follow_up, "episode": episode,
    })  # fmt: skip


@login_required
def client_episodes(request, pk):
    """The client page's rehabilitation part (loaded into it): the episodes grouped into
    relapse chains, each with its follow-ups."""
    client = case_selectors.client_get(user=request.user, pk=pk)
    chains = selectors.client_chains(user=request.user, client=client)
    return render(request, "rehab/_client_episodes.html", {"chains": chains, "client": client})


urlpatterns = [
    path("klien/<uuid:pk>/rehabilitasi/", client_episodes, name="client-episodes"),
    path("rehabilitasi/", episode_list, name="episode-list"),
    path("rehabilitasi/ekspor/", episode_export, name="episode-export"),
    path("rehabilitasi/mulai/", episode_choose, name="episode-choose"),
    path("rehabilitasi/mulai/<uuid:case_pk>/", episode_create, name="episode-create"),
    path("rehabilitasi/<uuid:pk>/", episode_detail, name="episode-detail"),
    path("rehabilitasi/<uuid:pk>/fase/", episode_phase, name="episode-phase"),
    path("rehabilitasi/<uuid:pk>/sesi/", episode_session, name="episode-session"),
    path("rehabilitasi/<uuid:pk>/akhiri/", episode_end, name="episode-end"),
    path("rehabilitasi/tindak-lanjut/", follow_up_list, name="follow-up-list"),
    path("rehabilitasi/tindak-lanjut/<uuid:pk>/", follow_up_record, name="follow-up-record"),
]
