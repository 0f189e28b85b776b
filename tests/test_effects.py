"""Per-factor effects (model/studies/analysis/effects.py) on synthetic runs with known effects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from model.studies.analysis.effects import (
    COLUMNS,
    INTERACTION_COLUMNS,
    effects_table,
    feature_scores,
    interactions,
    main_effects,
)
from model.studies.analysis.figures import effect_figure

JOIN, X, Z = "param:rules.joining", "param:levers.x", "param:levers.z"


def grid(effect_b: float = 0.1, seed_sd: float = 0.0, reps: int = 10, noise: float = 0.01):
    """Levels A, B, C of a text factor times z in {0, 1}; y = 0.3 + effect_b [B] + 0.05 z.

    ``seed_sd`` adds one shift per seed to every run of that seed (what common random numbers
    do): it cancels in paired differences and not in unpaired ones.
    """
    rng = np.random.default_rng(3)
    shift = rng.normal(0, seed_sd, reps) if seed_sd else np.zeros(reps)
    rows = []
    for level in ("A", "B", "C"):
        for z in (0.0, 1.0):
            for r in range(reps):
                y = 0.3 + effect_b * (level == "B") + 0.05 * z + shift[r]
                rows.append(
                    {
                        "scenario": "baseline",
                        "replication": r,
                        "seed": 100 + r,
                        JOIN: level,
                        Z: z,
                        "engaged_share": y + noise * rng.standard_normal(),
                    }
                )
    df = pd.DataFrame(rows)
    df.insert(0, "run_id", range(len(df)))
    return df


def sample(n: int = 300, slope: float = 2.0, seed: int = 5) -> pd.DataFrame:
    """A Latin-hypercube-like sample: x uniform on [0, 1], y = slope x + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return pd.DataFrame(
        {
            "run_id": range(n),
            "scenario": "baseline",
            "point": range(n),
            "replication": 0,
            "seed": 1,
            X: x,
            "engaged_share": slope * x + 0.3 * rng.standard_normal(n),
        }
    )


