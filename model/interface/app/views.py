"""The right-hand side of the workshop page: where the run stands, the room's changes and the
scenario's events in words, and the views, in the page's layout or in presentation mode.

Presentation mode is for the projector: one or two views chosen from a strip fill the width,
with the scenario's question, the headline and a compact strip of the controls a facilitator
needs while talking (play, reset, speed, interventions, the views). Views are images that
scale with the window (``coprod-chart``), drawn at a higher resolution there.
"""

from __future__ import annotations

import html
import math

import solara
from solara.alias import rw

from model.interface.app import charts, ensemble, export, lever_costs
from model.interface.app.i18n import (
    fmt_month,
    fmt_number,
    fmt_percent,
    mechanism_label,
    rule_label,
    t,
)
from model.interface.app.levers import change_text
from model.interface.app.session import Simulation
from model.simulation.scenario.files import load_scenario

BIG_TEXT = "font-size: 1.15rem;"
HUGE_TEXT = "font-size: 1.6rem;"
SMALL_TEXT = "font-size: 0.85rem; color: #616161; margin: -4px 0 10px 0;"
#: the six views, in the page's order
VIEWS = ("gradient", "network", "trust", "challenges", "where", "costs")
#: the views drawn from the model's state now (not a time series): while playing, each
#: follows every ``SNAPSHOT_EVERY``-th frame, and they take turns (one per frame at most),
#: since each costs as much to draw as the three time series together
SNAPSHOTS = ("network", "where", "costs")
SNAPSHOT_EVERY = 4
#: pixels per inch of the views: on the page, and enlarged in presentation mode
DPI, PRESENTING_DPI = 72, 110
#: the smallest text a view may show on the page, in CSS pixels (as the page's own labels:
#: Vuetify's 12 px floor); a view's smallest text is charts.SMALL points, so its image is
#: never shown narrower than this many pixels: below, the views go one to a row
MIN_TEXT_PX = 12
CHART_MIN_PX = math.ceil(charts.WIDTH * DPI * MIN_TEXT_PX / charts.SMALL)
#: and no wider than this on the page: one view to a row still leaves the next in sight
CHART_MAX_PX = 960
#: the views' images take the width of their card and keep their proportions; in presentation
#: mode they fit the window's height (the image is itself a ``.jupyter-widgets`` element, so
#: the wide rule names it as specifically as the first rule does, or a lone view is stretched)
CSS = """
.coprod-chart img, .coprod-chart .jupyter-widgets { width: 100% !important; height: auto !important;
  max-width: 100%; }
.coprod-chart { min-width: 0; }
.coprod-chart.coprod-wide img.jupyter-widgets { max-height: calc(100vh - 190px);
  width: auto !important; margin: 0 auto; display: block; }
.v-input__slot:has(.v-slider) { flex-wrap: wrap; }
.v-input__slot:has(.v-slider) > .v-label { flex: 1 0 100%; max-width: 100%; white-space: normal;
  margin-bottom: 4px; }
"""


def question(name: str, lang: str) -> str:
    sc = load_scenario(name)
    return (sc.question_de or sc.question) if lang == "de" else sc.question


def scenario_title(name: str, lang: str) -> str:
    """A scenario's title in ``lang`` for menus (its name only if it has no title)."""
    sc = load_scenario(name)
    return ((sc.title_de or sc.title) if lang == "de" else sc.title) or name


def events(sim: Simulation, lang: str) -> list[tuple]:
    """What the charts mark, in ``lang``: the scenario's own events (``(date, text,
    "scenario")``, in the scenario's colour) and the room's changes (``(date, text)``)."""
    own = [(d, x, "scenario") for d, x in sim.scenario_events(lang)]
    return own + room_changes(sim, lang)


def room_changes(sim: Simulation, lang: str) -> list[tuple[str, str]]:
    """The room's changes as (``YYYY-MM``, text in ``lang``)."""
    return [(c.date, change_text(c, lang)) for c in sim.log]


def reference_text(sim: Simulation, lang: str) -> str:
    """What the faint line is, in words: for the headline and the legend."""
    if sim.reference is None:
        return t("without_changes", lang)
    return t("reference_named", lang).format(title=scenario_title(sim.reference, lang))


