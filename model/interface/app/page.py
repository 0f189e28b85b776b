"""The workshop page: pick a scenario, play, pull levers live, compare with what would have
happened, in German or English.

Every browser session renders its own ``Page`` and so owns its own :class:`Simulation`
(``use_memo`` per component instance): sessions never share a model. Playing runs in a
thread of the session (``use_thread``); each frame advances ``speed`` months and redraws.
"""

from __future__ import annotations

import html
import io
import time
import weakref
import zipfile

import solara
from solara.server import kernel_context

from model.interface.app import charts
from model.interface.app.i18n import TEXT, fmt_month, fmt_percent, mechanism_label, rule_label, t
from model.interface.app.session import (
    MAX_CITIZENS,
    MIN_CITIZENS,
    SESSIONS,
    Simulation,
    available_scenarios,
    choosable_mechanisms,
    rule_summary,
)
from model.rules import registry
from model.simulation.scenario import Format, LeadershipStyle, Rung, Timing
from model.simulation.scenario.files import load_scenario

#: Seconds between frames while playing; each frame advances ``speed`` months.
FRAME_SECONDS = 0.4
SPEEDS = [1, 3, 6, 12]
DEFAULT_SPEED = 6
BIG_TEXT = "font-size: 1.15rem;"
SMALL_TEXT = "font-size: 0.85rem; color: #616161; margin: -4px 0 10px 0;"
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def _question(name: str, lang: str) -> str:
    sc = load_scenario(name)
    return (sc.question_de or sc.question) if lang == "de" else sc.question


def _time_figures(sim: Simulation, lang: str) -> dict:
    live, cf = sim.frames()
    events = sim.live.events
    return {
        "gradient": charts.gradient(live, cf, events, lang),
        "trust": charts.trust(live, cf, events, lang),
        "challenges": charts.challenges(live, cf, events, lang),
    }


def _state_figures(sim: Simulation, layout, lang: str) -> dict:
    live, cf = sim.frames()
    return {
        "where": charts.where_and_cost(sim.live, live, cf, lang),
        "network": charts.network(sim.live, layout, lang),
    }


def _figures(sim: Simulation, layout, lang: str) -> dict:
    return _time_figures(sim, lang) | _state_figures(sim, layout, lang)


def _rule_explanation(mechanism: str, variant: str, lang: str) -> str:
    """The plain-language text of a variant; a student's variant: its ``de=`` line in German,
    else its docstring, without markup."""
    key = f"rule_{mechanism}_{variant}_explain"
    if key in TEXT:
        return t(key, lang)
    return rule_summary(registry.MECHANISMS[mechanism].variants[variant], lang)


def active_rules_text(sim: Simulation, lang: str) -> str:
    """'Regel: Beitritt = Schwelle' for the rules that differ from the defaults, else ''."""
    changed = sim.changed_rules()
    if not changed:
        return ""
    head = t("rule_active" if len(changed) == 1 else "rules_active", lang)
    parts = [f"{mechanism_label(m, lang)} = {rule_label(m, v, lang)}" for m, v in changed.items()]
    return f"{head}: {' · '.join(parts)}"


def _csv(sim: Simulation) -> bytes:
    """The live run's indicators, with the rule of each mechanism as constant columns."""
    frame = sim.frames()[0]
    for mechanism, variant in sim.live.rules.names.items():
        frame[f"rule_{mechanism}"] = variant
    return frame.to_csv(index=False).encode("utf-8")


def _csv_name(sim: Simulation) -> str:
    rules = "".join(f"-{m}-{v}" for m, v in sim.changed_rules().items())
    return f"coprod-{sim.scenario_name}-seed{sim.seed}{rules}.csv"


def _png_zip(figures: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, fig in figures.items():
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=150)
            archive.writestr(f"{name}.png", png.getvalue())
    return buffer.getvalue()


@solara.component
def ChartCard(figure, explanation: str, frame):
    """One view and its plain-language explanation; redrawn when ``frame`` changes."""
    with solara.Card(style="min-width: 520px; flex: 1 1 46%;"):
        solara.FigureMatplotlib(figure, dependencies=[id(figure), frame], format="png", dpi=72)
        solara.Markdown(explanation, style=BIG_TEXT)


