"""The review queue in Chromium, from the keyboard: J / K move between rows, a digit chooses
that candidate, N rejects them all; the page goes on at the next row. Under the site's CSP."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import BatchRow
from tests.assessments.test_review_queue import make_register, make_screened
from tests.conftest import said

from .browsing import login, shot

pytestmark = pytest.mark.e2e


def current(page):
    return page.locator(".review-row.is-current")


def test_a_supervisor_works_through_the_queue_with_the_keyboard(page, cast):
    batch, rows, _people = make_screened(cast, make_register(cast))
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m))
    login(page, "supervisor")
    page.goto(f"/kelayakan/{batch.pk}/tinjauan/")
    shot(page, "review queue")

    expect(current(page)).to_have_attribute("id", "baris-2")
    expect(page.locator("kbd.key-hint").first).to_be_visible()  # the script is running
    page.keyboard.press("j")
    expect(current(page)).to_have_attribute("id", "baris-3")
    page.keyboard.press("k")
    expect(current(page)).to_have_attribute("id", "baris-2")

    page.keyboard.press("2")  # the second of the twins

    expect(page).to_have_url(re.compile(r"/tinjauan/#baris-3$"))
    expect(current(page)).to_have_attribute("id", "baris-3")
    shot(page, "twin chosen")
    twins = BatchRow.objects.get(pk=rows[2].pk)
    assert (twins.review, twins.match_id) == ("confirmed", rows[2].candidates[1]["id"])

    page.keyboard.press("n")

    expect(page).to_have_url(re.compile(r"/tinjauan/#baris-4$"))
    assert BatchRow.objects.get(pk=rows[3].pk).review == "rejected"
    expect(page.locator("[data-review-row]")).to_have_count(2)
    shot(page, "all rejected")

    # A slip of the key is taken back: the latest decision comes first, with its undo.
    decided = page.locator("section[aria-labelledby=decided-title] li")
    expect(decided).to_have_count(2)
    expect(decided.first).to_contain_text(said("Match rejected"))
    decided.first.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/tinjauan/#baris-3$"))
    expect(page.locator("[data-review-row]")).to_have_count(3)
    expect(page.locator(".alert")).to_contain_text(
        said("Row %(row)d: decision undone; it waits for review again.", row=3)
    )
    shot(page, "rejection undone")
    assert BatchRow.objects.get(pk=rows[3].pk).review == "pending"
    assert not violations


def test_the_first_tab_offers_a_skip_past_the_menu_to_the_content(page, cast):
    """From the keyboard, the menu's dozen links come before the page's own work: the first
    Tab shows a link that moves the focus straight to the content."""
    batch, _rows, _people = make_screened(cast, make_register(cast))
    login(page, "supervisor")
    page.goto(f"/kelayakan/{batch.pk}/tinjauan/")
    skip = page.get_by_role("link", name=said("Skip to the content"))
    assert skip.bounding_box()["width"] <= 1  # hidden until it has the focus

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    assert skip.bounding_box()["width"] > 50  # seen: a button-sized link
    shot(page, "skip link")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert skip.bounding_box()["width"] <= 1
