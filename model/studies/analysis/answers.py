"""The sections of a report that answer a researcher's question without their own
post-processing: effects of each factor with intervals, derived outcomes (gaps, cost per
additional engaged resident), policies across uncertainties (regret, robustness) and
scenario discovery (PRIM, CART).

:func:`prepare` turns the runs into one row per run (averaged over a window, with the derived
outcomes); each ``section_*`` function writes its tables and figures and returns Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.studies.analysis import derived, discovery, effects, markdown, robustness
from model.studies.analysis.figures import effect_figure
from model.studies.analysis.results import PARAM_PREFIX, param_columns

#: More factors than this: feature scores rank them before the per-factor table.
MANY_FACTORS = 6
#: Which way is better, for regret and robustness; outcomes not listed get no ranking.
LARGER_IS_BETTER = frozenset(
    {
        "engaged_share",
        "engaged_share_edu_low",
        "engaged_share_edu_mid",
        "engaged_share_edu_high",
        "engaged_share_migration",
        "engaged_share_silent",
        "trust_mean",
        "efficacy_mean",
        "democracy_satisfaction",
        "climate_progress",
        "services_coverage",
        "public_places_quality",
        "informal_help_share",
        "engaged_residents",
        "additional_engaged_residents",
    }
)
SMALLER_IS_BETTER = frozenset(
    {
        "lonely_share",
        "annual_exit_rate",
        "education_gap",
        "education_ratio",
        "migration_gap",
        "cost_eur",
        "cost_eur_total",
        "infrastructure_spend_eur",
        "cost_eur_per_year",
        "additional_cost_eur_per_year",
        "cost_per_additional_engaged_resident",
    }
)


@dataclass
class Options:
    """What ``coprod analyze`` was asked (all optional)."""

    indicators: tuple[str, ...] = ()
    window_months: int | None = None  # average the last N months (None: the final month)
    reference: dict[str, Any] | str | None = None  # parameter values, or a scenario name
    by: str | None = None  # break effects down by this factor
    discover: str | None = None  # a condition for scenario discovery
    threshold: float = 0.8  # PRIM density a box must reach
    notes: list[str] = field(default_factory=list)


def population(final: pd.DataFrame, manifest: dict) -> pd.Series:
    """Each run's residents aged 14+: the varied ``city.population`` where it varies, else
    its base scenario's (``extends`` resolved as the sweep recorded it)."""
    from model.simulation.scenario import City, Scenario

    col = PARAM_PREFIX + "city.population"
    by_scenario: dict[str, float] = {}
    for name, scenario in (manifest.get("scenarios") or {}).items():
        raw = scenario.get("raw") if isinstance(scenario, dict) else None
        try:
            by_scenario[name] = float(Scenario.model_validate(raw or {}).city.population)
        except Exception:  # a scenario the analysis cannot read: the default city
            by_scenario[name] = float(City().population)
    out = final["scenario"].map(by_scenario).fillna(float(City().population)).astype(float)
    if col in final.columns:
        out = final[col].astype(float).where(final[col].notna(), out)
    return out


def _levers(manifest: dict) -> dict[str, dict]:
    return (manifest.get("experiment") or {}).get("levers") or {}


def reference_mask(
    final: pd.DataFrame, reference: dict[str, Any] | str | None, manifest: dict | None = None
) -> pd.Series:
    """Runs of the reference: a scenario by name, runs with the given parameter values, or
    by default, per scenario, the first value of every lever (in all states of the world)
    or, without levers, the first design point."""
    levers = _levers(manifest or {})
    if reference is None and levers:
        reference = {k: (spec.get("values") or [None])[0] for k, spec in levers.items()}
        if any(v is None for v in reference.values()):  # a lever over a range: its low end
            reference = {
                k: (v if v is not None else min(final[PARAM_PREFIX + k]))
                for k, v in reference.items()
            }
    if reference is None:
        first = final.groupby("scenario")["point"].transform("min")
        return final["point"] == first
    if isinstance(reference, str):
        if reference not in set(final["scenario"]):
            raise ValueError(
                f"--reference: given scenario {reference!r}; allowed: "
                f"{', '.join(dict.fromkeys(final['scenario']))}, or KEY=VALUE,... of the "
                "varied parameters"
            )
        return final["scenario"] == reference
    missing = [k for k in levers if k not in reference and PARAM_PREFIX + k not in reference]
    if missing:
        raise ValueError(
            f"--reference: given {reference}; allowed: a value for every lever, so that the "
            f"reference is one policy (missing: {', '.join(missing)})"
        )
    mask = pd.Series(True, index=final.index)
    for key, value in reference.items():
        col = key if key.startswith(PARAM_PREFIX) else PARAM_PREFIX + key
        if col not in final.columns:
            allowed = ", ".join(c.removeprefix(PARAM_PREFIX) for c in param_columns(final))
            raise ValueError(f"--reference: given parameter {key!r}; allowed: {allowed}")
        column = final[col]
        if pd.api.types.is_numeric_dtype(column):
            mask &= np.isclose(column.astype(float), float(value))
        else:
            mask &= column.astype(str) == str(value)
    if not mask.any():
        raise ValueError(
            f"--reference: no run has {reference}; allowed: values the sweep ran "
            + "; ".join(
                f"{c.removeprefix(PARAM_PREFIX)} in {sorted(map(str, set(final[c])))}"
                for c in param_columns(final)
            )
        )
    return mask


