"""Calibration of the status quo against survey and programme data (ODD 1, docs/calibration.md).

Eight behavioural parameters are fitted so that the ``baseline`` scenario, averaged over seeds
and over the first simulated year (2026, after the burn-in), reproduces eight facts:

==============================  ===============================  ==========================
target                          indicator                        parameter fitted
==============================  ===============================  ==========================
engaged, low education          ``engaged_share_edu_low``        ``join_base``
engaged, middle education       ``engaged_share_edu_mid``        ``join_education[1]``
engaged, high education         ``engaged_share_edu_high``       ``join_education[2]``
engaged, migration bgd.         ``engaged_share_migration``      ``join_migration``
open among non-engaged          ``open_share``                   ``open_base``
entries after being asked       ``asked_entry_share``            ``join_asked``
neighbourly help                ``informal_help_share``          ``help_base``
placements per agency           ``placements_per_agency``        ``join_matching``
==============================  ===============================  ==========================

The overall share engaged is then a check, not a target (it follows from the tiers and the
population's education shares). ``placements_per_agency`` is the yearly number of entries
that the agencies' matching adds (indicator ``agency_placements_residents``) per 50,000 EUR of
agency budget, the median budget of a German volunteer agency; the agencies themselves report
about 30-80 placements a year each (Speck et al. 2021), an upper bound of what they add, since
some of those placed would have found a place anyway. The fit is a damped fixed-point
iteration: each share parameter moves by the gap between target and model in logits,
``join_matching`` by the ratio of target to model. All other parameters keep their documented
values. ``coprod calibrate --fit`` runs the fit and prints the values; they are copied into
:mod:`model.simulation.scenario` by hand (so that a change is a reviewed commit), and
``coprod calibrate`` writes the table in ``docs/calibration.md`` from fresh runs.
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
    "informal_help_share": (
        0.33,
        "help neighbours at least monthly",
        "Freizeitmonitor 2019 (Stiftung für Zukunftsfragen)",
    ),
    "placements_per_agency": (
        50.0,
        "placements a year per 50,000 EUR agency budget",
        "Speck et al. 2021 (bagfa: about 30-80 a year per agency)",
    ),
}
#: Model values within this many percentage points of the target count as reproduced.
TOLERANCE_PP = 3.0
#: Targets that are counts, not shares, and the observed range that counts as reproduced.
COUNT_RANGES = {"placements_per_agency": (30.0, 80.0)}
#: The median budget of a German volunteer agency (Speck et al. 2021), in EUR a year.
AGENCY_BUDGET_EUR = 50_000.0


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
        row = {k: float(df[k].astype(float).mean()) for k in TARGETS if k in df}
        agencies = scenario.levers.infrastructure.volunteer_agency_eur / AGENCY_BUDGET_EUR
        yearly = 12 * float(df["agency_placements_residents"].astype(float).mean())
        row["placements_per_agency"] = yearly / agencies if agencies else float("nan")
        rows.append(row | {"seed": seed})
        if progress:
            progress(1)
    return pd.DataFrame(rows).set_index("seed")


def table(scenario: Scenario, seeds: list[int], citizens: int = 2000) -> pd.DataFrame:
    """Model against data: target, model mean, spread over seeds and the verdict."""
    res = measure(scenario, seeds, citizens)
    out = []
    for key, (value, fact, source) in TARGETS.items():
        mean, sd = res[key].mean(), res[key].std(ddof=1) if len(res) > 1 else 0.0
        if key in COUNT_RANGES:
            low, high = COUNT_RANGES[key]
            gap, ok = mean - value, low <= mean <= high
        else:
            gap, ok = 100 * (mean - value), abs(100 * (mean - value)) <= TOLERANCE_PP
        out.append(
            {
                "fact": fact,
                "indicator": key,
                "survey": value,
                "model": mean,
                "model_sd": sd,
                "gap_pp": gap,
                "within_tolerance": ok,
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
    h = scenario.informal_help.model_dump()
    for it in range(iterations):
        sc = scenario.model_copy(
            update={
                "behaviour": type(scenario.behaviour)(**b),
                "informal_help": type(scenario.informal_help)(**h),
            }
        )
        res = measure(sc, seeds, citizens).mean()
        gap = {k: _logit(TARGETS[k][0]) - _logit(res[k]) for k in TARGETS if k not in COUNT_RANGES}
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
        h["help_base"] = round(h["help_base"] + damping * gap["informal_help_share"], 3)
        # matching adds entries about in proportion to its weight (small effects)
        ratio = TARGETS["placements_per_agency"][0] / max(res["placements_per_agency"], 1e-9)
        b["join_matching"] = round(b["join_matching"] * ratio**damping, 4)
        for k in ("join_base", "open_base", "join_asked", "join_migration"):
            b[k] = round(b[k], 3)
    fitted = (
        "join_base",
        "join_education",
        "open_base",
        "join_asked",
        "join_migration",
        "join_matching",
    )
    return {k: b[k] for k in fitted} | {"help_base": h["help_base"]}


#: Capacity parameters and the ends of their documented ranges (Appendix A of docs/ODD.md).
CAPACITY_RANGES: dict[str, tuple[float, float]] = {
    "support.vacancy_share": (0.1, 1.0),
    "support.coordination_headroom": (1.1, 3.0),
    "support.capacity_adjust_rate": (0.02, 0.1),
    "organisations.management_quality": (0.3, 0.7),
}
#: The indicators the capacity table reports, and the year (of the run) they are read in.
CAPACITY_INDICATORS = ("engaged_share", "engaged_share_edu_low", "places_per_volunteer")
CAPACITY_YEAR = 10


def _with(scenario: Scenario, dotted: str, value: float) -> Scenario:
    data = scenario.model_dump(mode="json")
    table, key = dotted.split(".")
    data[table][key] = value
    return Scenario.model_validate(data)


def _year_mean(scenario: Scenario, seeds: list[int], citizens: int) -> dict[str, float]:
    """Mean of the capacity indicators over year ``CAPACITY_YEAR`` of the run, over seeds."""
    values = []
    for seed in seeds:
        m = CoProductionModel(scenario, rng=seed, citizens=citizens)
        for _ in range(12 * CAPACITY_YEAR):
            m.step()
        last = m.dataframe().iloc[-12:]
        values.append({k: float(last[k].astype(float).mean()) for k in CAPACITY_INDICATORS})
    return pd.DataFrame(values).mean().to_dict()


def capacity_sensitivity(
    scenario: Scenario, seeds: list[int], citizens: int = 2000
) -> pd.DataFrame:
    """The baseline at each end of each capacity parameter's range, all else at the defaults
    (one-at-a-time: how much the engaged share depends on the supply of places)."""
    rows = [
        {"parameter": "(defaults)", "value": float("nan")} | _year_mean(scenario, seeds, citizens)
    ]
    for dotted, ends in CAPACITY_RANGES.items():
        for value in ends:
            rows.append(
                {"parameter": dotted, "value": value}
                | _year_mean(_with(scenario, dotted, value), seeds, citizens)
            )
    return pd.DataFrame(rows)


def capacity_markdown(tab: pd.DataFrame, seeds: list[int], citizens: int, command: str) -> str:
    """The capacity table for docs/ODD.md 7.6 (between the ``capacity-sensitivity`` markers)."""
    start = 2025 + CAPACITY_YEAR
    base = tab.iloc[0]
    lines = [
        f"Generated by `{command}`: `baseline`, {len(seeds)} seeds, {citizens} citizens, mean of "
        f"{start} (year {CAPACITY_YEAR} of the run). Do not edit by hand.",
        "",
        "| parameter | value | engaged | change (pp) | engaged, low education "
        "| places per volunteer |",
        "|---|---|---|---|---|---|",
        f"| (all defaults) | | {100 * base.engaged_share:.1f}% | | "
        f"{100 * base.engaged_share_edu_low:.1f}% | {base.places_per_volunteer:.2f} |",
    ]
    for r in tab.iloc[1:].itertuples():
        change = 100 * (r.engaged_share - base.engaged_share)
        lines.append(
            f"| `{r.parameter}` | {r.value:g} | {100 * r.engaged_share:.1f}% | {change:+.1f} | "
            f"{100 * r.engaged_share_edu_low:.1f}% | {r.places_per_volunteer:.2f} |"
        )
    return "\n".join(lines)


def markdown(tab: pd.DataFrame, seeds: list[int], citizens: int, command: str) -> str:
    """The calibration table as Markdown (docs/calibration.md)."""
    lines = [
        "# Calibration: model against data",
        "",
        f"Generated by `{command}` from {len(seeds)} runs of `scenarios/baseline.toml` "
        f"({citizens} citizens, seeds {seeds[0]}-{seeds[-1]}), averaged over the first "
        "simulated year (2026) after the burn-in. Do not edit by hand.",
        "",
        "| fact | indicator | data | model (mean ± sd over seeds) | gap | reproduced "
        f"(shares ±{TOLERANCE_PP:.0f} pp; counts within the observed range) | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in tab.itertuples():
        if r.indicator in COUNT_RANGES:
            low, high = COUNT_RANGES[r.indicator]
            data = f"{r.survey:.0f} ({low:.0f}-{high:.0f})"
            model, gap = f"{r.model:.0f} ± {r.model_sd:.0f}", f"{r.gap_pp:+.0f}"
        else:
            data = f"{100 * r.survey:.1f}%"
            model = f"{100 * r.model:.1f}% ± {100 * r.model_sd:.1f}"
            gap = f"{r.gap_pp:+.1f} pp"
        lines.append(
            f"| {r.fact} | `{r.indicator}` | {data} | {model} | {gap} | "
            f"{'yes' if r.within_tolerance else '**no**'} | {r.source} |"
        )
    lines += ["", "## How the parameters were calibrated", "", __doc__.split("\n\n", 1)[1]]
    return "\n".join(lines) + "\n"
