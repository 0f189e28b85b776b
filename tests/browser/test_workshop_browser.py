"""What a facilitator does in the page, in a real browser: play, change a lever during the
run, switch the language, export. Each test opens its own browser context (its own session,
so its own model)."""

from __future__ import annotations

import re
import time

import pytest

from model.interface.app import story
from model.interface.app.i18n import fmt_month, t
from model.simulation.scenario.files import load_scenario
from tests.browser.conftest import opened_page
from tests.browser.test_app_browser import is_local

pytestmark = pytest.mark.browser
LOAD_MS = 90_000


@pytest.fixture
def page(browser, app_url):
    viewport = {"width": 1600, "height": 1000}
    with opened_page(browser, app_url, viewport=viewport, accept_downloads=True) as page:
        yield page


def _button(page, key: str, lang: str = "de"):
    return page.get_by_role("button", name=t(key, lang), exact=True)


def _month(page) -> str:
    return page.locator("#coprod-month").inner_text()


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_play_advances_the_date_and_the_story_pauses_it(page):
    _button(page, "step").click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    # the baseline's story pauses the run at its first moment; Start goes on from there
    pause = fmt_month(story.next_pause(load_scenario("baseline"), 0, "2026-01"), "de")
    _button(page, "play").click()
    assert _wait_for(lambda: _month(page) == pause, 90), _month(page)
    _button(page, "play").wait_for(timeout=30_000)  # paused by the story
    _button(page, "play").click()
    assert _wait_for(lambda: _month(page).endswith("2027"), 90), _month(page)
    _button(page, "pause").click()


def test_a_lever_change_is_marked_and_moves_the_live_run_away(page):
    _button(page, "step").click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    fund = _button(page, "do_fund_agency")
    fund.click()
    changes = page.locator("#coprod-changes")
    # marked at the month shown when it was made (it acts from the next month run)
    once = f"Jan 2026: {t('do_fund_agency', 'de')}"
    assert _wait_for(lambda: changes.count() and changes.inner_text() == once)
    # clicked again in the same month: one intervention, and the page says so
    fund.click()
    page.get_by_text(t("already", "de"), exact=True).wait_for(timeout=30_000)
    assert changes.inner_text() == once
    # a month later it counts again: four times today's agencies, large enough to see
    _button(page, "step").click()
    assert _wait_for(lambda: _month(page) == "Feb 2026")
    fund.click()
    twice = f"{once} · Feb 2026: {t('do_fund_agency', 'de')}"
    assert _wait_for(lambda: changes.inner_text() == twice), changes.inner_text()
    _button(page, "play").click()
    assert _wait_for(lambda: _month(page) == "Dez 2026", 90), _month(page)  # the story's pause
    _button(page, "play").click()

    def apart():
        live = page.locator("#coprod-engaged").inner_text()
        without = page.locator("#coprod-engaged-cf").inner_text()
        return int(_month(page)[-4:]) >= 2029 and live != without

    assert _wait_for(apart, 120), (_month(page), page.locator("#coprod-engaged").inner_text())
    _button(page, "pause").click()


def test_language_switch_changes_the_labels(page):
    assert _button(page, "play").is_visible()
    page.get_by_role("button", name="English", exact=True).click()
    _button(page, "step", "en").wait_for(timeout=30_000)
    # every English label arrives in the same render, but not at the same instant under load
    _button(page, "play", "en").wait_for(timeout=30_000)
    page.get_by_text(t("levers", "en")).first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Deutsch", exact=True).click()
    _button(page, "step").wait_for(timeout=30_000)


def test_export_downloads_the_protocol_and_the_charts(page, tmp_path):
    _button(page, "step").click()
    assert _wait_for(lambda: _month(page) == "Jan 2026")
    with page.expect_download(timeout=60_000) as info:
        _button(page, "export_csv").click()
    name = info.value.suggested_filename
    assert re.fullmatch(r"coprod-protokoll-baseline-seed42-\d{4}-\d{2}-\d{2}_\d{4}\.csv", name)
    path = tmp_path / name
    info.value.save_as(path)
    # German: a byte-order mark, semicolons, decimal commas (the walk-through reads it back)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeffMonat;") and "\n2026-01;" in text, text[:200]
    with page.expect_download(timeout=120_000) as info:
        _button(page, "export_png").click()
    assert info.value.suggested_filename.endswith(".zip")


def test_two_sessions_have_independent_models(browser, app_url, page):
    other = browser.new_context(viewport={"width": 1600, "height": 1000})
    other.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    second = other.new_page()
    second.goto(app_url + "/", timeout=LOAD_MS)
    _button(second, "step").wait_for(timeout=LOAD_MS)
    for _ in range(3):
        _button(page, "step").click()
    assert _wait_for(lambda: _month(page) == "Mär 2026")
    assert _month(second) == "–"
    _button(second, "step").click()
    assert _wait_for(lambda: _month(second) == "Jan 2026")
    assert _month(page) == "Mär 2026"
    other.close()
