"""What the room sees in a real browser (issue 18, items 1, 5 and 7): the lever panel shows the
levers the model uses through switch → change → reset → switch → language; the main view's
group and the costs view are there with their explanations and an honest sentence on
uncertainty; and a German page shows no English label (and an English page no German one),
nor a scenario's raw id in the menu."""

from __future__ import annotations

import pytest

from model.interface.app import ensemble
from model.interface.app.i18n import TEXT, t
from model.interface.app.levers import BUDGETS, CHOICES, euros, value_text
from model.interface.app.session import available_scenarios
from model.interface.app.views import scenario_title
from model.simulation.scenario.files import load_scenario
from tests.browser.conftest import opened_page
from tests.browser.test_walkthrough_browser import (
    TEXT_SIZES_JS,
    _button,
    _choose,
    _wait_for,
)

pytestmark = pytest.mark.browser

#: what every lever control shows: a select's chosen entries (by the select's label), a
#: checkbox's state (by its label), and the sliders' labels (which carry value and unit)
CONTROLS_JS = """() => {
  const out = {selects: {}, checks: {}, sliders: []};
  for (const el of document.querySelectorAll('.v-select')) {
    const label = el.querySelector('.v-label');
    if (!label) continue;
    out.selects[label.textContent.trim()] = [...el.querySelectorAll('.v-select__selection')]
      .map(s => s.textContent.trim().replace(/,$/, ''));
  }
  for (const el of document.querySelectorAll('.v-input--checkbox')) {
    const label = el.querySelector('.v-label'), input = el.querySelector('input');
    if (label && input)
      out.checks[label.textContent.trim()] = input.getAttribute('aria-checked') === 'true';
  }
  for (const el of document.querySelectorAll('.coprod-budget .v-label, .coprod-percent .v-label'))
    out.sliders.push(el.textContent.trim());
  return out;
}"""


def expected_controls(levers, lang: str) -> dict:
    """What the lever panel must show for ``levers`` (a scenario's, as the model uses them)."""

    def lever(key: str):
        group, name = key.split(".")
        return getattr(getattr(levers, group), name)

    selects = {
        t(label, lang): [t(f"{prefix}_{lever(key).value}", lang)]
        for key, (label, prefix, _) in CHOICES.items()
    }
    formats = levers.participation.formats
    selects[t("formats", lang)] = [t(f"format_{f.value}", lang) for f in formats]
    sliders = [f"{t(b.label, lang)}: {euros(lever(b.key), lang)}" for b in BUDGETS]
    share = levers.administration.responsiveness
    sliders.append(
        f"{t('responsiveness', lang)}: "
        f"{value_text('administration.responsiveness', round(100 * share) / 100, lang)}"
    )
    return {
        "selects": selects,
        "checks": {t("outreach", lang): levers.participation.outreach},
        "sliders": sliders,
    }


def shown_controls(page) -> dict:
    return page.evaluate(CONTROLS_JS)


def assert_controls_show(page, levers, lang: str, where: str) -> None:
    want = expected_controls(levers, lang)

    def matches() -> bool:
        got = shown_controls(page)
        return (
            all(got["selects"].get(k) == v for k, v in want["selects"].items())
            and all(got["checks"].get(k) == v for k, v in want["checks"].items())
            and got["sliders"] == want["sliders"]
        )

    assert _wait_for(matches, 30), f"{where}: shown {shown_controls(page)}, model uses {want}"


@pytest.fixture
def page(browser, app_url):
    viewport = {"width": 1600, "height": 1000}
    with opened_page(browser, app_url, viewport=viewport, locale="de-DE") as page:
        yield page


