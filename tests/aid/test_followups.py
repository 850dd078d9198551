"""Follow-up visits: scheduled at the hand-over, due on the home page, recorded on the case
timeline, and the proposal reported after the first visit that reached the person."""

import datetime

import pytest
from django.utils import timezone

from aid import services
from aid.models import FollowUp
from aid.services.followups import add_months, followup_record
from atensi.errors import ApplicationError
from cases.models import CaseEvent

from .conftest import approve, assess, make_item, verified


@pytest.fixture
def handed(cast, funded, food, make_case):
    case = make_case()
    proposal = verified(cast, case.client, funded, [(food, 1)])
    approve(cast, [proposal])
    day = timezone.localdate() - datetime.timedelta(days=40)
    services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=day,
                             place="Rumah Singgah")  # fmt: skip
    return proposal, case, day


def test_visits_are_scheduled_at_one_three_and_six_months(handed):
    proposal, _, day = handed

    due = list(FollowUp.objects.filter(proposal=proposal).values_list("months", "due_on"))

    assert due == [(1, add_months(day, 1)), (3, add_months(day, 3)), (6, add_months(day, 6))]


def test_months_end_on_the_last_day_of_a_shorter_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)


def test_a_due_visit_shows_on_the_caseworkers_home_page(cast, handed, browse):
    proposal, _, _ = handed

    page = browse("caseworker").get("/").content.decode()

    assert proposal.reference in page
    first = FollowUp.objects.get(proposal=proposal, months=1)
    assert f"/bantuan/kunjungan/{first.pk}/" in page
    assert proposal.reference not in browse("outsider").get("/").content.decode()


def test_a_visit_is_recorded_on_the_timeline_and_reports_the_proposal(cast, handed, browse):
    proposal, case, _ = handed
    first = FollowUp.objects.get(proposal=proposal, months=1)

    response = browse("caseworker").post(f"/bantuan/kunjungan/{first.pk}/", {
        "reached": "yes", "visited_on": timezone.localdate().isoformat(),
        "usage": "Paket nutrisi dipakai untuk keluarga",
    })  # fmt: skip

    assert response.status_code == 302
    first.refresh_from_db()
    proposal.refresh_from_db()
    assert first.status == "visited" and proposal.state == "reported"
    event = CaseEvent.objects.get(case=case, verb="aid_follow_up")
    assert "Paket nutrisi dipakai" in event.description
    page = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()
    assert "Paket nutrisi dipakai" in page  # on the proposal's own timeline too
    assert f"/bantuan/kunjungan/{first.pk}/" not in browse("caseworker").get("/").content.decode()


def test_a_visit_that_did_not_reach_the_person_leaves_the_proposal_handed_over(cast, handed):
    proposal, _, _ = handed
    first = FollowUp.objects.get(proposal=proposal, months=1)

    followup_record(followup=first, by=cast.caseworker, visited_on=timezone.localdate(),
                    reached=False, note="Rumah kosong")  # fmt: skip

    proposal.refresh_from_db()
    assert proposal.state == "handed_over"
    with pytest.raises(ApplicationError):
        followup_record(followup=first, by=cast.caseworker, visited_on=timezone.localdate(),
                        usage="x")  # fmt: skip


def test_entrepreneurship_visits_need_the_business_state_and_income(cast, funded, make_case):
    case = make_case()
    assess(case, business=True)
    tools = make_item(funded, "Paket peralatan usaha", kind="entrepreneurship", cost=200_000)
    proposal = verified(cast, case.client, funded, [(tools, 1)], plan="Warung")
    approve(cast, [proposal])
    services.handover_record(proposal=proposal, by=cast.caseworker,
                             handed_on=timezone.localdate(), place="Rumah Singgah")  # fmt: skip
    first = FollowUp.objects.get(proposal=proposal, months=1)

    with pytest.raises(ApplicationError) as error:
        followup_record(followup=first, by=cast.caseworker, visited_on=timezone.localdate(),
                        usage="jalan")  # fmt: skip
    assert error.value.field == "business_running"
    followup_record(followup=first, by=cast.caseworker, visited_on=timezone.localdate(),
                    business_running=True, monthly_income=1_250_000)  # fmt: skip

    first.refresh_from_db()
    assert (first.business_running, first.monthly_income) == (True, 1_250_000)
    assert "Rp 1.250.000" in CaseEvent.objects.get(case=case, verb="aid_follow_up").description


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "centre"])
def test_others_cannot_record_a_visit(cast, handed, browse, role):
    proposal, _, _ = handed
    first = FollowUp.objects.get(proposal=proposal, months=1)

    assert browse(role).post(f"/bantuan/kunjungan/{first.pk}/", {}).status_code == 404


def test_a_visit_not_yet_due_reads_as_scheduled_and_one_past_its_date_as_due():
    import datetime

    from django.utils import timezone, translation

    from aid.models import FollowUp

    today = timezone.localdate()
    later = FollowUp(status=FollowUp.Status.DUE, due_on=today + datetime.timedelta(days=30))
    past = FollowUp(status=FollowUp.Status.DUE, due_on=today - datetime.timedelta(days=1))

    with translation.override("id"):
        assert (later.status_label, past.status_label) == ("Terjadwal", "Jatuh tempo")


def test_the_hand_over_page_offers_only_the_next_visit_for_recording(cast, handed, browse):
    proposal, _, _ = handed
    visits = {f.months: f for f in FollowUp.objects.filter(proposal=proposal)}
    handover = proposal.handovers.get()

    def offered():
        page = browse("caseworker").get(f"/bantuan/serah-terima/{handover.pk}/").content.decode()
        return [m for m, f in visits.items() if f'href="/bantuan/kunjungan/{f.pk}/"' in page]

    assert offered() == [1]  # the 3- and 6-month visits are months away
    followup_record(followup=visits[1], by=cast.caseworker, reached=True,
                    visited_on=timezone.localdate(), usage="Dipakai")  # fmt: skip
    assert offered() == [3]