def active_rules_text(sim: Simulation, lang: str) -> str:
    """'Regel: Beitritt = Schwelle' for the rules that differ from the defaults, else ''."""
    changed = sim.changed_rules()
    if not changed:
        return ""
    head = t("rule_active" if len(changed) == 1 else "rules_active", lang)
    parts = [f"{mechanism_label(m, lang)} = {rule_label(m, v, lang)}" for m, v in changed.items()]
    return f"{head}: {' · '.join(parts)}"


def _listed(entries: list[tuple[str, str]], lang: str) -> str:
    """``Jan 2031: text · Mär 2031: text`` as HTML."""
    return " · ".join(f"{fmt_month(d, lang)}: {html.escape(x)}" for d, x in entries)


#: characters of a legend entry at most: three columns below a 9-inch chart
LEGEND_CHARS = 24


def legend_label(sim: Simulation, lang: str) -> str:
    """The faint line in a chart's legend: "without your changes", or the reference's title
    (shortened: the headline and the menu name it in full)."""
    if sim.reference is None:
        return t("reference_short", lang)
    title = scenario_title(sim.reference, lang)
    return title if len(title) <= LEGEND_CHARS else title[: LEGEND_CHARS - 1] + "…"


def _time_figures(sim: Simulation, lang: str, group: str = "education") -> dict:
    live, cf = sim.frames()
    marks = events(sim, lang)
    run = sim.scenario.run
    start = int(run.start[:4]) + (int(run.start[5:]) - 1) / 12
    span = (start, start + run.months / 12)
    faint = legend_label(sim, lang)
    return {
        k: _series_chart(k, lang, span, faint, group).update(live, cf, marks) for k in charts.SERIES
    }


def _series_chart(kind: str, lang: str, span, faint: str, group: str) -> charts.SeriesChart:
    """A time-series view whose legend names the faint line; the main one shows ``group``."""
    extra = {"group": group} if kind == "gradient" else {}
    return charts.SeriesChart(kind, lang, span, reference_label=faint, **extra)


def _state_figure(view: str, sim: Simulation, layout, lang: str):
    """One of the :data:`SNAPSHOTS` views, drawn from the run as it stands."""
    live, cf = sim.frames()
    if view == "where":
        return charts.where_and_cost(sim.live, live, cf, lang)
    if view == "network":
        return charts.network(sim.live, layout, lang)
    summary = lever_costs.cost_summary(live, cf, sim.live, sim.baseline)
    return lever_costs.costs(summary, lang, reference_label=reference_text(sim, lang))


def _state_figures(sim: Simulation, layout, lang: str) -> dict:
    return {view: _state_figure(view, sim, layout, lang) for view in SNAPSHOTS}


#: the columns drawn with a band of other seeds, and the view they are in
BANDED = {"engaged_share": "gradient", "trust_mean": "trust"}


def bands(ens: ensemble.Ensemble | None, view: str) -> dict:
    """The bands of ``view`` from the ensemble (none while it is computed)."""
    if ens is None:
        return {}
    out = {}
    for column, where in BANDED.items():
        if where == view and column in ens.live:
            out[column] = (*ens.band(column, "live"), *ens.band(column, "reference"))
    return out


def answer_indicator(sim: Simulation) -> str:
    """The indicator the scenario's question asks about (its ``reference_indicator``)."""
    return getattr(sim.scenario, "reference_indicator", None) or "engaged_share"


def _amount(column: str, value: float, lang: str, signed: bool = False) -> str:
    """A value or difference of ``column`` as the room reads it."""
    fraction = export.INDICATORS.get(column, ("", ""))[0] == "fraction"
    digits = 1 if fraction else 3
    shown = round(100 * value if fraction else value, digits)
    if not signed:
        return fmt_percent(value, lang) if fraction else fmt_number(value, lang, 3)
    # a typographic minus, and no sign on what rounds to nothing (no "-0,0")
    sign = "+" if shown > 0 else "\u2212" if shown < 0 else ""
    unit = f" {t('points', lang)}" if fraction else ""
    return f"{sign}{fmt_number(abs(shown), lang, digits)}{unit}"


