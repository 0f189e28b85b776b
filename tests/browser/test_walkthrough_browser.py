"""A whole workshop in German at 1280×720 (a common projector), as a facilitator in Cologne runs
it (issue 18): pick "Sparkurs" and as the faint line its own answer ("Unterstützungsstruktur"),
play past the cut of January 2031, pause, pull a budget slider and intervene, present, walk
the story, switch to English and back, export the protocol and the charts.

Along the way the page is photographed (into the test's tmp dir) and its text measured: no
text of the page below ``MIN_TEXT_PX``, and no chart image shrunk so far that matplotlib's
smallest text falls below it. Readability problems are collected and reported together at the
end, so that one run names all of them; the walk-through itself stops at the first failure.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError

from model.interface.app import charts, export, story
from model.interface.app.i18n import MONTHS, fmt_month, t
from model.interface.app.levers import euros
from model.interface.app.views import DPI, PRESENTING_DPI
from model.simulation.scenario.files import load_scenario
from tests.browser.conftest import opened_page

pytestmark = pytest.mark.browser
LOAD_MS = 90_000
VIEWPORT = {"width": 1280, "height": 720}
SCENARIO, REFERENCE = "austerity", "infrastructure"
#: the smallest text the page may show, in CSS pixels. 12 px is Vuetify's own floor (a field's
#: floating label is 16 px scaled by 0.75, captions are 0.75 rem) and about the smallest UI
#: text a projected 1280×720 page keeps legible from the back of a room; the page's running
#: text is larger (1.15 rem), labels and buttons 13.6-14 px.
MIN_TEXT_PX = 12.0
#: how far a chart image may be shrunk: charts.SMALL (13 pt, matplotlib's smallest text) drawn
#: at ``dpi`` is 13 × dpi / 72 px in the image; shown at rendered/natural of that, it must stay
#: >= 0.9 × 13 pt ≈ 11.7 px, i.e. about 12 px. At the page's 72 dpi this is rendered width >=
#: 0.9 × natural width; presentation mode draws at a higher dpi and may shrink its images more.
MIN_CHART_SCALE = 0.9
#: the shortest slider track: 4 px of mouse travel per step of a budget slider (0-2 million €
#: in 40 steps of 50,000 €); a shorter one cannot be set by hand to the step
MIN_TRACK_PX = 160
#: the facilitator's slider move: to a quarter of the range (500,000 € of 0-2 million)
SLIDER_TARGET = 0.25

#: every rendered element's own text with its size in CSS pixels (font size times the scale of
#: any CSS transform above it, e.g. Vuetify's floating labels), hidden ones left out
TEXT_SIZES_JS = """() => {
  const out = [], seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (!text || !el || seen.has(el)) continue;
    seen.add(el);
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (![...range.getClientRects()].some(r => r.width > 0 && r.height > 0)) continue;
    let scale = 1;
    for (let a = el; a; a = a.parentElement) {
      const transform = getComputedStyle(a).transform;
      if (transform && transform !== 'none') {
        const m = new DOMMatrix(transform);
        scale *= Math.hypot(m.a, m.b);
      }
    }
    out.push({text: text.slice(0, 80), px: parseFloat(getComputedStyle(el).fontSize) * scale});
  }
  return out;
}"""
#: the chart images shown: natural and rendered width, rendered top and height; null while
#: one loads
CHARTS_JS = """() => {
  const imgs = [...document.querySelectorAll('.coprod-chart img')]
    .filter(i => i.checkVisibility());
  if (imgs.some(i => !i.complete || !i.naturalWidth)) return null;
  return imgs.map(i => {
    const r = i.getBoundingClientRect();
    return {natural: i.naturalWidth, width: r.width, top: r.top, height: r.height};
  });
}"""


def de(key: str) -> str:
    return t(key, "de")


def _wait_for(predicate, seconds: float = 60, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return False


def _settled(read, seconds: float = 60, quiet: float = 1.0):
    """``read()`` once it returned the same (not None) value for ``quiet`` seconds."""
    deadline = time.monotonic() + seconds
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        value = read()
        if value is None or value != last:
            last, since = value, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return value
        time.sleep(0.2)
    raise AssertionError(f"did not settle within {seconds} s; last: {last!r}")


def _month(page) -> str:
    return page.locator("#coprod-month").inner_text()


def _ym(label: str, lang: str = "de") -> str:
    """'Mär 2031' -> '2031-03' (the inverse of fmt_month)."""
    name, year = label.split()
    return f"{year}-{MONTHS[lang].index(name) + 1:02d}"


def _button(page, key: str, lang: str = "de"):
    return page.get_by_role("button", name=t(key, lang), exact=True)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select labelled ``label``, as a mouse does."""
    select = page.locator(".v-select", has=page.get_by_text(label, exact=True))
    select.locator(".v-input__slot").click()
    page.get_by_role("option", name=option, exact=True).click()


