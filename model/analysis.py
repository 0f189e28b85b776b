"""Analysis of a sweep's results directory: tables, sensitivity indices, figures, report.

A results directory (written by the sweep runner) holds ``manifest.json``, one Parquet file
per finished run in ``parts/`` and one JSON file per failed run in ``failures/``. Typical use::

    from model.analysis import load_results, summary_table, write_report

    df = load_results("runs/sweep-x")       # every finished run, one frame
    summary_table(df)                        # mean, sd, 5-95% per scenario and design point
    write_report("runs/sweep-x")             # everything into runs/sweep-x/analysis/

Replication *r* uses the same seed at every design point (common random numbers), so
differences between points are computed per replication (paired) before they are summarised.
All tables are *tidy* (one row per group and indicator): the model has about 30 indicators,
and a wide table with five statistics each would be unreadable.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from model.plots import OKABE_ITO

PARAM_PREFIX = "param:"
ID_COLUMNS = ("run_id", "scenario", "point", "replication", "seed")
#: numeric columns that are bookkeeping, not model indicators
NOT_INDICATORS = frozenset({"run_id", "point", "replication", "seed", "step"})
#: indicators that get sensitivity tables and charts in the report
MAIN_INDICATORS = ("engaged_share", "engaged_share_edu_low", "trust_mean", "climate_progress")
#: indicators that get fan charts in the report
FAN_INDICATORS = ("engaged_share", "trust_mean", "climate_progress")
EDU_COLUMNS = {
    "engaged_share_edu_low": ("low education", OKABE_ITO[0]),
    "engaged_share_edu_mid": ("middle education", OKABE_ITO[1]),
    "engaged_share_edu_high": ("high education", OKABE_ITO[3]),
}
SENSITIVITY_DESIGNS = ("sobol", "morris")


# ---------------------------------------------------------------------------- loading
def load_manifest(results_dir: str | Path) -> dict[str, Any]:
    """Read ``manifest.json`` of a results directory.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.

    Returns
    -------
    dict
        The manifest: ``experiment``, ``problem``, ``design_matrix``, ``runs``, ...
    """
    path = Path(results_dir) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no manifest.json; is this a sweep results directory?")
    return json.loads(path.read_text(encoding="utf-8"))


def load_results(results_dir: str | Path) -> pd.DataFrame:
    """All finished runs of a results directory as one DataFrame.

    Reads every ``parts/run-*.parquet`` and stacks them, sorted by ``run_id`` and ``step``.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.

    Returns
    -------
    pandas.DataFrame
        One row per run and month (``keep="series"``) or per run (``keep="final"``); columns
        ``run_id``, ``scenario``, ``point``, ``replication``, ``seed``, ``param:<key>`` for
        every varied parameter, ``date``, ``step`` and the indicators. Empty (with the id
        columns) when no run has finished.

    Notes
    -----
    ``pd.read_parquet(results_dir / "parts")`` is *not* used: it takes the schema of one file
    for all, so it fails when a column is empty (null type) in one run and numeric in another
    (the assembly indicators are empty in runs without an assembly), and it also fails on any
    stray file in the folder. Here each file is read on its own and the schemas are unified
    (a null column becomes the numeric type of the others; missing columns become empty).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted((Path(results_dir) / "parts").glob("run-*.parquet"))
    if not files:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in ID_COLUMNS})
    tables = []
    for path in files:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowException) as exc:
            raise ValueError(f"{path}: cannot read this part ({exc})") from exc
    table = pa.concat_tables(tables, promote_options="permissive")
    # the pandas metadata of the first file (its index length) does not fit the whole table
    df = table.replace_schema_metadata(None).to_pandas()
    order = [c for c in ("run_id", "step") if c in df.columns]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


def load_failures(results_dir: str | Path) -> list[dict[str, Any]]:
    """The failed runs (``failures/run-*.json``), sorted by ``run_id``.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.

    Returns
    -------
    list of dict
        Each with ``run_id``, ``params``, ``error`` and ``traceback``.
    """
    out = []
    for path in sorted((Path(results_dir) / "failures").glob("run-*.json")):
        out.append(json.loads(path.read_text(encoding="utf-8")))
    return sorted(out, key=lambda f: f.get("run_id", -1))


# ---------------------------------------------------------------------------- columns
def param_columns(df: pd.DataFrame) -> list[str]:
    """The ``param:<key>`` columns of a results frame, in their order."""
    return [c for c in df.columns if c.startswith(PARAM_PREFIX)]


def indicator_columns(df: pd.DataFrame) -> list[str]:
    """The numeric model indicators of a results frame.

    Ids, ``step`` and parameter columns are excluded, and so are columns that are empty in
    every row (such as the assembly indicators in a sweep without an assembly): they carry
    no information and would only fill the tables with blanks.
    """
    out = []
    for c in df.columns:
        if c in NOT_INDICATORS or c.startswith(PARAM_PREFIX):
            continue
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        if s.notna().any():
            out.append(c)
    return out


# ---------------------------------------------------------------------------- tables
def final_values(df: pd.DataFrame) -> pd.DataFrame:
    """The last month of every run (one row per ``run_id``).

    Works for both ``keep`` modes: with ``keep="final"`` the frame already has one row per
    run and is returned sorted.
    """
    if df.empty:
        return df.copy()
    time_col = "step" if "step" in df.columns else "date"
    order = ["run_id", time_col] if time_col in df.columns else ["run_id"]
    last = df.sort_values(order, kind="stable").groupby("run_id", sort=True).tail(1)
    return last.reset_index(drop=True)


