"""The demo of BNNK Ogan Komering Ilir's 2023 and the regency's village assessments, read
through the pages as the district head (demo-viewer) and the BNNK's staff would."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse

from atensi.accounts.models import User
from prevention import demo
from prevention.models import Activity
from prevention.selectors import activity_summary, village_status_summary
from tests.conftest import said, shown

YEAR_2023 = {"start": datetime.date(2023, 1, 1), "end": datetime.date(2023, 12, 31)}


@pytest.fixture
def demo_loaded(db):
    call_command("load_demo", stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    demo.load(users=users, stdout=io.StringIO())  # load_demo may have loaded it already
    return users


def _browser(users, username):
    browser = Browser()
    browser.force_login(users[username])
    return browser


def test_the_demo_year_shows_three_cases_against_a_target_of_one_and_the_activities(
    demo_loaded,
):
    html = (
        _browser(demo_loaded, "demo-viewer")
        .get(reverse("prevention:enforcement"), {"tahun": 2023})
        .content.decode()
    )

    assert "BNNK Ogan Komering Ilir" in html
    assert shown("%(cases)s cases, %(suspects)s suspects", cases=3, suspects=3) in html
    assert shown("target %(target)s cases", target=1) in html and "300%" in html

    # The activities, as the BNNK's staff list them.
    browser = _browser(demo_loaded, "demo-referrer")
    url = reverse("prevention:activity-list")

    html = browser.get(url, {"year": 2023, "type": "ketahanan_keluarga"}).content.decode()
    assert "Kelurahan Kutaraya" in html and ">20 <span" in html and "(4 " in html
    html = browser.get(url, {"year": 2023, "type": "bimtek_desa_bersinar"}).content.decode()
    assert "Desa Balian dan Desa Dabuk Makmur" in html and ">30</td>" in html
    html = browser.get(url, {"year": 2023, "type": "talkshow"}).content.decode()
    assert html.count(said("Talk show")) >= 2 + 1  # two rows and the filter's option


def test_the_demo_counts_add_up_as_the_board_published_them(demo_loaded):
    summary = activity_summary(codes=["16.02"], **YEAR_2023)

    assert summary["by_type"]["ketahanan_keluarga"] == {"activities": 1, "participants": 20}
    assert summary["by_type"]["bimtek_desa_bersinar"] == {"activities": 1, "participants": 30}
    assert summary["by_type"]["talkshow"]["activities"] == 2
    assert summary["by_type"]["penggiat"] == {"activities": 2, "participants": 40}
    assert summary["enforcement"] == {"cases": 3, "suspects": 3, "target_cases": 1}
    assert {r["institution"]: r["tested"] for r in summary["urine_tests"]["by_institution"]} == {
        "Diskominfo": 25, "Kecamatan Kota Kayuagung": 25, "Samsat Tugumulyo": 18,
        "KPP Pratama Kayuagung": 7, "Dinas Pendidikan": 17, "DPMD": 16,
    }  # fmt: skip

    # The urine tests per institution, on the activity's page.
    activity = Activity.objects.get(type="tes_urine", urine_results__institution="DPMD")
    html = (
        _browser(demo_loaded, "demo-viewer")
        .get(reverse("prevention:activity-detail", args=[activity.pk]))
        .content.decode()
    )

    for institution, tested in [("Diskominfo", 25), ("Kecamatan Kota Kayuagung", 25),
                                ("KPP Pratama Kayuagung", 7), ("Dinas Pendidikan", 17),
                                ("DPMD", 16)]:  # fmt: skip
        assert f'<td>{institution}</td><td class="text-end">{tested}</td>' in html


def test_the_demo_villages_are_7_bahaya_and_34_waspada_in_2025_with_2023_as_history(
    demo_loaded,
):
    summary = village_status_summary(codes=["16.02"], on=datetime.date(2025, 12, 31))
    assert (summary["by_status"]["bahaya"], summary["by_status"]["waspada"]) == (7, 34)
    assert len(summary["bahaya_villages"]) == 7 and summary["desa_bersinar"] == 2
    earlier = village_status_summary(codes=["16.02"], on=datetime.date(2024, 12, 31))
    assert earlier["by_status"]["bahaya"] == 4

    browser = _browser(demo_loaded, "demo-viewer")
    html = browser.get(
        reverse("prevention:village-status-list"), {"on": "2025-12-31", "status": "bahaya"}
    ).content.decode()
    for village in summary["bahaya_villages"]:
        assert village["name"] in html
    html = browser.get(
        reverse("prevention:village-detail", args=[summary["bahaya_villages"][0]["code"]])
    ).content.decode()
    assert "01-08-2025" in html and "01-08-2023" in html

    # Loading it again changes nothing.
    count = Activity.objects.count()

    assert demo.load(users=demo_loaded) is False
    assert Activity.objects.count() == count == len(demo.ACTIVITIES)
