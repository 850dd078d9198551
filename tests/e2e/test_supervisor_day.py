"""A Dinsos supervisor's day in the browser: a submitted proposal verified and approved with a
decree, then the hand-over record (BAST) of an earlier hand-over printed."""

import io
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from aid import services as aid_services
from aid.models import Decree, Proposal
from tests.aid.conftest import TODAY, approve, fund, make_item, make_programme, verified

from .browsing import link, login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(page, cast, make_client):
    programme = make_programme(cast)
    fund(cast, programme, 2_000_000)
    food = make_item(programme, "Paket nutrisi", cost=250_000)
    waiting = aid_services.proposal_create(
        client=make_client(serial=11, full_name="Bayu Ramadhan"), programme=programme,
        items=[(food, 2)], by=cast.caseworker,
    )  # fmt: skip
    aid_services.proposal_submit(proposal=waiting, by=cast.caseworker)
    earlier = verified(cast, make_client(serial=12, full_name="Fajar Hidayat"), programme,
                       [(food, 1)])  # fmt: skip
    approve(cast, [earlier], number="SK/001/2026")
    handover = aid_services.handover_record(
        proposal=earlier, by=cast.caseworker, handed_on=TODAY, place="Kantor Dinas Sosial OKI"
    )
    return SimpleNamespace(waiting=waiting, handover=handover)


def test_a_supervisor_approves_a_decree_and_prints_a_hand_over_record(page, world):
    login(page, "supervisor")
    page.click("nav a[href='/bantuan/usulan/']")
    shot(page, "proposals")
    page.click(f"main a:has-text('{world.waiting.reference}')")
    shot(page, "proposal submitted")
    page.click("main form[action$='/verifikasi/'] button")
    expect(link(page, "Approve by decree")).to_be_visible()
    shot(page, "proposal verified")

    link(page, "Approve by decree").click()
    expect(
        page.locator(f"input[name=proposals][value='{world.waiting.reference}']")
    ).to_be_checked()
    expect(page.locator("[data-decree-total]")).to_have_text("Rp 500.000")
    page.fill("input[name=number]", "SK/014/DINSOS/2026")
    page.fill("input[name=signatory_name]", "Drs. H. Abdul Rahman")
    page.fill("input[name=signatory_title]", "Kepala Dinas Sosial")
    shot(page, "decree form")
    page.click("main form button[type=submit]")

    expect(page.locator(".alert-success")).to_be_visible()
    decree = Decree.objects.get(number="SK/014/DINSOS/2026")
    expect(page.locator(".alert-success")).to_contain_text(decree.number)
    expect(page.locator("main")).to_contain_text("Bayu Ramadhan")
    shot(page, "decree")
    assert Proposal.objects.get(pk=world.waiting.pk).state == "approved"
    assert decree.approved_by.username == "supervisor"

    # The hand-over record of an earlier hand-over, printed as PDF.
    page.click("nav a[href='/bantuan/usulan/']")
    shot(page, "proposals after")
    link(page, "Hand-overs").click()
    shot(page, "hand-overs")
    page.click(f"main a[href='/bantuan/serah-terima/{world.handover.pk}/']")
    shot(page, "hand-over")
    link(page, "Hand-over record (PDF)").click()
    expect(page).to_have_url(re.compile(f"/serah-terima/{world.handover.pk}/bast.pdf$"))
    page.wait_for_load_state()
    shot(page, "bast in the pdf viewer")  # printed from here
    answer = page.request.get(page.url)
    assert answer.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(answer.body()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert world.handover.number in text and "Fajar Hidayat" in text
    assert re.search(r"Paket\s+nutrisi", text)


def test_a_supervisors_menu_stays_on_one_line_at_1280_px_whatever_the_name(page, cast):
    """Seen in the browser: at 1280 px a supervisor's menu took two rows. A long name is cut
    in the bar and given whole, with the role and organisation, at the top of its menu."""
    cast.supervisor.first_name = "Raden Mas Muhammad Hendrawan"
    cast.supervisor.last_name = "Wicaksono Kusumanegara"
    cast.supervisor.save()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "supervisor")

    items = page.locator("nav .navbar-nav.me-auto > li")
    rows = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(rows) == 1, rows
    assert page.locator("nav.navbar").bounding_box()["height"] < 70
    page.click("nav .dropdown-toggle:has(.user-name)")
    card = page.locator("nav .user-card")
    expect(card).to_contain_text("Raden Mas Muhammad Hendrawan Wicaksono Kusumanegara")
    expect(card).to_contain_text(cast.supervisor.organisation.name)
    shot(page, "user menu at 1280 px")
