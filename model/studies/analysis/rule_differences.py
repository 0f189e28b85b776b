"""Rule experiments in the report: the difference each rule variant makes against the
mechanism's default rule, with its 95% interval, and the conclusions by rule variant.

A sweep that varies ``rules.<mechanism>`` asks two questions. *What does the rule change?*
:func:`between_rules` answers it: each variant minus the reference rule (the mechanism's
default, or the experiment's first value where the default is not run), for every indicator
asked for. *Do the other conclusions hold under every rule?* :func:`conclusions_by_rule`
answers that (model/studies/analysis/structural.py). :func:`section_rules` writes both into
the report.

Replication *r* has the same seed under every rule (common random numbers), so a difference
is taken between runs of the same scenario, the same values of the other varied parameters
and the same replication; the pairs of one replication are averaged, since they share their
random numbers and are not independent, and the replications are the independent draws of
the difference. Its interval is the Student t interval of differences.csv
(:func:`model.studies.analysis.tables.differences_from_baseline`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.studies.analysis import effects
from model.studies.analysis.answers import _verdict
from model.studies.analysis.results import PARAM_PREFIX, final_values, param_columns
from model.studies.analysis.structural import (
    MIN_PAIRS,
    RULE_INDICATORS,
    RULE_PREFIX,
    _effect_text,
    _is_share,
    _num,
    add_edu_gap,
    conclusion_sentences,
    conclusions_by_rule,
    rule_columns,
    rule_effects_chart,
)
from model.studies.analysis.tables import _tidy_stats

COLUMNS = [
    "scenario",
    "mechanism",
    "reference",
    "reference_is_default",
    "rule",
    "indicator",
    "reference_mean",
    "rule_mean",
    "difference",
    "ci95_low",
    "ci95_high",
    "n",
    "verdict",
]
#: verdict of an indicator asked for that the runs do not have
MISSING = "not in the results"
#: verdict of an indicator that no pair of runs has under both rules
NO_PAIRS = "no pairs"


def default_rule(mechanism: str) -> str | None:
    """The mechanism's default rule, as a scenario without ``[rules]`` runs it."""
    from model.simulation.scenario import Rules  # here: the scenario model is slow to import

    field = Rules.model_fields.get(mechanism)
    return field.default if field is not None and isinstance(field.default, str) else None


def _specs(manifest: dict | None) -> dict:
    exp = (manifest or {}).get("experiment") or {}
    return {
        **(exp.get("parameters") or {}),
        **(exp.get("levers") or {}),
        **(exp.get("uncertainties") or {}),
    }


def rule_order(final: pd.DataFrame, col: str, spec: dict | None) -> tuple[Any, list]:
    """The reference rule of a ``param:rules.<mechanism>`` column and the other rules in the
    experiment's order: the default where it was run, else the first value listed (else the
    first present)."""
    present = list(dict.fromkeys(final[col].dropna()))
    listed = [v for v in (spec or {}).get("values") or [] if v in present]
    order = listed + [v for v in present if v not in listed]
    default = default_rule(col.removeprefix(RULE_PREFIX))
    ref = default if default in order else order[0]
    return ref, [v for v in order if v != ref]


def _paired(final: pd.DataFrame, col: str, ref: Any, rule: Any, inds: list[str]) -> pd.DataFrame:
    """Per scenario, indicator and replication: the means of the paired runs under ``rule``
    (``rule_value``) and under ``ref`` (``ref_value``) and their difference (``value``)."""
    others = [c for c in param_columns(final) if c != col and final[c].nunique() > 1]
    on = ["scenario", *others, "replication"]
    keys = ["scenario", "indicator", "replication"]
    if not inds:
        return pd.DataFrame(columns=[*keys, "rule_value", "ref_value", "value"])
    pairs = final.loc[final[col] == rule, [*on, *inds]].merge(
        final.loc[final[col] == ref, [*on, *inds]], on=on, suffixes=("", "__ref")
    )
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "scenario": pairs["scenario"],
                    "indicator": ind,
                    "replication": pairs["replication"],
                    "rule_value": pairs[ind].astype(float),
                    "ref_value": pairs[f"{ind}__ref"].astype(float),
                }
            )
            for ind in inds
        ],
        ignore_index=True,
    ).dropna()
    per_rep = long.groupby(keys, sort=False)[["rule_value", "ref_value"]].mean().reset_index()
    per_rep["value"] = per_rep["rule_value"] - per_rep["ref_value"]
    return per_rep