def uncertainty_text(sim: Simulation, ens: ensemble.Ensemble | None, lang: str) -> str:
    """How sure the lines are, in words: the spread of the faint line over other seeds, or the
    scenario's answer (scenario minus reference, over paired runs) with its interval."""
    month = sim.live.months_done - 1
    if ens is None:
        return t("band_pending", lang)
    if month < 0:
        return t("band_ready", lang).format(n=ens.seeds)
    column = answer_indicator(sim)
    label = export.indicator_label(column, lang)
    if sim.reference is None or sim.reference == sim.scenario_name:
        low, high = (float(x[month]) for x in ens.band(column, "reference"))
        return t("band_self", lang).format(
            indicator=label,
            low=_amount(column, low, lang),
            high=_amount(column, high, lang),
            n=ens.seeds,
        )
    d = ens.difference(column, month)
    return t("band_answer", lang).format(
        n=d.pairs,
        scenario=scenario_title(sim.scenario_name, lang),
        reference=scenario_title(sim.reference, lang),
        indicator=label,
        diff=_amount(column, d.mean, lang, signed=True),
        low=_amount(column, d.low, lang, signed=True),
        high=_amount(column, d.high, lang, signed=True),
        verdict=t("beyond_chance" if d.beyond_chance else "within_chance", lang),
    )


def explanation(view: str, lang: str, group: str = "education") -> str:
    """The plain-language text below a view (the main one's follows its group)."""
    if view == "gradient" and group != "education":
        return t(f"explain_gradient_{group}", lang)
    return t(f"explain_{view}", lang)


def figures_now(sim: Simulation, layout, lang: str, group: str = "education") -> dict:
    """The six views of the run as it stands, drawn afresh (for the export)."""
    return _time_figures(sim, lang, group) | _state_figures(sim, layout, lang)


@solara.component
def ChartCard(figure, explanation: str, frame, wide: bool = False, dpi: int = DPI):
    """One view (a ``Figure``, or a time series' :class:`charts.SeriesChart`, which draws
    only what moved) and its plain-language explanation; redrawn when ``frame`` changes. Its
    image scales with the card: on the page two cards to a row where both stay readable
    (``CHART_MIN_PX``), else one; in presentation mode, ``wide``."""
    basis = (
        f"flex: 1 1 46%; min-width: min({CHART_MIN_PX}px, 100%); max-width: {CHART_MAX_PX}px;"
        if not wide
        else "flex: 1 1 0; min-width: 0;"
    )
    # on the projector, a view fits the window's height too (one view alone is as wide)
    classes = ["coprod-chart", "coprod-wide"] if wide else ["coprod-chart"]
    with solara.Card(style=basis, classes=classes, margin=0 if wide else 2):
        image = solara.use_memo(
            lambda: (
                figure.png(dpi)
                if isinstance(figure, charts.SeriesChart)
                else charts.png(figure, dpi)
            ),
            [id(figure), frame, dpi],
        )
        rw.Image(value=image, format="png")
        if not wide:
            solara.Markdown(explanation, style=BIG_TEXT)