def _group_params(final: pd.DataFrame) -> pd.DataFrame:
    """Scenario, point and parameter values of every design point (constant within it)."""
    cols = ["scenario", "point", *param_columns(final)]
    return final[cols].drop_duplicates(["scenario", "point"]).reset_index(drop=True)


def _tidy_stats(long: pd.DataFrame, keys: list[str], sd: bool = True) -> pd.DataFrame:
    """n, mean, (sd,) q05, q95 of ``value`` per ``keys`` of a long frame."""
    g = long.groupby(keys, sort=False)["value"]
    stats = g.agg(["count", "mean", "std"]).rename(columns={"count": "n", "std": "sd"})
    q = g.quantile([0.05, 0.95]).unstack()
    stats["q05"], stats["q95"] = q[0.05], q[0.95]
    if not sd:
        stats = stats.drop(columns="sd")
    return stats.reset_index()


def _sort_like_runs(table: pd.DataFrame, final: pd.DataFrame, indicators: list[str]):
    """Order rows as the runs were planned (scenario, point), then by indicator order."""
    scen = {s: i for i, s in enumerate(dict.fromkeys(final["scenario"]))}
    ind = {s: i for i, s in enumerate(indicators)}
    key = pd.DataFrame(
        {
            "s": table["scenario"].map(scen),
            "p": table["point"],
            "i": table["indicator"].map(ind),
        }
    )
    return table.loc[key.sort_values(["s", "p", "i"], kind="stable").index].reset_index(drop=True)


def summary_table(df: pd.DataFrame) -> pd.DataFrame:
    """Final values summarised over replications, per scenario and design point.

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results`.

    Returns
    -------
    pandas.DataFrame
        Tidy table with columns ``scenario``, ``point``, the ``param:<key>`` columns,
        ``indicator``, ``n`` (replications with a value), ``mean``, ``sd``, ``q05`` and
        ``q95`` (5% and 95% quantiles over replications).
    """
    final = final_values(df)
    indicators = indicator_columns(final)
    cols = ["scenario", "point", "indicator", "n", "mean", "sd", "q05", "q95"]
    if final.empty or not indicators:
        return pd.DataFrame(columns=cols)
    long = final.melt(id_vars=["scenario", "point"], value_vars=indicators, var_name="indicator")
    long["value"] = long["value"].astype(float)
    stats = _tidy_stats(long, ["scenario", "point", "indicator"])
    table = _group_params(final).merge(stats, on=["scenario", "point"], how="right")
    return _sort_like_runs(table, final, indicators)


def reference_group(
    df: pd.DataFrame, baseline_point: int | None = 0, baseline_scenario: str | None = None
) -> tuple[str, int | None]:
    """The reference (scenario, point) that :func:`differences_from_baseline` uses.

    The scenario is ``baseline_scenario`` if given, else ``"baseline"`` when the results
    hold several scenarios and one of them is called so, else the first scenario.
    """
    scenarios = list(dict.fromkeys(df["scenario"]))
    if baseline_scenario is None:
        multi = len(scenarios) > 1 and "baseline" in scenarios
        baseline_scenario = "baseline" if multi else scenarios[0]
    if baseline_scenario not in scenarios:
        raise ValueError(
            f"reference scenario {baseline_scenario!r} has no finished run; "
            f"scenarios are {', '.join(scenarios)}"
        )
    return baseline_scenario, baseline_point


