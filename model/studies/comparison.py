"""Comparison of all shipped scenarios over several seeds (docs/scenarios.md and figure).

Each scenario runs with seeds 1..N and is compared with the scenario it ``extends`` (its
parent; ``baseline`` for a scenario without one), seed by seed: the same seed gives both the
same city, so the paired difference isolates what the scenario changes. The table reports the
mean of the last 12 months of each run and the paired difference with its range over seeds;
a second table prices the difference: extra cost against extra engaged residents (in the real
city's residents, not agents). ``coprod compare`` writes both and the figure (mean lines with
5-95% bands).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.simulation.model import CoProductionModel
from model.simulation.scenario.files import load_scenario, scenario_dir

INDICATORS = [
    "engaged_share",
    "engaged_share_edu_low",
    "engaged_share_edu_high",
    "engaged_share_silent",
    "trust_mean",
    "democracy_satisfaction",
    "climate_progress",
    "lonely_share",
]
#: cumulative indicators: what counts is the total at the end of the run
TOTALS = ["infrastructure_spend_eur", "cost_eur_total"]
ORDER = [
    "baseline",
    "early_participation",
    "infrastructure",
    "everyday_cooperation",
    "responsibility_community",
    "tokenism",
    "austerity",
    "climate_assembly",
]


def scenario_names() -> list[str]:
    names = [n for n in ORDER if (scenario_dir() / f"{n}.toml").exists()]
    return names + sorted(p.stem for p in scenario_dir().glob("*.toml") if p.stem not in names)


def parent_of(name: str) -> str | None:
    """The scenario ``name`` is compared with: the one it extends, else the baseline."""
    if name == "baseline":
        return None
    parent = load_scenario(name).extends
    return Path(parent).stem if parent else "baseline"


def run_all(seeds: int, citizens: int) -> pd.DataFrame:
    frames = []
    for name in scenario_names():
        sc = load_scenario(name, overrides={"run": {"citizens": citizens}})
        for seed in range(1, seeds + 1):
            m = CoProductionModel(sc, rng=seed)
            for _ in range(sc.run.months):
                m.step()
            df = m.dataframe()
            df["scenario"], df["seed"] = name, seed
            frames.append(df)
    return pd.concat(frames, ignore_index=True)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (scenario, seed): last-12-month means, run totals, last year's cost."""
    last = runs.groupby(["scenario", "seed"]).tail(12)
    per_run = last.groupby(["scenario", "seed"])[INDICATORS].mean(numeric_only=True)
    ends = runs.groupby(["scenario", "seed"])[TOTALS].last()
    per_run[TOTALS] = ends
    per_run["cost_eur_last_year"] = last.groupby(["scenario", "seed"])["cost_eur"].sum()
    return per_run


def paired(per_run: pd.DataFrame, name: str, parent: str, column: str) -> pd.Series:
    """Scenario minus parent, seed by seed (common random numbers)."""
    return per_run.loc[name, column] - per_run.loc[parent, column]


def cost_effectiveness(per_run: pd.DataFrame, name: str, parent: str, population: int) -> dict:
    """Extra cost against extra engaged residents, seed by seed.

    ``eur_per_engaged_year`` is the extra cost of the last year divided by the extra engaged
    residents in that year (residents aged 14 and over): what one more engaged resident costs
    a year once the policy runs. It is NaN for a seed where engagement did not rise.
    """
    extra_cost = paired(per_run, name, parent, "cost_eur_total")
    extra_year = paired(per_run, name, parent, "cost_eur_last_year")
    extra_engaged = paired(per_run, name, parent, "engaged_share") * population
    ratio = extra_year / extra_engaged.where(extra_engaged > 0)
    return {
        "extra_cost_eur": extra_cost,
        "extra_cost_last_year_eur": extra_year,
        "extra_engaged_residents": extra_engaged,
        "eur_per_engaged_year": ratio,
    }


