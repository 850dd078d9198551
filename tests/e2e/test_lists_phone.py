"""The caseworker's lists on a phone: each row a card, nothing scrolled sideways, the stage
and the due date in sight."""

import pytest

from cases import services as case_services

from .browsing import login, shot

pytestmark = pytest.mark.e2e

# How far the list's table reaches beyond its box (0 when nothing scrolls sideways).
INNER = "Math.max(0, ...[...document.querySelectorAll('.table-responsive')].map(" \
        "e => e.scrollWidth - e.clientWidth))"  # fmt: skip


def test_the_case_and_client_lists_fit_a_phone(phone, cast, make_client):
    # Seen: the case list kept its seven columns at 390 px, "Tahap" and "Tenggat" out of
    # sight in a table scrolled sideways.
    client = make_client(full_name="Rizki Firmansyah")
    case = case_services.case_open(
        client=client, by=cast.caseworker, organisation=cast.dinsos, assigned_to=cast.caseworker
    )
    page = phone
    login(page, "caseworker")

    page.goto("/kasus/")
    shot(page, "cases")
    assert page.evaluate(INNER) == 0
    row = page.locator("tbody tr").first
    assert row.locator("td.stack-title").inner_text().strip() == case.reference
    due = row.locator("td").last
    assert due.is_visible() and due.bounding_box()["x"] + due.bounding_box()["width"] <= 390

    page.goto("/klien/")
    shot(page, "clients")
    assert page.evaluate(INNER) == 0
    assert "Rizki Firmansyah" in page.locator("tbody tr td.stack-title").first.inner_text()
