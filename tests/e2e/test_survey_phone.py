"""A family member answers the public IKM satisfaction survey on a phone, from the link on the
unit's poster: no login, nothing that names them, one answer per device and day."""

import pytest
from playwright.sync_api import expect

from rehab.models.survey import SurveyResponse
from tests.conftest import said
from tests.rehab.survey_world import make_unit

from .browsing import shot

pytestmark = pytest.mark.e2e

RATINGS = (4, 4, 3, 4, 4, 3, 4, 4, 4)


def test_a_family_member_fills_in_the_ikm_survey_on_a_phone(phone, cast):
    unit = make_unit(cast)
    page = phone

    page.goto(f"/survei/{unit.code}/")
    expect(page.locator("main")).to_contain_text(unit.name)
    shot(page, "survey")
    page.tap("input[name=sex][value=P] + label")
    page.tap("input[name=age_group][value='40-49'] + label")
    page.select_option("select[name=education]", "sma")
    page.select_option("select[name=occupation]", "wirausaha")
    for number, rating in enumerate(RATINGS, start=1):
        page.tap(f"input[name=u{number}][value='{rating}'] + label")
    page.fill("textarea[name=suggestion]", "Petugasnya ramah, ruang tunggu agak sempit.")
    shot(page, "survey filled in")
    page.tap("main form button[type=submit]")

    expect(page).to_have_url(f"{page.url.split('/survei/')[0]}/survei/{unit.code}/terima-kasih/")
    shot(page, "thanks")
    response = SurveyResponse.objects.get(unit=unit)
    assert [getattr(response, f"u{n}") for n in range(1, 10)] == list(RATINGS)
    assert (response.sex, response.age_group) == ("P", "40-49")

    # The same phone the same day is thanked, not counted twice.
    page.goto(f"/survei/{unit.code}/")
    expect(page.locator("main")).not_to_contain_text(said("Send my answers"))
    shot(page, "already answered")
    assert SurveyResponse.objects.filter(unit=unit).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
