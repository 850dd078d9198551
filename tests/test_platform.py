"""The platform: migrations, deployment checks, lint, health, API schema, login and sessions."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from atensi.accounts.models import User
from tests.conftest import PASSWORD

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
LOGIN = reverse("accounts:login")


def run(*args, env=None, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def production_env(**changes) -> dict:
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*(-_=+)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "atensi.settings",
        "DEBUG": "false",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "ALLOWED_HOSTS": "atensi.example.go.id",
        # Set by the browser tests' conftest when they are collected in the same run.
        "DJANGO_ALLOW_ASYNC_UNSAFE": None,
    }
    env.update(changes)
    return {name: value for name, value in env.items() if value is not None}


def code_for(device: TOTPDevice) -> str:
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{token:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 10**device.digits:0{device.digits}d}"


def shown(message: str) -> str:
    """A message as the Indonesian page shows it (the English source until it is translated)."""
    with translation.override("id"):
        return translation.gettext(message)


def logged_in(browser: Browser) -> bool:
    return "_auth_user_id" in browser.session


# --- the project as a whole ------------------------------------------------------------


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_deployment_checks_pass_in_production_configuration():
    result = run(
        sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        env=production_env(),
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run(
        sys.executable, "-c", "import django; django.setup()",
        env=production_env(SECRET_KEY=None),
    )  # fmt: skip

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_ruff_finds_no_lint_problems():
    result = run(str(BIN / "ruff"), "check", ".")

    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing_to_reformat():
    result = run(str(BIN / "ruff"), "format", "--check", ".")

    assert result.returncode == 0, result.stdout + result.stderr


# --- health and API schema -------------------------------------------------------------


def test_health_check_reports_database_and_broker_ok(db):
    response = Browser().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_favicon_ico_leads_to_the_sites_icon(db):
    """Chromium's PDF viewer asks for /favicon.ico when it shows a BAST: no 404."""
    response = Browser().get("/favicon.ico")

    assert response.status_code == 301 and response.url.endswith("favicon.svg")


def test_the_openapi_schema_is_served(db):
    response = Browser().get("/api/schema/")

    assert response.status_code == 200
    assert b"ATENSI API" in response.content


def test_the_openapi_schema_validates_without_warnings():
    result = run(
        sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
        "--file", os.devnull,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


# --- login -----------------------------------------------------------------------------


@pytest.fixture
def demo_user(cast):
    return User.objects.create_user(
        username="demo-caseworker", password="atensi-demo-2026", organisation=cast.dinsos,
        role=User.Role.CASEWORKER, first_name="Siti",
    )  # fmt: skip


def test_a_user_logs_in_through_the_login_page(demo_user):
    browser = Browser()

    response = browser.post(LOGIN, {"username": "demo-caseworker", "password": "atensi-demo-2026"})

    assert response.status_code == 302, response.text
    assert response.url == reverse("home")
    assert logged_in(browser)
    assert browser.get(reverse("home")).status_code == 200


def test_a_wrong_password_is_refused(demo_user):
    browser = Browser()

    response = browser.post(LOGIN, {"username": "demo-caseworker", "password": "salah-sandi"})

    assert response.status_code == 200
    assert not logged_in(browser)
    assert "Nama pengguna atau kata sandi salah." in response.text


def test_after_five_wrong_passwords_even_the_right_one_is_refused(demo_user):
    browser = Browser()
    for _ in range(5):
        browser.post(LOGIN, {"username": "demo-caseworker", "password": "salah-sandi"})

    response = browser.post(LOGIN, {"username": "demo-caseworker", "password": "atensi-demo-2026"})

    assert response.status_code == 429
    assert shown("Too many failed logins") in response.text
    assert not logged_in(browser)
    assert AccessAttempt.objects.get(username="demo-caseworker").failures_since_start >= 5


def test_the_lock_is_per_username(demo_user, cast):
    browser = Browser()
    for _ in range(5):
        browser.post(LOGIN, {"username": "demo-caseworker", "password": "salah-sandi"})

    response = browser.post(LOGIN, {"username": cast.supervisor.username, "password": PASSWORD})

    assert response.status_code == 302
    assert logged_in(browser)


@pytest.fixture
def two_factor_device(demo_user):
    return TOTPDevice.objects.create(user=demo_user, name="authenticator", confirmed=True)


def test_a_user_with_two_factor_login_cannot_log_in_without_the_code(two_factor_device):
    browser = Browser()

    response = browser.post(LOGIN, {"username": "demo-caseworker", "password": "atensi-demo-2026"})

    assert response.status_code == 200
    assert shown("Enter the code from your authenticator app.") in response.text
    assert not logged_in(browser)


def test_a_user_with_two_factor_login_cannot_log_in_with_a_wrong_code(two_factor_device):
    browser = Browser()

    browser.post(
        LOGIN,
        {
            "username": "demo-caseworker",
            "password": "atensi-demo-2026",
            "otp_token": wrong_code_for(two_factor_device),
        },
    )

    assert not logged_in(browser)


def test_a_user_with_two_factor_login_logs_in_with_the_current_code(two_factor_device):
    browser = Browser()

    response = browser.post(
        LOGIN,
        {
            "username": "demo-caseworker",
            "password": "atensi-demo-2026",
            "otp_token": code_for(two_factor_device),
        },
    )

    assert response.status_code == 302, response.text
    assert logged_in(browser)


def test_the_two_factor_page_confirms_a_device_with_a_correct_code(demo_user):
    browser = Browser()
    browser.force_login(demo_user)
    assert browser.get(reverse("accounts:two-factor")).status_code == 200
    pending = TOTPDevice.objects.get(user=demo_user, confirmed=False)

    response = browser.post(reverse("accounts:two-factor"), {"token": code_for(pending)})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed


def test_the_two_factor_page_refuses_a_wrong_code(demo_user):
    browser = Browser()
    browser.force_login(demo_user)
    browser.get(reverse("accounts:two-factor"))

    pending = TOTPDevice.objects.get(user=demo_user, confirmed=False)

    response = browser.post(reverse("accounts:two-factor"), {"token": wrong_code_for(pending)})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=demo_user, confirmed=True).exists()


# --- sessions and passwords ------------------------------------------------------------


def test_sessions_end_within_a_working_day_and_when_the_browser_closes():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_the_password_change_page_changes_the_password(demo_user):
    browser = Browser()
    browser.force_login(demo_user)

    response = browser.post(
        reverse("accounts:password-change"),
        {
            "old_password": "atensi-demo-2026",
            "new_password1": "Kayuagung-sungai-2026",
            "new_password2": "Kayuagung-sungai-2026",
        },
    )

    assert response.status_code == 302
    demo_user.refresh_from_db()
    assert demo_user.check_password("Kayuagung-sungai-2026")
    assert logged_in(browser)
