"""Structural uncertainty: which conclusions hold under every rule variant."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from model.studies.analysis.figures import _fmt
from model.studies.analysis.results import PARAM_PREFIX, final_values, param_columns
from model.studies.analysis.tables import _tidy_stats
from model.studies.figures import OKABE_ITO

RULE_PREFIX = PARAM_PREFIX + "rules."
#: derived indicator: engaged share of the high minus the low education tier
EDU_GAP = "engaged_share_edu_gap"
#: indicators of the conclusions-by-rule table
RULE_INDICATORS = (
    "engaged_share",
    "engaged_share_edu_low",
    "engaged_share_edu_high",
    EDU_GAP,
    "trust_mean",
)
#: how the report names an indicator in a sentence
INDICATOR_PHRASES = {
    "engaged_share": "overall engagement",
    "engaged_share_edu_low": "engagement of the low-education tier",
    "engaged_share_edu_mid": "engagement of the middle-education tier",
    "engaged_share_edu_high": "engagement of the high-education tier",
    EDU_GAP: "the education gap in engagement (high minus low tier)",
    "trust_mean": "mean trust",
}
#: how the report names a level of a categorical parameter in a sentence
LEVEL_PHRASES = {
    "levers.participation.timing": {"early": "early participation", "late": "late participation"},
    "levers.leadership.style": {
        "everyday_cooperation": "everyday cooperation",
        "annual_praise": "annual praise",
    },
}
VERDICTS = ("robust", "depends on rule", "no clear effect", "incomplete")
#: Paired replications a variant needs before its 5-95% range can support a sign (with fewer,
#: the range is one or two differences and excludes 0 almost always).
MIN_PAIRS = 3


def _supported_sign(table: pd.DataFrame) -> np.ndarray:
    """Per row: +1 (-1) where the variant's 5-95% range lies above (below) 0 and rests on at
    least :data:`MIN_PAIRS` paired replications; 0 otherwise."""
    q05 = table["q05"].astype(float).to_numpy()
    q95 = table["q95"].astype(float).to_numpy()
    enough = (
        table["n"].fillna(0).astype(float).to_numpy() >= MIN_PAIRS
        if "n" in table.columns
        else np.ones(len(table), dtype=bool)
    )
    return np.where(enough & (q05 > 0), 1, np.where(enough & (q95 < 0), -1, 0))


CONCLUSION_COLUMNS = [
    "scenario",
    "parameter",
    "low",
    "high",
    "indicator",
    "variant",
    "n",
    "effect",
    "q05",
    "q95",
    "verdict",
    "spread",
]


def rule_columns(df: pd.DataFrame) -> list[str]:
    """The ``param:rules.<mechanism>`` columns that take more than one value.

    ``rules.params.<variant>.<name>`` is a number of a rule, not a choice of rule: it is
    left to the other parameters.
    """
    return [
        c
        for c in param_columns(df)
        if c.startswith(RULE_PREFIX)
        and not c.startswith(RULE_PREFIX + "params.")
        and df[c].nunique() > 1
    ]


def _matches(col: pd.Series, value: Any) -> pd.Series:
    """Rows whose value equals ``value`` (by text where the types differ, e.g. 3 and 3.0)."""
    hit = col == value
    if not hit.any():
        hit = col.map(_fmt_level) == _fmt_level(value)
    return hit


def _levels(final: pd.DataFrame, col: str, spec: dict | None) -> tuple[Any, Any]:
    """First and last level of a parameter: as listed in the experiment, else min and max."""
    values = (spec or {}).get("values")
    if values:
        return values[0], values[-1]
    present = final[col].dropna().unique().tolist()
    try:
        return min(present), max(present)
    except TypeError:  # mixed types: order of appearance
        return present[0], present[-1]


def add_edu_gap(final: pd.DataFrame) -> pd.DataFrame:
    """A copy with :data:`EDU_GAP` (high minus low tier) where both tiers are present."""
    out = final.copy()
    if {"engaged_share_edu_high", "engaged_share_edu_low"} <= set(out.columns):
        high = out["engaged_share_edu_high"].astype(float)
        out[EDU_GAP] = high - out["engaged_share_edu_low"].astype(float)
    return out


def _variant_label(rec: dict, rules: list[str]) -> str:
    return ", ".join(f"{c.removeprefix(RULE_PREFIX)}={rec[c]}" for c in rules)


def conclusions_by_rule(
    df: pd.DataFrame,
    manifest: dict | None = None,
    indicators: tuple[str, ...] = RULE_INDICATORS,
) -> pd.DataFrame:
    """How each varied parameter's effect depends on the rule variants (structural uncertainty).

    For every varied parameter that is not a rule (``rules.*``), its *effect* on an indicator
    is the final value at its last (high) level minus that at its first (low) level. It is
    paired: both runs share the scenario, the rule variant, the values of every other varied
    parameter and the replication (hence the seed). The paired differences are averaged over
    the other parameters' values within each replication, so each replication gives one
    effect; ``effect`` is their mean and ``q05``/``q95`` their 5% and 95% quantiles (a 90%
    interval over replications, not a confidence interval of the mean). This is done under
    every rule *variant* (combination of the varied ``rules.*`` values) separately, and
    :func:`rule_verdicts` then says whether the conclusion holds under all of them.

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results`, of an experiment varying at least one
        ``rules.*`` parameter.
    manifest : dict, optional
        The manifest; the order of each parameter's ``values`` in it gives low and high
        (default: the smallest and largest value present).
    indicators : tuple of str
        Indicators to compare; ``engaged_share_edu_gap`` is computed as
        ``engaged_share_edu_high - engaged_share_edu_low``. Missing ones are left out (the
        report names them in its notes; the between-rules table keeps a row for each).

    Returns
    -------
    pandas.DataFrame
        One row per scenario, parameter, indicator and rule variant: ``scenario``,
        ``parameter`` (dotted key), ``low``, ``high``, ``indicator``, ``variant`` (such as
        ``"joining=threshold"``), one ``param:rules.<mechanism>`` column per varied rule,
        ``n`` (replications paired), ``effect``, ``q05``, ``q95``, ``verdict`` and ``spread``
        (see :func:`rule_verdicts`). A variant without any pair has ``n`` 0 and empty effect.
        Empty when no rule or no other parameter varies.
    """
    final = final_values(df)
    rules = rule_columns(final) if not final.empty else []
    if final.empty or not rules:
        return pd.DataFrame(columns=CONCLUSION_COLUMNS)
    final = add_edu_gap(final)
    inds = [i for i in indicators if i in final.columns]
    others = [c for c in param_columns(final) if c not in rules and final[c].nunique() > 1]
    exp = (manifest or {}).get("experiment") or {}
    specs = {
        **(exp.get("parameters") or {}),
        **(exp.get("levers") or {}),
        **(exp.get("uncertainties") or {}),
    }
    variants = final[["scenario", *rules]].drop_duplicates().reset_index(drop=True)
    frames = []
    for col in others:
        key = col.removeprefix(PARAM_PREFIX)
        low, high = _levels(final, col, specs.get(key))
        on = ["scenario", *rules, *(c for c in others if c != col), "replication"]
        lo = final.loc[_matches(final[col], low), [*on, *inds]]
        hi = final.loc[_matches(final[col], high), [*on, *inds]]
        pairs = hi.merge(lo, on=on, how="inner", suffixes=("", "__low"))
        diff = pd.DataFrame(
            pairs[inds].to_numpy(float) - pairs[[f"{i}__low" for i in inds]].to_numpy(float),
            columns=inds,
        )
        diff[["scenario", *rules, "replication"]] = pairs[["scenario", *rules, "replication"]]
        per_rep = diff.groupby(["scenario", *rules, "replication"], sort=False)[inds].mean()
        long = per_rep.reset_index().melt(
            id_vars=["scenario", *rules], value_vars=inds, var_name="indicator"
        )
        long["value"] = long["value"].astype(float)
        stats = (
            _tidy_stats(long, ["scenario", *rules, "indicator"], sd=False)
            if not long.empty
            else pd.DataFrame(columns=["scenario", *rules, "indicator", "n", "mean", "q05", "q95"])
        )
        grid = variants.merge(pd.DataFrame({"indicator": inds}), how="cross")
        table = grid.merge(stats, on=["scenario", *rules, "indicator"], how="left")
        table["n"] = table["n"].fillna(0).astype(int)
        table = table.rename(columns={"mean": "effect"})
        table.insert(1, "parameter", key)
        table.insert(2, "low", _fmt_level(low))
        table.insert(3, "high", _fmt_level(high))
        table["variant"] = [_variant_label(r, rules) for r in table.to_dict("records")]
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=CONCLUSION_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    # order: scenario (as run), parameter (as in the experiment), indicator, variant
    order = pd.DataFrame(
        {
            "s": out["scenario"].map(
                {s: i for i, s in enumerate(dict.fromkeys(final["scenario"]))}
            ),
            "p": out["parameter"].map(
                {c.removeprefix(PARAM_PREFIX): i for i, c in enumerate(others)}
            ),
            "i": out["indicator"].map({s: i for i, s in enumerate(inds)}),
        }
    )
    out = out.loc[order.sort_values(["s", "p", "i"], kind="stable").index].reset_index(drop=True)
    out = rule_verdicts(out)
    cols = [*CONCLUSION_COLUMNS[:6], *rules, *CONCLUSION_COLUMNS[6:]]
    return out[cols]


def rule_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``verdict`` and ``spread`` per (scenario,) parameter and indicator.

    A variant *supports* a sign when its interval (``q05``, ``q95``) excludes 0 and rests on
    at least :data:`MIN_PAIRS` paired replications. The verdict is ``"incomplete"`` when a
    variant has no pairs at all (nothing to compare), ``"robust"`` when every variant
    supports the same sign, ``"no clear effect"`` when no variant supports any, and
    ``"depends on rule"`` otherwise: some variants support the effect and others do not, or
    they support opposite signs. ``spread`` is the largest minus the smallest ``effect``
    across the variants.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``parameter``, ``indicator``, ``effect``, ``q05``, ``q95`` and (optionally)
        ``scenario``; one row per rule variant.

    Returns
    -------
    pandas.DataFrame
        A copy with ``verdict`` and ``spread`` columns (replacing any present).
    """
    out = table.drop(columns=["verdict", "spread"], errors="ignore").copy()
    keys = [k for k in ("scenario", "parameter", "indicator") if k in out.columns]
    # a variant without any pair gets sign 2: no verdict can be given for its group
    no_pairs = out["n"].fillna(0).to_numpy() == 0 if "n" in out.columns else False
    sign = pd.Series(np.where(no_pairs, 2, _supported_sign(out)), index=out.index)

    def verdict(s: pd.Series) -> str:
        if (s == 2).any():
            return "incomplete"
        if (s == 0).all():
            return "no clear effect"
        if (s != 0).all() and s.nunique() == 1:
            return "robust"
        return "depends on rule"

    groups = [out[k] for k in keys]
    out["verdict"] = sign.groupby(groups, sort=False).transform(verdict)
    effect = out["effect"].astype(float).groupby(groups, sort=False)
    out["spread"] = effect.transform("max") - effect.transform("min")
    return out


def _fmt_level(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return str(v)
    if isinstance(v, int | np.integer) or (isinstance(v, float) and float(v).is_integer()):
        return f"{int(v):,}" if abs(v) >= 10_000 else str(int(v))
    return _fmt(v)


def _is_share(indicator: str) -> bool:
    return indicator.startswith("engaged_share") or indicator.endswith("_share")


def _num(x: float, share: bool, sign: str = "") -> str:
    """A share in percentage points to 0.1 (finer where that would show a nonzero as 0.0);
    other values (such as trust, 0 to 1) to 4 decimals."""
    if share:
        x = 100 * x
        if x != 0 and abs(x) < 0.05:
            return f"{x:{sign}.1g}"
        return f"{x:{sign}.1f}"
    return f"{x:{sign}.4f}"


def _effect_text(indicator: str, effect: float, q05: float, q95: float) -> str:
    """``+4.1 pp [2.0, 6.3]`` for shares, ``+0.0047 [0.0040, 0.0051]`` otherwise."""
    if not np.isfinite(effect):
        return "no pairs"
    share = _is_share(indicator)
    unit = " pp" if share else ""
    return f"{_num(effect, share, '+')}{unit} [{_num(q05, share)}, {_num(q95, share)}]"


def _subject(parameter: str, low: str, high: str) -> str:
    """What is changed, as the subject of a sentence ("Early participation (instead of late)")."""
    phrases = LEVEL_PHRASES.get(parameter, {})
    if high in phrases:
        text = f"{phrases[high]} (instead of {low})"
        return text[0].upper() + text[1:]
    short = parameter.rsplit(".", 1)[-1]
    try:
        up = float(high.replace(",", "")) > float(low.replace(",", ""))
        return f"{'Raising' if up else 'Lowering'} `{short}` from {low} to {high}"
    except ValueError:
        return f"Setting `{short}` to {high} (instead of {low})"


def _join(items: list[str], last: str = "and") -> str:
    return items[0] if len(items) == 1 else "; ".join(items[:-1]) + f" {last} " + items[-1]


def conclusion_sentences(table: pd.DataFrame) -> list[str]:
    """One sentence per (scenario,) parameter and indicator of :func:`conclusions_by_rule`.

    For example: "Early participation (instead of late) raises engagement of the
    low-education tier under joining=logistic (+4.1 pp [2.0, 6.3]) but not under
    joining=threshold (+0.3 pp [-1.2, 1.9])." Numbers are the mean effect and its 5-95%
    range over replications.
    """
    out = []
    multi = table["scenario"].nunique() > 1 if "scenario" in table.columns else False
    keys = [k for k in ("scenario", "parameter", "indicator") if k in table.columns]
    for _, g in table.groupby(keys, sort=False):
        first = g.iloc[0]
        ind = first["indicator"]
        subject = _subject(first["parameter"], str(first["low"]), str(first["high"]))
        what = INDICATOR_PHRASES.get(ind, f"`{ind}`")
        sign = _supported_sign(g)
        items = [
            f"{r['variant']} ({_effect_text(ind, r['effect'], r['q05'], r['q95'])})"
            for r in g.to_dict("records")
        ]
        where = f"In scenario {first['scenario']}: " if multi else ""
        if (sign == 0).all():
            text = f"{subject} has no clear effect on {what} under any rule variant: "
            text += _join(items) + "."
        elif (sign != 0).all() and len(set(sign)) == 1:
            verb = "raises" if sign[0] > 0 else "lowers"
            text = f"{subject} {verb} {what} under every rule variant: {_join(items)}."
        else:
            effects = g["effect"].to_numpy(float)
            lead = int(sign[np.nanargmax(np.where(sign != 0, np.abs(effects), -1))])
            verb, other = ("raises", "lowers") if lead > 0 else ("lowers", "raises")
            pick = {
                k: [it for it, x in zip(items, sign, strict=True) if x == k] for k in (-1, 0, 1)
            }
            text = f"{subject} {verb} {what} under {_join(pick[lead])}"
            if pick[0]:
                text += f" but not under {_join(pick[0], 'or')}"
            if pick[-lead]:
                text += f"{' and' if pick[0] else ' but'} {other} it under {_join(pick[-lead])}"
            text += "."
        out.append(where + text)
    return out


def rule_effects_chart(table: pd.DataFrame, max_parameters: int = 6) -> Figure:
    """Bar chart of :func:`conclusions_by_rule`: effect per rule variant with its interval.

    One panel per parameter (row) and indicator (column); bars are the mean effects under
    each variant, whiskers the 5-95% range over replications; the title gives the verdict.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`conclusions_by_rule` (one scenario is drawn: the first).
    max_parameters : int, default 6
        Draw at most this many parameters.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if table.empty:
        raise ValueError("the conclusions table is empty")
    t = table[table["scenario"] == table["scenario"].iloc[0]] if "scenario" in table else table
    params = list(dict.fromkeys(t["parameter"]))[:max_parameters]
    inds = list(dict.fromkeys(t["indicator"]))
    variants = list(dict.fromkeys(t["variant"]))
    fig = Figure(figsize=(2.6 * len(inds) + 0.6, 2.7 * len(params) + 1.2), layout="constrained")
    axes = fig.subplots(len(params), len(inds), squeeze=False)
    x = np.arange(len(variants))
    colors = [OKABE_ITO[k % len(OKABE_ITO)] for k in range(len(variants))]
    for row, par in zip(axes, params, strict=True):
        for ax, ind in zip(row, inds, strict=True):
            g = t[(t["parameter"] == par) & (t["indicator"] == ind)].set_index("variant")
            g = g.reindex(variants)
            scale = 100.0 if _is_share(ind) else 1.0
            eff = g["effect"].to_numpy(float) * scale
            lo = g["q05"].to_numpy(float) * scale
            hi = g["q95"].to_numpy(float) * scale
            err = np.vstack([np.clip(eff - lo, 0, None), np.clip(hi - eff, 0, None)])
            ax.bar(x, np.nan_to_num(eff), 0.7, color=colors)
            ax.errorbar(
                x, eff, yerr=np.nan_to_num(err), fmt="none", ecolor="black", elinewidth=1, capsize=3
            )
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_xticks(x, [str(k + 1) for k in range(len(variants))], fontsize=8)
            ax.grid(axis="y", alpha=0.3)
            verdict = g["verdict"].dropna().iloc[0] if g["verdict"].notna().any() else ""
            unit = " (pp)" if _is_share(ind) else ""
            ax.set_title(f"{ind}{unit}\n{verdict}", fontsize=8)
            if ax is row[0]:
                rec = t[t["parameter"] == par].iloc[0]
                short = par.rsplit(".", 1)[-1]
                ax.set_ylabel(f"{short}\n{rec['high']} minus {rec['low']}", fontsize=8)
    handles = [
        Patch(color=c, label=f"{k + 1}: {v}")
        for k, (c, v) in enumerate(zip(colors, variants, strict=True))
    ]
    fig.legend(handles=handles, loc="outside lower center", fontsize=8, ncols=min(2, len(variants)))
    fig.suptitle(
        "Effect of each parameter (high minus low level) under each rule variant: mean and "
        "5-95% over replications (shares in pp)",
        fontsize=10,
    )
    return fig
