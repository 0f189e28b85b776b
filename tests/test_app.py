"""Component tests of the workshop page without a browser (``solara.render``)."""

from __future__ import annotations

import io
from concurrent.futures import Future

import ipyvuetify as v
import ipywidgets as widgets
import pandas as pd
import pytest
import solara

from model.interface.app import charts, ensemble, session
from model.interface.app.i18n import (
    LANGUAGES,
    TEXT,
    fmt_month,
    fmt_number,
    fmt_percent,
    mechanism_label,
    rule_label,
    t,
)
from model.interface.app.page import Page, _rule_explanation, protocol, run_name
from model.interface.app.session import Simulation, available_scenarios, choosable_mechanisms
from model.interface.app.views import active_rules_text, scenario_title
from model.rules import registry
from model.simulation.scenario import Rules
from model.simulation.scenario.files import load_scenario


def _texts(rc) -> str:
    """All text the page shows in Markdown, templates and HTML elements."""
    parts = [w.template for w in rc.find(v.VuetifyTemplate).widgets if hasattr(w, "template")]
    parts += [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    return "\n".join(p for p in parts if isinstance(p, str))


def _button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


@pytest.fixture
def page(monkeypatch):
    # no runs with other seeds in the background, whose redraw would come from another
    # thread in the middle of a test's clicks (tests/test_ensemble.py tests them)
    done: Future = Future()
    done.set_result(None)
    monkeypatch.setattr(ensemble, "request", lambda key: done)
    box, rc = solara.render(Page(), handle_error=False)
    yield rc
    rc.close()


def test_every_label_exists_in_both_languages():
    for key, text in TEXT.items():
        assert set(text) == set(LANGUAGES), key
        assert all(text[lang].strip() for lang in LANGUAGES), key


def test_number_and_date_formats_follow_the_language():
    assert fmt_number(1234567.5, "en", 1) == "1,234,567.5"
    assert fmt_number(1234567.5, "de", 1) == "1.234.567,5"
    assert fmt_percent(0.367, "de") == "36,7\u00a0%"
    assert fmt_percent(0.367, "en") == "36.7%"
    assert fmt_month("2027-03", "de") == "Mär 2027"
    assert fmt_month("2027-10", "en") == "Oct 2027"


def test_step_advances_the_date(page):
    _button(page, t("step", "de")).click()
    assert "Jan 2026" in _texts(page)
    _button(page, t("step", "de")).click()
    assert "Feb 2026" in _texts(page)


def test_language_switch_changes_the_labels(page):
    assert page.find(v.Btn, children=[t("play", "de")]).widgets
    _button(page, "English").click()
    assert page.find(v.Btn, children=[t("play", "en")]).widgets
    assert not page.find(v.Btn, children=[t("step", "de")]).widgets
    assert t("explain_gradient", "en")[:40] in _texts(page)


def test_intervention_is_marked_and_moves_the_live_run_away():
    sim = Simulation(citizens=600, seed=3)
    sim.step(3)
    assert sim.scale_budgets(4.0, "more agencies", "volunteer_agency_eur") is None
    sim.citizens_assembly("assembly")
    sim.step(30)
    live, cf = sim.frames()
    assert [label for _, label in sim.live.events] == ["more agencies", "assembly"]
    assert sim.baseline.events == []
    assert live["date"].tolist() == cf["date"].tolist()
    # identical before the change, different after it
    numeric = [c for c in live.columns if not c.startswith("assembly") and c != "date"]
    assert live[numeric].iloc[:3].equals(cf[numeric].iloc[:3])
    assert not live["engaged_share"].iloc[-12:].equals(cf["engaged_share"].iloc[-12:])


def test_bad_lever_values_are_refused_and_the_model_stays_valid():
    sim = Simulation(citizens=300)
    before = sim.live.levers
    message = sim.set_levers({"infrastructure": {"outreach_eur": -1}}, "bad")
    assert message and "outreach_eur" in message
    assert sim.set_levers({"participation": {"rung": "shout"}}, "bad")
    assert sim.live.levers == before
    assert sim.step(2) == 2 and sim.error is None


def test_out_of_range_size_and_seed_are_clamped():
    sim = Simulation(citizens=5)
    assert sim.citizens == 200
    sim.reset(citizens=10**9, seed=-4)
    assert sim.citizens == 10_000 and sim.seed == 0
    with pytest.raises(ValueError):
        sim.reset(scenario_name="../../etc/passwd")


def test_sessions_are_independent():
    a, b = Simulation(citizens=300), Simulation(citizens=300)
    a.step(5)
    assert a.live is not b.live and len(b.frames()[0]) == 0
    box1, rc1 = solara.render(Page(), handle_error=False)
    box2, rc2 = solara.render(Page(), handle_error=False)
    _button(rc1, t("step", "de")).click()
    assert "Jan 2026" in _texts(rc1) and "Jan 2026" not in _texts(rc2)


def test_an_error_in_a_run_is_kept_not_raised(monkeypatch):
    sim = Simulation(citizens=300)

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.live, "step", broken)
    assert sim.step(3) == 0
    assert "boom" in sim.error


