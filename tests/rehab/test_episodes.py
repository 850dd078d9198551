"""Rehabilitation episodes: modalities and legal routes, phases, sessions, outcomes and the
relapse chain, aftercare follow-ups, and who may read and write them (BNNK only its own)."""

import datetime
import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases.models import CaseEvent
from rehab.models import Episode, EpisodePhase, IbmUnit, RecoveryAgent
from rehab.selectors.episodes import chain
from rehab.services import episodes as services
from tests.conftest import role_matrix, shown

D = datetime.date

TOMORROW = object()  # stands for the day after the test runs


# --- starting an episode ---------------------------------------------------------------


def test_a_caseworker_starts_an_outpatient_episode_on_the_case_timeline(
    cast, make_case, start_episode
):
    case = make_case()

    episode = start_episode(case)

    assert episode.reference.startswith("RHB-")
    assert episode.client_id == case.client_id and episode.is_open
    event = CaseEvent.objects.get(case=case, verb=CaseEvent.Verb.EPISODE_OPENED)
    assert episode.reference in event.description and "15-01-2026" in event.description


def test_a_client_has_one_open_episode_per_provider(make_case, start_episode):
    case = make_case()
    start_episode(case)

    with pytest.raises(ApplicationError) as refused:
        start_episode(case, modality="keluarga")

    assert refused.value.code == "conflict"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"modality": "ibm"}, "ibm_unit"),
        ({"modality": "rujukan"}, "referred_to"),
        ({"legal_route": "putusan"}, "court_decision_no"),
        ({"legal_route": "putusan", "court_decision_no": "12/Pid.Sus/2026/PN Kag"},
         "court_decision_date"),
        ({"started_on": D(2026, 3, 1), "planned_end_on": D(2026, 2, 1)}, "planned_end_on"),
        ({"started_on": TOMORROW}, "started_on"),
    ],
)  # fmt: skip
def test_each_modality_and_legal_route_asks_for_what_it_needs(
    make_case, start_episode, extra, field
):
    # Tomorrow as of the test, not of the collection: a run may pass midnight in between.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    extra = {k: tomorrow if v is TOMORROW else v for k, v in extra.items()}
    with pytest.raises(ApplicationError) as refused:
        start_episode(make_case(), **extra)

    assert refused.value.field == field
    assert not Episode.objects.exists()


def test_a_community_episode_names_its_ibm_unit_and_an_agent_of_that_unit(
    cast, make_case, start_episode
):
    where = {"village_id": "16.02.05.1002", "organisation": cast.dinsos,
             "created_by": cast.caseworker}  # fmt: skip
    unit = IbmUnit.objects.create(name="IBM Kayuagung", **where)
    other = IbmUnit.objects.create(name="IBM Lain", **where)
    stranger = RecoveryAgent.objects.create(unit=other, full_name="Agen Lain")
    agent = RecoveryAgent.objects.create(unit=unit, full_name="Agen Pemulihan")
    case = make_case()

    with pytest.raises(ApplicationError) as refused:
        start_episode(case, modality="ibm", ibm_unit=unit, recovery_agent=stranger)
    episode = start_episode(case, modality="ibm", ibm_unit=unit, recovery_agent=agent)

    assert refused.value.field == "recovery_agent"
    assert (episode.ibm_unit, episode.recovery_agent) == (unit, agent)


def test_a_court_ordered_referral_onward_keeps_the_decision_and_destination(
    make_case, start_episode
):
    episode = start_episode(
        make_case(), modality="rujukan", referred_to="Balai Besar Rehabilitasi BNN Lido",
        referral_accepted_on=D(2026, 1, 20), legal_route="putusan",
        court_decision_no="12/Pid.Sus/2026/PN Kag", court_decision_date=D(2026, 1, 10),
        tat_assessed_on=D(2026, 1, 5), tat_recommendation="Rawat inap",
    )  # fmt: skip

    episode.refresh_from_db()
    assert episode.referred_to == "Balai Besar Rehabilitasi BNN Lido"
    assert episode.court_decision_date == D(2026, 1, 10)