def differences_from_baseline(
    df: pd.DataFrame, baseline_point: int | None = 0, baseline_scenario: str | None = None
) -> pd.DataFrame:
    """Paired differences of final indicators from a reference design point.

    Each run is compared with the reference run of the *same replication*: replications use
    the same seed at every point (common random numbers), so the difference removes most of
    the run-to-run noise that an unpaired comparison of means would keep.

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results`.
    baseline_point : int or None, default 0
        Design point of the reference (0: the first point of the design). ``None`` compares
        every point with the same point of the reference scenario (isolates the scenario
        effect; needs several scenarios).
    baseline_scenario : str, optional
        Reference scenario; by default ``"baseline"`` if the results hold several scenarios
        including one of that name, else the first scenario.

    Returns
    -------
    pandas.DataFrame
        Tidy table with columns ``scenario``, ``point``, the ``param:<key>`` columns,
        ``indicator``, ``reference_scenario``, ``reference_point``, ``n`` (pairs), ``mean``
        and ``sd`` of the paired differences, ``ci95_low`` and ``ci95_high`` (95% confidence
        interval of the mean difference, Student's t with n - 1 degrees of freedom; empty
        for fewer than 2 pairs: is the effect distinguishable from zero?), ``q05`` and
        ``q95`` (5% and 95% quantiles of the paired differences: how much the effect varies
        from one replication to the next). The reference itself is left out; replications
        missing on either side (failed runs) are not paired.
    """
    cols = ["scenario", "point", "indicator", "reference_scenario", "reference_point"]
    cols += ["n", "mean", "sd", "ci95_low", "ci95_high", "q05", "q95"]
    final = final_values(df)
    if final.empty:
        return pd.DataFrame(columns=cols)
    ref_scen, ref_point = reference_group(final, baseline_point, baseline_scenario)
    if ref_point is None and final["scenario"].nunique() < 2:
        raise ValueError("baseline_point=None compares scenarios; the results hold only one")
    indicators = indicator_columns(final)
    in_ref_scen = final["scenario"] == ref_scen
    if ref_point is None:
        is_ref, on = in_ref_scen, ["replication", "point"]
    else:
        is_ref, on = in_ref_scen & (final["point"] == ref_point), ["replication"]
        if not is_ref.any():
            raise ValueError(
                f"reference point {ref_point} of scenario {ref_scen!r} has no finished run"
            )
    ref = final.loc[is_ref, [*on, *indicators]]
    pairs = final.loc[~is_ref].merge(ref, on=on, how="inner", suffixes=("", "__ref"))
    if pairs.empty or not indicators:
        return pd.DataFrame(columns=cols)
    diff = pd.DataFrame(
        pairs[indicators].to_numpy(float)
        - pairs[[f"{c}__ref" for c in indicators]].to_numpy(float),
        columns=indicators,
    )
    diff[["scenario", "point"]] = pairs[["scenario", "point"]].to_numpy()
    diff["point"] = diff["point"].astype(int)
    long = diff.melt(id_vars=["scenario", "point"], value_vars=indicators, var_name="indicator")
    long["value"] = long["value"].astype(float)
    from scipy.stats import t as student_t  # here: scipy.stats takes a while to import

    stats = _tidy_stats(long, ["scenario", "point", "indicator"])
    # the replications are independent draws of the paired difference: a t interval of its
    # mean (with common random numbers the pairs vary little, so it is narrow)
    n = stats["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = student_t.ppf(0.975, n - 1) * stats["sd"].to_numpy(float) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    at = stats.columns.get_loc("sd") + 1
    stats.insert(at, "ci95_low", stats["mean"] - half)
    stats.insert(at + 1, "ci95_high", stats["mean"] + half)
    stats.insert(3, "reference_scenario", ref_scen)
    stats.insert(4, "reference_point", stats["point"] if ref_point is None else ref_point)
    table = _group_params(final).merge(stats, on=["scenario", "point"], how="right")
    return _sort_like_runs(table, final, indicators)


# ------------------------------------------------------------------ structural uncertainty
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
    """The ``param:rules.<mechanism>`` columns that take more than one value."""
    return [c for c in param_columns(df) if c.startswith(RULE_PREFIX) and df[c].nunique() > 1]


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
        ``engaged_share_edu_high - engaged_share_edu_low``. Missing ones are left out.

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
    final = final.copy()
    if {"engaged_share_edu_high", "engaged_share_edu_low"} <= set(final.columns):
        final[EDU_GAP] = final["engaged_share_edu_high"].astype(float) - final[
            "engaged_share_edu_low"
        ].astype(float)
    inds = [i for i in indicators if i in final.columns]
    others = [c for c in param_columns(final) if c not in rules and final[c].nunique() > 1]
    specs = ((manifest or {}).get("experiment") or {}).get("parameters") or {}
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


# ---------------------------------------------------------------------------- sensitivity
def _saltelli_layout(x: np.ndarray, block: int) -> bool:
    """Whether the rows of ``x`` are Saltelli blocks of ``block`` rows (A, AB_1..AB_D, ...).

    Row j+1 of a block is A with column j taken from B, so it differs from the block's first
    row in column j only; the check tells first-order (D+2 rows) from second-order (2D+2)
    samples when the manifest does not say which.
    """
    n, d = x.shape
    if n == 0 or n % block:
        return False
    a = x[::block]
    for j in range(d):
        differs = x[j + 1 :: block] != a
        if np.delete(differs, j, axis=1).any():
            return False
    return True


def _sobol_second_order(manifest: dict, x: np.ndarray) -> bool:
    for where in (manifest.get("problem") or {}, manifest["experiment"]):
        if "calc_second_order" in where:
            return bool(where["calc_second_order"])
    d = x.shape[1]
    if _saltelli_layout(x, d + 2):
        return False
    if _saltelli_layout(x, 2 * d + 2):
        return True
    raise ValueError(
        f"the design matrix ({x.shape[0]} rows, {d} parameters) is not a Saltelli sample; "
        "cannot compute Sobol indices"
    )


def sensitivity(
    df: pd.DataFrame, manifest: dict, indicator: str, scenario: str | None = None
) -> pd.DataFrame:
    """Global sensitivity of a final indicator to the varied parameters (SALib).

    The response of design point *i* is the final value of ``indicator`` averaged over its
    replications (averaging removes the model's own noise from the indices as far as the
    replications allow). Sobol designs use ``SALib.analyze.sobol`` (first-order and total
    indices), Morris designs ``SALib.analyze.morris`` (elementary effects).

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results`.
    manifest : dict
        The manifest (:func:`load_manifest`), with ``problem`` and ``design_matrix``.
    indicator : str
        Indicator column to analyse.
    scenario : str, optional
        Analyse this scenario only; by default every scenario separately.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and parameter: ``scenario``, ``indicator``, ``parameter`` and
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol) or ``mu``, ``mu_star``,
        ``mu_star_conf``, ``sigma`` (Morris). ``*_conf`` are half-widths of 95% bootstrap
        confidence intervals.

    Raises
    ------
    ValueError
        For a design other than Sobol or Morris, a manifest without SALib problem, an unknown
        indicator, or a design point without any finished run (the indices need them all).
    """
    exp = manifest["experiment"]
    design = exp.get("design")
    if design not in SENSITIVITY_DESIGNS:
        raise ValueError(
            f"sensitivity analysis needs a 'sobol' or 'morris' design; experiment "
            f"{exp.get('name')!r} uses {design!r} (compare its points with summary_table or "
            "differences_from_baseline instead)"
        )
    problem_in, x = manifest.get("problem"), manifest.get("design_matrix")
    if not problem_in or x is None:
        raise ValueError(f"the manifest of a {design} design lacks 'problem' or 'design_matrix'")
    names = list(problem_in["names"])
    problem = {"num_vars": len(names), "names": names, "bounds": problem_in["bounds"]}
    x = np.asarray(x, dtype=float)
    final = final_values(df)
    if indicator not in final.columns:
        raise ValueError(f"indicator {indicator!r} is not in the results")
    scenarios = [scenario] if scenario is not None else list(dict.fromkeys(final["scenario"]))
    frames = []
    for sc in scenarios:
        d = final[final["scenario"] == sc]
        y = d.groupby("point")[indicator].mean().reindex(range(len(x)))
        missing = y.index[y.isna()].tolist()
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            raise ValueError(
                f"scenario {sc!r}: {len(missing)} of {len(x)} design points have no finished "
                f"run with a value of {indicator!r} (points {shown}); {design} indices need "
                "every point"
            )
        yv = y.to_numpy(float)
        if design == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(
                problem,
                yv,
                calc_second_order=_sobol_second_order(manifest, x),
                seed=exp.get("seed"),
            )
            cols = {k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            from SALib.analyze import morris

            levels = (manifest.get("problem") or {}).get("num_levels", exp.get("num_levels", 4))
            res = morris.analyze(problem, x, yv, num_levels=int(levels), seed=exp.get("seed"))
            cols = {k: np.asarray(res[k], float) for k in ("mu", "mu_star", "mu_star_conf")}
            cols["sigma"] = np.asarray(res["sigma"], float)
        frames.append(
            pd.DataFrame({"scenario": sc, "indicator": indicator, "parameter": names, **cols})
        )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------- figures
def _years(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates, format="%Y-%m")
    return (d.dt.year + (d.dt.month - 1) / 12).to_numpy()


def _short_names(params: list[str]) -> dict[str, str]:
    """Last part of each dotted key, or the whole key where the last parts collide."""
    keys = [p.removeprefix(PARAM_PREFIX) for p in params]
    last = [k.rsplit(".", 1)[-1] for k in keys]
    return {p: (s if last.count(s) == 1 else k) for p, k, s in zip(params, keys, last, strict=True)}


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return f"{v:.3g}"
    return str(v)


def _plot_groups(df: pd.DataFrame, max_groups: int) -> tuple[list[tuple[str, pd.DataFrame]], str]:
    """Groups to draw: design points, or whole scenarios when there are too many points.

    With more points than fit (Sobol and Morris designs have hundreds) the runs of each
    scenario are pooled, so the bands show the spread over the whole design. Returns the
    groups and a note for the figure title (empty if nothing was pooled or dropped).
    """
    groups = _group_params(final_values(df))
    pcols = param_columns(groups)
    short = _short_names(pcols)
    multi = groups["scenario"].nunique() > 1
    note = ""
    if len(groups) <= max_groups:
        out = []
        for rec in groups.to_dict("records"):
            parts = [str(rec["scenario"])] if multi or not pcols else []
            if pcols and len(groups) > 1:
                vals = ", ".join(f"{short[c]}={_fmt(rec[c])}" for c in pcols)
                parts.append(f"p{rec['point']}: {vals}")
            label = " · ".join(parts) or str(rec["scenario"])
            mask = (df["scenario"] == rec["scenario"]) & (df["point"] == rec["point"])
            out.append((label, df[mask]))
        return out, note
    scenarios = list(dict.fromkeys(groups["scenario"]))
    n_points = groups.groupby("scenario")["point"].nunique().max()
    note = f"{len(groups)} groups: the {n_points} design points pooled per scenario"
    if len(scenarios) > max_groups:
        note += f"; first {max_groups} of {len(scenarios)} scenarios"
        scenarios = scenarios[:max_groups]
    out = []
    for sc in scenarios:
        n_points = int((groups["scenario"] == sc).sum())
        out.append((f"{sc} (all {n_points} points)", df[df["scenario"] == sc]))
    return out, note


def fan_chart(df: pd.DataFrame, indicator: str, max_groups: int = 8) -> Figure:
    """Fan chart of an indicator over time: one panel per design point or scenario.

    Each panel shows the median over replications with the 25-75% and 5-95% bands; the
    other groups' medians are drawn thin and grey behind it for comparison.

    Parameters
    ----------
    df : pandas.DataFrame
        Results with monthly series (``keep="series"``).
    indicator : str
        Indicator column to draw.
    max_groups : int, default 8
        More design points than this are pooled per scenario.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if indicator not in df.columns:
        raise ValueError(f"indicator {indicator!r} is not in the results")
    if df.empty or "date" not in df or df.groupby("run_id")["date"].nunique().max() < 2:
        raise ValueError("a fan chart needs monthly series (experiment keep = 'series')")
    groups, note = _plot_groups(df, max_groups)
    quantiles = []
    for _label, d in groups:
        q = d.groupby("date")[indicator].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        quantiles.append((_years(pd.Series(q.index)), q))
    n = len(groups)
    ncols = min(4, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.8 * ncols + 0.4, 2.9 * nrows + 0.7), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
    for k, ((label, d), (x, q)) in enumerate(zip(groups, quantiles, strict=True)):
        ax = axes.flat[k]
        color = OKABE_ITO[k % len(OKABE_ITO)]
        for j, (x2, q2) in enumerate(quantiles):
            if j != k:
                ax.plot(x2, q2[0.5], color="grey", lw=0.7, alpha=0.6)
        ax.fill_between(x, q[0.05], q[0.95], color=color, alpha=0.18, lw=0)
        ax.fill_between(x, q[0.25], q[0.75], color=color, alpha=0.38, lw=0)
        ax.plot(x, q[0.5], color=color, lw=2)
        # long labels (three levers and their values) wrap to the panel's width instead of
        # running into the neighbouring panel's title
        title = textwrap.fill(f"{label} (n={d['run_id'].nunique()})", width=52)
        ax.set_title(title, fontsize=8)
        ax.grid(alpha=0.3)
        # years as plain numbers (no "+2.025e3" offset on short runs)
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("year")
    handles = [
        Patch(color="0.4", alpha=0.38, label="25-75%"),
        Patch(color="0.4", alpha=0.18, label="5-95%"),
    ]
    axes.flat[0].legend(handles=handles, fontsize=7, loc="best")
    over = "runs" if note else "replications"
    title = f"{indicator}: median over {over} with 25-75% and 5-95% bands"
    fig.suptitle(title + (f"\n({note})" if note else ""), fontsize=11)
    return fig


def gradient_chart(df: pd.DataFrame, max_groups: int = 12) -> Figure:
    """Final engaged share by education (low, middle, high) per design point or scenario.

    Bars are means over replications, whiskers the 5-95% range (clipped to the bar where a
    skewed sample puts the mean outside it).

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results` (series or final values).
    max_groups : int, default 12
        More design points than this are pooled per scenario.

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in EDU_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"the results lack {', '.join(missing)}")
    groups, note = _plot_groups(final_values(df), max_groups)
    n = len(groups)
    fig = Figure(figsize=(max(5.5, 1.1 * n + 2.5), 4.4), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(EDU_COLUMNS)
    x = np.arange(n)
    for j, (col, (label, color)) in enumerate(EDU_COLUMNS.items()):
        vals = np.array([d[col].astype(float).mean() for _, d in groups])
        lo = np.array([d[col].astype(float).quantile(0.05) for _, d in groups])
        hi = np.array([d[col].astype(float).quantile(0.95) for _, d in groups])
        err = np.vstack([np.clip(vals - lo, 0, None), np.clip(hi - vals, 0, None)])
        ax.bar(x + (j - 1) * width, vals, width, color=color, label=label)
        ax.errorbar(
            x + (j - 1) * width,
            vals,
            yerr=np.nan_to_num(err),
            fmt="none",
            ecolor="black",
            elinewidth=1,
            capsize=3,
        )
    ax.set_xticks(
        x,
        [label for label, _ in groups],
        rotation=30 if n > 3 else 0,
        ha="right" if n > 3 else "center",
        fontsize=8,
    )
    ax.set_ylabel("engaged share (final month)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    over = "runs" if note else "replications"
    title = f"Engagement gradient by education: mean and 5-95% over {over}"
    ax.set_title(title + (f"\n({note})" if note else ""), fontsize=10)
    return fig


def sensitivity_chart(table: pd.DataFrame) -> Figure:
    """Bar chart of a :func:`sensitivity` table, one panel (row) per scenario.

    Sobol: first-order (S1) and total (ST) indices with their confidence intervals. Morris:
    mu* with its confidence interval, and beside it mu* against sigma (points far to the
    right matter; high sigma means interactions or non-linearity).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`sensitivity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    is_sobol = "S1" in table.columns
    if not is_sobol and "mu_star" not in table.columns:
        raise ValueError("not a sensitivity table (needs S1/ST or mu_star columns)")
    scenarios = list(dict.fromkeys(table["scenario"]))
    n_par = table["parameter"].nunique()
    ncols = 1 if is_sobol else 2
    fig = Figure(
        figsize=(6.5 * ncols, (0.45 * n_par + 1.3) * len(scenarios) + 0.5), layout="constrained"
    )
    axes = fig.subplots(len(scenarios), ncols, squeeze=False)
    for row, sc in zip(axes, scenarios, strict=True):
        t = table[table["scenario"] == sc]
        labels = list(_short_names(list(t["parameter"])).values())
        y = np.arange(len(t))
        ax = row[0]
        if is_sobol:
            for k, (col, label, color) in enumerate(
                [("S1", "first order S1", OKABE_ITO[2]), ("ST", "total ST", OKABE_ITO[4])]
            ):
                ax.barh(
                    y + (k - 0.5) * 0.38,
                    t[col],
                    0.38,
                    color=color,
                    label=label,
                    xerr=np.nan_to_num(t[f"{col}_conf"].to_numpy(float)),
                    capsize=3,
                )
            ax.set_xlabel("Sobol index (share of output variance)")
        else:
            ax.barh(
                y,
                t["mu_star"],
                0.6,
                color=OKABE_ITO[3],
                label="mu*",
                xerr=np.nan_to_num(t["mu_star_conf"].to_numpy(float)),
                capsize=3,
            )
            ax.set_xlabel("mu* (mean absolute elementary effect)")
            sc_ax = row[1]
            sc_ax.scatter(t["mu_star"], t["sigma"], color=OKABE_ITO[4])
            for xv, yv, label in zip(t["mu_star"], t["sigma"], labels, strict=True):
                sc_ax.annotate(
                    label, (xv, yv), fontsize=8, xytext=(3, 3), textcoords="offset points"
                )
            sc_ax.set_xlabel("mu*")
            sc_ax.set_ylabel("sigma")
            sc_ax.grid(alpha=0.3)
            # same scale on both axes, so sigma reads against mu* (sigma > mu*: interactions)
            top = 1.1 * float(np.nanmax([t["mu_star"].max(), t["sigma"].max(), 1e-12]))
            sc_ax.set_xlim(0, top)
            sc_ax.set_ylim(0, top)
            sc_ax.set_title(f"{sc}: mu* against sigma", fontsize=10)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"{sc}: {t['indicator'].iloc[0]}", fontsize=10)
    # one legend below the panels: inside one, it covered the bars and error bars of
    # whichever parameters sat in its corner
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=len(handles), fontsize=8)
    return fig


