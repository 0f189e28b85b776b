"""Experiment files: which scenarios, which parameters vary, how they are sampled, how often.

An experiment is a TOML file in ``experiments/`` validated like a scenario (pydantic,
unknown keys rejected, errors naming file, key, given value and what is allowed; its JSON
Schema, ``experiments/experiment.schema.json``, is written by ``coprod schema --experiment``).
Its design turns into a list of runs, each a pure function of (scenario, parameter values,
seed):

* ``grid`` — the full factorial of every parameter's ``values`` (or ``range`` with ``steps``);
* ``lhs``, ``sobol``, ``morris`` — samples from SALib over the parameters' ``range`` (Latin
  hypercube; Saltelli's scheme for Sobol indices; Morris trajectories). Categorical
  parameters (``values``) are allowed in ``lhs`` (sampled uniformly); Sobol and Morris need
  numeric ranges.

Instead of ``parameters`` an experiment may separate **levers** (the policy options a city
chooses between) from **uncertainties** (what nobody controls: behavioural parameters, rule
variants). Every policy, one combination of the levers' values (a full factorial), then runs
in the same states of the world: the grid (``design = "grid"``) or ``samples`` Latin-hypercube
draws (``design = "lhs"``) over the uncertainties. That is the layout of exploratory
modelling (Kwakkel 2017, the EMA Workbench; Lempert et al. 2006), which the analysis turns
into each policy's spread across uncertainties, its regret and a robustness ranking.

Replication seeds come from one experiment seed by ``numpy.random.SeedSequence`` spawning:
replication *r* uses the same seed at every design point (common random numbers), so
differences between points are not blurred by different random streams.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.simulation.indicators import INDICATORS
from model.simulation.scenario import Scenario, deep_merge, month_index
from model.simulation.scenario.files import (
    PACKAGE_ROOT,
    ScenarioError,
    _explain,
    _show,
    load_raw,
    read_toml,
    resolve,
    scenario_dir,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Blame(ValueError):
    """A check across keys that blames one of them: ``key`` (relative to the model checked,
    empty for the model itself), the value given there and what is allowed."""

    def __init__(self, key: str, given: Any, allowed: str):
        self.key, self.given, self.allowed = key, given, allowed
        super().__init__(allowed)


#: Indicator columns an experiment may keep (the model's DataCollector reporters).
Indicator = Literal[tuple(INDICATORS)]


class Parameter(Strict):
    """One varied parameter: a list of values, or a numeric range with a distribution."""

    values: list[Any] | None = Field(None, description="Values to take (grid, lhs).")
    range: tuple[float, float] | None = Field(None, description="[low, high] (all designs).")
    steps: int | None = Field(None, ge=2, le=1000, description="Grid points in the range.")
    distribution: Literal["uniform", "normal", "triangular"] = Field(
        "uniform",
        description="How values spread over the range in lhs/sobol/morris: uniform, normal "
        "(truncated to the range; needs mean and sd) or triangular (needs mode).",
    )
    mean: float | None = Field(None, description="Mean of a normal distribution (in the range).")
    sd: float | None = Field(None, gt=0, description="Standard deviation of a normal one.")
    mode: float | None = Field(
        None, description="Most likely value of a triangular one (in the range)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            given = (
                "both 'values' and 'range'"
                if self.values is not None
                else "neither 'values' nor 'range'"
            )
            raise Blame("", given, "either 'values' (a list) or 'range' ([low, high])")
        if self.values is not None and not self.values:
            raise Blame("values", [], "a list of at least one value")
        if self.range is None:
            if self.distribution != "uniform":
                raise Blame(
                    "distribution",
                    self.distribution,
                    f"'uniform' with 'values' (a {self.distribution} distribution needs a 'range')",
                )
            return self
        lo, hi = self.range
        if not lo < hi:
            raise Blame("range", list(self.range), "[low, high] with low < high")
        inside = f"a number inside the range, {lo:g} to {hi:g}"
        for key, needs in (("mean", "normal"), ("sd", "normal"), ("mode", "triangular")):
            value = getattr(self, key)
            if value is None and self.distribution == needs:
                raise Blame(
                    key,
                    "nothing",
                    f"{inside if key != 'sd' else 'a number more than 0'} "
                    f"(a {needs} distribution needs '{key}')",
                )
            if value is not None and self.distribution != needs:
                raise Blame(key, value, f"no '{key}' unless distribution = '{needs}'")
            if value is not None and key != "sd" and not lo <= value <= hi:
                raise Blame(key, value, inside)
        return self

    def salib(self) -> tuple[list[float], str]:
        """Bounds and distribution name as SALib expects them."""
        lo, hi = self.range if self.range else (0.0, 1.0)
        if self.distribution == "normal":
            return [lo, hi, self.mean, self.sd], "truncnorm"
        if self.distribution == "triangular":
            return [lo, hi, (self.mode - lo) / (hi - lo)], "triang"
        return [lo, hi], "unif"


class DerivedOutcome(Strict):
    """An outcome of one's own: the difference or the ratio of two outcomes (names only,
    nothing is evaluated)."""

    difference: list[str] | None = Field(
        None, min_length=2, max_length=2, description="[a, b]: the outcome a - b."
    )
    ratio: list[str] | None = Field(
        None, min_length=2, max_length=2, description="[a, b]: the outcome a / b."
    )

    @model_validator(mode="after")
    def _one(self) -> DerivedOutcome:
        if (self.difference is None) == (self.ratio is None):
            raise Blame("", "both or neither", "either 'difference' or 'ratio' (two names)")
        return self


#: the largest experiment: a million runs of a few seconds each are weeks on a cluster; a
#: design that needs more is a mistake in the file (``steps`` or ``samples`` too large)
MAX_RUNS = 1_000_000


class Experiment(Strict):
    """A validated experiment file."""

    name: str = Field("experiment", description="Short name (the file name by default).")
    question: str = Field("", description="What the experiment asks.")
    scenarios: list[str] = Field(["baseline"], min_length=1, description="Base scenarios.")
    parameters: dict[str, Parameter] = Field(
        default_factory=dict, description="Dotted scenario key -> variation."
    )
    levers: dict[str, Parameter] = Field(
        default_factory=dict,
        description="Policy options (dotted scenario key -> values, or range with steps): "
        "every combination is a policy. Use with 'uncertainties' instead of 'parameters'.",
    )
    uncertainties: dict[str, Parameter] = Field(
        default_factory=dict,
        description="What nobody controls (dotted scenario key -> values or range): every "
        "policy runs in the same states of the world, a grid or 'samples' lhs draws.",
    )
    design: Literal["grid", "lhs", "sobol", "morris"] = Field(
        "grid",
        description="grid: full factorial of values/steps; lhs: Latin hypercube; sobol: "
        "Saltelli's scheme for Sobol' indices; morris: Morris trajectories.",
    )
    samples: int = Field(
        16,
        ge=1,
        le=100_000,
        description="lhs: points; sobol: base N (power of 2); morris: trajectories.",
    )
    replications: int = Field(
        1, ge=1, le=10_000, description="Runs per design point (same seeds at every point)."
    )
    seed: int = Field(2026, ge=0, description="Experiment seed; replication seeds derive from it.")
    months: int | None = Field(None, ge=1, le=600, description="Override run.months.")
    citizens: int | None = Field(None, ge=50, le=2_000_000, description="Override run.citizens.")
    keep: Literal["series", "final"] = Field(
        "series", description="Monthly series or final values only."
    )
    indicators: list[Indicator] = Field(
        default_factory=list, description="Indicators to keep (all if empty)."
    )
    derived: dict[str, DerivedOutcome] = Field(
        default_factory=dict,
        description="Outcomes of one's own for the analysis: name -> difference or ratio of "
        "two indicators, derived outcomes or outcomes declared before it.",
    )

    @model_validator(mode="after")
    def _derived_names(self) -> Experiment:
        from model.studies.analysis.derived import DERIVED

        known = [*INDICATORS, *DERIVED]
        for name, spec in self.derived.items():
            if name in known:
                raise Blame(f"derived.{name}", name, "a name that is not already an outcome")
            kind = "difference" if spec.difference is not None else "ratio"
            for part in getattr(spec, kind):
                if part not in known:
                    raise Blame(
                        f"derived.{name}.{kind}",
                        part,
                        f"an indicator, a derived outcome or an earlier declared one: "
                        f"{', '.join(known)}",
                    )
            known.append(name)
        return self

    def varied(self) -> dict[str, Parameter]:
        """Every varied key: the parameters, or the levers and the uncertainties."""
        return {**self.parameters, **self.levers, **self.uncertainties}

    @model_validator(mode="after")
    def _policies_fit(self) -> Experiment:
        if not (self.levers or self.uncertainties):
            return self
        if self.parameters:
            raise Blame(
                "parameters",
                list(self.parameters),
                "no 'parameters' beside 'levers' and 'uncertainties' (put each key in one of "
                "the two)",
            )
        if self.design not in ("grid", "lhs"):
            raise Blame(
                "design",
                self.design,
                "'grid' or 'lhs' with levers and uncertainties (the states of the world are a "
                "grid or Latin-hypercube draws)",
            )
        if both := sorted(set(self.levers) & set(self.uncertainties)):
            raise Blame("uncertainties", both, "keys that are not also levers")
        grid = dict(self.levers, **(self.uncertainties if self.design == "grid" else {}))
        for key, p in grid.items():
            if p.range is not None and p.steps is None:
                raise Blame(
                    f"{'levers' if key in self.levers else 'uncertainties'}.{key}.steps",
                    "nothing",
                    f"a whole number from 2 to 1000 (a full factorial: 'steps' divides the "
                    f"range {list(p.range)}), or give 'values'",
                )
        return self

    @model_validator(mode="after")
    def _size_is_bounded(self) -> Experiment:
        """Count the runs before any design is expanded: a grid of three parameters with
        1,000 steps each is 10^9 points, which would take minutes to list and then exhaust
        memory instead of failing at once."""
        total = self.count_runs()
        if total > MAX_RUNS:
            raise Blame(
                "design",
                f"{total:,} runs ({self.count_points():,} points x {self.replications} "
                f"replications x {len(self.scenarios)} scenarios)",
                f"at most {MAX_RUNS:,} runs in one experiment (fewer values or steps, "
                "fewer samples or replications; or split it into several experiments)",
            )
        return self

    def count_points(self) -> int:
        """The number of design points, computed without listing them."""

        def grid(params: dict[str, Parameter]) -> int:
            return math.prod(
                len(p.values) if p.values is not None else (p.steps or 1) for p in params.values()
            )

        if self.levers or self.uncertainties:
            states = grid(self.uncertainties) if self.design == "grid" else self.samples
            return grid(self.levers) * max(states, 1)
        if not self.parameters:
            return 1
        k = len(self.parameters)
        return {
            "grid": grid(self.parameters),
            "lhs": self.samples,
            "sobol": self.samples * (k + 2),
            "morris": self.samples * (k + 1),
        }[self.design]

    def count_runs(self) -> int:
        return self.count_points() * self.replications * len(self.scenarios)

    @model_validator(mode="after")
    def _design_fits(self) -> Experiment:
        if self.design in ("sobol", "morris"):
            for key, p in self.parameters.items():
                if p.range is None:
                    raise Blame(
                        f"parameters.{key}.values",
                        p.values,
                        f"a numeric 'range' instead: {self.design} needs one for every parameter",
                    )
            if len(self.parameters) < 2:
                raise Blame("parameters", list(self.parameters), f"at least two for {self.design}")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            lower = 1 << (self.samples.bit_length() - 1)
            raise Blame(
                "samples",
                self.samples,
                f"a power of 2 for sobol, e.g. {lower} or {2 * lower} (Saltelli's estimators "
                "of Sobol' indices converge only for N = 2^k)",
            )
        for key, p in self.parameters.items():
            if self.design == "morris" and p.distribution != "uniform":
                raise Blame(
                    f"parameters.{key}.distribution",
                    p.distribution,
                    "'uniform': morris samples uniform ranges only; use lhs or sobol",
                )
            if self.design == "grid" and p.range is not None and p.steps is None:
                raise Blame(
                    f"parameters.{key}.steps",
                    "nothing",
                    f"a whole number from 2 to 1000: grid needs 'steps' to divide the range "
                    f"{list(p.range)} (or give 'values')",
                )
            if self.design == "grid" and p.distribution != "uniform":
                raise Blame(
                    f"parameters.{key}.distribution",
                    p.distribution,
                    "'uniform': grid takes no distribution; use design = 'lhs' or 'sobol'",
                )
        return self

    # ---------------------------------------------------------------- design
    def problem(self) -> dict | None:
        """The SALib problem of a sampling design."""
        if self.design == "grid":
            return None
        names = list(self.parameters)
        specs = [p.salib() for p in self.parameters.values()]
        return {
            "num_vars": len(names),
            "names": names,
            "bounds": [b for b, _ in specs],
            "dists": [d for _, d in specs],
        }

    def design_matrix(self) -> np.ndarray | None:
        """The raw SALib sample (rows: design points), None for grids."""
        problem = self.problem()
        if problem is None:
            return None
        if self.design == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, self.samples, seed=self.seed)
        if self.design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, self.samples, calc_second_order=False, seed=self.seed)
        from SALib.sample import morris

        return morris.sample(problem, self.samples, seed=self.seed)

    def points(self) -> list[dict[str, Any]]:
        """Parameter values of every design point, in order (with levers: every policy in
        every state of the world, policy by policy)."""
        if self.levers or self.uncertainties:
            plain = {"levers": {}, "uncertainties": {}}
            policies = self.model_copy(
                update={**plain, "parameters": self.levers, "design": "grid"}
            )
            states = self.model_copy(update={**plain, "parameters": self.uncertainties})
            return [
                {**policy, **state} for policy in policies.points() for state in states.points()
            ]
        if not self.parameters:
            return [{}]
        if self.design == "grid":
            axes = []
            for p in self.parameters.values():
                if p.values is not None:
                    axes.append(list(p.values))
                else:
                    axes.append(np.linspace(p.range[0], p.range[1], p.steps).tolist())
            return [
                dict(zip(self.parameters, combo, strict=True)) for combo in itertools.product(*axes)
            ]
        rows = self.design_matrix()
        out = []
        for row in rows:
            point = {}
            for (key, p), x in zip(self.parameters.items(), row, strict=True):
                if p.values is not None:  # categorical in lhs: x in [0, 1) picks a value
                    point[key] = p.values[min(int(x * len(p.values)), len(p.values) - 1)]
                else:
                    point[key] = float(x)
            out.append(point)
        return out

    def replication_seeds(self) -> list[int]:
        children = np.random.SeedSequence(self.seed).spawn(self.replications)
        return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]

    def runs(self) -> list[dict[str, Any]]:
        """Every run: id, scenario, point, replication, seed and parameter values."""
        seeds = self.replication_seeds()
        out = []
        for scenario in self.scenarios:
            for p, params in enumerate(self.points()):
                for r, seed in enumerate(seeds):
                    out.append(
                        {
                            "run_id": len(out),
                            "scenario": scenario,
                            "point": p,
                            "replication": r,
                            "seed": seed,
                            "params": params,
                        }
                    )
        return out

    def overrides(self, params: dict[str, Any]) -> dict:
        """A nested override dictionary for one run."""
        out: dict = {"run": {}}
        if self.months is not None:
            out["run"]["months"] = self.months
        if self.citizens is not None:
            out["run"]["citizens"] = self.citizens
        for key, value in params.items():
            nested: Any = value
            for part in reversed(key.split(".")):
                nested = {part: nested}
            out = deep_merge(out, nested)
        return out


def experiment_dir() -> Path:
    here = Path.cwd() / "experiments"
    from model.simulation.scenario.files import PACKAGE_ROOT

    return here if here.is_dir() else PACKAGE_ROOT / "experiments"


def load_experiment(ref: str | Path) -> tuple[Experiment, Path, str]:
    """Load and validate an experiment; returns it, its path and the hash of its text."""
    path = Path(ref)
    if not path.exists() and path.suffix != ".toml" and len(path.parts) == 1:
        path = experiment_dir() / f"{ref}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(f.stem for f in experiment_dir().glob("*.toml")))
        raise ScenarioError(
            path, "", str(ref), f"an existing experiment file (.toml) or a shipped one: {shipped}"
        )
    try:
        raw = read_toml(path)
    except ScenarioError as exc:
        if exc.given != "an empty file":
            raise
        raise ScenarioError(
            path, "", exc.given, "a TOML experiment (see experiments/levers.toml)"
        ) from None
    raw.setdefault("name", path.stem)
    try:
        exp = Experiment.model_validate(raw)
    except ValidationError as exc:
        from model.studies.experiment_errors import explain

        raise explain(path, exc) from None
    from model.studies.experiment_errors import check_variant_params

    # every base scenario must run with the experiment's settings, and every varied key
    # with every base scenario
    for name, (base, scenario_path) in base_scenarios(exp, path).items():
        _check_base(path, exp, name, base, scenario_path)
        check_variant_params(path, exp, base)
        for key, param in exp.varied().items():
            # every listed value, or both ends of a range, must make a valid scenario (so
            # no sampled value can fall outside: normal distributions are truncated to it)
            for value in param.values if param.values is not None else list(param.range):
                if err := _scenario_error(path, base, exp.overrides({key: value})):
                    raise ScenarioError(
                        path,
                        f"{_table_of(exp, key)}.{key}",
                        value,
                        f"a scenario key and value ({err.key}: {err.allowed})",
                    )
            if param.range is not None:
                # a range gives decimals between its ends: a key that takes whole numbers
                # (run.citizens, ...) would fail at run time in every sampled run
                lo, hi = param.range
                inside = lo + 0.377 * (hi - lo)
                if err := _scenario_error(path, base, exp.overrides({key: inside})):
                    raise ScenarioError(
                        path,
                        f"{_table_of(exp, key)}.{key}.range",
                        list(param.range),
                        f"'values' (a list) instead: a range gives decimals such as "
                        f"{inside:g}, and {err.key} takes {err.allowed}",
                    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return exp, path, digest


def _table_of(exp: Experiment, key: str) -> str:
    """The table of the experiment file that names ``key``."""
    return next(t for t in ("parameters", "levers", "uncertainties") if key in getattr(exp, t))


def _scenario_error(path: Path, base: dict, overrides: dict) -> ScenarioError | None:
    """Why the base scenario with these overrides is not a valid scenario, or None."""
    trial = deep_merge(base, overrides)
    try:
        Scenario.model_validate(trial)
    except ValidationError as exc:
        return _explain(path, trial, exc)
    return None


def base_scenarios(exp: Experiment, path: Path) -> dict[str, tuple[dict, Path]]:
    """Each base scenario's raw dictionary (``extends`` resolved) and file. A name is looked
    up in ``scenarios/`` beside the experiment's folder (a project of one's own:
    ``PROJECT/experiments/e.toml`` and ``PROJECT/scenarios/``), then among the working
    directory's scenarios and the shipped ones, as ``extends`` does. Validation and sweeps
    both use this, so a sweep runs exactly the scenarios that were checked."""
    own = Path(path).resolve().parent.parent / "scenarios"
    folders = list(dict.fromkeys([own, scenario_dir().resolve(), PACKAGE_ROOT / "scenarios"]))
    out = {}
    for name in exp.scenarios:
        found = next((f / f"{name}.toml" for f in folders if (f / f"{name}.toml").is_file()), None)
        if found is None and (Path(name).suffix == ".toml" or len(Path(name).parts) > 1):
            found = Path(name)  # a path rather than a name
        if found is None:
            known = sorted({f.stem for folder in folders for f in folder.glob("*.toml")})
            raise ScenarioError(
                path,
                "scenarios",
                name,
                f"one of {', '.join(known)} (looked in "
                f"{', '.join(str(f) for f in folders if f.is_dir())})",
            )
        out[name] = _load_base(path, name, found)
    return out


def _load_base(path: Path, name: str, ref: str | Path) -> tuple[dict, Path]:
    """The raw base scenario ``name``; a missing or broken one is blamed on ``scenarios``."""
    try:
        return load_raw(ref)
    except ScenarioError as exc:
        if resolve(ref).is_file():  # it exists but is broken: say why
            raise ScenarioError(path, "scenarios", name, f"a valid scenario ({exc})") from None
        folder = resolve(ref).parent
        known = ", ".join(sorted(f.stem for f in folder.glob("*.toml")))
        raise ScenarioError(
            path, "scenarios", name, f"scenarios in {folder}: {known or 'none there'}"
        ) from None


def _check_base(path: Path, exp: Experiment, name: str, base: dict, scenario_path: Path) -> None:
    """The base scenario with the experiment's run settings (``months``, ``citizens``) must be
    valid before any parameter varies it: blame the setting at fault, with the scenario's
    reason."""
    settings = exp.overrides({})
    for key in exp.varied():  # a varied run setting replaces the experiment's own
        if key.startswith("run."):
            settings["run"].pop(key.removeprefix("run."), None)
    try:
        Scenario.model_validate(deep_merge(base, settings))
        return
    except ValidationError as exc:
        err = _explain(scenario_path, deep_merge(base, settings), exc)
    try:
        own = Scenario.model_validate(base)
    except ValidationError as exc:  # the scenario itself is broken
        reason = _explain(scenario_path, base, exc)
        raise ScenarioError(path, "scenarios", name, f"a valid scenario ({reason})") from None
    scenario_says = f"scenario '{name}': {err.key}: given {_show(err.given)}; {err.allowed}"
    if err.key.startswith("timeline[") and "months" in settings["run"]:
        need = 1 + max(month_index(own.run.start, item.date) for item in own.timeline)
        raise ScenarioError(path, "months", exp.months, f"at least {need} months ({scenario_says})")
    setting = err.key.removeprefix("run.")
    if setting in settings["run"]:
        raise ScenarioError(path, setting, settings["run"][setting], scenario_says)
    raise ScenarioError(path, "scenarios", name, f"a valid scenario ({scenario_says})")