def test_the_database_refuses_an_episode_that_breaks_the_modality_rules(
    cast, make_case, start_episode
):
    episode = start_episode(make_case())

    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(modality="ibm")
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(outcome="selesai")
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(legal_route="putusan")


def test_the_provider_must_serve_the_clients_village_and_the_worker_work_there(
    cast, make_case, start_episode
):
    case = make_case()

    with pytest.raises(ApplicationError) as wrong_provider:
        start_episode(case, provider=cast.other_dinsos)
    with pytest.raises(ApplicationError) as wrong_worker:
        start_episode(case, provider=cast.bnnk, worker=cast.caseworker)
    episode = start_episode(case, provider=cast.bnnk, worker=cast.referrer)

    assert wrong_provider.value.field == "provider" and wrong_worker.value.field == "worker"
    assert episode.provider == cast.bnnk


# --- phases and sessions ----------------------------------------------------------------


def test_inpatient_phases_follow_in_order_and_each_closes_the_one_before(
    cast, make_case, start_episode
):
    episode = start_episode(make_case(), modality="rawat_inap", started_on=D(2026, 1, 1))
    by = cast.caseworker

    services.episode_phase_start(episode=episode, by=by, phase="detoks", started_on=D(2026, 1, 1))
    services.episode_phase_start(episode=episode, by=by, phase="primer", started_on=D(2026, 1, 15))
    with pytest.raises(ApplicationError) as back:
        services.episode_phase_start(episode=episode, by=by, phase="entry",
                                     started_on=D(2026, 2, 1))  # fmt: skip

    phases = list(episode.phases.values_list("phase", "started_on", "ended_on"))
    assert phases == [("detoks", D(2026, 1, 1), D(2026, 1, 15)), ("primer", D(2026, 1, 15), None)]
    assert back.value.field == "phase"


def test_only_inpatient_episodes_have_phases(cast, make_case, start_episode):
    episode = start_episode(make_case())

    with pytest.raises(ApplicationError):
        services.episode_phase_start(episode=episode, by=cast.caseworker, phase="detoks",
                                     started_on=D(2026, 1, 20))  # fmt: skip

    assert not EpisodePhase.objects.exists()


def test_a_urine_test_session_needs_its_result_and_sessions_stay_within_the_episode(
    cast, make_case, start_episode
):
    episode = start_episode(make_case())
    by = cast.caseworker

    with pytest.raises(ApplicationError) as no_result:
        services.session_record(episode=episode, by=by, date=D(2026, 2, 1), kind="tes_urin")
    with pytest.raises(ApplicationError) as before:
        services.session_record(episode=episode, by=by, date=D(2026, 1, 1), kind="konseling")
    positive = services.session_record(
        episode=episode, by=by, date=D(2026, 2, 1), kind="tes_urin", urine_result="positif",
        substances_found=["sabu"],
    )  # fmt: skip
    absent = services.session_record(
        episode=episode, by=by, date=D(2026, 2, 8), kind="tes_urin", attendance="tidak_hadir",
        urine_result="negatif",
    )  # fmt: skip

    assert no_result.value.field == "urine_result" and before.value.field == "date"
    assert positive.substances_found == ["sabu"]
    assert absent.urine_result == ""  # not tested: no result is kept


def test_the_episode_page_names_the_substances_found_not_their_codes(
    cast, browse, make_case, start_episode
):
    episode = start_episode(make_case())
    services.session_record(
        episode=episode, by=cast.caseworker, date=D(2026, 2, 1), kind="tes_urin",
        urine_result="positif", substances_found=["sabu", "obat_keras"],
    )  # fmt: skip

    page = browse("caseworker").get(reverse("rehab:episode-detail", args=[episode.pk])).text

    assert shown("Prescription drugs (tramadol, dextro, LL)") in page
    assert "obat_keras" not in page.split('name="substances_found"')[0]  # the table, not the form


# --- the end, follow-ups and relapse -------------------------------------------------------


