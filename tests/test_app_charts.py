"""The workshop page's charts are readable on a projector (issue 18): no text below the
minimum size and none cut off, one mark per month however many clicks, a cost chart with
whole years and plain numbers, the reference line visible; the main chart by each group,
and the costs per lever with the cost per additional engaged resident (issue 18, item 5)."""

from __future__ import annotations

import math
import re

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from model import CoProductionModel, Scenario
from model.interface.app import charts, lever_costs
from model.interface.app.i18n import fmt_euro
from model.simulation.costs import SPENDING
from model.simulation.scenario.files import load_scenario

#: the reference as the page may name it: the longest label a cost chart must hold
NAMED_REFERENCE = "Vergleich: Sparkurs: Unterstützung gekürzt"


@pytest.fixture(scope="module")
def run():
    live = CoProductionModel(Scenario(), citizens=400, rng=1)
    ref = CoProductionModel(Scenario(), citizens=400, rng=1)
    for _ in range(14):
        live.step()
        ref.step()
    return live, live.dataframe(), ref.dataframe()


@pytest.fixture(scope="module")
def costly():
    """Infrastructure with the room's budgets against austerity, which cuts them in January
    2031 (month 61): 64 months, so four of them differ."""
    live = CoProductionModel(load_scenario("infrastructure"), rng=1, citizens=300)
    ref = CoProductionModel(load_scenario("austerity"), rng=1, citizens=300)
    for _ in range(64):
        live.step()
        ref.step()
    return live, ref, live.dataframe(), ref.dataframe()


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


def _views(run, lang, costly=None):
    model, live, ref = run
    events = [("2026-03", "Freiwilligenagenturen: 900.000 EUR/Jahr")] * 8 + [
        ("2026-03", "Bürgerrat zum Klimaplan"),
        ("2026-09", "A label far longer than any chart can show in one line of text"),
    ]
    views = {
        "gradient": charts.gradient(live, ref, events, lang),
        "trust": charts.trust(live, ref, events, lang),
        "challenges": charts.challenges(live, ref, events, lang),
        "where": charts.where_and_cost(model, live, ref, lang),
        "network": charts.network(model, charts.network_layout(model), lang),
    }
    for group in charts.GROUPS:
        views[f"gradient_{group}"] = charts.gradient(live, ref, events, lang, group=group)
    views["costs"] = lever_costs.costs(lever_costs.cost_summary(live, ref, model, model), lang)
    if costly is not None:
        m, r, live_df, ref_df = costly
        summary = lever_costs.cost_summary(live_df, ref_df, m, r)
        views["costs_named"] = lever_costs.costs(summary, lang, NAMED_REFERENCE)
        gained = lever_costs.cost_summary(_gained(live_df, m, 2.0), ref_df, m, r)
        views["costs_gained"] = lever_costs.costs(gained, lang, NAMED_REFERENCE)
    return views


