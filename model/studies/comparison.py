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
from model.studies.observed import OBSERVED, largest

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


def run_all(seeds: int, citizens: int, months: int | None = None) -> pd.DataFrame:
    """Every scenario over seeds 1..``seeds``; ``months`` lets runs go past 2035 so that
    effects can be followed until they settle."""
    frames = []
    for name in scenario_names():
        run = {"citizens": citizens} | ({"months": months} if months else {})
        sc = load_scenario(name, overrides={"run": run})
        for seed in range(1, seeds + 1):
            m = CoProductionModel(sc, rng=seed)
            for _ in range(sc.run.months):
                m.step()
            df = m.dataframe()
            df["scenario"], df["seed"] = name, seed
            frames.append(df)
    return pd.concat(frames, ignore_index=True)


def summarise(runs: pd.DataFrame, year: int = 2035) -> pd.DataFrame:
    """One row per (scenario, seed): means over ``year``, totals at its end, its cost."""
    last = runs[runs["date"].str.startswith(str(year))]
    per_run = last.groupby(["scenario", "seed"])[INDICATORS].mean(numeric_only=True)
    ends = last.groupby(["scenario", "seed"])[TOTALS].last()
    per_run[TOTALS] = ends
    per_run["cost_eur_last_year"] = last.groupby(["scenario", "seed"])["cost_eur"].sum()
    return per_run


def trajectory(runs: pd.DataFrame, name: str, parent: str, column: str, years) -> list[float]:
    """Mean paired effect (percentage points) of ``name`` against ``parent`` in each year."""
    out = []
    for year in years:
        per_run = summarise(runs, year)
        out.append(100 * paired(per_run, name, parent, column).mean())
    return out


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


def compare(seeds: int, citizens: int, out: Path, until: int = 2045) -> int:
    from model.studies.figures import comparison

    start = int(load_scenario("baseline").run.start[:4])
    runs = run_all(seeds, citizens, months=(until - start + 1) * 12)
    per_run = summarise(runs, 2035)
    population = load_scenario("baseline").city.population
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    fig = comparison(runs, INDICATORS, mark_year=2035)
    fig.savefig(out / "figures" / "scenarios.png", dpi=100)
    names = list(dict.fromkeys(runs["scenario"]))
    lines = [
        "# How the scenarios differ",
        "",
        f"Generated by `uv run coprod compare --seeds {seeds} --citizens {citizens}`: every "
        f"scenario in `scenarios/` run with seeds 1-{seeds}, {citizens} citizens, "
        f"2026-01 to {until}-12 (past 2035, to see whether effects settle). Values are means "
        "over 2035 and over seeds; "
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
    lines += ["", *_trajectories(runs, names, until), "", *_observed(per_run, names), ""]
    (out / "scenarios.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[8:]))
    print(f"wrote {out / 'scenarios.md'} and {out / 'figures' / 'scenarios.png'}")
    return 0


#: the indicators followed past 2035 and read against what has been observed
FOLLOWED = ["engaged_share", "trust_mean", "democracy_satisfaction"]


def _trajectories(runs: pd.DataFrame, names: list[str], until: int) -> list[str]:
    years = list(range(2030, until + 1, 5))
    lines = [
        "## Do the effects settle?",
        "",
        "Effect against the scenario it extends (percentage points, mean over seeds) in each "
        "year. An effect that still moves between the last two columns has not settled by "
        "2035; read the 2035 table with that in mind.",
        "",
        "| scenario | compared with | indicator | " + " | ".join(str(y) for y in years) + " |",
        "|---|---|---|" + "---|" * len(years),
    ]
    for name in names:
        parent = parent_of(name)
        if parent is None:
            continue
        for col in FOLLOWED:
            cells = [f"{x:+.1f}" for x in trajectory(runs, name, parent, col, years)]
            lines.append(f"| `{name}` | `{parent}` | `{col}` | " + " | ".join(cells) + " |")
    return lines


def _observed(per_run: pd.DataFrame, names: list[str]) -> list[str]:
    lines = [
        "## Against what has been observed",
        "",
        "The largest changes surveys and evaluations have recorded (docs/ODD.md, References). "
        "No evaluated local programme has measured a city-wide rise in volunteering. "
        "`trust_mean` is a mean on a 0-1 scale, the surveys count the share who trust: that "
        "comparison is indicative.",
        "",
        "| indicator | change observed (pp) | where and when | source |",
        "|---|---|---|---|",
    ]
    for col in FOLLOWED:
        for row in OBSERVED[col]:
            lines.append(f"| `{col}` | {row.change_pp:+.1f} | {row.what} | {row.source} |")
    lines += [
        "",
        "Each scenario's effect in 2035 against the largest change observed for the indicator "
        "(**beyond** where the effect's mean exceeds it):",
        "",
        "| scenario | compared with | " + " | ".join(f"`{c}`" for c in FOLLOWED) + " |",
        "|---|---|" + "---|" * len(FOLLOWED),
    ]
    for name in names:
        parent = parent_of(name)
        if parent is None:
            continue
        cells = []
        for col in FOLLOWED:
            effect = 100 * paired(per_run, name, parent, col).mean()
            bound = largest(col)
            flag = " **beyond**" if bound is not None and abs(effect) > bound else ""
            cells.append(f"{effect:+.1f} (largest observed {bound:.1f}){flag}")
        lines.append(f"| `{name}` | `{parent}` | " + " | ".join(cells) + " |")
    return lines