def _range(values: pd.Series, scale: float = 1.0, fmt: str = "+.1f") -> str:
    v = values * scale
    return f"{v.mean():{fmt}} [{v.min():{fmt}}, {v.max():{fmt}}]"


def _per_engaged(ratio: pd.Series) -> str:
    if ratio.isna().all():
        return "no gain in engagement"
    text = f"{ratio.median():,.0f} [{ratio.min():,.0f}, {ratio.max():,.0f}]"
    missing = int(ratio.isna().sum())
    return text + (f" ({missing} of {ratio.size} seeds: no gain)" if missing else "")


def compare(seeds: int, citizens: int, out: Path) -> int:
    from model.studies.figures import comparison

    runs = run_all(seeds, citizens)
    per_run = summarise(runs)
    population = load_scenario("baseline").city.population
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    fig = comparison(runs, INDICATORS)
    fig.savefig(out / "figures" / "scenarios.png", dpi=100)
    names = list(dict.fromkeys(runs["scenario"]))
    lines = [
        "# How the scenarios differ",
        "",
        f"Generated by `uv run coprod compare --seeds {seeds} --citizens {citizens}`: every "
        f"scenario in `scenarios/` run with seeds 1-{seeds}, {citizens} citizens, "
        "2026-01 to 2035-12. Values are means over the last 12 months (2035) and over seeds; "
        "in brackets the difference from the scenario it extends (*compared with*) in "
        "percentage points, mean [min, max] over seeds, the same seed paired. Do not edit by "
        "hand.",
        "",
        "![Scenario comparison](figures/scenarios.png)",
        "",
        "| scenario | compared with | question | "
        + " | ".join(f"`{c}`" for c in INDICATORS)
        + " |",
        "|---|---|---|" + "---|" * len(INDICATORS),
    ]
    for name in names:
        parent = parent_of(name)
        q = load_scenario(name).question
        cells = []
        for c in INDICATORS:
            mean = per_run.loc[name, c].mean()
            if parent is None:
                cells.append(f"{mean:.3f}")
            else:
                cells.append(f"{mean:.3f} ({_range(paired(per_run, name, parent, c), 100)})")
        lines.append(
            f"| `{name}` | {f'`{parent}`' if parent else '—'} | {q} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "## What the difference costs",
        "",
        "Every lever costs money (`cost_eur`: infrastructure budgets, participation processes "
        "by format, rung, timing and outreach, staff for everyday cooperation, the volunteering "
        "day; prices in `[costs]`, docs/ODD.md Appendix A). Against the scenario it extends: "
        "the extra cost over the run (2026-2035), the extra cost in 2035, the extra engaged "
        f"residents in 2035 (change in the engaged share × {population:,} residents aged 14+), "
        "and what one more engaged resident costs a year (extra cost in 2035 / extra engaged "
        "residents; median [min, max] over seeds). Mean [min, max] over seeds, seeds paired.",
        "",
        "| scenario | compared with | total cost 2026-2035 (million EUR) | extra cost 2026-2035 "
        "(million EUR) | extra cost in 2035 (million EUR) | extra engaged residents in 2035 | "
        "EUR per additional engaged resident and year |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        total = per_run.loc[name, "cost_eur_total"].mean() / 1e6
        parent = parent_of(name)
        if parent is None:
            lines.append(f"| `{name}` | — | {total:.1f} | | | | |")
            continue
        ce = cost_effectiveness(per_run, name, parent, population)
        lines.append(
            f"| `{name}` | `{parent}` | {total:.1f} | "
            f"{_range(ce['extra_cost_eur'], 1e-6)} | "
            f"{_range(ce['extra_cost_last_year_eur'], 1e-6, '+.2f')} | "
            f"{_range(ce['extra_engaged_residents'], 1.0, '+,.0f')} | "
            f"{_per_engaged(ce['eur_per_engaged_year'])} |"
        )
    lines.append("")
    (out / "scenarios.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[8:]))
    print(f"wrote {out / 'scenarios.md'} and {out / 'figures' / 'scenarios.png'}")
    return 0