@solara.component
def Levers(sim: Simulation, lang: str, on_change, set_message):
    lv = sim.live.levers

    def change(partial: dict, label: str):
        error = sim.set_levers(partial, label)
        set_message(error)
        on_change()

    part = lv.participation
    solara.Markdown(f"### {t('levers', lang)}")
    solara.Select(
        label=t("timing", lang),
        values=[t(f"timing_{x.value}", lang) for x in Timing],
        value=t(f"timing_{part.timing.value}", lang),
        on_value=lambda v: change(
            {"participation": {"timing": _back(v, Timing, "timing", lang)}},
            f"{t('timing', lang)}: {v}",
        ),
    )
    solara.Select(
        label=t("rung", lang),
        values=[t(f"rung_{x.value}", lang) for x in Rung],
        value=t(f"rung_{part.rung.value}", lang),
        on_value=lambda v: change(
            {"participation": {"rung": _back(v, Rung, "rung", lang)}}, f"{t('rung', lang)}: {v}"
        ),
    )
    solara.SelectMultiple(
        label=t("formats", lang),
        values=[t(f"format_{f.value}", lang) for f in part.formats],
        all_values=[t(f"format_{f.value}", lang) for f in Format],
        on_value=lambda vs: (
            vs
            and change(
                {"participation": {"formats": [_back(v, Format, "format", lang) for v in vs]}},
                t("formats", lang),
            )
        ),
    )
    solara.Checkbox(
        label=t("outreach", lang),
        value=part.outreach,
        on_value=lambda v: change({"participation": {"outreach": v}}, t("outreach", lang)),
    )
    infra = lv.infrastructure
    for key, field in [
        ("agency_budget", "volunteer_agency_eur"),
        ("office_budget", "participation_office_eur"),
        ("outreach_budget", "outreach_eur"),
        ("training_budget", "admin_training_eur"),
    ]:
        solara.SliderInt(
            label=t(key, lang),
            value=int(getattr(infra, field)),
            min=0,
            max=2_000_000,
            step=50_000,
            on_value=lambda v, field=field, key=key: change(
                {"infrastructure": {field: v}}, t(key, lang)
            ),
        )
    solara.Select(
        label=t("leadership", lang),
        values=[t(f"style_{s.value}", lang) for s in LeadershipStyle],
        value=t(f"style_{lv.leadership.style.value}", lang),
        on_value=lambda v: change(
            {"leadership": {"style": _back(v, LeadershipStyle, "style", lang)}}, v
        ),
    )
    solara.SliderFloat(
        label=t("responsiveness", lang),
        value=lv.administration.responsiveness,
        min=0.0,
        max=1.0,
        step=0.05,
        on_value=lambda v: change(
            {"administration": {"responsiveness": v}}, t("responsiveness", lang)
        ),
    )


def _variant_line(mechanism: str, variant: str, chosen: str, lang: str) -> str:
    """One variant and its explanation as HTML; the chosen one in bold and darker."""
    name = html.escape(rule_label(mechanism, variant, lang))
    text = html.escape(_rule_explanation(mechanism, variant, lang))
    if variant == chosen:
        return f"<div style='margin-bottom: 4px; color: #212121'><b>{name}</b>: {text}</div>"
    return f"<div style='margin-bottom: 4px'>{name}: {text}</div>"


@solara.component
def Rules(sim: Simulation, lang: str, on_choose):
    """A collapsible section with one select per mechanism that has more than one rule variant
    (read from the registry, so students' variants appear too), each variant explained below.
    ``on_choose({mechanism: variant})`` restarts the run with that rule, as size and seed do."""
    default = registry.defaults()
    # Vuetify's panels directly (as solara.Details does): their content is built with `with`
    with solara.v.ExpansionPanels(accordion=True, class_="coprod-rules"):
        with solara.v.ExpansionPanel():
            solara.v.ExpansionPanelHeader(children=[t("rules", lang)])
            with solara.v.ExpansionPanelContent():
                solara.HTML(tag="div", unsafe_innerHTML=t("rules_hint", lang), style=SMALL_TEXT)
                for mechanism in choosable_mechanisms():
                    names = registry.available(mechanism)
                    labels = {
                        n: rule_label(mechanism, n, lang)
                        + (f" ({t('rule_default', lang)})" if n == default[mechanism] else "")
                        for n in names
                    }
                    by_label = {label: n for n, label in labels.items()}
                    chosen = sim.rules[mechanism]
                    solara.Select(
                        label=mechanism_label(mechanism, lang),
                        values=list(by_label),
                        value=labels[chosen],
                        on_value=lambda label, m=mechanism, by_label=by_label: on_choose(
                            {m: by_label[label]}
                        ),
                    )
                    explained = "".join(_variant_line(mechanism, n, chosen, lang) for n in names)
                    solara.HTML(tag="div", unsafe_innerHTML=explained, style=SMALL_TEXT)


