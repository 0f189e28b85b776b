"""Global sensitivity of final indicators to the varied parameters (SALib: Sobol, Morris)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.studies.analysis.results import (
    SENSITIVITY_DESIGNS,
    final_values,
)


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


#: A 95% half-width above this makes a Sobol index unreadable: indices live in [0, 1].
SOBOL_READABLE_HALF_WIDTH = 0.1


def _block(manifest: dict, x: np.ndarray, design: str) -> int:
    """Rows per base sample: Saltelli blocks (D + 2 or 2D + 2) or Morris trajectories (D + 1)."""
    d = x.shape[1]
    if design == "morris":
        return d + 1
    return 2 * d + 2 if _sobol_second_order(manifest, x) else d + 2


def convergence(
    df: pd.DataFrame, manifest: dict, indicator: str, scenario: str | None = None
) -> pd.DataFrame:
    """The indices recomputed on the first quarter, half and all of the base samples.

    An index that still moves between the last two sample sizes, or whose interval is wide,
    is not yet estimated; reading it would report noise (Sarrazin et al. 2016, *Global
    sensitivity analysis of environmental models: convergence and validation*, EMS 79).
    Returns the columns of :func:`sensitivity` plus ``n`` (base samples or trajectories).
    """
    exp = manifest["experiment"]
    design = exp.get("design")
    x = np.asarray(manifest.get("design_matrix"), dtype=float)
    block = _block(manifest, x, design)
    total = x.shape[0] // block
    sizes = sorted({max(2, total // 4), max(2, total // 2), total})
    if design == "sobol":  # Saltelli's estimators need N = 2^k
        sizes = [n for n in sizes if n & (n - 1) == 0] or [total]
    frames = []
    for n in sizes:
        rows = n * block
        part = df[df["point"] < rows]
        sub = dict(manifest, design_matrix=x[:rows].tolist())
        table = sensitivity(part, sub, indicator, scenario)
        frames.append(table.assign(n=n))
    return pd.concat(frames, ignore_index=True)


def warnings_for(table: pd.DataFrame, design: str, samples: int, replications: int) -> list[str]:
    """Plain warnings when indices cannot be read: intervals too wide or values impossible."""
    out = []
    if table.empty:
        return out
    ind = table["indicator"].iloc[0]
    if design == "sobol":
        widest = float(table[["S1_conf", "ST_conf"]].max().max())
        impossible = bool(((table["S1"] > 1.0) | (table["ST"] > 1.0)).any())
        if widest > SOBOL_READABLE_HALF_WIDTH or impossible:
            out.append(
                f"`{ind}`: the Sobol sample is too small to read (N = {samples}, "
                f"{replications} replication(s); 95% half-widths up to {widest:.2f}"
                + ("; some indices above 1, which variance shares cannot be" if impossible else "")
                + f"). Do not rank parameters on it: run with samples = {4 * samples} or more "
                "and more replications, and check the convergence figure."
            )
    else:
        top = table.sort_values("mu_star", ascending=False).head(3)
        loose = top[top["mu_star_conf"] > 0.5 * top["mu_star"].abs()]
        if not loose.empty:
            out.append(
                f"`{ind}`: the Morris intervals of the leading parameters are wider than half "
                f"their mu* ({', '.join(loose['parameter'])}; {samples} trajectories): the "
                "ranking is not settled; run more trajectories."
            )
    return out


def replication_convergence(final: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Running mean of ``indicator`` over replications 1..r at each design point, with its
    95% interval (t), so a reader sees whether more replications would still change it."""
    from scipy import stats

    rows = []
    for (sc, point), g in final.sort_values("replication").groupby(["scenario", "point"]):
        y = g[indicator].astype(float).to_numpy()
        for r in range(1, y.size + 1):
            mean = float(y[:r].mean())
            if r > 1:
                half = float(stats.t.ppf(0.975, r - 1) * y[:r].std(ddof=1) / np.sqrt(r))
            else:
                half = float("nan")
            rows.append(
                {
                    "scenario": sc,
                    "point": point,
                    "replications": r,
                    "mean": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                }
            )
    return pd.DataFrame(rows)