# ---------------------------------------------------------------------------- report
def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns with values of mixed types (a categorical parameter such as [0.5, "auto"])
    as text, since Parquet needs one type per column."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            types = {type(v) for v in out[c].dropna()}
            if len(types) > 1:
                out[c] = out[c].map(lambda v: v if v is None else str(v))
    return out


def _write_table(df: pd.DataFrame, stem: Path) -> None:
    df.to_csv(stem.with_suffix(".csv"), index=False)
    _parquet_safe(df).to_parquet(stem.with_suffix(".parquet"), index=False)


def _save_figure(fig: Figure, stem: Path) -> None:
    fig.savefig(stem.with_suffix(".png"), dpi=130)
    fig.savefig(stem.with_suffix(".svg"))


def _md_cell(v: Any) -> str:
    text = _fmt(v) if not isinstance(v, str) else v
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
    return lines


def _key_results(summary: pd.DataFrame, indicators: list[str], max_rows: int = 20) -> list[str]:
    """Markdown table: mean [q05, q95] of the key indicators per group."""
    pcols = param_columns(summary)
    groups = summary.drop_duplicates(["scenario", "point"])
    if groups.empty or len(groups) > max_rows:
        return []
    short = _short_names(pcols)
    header = ["scenario", "point", *(short[c] for c in pcols), *indicators]
    rows = []
    for rec in groups.to_dict("records"):
        cells = [rec["scenario"], rec["point"], *(rec[c] for c in pcols)]
        sub = summary[(summary["scenario"] == rec["scenario"]) & (summary["point"] == rec["point"])]
        by_ind = sub.set_index("indicator")
        for ind in indicators:
            s = by_ind.loc[ind]
            cells.append(f"{s['mean']:.3g} [{s['q05']:.3g}, {s['q95']:.3g}]")
        rows.append(cells)
    return _md_table(header, rows)


