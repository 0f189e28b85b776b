"""The workshop page: pick a scenario, play, pull levers live, compare with what would have
happened, in German or English.

Every browser session renders its own ``Page`` and so owns its own :class:`Simulation`
(``use_memo`` per component instance): sessions never share a model. Playing runs in a
thread of the session (``use_thread``); each frame advances ``speed`` months and redraws.
"""

from __future__ import annotations

import html
import itertools
import threading
import time
import weakref

import solara
from solara.server import kernel_context

from model.interface.app import charts, ensemble, export, story
from model.interface.app.i18n import TEXT, fmt_month, mechanism_label, rule_label, t
from model.interface.app.levers import Levers, lever_label, value_text
from model.interface.app.session import (
    ALREADY,
    MAX_CITIZENS,
    MIN_CITIZENS,
    SESSIONS,
    Simulation,
    available_scenarios,
    choosable_mechanisms,
    rule_summary,
)
from model.interface.app.views import (
    BIG_TEXT,
    SMALL_TEXT,
    VIEWS,
    Views,
    figures_now,
    question,
    reference_text,
    room_changes,
    scenario_title,
)
from model.rules import registry
from model.simulation.scenario.fields import month_index

#: Seconds between frames while playing; each frame advances ``speed`` months.
FRAME_SECONDS = 0.4
#: Seconds the run waits at most for a frame to be drawn before it goes on (a page that is
#: slow to draw then slows the run, rather than the run getting ahead of what it shows)
FRAME_WAIT = 2.0
SPEEDS = [1, 3, 6, 12]
DEFAULT_SPEED = 6
#: views side by side in presentation mode, at most: each must stay readable on a projector
MAX_SHOWN = 2
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def _rule_explanation(mechanism: str, variant: str, lang: str) -> str:
    """The plain-language text of a variant; a student's variant: its ``de=`` line in German,
    else its docstring, without markup."""
    key = f"rule_{mechanism}_{variant}_explain"
    if key in TEXT:
        return t(key, lang)
    return rule_summary(registry.MECHANISMS[mechanism].variants[variant], lang)


def reference_choices(sim: Simulation, lang: str) -> dict[str, str | None]:
    """The faint line's choices by label: this scenario without the room's changes, then the
    scenario's own reference (which answers its question), then every other scenario."""
    own = getattr(sim.scenario, "reference", None)
    choices: dict[str, str | None] = {t("reference_self", lang): None}
    names = [n for n in available_scenarios() if n != sim.scenario_name]
    for name in sorted(names, key=lambda n: n != own):
        answers = f" ({t('reference_answers', lang)})" if name == own else ""
        choices[scenario_title(name, lang) + answers] = name
    return choices


def protocol(sim: Simulation, lang: str) -> bytes:
    """The workshop's protocol CSV (see :mod:`export`) in ``lang``."""
    live, reference = sim.frames()
    history = sim.lever_history
    keys = list(history[-1]) if history else []
    frame = export.protocol_frame(
        live,
        reference,
        lang,
        scenario_events=sim.scenario_events(lang),
        room_changes=room_changes(sim, lang),
        levers=[{k: value_text(k, row[k], lang) for k in keys} for row in history],
        lever_labels={k: lever_label(k, lang) for k in keys},
    )
    for mechanism, variant in sim.live.rules.names.items():  # which model made these lines
        frame[f"{t('rule_active', lang)}: {mechanism_label(mechanism, lang)}"] = rule_label(
            mechanism, variant, lang
        )
    return export.protocol_csv(frame, lang)


def run_name(sim: Simulation) -> str:
    """The scenario and the rules that differ from the defaults: ``baseline-joining-threshold``
    (for file names)."""
    return sim.scenario_name + "".join(f"-{m}-{v}" for m, v in sim.changed_rules().items())


def caption(sim: Simulation, lang: str) -> str:
    """What a saved chart shows: scenario, seed, reference, changes, date."""
    parts = [
        f"{t('scenario', lang)}: {scenario_title(sim.scenario_name, lang)}",
        f"{t('seed', lang)}: {sim.seed}",
        f"{t('reference_short_caption', lang)}: {reference_text(sim, lang)}",
    ]
    changes = "; ".join(f"{fmt_month(d, lang)} {x}" for d, x in room_changes(sim, lang))
    if changes:
        parts.append(f"{t('changes', lang)}: {changes}")
    parts.append(export.today(lang))
    return " · ".join(parts)


