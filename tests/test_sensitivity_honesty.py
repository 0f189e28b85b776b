"""Honest sensitivity output: indices on growing samples (convergence), warnings when a
sample is too small to read, and the running mean over replications."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample

from model.studies.analysis import load_manifest, load_results
from model.studies.analysis.figures import convergence_chart, replication_chart
from model.studies.analysis.sensitivity import (
    convergence,
    replication_convergence,
    sensitivity,
    warnings_for,
)
from tests.test_analysis import PROBLEM, SALIB_PROBLEM, make_results


def _sobol(tmp_path, n: int):
    x = sobol_sample.sample(SALIB_PROBLEM, n, calc_second_order=False, seed=1)
    points = [{k: float(v) for k, v in zip(PROBLEM["names"], row, strict=True)} for row in x]
    root = make_results(
        tmp_path / f"sobol{n}",
        "sobol",
        points,
        replications=1,
        keep="final",
        problem=PROBLEM,
        design_matrix=x,
    )
    return load_results(root), load_manifest(root)


def test_convergence_recomputes_the_indices_on_the_first_base_samples(tmp_path):
    df, manifest = _sobol(tmp_path, 32)
    table = convergence(df, manifest, "engaged_share")
    assert sorted(table["n"].unique()) == [8, 16, 32]
    full = sensitivity(df, manifest, "engaged_share")
    last = table[table["n"] == 32].reset_index(drop=True)
    np.testing.assert_allclose(last["S1"], full["S1"])
    # the dominant parameter leads at every sample size
    for _, g in table.groupby("n"):
        assert g.sort_values("ST", ascending=False)["parameter"].iloc[0] == PROBLEM["names"][0]
    fig = convergence_chart(table)
    assert len(fig.axes) == 2


def test_a_small_sample_is_flagged_and_a_clear_one_is_not():
    wide = pd.DataFrame(
        {
            "indicator": "engaged_share",
            "parameter": ["a", "b"],
            "S1": [1.1, 0.1],
            "S1_conf": [0.5, 0.4],
            "ST": [1.4, 0.2],
            "ST_conf": [0.5, 0.3],
        }
    )
    (warning,) = warnings_for(wide, "sobol", samples=32, replications=1)
    assert "too small to read" in warning and "N = 32" in warning and "above 1" in warning
    tight = wide.assign(S1=[0.8, 0.1], ST=[0.85, 0.12], S1_conf=0.03, ST_conf=0.04)
    assert warnings_for(tight, "sobol", samples=1024, replications=5) == []
    morris = pd.DataFrame(
        {
            "indicator": "trust_mean",
            "parameter": ["a", "b"],
            "mu_star": [0.2, 0.01],
            "mu_star_conf": [0.15, 0.001],
        }
    )
    assert "not settled" in warnings_for(morris, "morris", samples=6, replications=1)[0]


def test_replication_convergence_is_the_running_mean_with_a_t_interval(tmp_path):
    final = pd.DataFrame(
        {
            "scenario": "baseline",
            "point": 0,
            "replication": [0, 1, 2, 3],
            "engaged_share": [0.30, 0.34, 0.32, 0.36],
        }
    )
    table = replication_convergence(final, "engaged_share")
    assert table["mean"].round(6).tolist() == [0.30, 0.32, 0.32, 0.33]
    assert np.isnan(table["ci_low"].iloc[0])
    from scipy import stats

    half = stats.t.ppf(0.975, 3) * np.std([0.30, 0.34, 0.32, 0.36], ddof=1) / 2
    assert table["ci_high"].iloc[-1] - 0.33 == pytest.approx(half, rel=1e-9)
    fig = replication_chart(table, "engaged_share")
    assert fig.axes[0].get_xlabel() == "replications"
