"""The workshop page's controls always show the model's state, and the room's changes are
recorded as the room made them (issue 18, items 1 to 3), without a browser (``solara.render``).
"""

from __future__ import annotations

import html
from concurrent.futures import Future

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from model.interface.app import ensemble, session
from model.interface.app.i18n import t
from model.interface.app.levers import BUDGETS, CHOICES, change_text, value_text
from model.interface.app.page import Page, reference_choices
from model.interface.app.session import ALREADY, Simulation
from model.interface.app.views import scenario_title


@pytest.fixture
def page(monkeypatch):
    # no runs with other seeds in the background: their redraw, when they are done, would
    # come from another thread in the middle of the test's clicks (tests/test_ensemble.py)
    done: Future = Future()
    done.set_result(None)
    monkeypatch.setattr(ensemble, "request", lambda key: done)
    before = set(session.SESSIONS._open)
    box, rc = solara.render(Page(), handle_error=False)
    (sim,) = [s for k, s in session.SESSIONS._open.items() if k not in before]  # this page's
    yield rc, sim
    rc.close()


def _select(rc, label: str):
    return rc.find(v.Select, label=label).widget


def _slider(rc, css: str, index: int = 0):
    return rc.find(v.Slider, class_=css).widgets[index]


def check_controls_show_the_model(rc, sim: Simulation, lang: str = "de") -> None:
    """Every lever control shows what the live model uses now."""
    levers = sim.live.levers
    for key, (label, prefix, _enum) in CHOICES.items():
        group, name = key.split(".")
        value = getattr(getattr(levers, group), name).value
        assert _select(rc, t(label, lang)).v_model == t(f"{prefix}_{value}", lang), key
    formats = rc.find(v.Select, label=t("formats", lang)).widget.v_model
    assert formats == [t(f"format_{f.value}", lang) for f in levers.participation.formats]
    outreach = rc.find(v.Checkbox, label=t("outreach", lang)).widget
    assert outreach.v_model == levers.participation.outreach
    for i, budget in enumerate(BUDGETS):
        group, name = budget.key.split(".")
        value = getattr(getattr(levers, group), name)
        slider = _slider(rc, "coprod-budget", i)
        assert slider.v_model == value, budget.key
        assert value_text(budget.key, value, lang) in slider.label  # value and unit shown
    share = levers.administration.responsiveness
    percent = _slider(rc, "coprod-percent")
    assert percent.v_model == round(100 * share)
    assert value_text("administration.responsiveness", share, lang) in percent.label
    scenario = _select(rc, t("scenario", lang)).v_model
    assert scenario == scenario_title(sim.scenario_name, lang)


def test_controls_follow_the_model_through_switch_change_reset_switch(page):
    rc, sim = page
    check_controls_show_the_model(rc, sim)
    # switch: the scenario's own levers
    _select(rc, t("scenario", "de")).v_model = scenario_title("early_participation", "de")
    assert sim.scenario_name == "early_participation"
    assert sim.live.levers.participation.timing.value == "early"
    check_controls_show_the_model(rc, sim)
    # change a budget (let go of the slider) and the leadership
    _slider(rc, "coprod-budget", 0).fire_event("change", 950_000)
    _select(rc, t("leadership", "de")).v_model = t("style_everyday_cooperation", "de")
    rc.find(v.Checkbox, label=t("outreach", "de")).widget.v_model = True
    assert sim.live.levers.infrastructure.volunteer_agency_eur == 950_000
    check_controls_show_the_model(rc, sim)
    # reset: back to the scenario's levers, and the panel with them
    rc.find(v.Btn, children=[t("reset", "de")]).widget.click()
    assert sim.live.levers.infrastructure.volunteer_agency_eur != 950_000
    assert sim.live.levers.leadership.style.value == "annual_praise"
    check_controls_show_the_model(rc, sim)
    # switch again, to a scenario with other budgets; and the language
    _select(rc, t("scenario", "de")).v_model = scenario_title("infrastructure", "de")
    check_controls_show_the_model(rc, sim)
    rc.find(v.Btn, children=["English"]).widget.click()
    check_controls_show_the_model(rc, sim, "en")


def test_a_timeline_event_moves_the_controls_too(page):
    rc, sim = page
    _select(rc, t("scenario", "de")).v_model = scenario_title("austerity", "de")
    before = sim.live.levers.infrastructure.participation_office_eur
    step = rc.find(v.Btn, children=[t("step", "de")]).widget
    while sim.date < "2031-01":  # the budget cut of the scenario's timeline
        step.click()
    assert sim.live.levers.infrastructure.participation_office_eur == 0 < before
    check_controls_show_the_model(rc, sim)


def test_one_drag_is_one_change_with_its_value(page):
    rc, sim = page
    slider = _slider(rc, "coprod-budget", 0)
    for value in (350_000, 500_000, 750_000):  # the drag: the label follows, nothing is changed
        slider.v_model = value
    assert sim.log == [] and "750.000 €" in slider.label
    slider.fire_event("change", 750_000)  # let go
    assert len(sim.log) == 1 and sim.log[0].value == 750_000
    text = change_text(sim.log[0], "de")
    assert text == "Freiwilligenagenturen: 750.000 € pro Jahr"
    # moved again in the same month: still one entry, with the new value
    slider.fire_event("change", 800_000)
    assert [c.value for c in sim.log] == [800_000]


