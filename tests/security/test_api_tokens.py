"""API tokens: a lifetime, stored hashed, revoked on logout, password change, by an admin,
when two-factor login is switched on, and useless once the user or organisation is inactive.

Issue 12 item 6. Everything goes through the real token endpoint, pages and admin.
"""

import datetime

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
LOGOUT_ALL = "/api/v1/auth/logout-all/"
ME = "/api/v1/me/"
NEW_PASSWORD = "sandi-baru-yang-panjang-77"


@pytest.fixture(autouse=True)
def _private_cache(private_cache):
    """The token endpoint's throttle starts from zero in every test."""


@pytest.fixture
def superuser(cast):
    return User.objects.create_superuser(
        username="root", password=PASSWORD, email="", organisation=cast.dinsos
    )


def sign_in(user, password=PASSWORD, **extra):
    payload = {"username": user.username, "password": password, **extra}
    return APIClient().post(TOKEN, payload, format="json")


def token_of(user, password=PASSWORD, **extra) -> str:
    response = sign_in(user, password, **extra)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def as_token(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def me_status(token: str) -> int:
    return as_token(token).get(ME).status_code


def otp_code(device: TOTPDevice) -> str:
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{code:06d}"


# Lifetime


def test_the_token_response_says_when_the_token_expires(cast, settings):
    settings.API_TOKEN_TTL = 2 * 60 * 60
    before = timezone.now()

    body = sign_in(cast.caseworker).json()

    assert set(body) == {"token", "expiry"}
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert before + datetime.timedelta(hours=2) <= expiry
    assert expiry <= timezone.now() + datetime.timedelta(hours=2)


def test_tokens_last_eight_hours_unless_configured(cast):
    sign_in(cast.caseworker)

    stored = AuthToken.objects.get(user=cast.caseworker)
    assert stored.expiry - stored.created == pytest.approx(
        datetime.timedelta(hours=8), abs=datetime.timedelta(seconds=5)
    )


def test_the_database_holds_only_a_hash_of_the_token(cast):
    token = token_of(cast.caseworker)

    stored = AuthToken.objects.get(user=cast.caseworker)
    assert token not in stored.digest
    assert not AuthToken.objects.filter(digest=token).exists()


def test_an_expired_token_is_refused_with_an_indonesian_message(cast):
    token = token_of(cast.caseworker)
    assert me_status(token) == 200
    AuthToken.objects.filter(user=cast.caseworker).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = as_token(token).get(ME, HTTP_ACCEPT_LANGUAGE="id")

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_expired"
    assert error["message"] == "Token sudah kedaluwarsa. Masuk lagi untuk mendapat token baru."
    assert response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.filter(user=cast.caseworker).exists()


def test_a_token_with_a_lifetime_of_zero_is_refused_at_once(cast, settings):
    settings.API_TOKEN_TTL = 0
    token = token_of(cast.caseworker)

    assert me_status(token) == 401


def test_an_unknown_token_is_refused(cast):
    response = as_token("0" * 64).get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_each_sign_in_gives_a_new_token_and_the_earlier_ones_keep_working(cast):
    first = token_of(cast.referrer)
    second = token_of(cast.referrer)

    assert first != second
    assert me_status(first) == me_status(second) == 200


def test_signing_in_clears_the_users_expired_tokens(cast):
    token_of(cast.referrer)
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(minutes=1))

    token_of(cast.referrer)

    assert AuthToken.objects.filter(user=cast.referrer).count() == 1


# Password change


def test_changing_the_password_on_the_page_revokes_the_users_tokens(cast):
    token = token_of(cast.caseworker)
    other_users_token = token_of(cast.supervisor)
    browser = Browser()
    browser.force_login(cast.caseworker)

    response = browser.post(
        "/akun/kata-sandi/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert me_status(token) == 401
    assert me_status(other_users_token) == 200
    assert me_status(token_of(cast.caseworker, NEW_PASSWORD)) == 200


def test_an_admin_setting_a_users_password_revokes_their_tokens(cast, superuser):
    token = token_of(cast.referrer)
    admin = Browser()
    admin.force_login(superuser)

    response = admin.post(
        f"/admin/accounts/user/{cast.referrer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content[:2000]
    assert me_status(token) == 401


def test_signing_in_again_with_the_same_password_keeps_the_other_tokens(cast):
    # A password hash upgraded at sign-in is no password change.
    token = token_of(cast.caseworker)

    token_of(cast.caseworker)

    assert me_status(token) == 200


# Logout


def test_api_logout_revokes_the_token_used_and_only_that_one(cast):
    script_a = token_of(cast.referrer)
    script_b = token_of(cast.referrer)

    response = as_token(script_a).post(LOGOUT)

    assert response.status_code == 204
    assert me_status(script_a) == 401
    assert me_status(script_b) == 200
    assert AuditEvent.objects.filter(
        actor=cast.referrer, action=AuditEvent.Action.LOGOUT, channel="api"
    ).exists()


def test_signing_out_on_the_website_revokes_the_users_api_tokens(cast):
    token = token_of(cast.caseworker)
    other = token_of(cast.supervisor)
    browser = Browser()
    signed_in = browser.post(
        reverse("accounts:login"), {"username": "caseworker", "password": PASSWORD}
    )
    assert signed_in.status_code == 302

    browser.post(reverse("accounts:logout"))

    assert me_status(token) == 401
    assert me_status(other) == 200


def test_api_logout_all_revokes_every_token_of_the_user(cast):
    script_a = token_of(cast.referrer)
    script_b = token_of(cast.referrer)
    someone_else = token_of(cast.caseworker)

    response = as_token(script_a).post(LOGOUT_ALL)

    assert response.status_code == 204
    assert me_status(script_a) == me_status(script_b) == 401
    assert me_status(someone_else) == 200


def test_api_logout_without_a_token_is_refused(cast):
    assert APIClient().post(LOGOUT).status_code == 401
    assert as_token("f" * 64).post(LOGOUT).status_code == 401


def test_the_schema_documents_logout_with_each_answer(cast):
    schema = Browser().get("/api/schema/?format=json").json()

    logout = schema["paths"]["/api/v1/auth/logout/"]["post"]
    logout_all = schema["paths"]["/api/v1/auth/logout-all/"]["post"]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(logout["responses"]) == {"204", "401"}
    assert set(logout_all["responses"]) == {"204", "401"}
    assert {"200", "400", "429"} <= set(token["responses"])
    token_body = token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][token_body.rsplit("/", 1)[1]]["properties"]) == {
        "token",
        "expiry",
    }


