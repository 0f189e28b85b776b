"""Figures: the overview of one run and the comparison of scenarios.

Matplotlib ``Figure`` objects (not pyplot), so figures are thread-safe in the interface.
Colours are the Okabe-Ito palette, safe for colour-blind readers.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from model.calibration import TARGETS

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
CHALLENGE_COLUMNS = {
    "climate_progress": "Climate neutrality (progress)",
    "services_coverage": "Public services (coverage)",
    "lonely_share": "Lonely (share)",
    "public_places_quality": "Public places (quality)",
    "democracy_satisfaction": "Satisfied with democracy",
}


def _years(df: pd.DataFrame) -> pd.Series:
    d = pd.to_datetime(df["date"], format="%Y-%m")
    return d.dt.year + (d.dt.month - 1) / 12


def overview(df: pd.DataFrame, title: str, events: list[tuple[str, str]] = ()) -> Figure:
    """Four panels: engagement by education, trust and efficacy, challenges, spending."""
    fig = Figure(figsize=(13, 8.5), layout="constrained")
    axes = fig.subplots(2, 2)
    x = _years(df)
    ax = axes[0, 0]
    for col, label, color in [
        ("engaged_share_edu_high", "high education", OKABE_ITO[3]),
        ("engaged_share_edu_mid", "middle education", OKABE_ITO[1]),
        ("engaged_share_edu_low", "low education", OKABE_ITO[0]),
        ("engaged_share", "all citizens", OKABE_ITO[7]),
        ("engaged_share_silent", "silent groups", OKABE_ITO[5]),
    ]:
        ax.plot(x, df[col], label=label, color=color, lw=2.2 if col == "engaged_share" else 1.6)
        if col in TARGETS:
            ax.plot(x.iloc[0], TARGETS[col][0], marker="D", color=color, ms=7, ls="none")
    ax.set_title("Engaged share by education (◆ survey 2024)")
    ax.set_ylim(0, max(0.7, float(df["engaged_share_edu_high"].max()) + 0.05))
    ax.legend(fontsize=9, loc="upper left", ncols=2)
    ax = axes[0, 1]
    for col, label, color in [
        ("trust_mean", "trust in administration", OKABE_ITO[2]),
        ("efficacy_mean", "efficacy", OKABE_ITO[4]),
        ("open_share", "open to engage (non-engaged)", OKABE_ITO[1]),
    ]:
        ax.plot(x, df[col], label=label, color=color, lw=1.8)
    ax.set_ylim(0, 1)
    ax.set_title("Trust, efficacy, openness")
    ax.legend(fontsize=9, loc="lower left")
    ax = axes[1, 0]
    for (col, label), color in zip(CHALLENGE_COLUMNS.items(), OKABE_ITO, strict=False):
        ax.plot(x, df[col], label=label, color=color, lw=1.8)
    ax.axhline(1.0, color="grey", ls=":", lw=1)
    ax.annotate(
        "climate-neutral (target 2035)", (x.iloc[0], 1.0), fontsize=8, va="bottom", color="grey"
    )
    ax.set_ylim(0, 1.08)
    ax.set_title("The five challenges")
    ax.legend(fontsize=8, loc="lower left", ncols=2)
    ax = axes[1, 1]
    ax.plot(x, df["infrastructure_spend_eur"] / 1e6, color=OKABE_ITO[7], lw=1.8)
    ax.set_title("Support infrastructure, cumulative spending (million EUR)")
    for a in axes.flat:
        a.grid(alpha=0.3)
        for date, _label in events:
            xe = int(date[:4]) + (int(date[5:]) - 1) / 12
            a.axvline(xe, color="grey", ls="--", lw=0.9)
        a.set_xlabel("year")
    for date, label in events:
        xe = int(date[:4]) + (int(date[5:]) - 1) / 12
        axes[0, 0].annotate(
            label, (xe, 0.02), rotation=90, fontsize=7, color="grey", va="bottom", ha="right"
        )
    fig.suptitle(title, fontsize=14)
    return fig


def comparison(runs: pd.DataFrame, indicators: list[str], baseline: str = "baseline") -> Figure:
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
            x = _years(pd.DataFrame({"date": mean.index}))
            color = "black" if sc == baseline else OKABE_ITO[k % len(OKABE_ITO)]
            ax.plot(x, mean.values, color=color, lw=2.2 if sc == baseline else 1.5, label=sc)
            ax.fill_between(x, lo.values, hi.values, color=color, alpha=0.12, lw=0)
        ax.set_title(ind)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8, loc="best")
    return fig
