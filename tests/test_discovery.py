"""Scenario discovery (model/studies/analysis/discovery.py) on synthetic final tables.

The runs of interest are planted: a box in two of three uniform factors, or a range of one
factor combined with one category of another, so PRIM and CART must find known limits.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from model.studies.analysis.discovery import (
    BOX_COLUMNS,
    Box,
    NothingToDiscover,
    boxes_markdown,
    boxes_table,
    cart_boxes,
    discovery_factors,
    parse_condition,
    peeling_figure,
    prim_boxes,
)
from model.studies.figures import OKABE_ITO

X1, X2, X3 = "param:behaviour.x1", "param:behaviour.x2", "param:rules.x3"
TIMING = "param:levers.participation.timing"


@pytest.fixture(scope="module")
def final() -> pd.DataFrame:
    """600 runs: three uniform factors, a three-level category, a constant and two outcomes.

    ``planted`` is 1 inside x1 > 0.6 and x2 < 0.4; ``early_high`` is 1 where x1 > 0.5 and
    timing is 'early'.
    """
    rng = np.random.default_rng(15)
    n = 600
    df = pd.DataFrame(
        {
            "run_id": np.arange(n),
            "scenario": "baseline",
            "point": np.arange(n),
            "replication": 0,
            "seed": 1,
            X1: rng.uniform(size=n),
            X2: rng.uniform(size=n),
            X3: rng.uniform(size=n),
            TIMING: rng.choice(["early", "late", "mid"], size=n),
            "param:levers.constant": 7,
        }
    )
    df["planted"] = ((df[X1] > 0.6) & (df[X2] < 0.4)).astype(float)
    df["early_high"] = ((df[X1] > 0.5) & (df[TIMING] == "early")).astype(float)
    df["trust_mean"] = np.where(np.arange(n) % 10 == 0, np.nan, df[X3])
    return df


@pytest.fixture(scope="module")
def planted_boxes(final) -> list[Box]:
    return prim_boxes(final, "planted >= 0.5")


# ---------------------------------------------------------------------------- conditions
def test_a_condition_is_parsed_without_evaluating_it(final):
    cond = parse_condition("planted >= 0.5 and trust_mean <= 10e6")
    assert cond.names == ["planted", "trust_mean"]
    assert [c.value for c in cond.groups[0]] == [0.5, 1e7]
    mask = cond.mask(final)
    expected = (final["planted"] >= 0.5) & (final["trust_mean"] <= 1e7)  # NaN trust: False
    assert mask.dtype == bool and (mask == expected.to_numpy()).all()


def test_and_binds_tighter_than_or_and_blanks_are_optional(final):
    cond = parse_condition("planted==1 or trust_mean>0.9 and trust_mean<1_000")
    assert [len(g) for g in cond.groups] == [1, 2]
    tm = final["trust_mean"]
    expected = (final["planted"] == 1) | ((tm > 0.9) & (tm < 1000))
    assert (cond.mask(final) == expected.to_numpy()).all()
    assert str(parse_condition("trust_mean != -inf")) == "trust_mean != -inf"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a comparison like 'trust_mean >= 0.5'"),
        ("trust_mean >", "got 'trust_mean >' at character 1"),
        ("trust_mean >= 0.5 and", "got 'the end' at character 22"),
        ("trust_mean => 0.5", "unknown operator '=' at character 12"),
        ("trust_mean >= half", "expected a number after '>=' at character 15 of"),
        ("trust_mean >= nan", "nothing equals NaN"),
        ("trust_mean >= 0.5 & planted < 1", "expected 'and' or 'or' at character 19 of"),
        ("0.5 <= trust_mean", "expected an outcome name at character 1 of"),
        ("__import__('os').system('x') == 0", "expected an outcome name"),
    ],
)
def test_malformed_conditions_say_what_where_and_what_is_allowed(text, message):
    with pytest.raises(ValueError) as err:
        parse_condition(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_an_unknown_outcome_lists_the_allowed_ones(final):
    with pytest.raises(ValueError, match="unknown operator"):
        parse_condition("trust_mean =< 1", outcomes=["trust_mean"])
    with pytest.raises(ValueError) as err:
        parse_condition("engaged_shar >= 0.3", outcomes=["engaged_share", "trust_mean"])
    text = str(err.value)
    assert "unknown outcome 'engaged_shar'" in text and "did you mean 'engaged_share'" in text
    assert text.endswith("allowed: engaged_share, trust_mean")
    # without a list the names are checked against the table's indicators when applied
    with pytest.raises(ValueError, match=r"unknown outcome 'plantd'.*allowed: .*planted"):
        parse_condition("plantd > 0").mask(final)


# ---------------------------------------------------------------------------- PRIM
def test_prim_recovers_a_planted_box(planted_boxes):
    box = planted_boxes[0]
    assert box.method == "PRIM" and box.meets_threshold
    assert box.density >= 0.8 and box.coverage >= 0.8
    limits = box.limits.set_index("factor")
    assert set(limits.index) == {X1, X2}, "x3, the category and the constant are not in it"
    assert abs(limits.loc[X1, "min"] - 0.6) <= 0.1 and np.isnan(limits.loc[X1, "max"])
    assert abs(limits.loc[X2, "max"] - 0.4) <= 0.1 and np.isnan(limits.loc[X2, "min"])
    assert (limits["qp"] < 0.05).all()


def test_the_chosen_step_is_the_densest_enough_with_most_coverage(planted_boxes):
    traj = planted_boxes[0].trajectory
    assert list(traj.columns[:7]) == ["step", "coverage", "density", "mass", "n", "k", "res_dim"]
    assert traj["chosen"].sum() == 1
    chosen = traj[traj["chosen"]].iloc[0]
    dense = traj[traj["density"] >= 0.8]
    assert chosen["coverage"] == dense["coverage"].max()
    assert chosen["density"] == planted_boxes[0].density
    assert traj["res_dim"].iloc[0] == 0 and traj["restricted"].iloc[0] == ""


def test_prim_finds_a_category_and_covers_successive_boxes(final):
    boxes = prim_boxes(final, "early_high == 1", max_boxes=3)
    first = boxes[0].limits.set_index("factor")
    assert first.loc[TIMING, "categories"] == ("early",)
    assert abs(first.loc[X1, "min"] - 0.5) <= 0.1
    # the second box, if any, is searched among the runs outside the first
    assert sum(b.k for b in boxes) <= final["early_high"].sum()
    assert all(b.meets_threshold for b in boxes[1:])


def test_nothing_or_everything_of_interest_is_a_clear_message(final):
    with pytest.raises(NothingToDiscover, match="no run of 600 satisfies 'planted > 1'"):
        prim_boxes(final, "planted > 1")
    with pytest.raises(NothingToDiscover, match="every run of 600 satisfies"):
        cart_boxes(final, "planted >= 0")
    with pytest.raises(ValueError, match="unknown factor 'nope'"):
        prim_boxes(final, "planted > 0.5", factors=["nope"])


def test_default_factors_are_the_varied_parameters(final):
    assert discovery_factors(final) == [X1, X2, X3, TIMING]


# ---------------------------------------------------------------------------- CART
def test_cart_boxes_read_categories_from_the_tree(final):
    boxes = cart_boxes(final, "early_high == 1")
    table = boxes_table(boxes)
    assert list(table.columns[: len(BOX_COLUMNS)]) == BOX_COLUMNS
    assert (table[["coverage", "density", "mass"]].to_numpy() != 0).any(), "not all zeros"
    assert table["mass"].sum() == pytest.approx(1) and table["coverage"].sum() == pytest.approx(1)
    best = boxes[0].limits.set_index("factor")
    assert boxes[0].density == 1 and boxes[0].coverage == 1
    assert best.loc[TIMING, "categories"] == ("early",)
    assert best.loc[X1, "min"] == pytest.approx(0.5, abs=0.05)
    assert best.loc[X1, "range"].startswith("> ")


def test_cart_boxes_agree_with_the_workbench_for_numbers(final):
    from ema_workbench.analysis.cart import CART

    boxes = cart_boxes(final, "planted == 1", factors=[X1, X2, X3])
    cart = CART(final[[X1, X2, X3]].reset_index(drop=True), final["planted"].to_numpy(int))
    cart.build_tree()
    keys = ["density", "coverage", "mass"]
    theirs = cart.stats_to_dataframe().sort_values(keys, ascending=False)
    ours = boxes_table(boxes).sort_values(keys, ascending=False)
    assert np.allclose(
        ours[["coverage", "density", "mass"]], theirs[["coverage", "density", "mass"]]
    )
    assert set(ours["res_dim"]) == set(theirs["res dim"])


# ---------------------------------------------------------------------------- output
def test_the_peeling_figure_is_labelled_readable_and_in_the_palette(planted_boxes):
    fig = peeling_figure(planted_boxes[0], threshold=0.8)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "coverage" in ax.get_xlabel() and "density" in ax.get_ylabel()
    texts = [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_legend().get_texts()]
    assert min(t.get_fontsize() for t in texts) >= 10
    colours = {to_hex(c).upper() for coll in ax.collections[:-1] for c in coll.get_facecolor()}
    assert colours <= {c.upper() for c in OKABE_ITO}
    assert "chosen box" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="no peeling trajectory"):
        peeling_figure(cart_boxes_stub())


def cart_boxes_stub() -> Box:
    limits = pd.DataFrame(
        [
            {
                "factor": "param:a|b",
                "min": np.nan,
                "max": np.nan,
                "categories": ("x|y",),
                "range": "x|y",
            }
        ]
    )
    return Box("CART", 1, limits, 0.5, 0.9, 0.1, 10, 9, 1)


def test_box_markdown_has_full_rows_and_escapes_pipes(planted_boxes):
    lines = boxes_markdown([*planted_boxes, cart_boxes_stub()])
    assert sum(line.startswith("| factor |") for line in lines) == len(planted_boxes) + 1
    width = 0
    for line in (line for line in lines if line.startswith("|")):
        cells = len(re.split(r"(?<!\\)\|", line.strip())) - 2  # outer pipes leave 2 blanks
        if line.startswith("| factor |"):
            width = cells
        assert cells == width, line
    assert "| a\\|b | x\\|y |" in lines
    assert lines[0].startswith("**PRIM box 1**: coverage")
