"""The review queue in Chromium, from the keyboard: J / K move between rows, a digit chooses
that candidate, N rejects them all; the page goes on at the next row. Under the site's CSP."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import BatchRow
from tests.assessments.test_review_queue import make_register, make_screened

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
    assert not violations
