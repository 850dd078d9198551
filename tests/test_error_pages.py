"""The error pages as production shows them (DEBUG off): Indonesian, in the site's look (the
base layout and its stylesheet, nothing inline for the CSP), and saying nothing about what
was asked for or why it failed."""

import re

import pytest
from django.test import Client as Browser
from django.test import RequestFactory, override_settings
from django.views.defaults import server_error

from tests.conftest import make_nik, shown

pytestmark = pytest.mark.usefixtures("private_cache")


def looks_like_the_site(page: str) -> None:
    assert '<html lang="id">' in page
    assert "/static/css/app.css" in page
    assert 'style="' not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # scripts only from files


def shown_text(page: str) -> str:
    """The page without the language switch, whose hidden field returns to the same address."""
    return re.sub(r'<input name="next" type="hidden" value="[^"]*">', "", page)


def tells_nothing(page: str) -> None:
    for leak in ("Traceback", "Exception", "urlpatterns", "Request Method", "matches the given",
                 "DEBUG", "CSRF verification", "csrf_token", "django"):  # fmt: skip
        assert leak not in page, leak


@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_indonesian_404_page_without_the_address(db):
    nik = make_nik()

    response = Browser().get(f"/klien/{nik}/rahasia/")

    page = response.content.decode()
    assert response.status_code == 404
    assert f"<title>{shown('Page not found')} · ATENSI</title>" in page
    assert shown("This page does not exist, or it is outside what your account may see.") in page
    assert nik not in shown_text(page) and "rahasia" not in shown_text(page)
    looks_like_the_site(page)
    tells_nothing(page)


@override_settings(DEBUG=False)
def test_a_record_outside_the_users_area_is_the_same_404_page_for_a_signed_in_user(
    cast, make_client, browse
):
    client = make_client()

    response = browse("outsider").get(f"/klien/{client.pk}/")

    page = response.content.decode()
    assert response.status_code == 404
    assert shown("Page not found") in page
    assert str(client.pk) not in shown_text(page) and client.full_name not in page
    assert "outsider".title() in page  # the user's menu: the page is the site's own
    looks_like_the_site(page)
    tells_nothing(page)


@override_settings(DEBUG=False)
def test_a_forbidden_page_gets_the_indonesian_403_page(cast, browse):
    response = browse("caseworker").get("/admin/")

    page = response.content.decode()
    assert response.status_code == 403
    assert f"<title>{shown('Not allowed')} · ATENSI</title>" in page
    assert shown("Your role does not allow this. Ask your supervisor if you need it.") in page
    looks_like_the_site(page)
    tells_nothing(page)


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_security_token_gets_an_indonesian_403_page(db):
    browser = Browser(enforce_csrf_checks=True)

    response = browser.post("/akun/masuk/", {"username": "x", "password": "y"})

    page = response.content.decode()
    assert response.status_code == 403
    advice = shown(
        "The page was open for too long, or cookies are blocked for this site. Go back, "
        "reload the page and send the form again."
    )
    assert shown("The form has expired") in page and advice in page
    looks_like_the_site(page)
    tells_nothing(page)


@override_settings(DEBUG=False)
def test_the_500_page_is_indonesian_and_stands_alone(db):
    request = RequestFactory().get("/")

    page = server_error(request).content.decode()

    assert shown("Something went wrong") in page
    assert "/static/css/app.css" in page
    assert 'style="' not in page and "<script" not in page
    tells_nothing(page)