def test_a_completed_episode_schedules_follow_ups_one_three_and_six_months_after_its_end(
    cast, make_case, start_episode
):
    episode = start_episode(make_case(), started_on=D(2025, 11, 1))

    services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 1, 31),
                         outcome="selesai")  # fmt: skip

    due = list(episode.follow_ups.values_list("months", "due_on"))
    assert due == [(1, D(2026, 2, 28)), (3, D(2026, 4, 30)), (6, D(2026, 7, 31))]
    assert CaseEvent.objects.filter(verb=CaseEvent.Verb.EPISODE_ENDED).count() == 1


@pytest.mark.parametrize("outcome", ["meninggal", "pindah", "dirujuk"])
def test_no_follow_ups_are_scheduled_when_there_is_nobody_to_follow_up(
    cast, make_case, start_episode, outcome
):
    episode = start_episode(make_case())

    services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 3, 1),
                         outcome=outcome, note="Balai Rehabilitasi BNN Baddoka")  # fmt: skip

    assert not episode.follow_ups.exists()


def test_an_episode_cannot_end_before_its_last_session(cast, make_case, start_episode):
    episode = start_episode(make_case())
    services.session_record(episode=episode, by=cast.caseworker, date=D(2026, 3, 1),
                            kind="konseling")  # fmt: skip

    with pytest.raises(ApplicationError) as refused:
        services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 2, 1),
                             outcome="selesai")  # fmt: skip

    assert refused.value.field == "ended_on"
    assert Episode.objects.get(pk=episode.pk).is_open


def test_a_relapse_opens_the_next_episode_linked_to_the_previous(cast, make_case, start_episode):
    first = start_episode(make_case(), started_on=D(2026, 1, 1))

    services.episode_end(episode=first, by=cast.caseworker, ended_on=D(2026, 4, 1),
                         outcome="kambuh", relapse_modality="rawat_inap")  # fmt: skip

    second = Episode.objects.get(previous=first)
    assert second.is_open and second.modality == "rawat_inap"
    assert second.started_on == D(2026, 4, 1)
    assert not first.follow_ups.exists()
    third_start = second.started_on + datetime.timedelta(days=40)
    services.episode_end(episode=second, by=cast.caseworker, ended_on=third_start,
                         outcome="kambuh")  # fmt: skip
    third = Episode.objects.get(previous=second)
    assert [e.pk for e in chain(second)] == [first.pk, second.pk, third.pk]


def test_the_client_page_shows_the_relapse_chain(cast, browse, make_case, start_episode):
    case = make_case()
    first = start_episode(case, started_on=D(2026, 1, 1))
    services.episode_end(episode=first, by=cast.caseworker, ended_on=D(2026, 4, 1),
                         outcome="kambuh")  # fmt: skip
    second = Episode.objects.get(previous=first)

    html = browse("caseworker").get(reverse("rehab:client-episodes", args=[case.client_id])).text

    assert html.index(first.reference) < html.index(second.reference)
    assert "bi-arrow-return-right" in html


