"""/api/v1/survey-units/: units and their IKM per period for those who may read them (an
outsider gets 404), and the public write-only responses endpoint behind the survey form."""

import datetime

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from atensi.accounts.models import User
from rehab import survey_guard
from rehab.models.survey import SurveyResponse
from tests.conftest import role_matrix

from .survey_world import PROFILE, WORKED, answer, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(cast, private_cache):
    unit = make_unit(cast)
    for ratings in WORKED:
        answer(unit, ratings, day=datetime.date(2023, 2, 1), suggestion="Rahasia")
    return unit


def api_as(user=None):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    if user is not None:
        client.force_authenticate(user)
    return client


READS = {
    #               caseworker supervisor outsider referrer centre viewer admin
    "detail":       (404, 200, 404, 200, 404, 200, 200),
    "results":      (404, 200, 404, 200, 404, 200, 200),
}  # fmt: skip


@pytest.mark.parametrize(("endpoint", "role", "status"), role_matrix(READS))
def test_access_matrix(cast, unit, endpoint, role, status):
    path = f"/api/v1/survey-units/{unit.code}/"
    if endpoint == "results":
        path += "results/"
    assert api_as(getattr(cast, role)).get(path).status_code == status


def codes(user):
    return [u["code"] for u in api_as(user).get("/api/v1/survey-units/").json()["results"]]


def test_the_list_holds_only_the_units_a_user_may_read(cast, unit):
    assert codes(cast.referrer) == [unit.code] and codes(cast.viewer) == [unit.code]
    assert codes(cast.outsider) == [] and codes(cast.centre) == []


def test_anonymous_users_cannot_read_units(unit):
    assert api_as().get("/api/v1/survey-units/").status_code in (401, 403)


def test_the_results_of_the_worked_example(cast, unit):
    body = (
        api_as(cast.supervisor)
        .get(f"/api/v1/survey-units/{unit.code}/results/?period=2023-Q1")
        .json()
    )

    assert body["respondents"] == 4
    assert body["index"] == "3.8056" and body["converted"] == "95.14"
    assert body["grade"] == "A" and body["target"] == "3.90" and body["meets_target"] is False
    assert body["weakest"] == ["U1", "U2", "U4", "U8", "U9"]
    assert [e["mean"] for e in body["elements"]] == [
        "3.7500", "3.7500", "4.0000", "3.7500", "4.0000", "4.0000", "4.0000", "3.2500", "3.7500",
    ]  # fmt: skip
    assert "Rahasia" not in str(body)


def test_a_period_without_responses_has_no_index(cast, unit):
    body = api_as(cast.referrer).get(f"/api/v1/survey-units/{unit.code}/results/?period=2023-05")
    assert body.json()["respondents"] == 0 and body.json()["index"] is None


def test_a_malformed_period_is_a_400(cast, unit):
    response = api_as(cast.referrer).get(f"/api/v1/survey-units/{unit.code}/results/?period=x")
    assert response.status_code == 400 and "period" in response.json()["error"]["fields"]


def test_the_list_with_a_period_gives_each_units_results_in_a_fixed_number_of_queries(
    cast, unit, django_assert_max_num_queries
):
    for n in range(4):
        answer(make_unit(cast, name=f"Unit {n}"), (3,) * 9, day=datetime.date(2023, 3, 1))

    with django_assert_max_num_queries(8):
        body = api_as(cast.referrer).get("/api/v1/survey-units/?period=2023").json()

    results = {u["name"]: u["results"] for u in body["results"]}
    assert results[unit.name]["index"] == "3.8056"
    assert results["Unit 0"]["index"] == "3.0000" and results["Unit 0"]["grade"] == "C"  # 75.00


# --- the public endpoint ----------------------------------------------------------------


def answers(**extra):
    return {**{f"u{n}": 4 for n in range(1, 10)}, **PROFILE, "suggestion": "", **extra}


def responses_url(unit):
    return f"/api/v1/survey-units/{unit.code}/responses/"


def test_anyone_may_post_a_response_and_nothing_is_read_back(unit):
    response = api_as().post(responses_url(unit), answers(u3=2), format="json")

    assert response.status_code == 201 and response.json() == {"recorded": True}
    assert SurveyResponse.objects.filter(unit=unit, u3=2, entered_by=None).count() == 1
    assert api_as().get(responses_url(unit)).status_code == 405


def test_a_bad_rating_or_profile_is_a_400(unit):
    before = SurveyResponse.objects.count()
    assert api_as().post(responses_url(unit), answers(u1=5), format="json").status_code == 400
    bad = api_as().post(responses_url(unit), answers(sex="X"), format="json")
    assert bad.status_code == 400 and "sex" in bad.json()["error"]["fields"]
    assert SurveyResponse.objects.count() == before


def test_an_unknown_or_closed_unit_is_a_404(unit):
    assert api_as().post("/api/v1/survey-units/zzzz/responses/", answers()).status_code == 404
    unit.is_active = False
    unit.save()
    assert api_as().post(responses_url(unit), answers(), format="json").status_code == 404


def test_the_endpoint_is_throttled_per_address(unit, settings):
    settings.SURVEY_RESPONSES_PER_ADDRESS = 2
    for _ in range(2):
        assert api_as().post(responses_url(unit), answers(), format="json").status_code == 201

    refused = api_as().post(responses_url(unit), answers(), format="json")

    assert refused.status_code == 429 and "Retry-After" in refused


def test_one_response_per_device_cookie_per_day(unit):
    client = api_as()
    client.cookies[survey_guard.DEVICE_COOKIE] = survey_guard.new_device_token()
    assert client.post(responses_url(unit), answers(), format="json").status_code == 201

    again = client.post(responses_url(unit), answers(), format="json")

    assert again.status_code == 409


def test_the_throttle_keeps_a_hash_not_the_address(unit):
    from django.core.cache import cache

    api_as().post(responses_url(unit), answers(), format="json")

    keys = list(cache._cache.keys())
    assert not any("203.0.113.9" in key for key in keys)
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    assert any(key.endswith(survey_guard.address_key(request)) for key in keys)


def test_a_supervisor_of_another_regency_gets_404(cast, unit):
    other = User.objects.create_user(
        username="kasi-oi", password=None, organisation=cast.other_dinsos,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip
    assert api_as(other).get(f"/api/v1/survey-units/{unit.code}/").status_code == 404
