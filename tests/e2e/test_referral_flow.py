import datetime
import re

import pytest
from playwright.sync_api import expect

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases.models import Case, Client, Referral
from tests.conftest import PASSWORD, make_nik

pytestmark = pytest.mark.e2e

VILLAGE = "16.02.05.1002"  # Kayuagung


def login(page, username):
    page.goto("/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("nav")).to_contain_text(username.title())


def logout(page):
    page.click("nav .dropdown-toggle:has(.bi-person-circle)")
    page.click("nav form[action$='/akun/keluar/'] button")


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


def test_referrer_submits_and_caseworker_accepts_into_a_new_case(page, people):
    nik = make_nik(VILLAGE, datetime.date(1995, 3, 14), "L", 77)

    # The BNNK referrer submits a referral.
    login(page, "referrer")
    page.goto("/rujukan/baru/")
    page.select_option("select[name=source]", "bnnk")
    page.fill("input[name=nik]", nik)
    page.fill("input[name=full_name]", "Rudi Hartono")
    page.select_option("select[name=sex]", "L")
    page.fill("input[name=birth_date]", "1995-03-14")
    page.fill("input[name=address]", "Jl. Letnan Muchtar Saleh 12")
    page.fill("input.village-picker-search", "Kayuagung")
    # The only village of that name is chosen as soon as it is found.
    expect(page.locator("select[name=region]")).to_have_value(VILLAGE)
    page.check("input[name=substances][value=sabu]")
    page.select_option("select[name=urine_test]", "positive")
    page.fill("textarea[name=reason]", "Asesmen terpadu: rawat jalan.")
    page.screenshot(path="test-results/e2e-referral-form.png", full_page=True)
    page.click("main form button[type=submit]")

    referral = Referral.objects.get(nik=nik)
    expect(page.locator("h1")).to_contain_text(referral.reference)
    expect(page.locator(".alert-success")).to_contain_text(referral.reference)
    logout(page)

    # The Dinsos caseworker sees it waiting, accepts it, and lands on the new case.
    login(page, "caseworker")
    page.click(f"a:has-text('{referral.reference}')")
    page.click(f"a[href='/rujukan/{referral.pk}/terima/']")
    expect(page.locator("input[name=nik]")).to_have_value(nik)
    page.screenshot(path="test-results/e2e-accept-form.png", full_page=True)
    page.click("main form button[type=submit]")

    case = Case.objects.get(referral=referral)
    expect(page).to_have_url(re.compile(f"/kasus/{case.pk}/$"))
    expect(page.locator("h1")).to_contain_text(case.reference)
    expect(page.locator(".timeline")).to_contain_text(referral.reference)
    page.screenshot(path="test-results/e2e-case.png", full_page=True)

    client = Client.objects.get(nik=nik)
    assert case.client == client and case.assigned_to == people["caseworker"]
    assert client.consents.count() == 1
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