def test_a_follow_up_is_recorded_once_and_a_relapse_leads_to_a_new_episode(
    cast, browse, make_case, start_episode
):
    episode = start_episode(make_case(), started_on=D(2025, 12, 1))
    services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 2, 1),
                         outcome="selesai")  # fmt: skip
    follow_up = episode.follow_ups.get(months=1)
    browser = browse("caseworker")
    url = reverse("rehab:follow-up-record", args=[follow_up.pk])

    incomplete = browser.post(url, {"reached": "yes", "contacted_on": "2026-03-02"})
    # Seen: "did not use since the last contact" and "relapsed" recorded together.
    contradiction = browser.post(url, {
        "reached": "yes", "contacted_on": "2026-03-02", "used_since": "no",
        "urine_test": "negatif", "activity": "bekerja", "relapse": "yes",
    })  # fmt: skip
    assert contradiction.status_code == 200
    assert "Kambuh berarti kembali memakai" in contradiction.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == "due"
    response = browser.post(url, {
        "reached": "yes", "contacted_on": "2026-03-02", "used_since": "yes",
        "substances": ["sabu"], "urine_test": "positif", "activity": "bekerja", "relapse": "yes",
    })  # fmt: skip

    assert incomplete.status_code == 200
    assert response.status_code == 302
    assert response.url.endswith(f"?previous={episode.pk}")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.relapse, follow_up.substances) == (
        "reached",
        True,
        ["sabu"],
    )
    assert CaseEvent.objects.filter(verb=CaseEvent.Verb.AFTERCARE).count() == 1
    with pytest.raises(ApplicationError):
        services.follow_up_record(follow_up=follow_up, by=cast.caseworker,
                                  contacted_on=D(2026, 3, 3), reached=False)  # fmt: skip
    new = browser.post(response.url, {
        "provider": cast.dinsos.pk, "modality": "rawat_jalan", "legal_route": "sukarela",
        "started_on": "2026-03-05", "worker": cast.caseworker.pk,
    })  # fmt: skip
    assert new.status_code == 302
    assert Episode.objects.get(previous=episode).started_on == D(2026, 3, 5)


def test_due_and_overdue_follow_ups_show_on_the_caseworkers_and_the_bnnk_workers_home(
    cast, browse, bnnk_case, start_episode
):
    today = timezone.localdate()
    episode = start_episode(
        bnnk_case, by=cast.referrer, started_on=today - datetime.timedelta(days=120)
    )
    ended_on = today - datetime.timedelta(days=40)
    services.episode_end(episode=episode, by=cast.referrer, ended_on=ended_on, outcome="selesai")
    first = episode.follow_ups.get(months=1)

    referrer_home = browse("referrer").get(reverse("home"))
    caseworker_home = browse("caseworker").get(reverse("home"))

    assert referrer_home.status_code == 200
    url = reverse("rehab:follow-up-record", args=[first.pk])
    assert url in referrer_home.text and first.due_on.strftime("%d-%m-%Y") in referrer_home.text
    assert episode.follow_ups.get(months=3).due_on.strftime("%d-%m-%Y") not in referrer_home.text
    assert url in caseworker_home.text  # the Dinsos case holder follows up too
    assert url not in browse("outsider").get(reverse("home")).text


# --- BNNK: only its own episodes -------------------------------------------------------------


def test_bnnk_starts_episodes_only_on_cases_of_its_accepted_referrals(
    cast, make_case, bnnk_case, start_episode
):
    other_case = make_case(serial=40)

    episode = start_episode(bnnk_case, by=cast.referrer)
    with pytest.raises(Exception) as refused:
        start_episode(other_case, by=cast.referrer)

    assert episode.provider == cast.bnnk
    assert refused.type.__name__ == "PermissionDenied"


def test_bnnk_reads_only_the_episodes_it_provides_and_nothing_else_of_the_client(
    cast, browse, bnnk_case, make_case, start_episode
):
    own = start_episode(bnnk_case, by=cast.referrer)
    dinsos_episode = start_episode(make_case(serial=41))
    referrer = browse("referrer")

    listing = referrer.get(reverse("rehab:episode-list")).text
    detail = referrer.get(reverse("rehab:episode-detail", args=[own.pk]))

    assert own.reference in listing and dinsos_episode.reference not in listing
    assert detail.status_code == 200
    assert bnnk_case.client.full_name in detail.text
    assert bnnk_case.client.nik not in detail.text
    assert reverse("cases:client-detail", args=[bnnk_case.client_id]) not in detail.text
    assert (
        referrer.get(reverse("rehab:episode-detail", args=[dinsos_episode.pk])).status_code == 404
    )
    assert (
        referrer.get(reverse("cases:client-detail", args=[bnnk_case.client_id])).status_code == 404
    )


def test_the_dinsos_case_holder_reads_and_manages_an_episode_bnnk_provides(
    cast, bnnk_case, start_episode
):
    episode = start_episode(bnnk_case, by=cast.referrer)

    session = services.session_record(episode=episode, by=cast.caseworker, date=D(2026, 2, 1),
                                      kind="kunjungan_rumah")  # fmt: skip

    assert session.worker == cast.caseworker


