"""Token sign-in for API callers, and who the caller is."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from atensi.audit.models import AuditEvent

from .conftest import PASSWORD, assert_error_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("with_passwords")]

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _private_cache(private_cache):
    """The token endpoint's throttle starts from zero in every test."""


def get_token(username, password, **extra):
    payload = {"username": username, "password": password, **extra}
    return APIClient().post(TOKEN, payload, format="json")


def test_token_endpoint_gives_a_token_that_authenticates(cast):
    response = get_token(cast.caseworker.username, PASSWORD)

    assert response.status_code == 200, response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api.get(ME)
    assert me.status_code == 200
    assert me.json() == {
        "username": "api-pekerja",
        "name": "Siti",
        "role": "caseworker",
        "organisation": {"id": cast.dinsos.pk, "name": cast.dinsos.name, "kind": "dinsos_kab"},
        "area_codes": ["16.02"],
    }


def test_each_sign_in_gives_a_new_token_with_its_expiry(cast):
    # Each script or system signs in for a token of its own; tokens expire (issue 12).
    first = get_token(cast.referrer.username, PASSWORD).json()
    second = get_token(cast.referrer.username, PASSWORD).json()

    assert set(first) == set(second) == {"token", "expiry"}
    assert first["token"] != second["token"]


def test_successful_sign_in_is_audited(cast):
    get_token(cast.supervisor.username, PASSWORD)

    assert AuditEvent.objects.filter(
        actor=cast.supervisor, action=AuditEvent.Action.LOGIN, channel="api"
    ).exists()


def test_wrong_password_is_refused_with_the_error_body(cast):
    response = get_token(cast.caseworker.username, "salah-sandi-123")

    error = assert_error_body(response, 400)
    assert error["code"] == "invalid_credentials"
    assert "token" not in response.json()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).exists()


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(cast):
    wrong_password = get_token(cast.caseworker.username, "salah-sandi-123")
    unknown_user = get_token("tidak-ada-orangnya", "salah-sandi-123")

    assert unknown_user.status_code == wrong_password.status_code == 400
    assert unknown_user.json() == wrong_password.json()


def test_missing_password_is_a_field_error(cast):
    response = APIClient().post(TOKEN, {"username": "x"}, format="json")

    assert list(assert_error_body(response, 400)["fields"]) == ["password"]


def test_locked_out_user_gets_no_token_even_with_the_right_password(cast):
    for _ in range(5):
        get_token(cast.caseworker2.username, "salah-sandi-123")

    response = get_token(cast.caseworker2.username, PASSWORD)

    assert assert_error_body(response, 400)["code"] == "locked_out"


def test_token_endpoint_is_throttled(cast):
    answers = [get_token(f"orang-{i}", "salah-sandi-123").status_code for i in range(11)]

    assert answers[:10] == [400] * 10
    assert answers[10] == 429


def test_two_factor_users_also_give_their_authenticator_code(cast):
    device = TOTPDevice.objects.create(user=cast.centre, name="authenticator", confirmed=True)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()

    without_code = get_token(cast.centre.username, PASSWORD)
    with_code = get_token(cast.centre.username, PASSWORD, otp_token=f"{code:06d}")
    wrong_code = get_token(cast.centre.username, PASSWORD, otp_token=f"{(code + 1) % 10**6:06d}")

    assert assert_error_body(without_code, 400)["code"] == "otp_required"
    assert with_code.status_code == 200, with_code.content
    assert list(assert_error_body(wrong_code, 400)["fields"]) == ["otp_token"]


def test_me_needs_a_signed_in_caller(cast):
    assert_error_body(APIClient().get(ME), 401)
