"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

They fail loudly when Chromium is missing (CHROMIUM_PATH, default /usr/bin/chromium):
`.ci/run` installs it.

Every page a test opens is watched: a console error, an uncaught script error, a request that
fails or an answer of 400 or more that the test did not announce (`watch.allow`) fails the
test at teardown, with the list. Every page loaded must be photographed with `shot(page,
"name")` before the test leaves it; the pictures go to `tests/e2e/artifacts/<test>/`.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from .browsing import Watch

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package.")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def regions_for_live_server(transactional_db):
    """A live-server test flushes the database afterwards; put the regions back first."""
    call_command("load_regions", stdout=io.StringIO())


@pytest.fixture
def watch(request):
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    watch = Watch(folder)
    yield watch
    unseen = [f"page loaded but not photographed: {url}" for url in watch.loads]
    if watch.problems or unseen:
        pytest.fail("The browser saw problems:\n  " + "\n  ".join(watch.problems + unseen))


def _open(browser, live_server, watch, **options):
    context = browser.new_context(locale="id-ID", base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page._watch = watch
    watch.attach(page)
    return context, page


@pytest.fixture
def page(browser, live_server, regions_for_live_server, watch):
    """A desktop-sized page."""
    context, page = _open(browser, live_server, watch)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, regions_for_live_server, watch):
    """A phone-sized page with touch, as a centre's field officer or a family member has."""
    context, page = _open(
        browser, live_server, watch, viewport=PHONE, screen=PHONE, is_mobile=True,
        has_touch=True, device_scale_factor=2,
    )  # fmt: skip
    yield page
    context.close()