EPISODE_PAGES = {
    # caseworker, supervisor, outsider, referrer, centre, viewer, admin
    "rehab:episode-detail": [200, 200, 404, 404, 404, 404, 200],
    "rehab:episode-list": [200, 200, 200, 200, 200, 404, 200],
}


@pytest.mark.parametrize(("name", "role", "expected"), role_matrix(EPISODE_PAGES))
def test_who_may_open_the_episode_pages(browse, make_case, start_episode, name, role, expected):
    episode = start_episode(make_case())
    args = [episode.pk] if name.endswith("detail") else []

    response = browse(role).get(reverse(name, args=args))

    assert response.status_code == expected
    if name == "rehab:episode-list" and expected == 200:
        assert (episode.reference in response.text) is (
            role in {"caseworker", "supervisor", "admin"}
        )


def test_an_outsider_cannot_post_to_an_episode(browse, make_case, start_episode):
    episode = start_episode(make_case())
    outsider = browse("outsider")

    for name in ("rehab:episode-session", "rehab:episode-end", "rehab:episode-phase"):
        response = outsider.post(reverse(name, args=[episode.pk]), {"date": "2026-02-01"})
        assert response.status_code == 404, name
    assert (
        outsider.get(reverse("rehab:client-episodes", args=[episode.client_id])).status_code == 404
    )
    assert outsider.get(reverse("rehab:episode-create", args=[episode.case_id])).status_code == 404


def test_viewing_an_episode_is_audited(cast, browse, make_case, start_episode):
    episode = start_episode(make_case())

    browse("supervisor").get(reverse("rehab:episode-detail", args=[episode.pk]))

    assert AuditEvent.objects.filter(actor=cast.supervisor, action="view",
                                     object_id=str(episode.pk)).exists()  # fmt: skip


# --- the pages as a worker uses them -----------------------------------------------------------


def test_a_worker_runs_an_inpatient_episode_through_the_pages(cast, browse, make_case):
    case = make_case()
    browser = browse("caseworker")

    start = browser.post(reverse("rehab:episode-create", args=[case.pk]), {
        "provider": cast.dinsos.pk, "modality": "rawat_inap", "legal_route": "lapor_keluarga",
        "started_on": "2026-01-05", "planned_end_on": "2026-07-05", "worker": cast.caseworker.pk,
    })  # fmt: skip
    episode = Episode.objects.get()
    detail = reverse("rehab:episode-detail", args=[episode.pk])
    browser.post(reverse("rehab:episode-phase", args=[episode.pk]),
                 {"phase": "detoks", "started_on": "2026-01-05"})  # fmt: skip
    browser.post(reverse("rehab:episode-session", args=[episode.pk]), {
        "date": "2026-01-06", "kind": "tes_urin", "attendance": "hadir",
        "urine_result": "negatif", "notes": "Hasil <b>negatif</b>",
    })  # fmt: skip
    refused = browser.post(reverse("rehab:episode-end", args=[episode.pk]),
                           {"ended_on": "2026-01-01", "outcome": "selesai"})  # fmt: skip
    ended = browser.post(reverse("rehab:episode-end", args=[episode.pk]),
                         {"ended_on": "2026-06-30", "outcome": "selesai"})  # fmt: skip
    page = browser.get(detail).text

    assert start.status_code == 302 and start.url == detail
    assert refused.status_code == 200 and refused.context["end_form"].errors["ended_on"]
    assert ended.status_code == 302
    assert "Hasil &lt;b&gt;negatif&lt;/b&gt;" in page
    assert "30-07-2026" in page  # the first follow-up, a month after the end
    assert episode.phases.get().ended_on == D(2026, 6, 30)


