"""Choosing a rule variant in a real browser: the Rules section restarts the run with the
chosen rule, and the page says which rules were changed, so the room sees it."""

from __future__ import annotations

import time

import pytest

from model.interface.app.i18n import MONTHS
from tests.browser.test_app_browser import is_local

pytestmark = pytest.mark.browser
LOAD_MS = 90_000


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    # offline: anything non-local is refused, as in the workshop tests
    context.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    page = context.new_page()
    page.goto(app_url + "/", timeout=LOAD_MS)
    page.get_by_role("button", name="Ein Monat", exact=True).wait_for(timeout=LOAD_MS)
    yield page
    context.close()


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _month(page) -> str:
    return page.locator("#coprod-month").inner_text()


def _months_since_start(page) -> int:
    """'Mär 2027' -> 14 (months after Jan 2026)."""
    name, year = _month(page).split()
    return (int(year) - 2026) * 12 + MONTHS["de"].index(name)


def open_rules(page):
    """Open the Rules section and wait until its selects show."""
    page.get_by_role("button", name="Regeln", exact=True).click()
    page.locator(".coprod-rules .v-select", has_text="Beitritt").wait_for(timeout=30_000)


def choose(page, mechanism_label: str, rule_label: str):
    page.locator(".coprod-rules .v-select", has_text=mechanism_label).click()
    page.get_by_role("option", name=rule_label, exact=True).click()


def test_choosing_a_rule_restarts_the_run_with_it_and_shows_it(page):
    page.get_by_role("button", name="Ein Monat", exact=True).click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    assert page.locator("#coprod-rules").count() == 0  # default rules: nothing to say
    open_rules(page)
    assert page.get_by_text("Schwellenmodell (Granovetter 1978)").is_visible()
    choose(page, "Beitritt", "Schwelle")
    rules = page.locator("#coprod-rules")
    assert _wait_for(lambda: rules.count() and rules.inner_text() == "Regel: Beitritt = Schwelle")
    assert _month(page) == "–"  # a new run, with the chosen rule
    # the select now shows the choice, and the explanation of the chosen rule is in bold
    select = page.locator(".coprod-rules .v-select", has_text="Beitritt")
    assert _wait_for(lambda: "Schwelle" in select.inner_text())
    chosen = page.locator(".coprod-rules b", has_text="Schwelle")
    assert _wait_for(lambda: chosen.count() == 1)
    page.get_by_role("button", name="Start", exact=True).click()
    assert _wait_for(lambda: _month(page) not in {"–", "Jan 2026"}, 60), _month(page)
    page.get_by_role("button", name="Pause", exact=True).click()
    step = page.get_by_role("button", name="Ein Monat", exact=True)
    step.wait_for(state="visible")
    assert _wait_for(step.is_enabled, 30)
    time.sleep(1)  # a frame may still be on its way after the pause
    paused_at = _months_since_start(page)
    for _ in range(3):
        step.click()
    assert _wait_for(lambda: _months_since_start(page) == paused_at + 3), _month(page)
    # the rule stays with the run while it is played and stepped
    assert rules.inner_text() == "Regel: Beitritt = Schwelle"
    # back to the default: the note disappears
    choose(page, "Beitritt", "logistisch (Standard)")
    assert _wait_for(lambda: page.locator("#coprod-rules").count() == 0)