def parse_reference(text: str | None) -> dict[str, Any] | str | None:
    """``"KEY=VALUE,KEY=VALUE"`` as a dict (values as numbers where they read as numbers),
    or a plain name as a scenario."""
    if not text:
        return None
    if "=" not in text:
        return text
    out: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(
                f"--reference: given {text!r}; allowed: a scenario name, or KEY=VALUE pairs "
                "separated by commas (e.g. levers.participation.timing=late)"
            )
        try:
            out[key.strip()] = float(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


def prepare(df: pd.DataFrame, manifest: dict, options: Options) -> tuple[pd.DataFrame, pd.Series]:
    """One row per run: indicators averaged over the window, derived outcomes, declared
    outcomes, and the cost per additional engaged resident against the reference; and the
    mask of the reference runs."""
    final = derived.window_values(df, options.window_months)
    residents = population(final, manifest)
    final = derived.add_derived(final, residents)
    declared = {
        name: {k: v for k, v in (spec or {}).items() if v is not None}
        for name, spec in ((manifest.get("experiment") or {}).get("derived") or {}).items()
    }
    if declared:
        final = derived.apply_declared(final, declared)
    ref = reference_mask(final, options.reference, manifest)
    if {"cost_eur_per_year", "engaged_residents"} <= set(final.columns):
        uncertain = [
            PARAM_PREFIX + k for k in (manifest.get("experiment") or {}).get("uncertainties") or {}
        ]
        final = derived.add_cost_per_additional_engaged(
            final, ref, residents, pair_on=["scenario", *uncertain]
        )
    return final, ref


def _cell(v: Any) -> str:
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    return str(v).replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return markdown.table(header, rows, _cell)


def _factors(final: pd.DataFrame) -> list[str]:
    return [c for c in param_columns(final) if final[c].nunique(dropna=True) > 1]


def sampled_ranges(manifest: dict) -> set[str]:
    """Keys varied over a sampled range (not a grid): their effects are slopes."""
    exp = manifest.get("experiment") or {}
    if exp.get("design") == "grid":
        return set()
    specs = {**(exp.get("parameters") or {}), **(exp.get("uncertainties") or {})}
    return {k for k, spec in specs.items() if (spec or {}).get("range") is not None}


def section_effects(
    final: pd.DataFrame,
    out: Path,
    indicators: list[str],
    save: Callable,
    write: Callable,
    by: str | None = None,
    continuous: set[str] = frozenset(),
) -> list[str]:
    """Key results: the effect of each varied factor on each indicator, with 95% intervals
    (never pooling design points), and feature scores when many factors vary."""
    factors = _factors(final)
    md = ["## Key results: the effect of each factor", ""]
    if not factors:
        md += ["Nothing varies between the design points: no effects to estimate.", ""]
        return md
    table = effects.effects_table(final, factors, indicators, continuous=continuous)
    if by:
        col = by if by.startswith(PARAM_PREFIX) else PARAM_PREFIX + by
        if col not in final.columns:
            allowed = ", ".join(c.removeprefix(PARAM_PREFIX) for c in factors)
            raise ValueError(f"--by: given {by!r}; allowed: {allowed}")
        parts = []
        for level, g in final.groupby(col, sort=True):
            others = [f for f in factors if f != col]
            if others:
                t = effects.effects_table(g, others, indicators, continuous=continuous)
                parts.append(t.assign(by=f"{by.removeprefix(PARAM_PREFIX)} = {level}"))
        if parts:
            table = pd.concat([table.assign(by="all"), *parts], ignore_index=True)
    write(table, out / "effects")
    md += [
        "Each factor's effect on each indicator, averaged over the other factors, with a 95% "
        "interval: for a factor with few values the difference of each value from the "
        "reference value (bootstrap over seeds, paired where the design allows), for a numeric "
        "factor with many values the slope over its whole range (OLS). Shares are fractions "
        "(0.01 = one percentage point). Full table: [effects.csv](effects.csv).",
        "",
    ]
    shown = table[table["kind"].isin(["difference", "slope_range"])]
    if "by" in shown.columns:
        shown = shown[shown["by"] == "all"]
    several = shown["scenario"].nunique() > 1 if "scenario" in shown.columns else False
    rows = [
        [
            *([r["scenario"]] if several else []),
            r["factor"].removeprefix(PARAM_PREFIX),
            f"{r['level']} vs {r['reference']}" if r["kind"] == "difference" else "low to high",
            r["indicator"],
            f"{r['estimate']:+.3g} [{r['ci_low']:+.3g}, {r['ci_high']:+.3g}]",
            r["n"],
            _verdict(r["ci_low"], r["ci_high"], r["n"]),
        ]
        for r in shown.to_dict("records")
    ]
    header = ["factor", "contrast", "indicator", "effect [95% CI]", "n", "reads"]
    md += [*_table((["scenario"] if several else []) + header, rows), ""]
    md += [
        f"*reads*: up or down where the interval excludes 0 and rests on at least "
        f"{effects.MIN_CLUSTERS} runs or pairs (fewer: 'too few runs', since a bootstrap over "
        "two runs is just their range).",
        "",
    ]
    if by and "by" in table.columns:
        md += [f"Broken down by `{by}`: see the column `by` of [effects.csv](effects.csv).", ""]
    overall = table[table["by"] == "all"] if "by" in table.columns else table
    for ind in indicators:
        if ind in set(overall["indicator"]):
            stem = f"effects_{ind}"
            save(effect_figure(overall, ind), out / stem)
            md += [f"![effects on {ind}]({stem}.png)", ""]
    md += _interactions(final, factors, indicators[:3], continuous, out, write)
    if len(factors) > MANY_FACTORS:
        scores = effects.feature_scores(final, factors, indicators)
        write(scores.reset_index(), out / "feature_scores")
        md += [
            "### Which factors matter (feature scores)",
            "",
            "Extra-trees feature scores (EMA Workbench; Kwakkel 2017): the share of each "
            "indicator's explained variation attributed to each factor.",
            "",
            *_table(
                ["factor", *scores.columns],
                [[i.removeprefix(PARAM_PREFIX), *r] for i, r in scores.iterrows()],
            ),
            "",
        ]
    return md


def _interactions(
    final: pd.DataFrame,
    factors: list[str],
    indicators: list[str],
    continuous,
    out: Path,
    write: Callable,
) -> list[str]:
    """For a small grid (at most four factors of at most four levels each): does one
    factor's effect depend on another's level? The difference of differences, with its
    interval, for each pair of factors."""
    small = [
        f
        for f in factors
        if f.removeprefix(PARAM_PREFIX) not in continuous
        and final[f].nunique() <= effects.MAX_INTERACTION_LEVELS
    ]
    if len(small) < 2 or len(small) != len(factors) or len(factors) > 4:
        return []
    frames = [
        effects.interactions(final, a, b, ind)
        for i, a in enumerate(small)
        for b in small[i + 1 :]
        for ind in indicators
    ]
    table = pd.concat(frames, ignore_index=True)
    write(table, out / "interactions")
    return _interaction_rows(table)


def _interaction_rows(table: pd.DataFrame) -> list[str]:
    rows = [
        [
            f"{r['factor1']} ({r['level1']} vs {r['reference1']})",
            f"{r['factor2']} ({r['level2']} vs {r['reference2']})",
            r["indicator"],
            f"{r['estimate']:+.3g} [{r['ci_low']:+.3g}, {r['ci_high']:+.3g}]",
            _verdict(r["ci_low"], r["ci_high"], r["n"]),
        ]
        for r in table.to_dict("records")
    ]
    return [
        "### Interactions",
        "",
        "Difference of differences: how much the first factor's effect changes when the "
        "second factor is at its other level (95% interval; [interactions.csv]"
        "(interactions.csv)). 'not distinguishable from 0' means the effects add up.",
        "",
        *_table(["factor", "with factor", "indicator", "interaction [95% CI]", "reads"], rows),
        "",
    ]


def _verdict(lo: float, hi: float, n: int | None = None) -> str:
    if np.isnan(lo) or np.isnan(hi) or (n is not None and n < effects.MIN_CLUSTERS):
        return "too few runs"
    if lo > 0:
        return "up"
    if hi < 0:
        return "down"
    return "not distinguishable from 0"


def section_derived(
    final: pd.DataFrame, ref: pd.Series | None, out: Path, write: Callable, manifest: dict
) -> list[str]:
    """Derived outcomes per design point (per policy when the experiment has levers): gaps,
    yearly cost, cost per additional engaged resident against the reference. Medians over
    replications and states, so one run with almost no gain does not dominate."""
    declared = list((manifest.get("experiment") or {}).get("derived") or {})
    cols = [c for c in [*derived.DERIVED, *declared] if c in final.columns]
    if not cols:
        return []
    levers = [PARAM_PREFIX + k for k in (manifest.get("experiment") or {}).get("levers") or {}]
    keys = ["scenario", *(levers or ["point", *_factors(final)])]
    groups = final.groupby(keys, dropna=False)
    summary = groups[cols].median().reset_index()
    if "additional_engaged_residents" in final.columns:
        # the ratio of the means, not the median of per-run ratios (a run with a gain near
        # zero has a huge ratio); empty where the policy gains nobody on average
        means = groups[["additional_cost_eur_per_year", "additional_engaged_residents"]].mean()
        gain = means["additional_engaged_residents"]
        ratio = means["additional_cost_eur_per_year"] / gain.where(gain > 0)
        summary["additional_engaged_residents"] = gain.to_numpy()
        summary["cost_per_additional_engaged_resident"] = ratio.to_numpy()
    write(summary, out / "derived")
    ref_text = ""
    if ref is not None and ref.any():
        first = final[ref].iloc[0]
        shown = levers or _factors(final)
        ref_text = ", ".join(
            [f"scenario `{first['scenario']}`"]
            + [f"`{c.removeprefix(PARAM_PREFIX)}` = {first[c]}" for c in shown]
        )
    per = "policy, over the states of the world and" if levers else "design point, over"
    md = [
        "## Derived outcomes",
        "",
        f"Medians per {per} replications ([derived.csv](derived.csv) has all of them; the "
        "additional engaged residents are means, paired with the reference in the same state "
        "and seed, and their cost is the mean extra cost over the mean gain): "
        "`education_gap` (high minus low education), `migration_gap` (everyone minus people "
        "with a migration background), `cost_eur_per_year`, and the cost per additional "
        f"engaged resident a year against the reference ({ref_text or 'the first design point'}), "
        "in residents, not agents; empty where no run gained engaged residents.",
        "",
    ]
    show = [
        c
        for c in (
            "engaged_residents",
            "education_gap",
            "migration_gap",
            "cost_eur_per_year",
            "additional_engaged_residents",
            "cost_per_additional_engaged_resident",
            *declared,
        )
        if c in summary.columns
    ]
    if len(summary) > 40:
        md += [f"{len(summary)} rows: see [derived.csv](derived.csv).", ""]
        return md
    header = ["scenario", *(k.removeprefix(PARAM_PREFIX) for k in keys[1:]), *show]
    rows = [[r[k] for k in keys] + [r[c] for c in show] for r in summary.to_dict("records")]
    return md + [*_table(header, rows), ""]


def section_policies(
    final: pd.DataFrame, manifest: dict, out: Path, indicators: list[str], write: Callable
) -> list[str]:
    """Each policy across the uncertainties: its spread, its regret against the best policy
    in each state of the world, and a robustness ranking (minimax regret and a percentile)."""
    exp = manifest.get("experiment") or {}
    levers = [PARAM_PREFIX + k for k in exp.get("levers") or {}]
    uncertain = [PARAM_PREFIX + k for k in exp.get("uncertainties") or {}]
    if not levers:
        return []
    wanted = {
        i: i in LARGER_IS_BETTER
        for i in indicators
        if i in final.columns and (i in LARGER_IS_BETTER or i in SMALLER_IS_BETTER)
    }
    unranked = [i for i in indicators if i in final.columns and i not in wanted]
    names = {k: f"`{k.removeprefix(PARAM_PREFIX)}`" for k in levers + uncertain}
    md = [
        "## Policies across uncertainties",
        "",
        f"A policy is one combination of the levers ({', '.join(names[k] for k in levers)}); "
        "every policy ran in the same states of the world, drawn over the uncertainties "
        f"({', '.join(names[k] for k in uncertain) or 'none'}). "
        "Regret is how far a policy falls short of the best policy in the same state; the "
        "ranking puts first the policy whose worst regret is smallest (minimax regret, "
        "Savage 1951), and beside it the rank by the outcome that 90% of states reach "
        "(Lempert et al. 2006; McPhail et al. 2018). Ranks are averaged over the indicators.",
        "",
    ]
    if unranked:
        md += [
            "Not ranked (no direction of better or worse is declared for them): "
            + ", ".join(f"`{i}`" for i in unranked)
            + ".",
            "",
        ]
    # an outcome that is empty for a whole policy (a ratio against itself) cannot be ranked
    usable = {}
    for ind, larger in wanted.items():
        try:
            robustness.regret(final, levers, uncertain, ind, larger)
            usable[ind] = larger
        except ValueError as exc:
            md += [f"`{ind}` is not ranked: {exc}", ""]
    if not usable:
        return md
    ranking = robustness.robustness_ranking(final, levers, uncertain, usable)
    write(ranking, out / "robustness")
    cols = ["rank", "rank_regret", "rank_decile"]
    rows = [[r["policy"], *(r[c] for c in cols)] for r in ranking.to_dict("records")]
    md += [*_table(["policy", "overall rank", "by max regret", "by 10% outcome"], rows), ""]
    for ind, larger in usable.items():
        spread = robustness.policy_outcomes(final, levers, ind)
        regret = robustness.regret(final, levers, uncertain, ind, larger)
        table = spread.merge(regret, on=["policy", *levers])
        write(table, out / f"policies_{ind}")
        rows = [
            [
                r["policy"],
                f"{r['mean']:.3g}",
                f"{r['q10']:.3g} to {r['q90']:.3g}",
                f"{r['max_regret']:.3g}",
            ]
            for r in table.sort_values("max_regret").to_dict("records")
        ]
        md += [
            f"### {ind}" + (" (smaller is better)" if not larger else ""),
            "",
            *_table(["policy", "mean", "10% to 90% over states", "max regret"], rows),
            "",
        ]
    return md


def section_discovery(
    final: pd.DataFrame,
    out: Path,
    condition: str,
    threshold: float,
    save: Callable,
    write: Callable,
) -> list[str]:
    """Scenario discovery: which boxes of the factors give the runs that meet
    ``condition`` (PRIM with its peeling trajectory, and CART), with coverage and density
    (Bryant & Lempert 2010; Kwakkel 2017)."""
    md = [
        "## Scenario discovery",
        "",
        f"Condition: `{condition}`. PRIM (Friedman & Fisher 1999) peels the factor space "
        "toward the runs that meet it; *coverage*: share of those runs inside the box, "
        f"*density*: share of the box's runs that meet it (a box must reach {threshold:g}), "
        "*mass*: share of all runs inside. CART gives the leaves of a classification tree for "
        "comparison.",
        "",
    ]
    try:
        boxes = discovery.prim_boxes(final, condition, threshold=threshold)
    except discovery.NothingToDiscover as exc:
        return md + [f"Nothing to discover: {exc}", ""]
    write(discovery.boxes_table(boxes), out / "prim_boxes")
    save(discovery.peeling_figure(boxes[0], threshold=threshold), out / "prim_peeling")
    md += ["### PRIM", "", *discovery.boxes_markdown(boxes), ""]
    md += ["![PRIM peeling trajectory](prim_peeling.png)", ""]
    cart = discovery.cart_boxes(final, condition)
    write(discovery.boxes_table(cart), out / "cart_boxes")
    md += ["### CART", "", *discovery.boxes_markdown(cart[:3]), ""]
    return md
