"""Summary tables: statistics per scenario and design point; paired differences from a reference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.studies.analysis.results import (
    final_values,
    indicator_columns,
    param_columns,
)


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
