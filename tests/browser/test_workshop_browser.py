"""What a facilitator does in the page, in a real browser: play, change a lever during the
run, switch the language, export. Each test opens its own browser context (its own session,
so its own model)."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_app_browser import is_local

pytestmark = pytest.mark.browser
LOAD_MS = 90_000


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    context.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    page = context.new_page()
    page.goto(app_url + "/", timeout=LOAD_MS)
    page.get_by_role("button", name="Ein Monat", exact=True).wait_for(timeout=LOAD_MS)
    yield page
    context.close()


def _month(page) -> str:
    return page.locator("#coprod-month").inner_text()


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_play_advances_the_date(page):
    page.get_by_role("button", name="Ein Monat", exact=True).click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    page.get_by_role("button", name="Start", exact=True).click()
    assert _wait_for(lambda: _month(page).endswith("2027"), 90), _month(page)
    page.get_by_role("button", name="Pause", exact=True).click()


def test_a_lever_change_is_marked_and_moves_the_live_run_away(page):
    page.get_by_role("button", name="Ein Monat", exact=True).click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    fund = page.get_by_role("button", name="Freiwilligenagentur stärken (×2)", exact=True)
    fund.click()
    changes = page.locator("#coprod-changes")
    assert _wait_for(lambda: changes.count() and "Freiwilligenagentur" in changes.inner_text())
    fund.click()  # four times today's agencies: a change large enough to see within years
    assert _wait_for(lambda: changes.inner_text().count("Freiwilligenagentur") == 2)
    # after January's month is shown, changes take effect from February, and say so
    assert changes.inner_text().startswith("Feb 2026: Freiwilligenagentur")
    page.get_by_role("button", name="Start", exact=True).click()

    def apart():
        live = page.locator("#coprod-engaged").inner_text()
        without = page.locator("#coprod-engaged-cf").inner_text()
        return int(_month(page)[-4:]) >= 2029 and live != without

    assert _wait_for(apart, 120), (_month(page), page.locator("#coprod-engaged").inner_text())
    page.get_by_role("button", name="Pause", exact=True).click()


def test_language_switch_changes_the_labels(page):
    assert page.get_by_role("button", name="Start", exact=True).is_visible()
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_role("button", name="One month", exact=True).wait_for(timeout=30_000)
    # every English label arrives in the same render, but not at the same instant under load
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=30_000)
    page.get_by_text("Policy levers").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Deutsch", exact=True).click()
    page.get_by_role("button", name="Ein Monat", exact=True).wait_for(timeout=30_000)


def test_export_downloads_the_indicators(page, tmp_path):
    page.get_by_role("button", name="Ein Monat", exact=True).click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Indikatoren (CSV)", exact=True).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("date,step,engaged_share") and "2026-01" in text
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Grafiken (PNG)", exact=True).click()
    assert info.value.suggested_filename.endswith(".zip")


def test_two_sessions_have_independent_models(browser, app_url, page):
    other = browser.new_context(viewport={"width": 1600, "height": 1000})
    other.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    second = other.new_page()
    second.goto(app_url + "/", timeout=LOAD_MS)
    second.get_by_role("button", name="Ein Monat", exact=True).wait_for(timeout=LOAD_MS)
    for _ in range(3):
        page.get_by_role("button", name="Ein Monat", exact=True).click()
    assert _wait_for(lambda: _month(page) == "Mär 2026")
    assert _month(second) == "–"
    second.get_by_role("button", name="Ein Monat", exact=True).click()
    assert _wait_for(lambda: _month(second) == "Jan 2026")
    assert _month(page) == "Mär 2026"
    other.close()
