"""Robustness of policies across uncertainties: their spread, their regret and a ranking.

In an experiment with levers and uncertainties every *policy* (one combination of the levers'
values) runs in the same sampled *states of the world* (values of the uncertainties) with the
same replications, the layout of exploratory modelling (Kwakkel 2017, *Environ. Model.
Softw.* 96:239-250; Lempert et al. 2006, *Manage. Sci.* 52:514-528). A policy that is best on
average may fail badly in some states; robust decision making therefore looks at the whole
distribution across states, and at *regret*: how much worse a policy does in a state than
the best policy in that same state (Savage 1951, *J. Am. Stat. Assoc.* 46:55-67). Regret
and percentile criteria are two of the families of robustness metrics compared by McPhail
et al. (2018, *Earth's Future* 6:169-191); they can rank policies differently, so the
ranking here reports both.

The paired layout matters: a state is identified by the values of the uncertainty columns,
the replication (hence the seed: common random numbers) and the scenario, so the policies'
outcomes in one state differ only by the policy.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

from model.studies.analysis.results import PARAM_PREFIX

#: the statistics of :func:`policy_outcomes`
OUTCOME_STATS = ["n", "mean", "sd", "q10", "q50", "q90", "min", "max"]
#: the columns of :func:`regret` besides the levers and the label
REGRET_STATS = ["n_states", "mean_regret", "max_regret", "q90_regret"]


# ---------------------------------------------------------------------------- labels
def _amount(v: float) -> str:
    """1200000 -> '1.2M', 300000 -> '300k', 0.4 -> '0.4': amounts as people say them."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:.3g}"


def policy_label(row: Mapping, levers: list[str]) -> str:
    """A readable name of a policy, e.g. ``"volunteer agency 1.2M EUR, early, co_design"``.

    Text values stand for themselves; numbers are named by the last part of their key, with
    a ``_eur`` suffix read as the unit; booleans read as the key or "no <key>".
    """
    parts = []
    for col in levers:
        v = row[col]
        key = col.removeprefix(PARAM_PREFIX).rsplit(".", 1)[-1]
        euro = key.endswith("_eur")
        name = key.removesuffix("_eur").replace("_", " ")
        if isinstance(v, bool | np.bool_):
            parts.append(name if v else f"no {name}")
        elif isinstance(v, numbers.Number):
            amount = "n/a" if pd.isna(v) else _amount(float(v))
            parts.append(f"{name} {amount}{' EUR' if euro else ''}")
        else:
            parts.append(str(v))
    return ", ".join(parts)


