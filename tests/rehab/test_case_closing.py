"""A case is closed once its work is over. Seen in the browser: a case could be closed while
its rehabilitation episode still ran, and with plan items still ahead, without a word. The
page now says what is still under way, and closing waits for the episode's end."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from aid import services as aid_services
from assessments.models import Assessment
from assessments.services import assessment as assessment_services
from cases import services as case_services
from cases.models import Stage
from rehab.services import episodes as services
from tests.aid.conftest import fund, make_item, make_programme
from tests.api.conftest import api_as
from tests.conftest import said

pytestmark = pytest.mark.django_db

NOT_ENDED = (
    "The rehabilitation episode %(reference)s has not ended yet. Its provider records the end "
    "and the outcome on the episode's page; then the case can be closed."
)


def walk(case, by, *stages):
    for stage in stages:
        case = case_services.case_transition(case=case, by=by, to_stage=stage, reason="Lanjut")
    return case


@pytest.fixture
def in_termination(cast, make_case, start_episode):
    """A case in termination with a plan item a month ahead and its episode still running."""
    case = walk(make_case(), cast.caseworker, Stage.ASSESSMENT, Stage.PLANNING)
    Assessment.objects.create(
        case=case, assessor=cast.caseworker, assessed_on=timezone.localdate(),
        status=Assessment.Status.COMPLETED, completed_at=timezone.now(),
    )  # fmt: skip
    ahead = timezone.localdate() + datetime.timedelta(days=30)
    assessment_services.plan_item_add(
        case=case, by=cast.caseworker, component="keluarga", goal="Bimbingan keluarga",
        responsible="Pekerja sosial", target_date=ahead,
    )  # fmt: skip
    case = walk(case, cast.caseworker, Stage.INTERVENTION)
    episode = start_episode(case)
    case = walk(case, cast.caseworker, Stage.REINTEGRATION, Stage.TERMINATION)
    return case, episode, ahead


def test_the_case_page_says_what_is_still_under_way_before_closing(browse, in_termination):
    case, episode, ahead = in_termination

    page = browse("caseworker").get(f"/kasus/{case.pk}/").content.decode()

    assert "data-closing-checks" in page
    heading = said("Still under way in this case (before it is closed or referred out):")
    assert escape(heading) in page
    assert f">{episode.reference}</a>" in page
    assert f'href="/rehabilitasi/{episode.pk}/"' in page
    assert ahead.strftime("%d-%m-%Y") in page


def test_closing_waits_for_the_episodes_end(cast, browse, in_termination):
    case, episode, _ahead = in_termination
    browser = browse("caseworker")

    refused = browser.post(
        f"/kasus/{case.pk}/tahap/", {"to_stage": "closed", "reason": "Selesai"}
    ).content.decode()

    case.refresh_from_db()
    assert case.stage == Stage.TERMINATION
    assert escape(said(NOT_ENDED, reference=episode.reference)) in refused
    assert f">{episode.reference}</a>" not in refused  # said once, not again in the box
    ended = timezone.localdate()
    services.episode_end(episode=episode, by=cast.caseworker, ended_on=ended, outcome="selesai")
    page = browser.get(f"/kasus/{case.pk}/").content.decode()
    first = episode.follow_ups.order_by("due_on").first().due_on
    with translation.override("id"):
        due = translation.ngettext(
            "%(n)s aftercare follow-up is still due (%(date)s).",
            "%(n)s aftercare follow-ups are still due (the next on %(date)s).", 3,
        ) % {"n": 3, "date": first.strftime("%d-%m-%Y")}  # fmt: skip
    assert due.startswith("3 bimbingan lanjut") and escape(due) in page
    browser.post(f"/kasus/{case.pk}/tahap/", {"to_stage": "closed", "reason": "Selesai"})
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


def test_the_box_names_the_clients_aid_proposals_still_on_their_way(cast, browse, in_termination):
    case, _episode, _ahead = in_termination
    programme = make_programme(cast)
    fund(cast, programme, 1_000_000)
    proposal = aid_services.proposal_create(
        client=case.client, programme=programme, by=cast.caseworker,
        items=[(make_item(programme, "Paket nutrisi", cost=250_000), 1)],
    )  # fmt: skip

    page = browse("caseworker").get(f"/kasus/{case.pk}/").content.decode()

    assert f'href="/bantuan/usulan/{proposal.reference}/">{proposal.reference}</a>' in page
    assert escape(said(
        "Plan items, follow-ups and proposals do not hold the case open: check them before "
        "you close it."
    )) in page  # fmt: skip


def test_the_api_refuses_to_close_a_case_whose_episode_runs(cast, in_termination):
    case, episode, _ahead = in_termination

    response = api_as(cast.caseworker).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to_stage": "closed", "reason": "Selesai"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 409
    assert said(NOT_ENDED, reference=episode.reference) in str(response.json())
    case.refresh_from_db()
    assert case.stage == Stage.TERMINATION


def test_referring_out_is_not_held_by_a_running_episode(cast, in_termination):
    """A referral out hands the client on; the episode's provider ends it ("referred on")."""
    case, _episode, _ahead = in_termination

    case = case_services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Pindah",
        referred_to="RS Ernaldi Bahar",
    )  # fmt: skip

    assert case.stage == Stage.REFERRED_OUT


