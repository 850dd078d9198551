"""Outreach visits: social workers record a field visit after a report, inside their area;
the visit can become one referral, after which it shows the referral's reference and status.
The person's name is personal data: only on the audited visit page, never in a URL."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import services as case_services
from cases.models import Referral
from rehab.models.episodes import Outreach
from rehab.services import outreach as services
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, ROLES, referral_form, role_matrix, shown

pytestmark = pytest.mark.django_db

FINDINGS = "Warga melaporkan pemakaian sabu; keluarga bersedia mendampingi."


@pytest.fixture
def visit(cast):
    return services.outreach_record(
        by=cast.caseworker, visited_on=datetime.date(2026, 1, 8), village=OKI_VILLAGE,
        reported_by=Outreach.ReportedBy.LKS, reporter="LKS Cahaya Pulih",
        person_name="Feri Saputra", findings=FINDINGS,
    )  # fmt: skip


def page_url(name: str, visit) -> str:
    return {
        "list": reverse("rehab:outreach-list"),
        "create": reverse("rehab:outreach-create"),
        "detail": reverse("rehab:outreach-detail", args=[visit.pk]),
        "refer": reverse("rehab:outreach-refer", args=[visit.pk]),
    }[name]


# A visit by Dinsos OKI in Kayuagung. Referrers (BNNK), viewers and the administrator have no
# outreach pages; centre staff read only their own organisation's visits.
PAGES = {
    #          caseworker supervisor outsider referrer centre viewer admin
    "list":    (200, 200, 200, 404, 200, 404, 404),
    "create":  (200, 200, 200, 404, 200, 404, 404),
    "detail":  (200, 200, 404, 404, 404, 404, 404),
    "refer":   (200, 200, 404, 404, 404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize(("page", "role", "status"), role_matrix(PAGES))
def test_each_role_gets_the_pinned_status_on_each_outreach_page(browse, visit, page, role, status):
    response = browse(role).get(page_url(page, visit))

    assert response.status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_only_the_visiting_organisation_turns_the_visit_into_a_referral(
    browse, visit, role, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path

    response = browse(role).post(page_url("refer", visit), referral_form(source="community"))

    referred = Referral.objects.filter(outreach=visit).exists()
    if role in ("caseworker", "supervisor"):
        assert (response.status_code, referred) == (302, True)
    else:
        assert (response.status_code, referred) == (404, False)


def test_a_caseworker_records_a_visit_and_it_is_audited(cast, browse):
    response = browse("caseworker").post(reverse("rehab:outreach-create"), {
        "visited_on": "2026-01-09", "village": OKI_VILLAGE, "reported_by": "masyarakat",
        "reporter": "Ketua RT", "person_name": "Andri", "findings": FINDINGS,
    })  # fmt: skip

    visit = Outreach.objects.get()
    assert response.status_code == 302 and response.url == page_url("detail", visit)
    assert (visit.organisation, visit.worker, visit.person_name) == (
        cast.dinsos,
        cast.caseworker,
        "Andri",
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(visit.pk)).exists()


def test_a_visit_outside_the_service_area_is_refused_on_the_village(browse):
    response = browse("caseworker").post(reverse("rehab:outreach-create"), {
        "visited_on": "2026-01-09", "village": OI_VILLAGE, "reported_by": "masyarakat",
        "findings": FINDINGS,
    })  # fmt: skip

    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert not Outreach.objects.exists()


def test_a_visit_in_the_future_is_refused(cast):
    with pytest.raises(ApplicationError) as refused:
        services.outreach_record(
            by=cast.caseworker, visited_on=timezone.localdate() + datetime.timedelta(days=1),
            village=OKI_VILLAGE, reported_by="masyarakat", findings=FINDINGS,
        )  # fmt: skip

    assert refused.value.field == "visited_on"


def test_the_list_shows_no_name_and_the_visit_page_is_audited(cast, browse, visit):
    browser = browse("supervisor")

    assert "Feri Saputra" not in browser.get(page_url("list", visit)).text
    detail = browser.get(page_url("detail", visit))
    assert "Feri Saputra" in detail.text
    assert AuditEvent.objects.filter(
        actor=cast.supervisor, action="view", object_type="outreach", object_id=str(visit.pk)
    ).exists()


def test_the_outsider_sees_no_visit_of_another_regency(browse, visit):
    response = browse("outsider").get(page_url("list", visit))

    assert len(response.context["page"]) == 0


def test_centre_staff_read_their_own_visits_only(cast, browse, visit):
    own = services.outreach_record(
        by=cast.centre, visited_on=datetime.date(2026, 1, 9), village=OKI_VILLAGE,
        reported_by="keluarga", findings=FINDINGS,
    )  # fmt: skip
    browser = browse("centre")

    assert [v.pk for v in browser.get(page_url("list", own)).context["page"]] == [own.pk]
    assert browser.get(page_url("detail", own)).status_code == 200


def test_centre_staff_turn_their_visit_into_a_referral_to_dinsos(cast, browse):
    own = services.outreach_record(
        by=cast.centre, visited_on=datetime.date(2026, 1, 9), village=OKI_VILLAGE,
        reported_by="lks", person_name="Feri Saputra", findings=FINDINGS,
    )  # fmt: skip
    centre = browse("centre")
    form = centre.get(page_url("refer", own)).context["form"]

    response = centre.post(page_url("refer", own), {
        **{k: v for k, v in form.initial.items() if v is not None}, "sex": "L",
        "referring_officer": "Dewi Lestari", "referral_date": "2026-01-09",
        "urine_test": "not_tested", "legal_status": "none",
    })  # fmt: skip

    own.refresh_from_db()
    assert response.status_code == 302 and own.referral is not None
    assert own.referral.referring_org == cast.sentra
    assert (
        own.referral.reference in browse("caseworker").get(reverse("cases:referral-list")).text
    )  # Dinsos OKI decides on it
    assert [r.pk for r in centre.get(reverse("cases:referral-list")).context["page"]] == [
        own.referral.pk
    ]


def test_the_referral_form_is_filled_in_from_the_visit(browse, visit):
    form = browse("caseworker").get(page_url("refer", visit)).context["form"]

    assert form.initial["full_name"] == "Feri Saputra"
    assert form.initial["region"] == OKI_VILLAGE
    assert form.initial["reason"] == FINDINGS
    # An LKS report is entered by Dinsos on behalf of the community.
    assert form.initial["source"] == "community"
    assert {value for value, _label in form.fields["source"].choices} == {
        "family", "self", "community"
    }  # fmt: skip


def test_after_the_referral_the_visit_shows_its_reference_and_status(cast, browse, visit):
    browser = browse("caseworker")

    response = browser.post(page_url("refer", visit), referral_form(source="community"))

    visit.refresh_from_db()
    referral = visit.referral
    assert response.status_code == 302 and response.url == page_url("detail", visit)
    assert referral.referring_org == cast.dinsos and referral.source == "community"
    detail = browser.get(page_url("detail", visit)).text
    assert referral.reference in detail and shown("Submitted") in detail
    assert "Feri Saputra" not in response.url


def test_the_referrals_decision_shows_on_the_visit(cast, browse, visit):
    referral = services.outreach_refer(
        outreach=visit, by=cast.caseworker, **_referral(source="family")
    )
    case_services.referral_decline(referral=referral, by=cast.supervisor, reason="Bukan KPN")

    detail = browse("caseworker").get(page_url("detail", visit)).text

    assert shown("Declined") in detail


def test_a_visit_becomes_at_most_one_referral(cast, browse, visit):
    services.outreach_refer(outreach=visit, by=cast.caseworker, **_referral())

    with pytest.raises(ApplicationError) as refused:
        services.outreach_refer(outreach=visit, by=cast.supervisor, **_referral())
    response = browse("caseworker").post(page_url("refer", visit), referral_form(source="self"))

    assert refused.value.code == "conflict"
    assert response.status_code == 302
    assert Referral.objects.count() == 1


def test_dinsos_may_not_refer_a_visit_with_a_partners_source(cast, visit):
    with pytest.raises(ApplicationError) as refused:
        services.outreach_refer(outreach=visit, by=cast.caseworker, **_referral(source="bnnk"))

    assert refused.value.field == "source"
    visit.refresh_from_db()
    assert visit.referral is None and not Referral.objects.exists()


def _referral(**extra):
    data = {
        "source": "community", "referring_officer": "Caseworker",
        "referral_date": datetime.date(2026, 1, 9), "full_name": "Feri Saputra", "sex": "L",
        "region": OKI_VILLAGE, "reason": FINDINGS,
    }  # fmt: skip
    data.update(extra)
    return data


@pytest.mark.parametrize("visits", [1, 30])
def test_the_list_takes_a_fixed_number_of_queries(
    cast, browse, django_assert_max_num_queries, visits
):
    for n in range(visits):
        visit = services.outreach_record(
            by=cast.caseworker, visited_on=datetime.date(2026, 1, 1), village=OKI_VILLAGE,
            reported_by="masyarakat", findings=FINDINGS,
        )  # fmt: skip
        if n % 2:
            services.outreach_refer(outreach=visit, by=cast.caseworker, **_referral())
    browser = browse("caseworker")

    with django_assert_max_num_queries(9):
        response = browser.get(reverse("rehab:outreach-list"))

    assert len(response.context["page"]) == min(visits, 25)
