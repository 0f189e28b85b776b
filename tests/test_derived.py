"""Derived outcomes (model/studies/analysis/derived.py) on small frames computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.studies.analysis.derived import (
    CUMULATIVE,
    DERIVED,
    add_cost_per_additional_engaged,
    add_derived,
    apply_declared,
    window_values,
)


def series(months: int = 24, runs: int = 2) -> pd.DataFrame:
    """Monthly rows: engaged_share climbs with the month, cost_eur_total adds 100 a month."""
    rows = []
    for run in range(runs):
        for step in range(1, months + 1):
            rows.append(
                {
                    "run_id": run,
                    "scenario": "baseline",
                    "point": run,
                    "replication": 0,
                    "seed": 7,
                    "param:levers.x": float(run),
                    "date": f"{2024 + (step - 1) // 12}-{(step - 1) % 12 + 1:02d}",
                    "step": step,
                    "engaged_share": 0.01 * step + run,
                    "cost_eur_total": 100.0 * step,
                }
            )
    return pd.DataFrame(rows)


def finals(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"run_id": range(n), "scenario": "baseline", "point": 0, "step": 24}
    return pd.DataFrame({**base, **cols})


# ---------------------------------------------------------------------------- window_values
def test_window_averages_the_last_months_but_keeps_cumulative_totals():
    out = window_values(series(), 12)
    assert len(out) == 2 and out.attrs["months_averaged"] == 12
    # mean of months 13..24 is month 18.5; run 1 is shifted by 1
    assert out["engaged_share"].tolist() == pytest.approx([0.185, 1.185])
    assert out["cost_eur_total"].tolist() == [2400.0, 2400.0]
    assert out["step"].tolist() == [24, 24] and out["param:levers.x"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize("window", [None, 1])
def test_window_of_one_month_is_the_final_month(window):
    out = window_values(series(), window)
    assert out["engaged_share"].tolist() == pytest.approx([0.24, 1.24])
    assert out.attrs["months_averaged"] == 1


def test_window_falls_back_to_final_rows_and_rejects_nonsense():
    final_only = series().groupby("run_id").tail(1)
    out = window_values(final_only, 12)
    assert out["engaged_share"].tolist() == pytest.approx([0.24, 1.24])
    assert out.attrs["months_averaged"] == 1
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match="window_months"):
            window_values(series(), bad)


def test_cumulative_list_matches_the_indicator_units():
    from model.simulation.indicators import INDICATORS

    cumulative = {k for k, (unit, _) in INDICATORS.items() if "cumulative" in unit}
    assert cumulative == set(CUMULATIVE)


# ---------------------------------------------------------------------------- add_derived
def test_gaps_ratio_cost_and_residents_by_hand():
    final = finals(
        engaged_share=[0.30, 0.40],
        engaged_share_edu_low=[0.20, 0.0],
        engaged_share_edu_high=[0.50, 0.30],
        engaged_share_migration=[0.25, 0.10],
        cost_eur_total=[240_000.0, 0.0],
    )
    out = add_derived(final, population=10_000)
    assert out["education_gap"].tolist() == pytest.approx([0.30, 0.30])
    assert out["education_ratio"].iloc[0] == pytest.approx(2.5)
    assert math.isnan(out["education_ratio"].iloc[1])  # nobody with low education engaged
    assert out["migration_gap"].tolist() == pytest.approx([0.05, 0.30])
    assert out["cost_eur_per_year"].tolist() == pytest.approx([120_000.0, 0.0])  # 24 months
    assert out["engaged_residents"].tolist() == pytest.approx([3000.0, 4000.0])
    assert "education_gap" not in final.columns  # a copy


def test_population_per_scenario_and_months_given():
    final = finals(engaged_share=[0.1, 0.2], cost_eur_total=[1200.0, 1200.0])
    final["scenario"] = ["small", "large"]
    out = add_derived(final, {"small": 1000, "large": 5000}, months_run=6)
    assert out["engaged_residents"].tolist() == pytest.approx([100.0, 1000.0])
    assert out["cost_eur_per_year"].tolist() == pytest.approx([2400.0, 2400.0])
    with pytest.raises(ValueError, match="one value per scenario"):
        add_derived(final, pd.Series({"other": 1.0}))


def test_missing_inputs_leave_derived_outcomes_out():
    out = add_derived(finals(engaged_share=[0.1]), population=100)
    assert "engaged_residents" in out.columns
    assert not {"education_gap", "migration_gap", "cost_eur_per_year"} & set(out.columns)


def test_every_derived_column_is_documented():
    final = finals(
        engaged_share=[0.3, 0.4],
        engaged_share_edu_low=[0.2, 0.2],
        engaged_share_edu_high=[0.5, 0.5],
        engaged_share_migration=[0.2, 0.2],
        cost_eur_total=[0.0, 100.0],
        seed=[1, 1],
    )
    out = add_cost_per_additional_engaged(add_derived(final, 100), [True, False], 100)
    new = set(out.columns) - set(final.columns) - {"reference_paired"}
    assert new == set(DERIVED)
    assert all(len(v) == 2 and all(v) for v in DERIVED.values())


# ---------------------------------------------------------------------------- cost per engaged
def cost_frame() -> pd.DataFrame:
    """Reference runs (seeds 1, 2) and policy runs (seeds 1, 2, 3)."""
    return pd.DataFrame(
        {
            "run_id": range(5),
            "scenario": ["baseline"] * 2 + ["policy"] * 3,
            "replication": [0, 1, 0, 1, 2],
            "seed": [1, 2, 1, 2, 3],
            "engaged_share": [0.30, 0.32, 0.31, 0.31, 0.35],
            "cost_eur_per_year": [1000.0, 1000.0, 6000.0, 9000.0, 11000.0],
        }
    )


def test_cost_per_additional_engaged_resident_paired_by_seed():
    df = cost_frame()
    out = add_cost_per_additional_engaged(df, df["scenario"] == "baseline", 10_000)
    # seed 1: +0.01 x 10,000 = 100 residents for 5,000 EUR: 50 EUR each
    assert out["additional_engaged_residents"].iloc[2] == pytest.approx(100.0)
    assert out["cost_per_additional_engaged_resident"].iloc[2] == pytest.approx(50.0)
    # seed 2 loses engagement (0.31 < 0.32): no price for it
    assert out["additional_engaged_residents"].iloc[3] == pytest.approx(-100.0)
    assert math.isnan(out["cost_per_additional_engaged_resident"].iloc[3])
    # seed 3 has no reference run: the reference mean (0.31, 1000 EUR) -> 10,000 / 400 = 25
    assert out["cost_per_additional_engaged_resident"].iloc[4] == pytest.approx(25.0)
    assert out["reference_paired"].tolist() == [True, True, True, True, False]
    # the reference compared with itself gains nothing
    assert out["cost_per_additional_engaged_resident"].iloc[:2].isna().all()
    assert np.isfinite(out["additional_cost_eur_per_year"]).all()


def test_reference_as_rows_and_without_seeds():
    df = cost_frame()
    ref = df[df["scenario"] == "baseline"].drop(columns=["seed", "replication"])
    out = add_cost_per_additional_engaged(df, ref, 10_000)
    assert not out["reference_paired"].any()
    # all against the mean: policy seed 1 gains 0.31 - 0.31 = 0 -> empty, seed 3 -> 25
    assert math.isnan(out["cost_per_additional_engaged_resident"].iloc[2])
    assert out["cost_per_additional_engaged_resident"].iloc[4] == pytest.approx(25.0)


def test_cost_per_engaged_needs_the_yearly_cost():
    df = cost_frame().drop(columns="cost_eur_per_year")
    with pytest.raises(ValueError, match="cost_eur_per_year.*add_derived"):
        add_cost_per_additional_engaged(df, df["scenario"] == "baseline", 100)
    with pytest.raises(ValueError, match="mask has 2 entries for 5 runs"):
        add_cost_per_additional_engaged(cost_frame(), [True, False], 100)


# ---------------------------------------------------------------------------- declared
def test_declared_differences_and_ratios_by_hand():
    final = finals(engaged_share=[0.3, 0.4], trust_mean=[0.6, 0.0])
    declared = {
        "trust_minus_engaged": {"difference": ["trust_mean", "engaged_share"]},
        "engaged_per_trust": {"ratio": ["engaged_share", "trust_mean"]},
        "twice_removed": {"difference": ["trust_minus_engaged", "trust_mean"]},
    }
    out = apply_declared(final, declared)
    assert out["trust_minus_engaged"].tolist() == pytest.approx([0.3, -0.4])
    assert out["engaged_per_trust"].iloc[0] == pytest.approx(0.5)
    assert math.isnan(out["engaged_per_trust"].iloc[1])  # division by zero
    assert out["twice_removed"].tolist() == pytest.approx([-0.3, -0.4])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"difference": ["engaged_share", "nope"]}, r"'gap'.*unknown indicator 'nope'.*allowed"),
        ({"difference": ["engaged_share", "param:levers.x"]}, r"unknown indicator 'param:"),
        ({"sum": ["engaged_share", "trust_mean"]}, r"'gap'.*unknown key 'sum'.*'difference'"),
        ({"ratio": ["engaged_share"]}, r"'gap'.*'ratio' takes a list of two"),
        ({"ratio": "engaged_share / trust_mean"}, r"'ratio' takes a list of two"),
        ({"ratio": ["a", "b"], "difference": ["a", "b"]}, r"'gap'.*exactly one of"),
        ("engaged_share - trust_mean", r"'gap'.*exactly one of.*'ratio'"),
    ],
)
def test_declared_errors_name_the_outcome_the_key_and_what_is_allowed(entry, message):
    final = finals(engaged_share=[0.3], trust_mean=[0.6], **{"param:levers.x": [1.0]})
    with pytest.raises(ValueError, match=message):
        apply_declared(final, {"gap": entry})


def test_declared_names_must_be_new():
    final = finals(engaged_share=[0.3], trust_mean=[0.6])
    with pytest.raises(ValueError, match="'trust_mean': the name must be new"):
        apply_declared(final, {"trust_mean": {"difference": ["engaged_share", "trust_mean"]}})
