"""The IBM demo: BNNK OKI's two units with ten recovery agents, and three outreach visits
of which one became a referral; loading it twice changes nothing."""

import io

import pytest
from django.urls import reverse

from atensi.accounts.models import User
from cases import demo
from rehab import demo_ibm
from rehab.models.episodes import IbmUnit, Outreach, RecoveryAgent

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db):
    demo.load(stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def test_the_demo_shows_two_units_with_ten_agents_on_the_page(users, client):
    out = io.StringIO()
    assert demo_ibm.load(users=users, stdout=out)
    client.force_login(users["demo-referrer"])

    response = client.get(reverse("rehab:ibm-unit-list"))

    units = list(response.context["units"])
    assert len(units) == 2 and sum(unit.active_agents for unit in units) == 10
    assert {unit.organisation.name for unit in units} == {"BNNK Ogan Komering Ilir"}
    assert all(unit.village_id.startswith("16.02.") for unit in units)
    assert all(a.trained_on.year == 2023 for a in RecoveryAgent.objects.all())
    assert "Demo IBM: 2 units, 10 recovery agents, 3 outreach visits." in out.getvalue()


def test_the_demo_outreach_has_one_visit_that_became_a_referral(users, client):
    demo_ibm.load(users=users)
    client.force_login(users["demo-caseworker"])

    response = client.get(reverse("rehab:outreach-list"))

    assert len(response.context["page"]) == 3  # the centre's visit in the district too
    referred = Outreach.objects.get(referral__isnull=False)
    assert referred.referral.reference in response.text
    assert Outreach.objects.filter(organisation=users["demo-centre"].organisation).count() == 1


def test_loading_the_demo_twice_changes_nothing(users):
    assert demo_ibm.load(users=users)

    assert not demo_ibm.load(users=users)
    assert IbmUnit.objects.count() == 2 and Outreach.objects.count() == 3