def _in_view(locator) -> bool:
    """Whether the element is wholly inside the 1280×720 window (seen without scrolling)."""
    box = locator.bounding_box()
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= VIEWPORT["width"]
        and box["y"] + box["height"] <= VIEWPORT["height"]
    )


class Readability:
    """Text sizes and chart scales measured along the way, and what was too small."""

    def __init__(self, page, shots):
        self.page, self.shots = page, shots
        self.smallest: tuple[float, str, str] | None = None
        self.problems: list[str] = []

    def shoot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png")

    def text(self, where: str) -> None:
        sizes = self.page.evaluate(TEXT_SIZES_JS)
        assert sizes, "no text measured"
        for item in sizes:
            if self.smallest is None or item["px"] < self.smallest[0]:
                self.smallest = (item["px"], item["text"], where)
            if item["px"] < MIN_TEXT_PX - 0.05:
                self.problems.append(f"{where}: {item['px']:.1f} px text: {item['text']!r}")

    def charts(self, where: str, dpi: int) -> list[dict]:
        shown = _settled(lambda: self.page.evaluate(CHARTS_JS))
        assert shown, f"{where}: no chart shown"
        for i, chart in enumerate(shown):
            scale = chart["width"] / chart["natural"] * dpi / 72
            if scale < MIN_CHART_SCALE:
                self.problems.append(
                    f"{where}: chart {i + 1} drawn {chart['natural']} px wide at {dpi} dpi, "
                    f"shown {chart['width']:.0f} px: its {charts.SMALL}-pt text appears at "
                    f"{charts.SMALL * scale:.1f} px"
                )
        return shown

    def sliders(self, where: str) -> None:
        """Every slider of the side panel long enough to be set by hand."""
        for slider in self.page.locator(".v-input__slider").all():
            label = slider.locator("label").first.inner_text()
            track = slider.locator(".v-slider__track-container").bounding_box()
            width = track["width"] if track else 0.0
            if width < MIN_TRACK_PX:
                self.problems.append(f"{where}: slider {label!r} has a {width:.0f} px track")


@pytest.fixture
def page(browser, app_url):
    options = {"viewport": VIEWPORT, "accept_downloads": True, "locale": "de-DE"}
    with opened_page(browser, app_url, **options) as page:
        yield page