def chart_pictures(sim: Simulation, layout, lang: str, group: str = "education") -> bytes:
    """The five views as PNGs in a zip, each with its caption, named in ``lang``."""
    return export.pictures_zip(figures_now(sim, layout, lang, group), caption(sim, lang), lang)


def _variant_line(mechanism: str, variant: str, chosen: str, lang: str) -> str:
    """One variant and its explanation as HTML; the chosen one in bold and darker."""
    name = html.escape(rule_label(mechanism, variant, lang))
    text = html.escape(_rule_explanation(mechanism, variant, lang))
    if variant == chosen:
        return f"<div style='margin-bottom: 4px; color: #212121'><b>{name}</b>: {text}</div>"
    return f"<div style='margin-bottom: 4px'>{name}: {text}</div>"


@solara.component
def Rules(sim: Simulation, chosen_rules: dict[str, str], lang: str, on_choose):
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
                    chosen = chosen_rules.get(mechanism, default[mechanism])
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


def stopping() -> bool:
    """Whether the process is ending (its main thread is done): the page's threads (play,
    clocks, waits) end then, or the interpreter would wait for them for ever."""
    return not threading.main_thread().is_alive()


#: seconds between updates of the export buttons' file names (their time stamps)
NAME_CLOCK_SECONDS = 15


@solara.component
def Exports(sim: Simulation, layout, lang: str, group: str):
    """The protocol and the charts for download; their names carry the time of the export
    (to the minute: the names are drawn again every ``NAME_CLOCK_SECONDS``)."""
    clock = solara.use_reactive(0)
    owner, session = sim.owner, weakref.ref(sim)  # weak: the clock must not keep the session

    def tick():
        # looks every second whether the session is still this page's: the thread holds the
        # page's kernel, which must go soon after the session ends
        for second in itertools.count(1):
            time.sleep(1.0)
            now = session()
            if now is None or now.closed or now.owner is not owner or stopping():
                return
            del now
            if second % NAME_CLOCK_SECONDS == 0:
                clock.value += 1

    solara.lab.use_task(tick, dependencies=[], prefer_threaded=True, raise_error=False)
    _ = clock.value  # drawn again at every tick
    solara.FileDownload(
        lambda: protocol(sim, lang),
        filename=export.file_name(run_name(sim), sim.seed, lang, "csv"),
        label=t("export_csv", lang),
    )
    solara.FileDownload(
        lambda: chart_pictures(sim, layout, lang, group),
        filename=export.file_name(run_name(sim), sim.seed, lang, "zip"),
        label=t("export_png", lang),
    )


def _open_session(token: str | None = None) -> Simulation | None:
    """This page's session (the one of ``token`` again after a reload), or None when the
    server is full; it ends with the page's kernel (the browser closed, or gone for the cull
    timeout) and a grace for a reload, so its memory returns then."""
    sim = SESSIONS.open(token)
    if sim is not None:
        sim.owner = object()  # this page's: a play loop of the page before a reload stops
    if sim is not None and kernel_context.has_current_context():
        context = kernel_context.get_current_context()
        # weak both ways: neither may keep the other alive
        ref, kernel = weakref.ref(sim), weakref.ref(context)
        context.on_close(lambda: SESSIONS.leave(ref()))
        sim.attended = lambda: _connected(kernel())
    return sim


def token_in(search: str | None) -> str | None:
    """The session token of a tab's address query (``s=…``), if any."""
    for part in (search or "").split("&"):
        name, _, value = part.partition("=")
        if name == "s" and value:
            return value
    return None


def use_kept(sim: Simulation, name: str, default):
    """Page state that survives a reload: kept in the session (``sim.ui``)."""
    value, set_value = solara.use_state(sim.ui.get(name, default))

    def set_kept(new) -> None:
        sim.ui[name] = new
        set_value(new)

    return value, set_kept


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
    router = solara.use_router()
    token = token_in(router.search)
    sim = solara.use_memo(lambda: _open_session(token), [])

    def address_names_the_session():
        # the session's token in the tab's address, so that a reload comes back to this run;
        # again whenever the address changes (the browser reports its own once it is there)
        if sim is not None and router.set_path is not None:
            sim.keepable = True
            if token != sim.token:
                router.push(f"{router.path or '/'}?s={sim.token}")

    solara.use_effect(address_names_the_session, [router.path, router.search])
    # unmounting (the kernel closing, or a test's render context) leaves the session
    solara.use_effect(lambda: lambda: SESSIONS.leave(sim), [])
    if sim is None:
        SessionsFull()
    else:
        Workshop(sim)


