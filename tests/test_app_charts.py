"""The workshop page's charts are readable on a projector (issue 18): no text below the
minimum size, one mark per month however many clicks, a cost chart with whole years and
plain numbers, the reference line visible."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from model import CoProductionModel, Scenario
from model.interface.app import charts


@pytest.fixture(scope="module")
def run():
    live = CoProductionModel(Scenario(), citizens=400, rng=1)
    ref = CoProductionModel(Scenario(), citizens=400, rng=1)
    for _ in range(14):
        live.step()
        ref.step()
    return live, live.dataframe(), ref.dataframe()


def _texts(fig) -> list[Text]:
    """Every text drawn on the figure: in an axes that is shown (titles, ticks, legends,
    marks), and the figure's own title; tick labels of a switched-off axes are not drawn."""
    FigureCanvasAgg(fig).draw()
    own = {id(fig._suptitle), *(id(t) for t in fig.texts)}
    ticks = [
        label
        for ax in fig.axes
        if ax.axison
        for label in ax.get_xticklabels() + ax.get_yticklabels()
    ]
    texts = [t for t in fig.findobj(Text) if t.axes is not None or id(t) in own] + ticks
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _views(run, lang):
    model, live, ref = run
    events = [("2026-03", "Freiwilligenagenturen: 900.000 EUR/Jahr")] * 8 + [
        ("2026-03", "Bürgerrat zum Klimaplan"),
        ("2026-09", "A label far longer than any chart can show in one line of text"),
    ]
    return {
        "gradient": charts.gradient(live, ref, events, lang),
        "trust": charts.trust(live, ref, events, lang),
        "challenges": charts.challenges(live, ref, events, lang),
        "where": charts.where_and_cost(model, live, ref, lang),
        "network": charts.network(model, charts.network_layout(model), lang),
    }


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_text_is_smaller_than_the_projector_minimum(run, lang):
    for name, fig in _views(run, lang).items():
        small = [
            (t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < charts.SMALL
        ]
        assert not small, (name, small)


def test_clicks_of_one_month_make_one_mark_with_a_count(run):
    fig = _views(run, "de")["gradient"]
    marks = [t.get_text() for t in _texts(fig) if t.get_text().startswith(("März", "Mär", "Sep"))]
    assert len(marks) == 2, marks  # March (8 identical clicks + 1 other) and September
    march = next(m for m in marks if "+1" in m)
    assert "Freiwilligenagenturen" in march
    september = next(m for m in marks if m is not march)
    assert september.endswith("…") and len(september) < 50


def test_the_cost_chart_has_whole_years_and_plain_numbers(run):
    fig = _views(run, "de")["where"]
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert ticks and not any(("k" in x) or x.startswith(("−0", "-0")) for x in ticks), ticks
    years = [x for x in fig.axes[1].get_xticklabels() if x.get_text()]
    assert all(x.get_text().isdigit() and len(x.get_text()) == 4 for x in years), years
    assert "alle Maßnahmen" in fig.axes[1].get_title(loc="left")


def test_the_reference_line_is_drawn_strong_enough_to_see(run):
    fig = _views(run, "en")["gradient"]
    lines = fig.axes[0].get_lines()
    dashed = [line for line in lines if line.get_linestyle() not in ("-", "None", "none")]
    assert dashed
    for line in dashed:
        assert (line.get_alpha() or 1.0) >= 0.5 and line.get_linewidth() >= 2, line
