"""Figures of a sweep: fan charts over time, the education gradient, sensitivity indices."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from model.studies.analysis.results import (
    EDU_COLUMNS,
    PARAM_PREFIX,
    final_values,
    param_columns,
)
from model.studies.analysis.tables import _group_params
from model.studies.figures import OKABE_ITO


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


def _by_factor(
    df: pd.DataFrame, cols: list[str], max_groups: int
) -> list[tuple[str, pd.DataFrame]]:
    """Groups for each combination of the factors ``cols`` (per scenario), the other
    factors pooled."""
    short = _short_names(cols)
    multi = df["scenario"].nunique() > 1
    out = []
    for key, d in df.groupby(["scenario", *cols], sort=True):
        sc, values = key[0], key[1:]
        points = d["point"].nunique()
        label = ", ".join(f"{short[c]}={_fmt(v)}" for c, v in zip(cols, values, strict=True))
        out.append((f"{sc} · {label}" if multi else f"{label} ({points} points)", d))
    return out[:max_groups]


def _plot_groups(
    df: pd.DataFrame, max_groups: int, by: str | list[str] | None = None
) -> tuple[list[tuple[str, pd.DataFrame]], str]:
    """Groups to draw: design points; when there are too many, the values of one factor
    (``by``), the other factors pooled; else whole scenarios.

    With more points than fit (Sobol and Morris designs have hundreds) the runs of each
    scenario are pooled, so the bands show the spread over the whole design. Returns the
    groups and a note for the figure title (empty if nothing was pooled or dropped).
    """
    groups = _group_params(final_values(df))
    if by and len(groups) > max_groups:
        names = [by] if isinstance(by, str) else list(by)
        cols = [b if b.startswith(PARAM_PREFIX) else PARAM_PREFIX + b for b in names]
        if all(c in df.columns for c in cols):
            combos = len(df.drop_duplicates(["scenario", *cols]))
            if combos <= max_groups:
                note = f"by {', '.join(_short_names(cols).values())}: the other factors pooled"
                return _by_factor(df, cols, max_groups), note
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


def fan_chart(
    df: pd.DataFrame, indicator: str, max_groups: int = 8, by: str | list[str] | None = None
) -> Figure:
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
        More design points than this are drawn per value of ``by`` (the other factors
        pooled), or pooled per scenario.
    by : str or list of str, optional
        Varied factors to break the runs down by when there are too many design points
        (e.g. an experiment's levers: one panel per policy).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if indicator not in df.columns:
        raise ValueError(f"indicator {indicator!r} is not in the results")
    if df.empty or "date" not in df or df.groupby("run_id")["date"].nunique().max() < 2:
        raise ValueError("a fan chart needs monthly series (experiment keep = 'series')")
    groups, note = _plot_groups(df, max_groups, by)
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


def gradient_chart(
    df: pd.DataFrame, max_groups: int = 12, by: str | list[str] | None = None
) -> Figure:
    """Final engaged share by education (low, middle, high) per design point or scenario.

    Bars are means over replications, whiskers the 5-95% range (clipped to the bar where a
    skewed sample puts the mean outside it).

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results` (series or final values).
    max_groups : int, default 12
        More design points than this are drawn per value of ``by``, or pooled per scenario.
    by : str or list of str, optional
        Varied factors to break the runs down by (as in :func:`fan_chart`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in EDU_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"the results lack {', '.join(missing)}")
    groups, note = _plot_groups(final_values(df), max_groups, by)
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


def convergence_chart(table: pd.DataFrame) -> Figure:
    """Indices against the number of base samples (a :func:`convergence` table), one panel
    per index, one line per parameter with its 95% interval: lines that still move, or wide
    bands, mean the sample is too small to read."""
    is_sobol = "S1" in table.columns
    panels = [("S1", "first order S1"), ("ST", "total ST")] if is_sobol else [("mu_star", "mu*")]
    first = table[table["scenario"] == table["scenario"].iloc[0]]
    fig = Figure(figsize=(5.5 * len(panels), 4.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    names = _short_names(list(dict.fromkeys(first["parameter"])))
    for ax, (col, label) in zip(axes, panels, strict=True):
        for k, (param, g) in enumerate(first.groupby("parameter", sort=False)):
            g = g.sort_values("n")
            color = OKABE_ITO[k % len(OKABE_ITO)]
            ax.errorbar(
                g["n"],
                g[col],
                yerr=np.nan_to_num(g[f"{col}_conf"].to_numpy(float)),
                color=color,
                marker="o",
                capsize=3,
                label=names[param],
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("base samples (N)" if is_sobol else "trajectories", fontsize=10)
        ax.set_ylabel(label, fontsize=10)
        ax.grid(alpha=0.3)
        ax.set_title(f"{first['scenario'].iloc[0]}: {first['indicator'].iloc[0]}", fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(handles)), fontsize=9)
    return fig


def replication_chart(table: pd.DataFrame, indicator: str, max_points: int = 8) -> Figure:
    """Running mean over replications with its 95% interval (a
    :func:`replication_convergence` table), for up to ``max_points`` design points."""
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.subplots()
    groups = list(table.groupby(["scenario", "point"]))[:max_points]
    for k, ((sc, point), g) in enumerate(groups):
        color = OKABE_ITO[k % len(OKABE_ITO)]
        ax.plot(g["replications"], g["mean"], color=color, label=f"{sc}, point {point}")
        ax.fill_between(g["replications"], g["ci_low"], g["ci_high"], color=color, alpha=0.15)
    ax.set_xlabel("replications", fontsize=10)
    ax.set_ylabel(f"running mean of {indicator}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, ncols=2)
    return fig


def _effect_points(ax, x, g: pd.DataFrame, color: str, **kw) -> None:
    """Estimates as points with their 95% intervals as error bars (none where empty)."""
    est = g["estimate"].to_numpy(float)
    err = np.vstack([est - g["ci_low"].to_numpy(float), g["ci_high"].to_numpy(float) - est])
    err = np.nan_to_num(np.clip(err, 0, None))
    ax.errorbar(x, est, yerr=err, fmt="o", ms=7, capsize=5, color=color, ecolor=color, **kw)


def effect_figure(table: pd.DataFrame, indicator: str, scenario: str | None = None) -> Figure:
    """One panel per factor: the indicator's mean per level, or its binned means and slope.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`~model.studies.analysis.effects.effects_table` (or of
        :func:`~model.studies.analysis.effects.main_effects`, concatenated).
    indicator : str
        The indicator to draw.
    scenario : str, optional
        The scenario to draw; default the first in the table.

    Returns
    -------
    matplotlib.figure.Figure
        Points with 95% intervals; for a numeric factor with many values, quintile-bin means
        and the OLS line through their centre (the line of the fit).
    """
    t = table[table["indicator"] == indicator]
    if "scenario" in t.columns and len(t):
        present = [s for s in dict.fromkeys(t["scenario"]) if s != ""]
        pick = scenario if scenario is not None else (present[0] if present else "")
        t = t[(t["scenario"] == pick) | (t["scenario"] == "")]
    if t.empty:
        raise ValueError(f"the effects table has no rows for indicator {indicator!r}")
    factors = list(dict.fromkeys(t["factor"]))
    ncols = min(3, len(factors))
    nrows = math.ceil(len(factors) / ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.8 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, factor in zip(axes.flat, factors, strict=False):
        g = t[t["factor"] == factor]
        lv, bins = g[g["kind"] == "level"], g[g["kind"] == "bin"]
        if len(lv):
            pos = np.arange(len(lv))
            _effect_points(ax, pos, lv, OKABE_ITO[3])
            ax.set_xticks(pos, lv["level"].tolist(), fontsize=10)
            ax.set_xlim(-0.5, len(lv) - 0.5)
        else:
            _effect_points(ax, bins["x"], bins, OKABE_ITO[1], label="quintile means (95% CI)")
            slope = g[g["kind"] == "slope"]
            if len(slope) and len(bins):
                s = slope.iloc[0]
                n = bins["n"].to_numpy(float)
                # the least-squares line passes through the mean of all runs, which the
                # quintile bins (a partition of the runs) give as their weighted mean
                xc = float(np.average(bins["x"], weights=n))
                yc = float(np.average(bins["estimate"], weights=n))
                xs = np.array([bins["x"].min(), bins["x"].max()])
                text = f"OLS slope {s['estimate']:.3g} [{s['ci_low']:.3g}, {s['ci_high']:.3g}]"
                ax.plot(xs, yc + s["estimate"] * (xs - xc), color=OKABE_ITO[4], lw=2, label=text)
                ax.legend(fontsize=10, loc="best")
        ax.set_title(factor.rsplit(".", 1)[-1], fontsize=12)
        ax.set_xlabel(factor, fontsize=11)
        ax.set_ylabel(indicator, fontsize=11)
        ax.tick_params(labelsize=10)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(factors) :]:
        ax.axis("off")
    fig.suptitle(f"{indicator} by factor: means with 95% bootstrap intervals", fontsize=13)
    return fig
