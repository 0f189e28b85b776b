"""The figure of one run: its overview (``overview.png``).

Matplotlib ``Figure`` objects (not pyplot), so figures are thread-safe in the interface.
Colours are the Okabe-Ito palette, safe for colour-blind readers.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from model.studies.calibration import TARGETS
from model.studies.figures import OKABE_ITO, years

CHALLENGE_COLUMNS = {
    "climate_progress": "Climate neutrality (progress)",
    "services_coverage": "Public services (coverage)",
    "lonely_share": "Lonely (share)",
    "public_places_quality": "Public places (quality)",
    "democracy_satisfaction": "Satisfied with democracy",
}


def overview(df: pd.DataFrame, title: str, events: list[tuple[str, str]] = ()) -> Figure:
    """Four panels: engagement by education, trust and efficacy, challenges, spending."""
    fig = Figure(figsize=(13, 8.5), layout="constrained")
    axes = fig.subplots(2, 2)
    x = years(df)
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
    ax.plot(x, df["cost_eur_total"] / 1e6, color=OKABE_ITO[7], lw=2.2, label="all levers")
    ax.plot(
        x, df["infrastructure_spend_eur"] / 1e6, color=OKABE_ITO[4], lw=1.6, label="infrastructure"
    )
    ax.set_title("Cumulative spending (million EUR)")
    ax.legend(fontsize=9, loc="upper left")
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