def row(t: pd.DataFrame, kind: str, level: str) -> pd.Series:
    hit = t[(t["kind"] == kind) & (t["level"] == level)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def inside(r: pd.Series) -> bool:
    return r["ci_low"] <= r["estimate"] <= r["ci_high"]


# ---------------------------------------------------------------------------- levels
def test_level_means_and_differences_recover_a_known_effect():
    t = main_effects(grid(), "rules.joining", "engaged_share")
    assert list(t.columns) == COLUMNS
    assert t["kind"].tolist() == ["level"] * 3 + ["difference"] * 2
    b = row(t, "difference", "B")
    assert b["estimate"] == pytest.approx(0.1, abs=0.01) and inside(b)
    assert b["ci_low"] > 0.05 and b["reference"] == "A" and bool(b["paired"])
    c = row(t, "difference", "C")  # no effect: the interval holds 0
    assert c["ci_low"] < 0 < c["ci_high"] and inside(c)
    a = row(t, "level", "A")
    assert a["estimate"] == pytest.approx(0.325, abs=0.01) and inside(a) and a["n"] == 20
    assert b["n"] == 20  # pairs: 10 seeds x 2 values of z


def test_pairing_by_seed_removes_the_seeds_chance():
    df = grid(effect_b=0.02, seed_sd=0.1)
    paired = row(main_effects(df, JOIN, "engaged_share"), "difference", "B")
    assert bool(paired["paired"]) and paired["ci_low"] > 0
    # the same runs without seeds cannot be paired: the seed shifts swamp the effect
    unpaired = row(
        main_effects(df.drop(columns=["seed", "replication"]), JOIN, "engaged_share"),
        "difference",
        "B",
    )
    assert not bool(unpaired["paired"]) and unpaired["n"] == 40
    assert unpaired["ci_low"] < 0 < unpaired["ci_high"]
    assert paired["estimate"] == pytest.approx(unpaired["estimate"], abs=1e-9)


def test_level_order_and_reference_can_be_given():
    t = main_effects(grid(), JOIN, "engaged_share", levels=["B", "A", "C"])
    assert t["level"].tolist() == ["B", "A", "C", "A", "C"]
    assert row(t, "difference", "A")["estimate"] == pytest.approx(-0.1, abs=0.01)


def test_pairs_by_seed_alone_when_nothing_else_varies():
    df = grid().query("`param:levers.z` == 0").drop(columns=["scenario"])
    b = row(main_effects(df, JOIN, "engaged_share"), "difference", "B")
    assert bool(b["paired"]) and b["n"] == 10 and b["ci_low"] > 0.05 and inside(b)


def test_a_single_run_per_level_gets_no_interval():
    df = grid(reps=1).query("`param:levers.z` == 0")
    t = main_effects(df, JOIN, "engaged_share")
    assert t["n"].tolist() == [1, 1, 1, 2, 2]
    assert t["ci_low"].isna().all() and t["estimate"].notna().all()


def test_same_seed_bootstrap_gives_the_same_interval():
    t1 = main_effects(grid(), JOIN, "engaged_share", n_boot=200, seed=4)
    t2 = main_effects(grid(), JOIN, "engaged_share", n_boot=200, seed=4)
    pd.testing.assert_frame_equal(t1, t2)


# ---------------------------------------------------------------------------- slopes
def test_slope_of_a_sampled_factor():
    t = main_effects(sample(), "levers.x", "engaged_share")
    s = row(t, "slope", "slope")
    assert s["ci_low"] < 2.0 < s["ci_high"] and s["ci_low"] > 1.5 and inside(s)
    r = row(t, "slope_range", "slope")
    x = sample()[X]
    assert r["estimate"] == pytest.approx(s["estimate"] * (x.max() - x.min()))
    bins = t[t["kind"] == "bin"]
    assert len(bins) == 5 and bins["n"].sum() == 300
    assert bins["estimate"].is_monotonic_increasing and bins["x"].is_monotonic_increasing


def test_no_slope_when_there_is_none():
    s = row(main_effects(sample(slope=0.0), X, "engaged_share"), "slope", "slope")
    assert s["ci_low"] < 0 < s["ci_high"]


def test_unknown_factor_or_indicator():
    with pytest.raises(ValueError, match="factor 'levers.nope' is not in the results"):
        main_effects(sample(), "levers.nope", "engaged_share")
    with pytest.raises(ValueError, match="indicator 'nope'"):
        main_effects(sample(), X, "nope")


# ---------------------------------------------------------------------------- interactions
def two_by_two(interaction: float, reps: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    rows = [
        {
            "seed": 100 + r,
            "param:a": a,
            "param:b": b,
            "y": a + b + interaction * a * b + 0.05 * rng.standard_normal(),
        }
        for a in (0, 1)
        for b in (0, 1)
        for r in range(reps)
    ]
    return pd.DataFrame(rows).rename_axis("run_id").reset_index()


def test_interaction_contrast_recovers_x1_times_x2():
    t = interactions(two_by_two(1.0), "a", "b", "y")
    assert list(t.columns) == INTERACTION_COLUMNS and len(t) == 1
    r = t.iloc[0]
    assert r["estimate"] == pytest.approx(1.0, abs=0.05) and inside(r) and r["ci_low"] > 0.5
    assert bool(r["paired"]) and r["n"] == 10


def test_no_interaction_when_effects_add_up():
    r = interactions(two_by_two(0.0), "a", "b", "y").iloc[0]
    assert r["ci_low"] < 0 < r["ci_high"]
    # too few seeds to pair: the cells are resampled on their own, still around 0
    few = interactions(two_by_two(0.0, reps=3), "a", "b", "y").iloc[0]
    assert not bool(few["paired"]) and few["n"] == 12 and few["ci_low"] < 0 < few["ci_high"]


def test_interactions_need_small_grids():
    with pytest.raises(ValueError, match="at most 4 levels; 'levers.x' has 300"):
        interactions(sample(), "levers.x", "levers.x", "engaged_share")


# ---------------------------------------------------------------------------- many factors
def test_feature_scores_rank_the_factor_that_matters():
    rng = np.random.default_rng(2)
    n = 200
    df = pd.DataFrame(
        {
            "param:strong": rng.uniform(0, 1, n),
            "param:weak": rng.uniform(0, 1, n),
            "param:style": rng.choice(["early", "late"], n),
            "scenario": "baseline",
        }
    )
    df["engaged_share"] = 3 * df["param:strong"] + 0.05 * rng.standard_normal(n)
    df["trust_mean"] = (df["param:style"] == "late") * 1.0 + 0.05 * rng.standard_normal(n)
    scores = feature_scores(df, indicators=["engaged_share", "trust_mean"])
    assert scores.index.tolist() == ["strong", "weak", "style"]
    assert scores["engaged_share"].idxmax() == "strong"
    assert scores["trust_mean"].idxmax() == "style"
    assert scores.sum().to_numpy() == pytest.approx([1.0, 1.0])
    # a factor with one value scores 0 (the workbench would drop it, and any "scenario")
    one = feature_scores(df, ["strong", "scenario"], ["engaged_share"])
    assert one["engaged_share"].tolist() == pytest.approx([1.0, 0.0])


# ---------------------------------------------------------------------------- table, figure
def test_effects_table_keeps_scenarios_and_levels_apart():
    df = pd.concat(
        [grid().assign(scenario="baseline"), grid(effect_b=0.0).assign(scenario="other")],
        ignore_index=True,
    )
    t = effects_table(df, indicators=["engaged_share"], n_boot=200)
    assert list(t.columns) == ["scenario", *COLUMNS]
    assert set(t["factor"]) == {"rules.joining", "levers.z"}
    diffs = t[(t["kind"] == "difference") & (t["level"] == "B")].set_index("scenario")
    assert diffs.loc["baseline", "ci_low"] > 0 > diffs.loc["other", "ci_low"]
    assert (t.loc[t["kind"] == "level", "n"] <= 30).all()  # runs of one scenario only
    by_scenario = effects_table(df, ["scenario"], ["engaged_share"], n_boot=200)
    assert by_scenario["scenario"].eq("").all() and by_scenario["n"].iloc[0] == 60


def test_effects_table_of_a_sample_and_of_nothing():
    t = effects_table(sample(), indicators=["engaged_share"], n_boot=100)
    assert set(t["kind"]) == {"slope", "slope_range", "bin"}
    empty = effects_table(sample().drop(columns=X), indicators=["engaged_share"])
    assert empty.empty and list(empty.columns) == ["scenario", *COLUMNS]


def test_effect_figure_has_a_labelled_panel_per_factor():
    t = pd.concat(
        [
            effects_table(grid(), indicators=["engaged_share"], n_boot=100),
            effects_table(sample(), indicators=["engaged_share"], n_boot=100),
        ],
        ignore_index=True,
    )
    fig = effect_figure(t, "engaged_share")
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 3
    assert [ax.get_xlabel() for ax in panels] == ["rules.joining", "levers.z", "levers.x"]
    assert all(ax.get_ylabel() == "engaged_share" for ax in panels)
    assert len(panels[2].get_lines()) >= 1  # the slope line
    fig.draw_without_rendering()  # tick labels exist once drawn
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert sizes and min(sizes) >= 10
    with pytest.raises(ValueError, match="no rows for indicator 'trust_mean'"):
        effect_figure(t, "trust_mean")


def test_missing_values_are_left_out():
    df = grid()
    df.loc[:4, "engaged_share"] = math.nan
    t = main_effects(df, JOIN, "engaged_share")
    assert row(t, "level", "A")["n"] == 15
