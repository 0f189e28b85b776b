"""Calibration of the status quo against the Freiwilligensurvey (ODD 1, docs/calibration.md).

Six behavioural intercepts are fitted so that the ``baseline`` scenario, averaged over seeds
and over the first simulated year (2026, after the burn-in), reproduces six survey facts:

==========================  ============================  ==========================
target                      indicator                     parameter fitted
==========================  ============================  ==========================
engaged, low education      ``engaged_share_edu_low``     ``join_base``
engaged, middle education   ``engaged_share_edu_mid``     ``join_education[1]``
engaged, high education     ``engaged_share_edu_high``    ``join_education[2]``
engaged, migration bgd.     ``engaged_share_migration``   ``join_migration``
open among non-engaged      ``open_share``                ``open_base``
entries after being asked   ``asked_entry_share``         ``join_asked``
==========================  ============================  ==========================

The overall share engaged is then a check, not a target (it follows from the tiers and the
population's education shares). The fit is a damped fixed-point iteration on the log-odds:
each parameter moves by the gap between target and model in logits. All other parameters
keep their documented values. ``coprod calibrate --fit`` runs the fit and prints the values;
they are copied into :mod:`model.simulation.scenario` by hand (so that a change is a reviewed
commit), and ``coprod calibrate`` writes the table in ``docs/calibration.md`` from fresh runs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from model.simulation.model import CoProductionModel
from model.simulation.scenario import Scenario

TARGETS: dict[str, tuple[float, str, str]] = {
    # indicator: (value, fact, source)
    "engaged_share": (0.367, "share engaged, age 14+ (2024)", "Freiwilligensurvey 2024"),
    "engaged_share_edu_low": (0.246, "engaged, low education", "Freiwilligensurvey 2024"),
    "engaged_share_edu_mid": (0.359, "engaged, middle education", "Freiwilligensurvey 2024"),
    "engaged_share_edu_high": (0.455, "engaged, high education", "Freiwilligensurvey 2024"),
    "engaged_share_migration": (
        0.284,
        "engaged, with a migration background",
        "Freiwilligensurvey 2024",
    ),
    "open_share": (0.41, "non-engaged open to engaging", "Freiwilligensurvey 2024"),
    "asked_entry_share": (0.50, "entries after being asked", "Freiwilligensurvey (about half)"),
}
#: Model values within this many percentage points of the target count as reproduced.
TOLERANCE_PP = 3.0


def measure(
    scenario: Scenario,
    seeds: range | list[int],
    citizens: int = 2000,
    months: int = 12,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Mean of each target indicator over ``months`` for each seed (rows: seeds)."""
    rows = []
    for seed in seeds:
        m = CoProductionModel(scenario, rng=seed, citizens=citizens)
        for _ in range(months):
            m.step()
        df = m.dataframe()
        rows.append({k: float(df[k].astype(float).mean()) for k in TARGETS} | {"seed": seed})
        if progress:
            progress(1)
    return pd.DataFrame(rows).set_index("seed")


def table(scenario: Scenario, seeds: list[int], citizens: int = 2000) -> pd.DataFrame:
    """Model against data: target, model mean, spread over seeds and the verdict."""
    res = measure(scenario, seeds, citizens)
    out = []
    for key, (value, fact, source) in TARGETS.items():
        mean, sd = res[key].mean(), res[key].std(ddof=1) if len(res) > 1 else 0.0
        out.append(
            {
                "fact": fact,
                "indicator": key,
                "survey": value,
                "model": mean,
                "model_sd": sd,
                "gap_pp": 100 * (mean - value),
                "within_tolerance": abs(100 * (mean - value)) <= TOLERANCE_PP,
                "source": source,
            }
        )
    return pd.DataFrame(out)


def _logit(x: float) -> float:
    x = min(max(x, 1e-4), 1 - 1e-4)
    return float(np.log(x / (1 - x)))


def fit(
    scenario: Scenario,
    seeds: list[int],
    citizens: int = 2000,
    iterations: int = 12,
    damping: float = 0.8,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Fit the six intercepts (see module docstring); returns the new behaviour values."""
    b = scenario.behaviour.model_dump()
    for it in range(iterations):
        sc = scenario.model_copy(update={"behaviour": type(scenario.behaviour)(**b)})
        res = measure(sc, seeds, citizens).mean()
        gap = {k: _logit(TARGETS[k][0]) - _logit(res[k]) for k in TARGETS}
        log(f"iteration {it}: " + ", ".join(f"{k}={res[k]:.3f}" for k in TARGETS))
        b["join_base"] += damping * gap["engaged_share_edu_low"] * 1.2
        edu = list(b["join_education"])
        edu[1] += damping * (gap["engaged_share_edu_mid"] - gap["engaged_share_edu_low"]) * 1.2
        edu[2] += damping * (gap["engaged_share_edu_high"] - gap["engaged_share_edu_low"]) * 1.2
        b["join_education"] = [round(x, 3) for x in edu]
        b["open_base"] += damping * gap["open_share"] * 1.5
        b["join_asked"] = max(0.0, b["join_asked"] + damping * gap["asked_entry_share"])
        # the migration gap relative to everyone (the tiers set the level)
        b["join_migration"] += (
            damping * (gap["engaged_share_migration"] - gap["engaged_share"]) * 1.2
        )
        for k in ("join_base", "open_base", "join_asked", "join_migration"):
            b[k] = round(b[k], 3)
    fitted = ("join_base", "join_education", "open_base", "join_asked", "join_migration")
    return {k: b[k] for k in fitted}


def markdown(tab: pd.DataFrame, seeds: list[int], citizens: int, command: str) -> str:
    """The calibration table as Markdown (docs/calibration.md)."""
    lines = [
        "# Calibration: model against data",
        "",
        f"Generated by `{command}` from {len(seeds)} runs of `scenarios/baseline.toml` "
        f"({citizens} citizens, seeds {seeds[0]}-{seeds[-1]}), averaged over the first "
        "simulated year (2026) after the burn-in. Do not edit by hand.",
        "",
        "| fact | indicator | survey | model (mean ± sd over seeds) | gap (pp) | within "
        f"±{TOLERANCE_PP:.0f} pp | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in tab.itertuples():
        lines.append(
            f"| {r.fact} | `{r.indicator}` | {100 * r.survey:.1f}% | "
            f"{100 * r.model:.1f}% ± {100 * r.model_sd:.1f} | {r.gap_pp:+.1f} | "
            f"{'yes' if r.within_tolerance else '**no**'} | {r.source} |"
        )
    lines += ["", "## How the parameters were calibrated", "", __doc__.split("\n\n", 1)[1]]
    return "\n".join(lines) + "\n"