def test_network_view_samples_at_most_1500_citizens():
    sim = Simulation(citizens=10_000)
    layout = charts.network_layout(sim.live)
    assert 0 < layout.nodes.size <= charts.MAX_NETWORK_NODES
    assert layout.edges.size and layout.edges.max() < layout.nodes.size
    fig = charts.network(sim.live, layout, "en")
    assert fig.axes[0].get_title(loc="left") == t("chart_network", "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_are_labelled_in_the_chosen_language(lang):
    sim = Simulation(citizens=300)
    sim.step(4)
    live, cf = sim.frames()
    fig = charts.gradient(live, cf, sim.live.events, lang)
    assert fig.axes[0].get_title(loc="left") == t("chart_gradient", lang)
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert t("edu_low", lang) in legend and t("reference_short", lang) in legend


def test_german_charts_use_a_decimal_comma():
    sim = Simulation(citizens=300)
    sim.step(3)
    live, cf = sim.frames()
    fig = charts.trust(live, cf, [], "de")
    fig.canvas.draw()
    ticks = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert "0,4" in ticks and "0.4" not in ticks


def test_presentation_mode_keeps_what_the_presenter_needs_and_enlarges_two_views(page):
    assert page.find(v.Select, label=t("scenario", "de")).widgets
    images = len(page.find(widgets.Image).widgets)
    page.find(v.Switch).widget.v_model = True
    # the side panel is gone; the question, play, reset, interventions and levers stay
    assert not page.find(v.Select, label=t("scenario", "de")).widgets
    for label in ("play", "reset", "do_assembly", "do_fund_agency", "do_cut_budget"):
        assert page.find(v.Btn, children=[t(label, "de")]).widgets, label
    assert load_scenario("baseline").question_de in _texts(page)
    assert page.find(v.Slider, class_="coprod-budget").widgets  # the levers, folded away
    # two views, larger; choosing a third keeps the last two
    shown = page.find(widgets.Image).widgets
    assert len(shown) == 2 < images
    chooser = page.find(v.BtnToggle, multiple=True).widget
    chooser.v_model = [*chooser.v_model, 1]  # indices of the views: the network is second
    assert len(page.find(widgets.Image).widgets) == 2


# ---------------------------------------------------------------------- rule variants


def test_a_rule_choice_is_used_by_the_live_run_and_the_counterfactual():
    sim = Simulation(citizens=300, seed=5, rules={"joining": "threshold"})
    assert sim.live.rules.names["joining"] == "threshold"
    assert sim.baseline.rules.names == sim.live.rules.names
    assert sim.live.rules.joining is registry.MECHANISMS["joining"].variants["threshold"]
    assert sim.baseline.rules.joining is sim.live.rules.joining
    assert sim.changed_rules() == {"joining": "threshold"}
    assert sim.step(3) == 3 and sim.error is None
    # without changes the two runs stay identical under the chosen rule too
    live, cf = sim.frames()
    numeric = [c for c in live.columns if c != "date"]
    assert live[numeric].equals(cf[numeric])


def test_a_rule_choice_lasts_over_resets_and_adds_to_the_others():
    sim = Simulation(citizens=300)
    assert sim.rules == load_scenario("baseline").rules.model_dump()
    sim.reset(rules={"trust": "symmetric"})
    sim.reset(rules={"joining": "threshold"})
    sim.reset(seed=7, citizens=400)  # like the seed and size, the rules stay
    assert sim.changed_rules() == {"trust": "symmetric", "joining": "threshold"}
    assert sim.baseline.rules.names == sim.live.rules.names
    with pytest.raises(ValueError, match="available"):
        sim.reset(rules={"joining": "no_such_rule"})
    assert sim.live.rules.names["joining"] == "threshold"  # a refused choice changes nothing


def test_another_scenario_brings_back_its_own_rules(monkeypatch):
    sim = Simulation(citizens=300, rules={"joining": "threshold"})
    other = next(n for n in available_scenarios() if n != sim.scenario_name)
    sim.reset(scenario_name=other)
    assert sim.rules == load_scenario(other).rules.model_dump()
    assert sim.changed_rules() == {} and sim.live.rules.names == sim.baseline.rules.names
    # a scenario with its own [rules]: switching to it shows its choice, not the session's
    own = load_scenario(other).model_copy(update={"rules": Rules(exhaustion="constant_hazard")})
    load = load_scenario
    monkeypatch.setattr(session, "load_scenario", lambda name: own if name == other else load(name))
    sim.reset(scenario_name="baseline", rules={"trust": "symmetric"})
    sim.reset(scenario_name=other)
    assert sim.rules["exhaustion"] == "constant_hazard" and sim.rules["trust"] == "negativity_bias"
    assert sim.baseline.rules.names["exhaustion"] == "constant_hazard"


def _rule_select(rc, mechanism, lang="de"):
    return rc.find(v.Select, label=mechanism_label(mechanism, lang)).widget


def test_the_rules_section_lists_the_registry_and_restarts_with_the_choice(page):
    for mechanism in registry.MECHANISMS:
        selects = page.find(v.Select, label=mechanism_label(mechanism, "de")).widgets
        # one select for each mechanism with a choice; its items are the registry's variants
        assert len(selects) == (len(registry.available(mechanism)) > 1), mechanism
        if selects:
            assert len(selects[0].items) == len(registry.available(mechanism))
    assert page.find(v.ExpansionPanelHeader, children=[t("rules", "de")]).widgets
    _button(page, t("step", "de")).click()
    assert "Regel:" not in _texts(page)
    _rule_select(page, "joining").v_model = rule_label("joining", "threshold", "de")
    texts = _texts(page)
    assert "Regel: Beitritt = Schwelle" in texts
    assert "Jan 2026" not in texts  # the run started again, with the new rule
    assert t("rule_joining_threshold_explain", "de") in texts
    assert "<b>Schwelle</b>" in texts  # the controls follow the choice
    _button(page, "English").click()
    assert "Rule: Joining = threshold" in _texts(page)
    # another scenario: its own rules, in the select too
    other = next(n for n in available_scenarios() if n != "baseline")
    page.find(v.Select, label=t("scenario", "en")).widget.v_model = scenario_title(other, "en")
    assert "Rule:" not in _texts(page)
    assert _rule_select(page, "joining", "en").v_model == "logistic (default)"


def test_a_new_size_gets_a_new_network_layout(page):
    # the page renders again on a reset, so the network view never uses the old layout
    page.find(v.Slider, label=t("citizens", "de")).widget.v_model = 300
    _button(page, t("step", "de")).click()
    assert "Jan 2026" in _texts(page)


def test_the_export_names_the_rules():
    sim = Simulation(citizens=300, rules={"joining": "threshold"})
    sim.step(2)
    for lang in LANGUAGES:
        table = pd.read_csv(
            io.BytesIO(protocol(sim, lang)),
            sep=";" if lang == "de" else ",",
            decimal="," if lang == "de" else ".",
            encoding="utf-8-sig",
        )
        column = f"{t('rule_active', lang)}: {mechanism_label('joining', lang)}"
        assert table[column].tolist() == [rule_label("joining", "threshold", lang)] * 2
        # numbers read back as numbers: percent with a decimal comma in German
        engaged = [c for c in table.columns if c.startswith(("engagiert, alle", "engaged, all"))]
        assert len(engaged) == 2 and all(table[c].dtype == float for c in engaged)
        assert 0 < table[engaged[0]].iloc[-1] < 100
    assert "-joining-threshold" in run_name(sim)
    assert active_rules_text(sim, "de") == "Regel: Beitritt = Schwelle"


def test_a_students_variant_appears_with_its_own_name_and_docstring(monkeypatch):
    def take_ownership(pop, participants, influence, expectation, adj, deg, p):
        """Nobody feels ownership (a student's rule,
        explained in English).

        More text that the page does not show."""

    variants = dict(registry.MECHANISMS["ownership"].variants)
    monkeypatch.setattr(registry.MECHANISMS["ownership"], "variants", variants)
    variants["student_rule"] = take_ownership
    assert "ownership" in choosable_mechanisms()
    assert rule_label("ownership", "student_rule", "de") == "student_rule"
    assert _rule_explanation("ownership", "student_rule", "de") == (
        "Nobody feels ownership (a student's rule, explained in English)."
    )
    box, rc = solara.render(Page(), handle_error=False)
    select = _rule_select(rc, "ownership")
    assert "student_rule" in select.items
    rc.close()


def test_a_students_variant_may_bring_its_german_line_and_shows_no_markup(monkeypatch):
    def take_ownership(pop, participants, influence, expectation, adj, deg, p):
        """Ownership follows :func:`shaping`, only ``twice`` as *strong*."""

    variants = dict(registry.MECHANISMS["ownership"].variants)
    monkeypatch.setattr(registry.MECHANISMS["ownership"], "variants", variants)
    variants["student_rule"] = take_ownership
    english = _rule_explanation("ownership", "student_rule", "en")
    assert english == "Ownership follows shaping, only twice as strong."
    assert _rule_explanation("ownership", "student_rule", "de") == english  # no German line
    take_ownership.summary_de = "Eigentum wie bei ``shaping``, doppelt so *stark*."
    assert _rule_explanation("ownership", "student_rule", "de") == (
        "Eigentum wie bei shaping, doppelt so stark."
    )