def test_a_next_action_due_in_the_past_is_refused(cast, make_case, browse):
    """Seen in the browser: a case moved on with its next action due on 01-01-2020."""
    case = make_case()

    page = browse("caseworker").post(f"/kasus/{case.pk}/tahap/", {
        "to_stage": "assessment", "reason": "Lanjut", "next_action_due": "2020-01-01",
    }).content.decode()  # fmt: skip

    case.refresh_from_db()
    assert case.stage == Stage.INTAKE
    assert escape(said("The next action's due date lies in the past.")) in page


def test_the_stage_bar_of_a_case_closed_from_termination_does_not_mark_aftercare_done(
    cast, make_case, browse
):
    """Seen in the browser: "Bimbingan lanjut" shown as passed for a case that went from
    termination straight to closed."""
    forward = (Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.REINTEGRATION,
               Stage.TERMINATION, Stage.CLOSED)  # fmt: skip
    case = walk(make_case(), cast.caseworker, *forward)

    steps = browse("caseworker").get(f"/kasus/{case.pk}/").context["steps"]

    states = {str(s["label"]): s["state"] for s in steps}
    assert states == {
        str(Stage.INTAKE.label): "done", str(Stage.ASSESSMENT.label): "done",
        str(Stage.PLANNING.label): "done", str(Stage.INTERVENTION.label): "done",
        str(Stage.REINTEGRATION.label): "done", str(Stage.TERMINATION.label): "done",
        str(Stage.AFTERCARE.label): "", str(Stage.CLOSED.label): "current",
    }  # fmt: skip


def test_an_office_whose_users_only_read_the_dashboard_is_no_provider_nor_destination(
    cast, make_case
):
    """Seen in the browser: the regency's government (its users: the district head) was
    offered as an episode's provider and as a place to refer a case out to."""
    from atensi.accounts.models import Organisation, User
    from atensi.regions.models import Region
    from cases import selectors as case_selectors

    case = make_case()
    pemkab = Organisation.objects.create(name="Pemerintah Kabupaten OKI", kind="other")
    pemkab.service_area.add(Region.objects.get(code="16.02"))
    User.objects.create_user(username="bupati", organisation=pemkab, role="viewer")

    def offered():
        providers = services.providers_for(by=cast.caseworker, client=case.client)
        destinations = case_selectors.referral_destinations(case=case)
        return pemkab in providers, pemkab in destinations

    assert offered() == (False, False)
    User.objects.create_user(username="konselor", organisation=pemkab, role="caseworker")
    assert offered() == (True, True)
