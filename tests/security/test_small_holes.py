"""Issue 12, item 7: the smaller holes, each seen the way a user or another system meets it.

The admin for signed-in users who are not staff, caching of personal data, attachments that
are not what they seem, DEBUG by default, DRF's English messages and a bad page size.
"""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
import rest_framework
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from django.utils.html import escape
from PIL import Image, PngImagePlugin
from rest_framework.test import APIClient

from cases.models import Referral
from tests.conftest import pdf_file, png_bytes, referral_form, referral_kwargs, said, shown

BASE_DIR = Path(settings.BASE_DIR)
REFERRALS_API = "/api/v1/referrals/"
CASES_API = "/api/v1/cases/"


# Messages whose Indonesian text is the English word.
SAME_IN_INDONESIAN = {"Token"}


def translated(message: str) -> bool:
    return said(message) != message or message in SAME_IN_INDONESIAN


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


# --- 1. /admin/ for signed-in users who are not staff ----------------------------------


def test_a_caseworker_opening_the_admin_gets_the_not_allowed_page_not_a_redirect_loop(browse):
    response = browse("caseworker").get("/admin/", follow=True)

    assert response.redirect_chain == []
    assert response.status_code == 403
    assert shown("Your role does not allow this. Ask your supervisor if you need it.") in (
        response.text
    )


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/logout/"])
def test_no_admin_page_redirects_a_signed_in_non_staff_user(browse, path):
    response = browse("supervisor").get(path)

    assert response.status_code == 403


def test_staff_still_reach_the_admin_and_strangers_are_sent_to_the_login(browse):
    assert browse("admin").get("/admin/").status_code == 200

    response = Browser().get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))


# --- 2. no caching of personal data ----------------------------------------------------


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_for_a_signed_in_user_are_not_stored_by_browsers_or_proxies(browse, make_referral):
    referral = make_referral()
    browser = browse("caseworker")

    detail = reverse("cases:referral-detail", args=[referral.pk])
    for path in ["/", reverse("cases:referral-list"), detail]:
        response = browser.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path
        assert response["Pragma"] == "no-cache"


def test_an_attachment_download_is_not_stored(browse, make_referral):
    referral = make_referral(attachments=[pdf_file()])

    response = browse("caseworker").get(
        reverse("cases:attachment", args=[referral.attachments.get().pk])
    )

    assert response.status_code == 200
    assert no_store(response)


def test_api_answers_with_personal_data_are_not_stored(cast, make_client):
    client = make_client()
    api = api_as(cast.caseworker)

    for path in ["/api/v1/clients/", f"/api/v1/clients/{client.pk}/"]:
        response = api.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


def test_an_api_token_answer_is_not_stored(cast):
    cast.referrer.set_password("kata-sandi-token-2026")
    cast.referrer.save()
    cache.clear()

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "referrer", "password": "kata-sandi-token-2026"}
    )

    assert response.status_code == 200
    assert no_store(response)