def write_report(
    results_dir: str | Path,
    out_dir: str | Path | None = None,
    indicators: tuple[str, ...] = MAIN_INDICATORS,
    fan_indicators: tuple[str, ...] = FAN_INDICATORS,
) -> Path:
    """Write tables, figures and a Markdown report for a results directory.

    Files (in ``out_dir``): ``summary.csv``/``.parquet`` (:func:`summary_table`),
    ``differences.csv``/``.parquet`` (:func:`differences_from_baseline`), for Sobol and
    Morris designs ``sensitivity_<indicator>.csv``/``.parquet`` and ``.png``/``.svg``, fan
    charts ``fan_<indicator>.png``/``.svg`` (monthly series only), ``gradient.png``/``.svg``
    and ``report.md`` linking all of them and listing failed runs.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.
    out_dir : str or Path, optional
        Where to write; default ``<results_dir>/analysis``.
    indicators : tuple of str
        Indicators for the sensitivity analysis and the key-results table.
    fan_indicators : tuple of str
        Indicators that get a fan chart.

    Returns
    -------
    Path
        The path of ``report.md``.
    """
    results_dir = Path(results_dir)
    out = Path(out_dir) if out_dir is not None else results_dir / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(results_dir)
    exp = manifest["experiment"]
    df = load_results(results_dir)
    failures = load_failures(results_dir)
    planned = {r["run_id"]: r for r in manifest.get("runs", [])}
    finished = set(df["run_id"].unique().tolist()) if not df.empty else set()
    failed = {f["run_id"] for f in failures}
    not_done = sorted(set(planned) - finished - failed)
    design = exp.get("design", "?")

    md = [f"# Sweep analysis: {exp.get('name', results_dir.name)}", ""]
    if exp.get("question"):
        md += [exp["question"], ""]
    params = exp.get("parameters", {})
    md += [
        f"- Design: **{design}**; parameters: "
        + (", ".join(f"`{k}` {_describe_param(v)}" for k, v in params.items()) or "none"),
        f"- Scenarios: {', '.join(dict.fromkeys(r['scenario'] for r in planned.values()))}",
        f"- Replications: {exp.get('replications')}, experiment seed {exp.get('seed')}, "
        f"kept: {exp.get('keep')}",
        f"- Runs: {len(planned)} planned, **{len(finished)} finished**, "
        f"**{len(failed)} failed**, {len(not_done)} not finished",
        f"- Experiment file: `{manifest.get('experiment_file')}` "
        f"(sha256 `{str(manifest.get('experiment_hash'))[:12]}`), "
        f"git commit `{manifest.get('git_commit') or 'unknown'}`",
        "",
        "Values are those of the final month of each run. Replication *r* has the same seed "
        "at every design point, so differences are paired by replication.",
        "",
    ]
    notes: list[str] = []
    if not df.empty:
        md += _report_tables(df, out, indicators)
        if rule_columns(df):
            if design == "grid":
                md += _report_rules(df, manifest, out, notes)
            else:
                notes.append(
                    "Rule variants vary, but the conclusions-by-rule table needs a grid design "
                    f"(this one is {design!r}): not written."
                )
        md += _report_figures(df, out, fan_indicators, notes)
        if design in SENSITIVITY_DESIGNS:
            md += _report_sensitivity(df, manifest, out, indicators, notes)
    else:
        notes.append("No run has finished: no tables or figures.")
    if notes:
        md += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    md += _report_failures(failures, planned, not_done)
    path = out / "report.md"
    path.write_text("\n".join(md).rstrip() + "\n", encoding="utf-8")
    return path


