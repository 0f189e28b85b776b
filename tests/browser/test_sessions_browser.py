"""Sessions in a real chromium (issue 17): a closed tab ends its session at once, and a full
server tells the next browser so, in German and English, until a place is free again.

These tests have a server of their own: other tests' pages, closed with their browser
context rather than as a tab, end only at the cull and would change its counts meanwhile.
"""

from __future__ import annotations

import html
import sys
import time

import pytest

from model.interface.app.i18n import t
from tests.browser.conftest import ROOT
from tests.browser.test_app_browser import is_local

sys.path.insert(0, str(ROOT / "benchmarks"))

from app_soak import AppServer, status  # noqa: E402

pytestmark = pytest.mark.browser
LOAD_MS = 90_000


@pytest.fixture(scope="module")
def one_place(browser):  # browser first: fails fast without chromium
    """``coprod app --max-sessions 1``."""
    with AppServer("--max-sessions", "1") as server:
        yield server


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    page = context.new_page()
    page.goto(url + "/", timeout=LOAD_MS)
    return context, page


def _play_button(page):
    return page.get_by_role("button", name=t("play", "de"), exact=True)


def _wait_for(predicate, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_closing_the_tab_ends_its_session(browser, one_place):
    url = one_place.base
    assert _wait_for(lambda: status(url)["sessions"] == 0)
    context, page = _open(browser, url)
    try:
        _play_button(page).wait_for(timeout=LOAD_MS)
        assert status(url)["sessions"] == 1
        _play_button(page).click()
        page.wait_for_timeout(1000)
        page.close()  # the tab: its close beacon ends the session, no cull needed
        assert _wait_for(lambda: status(url)["sessions"] == 0, 10), one_place.output()
        assert _wait_for(lambda: status(url, collect=True)["models"] == 0, 15)
    finally:
        context.close()


def test_a_full_server_says_so_in_both_languages(browser, one_place):
    url = one_place.base
    assert _wait_for(lambda: status(url)["sessions"] == 0)
    first, page = _open(browser, url)
    second = None
    try:
        _play_button(page).wait_for(timeout=LOAD_MS)
        second, waiting = _open(browser, url)
        for lang in ("de", "en"):
            waiting.get_by_text(t("sessions_full", lang).format(limit=1)).wait_for(timeout=10_000)
        assert html.unescape(waiting.title()) == t("title", "de")
        assert status(url)["sessions"] == 1
        page.close()  # a place becomes free: the waiting page gets in on its next try
        assert _wait_for(lambda: status(url)["sessions"] == 0, 10), one_place.output()
        waiting.reload()
        _play_button(waiting).wait_for(timeout=LOAD_MS)
    finally:
        first.close()
        if second is not None:
            second.close()