def _back(label: str, enum, prefix: str, lang: str) -> str:
    """The enum value whose translated label is ``label``."""
    for item in enum:
        if t(f"{prefix}_{item.value}", lang) == label:
            return item.value
    raise ValueError(label)


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
):
    """The right-hand side: where the run stands, the changes made, and the five views. Only
    this component follows every frame, so the controls are not rebuilt while playing."""
    version_now = version.value
    # while playing, the two snapshot views (network, organisations) follow every fourth frame:
    # drawing them costs as much as the three time series together
    snapshot = version_now // 4 if playing.value else version_now
    run = sim.scenario.run
    start = int(run.start[:4]) + (int(run.start[5:]) - 1) / 12
    series = solara.use_memo(
        lambda: {
            k: charts.SeriesChart(k, lang, (start, start + run.months / 12)) for k in charts.SERIES
        },
        [lang, sim.live],
    )
    live, cf = sim.frames()
    figures = {k: chart.update(live, cf, sim.live.events) for k, chart in series.items()}
    figures = figures | solara.use_memo(
        lambda: _state_figures(sim, layout, lang), [snapshot, lang, sim.live]
    )
    now = fmt_month(live["date"].iloc[-1], lang) if len(live) else "–"
    engaged = fmt_percent(float(live["engaged_share"].iloc[-1]), lang) if len(live) else "–"
    engaged_cf = fmt_percent(float(cf["engaged_share"].iloc[-1]), lang) if len(cf) else "–"
    changes = " · ".join(f"{fmt_month(d, lang)}: {label}" for d, label in sim.live.events)
    rules = active_rules_text(sim, lang)
    with solara.Column(style="flex: 1 1 auto; padding: 12px;"):
        with solara.Row(style="align-items: center; flex-wrap: wrap;"):
            # plain HTML, not Markdown: Markdown re-runs its maths typesetting every frame
            solara.HTML(
                tag="h2",
                unsafe_innerHTML=f"{t('month_now', lang)}: <span id='coprod-month'>{now}</span> · "
                f"{t('engaged_now', lang)}: <span id='coprod-engaged'>{engaged}</span> "
                f"<small>({t('without_changes', lang)}: "
                f"<span id='coprod-engaged-cf'>{engaged_cf}</span>)</small>",
            )
            solara.Switch(label=t("presentation", lang), value=presenting, on_value=set_presenting)
            if presenting:

                def toggle():
                    playing.value = not playing.value

                solara.Button(
                    t("pause", lang) if playing.value else t("play", lang),
                    on_click=toggle,
                    color="primary",
                )
        if rules:
            # the room sees that the model itself was changed, not only levers
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<span id='coprod-rules'>{html.escape(rules)}</span>",
                style=BIG_TEXT + " color: #B23A00; font-weight: 600;",
            )
        if changes:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>{t('changes', lang)}:</b> "
                f"<span id='coprod-changes'>{changes}</span>",
                style=BIG_TEXT,
            )
        if task_error is not None:
            solara.Error(f"{t('error', lang)}: {task_error!r}")
        if sim.error:
            solara.Error(f"{t('error', lang)}: {sim.error}")
        if message:
            solara.Warning(message)
        if sim.finished:
            solara.Info(t("done", lang))
        with solara.Row(style="flex-wrap: wrap;"):
            ChartCard(figures["gradient"], t("explain_gradient", lang), version_now)
            ChartCard(figures["network"], t("explain_network", lang), snapshot)
            ChartCard(figures["trust"], t("explain_trust", lang), version_now)
            ChartCard(figures["challenges"], t("explain_challenges", lang), version_now)
            ChartCard(figures["where"], t("explain_where", lang), snapshot)


def _open_session() -> Simulation | None:
    """This page's session, or None when the server is full; it ends with the page's kernel
    (the browser closed, or gone for the cull timeout), so its memory returns then."""
    sim = SESSIONS.open()
    if sim is not None and kernel_context.has_current_context():
        context = kernel_context.get_current_context()
        # weak both ways: neither may keep the other alive
        ref, kernel = weakref.ref(sim), weakref.ref(context)
        context.on_close(lambda: SESSIONS.close(ref()))
        sim.attended = lambda: _connected(kernel())
    return sim


def _connected(context) -> bool:
    """Whether a browser is connected to the kernel ``context`` now."""
    pages = context.page_status.values() if context is not None else ()
    return kernel_context.PageStatus.CONNECTED in pages


@solara.component
def SessionsFull():
    """The page when every place is taken, in both languages: who sees it has no model."""
    solara.Title(t("title", "de"))
    with solara.Column(style="max-width: 760px; padding: 24px;"):
        for lang in LANGUAGE_NAMES:
            text = t("sessions_full", lang).format(limit=SESSIONS.limit)
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(text), style=BIG_TEXT)


@solara.component
def Page():
    sim = solara.use_memo(_open_session, [])
    # unmounting (the kernel closing, or a test's render context) ends the session too
    solara.use_effect(lambda: lambda: SESSIONS.close(sim), [])
    if sim is None:
        SessionsFull()
    else:
        Workshop(sim)


