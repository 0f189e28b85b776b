"""One browser session's simulation: the live run and its counterfactual.

The facilitator's run (``live``) takes every lever change and intervention; the
counterfactual (``baseline``) is the same city and seed without them, so the page can draw
"what would have happened". Both follow the scenario's own timeline and the same rule
variants (``[rules]``, or the session's choice), so the comparison is about levers only.
Every change is
validated by the scenario schema before it touches the model, so no input from the page can
put a model in an invalid state; an error in a step is kept and shown, not raised.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from model.rules import registry
from model.simulation.model import CoProductionModel
from model.simulation.scenario import Challenge, Format, ProcessSpec, Rules, Rung, Scenario, Timing
from model.simulation.scenario.files import load_scenario, scenario_dir

MIN_CITIZENS, MAX_CITIZENS = 200, 10_000


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
    scenario: Scenario = field(init=False)
    live: CoProductionModel = field(init=False)
    baseline: CoProductionModel = field(init=False)
    error: str | None = field(default=None, init=False)
    changes: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

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
        a ``ValueError`` (pydantic's) listing the available variants.
        """
        name = scenario_name or self.scenario_name
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
            self.baseline = CoProductionModel(scenario, rng=seed, citizens=n)
            self.error = None
            self.changes = 0

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
        with self._lock:
            for _ in range(months):
                if self.error or not self.live.running:
                    break
                try:
                    self.live.step()
                    self.baseline.step()
                except Exception as exc:  # shown on the page; the session stays usable
                    self.error = f"{type(exc).__name__}: {exc}"
                    break
                done += 1
        return done

    # ------------------------------------------------------------------ changes
    def set_levers(self, partial: dict, label: str) -> str | None:
        """Change levers of the live run from now on. Returns an error message or None."""
        with self._lock:
            try:
                self.live.set_levers(partial, label=label)
            except ValidationError as exc:
                err = exc.errors()[0]
                key = ".".join(str(p) for p in err["loc"])
                return f"{key}: given {err.get('input')!r}; {err['msg']}"
            self.changes += 1
        return None

    def citizens_assembly(self, label: str) -> None:
        """A citizens' assembly on the climate plan, early, co-design, with outreach."""
        spec = ProcessSpec(
            topic=Challenge.climate,
            format=Format.citizens_assembly,
            rung=Rung.co_design,
            timing=Timing.early,
            outreach=True,
        )
        with self._lock:
            self.live.open_process(spec, label)
            self.changes += 1

    def scale_budgets(self, factor: float, label: str, only: str | None = None) -> str | None:
        """Multiply infrastructure budgets (all, or the one named ``only``)."""
        budgets = self.live.levers.infrastructure.model_dump()
        keys = [only] if only else list(budgets)
        return self.set_levers({"infrastructure": {k: budgets[k] * factor for k in keys}}, label)

    # ------------------------------------------------------------------ results
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        with self._lock:
            return self.live.dataframe(), self.baseline.dataframe()