def _describe_param(spec: dict) -> str:
    if spec.get("range") is not None:
        lo, hi = spec["range"]
        steps = f", {spec['steps']} steps" if spec.get("steps") else ""
        return f"[{_fmt(float(lo))}, {_fmt(float(hi))}]{steps}"
    if spec.get("values") is not None:
        return "{" + ", ".join(_fmt(v) for v in spec["values"]) + "}"
    return ""


def _report_tables(df: pd.DataFrame, out: Path, indicators: tuple[str, ...]) -> list[str]:
    summary = summary_table(df)
    _write_table(summary, out / "summary")
    diffs = differences_from_baseline(df)
    _write_table(diffs, out / "differences")
    ref_scen, ref_point = reference_group(df)
    md = [
        "## Tables",
        "",
        "- [Summary](summary.csv) ([Parquet](summary.parquet)): every indicator per scenario "
        "and design point: mean, sd, 5% and 95% quantiles over replications, n.",
        "- [Differences from the reference](differences.csv) ([Parquet](differences.parquet)): "
        f"paired differences from scenario `{ref_scen}`, point {ref_point}: mean, sd, 95% "
        "confidence interval of the mean (`ci95_low`, `ci95_high`: does the effect differ from "
        "zero?) and 5-95% range over replications (how much it varies from run to run).",
        "",
    ]
    key = _key_results(summary, [i for i in indicators if i in set(summary["indicator"])])
    if key:
        md += ["### Key results (mean [5%, 95%])", "", *key, ""]
    return md


