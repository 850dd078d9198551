"""The follow-up visit page: its result as a real radio group, a visit well before its due
date asked about before it is saved, and the monthly income as people write it."""

import datetime
import re

import pytest
from django.utils import timezone

from aid import services
from aid.models import FollowUp
from tests.conftest import shown

from .conftest import approve, assess, make_item, verified


def hand_over(cast, proposal, days_ago: int):
    approve(cast, [proposal])
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=day,
                             place="Rumah Singgah")  # fmt: skip
    return FollowUp.objects.get(proposal=proposal, months=1)


@pytest.fixture
def first_visit(cast, funded, food, make_case):
    """The 1-month visit of goods handed over today: due in about a month."""
    proposal = verified(cast, make_case().client, funded, [(food, 1)])
    return hand_over(cast, proposal, days_ago=0)


@pytest.fixture
def business_visit(cast, funded, make_case):
    """The 1-month visit of entrepreneurship aid handed over 30 days ago: due about now."""
    case = make_case()
    assess(case, business=True)
    tools = make_item(funded, "Paket peralatan usaha", kind="entrepreneurship", cost=200_000)
    proposal = verified(cast, case.client, funded, [(tools, 1)], plan="Warung kopi")
    return hand_over(cast, proposal, days_ago=31)


def test_the_visit_result_is_a_radio_group_with_a_label_for_each_choice(first_visit, browse):
    page = browse("caseworker").get(f"/bantuan/kunjungan/{first_visit.pk}/").content.decode()

    group = re.search(r"<fieldset[^>]*>\s*<legend[^>]*>(.*?)</legend>(.*?)</fieldset>", page, re.S)
    assert group and group.group(1) == shown("Result of the visit")
    choices = group.group(2)
    assert 'type="radio" name="reached" value="yes"' in choices
    assert f'<label class="form-check-label" for="id_reached_0">{shown("Visited")}</label>' in (
        choices
    )
    assert f'for="id_reached_1">{shown("Not reached")}</label>' in choices
    # The group's wrapper is not styled as a checkbox, and no label points at nothing.
    assert '<div id="id_reached" class="form-check-input"' not in page
    assert 'for=""' not in page


def test_the_field_include_draws_any_choice_group_as_a_fieldset_and_a_checkbox_as_before():
    from django import forms
    from django.template.loader import render_to_string

    from atensi.forms import StyledFormMixin

    class Choices(StyledFormMixin, forms.Form):
        colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)
        sizes = forms.MultipleChoiceField(choices=[("s", "S"), ("m", "M")], required=False,
                                          widget=forms.CheckboxSelectMultiple)  # fmt: skip
        agree = forms.BooleanField(label="Agree", required=False)

    form = Choices()
    colour, sizes, agree = (
        render_to_string("includes/field.html", {"field": form[name]})
        for name in ("colour", "sizes", "agree")
    )

    assert '<legend class="form-label required">Colour</legend>' in colour
    assert '<label class="form-check-label" for="id_colour_1">Green</label>' in colour
    assert '<legend class="form-label">Sizes</legend>' in sizes
    assert 'for="id_sizes_0">S</label>' in sizes
    assert "<fieldset" not in agree
    assert '<label class="form-check-label" for="id_agree">Agree</label>' in agree


def test_a_visit_well_before_its_due_date_is_asked_about_and_then_recorded(first_visit, browse):
    browser = browse("caseworker")
    url = f"/bantuan/kunjungan/{first_visit.pk}/"
    today = timezone.localdate()
    data = {"reached": "yes", "visited_on": today.isoformat(), "usage": "Dipakai keluarga"}

    page = browser.get(url).content.decode()
    assert f"{first_visit.due_on:%d-%m-%Y}" in page  # the page says when it is due

    asked = browser.post(url, data)
    first_visit.refresh_from_db()
    assert asked.status_code == 200 and first_visit.status == "due"  # nothing saved yet
    text = asked.content.decode()
    days = (first_visit.due_on - today).days
    assert shown(
        "This %(months)d-month visit is due on %(due)s, %(days)d days after this date. "
        "Check the date; if the visit really took place then, tick the box below and save again.",
        months=1, due=f"{first_visit.due_on:%d-%m-%Y}", days=days,
    ) in text  # fmt: skip
    assert 'name="early"' in text

    done = browser.post(url, {**data, "early": "on"})
    first_visit.refresh_from_db()
    assert done.status_code == 302
    assert (first_visit.status, first_visit.visited_on) == ("visited", today)


def test_a_visit_near_its_due_date_is_recorded_without_a_question(cast, funded, food, make_case,
                                                                   browse):  # fmt: skip
    proposal = verified(cast, make_case().client, funded, [(food, 1)])
    visit = hand_over(cast, proposal, days_ago=27)  # due in 3 or 4 days: the home page lists it

    response = browse("caseworker").post(f"/bantuan/kunjungan/{visit.pk}/", {
        "reached": "yes", "visited_on": timezone.localdate().isoformat(), "usage": "Dipakai",
    })  # fmt: skip

    visit.refresh_from_db()
    assert response.status_code == 302 and visit.status == "visited"


@pytest.mark.parametrize(
    "typed", ["1.200.000", "1 200 000", "Rp 1.200.000", "Rp1.200.000,-", "1200000"]
)
def test_the_monthly_income_is_taken_as_people_write_it(business_visit, browse, typed):
    response = browse("caseworker").post(f"/bantuan/kunjungan/{business_visit.pk}/", {
        "reached": "yes", "visited_on": timezone.localdate().isoformat(),
        "business_running": "true", "monthly_income": typed,
    })  # fmt: skip

    business_visit.refresh_from_db()
    assert response.status_code == 302
    assert (business_visit.business_running, business_visit.monthly_income) == (True, 1_200_000)


def test_an_income_with_cents_is_refused_with_an_example(business_visit, browse):
    response = browse("caseworker").post(f"/bantuan/kunjungan/{business_visit.pk}/", {
        "reached": "yes", "visited_on": timezone.localdate().isoformat(),
        "business_running": "true", "monthly_income": "1.200,50",
    })  # fmt: skip

    assert response.status_code == 200
    assert shown("Give the amount in whole rupiah, for example 1.200.000.") in (
        response.content.decode()
    )
    business_visit.refresh_from_db()
    assert business_visit.status == "due"
