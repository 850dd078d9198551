"""The rehabilitation demo tells BNNK Ogan Komering Ilir's year as the district reports it."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse

from atensi.accounts.models import User
from cases.models import Case
from rehab.models import AftercareFollowUp, Episode


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def _as(username):
    browser = Browser()
    browser.force_login(User.objects.get(username=username))
    return browser


def test_bnnk_treated_63_people_in_2023_50_as_outpatients_and_13_referred_on(demo):
    year = Episode.objects.filter(started_on__year=2023, provider__name__startswith="BNNK")

    assert Counter(year.values_list("modality", flat=True)) == {"rawat_jalan": 50, "rujukan": 13}
    assert year.filter(ended_on__isnull=True).count() == 0
    relapsed = year.filter(outcome="kambuh")
    assert relapsed.exists()
    assert all(e.next.started_on.year == 2024 for e in relapsed)


def test_the_bnnk_worker_sees_the_year_and_the_follow_ups_due_on_their_home(demo):
    browser = _as("demo-referrer")

    home = browser.get(reverse("home")).text
    listing = browser.get(reverse("rehab:episode-list"), {"year": "2023"})

    assert listing.context["counts"]["total"] == 63
    due = AftercareFollowUp.objects.filter(status="due", episode__provider__name__startswith="BNNK")
    assert any(reverse("rehab:follow-up-record", args=[f.pk]) in home for f in due)


def test_a_person_of_the_aid_round_shows_the_whole_path_on_their_pages(demo):
    episode = Episode.objects.filter(
        client__proposals__state__in=["handed_over", "reported"]
    ).first()
    case = Case.objects.get(pk=episode.case_id)
    browser = _as("demo-caseworker")

    timeline = browser.get(reverse("cases:case-detail", args=[case.pk])).text
    chain = browser.get(reverse("rehab:client-episodes", args=[episode.client_id])).text

    assert episode.reference in chain
    assert case.referral is not None or case.joined_referrals.exists()
    assert episode.follow_ups.count() == 3
    for verb in (
        "Aid handed over",
        "Rehabilitation episode started",
        "Rehabilitation episode ended",
    ):
        assert verb in timeline or _translated(verb) in timeline


def _translated(text):
    from django.utils import translation

    with translation.override("id"):
        return translation.gettext(text)


def test_a_sentra_resident_goes_through_the_phases_and_ibm_units_support_clients(demo):
    resident = Episode.objects.get(modality="rawat_inap")
    community = Episode.objects.filter(modality="ibm")

    assert list(resident.phases.values_list("phase", flat=True)) == ["detoks", "entry", "primer"]
    assert community.count() == 3 and all(e.recovery_agent for e in community)