def _report_rules(df: pd.DataFrame, manifest: dict, out: Path, notes: list[str]) -> list[str]:
    table = conclusions_by_rule(df, manifest)
    rules = [c.removeprefix(PARAM_PREFIX) for c in rule_columns(df)]
    if table.empty:
        notes.append(
            f"Rule variants vary ({', '.join(rules)}) but no other parameter does: no "
            "conclusions-by-rule table."
        )
        return []
    _write_table(table, out / "conclusions_by_rule")
    _save_figure(rule_effects_chart(table), out / "conclusions_by_rule")
    variants = list(dict.fromkeys(table["variant"]))
    md = [
        "## Structural uncertainty: conclusions by rule variant",
        "",
        f"The experiment varies the rule of {', '.join(f'`{r}`' for r in rules)}: "
        f"{len(variants)} rule variants ({'; '.join(variants)}). Each other parameter's "
        "effect (last minus first level, paired by replication and averaged over the other "
        "parameters) is computed under every variant: mean and 5-95% range over replications "
        "(shares in percentage points). **robust**: every variant's range excludes 0 with the "
        "same sign; **depends on rule**: some variants' ranges exclude 0 and others' do not, "
        "or the signs differ (the conclusion is supported under some rules only; whether the "
        "effects themselves differ much, the spread tells); **no clear effect**: every range "
        "includes 0; a range counts only "
        f"with at least {MIN_PAIRS} paired replications, and a variant without any makes the "
        "verdict **incomplete**. *spread*: largest "
        "minus smallest effect across variants.",
        "",
        "- [Conclusions by rule](conclusions_by_rule.csv) "
        "([Parquet](conclusions_by_rule.parquet)): one row per parameter, indicator and "
        "rule variant.",
        "",
    ]
    md += [f"- {s}" for s in conclusion_sentences(table)]
    md += [""]
    multi = table["scenario"].nunique() > 1
    header = [*(["scenario"] if multi else []), "parameter (high vs low)", "indicator"]
    header += [*variants, "verdict", "spread"]
    rows = []
    keys = ["scenario", "parameter", "indicator"]
    for _, g in table.groupby(keys, sort=False):
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
        cells += [f"**{first['verdict']}**", spread]
        rows.append(cells)
    md += [*_md_table(header, rows), ""]
    md += [
        "![effects by rule variant](conclusions_by_rule.png) ([SVG](conclusions_by_rule.svg))",
        "",
    ]
    small = table.loc[table["n"] < 3, "variant"].unique().tolist()
    if small:
        notes.append(
            "Fewer than 3 paired replications under " + ", ".join(small) + ": their 5-95% "
            "ranges, and the verdicts built on them, rest on very few runs."
        )
    return md


