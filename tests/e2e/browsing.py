"""What the browser tests share: the watch over each page, pictures, signing in and out."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import PASSWORD, said

# How far the page reaches beyond the window's right edge (0 for a PDF in the viewer).
WIDER = "Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"


@dataclass
class Watch:
    """What went wrong in the browser during one test, and the pictures taken of it."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    allowed: list[tuple[int, str]] = field(default_factory=list)
    shots: int = 0
    loads: list[str] = field(default_factory=list)  # pages loaded and not yet photographed
    aborted: list[str] = field(default_factory=list)
    downloads: set[str] = field(default_factory=set)
    pdfs: set[str] = field(default_factory=set)  # answered with a PDF

    def allow(self, status: int, url_part: str) -> None:
        """An answer the test expects, e.g. the 404 an outsider gets."""
        self.allowed.append((status, url_part))

    def attach(self, page) -> None:
        page.on("console", lambda m: self._console(m))
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: self._failed(r))
        page.on("response", lambda r: self._response(r))
        page.on("load", lambda p: self.loads.append(p.url))
        page.on("download", lambda d: self.downloads.add(d.url))

    def _console(self, message) -> None:
        # A failed load is reported as a response or a failed request, with its address.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text} ({message.location['url']})")

    def _failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            # A problem unless it became a download, or was a PDF the browser's viewer took
            # over (Chromium hands the answer's body to the viewer and ends the request).
            self.aborted.append(request.url)
        else:
            self.problems.append(
                f"request failed: {request.method} {request.url}: {request.failure}"
            )

    def report(self) -> list[str]:
        """Every problem seen; a navigation that turned into a download is none."""
        aborted = [
            f"request aborted: {url}"
            for url in self.aborted
            if url not in self.downloads and url not in self.pdfs
        ]
        return self.problems + aborted

    def _response(self, response) -> None:
        if response.status < 400:
            if response.headers.get("content-type", "").startswith("application/pdf"):
                self.pdfs.add(response.url)
            return
        for status, part in self.allowed:
            if response.status == status and part in response.url:
                return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def shot(self, page, name: str) -> Path:
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{self.shots:02d}-{slug}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        wider = page.evaluate(WIDER)
        if wider:
            self.problems.append(f"{path.name}: the page is {wider} px wider than the screen")
        self.loads.clear()
        return path


def shot(page, name: str) -> Path:
    """Photograph the whole page as it is now: `NN-name.png` in the test's folder."""
    return page._watch.shot(page, name)


def link(page, message: str):
    """The link or button-like link whose whole text is `message`, in Indonesian."""
    text = re.compile(rf"^\s*{re.escape(said(message))}(\s|$)")
    return page.locator("main a").filter(has_text=text).first


def login(page, username, password=PASSWORD):
    page.goto("/akun/masuk/")
    shot(page, f"login {username}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    expect(page.locator("nav")).to_contain_text(username.title())
    shot(page, f"home {username}")


def logout(page):
    page.click("nav .dropdown-toggle:has(.bi-person-circle)")
    page.click("nav form[action$='/akun/keluar/'] button")
    page.wait_for_load_state()
    shot(page, "signed out")
