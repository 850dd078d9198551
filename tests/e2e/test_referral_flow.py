import datetime
import re

import pytest
from playwright.sync_api import expect

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases.models import Case, Client, Referral
from tests.conftest import PASSWORD, make_nik, said

from .browsing import login, logout, shot

pytestmark = pytest.mark.e2e

VILLAGE = "16.02.05.1002"  # Kayuagung


@pytest.fixture
def people(regions_for_live_server):
    area = Region.objects.get(code="16.02")
    dinsos = Organisation.objects.create(name="Dinsos OKI", kind="dinsos_kab")
    bnnk = Organisation.objects.create(name="BNNK OKI", kind="bnnk")
    for org in (dinsos, bnnk):
        org.service_area.add(area)
    make = User.objects.create_user
    return {
        "caseworker": make(username="caseworker", password=PASSWORD, organisation=dinsos,
                           role="caseworker", first_name="Caseworker"),
        "referrer": make(username="referrer", password=PASSWORD, organisation=bnnk,
                         role="referrer", first_name="Referrer"),
    }  # fmt: skip


def test_referrer_submits_a_referral_and_follows_it_until_it_is_accepted(page, people):
    nik = make_nik(VILLAGE, datetime.date(1995, 3, 14), "L", 77)

    # The BNNK referrer submits a referral.
    login(page, "referrer")
    page.click("main a[href='/rujukan/baru/']")
    page.select_option("select[name=source]", "bnnk")
    page.fill("input[name=nik]", nik)
    page.fill("input[name=full_name]", "Rudi Hartono")
    page.select_option("select[name=sex]", "L")
    page.fill("input[name=birth_date]", "1995-03-14")
    page.fill("input[name=address]", "Jl. Letnan Muchtar Saleh 12")
    # Several villages found: the page says so, since the list does not open by itself.
    page.fill("input.village-picker-search", "Kayu")
    expect(page.locator(".village-picker-found")).to_contain_text(
        re.compile(r"^\d+ desa/kelurahan ditemukan: pilih salah satu di daftar di bawah\.$")
    )
    page.fill("input.village-picker-search", "Kayuagung")
    # The only village of that name is chosen as soon as it is found.
    expect(page.locator("select[name=region]")).to_have_value(VILLAGE)
    expect(page.locator(".village-picker-found")).to_have_text("")
    page.check("input[name=substances][value=sabu]")
    page.select_option("select[name=urine_test]", "positive")
    page.fill("textarea[name=reason]", "Asesmen terpadu: rawat jalan.")
    shot(page, "referral form")
    page.click("main form button[type=submit]")

    expect(page.locator(".alert-success")).to_be_visible()
    referral = Referral.objects.get(nik=nik)
    expect(page.locator("h1")).to_contain_text(referral.reference)
    expect(page.locator(".alert-success")).to_contain_text(referral.reference)
    shot(page, "referral submitted")
    logout(page)

    # The Dinsos caseworker sees it waiting, accepts it, and lands on the new case.
    login(page, "caseworker")
    page.click(f"a:has-text('{referral.reference}')")
    shot(page, "referral waiting")
    page.click(f"a[href='/rujukan/{referral.pk}/terima/']")
    expect(page.locator("input[name=nik]")).to_have_value(nik)
    shot(page, "accept form")
    # No purpose comes ticked: the caseworker ticks what the person agreed to.
    page.check("input[name=consent-purposes][value=assessment]")
    page.check("input[name=consent-purposes][value=rehabilitation]")
    page.click("main form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    case = Case.objects.get(referral=referral)
    expect(page).to_have_url(re.compile(f"/kasus/{case.pk}/$"))
    expect(page.locator("h1")).to_contain_text(case.reference)
    expect(page.locator(".timeline")).to_contain_text(referral.reference)
    shot(page, "case")

    client = Client.objects.get(nik=nik)
    assert case.client == client and case.assigned_to == people["caseworker"]
    assert client.consents.count() == 1
    assert client.consents.get().purposes == ["assessment", "rehabilitation"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    logout(page)

    # The referrer follows it from their home page: accepted.
    login(page, "referrer")
    mine = page.locator("main .card", has_text=referral.reference)
    expect(mine).to_contain_text(said("Accepted"))
    mine.locator(f"a:has-text('{referral.reference}')").click()
    expect(page.locator("main")).to_contain_text(said("Accepted"))
    shot(page, "referral followed")