@solara.component
def Views(
    sim: Simulation,
    layout,
    lang: str,
    version,
    playing,
    presenting: bool,
    set_presenting,
    message,
    task_error,
    drawn,
    shown: list[str],
    strip=None,
    group: str = "education",
    set_group=None,
    story_panel=None,
):
    """The right-hand side: where the run stands, the changes made, and the views (all five on
    the page; in presentation mode the ``shown`` ones, below the question and the ``strip`` of
    controls, a callable that draws them). Only this component follows every frame, so the
    controls are not rebuilt while playing."""
    version_now = version.value
    visible = [k for k in VIEWS if k in shown] if presenting else list(VIEWS)
    run = sim.scenario.run
    start = int(run.start[:4]) + (int(run.start[5:]) - 1) / 12
    span = (start, start + run.months / 12)
    faint = legend_label(sim, lang)  # the legend names the chosen reference
    series = solara.use_memo(
        lambda: {k: _series_chart(k, lang, span, faint, group) for k in charts.SERIES},
        [lang, sim.live, group, faint],
    )
    live, cf = sim.frames()
    marks = events(sim, lang)
    ens = ensemble.ready(ensemble.key_of(sim))
    for key, chart in series.items():
        chart.update(live, cf, marks, bands(ens, key))
    figures: dict = dict(series)
    frame = dict.fromkeys(series, version_now)
    for offset, view in enumerate(SNAPSHOTS):
        # while playing, the snapshot views take turns, so no frame draws more than one;
        # a view not on screen is not drawn at all. (A hook in a loop: the loop is over a
        # constant tuple, so every render calls the same hooks in the same order.)
        turn = (version_now + offset) // SNAPSHOT_EVERY if playing.value else version_now
        frame[view] = turn
        figures[view] = solara.use_memo(  # noqa: SH103
            lambda view=view: _state_figure(view, sim, layout, lang) if view in visible else None,
            [turn, lang, sim.live, view in visible],
        )
    now = fmt_month(live["date"].iloc[-1], lang) if len(live) else "–"
    engaged = fmt_percent(float(live["engaged_share"].iloc[-1]), lang) if len(live) else "–"
    engaged_cf = fmt_percent(float(cf["engaged_share"].iloc[-1]), lang) if len(cf) else "–"
    # labelled now, in the page's language: a language switch relabels earlier entries too
    changes = _listed(room_changes(sim, lang), lang)
    own = _listed(sim.scenario_events(lang), lang)
    # the run waits for this frame to be drawn before it goes on (see Workshop.play_loop)
    solara.use_effect(drawn.set, [version_now])
    rules = active_rules_text(sim, lang)
    solara.Style(CSS)

    def headline():
        with solara.Row(style="align-items: center; flex-wrap: wrap;"):
            # plain HTML, not Markdown: Markdown re-runs its maths typesetting every frame
            solara.HTML(
                tag="h2",
                unsafe_innerHTML=f"{t('month_now', lang)}: <span id='coprod-month'>{now}</span> · "
                f"{t('engaged_now', lang)}: <span id='coprod-engaged'>{engaged}</span> "
                f"<small>({html.escape(reference_text(sim, lang))}: "
                f"<span id='coprod-engaged-cf'>{engaged_cf}</span>)</small>",
                style=HUGE_TEXT if presenting else "",
            )
            solara.Switch(label=t("presentation", lang), value=presenting, on_value=set_presenting)

    def texts():
        if story_panel is not None:
            story_panel()
        # how sure: the spread over other seeds, or the scenario's answer with its interval
        solara.HTML(
            tag="div",
            unsafe_innerHTML="<span id='coprod-uncertainty'>"
            f"{html.escape(uncertainty_text(sim, ens, lang))}</span>",
            style=BIG_TEXT,
        )
        if rules:
            # the room sees that the model itself was changed, not only levers
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<span id='coprod-rules'>{html.escape(rules)}</span>",
                style=BIG_TEXT + " color: #B23A00; font-weight: 600;",
            )
        if own:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>{t('scenario_events', lang)}:</b> "
                f"<span id='coprod-scenario-events'>{own}</span>",
                style=BIG_TEXT,
            )
        if changes:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>{t('changes', lang)}:</b> "
                f"<span id='coprod-changes'>{changes}</span>",
                style=BIG_TEXT,
            )

    def notices():
        if task_error is not None:
            solara.Error(f"{t('error', lang)}: {task_error!r}")
        if sim.error:
            solara.Error(f"{t('error', lang)}: {sim.error}")
        if message:
            solara.Warning(message)
        if sim.finished:
            solara.Info(t("done", lang))

    def group_toggle():
        if set_group is None or (presenting and "gradient" not in shown):
            return
        # who is engaged: by education, age, migration background or silent groups
        names = {t(f"group_{g}", lang): g for g in charts.GROUPS}
        solara.ToggleButtonsSingle(
            value=t(f"group_{group}", lang),
            values=list(names),
            on_value=lambda label: set_group(names[label]),
            dense=True,
            classes=["coprod-groups"],
        )

    def views():
        gap = "gap: 8px;" if presenting else ""
        with solara.Row(style=f"flex-wrap: wrap; width: 100%; {gap}"):
            for key in visible:
                ChartCard(
                    figures[key],
                    explanation(key, lang, group),
                    frame[key],
                    wide=presenting,
                    dpi=PRESENTING_DPI if presenting else DPI,
                )

    solara.Style(CSS)
    with solara.Column(style="flex: 1 1 auto; padding: 12px; min-width: 0;"):
        headline()
        if presenting:
            # for the projector: the question, the controls of one strip, then the views at
            # once (in the window's first screen), the story and the words below them
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape(question(sim.scenario_name, lang)),
                style=BIG_TEXT + " font-style: italic;",
            )
            if strip is not None:
                strip()
            notices()
            group_toggle()
            views()
            texts()
        else:
            texts()
            notices()
            group_toggle()
            views()
