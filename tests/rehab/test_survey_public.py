"""The public questionnaire: anyone with the link answers without login, on a phone, without
JavaScript; floods are held back (per address, per device and day, a honeypot) and nothing
is kept of the respondent beyond their answers — no address in the database, only a keyed
hash of it in the cache for the hour the limit needs."""

import pytest
from django.core.cache import cache
from django.test import Client as Browser
from django.urls import reverse

from atensi.audit.models import AuditEvent
from rehab import survey_guard
from rehab.models.survey import SurveyResponse

from .survey_world import form_data, make_unit

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.45"


@pytest.fixture
def unit(cast, private_cache):
    return make_unit(cast)


def public(unit):
    return reverse("rehab:survey-public", args=[unit.code])


def visitor(address=ADDRESS):
    """A phone's browser: CSRF checks on, as in real life."""
    return Browser(enforce_csrf_checks=True, REMOTE_ADDR=address)


def send(browser, unit, **data):
    page = browser.get(public(unit))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or browser.cookies["csrftoken"].value
    return browser.post(public(unit), {"csrfmiddlewaretoken": token, **form_data(**data)})


def test_the_form_opens_without_login_in_indonesian_with_the_regulations_questions(unit):
    response = visitor().get(public(unit))

    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    html = response.text
    assert unit.name in html
    assert html.count('type="radio" class="btn-check"') == 9 * 4 + 2 + 6  # + sex, age
    assert "<script>" not in html and 'style="' not in html
    assert 'name="nik"' not in html and 'name="full_name"' not in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_an_answer_is_recorded_and_thanked_for(unit):
    response = send(visitor(), unit, suggestion="Pelayanan cepat")

    assert response.status_code == 302
    assert response.url == reverse("rehab:survey-thanks", args=[unit.code])
    saved = SurveyResponse.objects.get()
    assert saved.ratings == dict.fromkeys(saved.ratings, 4) and saved.entered_by is None
    assert saved.suggestion == "Pelayanan cepat"


def test_the_form_keeps_its_csrf_check(unit):
    response = visitor().post(public(unit), form_data())
    assert response.status_code == 403 and not SurveyResponse.objects.exists()


def test_a_missing_answer_is_pointed_out_and_nothing_saved(unit):
    data = form_data()
    browser = visitor()
    browser.get(public(unit))
    data.pop("u3")
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"].value

    response = browser.post(public(unit), data)

    assert response.status_code == 400 and 'id="q-u3"' in response.text
    assert not SurveyResponse.objects.exists()


def test_a_rating_out_of_range_is_refused(unit):
    assert send(visitor(), unit, u1="5").status_code == 400
    assert not SurveyResponse.objects.exists()


def test_an_inactive_or_unknown_unit_is_not_found(unit):
    unit.is_active = False
    unit.save()
    assert visitor().get(public(unit)).status_code == 404
    assert visitor().get("/survei/tidakada/").status_code == 404


def test_a_filled_honeypot_drops_the_answer_with_the_same_thanks(unit):
    response = send(visitor(), unit, website="http://spam.example")

    assert response.status_code == 302
    assert response.url == reverse("rehab:survey-thanks", args=[unit.code])
    assert not SurveyResponse.objects.exists()


def test_the_honeypot_is_hidden_by_a_class_not_an_inline_style(unit):
    html = visitor().get(public(unit)).text
    field = html.index('name="website"')
    assert 'class="d-none" aria-hidden="true"' in html[field - 200 : field]


def test_one_answer_per_device_per_unit_per_day(cast, unit):
    browser = visitor()
    assert send(browser, unit).status_code == 302

    again = send(browser, unit)

    assert again.status_code == 200 and 'name="u1"' not in again.text
    assert SurveyResponse.objects.count() == 1
    # Another unit on the same phone, and another phone on the same network, still answer.
    other = make_unit(cast, name="Layanan Konseling")
    assert send(browser, other).status_code == 302
    assert send(visitor(), unit).status_code == 302
    assert SurveyResponse.objects.count() == 3


def test_an_address_is_held_back_after_the_hours_limit(unit, settings):
    settings.SURVEY_RESPONSES_PER_ADDRESS = 3
    for _ in range(3):
        assert send(visitor(), unit).status_code == 302  # three phones behind one address

    refused = send(visitor(), unit)

    assert refused.status_code == 429
    assert SurveyResponse.objects.count() == 3
    assert send(visitor("198.51.100.7"), unit).status_code == 302


def test_no_address_or_device_id_is_stored_anywhere_but_hashed_in_the_cache(unit):
    browser = visitor()
    events = AuditEvent.objects.count()  # the unit's set-up
    send(browser, unit, suggestion="Bagus")
    device = browser.cookies[survey_guard.DEVICE_COOKIE].value

    saved = SurveyResponse.objects.get()
    stored = " ".join(str(getattr(saved, f.attname)) for f in saved._meta.concrete_fields)
    assert ADDRESS not in stored and device not in stored
    assert AuditEvent.objects.count() == events
    assert not AuditEvent.objects.filter(ip_address=ADDRESS).exists()
    keys = list(cache._cache.keys())  # the test's own in-memory cache
    assert keys and not any(ADDRESS in key or device in key for key in keys)
    assert any(key.endswith(survey_guard.address_key(_request(ADDRESS))) for key in keys)


def _request(address):
    from django.test import RequestFactory

    return RequestFactory().get("/", REMOTE_ADDR=address)


def test_the_device_cookie_is_random_and_http_only(unit):
    response = visitor().get(public(unit))
    cookie = response.cookies[survey_guard.DEVICE_COOKIE]
    assert cookie["httponly"] and len(cookie.value) >= 20


def test_the_thank_you_page_escapes_the_units_name(cast, private_cache):
    unit = make_unit(cast, name="Klinik <script>alert(1)</script>")
    html = visitor().get(reverse("rehab:survey-thanks", args=[unit.code])).text
    assert "<script>alert" not in html and "&lt;script&gt;" in html