# Revoked by an admin


def test_an_admin_revokes_a_users_tokens_with_the_user_list_action(cast, superuser):
    token = token_of(cast.referrer)
    other = token_of(cast.caseworker)
    admin = Browser()
    admin.force_login(superuser)

    response = admin.post(
        "/admin/accounts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [cast.referrer.pk]},
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert response.status_code == 302
    assert me_status(token) == 401
    assert me_status(other) == 200
    event = AuditEvent.objects.get(actor=superuser, object_id=str(cast.referrer.pk))
    assert event.action == AuditEvent.Action.UPDATE
    assert event.summary == "API tokens revoked: 1"


def test_the_admin_token_list_shows_no_token_and_cannot_mint_one(cast, superuser):
    token = token_of(cast.referrer)
    admin = Browser()
    admin.force_login(superuser)

    listing = admin.get("/admin/knox/authtoken/")
    add = admin.get("/admin/knox/authtoken/add/")

    assert listing.status_code == 200
    assert str(cast.referrer) in listing.content.decode()
    assert token not in listing.content.decode()
    assert add.status_code == 403


def test_an_admin_revokes_tokens_from_the_token_list(cast, superuser):
    token = token_of(cast.referrer)
    admin = Browser()
    admin.force_login(superuser)

    response = admin.post(
        "/admin/knox/authtoken/",
        {"action": "revoke", "_selected_action": [AuthToken.objects.get().pk]},
    )

    assert response.status_code == 302
    assert me_status(token) == 401


# Deactivation


def test_a_deactivated_users_token_is_refused(cast):
    token = token_of(cast.caseworker)

    cast.caseworker.is_active = False
    cast.caseworker.save()

    assert me_status(token) == 401


def test_the_token_of_a_user_in_a_deactivated_organisation_is_refused(cast):
    token = token_of(cast.referrer)

    cast.bnnk.is_active = False
    cast.bnnk.save()

    assert me_status(token) == 401
    assert sign_in(cast.referrer).status_code == 400


# Second factor


def test_a_two_factor_user_gets_a_token_only_with_a_valid_code(cast):
    device = TOTPDevice.objects.create(user=cast.centre, name="authenticator", confirmed=True)

    without = sign_in(cast.centre)
    wrong = sign_in(cast.centre, otp_token=f"{(int(otp_code(device)) + 1) % 10**6:06d}")
    right = sign_in(cast.centre, otp_token=otp_code(device))

    assert without.json()["error"]["code"] == "otp_required"
    assert wrong.status_code == 400
    assert right.status_code == 200
    assert AuthToken.objects.filter(user=cast.centre).count() == 1


def test_switching_two_factor_on_revokes_tokens_issued_without_it(cast):
    token = token_of(cast.caseworker)
    browser = Browser()
    browser.force_login(cast.caseworker)
    browser.get("/akun/dua-faktor/")
    device = TOTPDevice.objects.get(user=cast.caseworker, confirmed=False)

    response = browser.post("/akun/dua-faktor/", {"token": otp_code(device)})

    assert response.status_code == 302
    assert me_status(token) == 401


def test_a_role_that_must_use_two_factor_gets_no_token_without_an_authenticator(cast, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]

    response = sign_in(cast.admin)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "two_factor_setup_required"
    assert not AuthToken.objects.filter(user=cast.admin).exists()


def test_a_role_that_must_use_two_factor_gets_a_token_with_its_code(cast, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    device = TOTPDevice.objects.create(user=cast.admin, name="authenticator", confirmed=True)

    without = sign_in(cast.admin)
    right = sign_in(cast.admin, otp_token=otp_code(device))

    assert without.json()["error"]["code"] == "otp_required"
    assert right.status_code == 200


def test_administrators_and_supervisors_get_no_token_without_an_authenticator(cast, settings):
    # The production default (tests/security/test_two_factor_required.py checks it).
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "supervisor"]

    for user in (cast.admin, cast.supervisor):
        response = sign_in(user)
        assert response.json()["error"]["code"] == "two_factor_setup_required"


def test_other_roles_need_no_second_factor_when_they_have_no_authenticator(cast, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]

    assert sign_in(cast.caseworker).status_code == 200
