"""One browser session's simulation: the live run and its reference.

The facilitator's run (``live``) takes every lever change and intervention of the room; the
reference (``baseline``) is the run the faint line shows: by default the same scenario, city
and seed without the room's changes ("what would have happened"), or another scenario the
facilitator chooses (``reference``), e.g. ``infrastructure`` for ``austerity``, so that a
scenario's own timeline shows the answer to its own question. Both use the same rule variants
(``[rules]``, or the session's choice), so the comparison is about levers and events only.

The room's changes are kept in ``log`` (lever, value, month), apart from the scenario's own
timeline: the page labels both in its language at every redraw. A change of the same lever,
or the same intervention, in the same month replaces the earlier one (a drag or rapid clicks
are one change). Every change is validated by the scenario schema before it touches the
model, so no input from the page can put a model in an invalid state; an error in a step is
kept and shown, not raised.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import re
import secrets
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from model.rules import registry
from model.simulation.model import CoProductionModel
from model.simulation.scenario import Challenge, Format, ProcessSpec, Rules, Rung, Scenario, Timing
from model.simulation.scenario.fields import month_index, month_label
from model.simulation.scenario.files import load_scenario, scenario_dir

MIN_CITIZENS, MAX_CITIZENS = 200, 10_000

#: Live sessions (browser pages with a model) at most; more get a "page full" message. Each
#: holds two models (a live run and its counterfactual) and shares the machine's cores with
#: all others, so there must be a limit; 30 is a workshop room.
DEFAULT_MAX_SESSIONS = 30

#: Every model a session built that still exists (weakly: this keeps none alive). After the
#: sessions ended and a collection, it is empty; the server reports its size (the tests check).
MODELS: weakref.WeakSet[CoProductionModel] = weakref.WeakSet()


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in scenario_dir().glob("*.toml"))


def choosable_mechanisms() -> list[str]:
    """The mechanisms with more than one rule variant (built-in or a student's), in order."""
    return [m for m in registry.MECHANISMS if len(registry.available(m)) > 1]


def rule_summary(fn, lang: str = "en") -> str:
    """A variant's own description for the page, as plain text: in German its ``de=`` line if
    it has one, otherwise its first docstring paragraph on one line; reStructuredText and
    Markdown marks (``code``, :func:`name`, *emphasis*) are taken out, not shown."""
    text = getattr(fn, "summary_de", "") if lang == "de" else ""
    if not text:
        doc = (getattr(fn, "__doc__", None) or "").strip()
        text = doc.split("\n\n")[0]
    return plain_text(text)


def plain_text(text: str) -> str:
    """``text`` without inline markup, on one line."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)  # :func:`name`
    text = re.sub(r"`+([^`]+)`+", r"\1", text)  # ``code`` and `code`
    text = re.sub(r"(?<!\w)\*{1,2}([^*]+)\*{1,2}(?!\w)", r"\1", text)  # *emphasis*, **strong**
    return " ".join(text.split())


@dataclass
class Simulation:
    """A live run and its counterfactual, stepped together."""

    scenario_name: str = "baseline"
    citizens: int = 2000
    seed: int = 42
    #: rule variant per mechanism chosen in the page; None: the scenario's own ``[rules]``
    rules: dict[str, str] | None = None
    #: the scenario the faint line runs; None: this scenario without the room's changes
    reference: str | None = None
    scenario: Scenario = field(init=False)
    live: CoProductionModel = field(init=False)
    #: the reference run (the faint line)
    baseline: CoProductionModel = field(init=False)
    error: str | None = field(default=None, init=False)
    #: the room's changes, in order (one per lever or intervention and month)
    log: list[Change] = field(default_factory=list, init=False)
    #: the live run's levers in force each month run, flat (``infrastructure.outreach_eur``)
    lever_history: list[dict[str, object]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        #: names this session in its tab's address (``?s=…``), so that a reload finds it
        self.token = secrets.token_urlsafe(12)
        #: whether the token is in the tab's address (then a reload can come back to it)
        self.keepable = False
        #: the page's own state (language, views, story step), kept over a reload
        self.ui: dict[str, object] = {}
        #: the page showing this session now (a new one after a reload)
        self.owner: object = None
        #: set while a change waits for the lock: a play loop then stops at the next month,
        #: so the change lands in the month the room sees (not a frame of months later)
        self._hold = threading.Event()
        self.closed = False
        #: whether a browser shows this session now; the page sets it. While none does (until
        #: the reconnect or the cull), stepping stops: playing on for nobody would take two
        #: shared cores from everyone else.
        self.attended: Callable[[], bool] = lambda: True
        self.reset()

    def close(self) -> None:
        """Stop for good: called when the session's browser has gone (its kernel closes).

        A play loop still running stops at its next step. The models stay until
        :meth:`drop_models`: the page may be drawing a last frame from them right now.
        """
        with self._lock:
            self.closed = True

    def drop_models(self) -> None:
        """Let go of both models, so that their memory (agents, networks, arrays) is freed
        even if something still holds this closed session."""
        with self._lock:
            for name in ("live", "baseline"):
                self.__dict__.pop(name, None)

    # ------------------------------------------------------------------ life cycle
    def reset(
        self,
        scenario_name: str | None = None,
        citizens: int | None = None,
        seed: int | None = None,
        rules: dict[str, str] | None = None,
    ) -> None:
        """Start again (optionally with another scenario, size, seed or rule variants).

        ``rules`` changes the variants of the mechanisms it names, keeping the others; another
        scenario brings back its own rules, unless ``rules`` is given too. Unknown names raise
        a ``ValueError`` (pydantic's) listing the available variants. Another scenario also
        brings back the default reference (itself without the room's changes).
        """
        name = scenario_name or self.scenario_name
        if name != self.scenario_name:
            self.reference = None
        n = min(MAX_CITIZENS, max(MIN_CITIZENS, int(citizens or self.citizens)))
        seed = max(0, int(self.seed if seed is None else seed))
        if name not in available_scenarios():
            raise ValueError(f"unknown scenario {name!r}")
        scenario = load_scenario(name)
        own = scenario.rules.model_dump()
        kept = self.rules if (self.rules is not None and name == self.scenario_name) else own
        chosen = own | kept | (rules or {})
        if chosen != own:
            # validated like a [rules] table; the same scenario for both runs
            scenario = scenario.model_copy(update={"rules": Rules.model_validate(chosen)})
        with self._lock:
            self.scenario_name, self.citizens, self.seed = name, n, seed
            self.rules = chosen
            self.scenario = scenario
            self.live = CoProductionModel(scenario, rng=seed, citizens=n)
            self.baseline = self._reference_model(self.reference)
            MODELS.update((self.live, self.baseline))
            self.error = None
            self.log = []
            self.lever_history = []

    def _reference_model(self, name: str | None) -> CoProductionModel:
        """A new reference run: scenario ``name`` (None: this one) with the session's city
        size, seed and rules."""
        scenario = self.scenario
        if name is not None and name != self.scenario_name:
            other = load_scenario(name)
            scenario = other.model_copy(update={"rules": self.scenario.rules})
        return CoProductionModel(scenario, rng=self.seed, citizens=self.citizens)

    def set_reference(self, name: str | None) -> None:
        """Draw the faint line from scenario ``name`` (None: this scenario without the room's
        changes) from now on; its run catches up with the live one at once."""
        if name is not None and name not in available_scenarios():
            raise ValueError(f"unknown scenario {name!r}")
        reference = self._reference_model(name)
        with self._lock:
            for _ in range(self.live.months_done):
                reference.step()
            self.reference = name
            self.baseline = reference
            MODELS.add(reference)

    @property
    def changes(self) -> int:
        """How many changes the room made in this run."""
        return len(self.log)

    def changed_rules(self) -> dict[str, str]:
        """The mechanisms whose rule is not the registry's default, and their variant."""
        defaults = registry.defaults()
        return {m: v for m, v in self.live.rules.names.items() if v != defaults[m]}

    @property
    def finished(self) -> bool:
        return not self.live.running

    def step(self, months: int = 1) -> int:
        """Advance both runs; returns the months done. Errors are kept in ``error``."""
        done = 0
        for _ in range(months):
            if self._hold.is_set():
                break  # a change is waiting: it takes effect in the month the room sees
            with self._lock:
                if self.closed or not self.attended() or self.error or not self.live.running:
                    break
                try:
                    self.live.step()
                    if self.baseline.running:
                        self.baseline.step()
                except Exception as exc:  # shown on the page; the session stays usable
                    self.error = f"{type(exc).__name__}: {exc}"
                    break
                self.lever_history.append(flat_levers(self.live.levers))
            done += 1
        return done

    @property
    def date(self) -> str:
        """The month the live run has reached (the last one run), ``YYYY-MM``; before the
        first step, the month before the start."""
        return month_label(self.scenario.run.start, self.live.months_done - 1)

    def scenario_events(self, lang: str) -> list[tuple[str, str]]:
        """The scenario's own timeline up to now, as (``YYYY-MM``, label in ``lang``)."""
        now = self.live.months_done
        return [
            (item.date, (item.label_de or item.label) if lang == "de" else item.label)
            for item in self.scenario.timeline
            if month_index(self.scenario.run.start, item.date) < now
        ]

    # ------------------------------------------------------------------ changes
    def set_levers(self, partial: dict, label: str = "", *, intervention: str = "") -> str | None:
        """Change levers of the live run from now on, and note each one in ``log`` (a lever
        changed again in the same month replaces its entry), or the ``intervention`` they
        make up. Returns an error message or None; a refused change changes nothing."""
        self._hold.set()
        try:
            with self._lock:
                try:
                    self.live.set_levers(partial, label=label or None)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    key = ".".join(str(p) for p in err["loc"])
                    return f"{key}: given {err.get('input')!r}; {err['msg']}"
                now = flat_levers(self.live.levers)
                if intervention:
                    self.log.append(Change(self.date_of_change, intervention, None))
                for key in [] if intervention else flat_keys(partial):
                    self._note(key, now[key])
        finally:
            self._hold.clear()
        return None

    def _note(self, key: str, value: object) -> None:
        """Log a change of ``key`` to ``value`` now; the same key this month: replaced."""
        date = self.date_of_change
        self.log = [c for c in self.log if (c.key, c.date) != (key, date)]
        self.log.append(Change(date, key, value))

    @property
    def date_of_change(self) -> str:
        """The month a change made now is marked at: the month shown (the last one run; the
        first month before the start). It acts from the next month run on."""
        return month_label(self.scenario.run.start, max(0, self.live.months_done - 1))

    def intervene(self, kind: str) -> str | None:
        """An intervention of the page, at most once per month each: ``assembly`` (a
        citizens' assembly on the climate plan), ``fund`` (agency budget doubled) or ``cut``
        (every budget halved). Returns an error message, or None."""
        if kind not in INTERVENTIONS:
            return f"intervention: given {kind!r}; one of {', '.join(INTERVENTIONS)}"
        if any((c.key, c.date) == (kind, self.date_of_change) for c in self.log):
            return ALREADY  # repeated clicks in one month are one intervention
        if kind == "assembly":
            self._hold.set()
            try:
                with self._lock:
                    self.live.open_process(ASSEMBLY, kind)
                    self.log.append(Change(self.date_of_change, kind, None))
            finally:
                self._hold.clear()
            return None
        budgets = self.live.levers.infrastructure.model_dump()
        factor, keys = (2.0, ["volunteer_agency_eur"]) if kind == "fund" else (0.5, list(budgets))
        partial = {"infrastructure": {k: budgets[k] * factor for k in keys}}
        return self.set_levers(partial, kind, intervention=kind)

    def citizens_assembly(self, label: str = "") -> None:
        """A citizens' assembly on the climate plan, early, co-design, with outreach."""
        self.intervene("assembly")

    def scale_budgets(self, factor: float, label: str, only: str | None = None) -> str | None:
        """Multiply infrastructure budgets (all, or the one named ``only``)."""
        budgets = self.live.levers.infrastructure.model_dump()
        keys = [only] if only else list(budgets)
        return self.set_levers({"infrastructure": {k: budgets[k] * factor for k in keys}}, label)

    # ------------------------------------------------------------------ results
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        with self._lock:
            return self.live.dataframe(), self.baseline.dataframe()


@dataclass(frozen=True)
class Change:
    """A change the room made: lever ``key`` (``infrastructure.outreach_eur``) set to
    ``value``, or an intervention (``assembly``, ``fund``, ``cut``; value None), taking effect
    in month ``date``. The page labels it in its language."""

    date: str
    key: str
    value: object


#: the interventions of the page
INTERVENTIONS = ("assembly", "fund", "cut")
#: what :meth:`Simulation.intervene` returns for an intervention already made this month
ALREADY = "already this month"
#: the page's citizens' assembly: on the climate plan, early, co-design, with outreach (as
#: the climate_assembly scenario and Cologne's Bürgerrat of 2025)
ASSEMBLY = ProcessSpec(
    topic=Challenge.climate,
    format=Format.citizens_assembly,
    rung=Rung.co_design,
    timing=Timing.early,
    outreach=True,
)


def flat_levers(levers) -> dict[str, object]:
    """``{"participation.timing": "early", ...}``: the levers as plain values by path."""
    out: dict[str, object] = {}
    for group, values in levers.model_dump(mode="json").items():
        for key, value in values.items():
            out[f"{group}.{key}"] = value
    return out


def flat_keys(partial: dict) -> list[str]:
    """The lever paths a partial lever table sets."""
    return [f"{group}.{key}" for group, values in partial.items() for key in values]


# ---------------------------------------------------------------------- sessions of the server
class Sessions:
    """The live sessions of one server process, at most ``limit`` of them.

    A workshop page runs for a whole day: every session a browser opens must end and give its
    memory back when the browser goes, and a crowd (or a script) must not open more sessions
    than two cores and the machine's memory can hold.
    """

    def __init__(self, limit: int | None = None):
        self._lock = threading.Lock()
        self._open: dict[int, Simulation] = {}
        self._reserved = 0
        #: sessions whose tab has gone but may come back (a reload), by their token
        self._kept: dict[str, Simulation] = {}
        self.limit = limit if limit is not None else limit_from_environment()

    def live(self) -> int:
        with self._lock:
            return len(self._open) + self._reserved

    def open(self, token: str | None = None, **kwargs) -> Simulation | None:
        """The session of ``token`` if its tab has just gone (a reload: the same run comes
        back), else a new session's :class:`Simulation`, or None when ``limit`` sessions are
        live (then no model is built). The place is taken before the (slow) build, so that
        many pages opening at once cannot all pass the check."""
        with self._lock:
            kept = self._kept.pop(token, None) if token else None
            if kept is not None and not kept.closed:
                return kept
            if len(self._open) + self._reserved >= self.limit:
                return None
            self._reserved += 1
        sim = None
        try:
            sim = Simulation(**kwargs)
        finally:
            with self._lock:
                self._reserved -= 1
                if sim is not None:
                    self._open[id(sim)] = sim
        return sim

    def leave(self, sim: Simulation | None) -> None:
        """``sim``'s page has gone (its kernel closed). If its tab can come back to it (its
        token is in the tab's address: a reload), it is kept for :func:`reload_grace`
        seconds, then ended; otherwise it ends now."""
        if sim is None or sim.closed:
            return
        grace = reload_grace()
        if not sim.keepable or grace <= 0:
            self.close(sim)
            return
        with self._lock:
            if self._kept.get(sim.token) is sim:
                return  # left already
            self._kept[sim.token] = sim
        timer = threading.Timer(grace, self._expire, args=(sim.token, sim))
        timer.current_context = None  # Solara's patched Thread: in no kernel
        timer.daemon = True
        timer.start()

    def _expire(self, token: str, sim: Simulation) -> None:
        with self._lock:
            gone = self._kept.get(token) is sim
            if gone:
                del self._kept[token]
        if gone:  # not taken back by a reload in time
            self.close(sim)

    def close_all(self) -> None:
        """End every session (the server stops): their play loops and clocks stop with them."""
        with self._lock:
            sims = list(self._open.values())
            self._kept.clear()
        for sim in sims:
            sim.close()
        with self._lock:
            self._open.clear()

    def close(self, sim: Simulation | None) -> None:
        """End ``sim``'s session (again: nothing happens) and give its memory back."""
        if sim is None:
            return
        with self._lock:
            known = self._open.pop(id(sim), None) is sim
        sim.close()
        if known:
            release_memory_soon(sim)


def limit_from_environment() -> int:
    """``COPROD_MAX_SESSIONS``, else :data:`DEFAULT_MAX_SESSIONS`; at least 1."""
    raw = os.environ.get("COPROD_MAX_SESSIONS", "")
    try:
        return max(1, int(raw)) if raw.strip() else DEFAULT_MAX_SESSIONS
    except ValueError:
        return DEFAULT_MAX_SESSIONS


#: Seconds a session waits for its tab to come back after the page went (a reload, a tab
#: restored by the browser): long enough for a slow reload on a projector laptop, short enough
#: that a room leaving frees its places soon. ``COPROD_RELOAD_GRACE`` sets it (0: never kept).
RELOAD_GRACE = 60.0


def reload_grace() -> float:
    """``COPROD_RELOAD_GRACE`` (seconds), else :data:`RELOAD_GRACE`."""
    try:
        return max(0.0, float(os.environ.get("COPROD_RELOAD_GRACE", RELOAD_GRACE)))
    except ValueError:
        return RELOAD_GRACE


#: The sessions of this process (the page registers each of its own here).
SESSIONS = Sessions()

_release_lock = threading.Lock()
_release_thread: threading.Thread | None = None
_closed: list[weakref.ref[Simulation]] = []  # sessions ended since the last release
_last_close = 0.0
#: Seconds without a session ending before the collection: a kernel's threads, sockets and
#: widgets go a moment after its session (Solara collects 1 s after a kernel closes), and a
#: room that leaves at once costs one pass, not thirty.
RELEASE_QUIET = 5.0


def release_memory_soon(closed: Simulation | None = None) -> None:
    """Collect garbage and hand freed memory back to the operating system, soon; first drop
    the models of the ``closed`` session if it still exists then (its kernel is gone by then).

    A closed session's objects are reference cycles (widgets, components, models) that wait
    for a full collection; once collected, glibc keeps the freed pages in its arenas (one per
    thread, and every session runs in threads), so the process would never shrink without
    ``malloc_trim``. Runs in a thread of its own once no session ended for ``RELEASE_QUIET``.
    """
    global _release_thread, _last_close
    with _release_lock:
        _last_close = time.monotonic()
        if closed is not None:
            _closed.append(weakref.ref(closed))
        if _release_thread is not None:
            return  # the waiting one will see this close too
        _release_thread = threading.Thread(
            target=_release, name="coprod-release-memory", daemon=True
        )
        _release_thread.current_context = None  # Solara's patched Thread: in no kernel
        try:
            _release_thread.start()
        except RuntimeError:  # the interpreter is shutting down: the memory goes anyway
            _release_thread = None


def _release() -> None:
    global _release_thread
    latest = time.monotonic() + 6 * RELEASE_QUIET  # a steady stream of leavers waits no longer
    while True:
        with _release_lock:
            wait = min(_last_close + RELEASE_QUIET, latest) - time.monotonic()
            if wait <= 0:
                _release_thread = None
                closed, _closed[:] = [ref() for ref in _closed], []
                break
        time.sleep(wait)
    for sim in filter(None, closed):
        sim.drop_models()
    closed = sim = None  # no reference from here
    release_memory_now()


def release_memory_now() -> None:
    """A full collection, then glibc's ``malloc_trim``; see :func:`release_memory_soon`."""
    _forget_fonts()
    gc.collect()
    _malloc_trim()


def _forget_fonts() -> None:
    """Empty matplotlib's font cache, whose fonts belong to threads that are mostly gone.

    FreeType fonts are not thread-safe, so matplotlib caches up to 64 of them per thread id,
    each with its FreeType state in C memory; every session draws in threads of its own.
    Threads still drawing simply open their fonts again.
    """
    font_manager = sys.modules.get("matplotlib.font_manager")  # not imported: nothing cached
    clear = getattr(getattr(font_manager, "_get_font", None), "cache_clear", None)
    if clear is not None:
        clear()


def _malloc_trim() -> None:
    """glibc's ``malloc_trim(0)``; nothing elsewhere (macOS, musl) or if it cannot be loaded."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        trim = None
    if trim is not None:
        trim(0)
