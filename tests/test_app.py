"""Component tests of the workshop page without a browser (``solara.render``)."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

from model.app import charts
from model.app.i18n import LANGUAGES, TEXT, fmt_month, fmt_number, fmt_percent, t
from model.app.page import Page
from model.app.session import Simulation


def _texts(rc) -> str:
    """All text the page shows in Markdown, templates and HTML elements."""
    parts = [w.template for w in rc.find(v.VuetifyTemplate).widgets if hasattr(w, "template")]
    parts += [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    return "\n".join(p for p in parts if isinstance(p, str))


def _button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


@pytest.fixture
def page():
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
    assert t("edu_low", lang) in legend and t("counterfactual", lang) in legend


def test_german_charts_use_a_decimal_comma():
    sim = Simulation(citizens=300)
    sim.step(3)
    live, cf = sim.frames()
    fig = charts.trust(live, cf, [], "de")
    fig.canvas.draw()
    ticks = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert "0,4" in ticks and "0.4" not in ticks


def test_presentation_mode_hides_the_controls(page):
    assert page.find(v.Btn, children=[t("step", "de")]).widgets
    page.find(v.Switch).widget.v_model = True
    assert not page.find(v.Btn, children=[t("step", "de")]).widgets
    # the play button stays, for the presenter
    assert page.find(v.Btn, children=[t("play", "de")]).widgets