def test_the_responsible_workers_are_offered_under_their_organisation(cast, browse, make_case):
    """Seen in the browser: one list of every provider's staff, whichever provider chosen."""
    case = make_case()

    page = browse("caseworker").get(reverse("rehab:episode-create", args=[case.pk])).text

    field = page[page.index('name="worker"') : page.index("</select>", page.index('name="worker"'))]
    groups = re.findall(r'<optgroup label="([^"]*)">', field)
    assert groups and groups[0] == escape(cast.dinsos.name)  # the user's own first
    assert f'<option value="{cast.caseworker.pk}" selected>' in field


def test_the_episode_form_says_every_problem_in_one_round(cast, browse, make_case):
    """Seen in the browser: the episode form's problems came one save at a time."""
    case = make_case()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()

    response = browse("caseworker").post(reverse("rehab:episode-create", args=[case.pk]), {
        "provider": cast.dinsos.pk, "modality": "rujukan", "legal_route": "putusan",
        "started_on": "2026-01-05", "planned_end_on": "2025-12-01", "worker": cast.caseworker.pk,
        "referred_to": " ", "court_decision_no": "", "court_decision_date": future,
    })  # fmt: skip

    assert response.status_code == 200 and not Episode.objects.exists()
    errors = response.context["form"].errors
    assert set(errors) == {
        "planned_end_on", "referred_to", "court_decision_no", "court_decision_date",
    }, errors  # fmt: skip
    assert shown("The planned end lies before the start.") in response.text
    assert shown("Give the number of the court decision.") in response.text


def test_the_episode_list_filters_by_modality_and_status_and_exports(
    cast, browse, make_case, start_episode
):
    outpatient = start_episode(make_case(serial=1))
    inpatient = start_episode(make_case(serial=2), modality="rawat_inap")
    services.episode_end(episode=inpatient, by=cast.caseworker, ended_on=D(2026, 2, 1),
                         outcome="putus")  # fmt: skip
    browser = browse("supervisor")

    by_modality = browser.get(reverse("rehab:episode-list"), {"modality": "rawat_inap"}).text
    dropped = browser.get(reverse("rehab:episode-list"), {"status": "putus"}).text
    export = browser.get(reverse("rehab:episode-export"), {"status": "open"})

    assert inpatient.reference in by_modality and outpatient.reference not in by_modality
    assert inpatient.reference in dropped and outpatient.reference not in dropped
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert [r[0] for r in rows[1:]] == [outpatient.reference]
    assert outpatient.client.nik not in str(rows)
    assert AuditEvent.objects.filter(action="export", object_type="episode").exists()


def test_the_episode_list_page_does_not_grow_its_queries_with_rows(
    browse, make_case, start_episode, django_assert_max_num_queries
):
    for serial in range(1, 8):
        start_episode(make_case(serial=serial))
    browser = browse("caseworker")

    with django_assert_max_num_queries(14):
        response = browser.get(reverse("rehab:episode-list"))

    assert response.status_code == 200


def test_an_episode_in_another_area_is_unknown_to_the_outsiders_api(
    cast, browse, make_case, start_episode
):
    episode = start_episode(make_case())

    response = browse("outsider").get(f"/api/v1/episodes/{episode.pk}/")

    assert response.status_code == 404


def test_a_relapse_into_community_care_elsewhere_is_started_from_the_new_episode_form(
    cast, make_case, start_episode
):
    episode = start_episode(make_case())

    with pytest.raises(ApplicationError) as refused:
        services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 3, 1),
                             outcome="kambuh", relapse_modality="ibm")  # fmt: skip

    assert refused.value.field == "relapse_modality"
    assert Episode.objects.get(pk=episode.pk).is_open  # nothing half-done


def test_a_form_address_opened_again_shows_the_episode_page(browse, make_case, start_episode):
    episode = start_episode(make_case())
    browser = browse("caseworker")

    refused = browser.post(reverse("rehab:episode-session", args=[episode.pk]), {"kind": "x"})
    again = browser.get(reverse("rehab:episode-session", args=[episode.pk]))

    assert refused.status_code == 200 and refused.context["session_form"].errors
    assert again.status_code == 302
    assert again.url == reverse("rehab:episode-detail", args=[episode.pk])
