"""What the room's levers cost, and what each additional engaged resident costs.

The workshop's question after "who is engaged?" is "what did it cost?": what each lever has
cost since the start of the run, with the room's changes and in the reference run, the
total, and the extra cost over the additional engaged residents (the incremental
cost-effectiveness ratio of ``model/studies/analysis/derived.py``, which the analysis
report gives per year). :func:`cost_summary` computes these numbers from the recorded
indicators (the model keeps each lever's spending, ``model/simulation/costs.py``);
:func:`costs` draws them for the projector, like the views of ``charts.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from model.interface.app.charts import BIG, CF_ALPHA, MID, SMALL, WIDTH
from model.interface.app.i18n import fmt_euro, fmt_number, t
from model.studies.figures import OKABE_ITO

#: the levers in the chart's order (top to bottom) -> the indicator of their spending so far
#: (all of ``model.simulation.costs.SPENDING``); each has a label ``cost_<lever>`` in i18n
LEVERS: dict[str, str] = {
    "volunteer_agency": "volunteer_agency_spend_eur",
    "participation_office": "participation_office_spend_eur",
    "outreach": "outreach_spend_eur",
    "admin_training": "admin_training_spend_eur",
    "processes": "process_cost_eur_total",
    "leadership": "leadership_cost_eur_total",
}

#: How many times the square root of the number of agents a gain in engaged agents must
#: reach before the page divides by it. Two runs of the same seed drift apart by chance once
#: anything differs: after a negligible change (the agency budget +1 %, baseline, 120
#: months, seeds 1-10) the engaged agents at the end differed by up to 68 of 2,000 (standard
#: deviation about 35, 0.8 x sqrt(2,000)) and 154 of 8,000 (about 63, 0.7 x sqrt(8,000)).
#: Below about one such spread the "cost per additional engaged resident" would be a price
#: for chance, and one that grows without bound as the gain nears zero. At the page's 2,000
#: agents the threshold is 45 agents, about 24,000 of Cologne's residents (2.2 points).
CHANCE_FACTOR = 1.0


@dataclass(frozen=True)
class CostSummary:
    """What the levers have cost so far and what they bought, with the room's changes
    (``live``) and in the reference run. Euros of the real city; residents aged 14+."""

    #: months run (the live run)
    months: int
    #: lever (:data:`LEVERS`) -> euros spent since the start
    live: dict[str, float]
    reference: dict[str, float]
    #: all levers since the start (``cost_eur_total``)
    live_total: float
    reference_total: float
    #: engaged residents now, live minus reference (engaged_share x population)
    additional_engaged: float
    #: the smallest gain divided by: ``CHANCE_FACTOR`` x sqrt(agents) agents, in residents
    chance_engaged: float
    #: extra cost so far / additional engaged residents; None for no gain or one within chance
    eur_per_additional_engaged: float | None
    #: the same per year run (as ``cost_per_additional_engaged_resident`` of the analysis)
    eur_per_additional_engaged_year: float | None

    @property
    def extra_cost(self) -> float:
        """Euros spent so far beyond the reference (negative: less)."""
        return self.live_total - self.reference_total

    @property
    def gain(self) -> str:
        """``"none"`` (no additional engaged residents), ``"chance"`` (fewer than chance
        alone gives) or ``"clear"`` (a ratio is given)."""
        if self.additional_engaged <= 0:
            return "none"
        return "chance" if self.eur_per_additional_engaged is None else "clear"


def _last(df: pd.DataFrame, column: str) -> float:
    return float(df[column].iloc[-1]) if len(df) else 0.0


def cost_summary(live_df: pd.DataFrame, ref_df: pd.DataFrame, model, ref_model) -> CostSummary:
    """What the levers have cost so far, live and in the reference, and per additional engaged
    resident.

    Parameters
    ----------
    live_df, ref_df : pandas.DataFrame
        The recorded indicators of the live run and of the reference (``model.dataframe()``);
        empty before the first month.
    model, ref_model : CoProductionModel
        The two runs: their populations count the residents (``city.population``, aged 14+,
        the universe of ``engaged_share``), the live run's agents the chance threshold.

    Returns
    -------
    CostSummary
        Per lever, the four budgets, the processes and the leadership style add up to the
        total (``cost_eur_total``).
    """
    live = {lever: _last(live_df, column) for lever, column in LEVERS.items()}
    reference = {lever: _last(ref_df, column) for lever, column in LEVERS.items()}
    live_total, reference_total = _last(live_df, "cost_eur_total"), _last(ref_df, "cost_eur_total")
    engaged = _last(live_df, "engaged_share") * model.config.city.population
    engaged_ref = _last(ref_df, "engaged_share") * ref_model.config.city.population
    gain = engaged - engaged_ref
    chance = CHANCE_FACTOR * math.sqrt(model.citizens.n) * model.residents_per_agent
    months = len(live_df)
    per = per_year = None
    if gain > 0 and gain >= chance:
        per = (live_total - reference_total) / gain
        per_year = per / (months / 12) if months else None
    return CostSummary(
        months=months,
        live=live,
        reference=reference,
        live_total=live_total,
        reference_total=reference_total,
        additional_engaged=gain,
        chance_engaged=chance,
        eur_per_additional_engaged=per,
        eur_per_additional_engaged_year=per_year,
    )


def _residents(n: float, lang: str) -> str:
    """Residents rounded to hundreds: a run of agents is no more precise."""
    return fmt_number(round(n, -2), lang, 0)


def per_engaged_text(summary: CostSummary, lang: str) -> str:
    """The line on additional engaged residents and what each has cost, in ``lang``."""
    engaged = _residents(summary.additional_engaged, lang)
    if summary.gain == "none":
        return t("cost_per_engaged_none", lang)
    if summary.gain == "chance":
        return t("cost_per_engaged_chance", lang).format(engaged=engaged)
    if summary.extra_cost <= 0:
        return t("cost_per_engaged_saving", lang).format(engaged=engaged)
    year = summary.eur_per_additional_engaged_year
    return t("cost_per_engaged", lang).format(
        engaged=engaged,
        eur=fmt_euro(summary.eur_per_additional_engaged, lang),
        yearly=fmt_euro(year, lang) if year is not None else "–",
    )


def costs(summary: CostSummary, lang: str, reference_label: str | None = None) -> Figure:
    """Bars of what each lever has cost so far (million euros; solid: live, faint: the
    reference), the totals and the cost per additional engaged resident as text below.

    ``reference_label`` names the reference (the page's words for the faint line); by
    default "without your changes".
    """
    reference_label = reference_label or t("reference_short", lang)
    fig = Figure(figsize=(WIDTH, 5.4))
    fig.subplots_adjust(left=0.37, right=0.97, top=0.87, bottom=0.34)
    ax = fig.subplots()
    labels = [t(f"cost_{lever}", lang) for lever in LEVERS]
    y = np.arange(len(LEVERS))
    live = np.array([summary.live[k] for k in LEVERS]) / 1e6
    ref = np.array([summary.reference[k] for k in LEVERS]) / 1e6
    height = 0.38
    colour = OKABE_ITO[3]
    ax.barh(y - height / 2, live, height, color=colour, label=t("live", lang))
    ax.barh(
        y + height / 2,
        ref,
        height,
        color=colour,
        alpha=CF_ALPHA * 0.6,
        hatch="//",
        edgecolor="white",
        label=reference_label,
    )
    top = max(float(live.max()), float(ref.max())) or 1.0  # nothing spent yet: 0 to 1
    for k, value in enumerate(live):
        ax.annotate(
            fmt_euro(value * 1e6, lang, million=True),
            (max(value, ref[k]), y[k]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL,
        )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.35)  # room for the value at the end of the longest bar
    # steps of 1, 2 or 5 times a power of ten, with as many decimals as the step needs
    locator = MaxNLocator(5, steps=[1, 2, 5, 10])
    step = float(np.diff(locator.tick_values(0, top * 1.35))[0])
    digits = max(0, math.ceil(-math.log10(step) - 1e-9))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(lambda v, _: fmt_number(max(v, 0.0), lang, digits))
    ax.set_xlabel(t("cost_axis", lang), fontsize=SMALL, loc="right", labelpad=2)
    ax.tick_params(labelsize=SMALL)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        fontsize=SMALL,
        loc="upper left",
        bbox_to_anchor=(-0.55, -0.16),
        ncols=2,
        frameon=False,
        handlelength=1.8,
    )
    fig.suptitle(t("chart_costs", lang), fontsize=BIG, x=0.02, ha="left")
    total = t("cost_total", lang).format(total=fmt_euro(summary.live_total, lang, million=True))
    versus = t("cost_reference_total", lang).format(
        reference=reference_label,
        total=fmt_euro(summary.reference_total, lang, million=True),
        extra=fmt_euro(summary.extra_cost, lang, million=True, sign=True),
    )
    fig.text(0.02, 0.135, total, fontsize=MID, weight="bold")
    fig.text(0.02, 0.075, versus[:1].upper() + versus[1:], fontsize=SMALL)
    fig.text(0.02, 0.015, per_engaged_text(summary, lang), fontsize=MID)
    return fig