def _gained(df, model, chances: float):
    """``df`` with ``chances`` times the chance threshold more engaged in its last month."""
    out = df.copy()
    share = chances * math.sqrt(model.citizens.n) / model.citizens.n
    out.loc[out.index[-1], "engaged_share"] = float(df["engaged_share"].iloc[-1]) + share
    return out


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_text_is_smaller_than_the_projector_minimum(run, costly, lang):
    views = _views(run, lang, costly)
    assert {"gradient_age", "gradient_silent", "costs", "costs_gained"} <= set(views)
    for name, fig in views.items():
        small = [
            (t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < charts.SMALL
        ]
        assert not small, (name, small)


def _in_view(text: Text) -> bool:
    """False for the label of a tick outside its axis' limits (matplotlib does not draw it)."""
    for ax in text.figure.axes:
        for axis, limits, k in ((ax.xaxis, ax.get_xlim(), 0), (ax.yaxis, ax.get_ylim(), 1)):
            if text in axis.get_ticklabels():
                low, high = sorted(limits)
                return low - 1e-9 <= text.get_position()[k] <= high + 1e-9
    return True


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_text_is_cut_off_at_the_page_size(run, costly, lang):
    """At 9 x 5.4 inches and 72 dpi (the page's size), every text lies inside the figure."""
    for name, fig in _views(run, lang, costly).items():
        fig.set_dpi(72)
        texts = [t for t in _texts(fig) if _in_view(t)]  # drawn at 72 dpi
        box = fig.bbox
        out = [
            t.get_text()
            for t in texts
            if not (
                (e := t.get_window_extent()).x0 >= box.x0 - 1
                and e.x1 <= box.x1 + 1
                and e.y0 >= box.y0 - 1
                and e.y1 <= box.y1 + 1
            )
        ]
        assert not out, (name, out)
        for legend in (ax.get_legend() for ax in fig.axes):
            if legend is not None:
                e = legend.get_window_extent()
                assert e.x0 >= -1 and e.x1 <= box.x1 + 1 and e.y0 >= -1, (name, e)


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


# ---------------------------------------------------------------------- groups (item 5)
#: what each group's chart must show, and which of its lines the survey marks
EXPECTED_GROUPS = {
    "education": (
        ["engaged_share_edu_high", "engaged_share_edu_mid", "engaged_share_edu_low"],
        {"engaged_share_edu_low", "engaged_share_edu_mid", "engaged_share_edu_high"},
    ),
    "age": (
        [
            "engaged_share_age_14_29",
            "engaged_share_age_30_49",
            "engaged_share_age_50_64",
            "engaged_share_age_65_74",
            "engaged_share_age_75_plus",
        ],
        set(),
    ),
    "migration": (["engaged_share_migration"], {"engaged_share_migration"}),
    "silent": (["engaged_share_silent"], set()),
}


def test_the_groups_are_education_age_migration_and_silent_in_order():
    assert charts.GROUPS == ("education", "age", "migration", "silent")


@pytest.mark.parametrize("group", list(EXPECTED_GROUPS))
def test_each_group_draws_its_columns_live_and_reference(run, group):
    _, live, ref = run
    ref = ref.assign(**{c: ref[c] * 0.5 for c in ref.columns if c.startswith("engaged_share")})
    chart = charts.SeriesChart("gradient", "de", (2026, 2036), group=group)
    chart.update(live, ref, [])
    columns, surveyed = EXPECTED_GROUPS[group]
    assert list(chart.lines) == [*columns, "engaged_share"]
    for col, (line_live, line_ref) in chart.lines.items():
        assert list(line_live.get_ydata()) == pytest.approx(live[col].astype(float).tolist())
        assert list(line_ref.get_ydata()) == pytest.approx(ref[col].astype(float).tolist())
        assert line_ref.get_linestyle() != "-"
    # everyone in black; the group's lines in colours of their own
    assert chart.lines["engaged_share"][0].get_color() == "#000000"
    colours = [chart.lines[c][0].get_color() for c in columns]
    assert len(set(colours)) == len(colours) and "#000000" not in colours
    # a survey diamond for everyone and for each surveyed line, and for nothing else
    diamonds = [
        line for line in chart.ax.get_lines() if line.get_marker() == "D" and len(line.get_ydata())
    ]
    targets = sorted(charts.TARGETS[c][0] for c in surveyed | {"engaged_share"})
    assert sorted(float(d.get_ydata()[0]) for d in diamonds) == pytest.approx(targets)


@pytest.mark.parametrize(
    ("group", "de", "en"),
    [
        ("education", "formale Bildung: niedrig", "formal education: low"),
        ("age", "14–29 Jahre", "aged 14–29"),
        ("age", "75 Jahre und älter", "aged 75 and over"),
        ("migration", "mit Migrationsgeschichte", "with a migration background"),
        ("silent", "stille Gruppen", "silent groups"),
    ],
)
def test_group_labels_are_in_the_page_language(run, group, de, en):
    _, live, ref = run
    for lang, label in (("de", de), ("en", en)):
        fig = charts.gradient(live, ref, [], lang, group=group)
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert label in legend, (lang, legend)
        assert ("alle" if lang == "de" else "all") in legend


def test_the_default_gradient_is_by_education_and_other_views_have_no_group(run):
    _, live, ref = run
    assert list(charts.SeriesChart("gradient", "en").lines) == [
        *EXPECTED_GROUPS["education"][0],
        "engaged_share",
    ]
    assert list(charts.SeriesChart("trust", "en", (2026, 2036)).lines) == [
        "trust_mean",
        "efficacy_mean",
        "democracy_satisfaction",
    ]
    with pytest.raises(ValueError, match="education, age, migration, silent"):
        charts.SeriesChart("gradient", "en", group="gender")


# ---------------------------------------------------------------------- costs (item 5)
def test_the_cost_summary_adds_up_to_the_total_of_the_run(costly):
    live_model, ref_model, live, ref = costly
    assert sorted(lever_costs.LEVERS.values()) == sorted(SPENDING)  # no lever left out
    s = lever_costs.cost_summary(live, ref, live_model, ref_model)
    assert s.months == 64
    for spent, total, df in ((s.live, s.live_total, live), (s.reference, s.reference_total, ref)):
        assert list(spent) == list(lever_costs.LEVERS)
        assert sum(spent.values()) == pytest.approx(total, rel=1e-12)
        assert total == pytest.approx(float(df["cost_eur_total"].iloc[-1]))
        assert total == pytest.approx(float(df["cost_eur"].sum()))
        budgets = sum(spent[k] for k in list(lever_costs.LEVERS)[:4])
        assert budgets == pytest.approx(float(df["infrastructure_spend_eur"].iloc[-1]))
    # the live run kept its budgets: 64 months of the scenario's yearly budgets
    infra = load_scenario("infrastructure").levers.infrastructure
    assert s.live["volunteer_agency"] == pytest.approx(infra.volunteer_agency_eur * 64 / 12)
    assert s.live["outreach"] == pytest.approx(infra.outreach_eur * 64 / 12)
    # austerity closed the office and outreach for the last four months: the extra cost
    assert s.reference["participation_office"] == pytest.approx(
        infra.participation_office_eur * 60 / 12
    )
    cut = load_scenario("austerity").timeline[0].levers["infrastructure"]
    assert len(cut) == 4  # all four budgets cut
    extra = sum((getattr(infra, k) - cut[k]) * 4 / 12 for k in cut)
    assert s.extra_cost == pytest.approx(extra)
    assert s.live["processes"] > 0 and s.live["leadership"] > 0


def test_no_cost_per_additional_engaged_without_additional_engaged(costly):
    model, _, live, _ = costly
    s = lever_costs.cost_summary(live, live, model, model)
    assert s.additional_engaged == 0 and s.gain == "none"
    assert s.eur_per_additional_engaged is None and s.eur_per_additional_engaged_year is None
    texts = [t.get_text() for t in _texts(lever_costs.costs(s, "de"))]
    assert "Keine zusätzlich Engagierten" in texts
    fewer = lever_costs.cost_summary(_gained(live, model, -1.0), live, model, model)
    assert fewer.additional_engaged < 0 and fewer.eur_per_additional_engaged is None


def test_a_gain_within_chance_gets_no_price_and_a_clear_one_does(costly):
    model, ref_model, live, ref = costly
    chance = math.sqrt(300) * model.residents_per_agent
    small = lever_costs.cost_summary(_gained(ref, model, 0.5), ref, model, ref_model)
    assert small.chance_engaged == pytest.approx(chance)
    assert small.additional_engaged == pytest.approx(chance / 2)
    assert small.gain == "chance" and small.eur_per_additional_engaged is None
    clear = lever_costs.cost_summary(_gained(ref, model, 0.0), ref, model, ref_model)
    assert clear.gain == "none"
    s = lever_costs.cost_summary(_gained(live, model, 2.0), ref, model, ref_model)
    gain = s.additional_engaged
    assert gain >= chance and s.gain == "clear"
    assert s.eur_per_additional_engaged == pytest.approx(s.extra_cost / gain)
    assert s.eur_per_additional_engaged_year == pytest.approx(s.extra_cost / gain / (64 / 12))


def test_the_cost_per_engaged_per_year_is_the_analysis_ratio(costly):
    """The page's number per year is the analysis report's (derived.py), for the same runs."""
    import pandas as pd

    from model.studies.analysis.derived import add_cost_per_additional_engaged, add_derived

    model, ref_model, live, ref = costly
    gained = _gained(live, model, 2.0)
    s = lever_costs.cost_summary(gained, ref, model, ref_model)
    finals = pd.DataFrame([gained.iloc[-1], ref.iloc[-1]]).reset_index(drop=True)
    finals = add_derived(finals, model.config.city.population)
    out = add_cost_per_additional_engaged(finals, [False, True], model.config.city.population)
    ratio = out["cost_per_additional_engaged_resident"].iloc[0]
    assert s.eur_per_additional_engaged_year == pytest.approx(ratio)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_cost_chart_writes_euros_in_the_page_language(costly, lang):
    model, ref_model, live, ref = costly
    s = lever_costs.cost_summary(_gained(live, model, 2.0), ref, model, ref_model)
    fig = lever_costs.costs(s, lang)
    texts = [t.get_text() for t in _texts(fig)]
    joined = "\n".join(texts)
    if lang == "de":
        assert re.search(r"\b\d+,\d\u00a0Mio\.\u00a0€", joined), texts
        assert not re.search(r"\d\.\d(?!\d\d)", joined), texts  # a point only in 1.234
        assert "Insgesamt bisher: " + fmt_euro(s.live_total, "de", million=True) in texts
    else:
        assert re.search(r"€\d+\.\d\u00a0million", joined), texts
        assert "Total so far: " + fmt_euro(s.live_total, "en", million=True) in texts
    # one bar per lever, live and reference, labelled in the page's language
    labels = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert len(labels) == 6
    assert ("Freiwilligenagenturen" if lang == "de" else "volunteer agencies") in labels
    per = next(x for x in texts if x.startswith(lever_costs._residents(s.additional_engaged, lang)))
    assert fmt_euro(s.eur_per_additional_engaged, lang) in per
    assert fmt_euro(s.eur_per_additional_engaged_year, lang) in per


@pytest.mark.parametrize("months", [0, 1, 64])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_cost_axis_says_what_it_shows(costly, months, lang):
    """Each tick's text is its value (no 2.5 written as "2"), from the first month on."""
    model, ref_model, live, ref = costly
    s = lever_costs.cost_summary(live.iloc[:months], ref.iloc[:months], model, ref_model)
    fig = lever_costs.costs(s, lang)
    FigureCanvasAgg(fig).draw()
    ticks = [x for x in fig.axes[0].get_xticklabels() if _in_view(x) and x.get_text()]
    assert len(ticks) >= 3
    for tick in ticks:
        text = tick.get_text()
        number = text.replace(".", "").replace(",", ".") if lang == "de" else text.replace(",", "")
        assert float(number) == pytest.approx(tick.get_position()[0]), text


@pytest.mark.parametrize(
    ("eur", "lang", "million", "sign", "text"),
    [
        (1234.4, "de", False, False, "1.234\u00a0€"),
        (1234.4, "en", False, False, "€1,234"),
        (8.4e6, "de", True, False, "8,4\u00a0Mio.\u00a0€"),
        (8.4e6, "en", True, False, "€8.4\u00a0million"),
        (1.5e5, "de", True, False, "0,15\u00a0Mio.\u00a0€"),
        (4.3e6, "de", True, True, "+4,3\u00a0Mio.\u00a0€"),
        (-3.2e5, "en", True, True, "−€0.32\u00a0million"),
        (0.0, "de", True, True, "0\u00a0Mio.\u00a0€"),
    ],
)
def test_euros_are_written_as_a_room_reads_them(eur, lang, million, sign, text):
    assert fmt_euro(eur, lang, million, sign) == text


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _differing(a, b) -> int:
    return int((abs(a - b).sum(axis=-1) > 60).sum())


@pytest.mark.parametrize("dpi", [72, 110])
def test_a_played_frame_shows_what_a_full_drawing_shows(run, dpi):
    """The page draws a time series' frame onto a kept background (SeriesChart.png): the
    image must be the figure as matplotlib draws it whole, after the lines moved and after
    a change mark came, at either size."""
    _, live, ref = run
    chart = charts.SeriesChart("gradient", "de", (2026, 2036))
    frames = [
        (live.iloc[:5], ref.iloc[:5], []),
        (live, ref, []),  # the lines moved on
        (live, ref, [(str(live["date"].iloc[8]), "Büro geöffnet")]),  # a mark: new background
    ]
    shown = []
    for part_live, part_ref, marks in frames:
        chart.update(part_live, part_ref, marks)
        fast = _pixels(chart.png(dpi))
        whole = _pixels(charts.png(chart.fig, dpi))
        assert fast.shape == whole.shape == (int(5.4 * dpi), int(9.0 * dpi), 3)
        # the lines are drawn last instead of in their layer: a few pixels where a line
        # crosses a grid line or the legend may differ, nothing more
        assert _differing(fast, whole) < 0.001 * fast.size / 3, _differing(fast, whole)
        shown.append(fast)
    # and each frame differs from the one before: nothing stale was kept
    assert _differing(shown[0], shown[1]) > 100
    assert _differing(shown[1], shown[2]) > 100