def test_rapid_clicks_of_an_intervention_count_once_per_month():
    sim = Simulation(citizens=300)
    sim.step(2)
    assert sim.intervene("fund") is None
    assert sim.intervene("fund") == ALREADY
    assert sim.live.levers.infrastructure.volunteer_agency_eur == 2 * 300_000
    assert [c.key for c in sim.log] == ["fund"]
    sim.step(1)
    assert sim.intervene("fund") is None  # next month: again
    assert sim.live.levers.infrastructure.volunteer_agency_eur == 4 * 300_000


def test_a_change_is_marked_at_the_month_shown_and_relabelled_in_the_page_language():
    sim = Simulation(citizens=300)
    sim.step(5)
    shown = sim.frames()[0]["date"].iloc[-1]
    sim.set_levers({"administration": {"responsiveness": 0.8}})
    assert sim.log[-1].date == shown == "2026-05"
    assert (
        change_text(sim.log[-1], "de")
        == "Verwaltung greift Vorschläge auf: 80\u00a0% der Vorschläge"
    )
    assert change_text(sim.log[-1], "en") == "Administration takes up proposals: 80% of proposals"


def test_a_waiting_change_stops_the_run_at_the_month_shown():
    sim = Simulation(citizens=300)
    sim._hold.set()  # a change waits for the lock
    assert sim.step(12) == 0
    sim._hold.clear()
    assert sim.step(3) == 3


def test_scenario_events_are_the_scenarios_not_the_rooms():
    sim = Simulation(scenario_name="austerity", citizens=300)
    sim.step(12 * 5 + 1)  # past January 2031
    assert sim.log == []
    ((date, label),) = sim.scenario_events("de")
    assert date == "2031-01" and label.startswith("Kürzung")
    assert sim.scenario_events("en")[0][1].startswith("Budget cut")


def test_the_reference_is_chosen_and_catches_up_with_the_live_run():
    sim = Simulation(scenario_name="austerity", citizens=300)
    sim.step(7)
    sim.set_reference("infrastructure")
    assert sim.baseline.months_done == sim.live.months_done == 7
    assert sim.baseline.config.name == "infrastructure"
    assert sim.baseline.rules.names == sim.live.rules.names
    sim.step(60)
    live, ref = sim.frames()
    assert live["date"].tolist() == ref["date"].tolist()
    # after the cut, the austerity run has less of the office than its reference
    assert sim.live.levers.infrastructure.participation_office_eur == 0
    assert sim.baseline.levers.infrastructure.participation_office_eur > 0
    sim.reset(scenario_name="baseline")
    assert sim.reference is None  # another scenario: back to the default reference
    with pytest.raises(ValueError, match="unknown scenario"):
        sim.set_reference("nowhere")


def test_the_reference_menu_lists_the_default_first_in_the_page_language():
    sim = Simulation(scenario_name="austerity", citizens=300)
    for lang in ("de", "en"):
        choices = reference_choices(sim, lang)
        labels = list(choices)
        assert choices[labels[0]] is None and labels[0] == t("reference_self", lang)
        assert "austerity" not in choices.values()
        assert all(name is None or "_" not in label for label, name in choices.items())


def test_the_main_view_shows_the_chosen_group_and_the_costs_view_is_there(page):
    rc, sim = page

    def texts() -> str:
        parts = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
        parts += [getattr(w, "template", "") for w in rc.find(v.VuetifyTemplate).widgets]
        return "\n".join(p for p in parts if isinstance(p, str))

    assert t("explain_costs", "de")[:30] in texts()
    toggle = rc.find(v.BtnToggle, class_="coprod-groups").widget
    toggle.v_model = 1  # the second group: by age
    assert t("explain_gradient_age", "de")[:30] in texts()
    assert t("explain_gradient", "de") not in texts()


def test_the_story_walks_through_its_steps_and_brings_their_views_to_the_front(page):
    from model.interface.app import story

    rc, sim = page
    _select(rc, t("scenario", "de")).v_model = scenario_title("austerity", "de")
    steps = story.steps(sim.scenario, "de")
    assert len(steps) >= 3

    def shown_text() -> str:
        return next(
            w.unsafe_innerHTML
            for w in rc.find(solara.widgets.HTML).widgets
            if "coprod-story-text" in (w.unsafe_innerHTML or "")
        )

    assert html.escape(steps[0].text) in shown_text()
    rc.find(v.Switch).widget.v_model = True  # presentation mode: the step's view alone
    following = story.story_label("story_next", "de")
    for step in steps[1:]:
        rc.find(v.Btn, children=[following]).widget.click()
        assert html.escape(step.text) in shown_text()
        if step.chart:
            assert len(rc.find(widgets.Image).widgets) == 1
    rc.find(v.Btn, children=[story.story_label("story_back", "de")]).widget.click()
    assert html.escape(steps[-2].text) in shown_text()
    # another scenario starts its own story at its first step
    rc.find(v.Switch).widget.v_model = False
    _select(rc, t("scenario", "de")).v_model = scenario_title("tokenism", "de")
    assert html.escape(story.steps(sim.scenario, "de")[0].text) in shown_text()
