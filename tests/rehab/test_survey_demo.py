"""The survey demo: BNNK OKI's outpatient clinic scored 3.94 in 2023 against a target of 3.9."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse

from atensi.accounts.models import User
from rehab import demo_survey, ikm
from rehab.models.survey import SurveyUnit
from rehab.selectors.survey import parse_period, survey_results


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    return users, out.getvalue()


def test_the_demo_unit_scores_3_94_against_its_target_of_3_9(demo):
    unit = SurveyUnit.objects.get(name=demo_survey.UNIT_NAME)
    result = survey_results(unit=unit, period=parse_period("2023"))

    assert unit.organisation.name == "BNNK Ogan Komering Ilir" and unit.region_id == "16.02"
    assert result.respondents == 50
    assert result.index == Decimal("3.9400") and result.converted == Decimal("98.50")
    assert result.grade.letter == "A" and result.target == Decimal("3.90")
    assert result.meets_target is True and result.weakest == ("U3", "U9")
    ratings = [r.ratings for r in unit.responses.all()]
    assert ikm.compute(ratings, target="3.9").index == Decimal("3.9400")


def test_loading_the_demo_twice_changes_nothing(demo):
    users, out = demo
    assert "50 responses" in out
    assert demo_survey.load(users=users) is False
    assert SurveyUnit.objects.get().responses.count() == 50


def test_the_bnnk_referrer_sees_the_index_on_the_results_page(demo):
    unit = SurveyUnit.objects.get()
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-referrer"))

    html = browser.get(reverse("rehab:survey-unit-detail", args=[unit.pk])).text

    assert 'id="ikm-respondents">50<' in html
    assert 'id="ikm-converted">98.50<' in html or 'id="ikm-converted">98,50<' in html
    assert "alert-success" in html