@solara.component
def Workshop(sim: Simulation):
    lang, set_lang = use_kept(sim, "lang", "de")
    # reactive (not plain state) so the play task may change them from its thread, as Mesa's
    # SolaraViz does; reading .value subscribes this component to them
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    # the model's levers now: the lever panel is drawn from them whenever they change (a
    # timeline event while playing, a reset, a change in the room), never from a widget
    levers_now = solara.use_reactive(sim.live.levers)
    speed, set_speed = use_kept(sim, "speed", DEFAULT_SPEED)
    presenting, set_presenting = use_kept(sim, "presenting", False)
    # the views presentation mode shows (one or two; a story step may choose)
    shown, set_shown = use_kept(sim, "shown", ["gradient", "trust"])
    # whose engagement the main view shows (education, age, migration background, silent)
    group, set_group = use_kept(sim, "group", "education")
    # the scenario's story: which step the room is at (Next/Back)
    step_index, set_step_index = use_kept(sim, "step", 0)
    steps = story.steps(sim.scenario, lang)
    message, set_message = solara.use_state(None)
    # counts resets: a reset renders the page again, so the network layout and the controls
    # follow the new model (a new size needs a new layout; another scenario, its own rules)
    runs, set_runs = solara.use_state(0)
    layout = solara.use_memo(lambda: charts.network_layout(sim.live), [sim.live])
    # set once a frame is drawn: the run does not run ahead of what the room sees
    drawn = solara.use_memo(threading.Event, [])

    def redraw():
        levers_now.value = sim.live.levers
        version.value += 1

    def set_playing(value: bool):
        playing.value = value

    def next_pause() -> tuple[int | None, int]:
        """Months until the story's next pause (None: no pause ahead), and the step it is
        the pause of."""
        pause = story.next_pause(sim.scenario, step_index, sim.date) if steps else None
        if pause is None:
            return None, step_index
        owner_step = next(
            (i for i, spec in enumerate(sim.scenario.story) if spec.pause_at == pause),
            step_index,
        )
        return month_index(sim.scenario.run.start, pause) - (sim.live.months_done - 1), owner_step

    owner = sim.owner

    def play_loop():
        while playing.value and sim.owner is owner and not stopping():
            started = time.perf_counter()
            left, pausing_step = next_pause()
            done = sim.step(speed if left is None else min(speed, left))
            if done > 0:
                drawn.clear()
                redraw()
                drawn.wait(FRAME_WAIT)
                if done == left:  # the story pauses here, at the step it is the moment of
                    playing.value = False
                    if pausing_step != step_index:
                        go_to_step(pausing_step)
                    break
            elif sim.closed:  # a closed session's page is gone: nothing to redraw
                break
            elif sim.finished or sim.error:
                playing.value = False
                break
            # else held for a change made in the room, or no browser connected: wait
            time.sleep(max(0.0, FRAME_SECONDS - (time.perf_counter() - started)))

    # the runs with other seeds behind the bands and the answer (ensemble.py): when they are
    # ready, the page redraws once, also while it is paused
    ensemble_key = ensemble.key_of(sim)

    session = weakref.ref(sim)

    def await_ensemble():
        # with no strong hold on the session, and given up once it has ended: the thread
        # holds the page's kernel, which must go soon after the session
        future = ensemble.request(ensemble_key)
        if future.done():
            return  # ready before this page was drawn: it shows the bands already
        while not future.done():
            time.sleep(0.5)
            now = session()
            if now is None or now.closed or stopping():
                return
            del now
        version.value += 1

    solara.lab.use_task(
        await_ensemble, dependencies=[ensemble_key], prefer_threaded=True, raise_error=False
    )

    player = solara.lab.use_task(
        play_loop,
        dependencies=[playing.value, speed, sim.live, step_index],
        prefer_threaded=True,
        raise_error=False,
    )

    def reset(name=None, citizens=None, seed=None, rules=None):
        set_playing(False)
        if name is not None and name != sim.scenario_name:
            set_step_index(0)  # another scenario, another story
        try:
            sim.reset(name, citizens, seed, rules)
            set_message(None)
        except ValueError as exc:
            set_message(str(exc))
        set_runs(runs + 1)
        redraw()

    def go_to_step(index: int):
        """Show story step ``index``: its view (and group) come to the front."""
        index = min(max(index, 0), len(steps) - 1)
        set_step_index(index)
        step = steps[index]
        if step.chart:
            set_shown([step.chart])
        if step.group:
            set_group(step.group)

    def story_panel():
        story.Story(steps, step_index, go_to_step, lang)

    def choose_reference(label: str):
        by_label = reference_choices(sim, lang)
        sim.set_reference(by_label.get(label))
        set_message(None)
        redraw()

    def intervene(kind: str):
        error = sim.intervene(kind)
        set_message(t("already", lang) if error == ALREADY else error)
        redraw()

    def play_buttons():
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

    def speed_buttons():
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(t("speed", lang)), style=SMALL_TEXT)
        solara.ToggleButtonsSingle(value=speed, values=SPEEDS, on_value=set_speed, dense=True)

    def intervention_buttons():
        solara.Button(t("do_assembly", lang), on_click=lambda: intervene("assembly"), outlined=True)
        solara.Button(t("do_fund_agency", lang), on_click=lambda: intervene("fund"), outlined=True)
        solara.Button(t("do_cut_budget", lang), on_click=lambda: intervene("cut"), outlined=True)

    def strip():
        """Presentation mode's controls: one row, the levers folded away."""
        names = {t(f"view_{k}", lang): k for k in VIEWS}

        def choose(labels: list[str]):
            keys = [names[x] for x in labels][-MAX_SHOWN:]
            if keys:
                set_shown(keys)

        with solara.Row(style="flex-wrap: wrap; align-items: center; gap: 8px;"):
            play_buttons()
            solara.ToggleButtonsSingle(value=speed, values=SPEEDS, on_value=set_speed, dense=True)
            solara.ToggleButtonsMultiple(
                value=[t(f"view_{k}", lang) for k in shown],
                values=list(names),
                on_value=choose,
                dense=True,
            )
            language_buttons()
        with solara.Details(summary=f"{t('interventions', lang)} · {t('levers', lang)}"):
            with solara.Row(style="flex-wrap: wrap; gap: 8px;"):
                intervention_buttons()
            Levers(sim, levers_now.value, lang, redraw, set_message)
            export_buttons()

    def language_buttons():
        for code, name in LANGUAGE_NAMES.items():
            solara.Button(
                name,
                on_click=lambda code=code: set_lang(code),
                color="primary" if code == lang else None,
                outlined=code != lang,
            )

    def export_buttons():
        Exports(sim, layout, lang, group)

    def controls():
        with solara.Row():
            language_buttons()
        titles = {scenario_title(n, lang): n for n in available_scenarios()}
        solara.Select(
            label=t("scenario", lang),
            values=list(titles),
            value=scenario_title(sim.scenario_name, lang),
            on_value=lambda title: reset(name=titles[title]),
        )
        solara.Markdown(f"*{question(sim.scenario_name, lang)}*", style=BIG_TEXT)
        choices = reference_choices(sim, lang)
        solara.Select(
            label=t("reference_choice", lang),
            values=list(choices),
            value=next(label for label, name in choices.items() if name == sim.reference),
            on_value=choose_reference,
        )
        solara.SliderInt(
            label=t("citizens", lang),
            value=sim.citizens,
            min=MIN_CITIZENS,
            max=MAX_CITIZENS,
            step=100,
            on_value=lambda n: reset(citizens=n),
        )
        solara.InputInt(label=t("seed", lang), value=sim.seed, on_value=lambda s: reset(seed=s))
        Rules(sim, dict(sim.rules or {}), lang, lambda choice: reset(rules=choice))
        with solara.Row():
            play_buttons()
        speed_buttons()
        solara.Markdown(f"### {t('interventions', lang)}")
        intervention_buttons()
        Levers(sim, levers_now.value, lang, redraw, set_message)
        solara.Markdown(f"### {t('export', lang)}")
        export_buttons()

    solara.Title(t("title", lang))
    # our own two columns rather than AppLayout's drawer, which Solara's server wraps in its
    # own layout and closes on narrow or projected screens
    with solara.Row(style="align-items: flex-start; flex-wrap: nowrap; gap: 16px;"):
        if not presenting:
            with solara.Column(
                style="width: 380px; min-width: 380px; max-height: 100vh; overflow-y: auto;"
                " padding: 12px; background: #F5F5F5; position: sticky; top: 0;"
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
            drawn,
            shown,
            strip,
            group,
            set_group,
            story_panel,
        )
