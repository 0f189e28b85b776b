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
