"""The app's page in a real chromium: it renders, and works with no internet.

One page load is recorded and each test checks one aspect of it, to keep the run short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOAD_TIMEOUT_MS = 60_000
# Widgets fetch their scripts after they render (solara.Markdown: mermaid, then KaTeX a second
# later), after "networkidle" has already fired. So the page counts as loaded once nothing was
# in flight for QUIET_S.
QUIET_S = 3.0


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    # data:, blob: and about: URLs never leave the browser
    return parsed.scheme in {"data", "blob", "about"} or parsed.hostname in LOCAL_HOSTS


@dataclass
class PageLoad:
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # non-local requests, aborted
    failed: list[str] = field(default_factory=list)  # local responses >= 400, failed requests
    console_errors: list[str] = field(default_factory=list)
    title_visible: bool = False
    in_flight: set = field(default_factory=set, repr=False)
    last_activity: float = field(default_factory=time.monotonic, repr=False)

    def started(self, request) -> None:
        self.requests.append(request.url)
        self.in_flight.add(request)
        self.last_activity = time.monotonic()

    def ended(self, request) -> None:
        self.in_flight.discard(request)
        self.last_activity = time.monotonic()
        failure = request.failure
        if failure is None:
            response = request.response()
            if response is not None and response.status >= 400:
                failure = f"HTTP {response.status}"
        if failure is not None and is_local(request.url):
            self.failed.append(f"{request.url}: {failure}")

    def quiet(self) -> bool:
        return not self.in_flight and time.monotonic() - self.last_activity >= QUIET_S


@pytest.fixture(scope="module")
def page_load(browser, app_url) -> PageLoad:  # browser first: fails fast without chromium
    record = PageLoad()
    context = browser.new_context()

    # context-wide, so that frames and workers are covered too; aborting proves that nothing
    # non-local is needed, whatever this machine's network would have answered
    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            record.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    context.on("request", record.started)
    context.on("requestfinished", record.ended)
    context.on("requestfailed", record.ended)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and record.console_errors.append(msg.text))
    page.on("pageerror", lambda error: record.console_errors.append(f"uncaught: {error}"))
    page.on("websocket", lambda ws: record.requests.append(ws.url))

    try:
        page.goto(app_url + "/", timeout=LOAD_TIMEOUT_MS)
        # the widgets render only after the kernel's websocket is up; the hidden <title>
        # also holds the text, hence visible=True
        title = page.get_by_text("coprod").filter(visible=True).first
        title.wait_for(timeout=LOAD_TIMEOUT_MS)
        record.title_visible = True
        deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
        while not record.quiet() and time.monotonic() < deadline:
            page.wait_for_timeout(250)  # lets Playwright deliver the events meanwhile
        assert record.quiet(), f"still loading after {LOAD_TIMEOUT_MS} ms: {record.in_flight}"
    except PlaywrightError as e:
        # a blank page is the usual symptom; what the browser saw tells why
        pytest.fail(f"page did not load: {e.message}\n{record}")
    finally:
        context.close()
    return record


def test_page_shows_coprod(page_load):
    assert page_load.title_visible


def test_no_request_leaves_the_machine(page_load):
    assert page_load.requests, "no request was recorded at all"
    non_local = sorted({u for u in page_load.requests + page_load.blocked if not is_local(u)})
    assert not non_local, "the page asked for non-local resources:\n" + "\n".join(non_local)


def test_every_local_asset_is_served(page_load):
    # a 404 from /_solara/cdn/ means an asset is missing from the solara-assets cache
    failed = page_load.failed
    assert not failed, "\n".join(failed)


def test_no_console_errors(page_load):
    # e.g. "GlobalVue.use is not a function" when ipyvue/ipyvuetify 3 (Vue 3) slip in
    errors = page_load.console_errors
    assert not errors, "\n".join(errors)