def _summary(per_rep: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """Per (scenario, indicator) of :func:`_paired`: the means, the mean difference, its 95%
    interval and ``n``."""
    from scipy.stats import t as student_t  # here: scipy.stats takes a while to import

    if per_rep.empty:
        return {}
    keys = ["scenario", "indicator"]
    means = per_rep.groupby(keys, sort=False)[["ref_value", "rule_value"]].mean().reset_index()
    out = {}
    for s in _tidy_stats(per_rep, keys).merge(means, on=keys).to_dict("records"):
        n = int(s["n"])
        # the replications are independent draws of the paired difference: the t interval of
        # its mean, as differences.csv (tables.differences_from_baseline)
        half = student_t.ppf(0.975, n - 1) * s["sd"] / np.sqrt(n) if n >= 2 else np.nan
        out[(s["scenario"], s["indicator"])] = {
            "reference_mean": float(s["ref_value"]),
            "rule_mean": float(s["rule_value"]),
            "difference": float(s["mean"]),
            "ci95_low": float(s["mean"] - half),
            "ci95_high": float(s["mean"] + half),
            "n": n,
        }
    return out


def between_rules(
    df: pd.DataFrame,
    manifest: dict | None = None,
    indicators: tuple[str, ...] = RULE_INDICATORS,
) -> pd.DataFrame:
    """Each rule variant minus the reference rule of its mechanism, for every indicator.

    Parameters
    ----------
    df : pandas.DataFrame
        Results (:func:`load_results`) or one row per run (:func:`window_values`, with the
        derived outcomes of :func:`model.studies.analysis.answers.prepare`), of an experiment
        varying at least one ``rules.*`` parameter on a grid.
    manifest : dict, optional
        The manifest; the order of the rules' ``values`` in it gives the reference where
        the mechanism's default was not run.
    indicators : tuple of str
        Indicators to compare, in this order; ``engaged_share_edu_gap`` is computed from
        the education tiers. One not in the results still gets its rows, with ``n`` 0 and
        the verdict :data:`MISSING`.

    Returns
    -------
    pandas.DataFrame
        One row per scenario, mechanism, rule (other than the reference) and indicator:
        :data:`COLUMNS`. ``reference_mean`` and ``rule_mean`` are the means over the paired
        runs (their difference is ``difference``); ``ci95_low``/``ci95_high`` the 95% t
        interval of the mean difference over ``n`` paired replications (empty below 2);
        ``verdict`` as the report's key results: ``up``, ``down``, ``not distinguishable
        from 0``, or ``too few runs`` below :data:`effects.MIN_CLUSTERS` pairs (and
        :data:`NO_PAIRS` or :data:`MISSING`). Empty when no rule varies.
    """
    final = final_values(df)
    rules = rule_columns(final) if not final.empty else []
    if not rules:
        return pd.DataFrame(columns=COLUMNS)
    final = add_edu_gap(final)
    inds = list(dict.fromkeys(indicators))
    present = [i for i in inds if i in final.columns and final[i].notna().any()]
    specs = _specs(manifest)
    rows = []
    for col in rules:
        mechanism = col.removeprefix(RULE_PREFIX)
        ref, variants = rule_order(final, col, specs.get(col.removeprefix(PARAM_PREFIX)))
        for rule in variants:
            stats = _summary(_paired(final, col, ref, rule, present))
            for sc in dict.fromkeys(final["scenario"]):
                for ind in inds:
                    row = {
                        "scenario": sc,
                        "mechanism": mechanism,
                        "reference": ref,
                        "reference_is_default": ref == default_rule(mechanism),
                        "rule": rule,
                        "indicator": ind,
                        "n": 0,
                        # no run has a value under both rules (failed runs, or an outcome
                        # empty for the reference, such as a cost per additional engaged
                        # resident): nothing to compare
                        "verdict": NO_PAIRS if ind in present else MISSING,
                    }
                    if (sc, ind) in stats:
                        row |= stats[(sc, ind)]
                        row["verdict"] = _verdict(row["ci95_low"], row["ci95_high"], row["n"])
                    rows.append(row)
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def missing_indicators(final: pd.DataFrame, indicators: tuple[str, ...]) -> list[str]:
    """The indicators that have no value in any run (``engaged_share_edu_gap`` is derived)."""
    final = add_edu_gap(final)
    return [i for i in indicators if i not in final.columns or not final[i].notna().any()]


def _amount(indicator: str, x: float, sign: str = "", large: bool = False) -> str:
    """A share in percent (as the conclusions table), large amounts such as euros to the
    unit, other values to 4 decimals; empty when there is no value."""
    if not np.isfinite(x):
        return ""
    if _is_share(indicator):
        return _num(x, True, sign)
    return f"{x:{sign},.0f}" if large or abs(x) >= 1000 else _num(x, False, sign)


def _difference_text(r: dict) -> str:
    """``+4.1 pp [2.0, 6.3]`` for shares, ``-0.0949 [-0.2684, 0.0786]`` otherwise, as the
    conclusions table writes an effect."""
    ind = r["indicator"]
    # a difference in euros is written like the amounts it is taken between
    large = bool(np.nanmax(np.abs([r["reference_mean"], r["rule_mean"], 0.0])) >= 1000)
    text = _amount(ind, r["difference"], "+", large)
    if text and _is_share(ind):
        text += " pp"
    if text and np.isfinite(r["ci95_low"]):
        lo, hi = (_amount(ind, r[k], "", large) for k in ("ci95_low", "ci95_high"))
        text += f" [{lo}, {hi}]"
    return text


def between_rules_rows(table: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the Markdown table of :func:`between_rules`."""
    multi = table["scenario"].nunique() > 1
    header = [*(["scenario"] if multi else []), "rule (vs reference)", "indicator"]
    header += ["reference", "rule", "difference [95% CI]", "n", "reads"]
    rows = []
    for r in table.to_dict("records"):
        ind = r["indicator"]
        pct = "%" if _is_share(ind) and np.isfinite(r["rule_mean"]) else ""
        rows.append(
            [
                *([r["scenario"]] if multi else []),
                f"{r['mechanism']}={r['rule']} (vs {r['reference']})",
                ind,
                _amount(ind, r["reference_mean"]) + pct,
                _amount(ind, r["rule_mean"]) + pct,
                _difference_text(r),
                int(r["n"]),
                r["verdict"],
            ]
        )
    return header, rows


def section_rules(
    final: pd.DataFrame,
    manifest: dict,
    out: Path,
    notes: list[str],
    write: Callable,
    save: Callable,
    md_table: Callable,
    asked: tuple[str, ...] = (),
) -> list[str]:
    """The report's structural-uncertainty section: differences between rules, then the
    conclusions by rule variant; ``asked`` are the indicators of ``--indicators`` (default:
    :data:`RULE_INDICATORS`), none of which is left out without a word."""
    indicators = tuple(asked) or RULE_INDICATORS
    rules = [c.removeprefix(PARAM_PREFIX) for c in rule_columns(final)]
    missing = missing_indicators(final, indicators)
    if missing:
        notes.append(
            f"Not in the results, so neither compared between rules nor by rule variant: "
            f"{', '.join(f'`{i}`' for i in missing)}."
        )
    between = between_rules(final, manifest, indicators)
    write(between, out / "between_rules")
    refs = between.drop_duplicates("mechanism")
    said = [
        f"`{r['mechanism']}`: {r['reference']}"
        + (" (the default)" if r["reference_is_default"] else " (first value; default not run)")
        for r in refs.to_dict("records")
    ]
    md = [
        "## Structural uncertainty: rule variants",
        "",
        f"The experiment varies the rule of {', '.join(f'`{r}`' for r in rules)}.",
        "",
        "### Differences between rules",
        "",
        f"Each rule minus the reference rule ({'; '.join(said)}), for every indicator "
        f"{'asked for' if asked else 'of this section'}. Runs are paired by scenario, the "
        "other parameters' values and replication (the same seed); a replication's pairs are "
        "averaged, and the interval is the 95% t interval of the mean difference over the "
        "*n* paired replications (as in differences.csv; the key results give the same "
        "contrast with a bootstrap interval). *reads*: up or down where the interval "
        f"excludes 0 and rests on at least {effects.MIN_CLUSTERS} paired replications ('too "
        "few runs' below). Shares in percent, differences in percentage points.",
        "",
        "- [Differences between rules](between_rules.csv) ([Parquet](between_rules.parquet)):"
        " reference and rule means, difference, `ci95_low`, `ci95_high`, `n`, verdict.",
        "",
        *md_table(*between_rules_rows(between)),
        "",
    ]
    return md + _conclusions(final, manifest, out, notes, write, save, md_table, indicators)


def _conclusions(final, manifest, out, notes, write, save, md_table, indicators) -> list[str]:
    """The conclusions-by-rule part: each other parameter's effect under every variant."""
    table = conclusions_by_rule(final, manifest, indicators)
    md = ["### Conclusions by rule variant", ""]
    if table.empty:
        return md + ["No other parameter varies: nothing to compare under each rule.", ""]
    write(table, out / "conclusions_by_rule")
    save(rule_effects_chart(table), out / "conclusions_by_rule")
    variants = list(dict.fromkeys(table["variant"]))
    md += [
        f"{len(variants)} rule variants ({'; '.join(variants)}). Each other parameter's "
        "effect (last minus first level, paired by replication and averaged over the other "
        "parameters) is computed under every variant: mean and 5-95% range over replications "
        "(shares in percentage points). **robust**: every variant's range excludes 0 with the "
        "same sign; **depends on rule**: some variants' ranges exclude 0 and others' do not, "
        "or the signs differ (the conclusion is supported under some rules only; whether the "
        "effects themselves differ much, the spread tells); **no clear effect**: every range "
        f"includes 0; a range counts only with at least {MIN_PAIRS} paired replications, and "
        "a variant without any makes the verdict **incomplete**. *spread*: largest minus "
        "smallest effect across variants.",
        "",
        "- [Conclusions by rule](conclusions_by_rule.csv) "
        "([Parquet](conclusions_by_rule.parquet)): one row per parameter, indicator and "
        "rule variant.",
        "",
        *(f"- {s}" for s in conclusion_sentences(table)),
        "",
    ]
    multi = table["scenario"].nunique() > 1
    header = [*(["scenario"] if multi else []), "parameter (high vs low)", "indicator"]
    header += [*variants, "verdict", "spread"]
    rows = []
    for _, g in table.groupby(["scenario", "parameter", "indicator"], sort=False):
        first = g.iloc[0]
        ind = first["indicator"]
        by_variant = g.set_index("variant")
        cells = [first["scenario"]] if multi else []
        cells += [f"{first['parameter']} ({first['high']} vs {first['low']})", ind]
        for v in variants:
            r = by_variant.loc[v]
            cells.append(_effect_text(ind, r["effect"], r["q05"], r["q95"]))
        share = _is_share(ind)
        spread = _num(first["spread"], share) + (" pp" if share else "")
        rows.append([*cells, f"**{first['verdict']}**", spread])
    md += [*md_table(header, rows), ""]
    md += [
        "![effects by rule variant](conclusions_by_rule.png) ([SVG](conclusions_by_rule.svg))",
        "",
    ]
    small = table.loc[table["n"] < MIN_PAIRS, "variant"].unique().tolist()
    if small:
        notes.append(
            f"Fewer than {MIN_PAIRS} paired replications under " + ", ".join(small) + ": their "
            "5-95% ranges, and the verdicts built on them, rest on very few runs."
        )
    return md
