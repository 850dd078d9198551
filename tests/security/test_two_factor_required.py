"""Supervisors and admins must use two-factor login: by default in production, on the
website (set up before any other page, never turned off) as on the API."""

import sys

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import said
from tests.test_platform import production_env, run

pytestmark = pytest.mark.django_db

REQUIRED = ["admin", "supervisor"]


def test_production_requires_two_factor_login_of_supervisors_and_admins_by_default():
    result = run(
        sys.executable, "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.TWO_FACTOR_REQUIRED_ROLES))",
        env=production_env(TWO_FACTOR_REQUIRED_ROLES=None),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['admin', 'supervisor']"


@pytest.mark.parametrize("role", REQUIRED)
def test_a_supervisor_or_admin_without_an_authenticator_is_sent_to_set_one_up(
    cast, browse, settings, role
):
    settings.TWO_FACTOR_REQUIRED_ROLES = REQUIRED
    page = browse(role)

    for url in (reverse("home"), reverse("cases:client-list"), reverse("cases:referral-list")):
        response = page.get(url)
        assert response.status_code == 302 and response.url == reverse("accounts:two-factor")
    setup = page.get(reverse("accounts:two-factor"))
    assert setup.status_code == 200
    assert said("Your role must sign in with two-factor login. Set it up now to continue.") in (
        setup.content.decode()
    )


def test_other_roles_and_supervisors_with_an_authenticator_work_as_before(cast, browse, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = REQUIRED
    TOTPDevice.objects.create(user=cast.supervisor, name="authenticator", confirmed=True)

    assert browse("caseworker").get(reverse("cases:client-list")).status_code == 200
    assert browse("supervisor").get(reverse("cases:client-list")).status_code == 200


def test_a_supervisor_cannot_turn_two_factor_login_off(cast, browse, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = REQUIRED
    TOTPDevice.objects.create(user=cast.supervisor, name="authenticator", confirmed=True)
    page = browse("supervisor")

    cast.supervisor.set_password("kata-sandi-benar-2026")
    cast.supervisor.save()
    page.force_login(cast.supervisor)
    response = page.post(
        reverse("accounts:two-factor-disable"), {"password": "kata-sandi-benar-2026"}, follow=True
    )

    assert said("Your role must sign in with two-factor login; it cannot be turned off.") in (
        response.content.decode()
    )
    assert TOTPDevice.objects.filter(user=cast.supervisor, confirmed=True).exists()


def test_the_api_is_not_redirected_and_asks_for_the_setup_itself(cast, settings):
    from tests.api.conftest import api_as

    settings.TWO_FACTOR_REQUIRED_ROLES = REQUIRED
    response = api_as(cast.supervisor).get("/api/v1/clients/")
    assert response.status_code == 200