def test_static_files_keep_their_caching_even_for_a_signed_in_user(browse, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    for browser in [Browser(), browse("caseworker")]:
        response = browser.get("/static/css/app.css")
        assert response.status_code == 200
        assert not no_store(response)
        assert "max-age" in response["Cache-Control"]


def test_answers_to_strangers_outside_the_api_keep_their_caching(db):
    response = Browser().get("/")

    assert response.status_code == 302
    assert "Cache-Control" not in response


# --- 3. attachments that are not what they seem ----------------------------------------


def png_of(size, mode="RGB", **params) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG", **params)
    return buffer.getvalue()


def noisy_png() -> bytes:
    """A PNG large enough that cutting it in half loses picture data, not only the end."""
    image = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def truncated_png() -> bytes:
    data = noisy_png()
    return data[: len(data) // 2]


def truncated_jpeg() -> bytes:
    image = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def big_png() -> bytes:
    """10,000 x 10,000 one-bit pixels (100 megapixels) in a few kilobytes."""
    data = png_of((10000, 10000), mode="1", optimize=True)
    assert len(data) < 100_000
    return data


def huge_png() -> bytes:
    """20,000 x 20,000 one-bit pixels (400 megapixels) in a few kilobytes."""
    data = png_of((20000, 20000), mode="1", optimize=True)
    assert len(data) < 200_000
    return data


def pdf_bytes() -> bytes:
    return pdf_file().read()


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
JS_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n"
    b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
)


def png_with_html() -> bytes:
    """A valid PNG whose text chunk is a web page: a browser sniffing it would run it."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


DAMAGED = "%(name)s is a damaged image."
TOO_LARGE = "%(name)s is a picture of more than %(limit)d megapixels."
HTML_INSIDE = "%(name)s also contains web page code (HTML or script) and cannot be attached."
JS_INSIDE = "%(name)s contains JavaScript and cannot be attached."

BAD_FILES = {
    "truncated png": ("tes-urin.png", truncated_png, DAMAGED),
    "truncated jpeg": ("tes-urin.jpg", truncated_jpeg, DAMAGED),
    "100 megapixel png": ("tes-urin.png", big_png, TOO_LARGE),
    "400 megapixel png": ("tes-urin.png", huge_png, TOO_LARGE),
    "pdf with html appended": ("surat.pdf", lambda: pdf_bytes() + HTML, HTML_INSIDE),
    "pdf with html inside": (
        "surat.pdf",
        lambda: pdf_bytes().replace(b"endobj\n", b"endobj\n" + HTML, 1),
        HTML_INSIDE,
    ),
    "png with html in a text chunk": ("tes-urin.png", png_with_html, HTML_INSIDE),
    "pdf with javascript": ("surat.pdf", lambda: JS_PDF, JS_INSIDE),
}


def expected_message(name: str, message: str) -> str:
    return said(message, name=name, limit=40)


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_attachment_is_refused_on_the_referral_form_with_a_clear_message(browse, kind):
    name, make, message = BAD_FILES[kind]
    upload = SimpleUploadedFile(name, make(), "application/octet-stream")

    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(attachments=upload)
    )

    assert response.status_code == 200
    assert escape(expected_message(name, message)) in response.text
    assert not Referral.objects.exists()


def test_a_cut_off_photo_is_refused_also_after_a_document_was_printed(browse):
    """Importing WeasyPrint makes Pillow accept truncated images process-wide; printing a
    hand-over record must not weaken the attachment check of the next upload."""
    from atensi.documents import render_pdf

    assert render_pdf("documents/base_print.html", {}).startswith(b"%PDF")
    name, make, message = BAD_FILES["truncated jpeg"]
    upload = SimpleUploadedFile(name, make(), "application/octet-stream")

    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(attachments=upload)
    )

    assert escape(expected_message(name, message)) in response.text
    assert not Referral.objects.exists()


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_attachment_is_refused_by_the_api_with_a_clear_message(cast, kind):
    name, make, message = BAD_FILES[kind]
    data = {**referral_kwargs(), "referral_date": "2026-01-10"}
    data["attachments"] = [SimpleUploadedFile(name, make(), "application/octet-stream")]

    response = api_as(cast.referrer).post(REFERRALS_API, data, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["attachments"] == [expected_message(name, message)]
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "name, make",
    [
        ("tes-urin.png", png_bytes),
        ("tes-urin.png", noisy_png),
        ("foto.png", lambda: png_of((4000, 3000))),
        ("surat.pdf", pdf_bytes),
    ],
    ids=["small png", "photo-like png", "12 megapixel png", "pdf"],
)
def test_good_attachments_still_go_through(cast, name, make):
    data = {**referral_kwargs(), "referral_date": "2026-01-10"}
    data["attachments"] = [SimpleUploadedFile(name, make(), "application/octet-stream")]

    response = api_as(cast.referrer).post(REFERRALS_API, data, format="multipart")

    assert response.status_code == 201, response.content
    assert Referral.objects.get().attachments.count() == 1


# --- 4. DEBUG is off unless the developer tooling turns it on --------------------------


def settings_run(code: str, env: dict, *, via_dev: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code]
    if via_dev:
        command = [sys.executable, "-m", "atensi.dev", "exec", *command]
    return subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def bare_env(**changes) -> dict:
    """The environment of a shell where nobody set DEBUG, SECRET_KEY or ALLOWED_HOSTS."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DJANGO_SETTINGS_MODULE"] = "atensi.settings"
    env.update(changes)
    return env