def test_a_workshop_in_german_at_1280x720(page, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    seen = Readability(page, shots)
    scenario = load_scenario(SCENARIO)
    title, reference_title = scenario.title_de, load_scenario(REFERENCE).title_de
    steps = story.steps(scenario, "de")
    changes = page.locator("#coprod-changes")
    own_events = page.locator("#coprod-scenario-events")

    # -- the scenario by its title, and as the faint line its own answer
    _choose(page, de("scenario"), title)
    page.get_by_text(scenario.question_de, exact=True).first.wait_for(timeout=LOAD_MS)
    answers = f"{reference_title} ({de('reference_answers')})"
    _choose(page, de("reference_choice"), answers)
    named = de("reference_named").format(title=reference_title)
    headline = page.locator("h2", has=page.locator("#coprod-month"))
    assert _wait_for(lambda: named in headline.inner_text()), headline.inner_text()
    assert page.locator("#coprod-story-text").inner_text() == steps[0].text
    seen.shoot("01-sparkurs-chosen")

    # -- Start: the story pauses the run in December 2030, the month before the cut
    _button(page, "play").click()
    assert _wait_for(lambda: _month(page) == "Dez 2030", 120), _month(page)
    _button(page, "play").wait_for(timeout=30_000)  # paused by the story, not by us
    assert own_events.count() == 0  # the cut is still to come
    # -- on, one month a frame, past January 2031; then Pause
    page.get_by_role("button", name="1", exact=True).click()
    _button(page, "play").click()
    assert _wait_for(lambda: _ym(_month(page)) >= "2031-01", 60), _month(page)
    try:
        _button(page, "pause").click(timeout=5_000)
    except PlaywrightError:
        pass  # the story's next pause (June 2031) came first: paused all the same
    _button(page, "play").wait_for(timeout=30_000)
    shown = _settled(lambda: _month(page))  # a frame may still arrive after the pause
    assert "2031-01" <= _ym(shown) <= "2031-06", shown
    # the cut is the scenario's event, not a change of the room
    assert own_events.inner_text().startswith("Jan 2031: Kürzung"), own_events.inner_text()
    assert changes.count() == 0
    seen.charts("page", DPI)
    seen.text("page after the cut")
    seen.sliders("page")
    seen.shoot("02-paused-after-the-cut")

    # -- a budget slider dragged and let go: one change, with its value, at the month shown
    slider = page.locator(".coprod-budget").first
    slider.scroll_into_view_if_needed()
    before = slider.get_by_role("slider").get_attribute("aria-valuenow")
    track = slider.locator(".v-slider__track-container").bounding_box()
    thumb = slider.locator(".v-slider__thumb").bounding_box()
    x, y = thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2
    target = track["x"] + SLIDER_TARGET * track["width"]
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):  # a drag over many positions, reported once when let go
        page.mouse.move(x + (target - x) * i / 10, y)
    page.mouse.up()
    value = int(slider.get_by_role("slider").get_attribute("aria-valuenow"))
    assert str(value) != before, "the slider did not move"
    entry = f"{shown}: {de('agency_budget')}: {euros(value, 'de')}"
    assert _wait_for(lambda: changes.count() and changes.inner_text() == entry), (
        changes.inner_text() if changes.count() else "no changes listed",
        entry,
    )
    assert "€ pro Jahr" in entry
    assert _month(page) == shown

    # -- an intervention clicked twice quickly: one entry, and the page says why
    fund = _button(page, "do_fund_agency")
    fund.scroll_into_view_if_needed()
    fund.click()
    fund.click()
    page.get_by_text(de("already"), exact=True).wait_for(timeout=30_000)
    listed = f"{entry} · {shown}: {de('do_fund_agency')}"
    assert _wait_for(lambda: changes.inner_text() == listed), changes.inner_text()
    # the panel follows the model: the agencies' budget doubled
    doubled = f"{de('agency_budget')}: {euros(2 * value, 'de')}"
    assert _wait_for(lambda: slider.locator("label").inner_text() == doubled)
    page.evaluate("window.scrollTo(0, 0)")
    seen.text("page with changes")
    seen.shoot("03-changes")
    on_page = seen.charts("page", DPI)

    # -- presentation mode: the question, the controls and at most two wide views
    page.get_by_text(de("presentation"), exact=True).click()
    question = page.get_by_text(scenario.question_de, exact=True)
    side_panel = page.get_by_text(de("citizens"), exact=True)  # only in the side panel
    assert _wait_for(lambda: not side_panel.is_visible()), "the side panel stayed"
    page.evaluate("window.scrollTo(0, 0)")  # what the room sees first
    assert _wait_for(lambda: question.is_visible() and _in_view(question)), "question hidden"
    for key in ("play", "reset"):
        assert _in_view(_button(page, key)), f"{de(key)} not within the window"
    assert page.get_by_text(de("levers"), exact=False).is_visible()  # folded, but there
    presented = seen.charts("presentation mode", PRESENTING_DPI)
    assert 1 <= len(presented) <= 2, presented
    narrowest, widest = min(c["width"] for c in presented), max(c["width"] for c in on_page)
    if narrowest <= widest:
        seen.problems.append(
            f"presentation mode: views {narrowest:.0f} px wide, not wider than on the page "
            f"({widest:.0f} px)"
        )
    # on a projector the views must show without scrolling: half of one at least
    first = min(presented, key=lambda c: c["top"])
    if first["top"] + first["height"] / 2 > VIEWPORT["height"]:
        seen.problems.append(
            f"presentation mode: the views start at y = {first['top']:.0f} px; of a "
            f"{VIEWPORT['height']} px window, {max(0, VIEWPORT['height'] - first['top']):.0f} px "
            f"of them show without scrolling"
        )
    seen.text("presentation mode")
    seen.shoot("04-presentation")
    # a third view chosen: still two at most
    page.get_by_role("button", name=de("view_network"), exact=True).click()
    assert 1 <= len(_settled(lambda: page.evaluate(CHARTS_JS))) <= 2

    # -- the story, forward and back (each step brings its view to the front); the run's
    # pauses have moved it on to the step whose moment was reached
    step_text, step_count = page.locator("#coprod-story-text"), page.locator("#coprod-story-step")
    at = next(i for i in range(len(steps)) if steps[i].text == step_text.inner_text())
    assert at >= 1, "the story did not follow the run's pauses"
    assert step_count.inner_text() == story.step_count_text(at, len(steps), "de")
    back, ahead = (at - 1, at) if at == len(steps) - 1 else (at, at + 1)
    if ahead != at:
        page.get_by_role("button", name=story.story_label("story_next", "de"), exact=True).click()
        assert _wait_for(lambda: step_text.inner_text() == steps[ahead].text)
    assert step_count.inner_text() == story.step_count_text(ahead, len(steps), "de")
    if steps[ahead].chart:  # the step's view alone
        assert len(_settled(lambda: page.evaluate(CHARTS_JS))) == 1
    seen.text("presentation mode, story step")
    seen.shoot("05-story-step")
    page.get_by_role("button", name=story.story_label("story_back", "de"), exact=True).click()
    assert _wait_for(lambda: step_text.inner_text() == steps[back].text), step_text.inner_text()
    assert step_count.inner_text() == story.step_count_text(back, len(steps), "de")
    page.get_by_text(de("presentation"), exact=True).click()
    _button(page, "do_fund_agency").wait_for(timeout=30_000)  # the side panel is back

    # -- English and back: the earlier entries follow the page's language
    page.get_by_role("button", name="English", exact=True).click()
    _button(page, "step", "en").wait_for(timeout=30_000)
    ym = _ym(shown)
    in_english = (
        f"{fmt_month(ym, 'en')}: {t('agency_budget', 'en')}: {euros(value, 'en')} · "
        f"{fmt_month(ym, 'en')}: {t('do_fund_agency', 'en')}"
    )
    assert _wait_for(lambda: changes.inner_text() == in_english), changes.inner_text()
    assert own_events.inner_text() == f"Jan 2031: {scenario.timeline[0].label}"
    seen.shoot("06-english")
    page.get_by_role("button", name="Deutsch", exact=True).click()
    _button(page, "step").wait_for(timeout=30_000)
    assert _wait_for(lambda: changes.inner_text() == listed), changes.inner_text()

    # -- the protocol: a German spreadsheet's CSV that reads back with numbers as numbers
    stamp = r"seed42-\d{4}-\d{2}-\d{2}_\d{4}"
    with page.expect_download(timeout=60_000) as info:
        _button(page, "export_csv").click()
    name = info.value.suggested_filename
    assert re.fullmatch(rf"coprod-protokoll-{SCENARIO}-{stamp}\.csv", name), name
    path = tmp_path / name
    info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]  # a BOM: spreadsheets read the umlauts
    table = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    months = table[export.WORDS["month"][1]].astype(str).tolist()
    assert months[0] == "2026-01" and months[-1] == ym, (months[0], months[-1])
    numbers = [c for c in table if c.endswith((" - mit Ihren Änderungen", " - Referenz"))]
    assert len(numbers) >= 20, list(table)
    not_float = {c: str(table[c].dtype) for c in numbers if table[c].dtype != "float64"}
    assert not not_float, not_float
    by_month = table.set_index(export.WORDS["month"][1])
    assert "Kürzung" in by_month.loc["2031-01", export.WORDS["scenario_events"][1]]
    assert by_month.loc[ym, export.WORDS["room_changes"][1]] == (
        f"{de('agency_budget')}: {euros(value, 'de')} | {de('do_fund_agency')}"
    )
    # -- the charts: a zip of PNGs named in German
    with page.expect_download(timeout=120_000) as info:
        _button(page, "export_png").click()
    name = info.value.suggested_filename
    assert re.fullmatch(rf"coprod-grafiken-{SCENARIO}-{stamp}\.zip", name), name
    path = tmp_path / name
    info.value.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        names = set(archive.namelist())
        assert names == {f"{german}.png" for _, german in export.PICTURES.values()}, names
        for member in names:
            assert archive.read(member).startswith(b"\x89PNG"), member

    smallest = "smallest text: {:.1f} px ({!r}, {})".format(*seen.smallest)
    print(f"\nscreenshots: {shots}; {smallest}")
    problems = "\n".join(seen.problems)
    assert not problems, f"not readable or usable at 1280×720 ({smallest}):\n{problems}"
