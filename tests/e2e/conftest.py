"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

They fail loudly when Chromium is missing (CHROMIUM_PATH, default /usr/bin/chromium):
`.ci/run` installs it.

Every page a test opens is watched: a console error, an uncaught script error, a request that
fails or an answer of 400 or more that the test did not announce (`watch.allow`) fails the
test at teardown, with the list. Every page loaded must be photographed with `shot(page,
"name")` before the test leaves it; the pictures go to `tests/e2e/artifacts/<test>/`.
"""

import contextlib
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def _failed(request) -> bool:
    return getattr(request.node, "e2e_failed", True)


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
def celery_worker(regions_for_live_server):
    """Start a Celery worker on the test database and Redis (as tests/assessments does) when
    the test calls `celery_worker()`: a page can show a job waiting before it runs."""
    from celery.contrib.testing.worker import start_worker

    from atensi.celery import app

    app.control.purge()  # messages left on the broker by an earlier run are not ours
    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30)
        )


@pytest.fixture(autouse=True)
def _logs(logs_checked):
    """Every browser test's logs (the live server's, the in-process worker's) are searched
    for personal data."""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def watch(request):
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    watch = Watch(folder)
    yield watch
    # After a failure the page as it was is photographed instead.
    unseen = (
        []
        if _failed(request)
        else [f"page loaded but not photographed: {url}" for url in watch.loads]
    )
    problems = watch.report() + unseen
    if problems:
        pytest.fail("The browser saw problems:\n  " + "\n  ".join(problems))


@contextlib.contextmanager
def _open(request, browser, live_server, watch, **options):
    context = browser.new_context(locale="id-ID", base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page._watch = watch
    watch.attach(page)
    yield page
    if _failed(request):
        watch.shot(page, "failed")
    context.close()


@pytest.fixture
def page(request, browser, live_server, regions_for_live_server, watch):
    """A desktop-sized page."""
    with _open(request, browser, live_server, watch) as page:
        yield page


@pytest.fixture
def phone(request, browser, live_server, regions_for_live_server, watch):
    """A phone-sized page with touch, as a centre's field officer or a family member has."""
    phone = {"viewport": PHONE, "screen": PHONE, "is_mobile": True, "has_touch": True,
             "device_scale_factor": 2}  # fmt: skip
    with _open(request, browser, live_server, watch, **phone) as page:
        yield page