PRINT_DEBUG = "import atensi.settings as s; print('DEBUG', s.DEBUG)"


def test_settings_default_to_production_and_refuse_without_a_secret_key():
    result = settings_run(PRINT_DEBUG, bare_env())

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "DEBUG=true" in result.stderr


def test_settings_without_debug_in_the_environment_are_not_debug():
    result = settings_run(
        PRINT_DEBUG, bare_env(SECRET_KEY="x" * 60, ALLOWED_HOSTS="atensi.example.go.id")
    )

    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_a_manage_py_command_without_debug_says_what_to_set():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR, env=bare_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "DEBUG=true" in result.stderr


def test_the_developer_tooling_turns_debug_on():
    result = settings_run(PRINT_DEBUG, bare_env(), via_dev=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "DEBUG True" in result.stdout


def test_the_developer_tooling_leaves_an_explicit_debug_alone():
    result = settings_run(
        PRINT_DEBUG,
        bare_env(DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="atensi.example.go.id"),
        via_dev=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "DEBUG False" in result.stdout


def test_the_docker_image_runs_with_debug_off_unless_told_otherwise():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "DEBUG=true" not in dockerfile.replace(" ", "")
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    assert 'DEBUG: "false"' in compose


# --- 5. DRF's own messages in Indonesian ------------------------------------------------


def test_a_bad_boolean_is_refused_in_indonesian(cast):
    response = api_as(cast.caseworker).get(CASES_API, {"mine": "barangkali"})

    assert response.status_code == 400
    assert translated("Must be a valid boolean.")
    assert response.json()["error"]["fields"]["mine"] == [said("Must be a valid boolean.")]


def test_a_throttled_request_is_told_in_indonesian_when_to_come_back(db):
    cache.clear()
    api = APIClient()
    try:
        for _attempt in range(12):
            response = api.post("/api/v1/auth/token/", {})
            if response.status_code == 429:
                break
    finally:
        cache.clear()

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert translated("Request was throttled.")
    assert translated("Expected available in {wait} second.")
    assert translated("Expected available in {wait} seconds.")
    plural = "second." if wait == 1 else "seconds."
    expected = " ".join(
        [said("Request was throttled."), said(f"Expected available in {{wait}} {plural}")]
    ).format(wait=wait)
    assert response.json()["error"]["message"] == expected


def test_every_message_drf_can_send_has_an_indonesian_translation():
    """Each msgid of DRF's code is translated (DRF's own Indonesian catalogue lacks many)."""
    # gettext is needed for the catalogues anyway (compilemessages): missing it is a failure.
    assert shutil.which("xgettext"), "xgettext not found: apt-get install gettext"
    drf = Path(rest_framework.__file__).parent
    result = subprocess.run(
        ["xgettext", "--language=Python", "--keyword=_", "--keyword=gettext_lazy",
         "--from-code=UTF-8", "--no-location", "-o", "-",
         *sorted(str(p) for p in drf.rglob("*.py"))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    msgids = [e.msgid for e in polib.pofile(result.stdout) if e.msgid and not e.msgid_plural]
    missing = [m for m in msgids if not translated(m)]
    assert not missing, "\n".join(missing)


# --- 6. page_size ----------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["abc", "0", "-1", "1.5", "", "201", "٣"])
def test_a_page_size_that_is_not_a_whole_number_from_1_to_200_is_refused(cast, page_size):
    response = api_as(cast.caseworker).get(CASES_API, {"page_size": page_size})

    assert response.status_code == 400
    message = said("page_size must be a whole number from 1 to %(max)d.", max=200)
    assert response.json()["error"]["fields"] == {"page_size": [message]}


def test_a_page_size_in_range_sets_the_page_length(cast, make_case):
    for serial in range(1, 4):
        make_case(serial=serial)
    api = api_as(cast.caseworker)

    assert len(api.get(CASES_API, {"page_size": "2"}).json()["results"]) == 2
    assert len(api.get(CASES_API, {"page_size": "200"}).json()["results"]) == 3


def test_the_schema_documents_the_page_size_rule(cast):
    response = api_as(cast.caseworker).get("/api/schema/", {"format": "json"})

    parameters = response.json()["paths"][CASES_API]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
