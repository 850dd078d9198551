"""The proposal form in Chromium: the total and the budget left follow the quantities as they
are typed, with the warning when more is asked than is available, under the site's CSP."""

import datetime
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from aid import services as aid_services
from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases import services as case_services
from tests.aid.conftest import make_item, make_programme
from tests.conftest import PASSWORD, client_kwargs, said

from .browsing import login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(regions_for_live_server):
    dinsos = Organisation.objects.create(name="Dinsos OKI", kind="dinsos_kab")
    dinsos.service_area.add(Region.objects.get(code="16.02"))
    caseworker = User.objects.create_user(username="caseworker", password=PASSWORD,
                                          organisation=dinsos, role="caseworker",
                                          first_name="Caseworker")  # fmt: skip
    supervisor = User.objects.create_user(username="supervisor", password=PASSWORD,
                                          organisation=dinsos, role="supervisor")  # fmt: skip
    programme = make_programme(SimpleNamespace(dinsos=dinsos))
    food = make_item(programme, "Paket nutrisi", cost=100_000)
    kit = make_item(programme, "Paket kebersihan", cost=50_000)
    aid_services.budget_allocate(programme=programme, component="hidup_layak", amount=1_000_000,
                                 by=supervisor, reason="DPA 2026")  # fmt: skip
    client = case_services.client_register(by=caseworker, **client_kwargs())
    case_services.consent_record(client=client, by=caseworker, given_by="client",
                                 basis="consent", purposes=["assessment", "aid"],
                                 date=datetime.date(2026, 1, 5))  # fmt: skip
    return SimpleNamespace(programme=programme, food=food, kit=kit, client=client)


def test_the_total_and_the_budget_left_follow_the_quantities_as_they_are_typed(page, world):
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m))
    login(page, "caseworker")
    page.goto(f"/bantuan/klien/{world.client.pk}/usulan/baru/")
    shot(page, "proposal form")
    panel = page.locator(f'[data-budget="{world.programme.pk}"]')
    row = panel.locator('tr[data-component="hidup_layak"]')

    expect(page.locator("button[name=recalculate]")).to_be_hidden()  # the script is running
    page.select_option("select[name=programme]", str(world.programme.pk))
    page.fill(f"input[name=qty_{world.food.pk}]", "3")
    page.fill(f"input[name=qty_{world.kit.pk}]", "2")

    expect(page.locator(f'[data-line-value="qty_{world.food.pk}"]')).to_have_text("Rp 300.000")
    expect(page.locator("[data-total]")).to_have_text("Rp 400.000")
    expect(row.locator("[data-asked]")).to_have_text("Rp 400.000")
    expect(row.locator("[data-after]")).to_have_text("Rp 600.000")
    expect(panel.locator("[data-budget-warning]")).to_be_hidden()

    page.fill(f"input[name=qty_{world.food.pk}]", "10")

    expect(page.locator("[data-total]")).to_have_text("Rp 1.100.000")
    short = said("short by Rp %(amount)s", amount="100.000")  # never "Rp -100.000"
    expect(row.locator("[data-after]")).to_have_text(short)
    expect(row).to_have_class(re.compile(r"\btable-warning\b"))
    expect(panel.locator("[data-budget-warning]")).to_be_visible()
    shot(page, "more than the budget")

    page.click("button.btn-atensi[type=submit]")  # a warning, not a refusal: it is saved

    expect(page).to_have_url(re.compile(r"/bantuan/usulan/USL-[^/]+/$"))
    expect(page.locator(".alert-warning").first).to_be_visible()
    shot(page, "proposal saved")
    assert not violations
