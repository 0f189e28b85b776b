"""A reload keeps the session (issue 18): the same run, month and language come back, in a
real browser. A second tab is a session of its own."""

from __future__ import annotations

import time

import pytest

from model.interface.app.i18n import t
from tests.browser.test_app_browser import is_local

pytestmark = pytest.mark.browser
LOAD_MS = 90_000


def _wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _month(page) -> str:
    return page.locator("#coprod-month").inner_text()


def test_a_reload_comes_back_to_the_same_run(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    try:
        page = context.new_page()
        page.goto(app_url + "/", timeout=LOAD_MS)
        step = page.get_by_role("button", name=t("step", "de"), exact=True)
        step.wait_for(timeout=LOAD_MS)
        assert _wait_for(lambda: "s=" in page.url), page.url  # the address names the session
        # no framework banner in the corner, over the views on a projector
        assert page.get_by_text("This website runs on").count() == 0
        for _ in range(3):
            step.click()
        assert _wait_for(lambda: _month(page) == "Mär 2026"), _month(page)
        page.get_by_role("button", name="English", exact=True).click()
        page.get_by_role("button", name=t("step", "en"), exact=True).wait_for(timeout=LOAD_MS)
        address = page.url
        page.reload(timeout=LOAD_MS)
        # the same run, in the same language, not a new one at the start
        page.get_by_role("button", name=t("step", "en"), exact=True).wait_for(timeout=LOAD_MS)
        assert _wait_for(lambda: _month(page) == "Mar 2026"), _month(page)
        assert page.url == address
        # another tab (the address without the session) starts a session of its own
        other = context.new_page()
        other.goto(app_url + "/", timeout=LOAD_MS)
        other.get_by_role("button", name=t("step", "de"), exact=True).wait_for(timeout=LOAD_MS)
        assert _month(other) == "–"
    finally:
        context.close()
