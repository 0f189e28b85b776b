"""Figures shared by the studies: the palette and the comparison of scenarios.

Matplotlib ``Figure`` objects (not pyplot), so figures are thread-safe in the interface.
Colours are the Okabe-Ito palette, safe for colour-blind readers (Okabe & Ito 2008,
*Color Universal Design*).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]


def years(df: pd.DataFrame) -> pd.Series:
    """Decimal years of a frame's ``date`` column ('YYYY-MM')."""
    d = pd.to_datetime(df["date"], format="%Y-%m")
    return d.dt.year + (d.dt.month - 1) / 12


def comparison(
    runs: pd.DataFrame, indicators: list[str], baseline: str = "baseline", mark_year=None
) -> Figure:
    """Scenario means (lines) with the range over seeds (band), one panel per indicator.

    ``runs`` has columns ``scenario``, ``seed``, ``date`` and the indicators.
    """
    n = len(indicators)
    cols = 3
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(5 * cols, 3.6 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    for ax, ind in zip(axes.flat, indicators, strict=False):
        for k, sc in enumerate(scenarios):
            d = runs[runs["scenario"] == sc]
            g = d.groupby("date")[ind]
            mean, lo, hi = g.mean(), g.quantile(0.05), g.quantile(0.95)
            x = years(pd.DataFrame({"date": mean.index}))
            color = "black" if sc == baseline else OKABE_ITO[k % len(OKABE_ITO)]
            ax.plot(x, mean.values, color=color, lw=2.2 if sc == baseline else 1.5, label=sc)
            ax.fill_between(x, lo.values, hi.values, color=color, alpha=0.12, lw=0)
        ax.set_title(ind)
        ax.grid(alpha=0.3)
        if mark_year is not None:  # the horizon of the climate target; runs go on past it
            ax.axvline(mark_year + 1, color="grey", ls=":", lw=1)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8, loc="best")
    return fig