def _report_figures(
    df: pd.DataFrame, out: Path, fan_indicators: tuple[str, ...], notes: list[str]
) -> list[str]:
    md = ["## Figures", ""]
    series = df.groupby("run_id")["date"].nunique().max() > 1 if "date" in df.columns else False
    for ind in fan_indicators:
        if not series:
            notes.append("Only final values were kept (keep = 'final'): no fan charts.")
            break
        if ind not in df.columns:
            notes.append(f"No fan chart of `{ind}`: not in the results.")
            continue
        _save_figure(fan_chart(df, ind), out / f"fan_{ind}")
        md += [
            f"### {ind} over time",
            "",
            f"![{ind} fan chart](fan_{ind}.png) ([SVG](fan_{ind}.svg))",
            "",
        ]
    if all(c in df.columns for c in EDU_COLUMNS):
        _save_figure(gradient_chart(df), out / "gradient")
        md += [
            "### Engagement by education (final month)",
            "",
            "![education gradient](gradient.png) ([SVG](gradient.svg))",
            "",
        ]
    else:
        notes.append("No education gradient chart: the engaged_share_edu_* columns are missing.")
    if len(md) == 2:  # nothing to show: say so under the heading rather than leave it empty
        md += ["No figures for these results (see the notes below).", ""]
    return md


def _report_sensitivity(
    df: pd.DataFrame, manifest: dict, out: Path, indicators: tuple[str, ...], notes: list[str]
) -> list[str]:
    design = manifest["experiment"]["design"]
    if design == "sobol":
        text = (
            "S1: share of the output variance due to the parameter alone; ST: including its "
            "interactions. ± is the half-width of the 95% bootstrap interval."
        )
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        text = (
            "mu*: mean absolute elementary effect (overall importance); sigma: spread of the "
            "effects (interactions, non-linearity). ± is the 95% bootstrap half-width."
        )
        cols = ["mu_star", "mu_star_conf", "sigma"]
    md = ["## Sensitivity", "", text, ""]
    reps = manifest["experiment"].get("replications")
    counts = final_values(df).groupby(["scenario", "point"])["run_id"].nunique()
    short = int((counts < reps).sum()) if reps else 0
    if short:
        notes.append(
            f"{short} design points have fewer than {reps} finished replications (failed runs); "
            "their response in the sensitivity analysis is the mean of the remaining ones."
        )
    for ind in indicators:
        if ind not in df.columns:
            notes.append(f"No sensitivity analysis of `{ind}`: not in the results.")
            continue
        try:
            table = sensitivity(df, manifest, ind)
        except ValueError as exc:
            notes.append(f"No sensitivity analysis of `{ind}`: {exc}")
            continue
        stem = f"sensitivity_{ind}"
        _write_table(table, out / stem)
        _save_figure(sensitivity_chart(table), out / stem)
        rows = [
            [r["scenario"], r["parameter"], *(r[c] for c in cols)] for r in table.to_dict("records")
        ]
        md += [
            f"### {ind}",
            "",
            *_md_table(["scenario", "parameter", *cols], rows),
            "",
            f"[CSV]({stem}.csv) · [Parquet]({stem}.parquet) · [SVG]({stem}.svg)",
            "",
            f"![sensitivity of {ind}]({stem}.png)",
            "",
        ]
    return md


def _report_failures(
    failures: list[dict], planned: dict[int, dict], not_done: list[int]
) -> list[str]:
    md = ["## Failed runs", ""]
    if not failures:
        md += ["None.", ""]
    else:
        rows = []
        for f in failures:
            run = planned.get(f.get("run_id"), {})
            error = str(f.get("error", "")).strip().splitlines() or [""]
            params = ", ".join(f"{k}={_fmt(v)}" for k, v in (f.get("params") or {}).items())
            rows.append(
                [
                    f.get("run_id"),
                    run.get("scenario", ""),
                    run.get("point", ""),
                    run.get("replication", ""),
                    params,
                    error[0][:200],
                ]
            )
        md += _md_table(["run", "scenario", "point", "replication", "parameters", "error"], rows)
        md += ["", "Tracebacks are in `failures/run-<id>.json`.", ""]
    if not_done:
        shown = ", ".join(map(str, not_done[:50])) + (" ..." if len(not_done) > 50 else "")
        md += [f"Not finished (neither result nor failure): {shown}", ""]
    return md


__all__ = [
    "conclusion_sentences",
    "conclusions_by_rule",
    "differences_from_baseline",
    "fan_chart",
    "final_values",
    "gradient_chart",
    "indicator_columns",
    "load_failures",
    "load_manifest",
    "load_results",
    "param_columns",
    "rule_columns",
    "rule_effects_chart",
    "rule_verdicts",
    "sensitivity",
    "sensitivity_chart",
    "summary_table",
    "write_report",
]
