"""Experiment files: which scenarios, which parameters vary, how they are sampled, how often.

An experiment is a TOML file in ``experiments/`` validated like a scenario (pydantic,
unknown keys rejected, errors naming file, key, given value and what is allowed). Its design
turns into a list of runs, each a pure function of (scenario, parameter values, seed):

* ``grid`` — the full factorial of every parameter's ``values`` (or ``range`` with ``steps``);
* ``lhs``, ``sobol``, ``morris`` — samples from SALib over the parameters' ``range`` (Latin
  hypercube; Saltelli's scheme for Sobol indices; Morris trajectories). Categorical
  parameters (``values``) are allowed in ``lhs`` (sampled uniformly); Sobol and Morris need
  numeric ranges.

Replication seeds come from one experiment seed by ``numpy.random.SeedSequence`` spawning:
replication *r* uses the same seed at every design point (common random numbers), so
differences between points are not blurred by different random streams.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.config import Scenario, deep_merge
from model.scenario_files import ScenarioError, _explain, load_raw, read_toml


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    mean: float | None = Field(None, description="Mean of a normal distribution.")
    sd: float | None = Field(None, gt=0, description="Standard deviation of a normal one.")
    mode: float | None = Field(None, description="Most likely value of a triangular one.")

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either 'values' or 'range'")
        if self.values is not None and not self.values:
            raise ValueError("'values' must not be empty")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError("'range' must be [low, high] with low < high")
        if self.distribution != "uniform" and self.range is None:
            raise ValueError(f"a {self.distribution} distribution needs a 'range'")
        if self.distribution == "normal" and (self.mean is None or self.sd is None):
            raise ValueError("a normal distribution needs 'mean' and 'sd'")
        if self.distribution == "triangular" and (
            self.mode is None or not self.range[0] <= self.mode <= self.range[1]
        ):
            raise ValueError("a triangular distribution needs a 'mode' inside the range")
        return self

    def salib(self) -> tuple[list[float], str]:
        """Bounds and distribution name as SALib expects them."""
        lo, hi = self.range if self.range else (0.0, 1.0)
        if self.distribution == "normal":
            return [lo, hi, self.mean, self.sd], "truncnorm"
        if self.distribution == "triangular":
            return [lo, hi, (self.mode - lo) / (hi - lo)], "triang"
        return [lo, hi], "unif"


class Experiment(Strict):
    """A validated experiment file."""

    name: str = Field("experiment", description="Short name (the file name by default).")
    question: str = Field("", description="What the experiment asks.")
    scenarios: list[str] = Field(["baseline"], min_length=1, description="Base scenarios.")
    parameters: dict[str, Parameter] = Field(
        default_factory=dict, description="Dotted scenario key -> variation."
    )
    design: Literal["grid", "lhs", "sobol", "morris"] = Field("grid")
    samples: int = Field(
        16,
        ge=1,
        le=100_000,
        description="lhs: points; sobol: base N (power of 2); morris: trajectories.",
    )
    replications: int = Field(1, ge=1, le=10_000)
    seed: int = Field(2026, ge=0, description="Experiment seed; replication seeds derive from it.")
    months: int | None = Field(None, ge=1, le=600, description="Override run.months.")
    citizens: int | None = Field(None, ge=50, le=2_000_000, description="Override run.citizens.")
    keep: Literal["series", "final"] = Field(
        "series", description="Monthly series or final values only."
    )
    indicators: list[str] = Field(
        default_factory=list, description="Indicators to keep (all if empty)."
    )

    @model_validator(mode="after")
    def _design_fits(self) -> Experiment:
        if self.design in ("sobol", "morris"):
            categorical = [k for k, p in self.parameters.items() if p.range is None]
            if categorical:
                raise ValueError(
                    f"{self.design} needs numeric 'range' for every parameter; "
                    f"not for {', '.join(categorical)}"
                )
            if len(self.parameters) < 2:
                raise ValueError(f"{self.design} needs at least two parameters")
        if self.design == "morris":
            shaped = [k for k, p in self.parameters.items() if p.distribution != "uniform"]
            if shaped:
                raise ValueError(f"morris samples uniform ranges only; not {', '.join(shaped)}")
        if self.design == "grid":
            for key, p in self.parameters.items():
                if p.range is not None and p.steps is None:
                    raise ValueError(f"grid needs 'steps' for the range of {key}")
                if p.distribution != "uniform":
                    raise ValueError(f"grid takes no distribution ({key}); use lhs or sobol")
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
        """Parameter values of every design point, in order."""
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
    from model.scenario_files import PACKAGE_ROOT

    return here if here.is_dir() else PACKAGE_ROOT / "experiments"


def load_experiment(ref: str | Path) -> tuple[Experiment, Path, str]:
    """Load and validate an experiment; returns it, its path and the hash of its text."""
    path = Path(ref)
    if not path.exists() and path.suffix != ".toml" and len(path.parts) == 1:
        path = experiment_dir() / f"{ref}.toml"
    raw = read_toml(path)
    raw.setdefault("name", path.stem)
    try:
        exp = Experiment.model_validate(raw)
    except ValidationError as exc:
        raise _explain_experiment(path, exc) from None
    # every varied key and every base scenario must make a valid scenario
    scenario_base = Path(path).parent.parent / "scenarios"
    for name in exp.scenarios:
        ref_path = scenario_base / f"{name}.toml" if scenario_base.is_dir() else name
        try:
            base, _ = load_raw(ref_path)
        except ScenarioError as exc:
            raise ScenarioError(path, "scenarios", name, f"an existing scenario ({exc})") from None
        for key, param in exp.parameters.items():
            # every listed value, or both ends of a range, must make a valid scenario (so
            # no sampled value can fall outside: normal distributions are truncated to it)
            for value in param.values if param.values is not None else list(param.range):
                trial = deep_merge(base, exp.overrides({key: value}))
                try:
                    Scenario.model_validate(trial)
                except ValidationError as exc:
                    err = _explain(path, trial, exc)
                    raise ScenarioError(
                        path,
                        f"parameters.{key}",
                        value,
                        f"a scenario key and value ({err.key}: {err.allowed})",
                    ) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return exp, path, digest


def _explain_experiment(path: Path, exc: ValidationError) -> ScenarioError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        allowed = "keys are " + ", ".join(sorted(Experiment.model_fields))
        if len(err["loc"]) > 2 and err["loc"][0] == "parameters":
            allowed = "keys are range, steps, values"
        return ScenarioError(path, key, err["loc"][-1], allowed)
    msg = err["msg"].removeprefix("Value error, ")
    return ScenarioError(path, key, err.get("input"), msg)
