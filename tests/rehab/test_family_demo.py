"""The family guidance demo: the family-resilience series in one OKI village in 2023."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse

from atensi.accounts.models import User
from rehab import demo_family
from rehab.models.family import FamilyAttendance, FamilySeries


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    return users, out.getvalue()


def test_the_demo_series_has_4_meetings_and_20_participants_on_its_page(demo):
    users, out = demo
    series = FamilySeries.objects.get()
    browser = Browser()
    browser.force_login(users["demo-caseworker"])

    html = browser.get(reverse("rehab:family-series-detail", args=[series.pk])).content.decode()

    assert "4 meetings, 20 participants" in out
    assert series.village.code.startswith("16.02.") and series.sessions.count() == 4
    assert {s.date.year for s in series.sessions.all()} == {2023}
    matrix = html.split('id="attendance-matrix"')[1]
    assert len(re.findall(r"<tr>\s*<td>\d+</td>", matrix)) == 20
    assert matrix.count("✓") + matrix.count("✗") == 80
    assert 0 < matrix.count("✗") < 40  # not everyone came to every meeting
    members = FamilyAttendance.objects.filter(member__isnull=False).values("member").distinct()
    assert members.count() >= 1  # family members of the demo's clients among them


def test_the_family_demo_loads_once(demo):
    users, _out = demo

    assert demo_family.load(users=users) is False
    assert FamilySeries.objects.count() == 1