# ---------------------------------------------------------------------------- checks
def _check(final: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = [c for c in cols if c not in final.columns]
    if missing:
        params = [c for c in final.columns if c.startswith(PARAM_PREFIX)]
        raise ValueError(f"unknown {what} {missing}; allowed: {', '.join(params)}")


def _check_indicator(final: pd.DataFrame, indicator: str) -> None:
    if indicator not in final.columns or not pd.api.types.is_numeric_dtype(final[indicator]):
        numeric = final.select_dtypes("number").columns
        allowed = [c for c in numeric if not c.startswith(PARAM_PREFIX)]
        raise ValueError(f"unknown indicator {indicator!r}; allowed: {', '.join(allowed)}")


def _policies(final: pd.DataFrame, levers: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Per run the number of its policy, and the policies (their lever values and label)."""
    if not levers:
        raise ValueError("no levers given: a policy is a combination of lever values")
    _check(final, levers, "lever columns")
    groups = final.groupby(levers, dropna=False, sort=True)
    codes = groups.ngroup().to_numpy()
    table = groups.size().reset_index()[levers]
    table.insert(0, "policy", [policy_label(r, levers) for r in table.to_dict("records")])
    return codes, table


def _state_matrix(
    final: pd.DataFrame, levers: list[str], uncertainties: list[str], indicator: str
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Outcomes as a policies x states matrix, only states in which every policy ran.

    A state is one combination of the uncertainty columns' values, the replication and the
    scenario (where those columns exist). Several runs of one policy in one state (possible
    when an uncertainty that varies is not listed) are averaged. States missing a policy
    (a failed run) are dropped: regret needs the best policy *in that state*, and a missing
    policy might have been it. Returns the matrix, the policies and the number dropped.
    """
    _check(final, uncertainties, "uncertainty columns")
    _check_indicator(final, indicator)
    codes, policies = _policies(final, levers)
    state_cols = [c for c in ("scenario", *uncertainties, "replication") if c in final.columns]
    states = (
        final.groupby(state_cols, dropna=False, sort=True).ngroup().to_numpy()
        if state_cols
        else np.zeros(len(final), dtype=int)
    )
    long = pd.DataFrame({"policy": codes, "state": states, "value": final[indicator].to_numpy()})
    matrix = long.pivot_table(index="policy", columns="state", values="value", aggfunc="mean")
    matrix = matrix.reindex(range(len(policies)))
    complete = matrix.columns[matrix.notna().all(axis=0)]
    if len(complete) == 0:
        raise ValueError(
            f"no state of the world has a finished run of all {len(policies)} policies with "
            f"{indicator!r}; runs of different policies must share the uncertainty values "
            f"and replications ({', '.join(state_cols) or 'none given'})"
        )
    return matrix[complete], policies, int(matrix.shape[1] - len(complete))


# ---------------------------------------------------------------------------- criteria
def policy_outcomes(final: pd.DataFrame, levers: list[str], indicator: str) -> pd.DataFrame:
    """Each policy's distribution of ``indicator`` over all its runs (states and replications).

    Returns
    -------
    pandas.DataFrame
        One row per policy: ``policy`` (label), the lever columns, then ``n``, ``mean``,
        ``sd``, ``q10``, ``q50``, ``q90`` (percentiles, linear interpolation), ``min``, ``max``.
    """
    _check_indicator(final, indicator)
    codes, policies = _policies(final, levers)
    values = final[indicator].astype(float).groupby(codes)
    stats = pd.DataFrame(
        {
            "n": values.count(),
            "mean": values.mean(),
            "sd": values.std(),
            "q10": values.quantile(0.1),
            "q50": values.quantile(0.5),
            "q90": values.quantile(0.9),
            "min": values.min(),
            "max": values.max(),
        }
    )
    return policies.join(stats.reindex(range(len(policies))))


def _regret_matrix(matrix: pd.DataFrame, larger_is_better: bool) -> pd.DataFrame:
    """Regret of each policy (row) in each state (column): the best outcome in the state minus
    the policy's, or the policy's minus the best where smaller is better; never negative."""
    if larger_is_better:
        return matrix.max(axis=0) - matrix
    return matrix - matrix.min(axis=0)


def regret(
    final: pd.DataFrame,
    levers: list[str],
    uncertainties: list[str],
    indicator: str,
    larger_is_better: bool = True,
) -> pd.DataFrame:
    """Each policy's regret across the states of the world (Savage 1951).

    In every state in which all policies ran (see :func:`_state_matrix`), a policy's regret is
    how far its outcome falls short of the best policy's in that state. Minimax regret
    prefers the policy whose largest regret is smallest: it does not assume which state will
    come, only that the city will compare its choice with what it could have chosen.

    Returns
    -------
    pandas.DataFrame
        One row per policy: ``policy`` (label), the lever columns, ``n_states``,
        ``mean_regret``, ``max_regret``, ``q90_regret`` (90th percentile), in the indicator's
        unit. ``attrs["states_dropped"]`` counts the states left out because a policy lacked
        a finished run there.
    """
    matrix, policies, dropped = _state_matrix(final, levers, uncertainties, indicator)
    r = _regret_matrix(matrix, larger_is_better)
    out = policies.join(
        pd.DataFrame(
            {
                "n_states": r.shape[1],
                "mean_regret": r.mean(axis=1),
                "max_regret": r.max(axis=1),
                "q90_regret": r.quantile(0.9, axis=1),
            }
        )
    )
    out.attrs["states_dropped"] = dropped
    return out


def robustness_ranking(
    final: pd.DataFrame,
    levers: list[str],
    uncertainties: list[str],
    indicators: dict[str, bool],
) -> pd.DataFrame:
    """Policies ranked by two robustness criteria over several indicators.

    ``indicators`` maps each indicator to whether larger is better (engagement, trust) or not
    (costs). Per indicator, over the states in which every policy ran:

    * ``<indicator>:max_regret`` — the largest regret (minimax regret, Savage 1951), ranked
      ascending in ``<indicator>:rank_regret``;
    * ``<indicator>:decile`` — the outcome the policy reaches or beats in 90% of the states:
      the 10th percentile where larger is better, the 90th where smaller is better (a
      percentile, satisficing view: how bad is a bad state; McPhail et al. 2018), ranked in
      ``<indicator>:rank_decile`` (best first).

    ``rank_regret`` and ``rank_decile`` rank the policies by their mean rank over the
    indicators on each criterion; ``rank`` by the mean of all the per-indicator ranks
    (ranks, not raw values, so that euros and shares weigh alike). Ties share the better
    rank. The table is sorted by ``rank``.

    Returns
    -------
    pandas.DataFrame
        One row per policy: ``policy``, the lever columns, the four columns per indicator,
        ``rank_regret``, ``rank_decile``, ``mean_rank`` and ``rank``.
    """
    if not indicators:
        raise ValueError("no indicators given: map each to whether larger is better")
    out = None
    rank_cols: dict[str, list[str]] = {"regret": [], "decile": []}
    for ind, larger in indicators.items():
        matrix, policies, _ = _state_matrix(final, levers, uncertainties, ind)
        out = policies if out is None else out
        worst = matrix.quantile(0.1 if larger else 0.9, axis=1)
        out[f"{ind}:max_regret"] = _regret_matrix(matrix, larger).max(axis=1)
        out[f"{ind}:rank_regret"] = out[f"{ind}:max_regret"].rank(method="min").astype(int)
        out[f"{ind}:decile"] = worst
        out[f"{ind}:rank_decile"] = worst.rank(method="min", ascending=not larger).astype(int)
        rank_cols["regret"].append(f"{ind}:rank_regret")
        rank_cols["decile"].append(f"{ind}:rank_decile")
    for criterion, cols in rank_cols.items():
        out[f"rank_{criterion}"] = out[cols].mean(axis=1).rank(method="min").astype(int)
    out["mean_rank"] = out[rank_cols["regret"] + rank_cols["decile"]].mean(axis=1)
    out["rank"] = out["mean_rank"].rank(method="min").astype(int)
    return out.sort_values(["rank", "policy"], kind="stable").reset_index(drop=True)
