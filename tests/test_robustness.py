"""Robustness of policies (model/studies/analysis/robustness.py) on synthetic final tables.

Each table is built policy by policy from a known outcome per state of the world, so which
policy is robust, and by how much the others regret, is known in advance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.studies.analysis.robustness import (
    OUTCOME_STATS,
    REGRET_STATS,
    policy_label,
    policy_outcomes,
    regret,
    robustness_ranking,
)

AGENCY = "param:levers.infrastructure.volunteer_agency_eur"
TIMING = "param:levers.participation.timing"
POLICY = "param:levers.policy"
U = "param:behaviour.ask_rate"
LEVERS = [POLICY]


def table(outcomes: dict[str, list[float]], replications: int = 1) -> pd.DataFrame:
    """One run per policy, state and replication; ``outcomes[policy][state]`` is the outcome
    ``y`` (plus 0.001 per replication, the same for every policy); ``cost`` is its negative
    times 1000, an indicator where smaller is better."""
    rows = []
    for policy, values in outcomes.items():
        for state, value in enumerate(values):
            for rep in range(replications):
                rows.append(
                    {
                        "run_id": len(rows),
                        "scenario": "baseline",
                        "point": state,
                        "replication": rep,
                        "seed": 100 + rep,
                        POLICY: policy,
                        U: 0.1 * state,  # the sampled uncertainty: shared by every policy
                        "y": value + 0.001 * rep,
                        "cost": -1000 * value,
                    }
                )
    return pd.DataFrame(rows)


def by_policy(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index(POLICY)


def test_a_policy_best_in_every_state_has_no_regret():
    df = table({"A": [5, 6, 7, 8], "B": [4, 6, 3, 8], "C": [1, 2, 3, 4]}, replications=2)
    r = by_policy(regret(df, LEVERS, [U], "y"))
    assert list(r.columns[-4:]) == REGRET_STATS
    assert (r.loc["A", ["mean_regret", "max_regret", "q90_regret"]] == 0).all()
    assert r.loc["B", "max_regret"] == pytest.approx(4)  # 7 - 3 in the third state
    assert r.loc["C", "mean_regret"] == pytest.approx(4)
    assert (r["n_states"] == 8).all() and r.attrs["states_dropped"] == 0


def test_the_best_on_average_can_have_the_worst_regret():
    # B is best on average but fails in the last state; C is never far from the best
    df = table({"B": [12, 12, 12, 0], "C": [8, 8, 8, 8], "D": [9, 9, 9, 1]})
    means = by_policy(policy_outcomes(df, LEVERS, "y"))["mean"]
    assert means.idxmax() == "B"
    r = by_policy(regret(df, LEVERS, [U], "y"))
    assert r.loc["B", "max_regret"] == 8 and r.loc["C", "max_regret"] == 4
    assert r.loc["D", "max_regret"] == 7
    assert r["max_regret"].idxmin() == "C"
    ranking = robustness_ranking(df, LEVERS, [U], {"y": True})
    assert ranking["policy"].iloc[0] == "C" and ranking["rank"].iloc[0] == 1
    assert by_policy(ranking).loc["B", "y:rank_regret"] == 3


def test_regret_of_a_cost_counts_what_is_paid_above_the_cheapest():
    df = table({"A": [5, 6, 7, 8], "B": [4, 6, 3, 8]})
    r = by_policy(regret(df, LEVERS, [U], "cost", larger_is_better=False))
    assert r.loc["A", "max_regret"] == 0 and r.loc["B", "max_regret"] == pytest.approx(4000)


def test_a_state_without_every_policy_is_left_out():
    df = table({"A": [5, 6, 7], "B": [4, 9, 3]})
    df = df.drop(df.index[(df[POLICY] == "A") & (df["point"] == 1)])  # a failed run
    r = by_policy(regret(df, LEVERS, [U], "y"))
    assert r.attrs["states_dropped"] == 1 and (r["n_states"] == 2).all()
    assert r.loc["B", "max_regret"] == 4  # the state where B was best is gone


def test_policies_must_share_their_states():
    df = table({"A": [5, 6], "B": [4, 9]})
    df.loc[df[POLICY] == "B", U] += 0.05  # B ran in other states of the world
    with pytest.raises(ValueError, match="must share the uncertainty values"):
        regret(df, LEVERS, [U], "y")
    with pytest.raises(ValueError, match=r"unknown uncertainty columns \['u'\]"):
        regret(df, LEVERS, ["u"], "y")
    with pytest.raises(ValueError, match="unknown indicator 'yy'; allowed: .*y"):
        regret(df, LEVERS, [U], "yy")


def test_policy_outcomes_describe_the_spread_over_states():
    df = table({"A": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "B": [3] * 10})
    out = by_policy(policy_outcomes(df, LEVERS, "y"))
    assert list(out.columns[-len(OUTCOME_STATS) :]) == OUTCOME_STATS
    a = np.arange(1, 11, dtype=float)
    assert out.loc["A", "n"] == 10 and out.loc["A", "mean"] == pytest.approx(5.5)
    assert out.loc["A", "sd"] == pytest.approx(a.std(ddof=1))
    assert out.loc["A", "q10"] == pytest.approx(np.percentile(a, 10))
    assert out.loc["A", "q90"] == pytest.approx(np.percentile(a, 90))
    assert (out.loc["A", ["min", "max"]] == [1, 10]).all() and out.loc["B", "sd"] == 0


def test_the_ranking_weighs_each_indicator_by_rank():
    # y: A is robust; cost: smaller is better, and here A is also the cheapest; B's cost
    # in its bad state is the highest
    df = table({"A": [5, 6, 7, 8], "B": [4, 6, 3, 8], "C": [1, 2, 3, 4]})
    df["cost"] = np.where(df[POLICY] == "B", 50.0, 10.0) + df[U]
    ranking = robustness_ranking(df, LEVERS, [U], {"y": True, "cost": False})
    per = by_policy(ranking)
    for ind in ("y", "cost"):
        for col in ("max_regret", "rank_regret", "decile", "rank_decile"):
            assert f"{ind}:{col}" in ranking.columns
    assert list(ranking.columns[-4:]) == ["rank_regret", "rank_decile", "mean_rank", "rank"]
    assert ranking["policy"].iloc[0] == "A" and list(ranking["rank"]) == sorted(ranking["rank"])
    # the percentile view of a cost is its 90th percentile, the bad tail
    assert per.loc["B", "cost:decile"] == pytest.approx(np.percentile(50 + 0.1 * np.arange(4), 90))
    assert per.loc["B", "cost:rank_decile"] == 3 and per.loc["A", "cost:rank_decile"] == 1
    assert per.loc["A", "mean_rank"] == 1


def test_policy_labels_are_readable():
    row = {AGENCY: 1_200_000, TIMING: "early", "param:levers.participation.rung": "co_design"}
    assert policy_label(row, list(row)) == "volunteer agency 1.2M EUR, early, co_design"
    assert policy_label({AGENCY: 300000.0}, [AGENCY]) == "volunteer agency 300k EUR"
    outreach = "param:levers.participation.outreach"
    assert policy_label({outreach: False}, [outreach]) == "no outreach"
    rate = "param:levers.administration.responsiveness"
    assert policy_label({rate: 0.4}, [rate]) == "responsiveness 0.4"


def test_policies_are_the_combinations_of_several_levers():
    rows = []
    for agency in (300_000, 1_200_000):
        for timing in ("late", "early"):
            for state in range(3):
                y = agency / 1e6 + (0.5 if timing == "early" else 0.0) * state
                rows.append({AGENCY: agency, TIMING: timing, U: state, "replication": 0, "y": y})
    df = pd.DataFrame(rows)
    r = regret(df, [AGENCY, TIMING], [U], "y")
    assert len(r) == 4 and set(r["policy"]) == {
        "volunteer agency 300k EUR, late",
        "volunteer agency 300k EUR, early",
        "volunteer agency 1.2M EUR, late",
        "volunteer agency 1.2M EUR, early",
    }
    best = r.set_index("policy").loc["volunteer agency 1.2M EUR, early"]
    assert best["max_regret"] == 0
