"""The district head (a viewer of Ogan Komering Ilir) opens the dashboard, looks at one year,
and takes the whole dashboard away as a spreadsheet: counts only, no names."""

import datetime
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from rehab.services import episodes as rehab_services
from tests.conftest import OKI_VILLAGE_2, said

from .browsing import link, login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def counted(page, cast, make_referral, make_case):
    """Six BNNK referrals in January and seven family referrals in February 2026, and six
    outpatient episodes started in January, in Ogan Komering Ilir."""
    for i in range(6):
        make_referral(
            full_name=f"Zulkarnain Wibisono {i}", referral_date=datetime.date(2026, 1, 5 + i)
        )
    for i in range(7):
        make_referral(
            source="family", full_name=f"Kartika Wulandari {i}", region=OKI_VILLAGE_2,
            referral_date=datetime.date(2026, 2, 3 + i),
        )  # fmt: skip
    for serial in range(40, 46):
        rehab_services.episode_start(
            by=cast.caseworker, case=make_case(serial=serial), provider=cast.dinsos,
            modality="rawat_jalan", legal_route="sukarela", started_on=datetime.date(2026, 1, 15),
        )  # fmt: skip


def test_the_district_head_opens_the_dashboard_and_exports_it(page, counted):
    login(page, "viewer")  # the home page of a viewer is the dashboard
    expect(page.locator("h1")).to_contain_text(said("Dashboard"))
    page.fill("#dashboard-period", "2026")
    page.click("main form[method=get] button[type=submit]")
    expect(page.locator("main")).to_contain_text("Kabupaten Ogan Komering Ilir")
    cards = page.locator(".dashboard-card")
    expect(cards.filter(has_text=said("Referrals")).locator(".stat")).to_have_text("13")
    shot(page, "dashboard 2026")
    # The long labels of the horizontal bars are on short lines, not cut off, and all shown.
    bars = page.evaluate("""[...document.querySelectorAll("canvas[data-source]")]
        .map(c => Chart.getChart(c)).filter(c => c.options.indexAxis === "y")
        .map(c => ({lines: c.data.labels.flat(), labels: c.data.labels.length,
                    ticks: c.scales.y.ticks.length}))""")
    assert bars and all(bar["labels"] == bar["ticks"] for bar in bars), bars
    assert 20 < max(len(line) for bar in bars for line in bar["lines"]) <= 30
    assert "Zulkarnain" not in page.content()  # counts only

    with page.expect_download() as download:
        link(page, "Whole dashboard (XLSX)").click()
    assert download.value.suggested_filename == "dasbor-16.02-2026.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    summary = book.worksheets[0]
    rows = {row[0]: row[1:] for row in summary.iter_rows(values_only=True)}
    assert rows[said("Referrals")][0] == 13
    assert len(book.worksheets) > 2
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert not [c for c in cells if "Zulkarnain" in c or "Kartika" in c]  # no names