@solara.component
def Workshop(sim: Simulation):
    lang, set_lang = solara.use_state("de")
    # reactive (not plain state) so the play task may change them from its thread, as Mesa's
    # SolaraViz does; reading .value subscribes this component to them
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed, set_speed = solara.use_state(DEFAULT_SPEED)
    presenting, set_presenting = solara.use_state(False)
    message, set_message = solara.use_state(None)
    # counts resets: a reset renders the page again, so the network layout and the controls
    # follow the new model (a new size needs a new layout; another scenario, its own rules)
    runs, set_runs = solara.use_state(0)
    layout = solara.use_memo(lambda: charts.network_layout(sim.live), [sim.live])

    def redraw():
        version.value += 1

    def set_playing(value: bool):
        playing.value = value

    def play_loop():
        while playing.value:
            started = time.perf_counter()
            if sim.step(speed) == 0:
                if not sim.closed:  # a closed session's page is gone: nothing to redraw
                    playing.value = False
                break
            redraw()
            time.sleep(max(0.0, FRAME_SECONDS - (time.perf_counter() - started)))

    player = solara.lab.use_task(
        play_loop,
        dependencies=[playing.value, speed, sim.live],
        prefer_threaded=True,
        raise_error=False,
    )

    def reset(name=None, citizens=None, seed=None, rules=None):
        set_playing(False)
        try:
            sim.reset(name, citizens, seed, rules)
            set_message(None)
        except ValueError as exc:
            set_message(str(exc))
        set_runs(runs + 1)
        redraw()

    def intervene(kind: str):
        if kind == "assembly":
            sim.citizens_assembly(t("do_assembly", lang))
        elif kind == "fund":
            set_message(sim.scale_budgets(2.0, t("do_fund_agency", lang), "volunteer_agency_eur"))
        else:
            set_message(sim.scale_budgets(0.5, t("do_cut_budget", lang)))
        redraw()

    def controls():
        with solara.Row():
            for code, name in LANGUAGE_NAMES.items():
                solara.Button(
                    name,
                    on_click=lambda code=code: set_lang(code),
                    color="primary" if code == lang else None,
                    outlined=code != lang,
                )
        solara.Select(
            label=t("scenario", lang),
            values=available_scenarios(),
            value=sim.scenario_name,
            on_value=lambda name: reset(name=name),
        )
        solara.Markdown(f"*{_question(sim.scenario_name, lang)}*", style=BIG_TEXT)
        solara.SliderInt(
            label=t("citizens", lang),
            value=sim.citizens,
            min=MIN_CITIZENS,
            max=MAX_CITIZENS,
            step=100,
            on_value=lambda n: reset(citizens=n),
        )
        solara.InputInt(label=t("seed", lang), value=sim.seed, on_value=lambda s: reset(seed=s))
        Rules(sim, lang, lambda choice: reset(rules=choice))
        with solara.Row():
            solara.Button(
                t("pause", lang) if playing.value else t("play", lang),
                on_click=lambda: set_playing(not playing.value),
                color="primary",
                disabled=sim.finished,
            )
            solara.Button(
                t("step", lang),
                on_click=lambda: (sim.step(1), redraw()),
                disabled=playing.value or sim.finished,
            )
            solara.Button(t("reset", lang), on_click=lambda: reset())
        solara.ToggleButtonsSingle(value=speed, values=SPEEDS, on_value=set_speed, dense=True)
        solara.Markdown(f"### {t('interventions', lang)}")
        solara.Button(t("do_assembly", lang), on_click=lambda: intervene("assembly"), outlined=True)
        solara.Button(t("do_fund_agency", lang), on_click=lambda: intervene("fund"), outlined=True)
        solara.Button(t("do_cut_budget", lang), on_click=lambda: intervene("cut"), outlined=True)
        Levers(sim, lang, redraw, set_message)
        solara.Markdown(f"### {t('export', lang)}")
        solara.FileDownload(
            lambda: _csv(sim),
            filename=_csv_name(sim),
            label=t("export_csv", lang),
        )
        solara.FileDownload(
            lambda: _png_zip(_figures(sim, layout, lang)),
            filename=f"coprod-{sim.scenario_name}-charts.zip",
            label=t("export_png", lang),
        )

    solara.Title(t("title", lang))
    # our own two columns rather than AppLayout's drawer, which Solara's server wraps in its
    # own layout and closes on narrow or projected screens
    with solara.Row(style="align-items: flex-start; flex-wrap: nowrap; gap: 16px;"):
        if not presenting:
            with solara.Column(
                style="width: 380px; min-width: 380px; max-height: 100vh; overflow-y: auto;"
                " padding: 12px; background: #F5F5F5;"
            ):
                solara.Markdown(f"## {t('title', lang)}")
                controls()
        Views(
            sim,
            layout,
            lang,
            version,
            playing,
            presenting,
            set_presenting,
            message,
            player.exception if player.error else None,
        )