def test_the_lever_panel_shows_the_models_levers_throughout(page):
    baseline = load_scenario("baseline").levers
    assert_controls_show(page, baseline, "de", "at the start")
    # switch: the scenario's own levers (the page once kept showing "spät" and "konsultieren")
    early = load_scenario("early_participation")
    _choose(page, t("scenario", "de"), early.title_de)
    assert_controls_show(page, early.levers, "de", "early_participation chosen")
    # change: outreach ticked and the leadership set, as the room would
    outreach = not early.levers.participation.outreach
    page.locator(".v-input--checkbox", has_text=t("outreach", "de")).locator("label").click()
    _choose(page, t("leadership", "de"), t("style_everyday_cooperation", "de"))
    changed = early.levers.model_copy(
        update={
            "participation": early.levers.participation.model_copy(update={"outreach": outreach}),
            "leadership": early.levers.leadership.model_copy(
                update={"style": type(early.levers.leadership.style)("everyday_cooperation")}
            ),
        }
    )
    assert_controls_show(page, changed, "de", "outreach and leadership changed")
    # reset: back to the scenario's levers (the page once kept the room's settings on show)
    _button(page, "reset").click()
    assert_controls_show(page, early.levers, "de", "after Neu starten")
    # switch again, then the language: the same levers, in English
    austerity = load_scenario("austerity")
    _choose(page, t("scenario", "de"), austerity.title_de)
    assert_controls_show(page, austerity.levers, "de", "austerity chosen")
    page.get_by_role("button", name="English", exact=True).click()
    assert_controls_show(page, austerity.levers, "en", "in English")


def test_groups_costs_and_uncertainty_are_on_the_page(page):
    explanations = page.locator(".coprod-chart")
    assert _wait_for(lambda: explanations.count() == 6)
    text = page.locator("body")
    # the costs view, with its explanation
    assert t("explain_costs", "de").split(".")[0] in text.inner_text()
    # the main view by age: its explanation follows
    page.locator(".coprod-groups").get_by_role("button", name=t("group_age", "de")).click()
    first = t("explain_gradient_age", "de").split(".")[0]
    assert _wait_for(lambda: first in explanations.first.inner_text(), 30)
    # how sure: a sentence before the other seeds' runs are ready, and their answer after
    uncertainty = page.locator("#coprod-uncertainty")
    assert _wait_for(lambda: uncertainty.inner_text().strip() != "", 30)
    ready = t("band_ready", "de").format(n=ensemble.SEEDS)
    assert _wait_for(lambda: uncertainty.inner_text() == ready, 120), uncertainty.inner_text()
    # a month on: the band of the faint line over the other seeds, in numbers
    _button(page, "step").click()
    assert _wait_for(lambda: uncertainty.inner_text() not in (ready, ""), 60)
    assert "%" in uncertainty.inner_text(), uncertainty.inner_text()


def _only_in(lang: str) -> set[str]:
    """Labels of ``lang`` the other language writes differently (no templates, no short
    words that both languages share as names: 'Start', 'Export')."""
    other = "en" if lang == "de" else "de"
    return {
        entry[lang]
        for entry in TEXT.values()
        if "{" not in entry[lang]
        and len(entry[lang]) >= 5
        and entry[lang] != entry[other]
        and entry[lang] not in {e[other] for e in TEXT.values()}
    }


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_page_speaks_one_language(page, lang):
    if lang == "en":
        page.get_by_role("button", name="English", exact=True).click()
        _button(page, "step", "en").wait_for(timeout=30_000)
    foreign = _only_in("en" if lang == "de" else "de")
    seen = {item["text"] for item in page.evaluate(TEXT_SIZES_JS)}
    assert not seen & foreign, f"{lang} page shows labels of the other language: {seen & foreign}"
    # the scenario menu lists titles in the page's language, never raw ids
    _choose_open = page.locator(".v-select", has=page.get_by_text(t("scenario", lang), exact=True))
    _choose_open.locator(".v-input__slot").click()
    options = page.get_by_role("option")
    assert _wait_for(lambda: options.count() >= len(available_scenarios()))
    titles = {o.strip() for o in options.all_inner_texts()}
    wanted = {scenario_title(name, lang) for name in available_scenarios()}
    assert wanted <= titles, wanted - titles
    # a user's own scenario without a title goes by its file name; every titled one by title
    titled = {name for name in available_scenarios() if scenario_title(name, lang) != name}
    assert not titles & titled, titles & titled
    page.keyboard.press("Escape")
