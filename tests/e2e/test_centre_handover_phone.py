"""A Sentra officer hands aid over in the field, on a phone: from the menu to the approved
proposal, the form with a photo of the signed record, and the hand-over it leaves."""

import re

import pytest
from playwright.sync_api import expect

from aid import services as aid_services
from aid.models import Handover
from atensi.accounts.models import User
from tests.aid.conftest import TODAY, make_item, make_programme
from tests.conftest import PASSWORD, png_bytes

from .browsing import link, login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def approved(phone, cast, make_client, media):
    sentra = cast.sentra
    head = User.objects.create_user(username="kepala-sentra", password=PASSWORD,
                                    organisation=sentra, role=User.Role.SUPERVISOR)  # fmt: skip
    programme = make_programme(type("Owner", (), {"dinsos": sentra}), name="ATENSI Sentra")
    aid_services.budget_allocate(programme=programme, component="hidup_layak",
                                 amount=3_000_000, by=head, reason="DIPA 2026")  # fmt: skip
    food = make_item(programme, "Paket nutrisi", cost=300_000)
    kit = make_item(programme, "Paket kebersihan", cost=75_000)
    client = make_client(by=cast.centre, serial=21, full_name="Rizki Firmansyah")
    proposal = aid_services.proposal_create(
        client=client, programme=programme, items=[(food, 1), (kit, 2)], by=cast.centre
    )
    aid_services.proposal_submit(proposal=proposal, by=cast.centre)
    aid_services.proposal_verify(proposal=proposal, by=head)
    aid_services.decree_approve(
        proposals=[proposal], number="SK/07/SENTRA/2026", date=TODAY,
        signatory_name="Kepala Sentra", signatory_title="Kepala Sentra", by=head,
    )  # fmt: skip
    photo = media / "bast-bertanda-tangan.png"
    photo.write_bytes(png_bytes((60, 80)))
    return proposal, photo


def test_the_centre_hands_over_aid_on_a_phone(phone, approved):
    proposal, photo = approved
    page = phone

    login(page, "centre")
    page.tap("nav .navbar-toggler")
    page.tap("nav a[href='/bantuan/usulan/']")
    shot(page, "aid")
    link(page, "Hand-overs").tap()
    shot(page, "hand-overs")
    page.tap(f"main a[href='/bantuan/usulan/{proposal.pk}/serah-terima/']")
    expect(page.locator("input[name=items]:checked")).to_have_count(2)
    page.fill("input[name=place]", "Balai Desa Kayuagung")
    page.fill("input[name=witness_name]", "Kepala Desa Kayuagung")
    page.set_input_files("input[name=evidence]", photo)
    shot(page, "hand-over form")
    page.tap("main form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/bantuan/serah-terima/[0-9a-f-]+/$"))
    handover = Handover.objects.get(proposal=proposal)
    expect(page.locator("h1")).to_contain_text(handover.number)
    shot(page, "handed over")
    assert handover.items.count() == 2 and handover.evidence
    assert handover.place == "Balai Desa Kayuagung"
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
