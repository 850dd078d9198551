"""BNNK records an outpatient episode in the browser: from its home page to the person its
referral brought in, sessions, the end, and the aftercare follow-ups that follow."""

import datetime

import pytest
from playwright.sync_api import expect

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases import services as case_services
from rehab.models import Episode
from tests.conftest import PASSWORD, make_nik, said

from .browsing import login, shot
from .test_referral_flow import VILLAGE

pytestmark = pytest.mark.e2e


@pytest.fixture
def accepted(regions_for_live_server):
    area = Region.objects.get(code="16.02")
    dinsos = Organisation.objects.create(name="Dinsos OKI", kind="dinsos_kab")
    bnnk = Organisation.objects.create(name="BNNK OKI", kind="bnnk")
    for org in (dinsos, bnnk):
        org.service_area.add(area)
    make = User.objects.create_user
    caseworker = make(username="caseworker", password=PASSWORD, organisation=dinsos,
                      role="caseworker", first_name="Caseworker")  # fmt: skip
    referrer = make(username="referrer", password=PASSWORD, organisation=bnnk, role="referrer",
                    first_name="Referrer")  # fmt: skip
    born = datetime.date(1996, 5, 2)
    client = case_services.client_register(
        by=caseworker, nik=make_nik(VILLAGE, born, "L", 81), full_name="Yudi Gunawan", sex="L",
        birth_date=born, address="Jl. Kartini 3", village=VILLAGE,
    )  # fmt: skip
    case_services.consent_record(client=client, by=caseworker, given_by="client",
                                 basis="consent", purposes=["rehabilitation"],
                                 date=datetime.date(2026, 2, 1))  # fmt: skip
    referral = case_services.referral_submit(
        by=referrer, source="bnnk", referring_officer="Petugas BNNK",
        referral_date=datetime.date(2026, 2, 1), full_name="Yudi Gunawan", sex="L",
        region=VILLAGE, reason="Asesmen terpadu: rawat jalan.",
    )  # fmt: skip
    case_services.referral_accept(referral=referral, by=caseworker, client=client)
    return client


def test_bnnk_records_an_outpatient_episode_with_sessions_and_its_end(page, accepted):
    login(page, "referrer")
    page.click("main a[href='/rehabilitasi/mulai/']")
    shot(page, "choose the person")
    page.click("a:has-text('Yudi Gunawan')")
    page.select_option("select[name=modality]", "rawat_jalan")
    page.select_option("select[name=legal_route]", "wajib_lapor")
    page.fill("input[name=started_on]", "2026-02-03")
    page.fill("input[name=planned_end_on]", "2026-04-03")
    shot(page, "episode form")
    page.click("main form button[type=submit]")

    episode = Episode.objects.get(client=accepted)
    expect(page.locator("h1")).to_contain_text(episode.reference)
    shot(page, "episode opened")
    for day, kind, result in (("2026-02-03", "tes_urin", "positif"),
                              ("2026-02-10", "konseling", "")):  # fmt: skip
        page.fill("input[name=date]", day)
        page.select_option("select[name=kind]", kind)
        if result:
            page.select_option("select[name=urine_result]", result)
            page.check("input[name=substances_found][value=sabu]")
        page.click("form[action$='/sesi/'] button[type=submit]")
        expect(page.locator(".alert-success")).to_be_visible()
        shot(page, f"session {kind}")
    page.click("summary:has-text('Akhiri episode')")
    page.fill("input[name=ended_on]", "2026-03-31")
    page.select_option("select[name=outcome]", "selesai")
    page.click("form[action$='/akhiri/'] button[type=submit]")

    expect(page.locator("h1")).to_contain_text("Selesai")
    shot(page, "episode ended")
    expect(page.locator("main")).to_contain_text("30-04-2026")  # the first follow-up
    assert episode.sessions.count() == 2
    expect(page.locator("main table").first).to_contain_text(said("Methamphetamine (sabu)"))
    assert accepted.nik not in page.content()
