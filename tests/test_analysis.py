"""Sweep analysis (model/studies/analysis/) on synthetic results directories.

The fixtures write exactly the runner's format (manifest.json, parts/run-<id>.parquet,
failures/run-<id>.json) with deterministic responses, so the expected numbers are known.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from model.interface.cli import main
from model.studies.analysis import (
    RULE_INDICATORS,
    VERDICTS,
    conclusion_sentences,
    conclusions_by_rule,
    differences_from_baseline,
    fan_chart,
    final_values,
    gradient_chart,
    load_failures,
    load_manifest,
    load_results,
    rule_effects_chart,
    rule_verdicts,
    sensitivity,
    sensitivity_chart,
    summary_table,
    write_report,
)

MONTHS = 6
A, B = "levers.support.budget", "behaviour.ask_rate"
PROBLEM = {"names": [A, B], "bounds": [[0.0, 1.0], [0.0, 1.0]]}  # as in the manifest
SALIB_PROBLEM = {"num_vars": 2, **PROBLEM}


def response(params: dict, replication: int, step: int) -> dict:
    """Deterministic indicators: parameter A acts strongly, B weakly, plus replication noise."""
    a, b = float(params.get(A, 0.0)), float(params.get(B, 0.0))
    e = 0.2 + 0.3 * a + 0.02 * b + 0.01 * replication + 0.005 * step
    return {
        "engaged_share": e,
        "engaged_share_edu_low": 0.6 * e,
        "engaged_share_edu_mid": e,
        "engaged_share_edu_high": 1.4 * e,
        "trust_mean": 0.5 + 0.2 * a + 0.01 * b + 0.002 * replication,
        "climate_progress": 0.05 * step + 0.1 * a + 0.03 * b,
        "democracy_satisfaction": 0.6,
        "lonely_share": 0.2 - 0.05 * a,
        "infrastructure_spend_eur": 1e5 * step * (1 + a),
        "assembly_response_rate": 0.3,
    }


def make_results(
    root: Path,
    design: str,
    points: list[dict],
    *,
    scenarios: tuple[str, ...] = ("baseline",),
    replications: int = 3,
    keep: str = "series",
    problem: dict | None = None,
    design_matrix: np.ndarray | None = None,
    fail: tuple[int, ...] = (),
    empty_assembly: tuple[int, ...] = (0,),
) -> Path:
    """Write a results directory; runs in ``fail`` get a failure file instead of a part.

    Runs in ``empty_assembly`` have an all-empty assembly indicator (null type in Parquet),
    as real runs without an assembly do.
    """
    (root / "parts").mkdir(parents=True)
    (root / "failures").mkdir()
    runs = []
    for sc in scenarios:
        for p, params in enumerate(points):
            for r in range(replications):
                runs.append(
                    {
                        "run_id": len(runs),
                        "scenario": sc,
                        "point": p,
                        "replication": r,
                        "seed": 1000 + r,
                        "params": params,
                    }
                )
    manifest = {
        "experiment": {
            "name": f"test-{design}",
            "design": design,
            "parameters": {k: {"range": [0.0, 1.0]} for k in (points[0] if points else {})},
            "replications": replications,
            "seed": 7,
            "keep": keep,
        },
        "experiment_file": f"experiments/test-{design}.toml",
        "experiment_hash": "0" * 64,
        "versions": {"python": "3.12"},
        "git_commit": None,
        "problem": problem,
        "design_matrix": None if design_matrix is None else design_matrix.tolist(),
        "runs": runs,
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    steps = range(1, MONTHS + 1) if keep == "series" else [MONTHS]
    for run in runs:
        rid = run["run_id"]
        if rid in fail:
            failure = {
                "run_id": rid,
                "params": run["params"],
                "error": "ValueError: synthetic | failure",
                "traceback": "Traceback (most recent call last):\n  ...",
            }
            (root / "failures" / f"run-{rid:06d}.json").write_text(json.dumps(failure))
            continue
        rows = []
        for step in steps:
            row = {k: run[k] for k in ("run_id", "scenario", "point", "replication", "seed")}
            row.update({f"param:{k}": v for k, v in run["params"].items()})
            row["date"] = f"2025-{step:02d}"
            row["step"] = step
            row.update(response(run["params"], run["replication"], step))
            if rid in empty_assembly:
                row["assembly_response_rate"] = None
            rows.append(row)
        pd.DataFrame(rows).to_parquet(root / "parts" / f"run-{rid:06d}.parquet", index=False)
    return root


@pytest.fixture
def grid_dir(tmp_path):
    # run 5 (point 1, replication 2) fails
    return make_results(tmp_path / "grid", "grid", [{A: 0.0}, {A: 1.0}], fail=(5,))


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory):
    x = sobol_sample.sample(SALIB_PROBLEM, 8, calc_second_order=False, seed=1)
    points = [{A: float(a), B: float(b)} for a, b in x]
    root = tmp_path_factory.mktemp("sobol") / "res"
    return make_results(
        root, "sobol", points, replications=2, keep="final", problem=PROBLEM, design_matrix=x
    )


@pytest.fixture(scope="module")
def morris_dir(tmp_path_factory):
    x = morris_sample.sample(SALIB_PROBLEM, 6, num_levels=4, seed=1)
    points = [{A: float(a), B: float(b)} for a, b in x]
    root = tmp_path_factory.mktemp("morris") / "res"
    return make_results(
        root, "morris", points, replications=2, keep="final", problem=PROBLEM, design_matrix=x
    )


# ---------------------------------------------------------------------------- loading
def test_load_results_returns_every_row(grid_dir):
    (grid_dir / "parts" / "run-000099.parquet.tmp").write_bytes(b"half-written")
    df = load_results(grid_dir)
    assert len(df) == 5 * MONTHS  # 6 runs planned, 1 failed
    assert sorted(df["run_id"].unique()) == [0, 1, 2, 3, 4]
    assert list(df.columns[:6]) == [
        "run_id",
        "scenario",
        "point",
        "replication",
        "seed",
        f"param:{A}",
    ]
    # run 0 wrote the assembly indicator as an empty (null) column; it still loads as numbers
    # (pd.read_parquet of the folder fails here: it applies the first file's schema to all)
    assert pd.api.types.is_float_dtype(df["assembly_response_rate"])
    assert df.loc[df["run_id"] == 0, "assembly_response_rate"].isna().all()
    assert (df.loc[df["run_id"] == 1, "assembly_response_rate"] == 0.3).all()
    assert load_manifest(grid_dir)["experiment"]["design"] == "grid"
    assert [f["run_id"] for f in load_failures(grid_dir)] == [5]


def test_load_results_of_an_empty_sweep(tmp_path):
    root = make_results(tmp_path / "r", "grid", [{A: 0.0}], replications=1, fail=(0,))
    assert load_results(root).empty
    report = write_report(root)
    assert "0 finished" in report.read_text()


# ---------------------------------------------------------------------------- tables
def test_final_values_takes_the_last_month(grid_dir):
    final = final_values(load_results(grid_dir))
    assert len(final) == 5
    assert (final["step"] == MONTHS).all()


def test_summary_table(grid_dir):
    table = summary_table(load_results(grid_dir))
    assert list(table.columns) == [
        "scenario",
        "point",
        f"param:{A}",
        "indicator",
        "n",
        "mean",
        "sd",
        "q05",
        "q95",
    ]
    assert "step" not in set(table["indicator"]) and "seed" not in set(table["indicator"])
    row = table[(table["point"] == 0) & (table["indicator"] == "engaged_share")].iloc[0]
    expected = [response({A: 0.0}, r, MONTHS)["engaged_share"] for r in range(3)]
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(np.mean(expected))
    assert row["sd"] == pytest.approx(np.std(expected, ddof=1))
    assert row["q05"] <= row["mean"] <= row["q95"]
    # point 1 lost replication 2 to the failure
    assert (
        table.loc[(table["point"] == 1) & (table["indicator"] == "engaged_share"), "n"].item() == 2
    )


def test_differences_are_paired_by_replication(grid_dir):
    table = differences_from_baseline(load_results(grid_dir))
    row = table[table["indicator"] == "engaged_share"].iloc[0]
    assert (row["scenario"], row["point"], row["reference_point"]) == ("baseline", 1, 0)
    assert row["n"] == 2
    # the replication noise cancels in the pairs: the interval has no width
    assert row["mean"] == pytest.approx(0.3)
    assert row["q05"] == pytest.approx(0.3) and row["q95"] == pytest.approx(0.3)
    assert row["ci95_low"] == pytest.approx(0.3) and row["ci95_high"] == pytest.approx(0.3)
    assert set(table["point"]) == {1}  # the reference itself is left out


def test_differences_carry_a_t_interval_of_the_mean(tmp_path):
    # paired differences 0.1, 0.2, 0.6: mean 0.3, sd 0.2646; t(0.975, 2) = 4.3027
    finals = [0.1, 0.2, 0.6]
    rows = [
        {
            "run_id": 2 * r + p,
            "scenario": "baseline",
            "point": p,
            "replication": r,
            "step": 1,
            "engaged_share": 0.2 + (finals[r] if p == 1 else 0.0),
        }
        for r in range(3)
        for p in (0, 1)
    ]
    table = differences_from_baseline(pd.DataFrame(rows))
    row = table[table["indicator"] == "engaged_share"].iloc[0]
    half = 4.302652729911275 * np.std(finals, ddof=1) / np.sqrt(3)
    assert row["n"] == 3 and row["mean"] == pytest.approx(0.3)
    assert row["sd"] == pytest.approx(np.std(finals, ddof=1))
    assert (row["ci95_low"], row["ci95_high"]) == pytest.approx((0.3 - half, 0.3 + half))
    # with one pair there is no interval at all
    one = differences_from_baseline(pd.DataFrame(rows[:2]))
    assert one["ci95_low"].isna().all() and one["ci95_high"].isna().all()


def test_differences_reference_the_baseline_scenario(tmp_path):
    root = make_results(
        tmp_path / "r",
        "grid",
        [{A: 0.0}, {A: 1.0}],
        scenarios=("austerity", "baseline"),
        replications=2,
    )
    df = load_results(root)
    table = differences_from_baseline(df)
    assert set(table["reference_scenario"]) == {"baseline"}
    assert len(table.drop_duplicates(["scenario", "point"])) == 3
    same_point = differences_from_baseline(df, baseline_point=None)
    assert set(same_point["scenario"]) == {"austerity"}
    assert (same_point["point"] == same_point["reference_point"]).all()
    assert same_point["mean"].abs().max() == pytest.approx(0.0)


# ---------------------------------------------------------------------------- sensitivity
def test_sobol_indices_rank_the_dominant_parameter_first(sobol_dir):
    df, manifest = load_results(sobol_dir), load_manifest(sobol_dir)
    table = sensitivity(df, manifest, "engaged_share")
    assert {"parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    s1 = table.set_index("parameter")["S1"]
    assert s1[A] > s1[B]
    assert s1[A] > 0.8
    assert isinstance(sensitivity_chart(table), Figure)


def test_sobol_second_order_sample_is_recognised(tmp_path):
    x = sobol_sample.sample(SALIB_PROBLEM, 8, calc_second_order=True, seed=2)
    points = [{A: float(a), B: float(b)} for a, b in x]
    root = make_results(
        tmp_path / "r",
        "sobol",
        points,
        replications=1,
        keep="final",
        problem=PROBLEM,
        design_matrix=x,
    )
    table = sensitivity(load_results(root), load_manifest(root), "trust_mean")
    s1 = table.set_index("parameter")["S1"]
    assert s1[A] > s1[B]


def test_morris_mu_star_ranks_the_dominant_parameter_first(morris_dir):
    df, manifest = load_results(morris_dir), load_manifest(morris_dir)
    table = sensitivity(df, manifest, "engaged_share")
    assert {"parameter", "mu_star", "mu_star_conf", "sigma"} <= set(table.columns)
    mu = table.set_index("parameter")["mu_star"]
    assert mu[A] > mu[B] > 0
    assert isinstance(sensitivity_chart(table), Figure)


def test_sensitivity_rejects_other_designs_and_missing_points(grid_dir, sobol_dir, tmp_path):
    with pytest.raises(ValueError, match="sobol' or 'morris"):
        sensitivity(load_results(grid_dir), load_manifest(grid_dir), "engaged_share")
    df = load_results(sobol_dir)
    with pytest.raises(ValueError, match="design points have no finished run"):
        sensitivity(df[df["point"] != 3], load_manifest(sobol_dir), "engaged_share")
    with pytest.raises(ValueError, match="not in the results"):
        sensitivity(df, load_manifest(sobol_dir), "no_such_indicator")


# ---------------------------------------------------------------------------- figures
def test_figures(grid_dir, sobol_dir):
    df = load_results(grid_dir)
    assert isinstance(fan_chart(df, "engaged_share"), Figure)
    assert isinstance(gradient_chart(df), Figure)
    final_only = load_results(sobol_dir)
    # 32 design points: pooled into one group per scenario
    assert isinstance(gradient_chart(final_only), Figure)
    with pytest.raises(ValueError, match="monthly series"):
        fan_chart(final_only, "engaged_share")


# ---------------------------------------------------------------------------- report
def _links(report: Path) -> set[str]:
    return set(re.findall(r"\]\(([^)]+)\)", report.read_text()))


SUMMARY_COLUMNS = ["scenario", "point", "indicator", "n", "mean", "sd", "q05", "q95"]
DIFF_COLUMNS = [
    "scenario",
    "point",
    "indicator",
    "reference_scenario",
    "reference_point",
    "n",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "q05",
    "q95",
]


def _check_common(out: Path, params: list[str]) -> None:
    summary = pd.read_csv(out / "summary.csv")
    assert set(SUMMARY_COLUMNS) | {f"param:{p}" for p in params} == set(summary.columns)
    diffs = pd.read_csv(out / "differences.csv")
    assert set(DIFF_COLUMNS) | {f"param:{p}" for p in params} == set(diffs.columns)
    assert len(pd.read_parquet(out / "summary.parquet")) == len(summary)
    assert len(pd.read_parquet(out / "differences.parquet")) == len(diffs)


def test_report_of_a_grid_sweep(grid_dir):
    report = write_report(grid_dir)
    out = grid_dir / "analysis"
    assert report == out / "report.md"
    expected = [
        "summary.csv",
        "summary.parquet",
        "differences.csv",
        "differences.parquet",
        "gradient.png",
        "gradient.svg",
        "report.md",
    ]
    expected += [
        f"fan_{i}.{ext}"
        for i in ("engaged_share", "trust_mean", "climate_progress")
        for ext in ("png", "svg")
    ]
    for name in expected:
        assert (out / name).is_file(), name
    assert not list(out.glob("sensitivity_*"))
    assert not list(out.glob("conclusions_by_rule*"))  # no rule varies
    _check_common(out, [A])
    text = report.read_text()
    assert "test-grid" in text and "**grid**" in text
    assert "6 planned, **5 finished**, **1 failed**" in text
    assert "| 5 | baseline | 1 | 2 |" in text  # the failed run, with its place in the design
    assert "ValueError: synthetic \\| failure" in text
    links = _links(report)
    assert {"summary.csv", "differences.csv", "fan_engaged_share.png", "gradient.svg"} <= links
    for link in links:
        assert (out / link).is_file(), link


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_report_of_a_sensitivity_sweep(design, sobol_dir, morris_dir, tmp_path):
    root = sobol_dir if design == "sobol" else morris_dir
    out = tmp_path / "elsewhere"
    report = write_report(root, out_dir=out)
    assert report == out / "report.md"
    columns = (
        ["S1", "S1_conf", "ST", "ST_conf"]
        if design == "sobol"
        else ["mu_star", "mu_star_conf", "sigma"]
    )
    for ind in ("engaged_share", "engaged_share_edu_low", "trust_mean", "climate_progress"):
        for ext in ("csv", "parquet", "png", "svg"):
            assert (out / f"sensitivity_{ind}.{ext}").is_file(), (ind, ext)
        table = pd.read_csv(out / f"sensitivity_{ind}.csv")
        assert {"scenario", "indicator", "parameter", *columns} <= set(table.columns)
        assert list(table["parameter"]) == [A, B]
    assert (out / "gradient.png").is_file()
    assert not list(out.glob("fan_*"))  # final values only
    _check_common(out, [A, B])
    text = report.read_text()
    assert f"**{design}**" in text and "keep = 'final'" in text
    assert "## Failed runs" in text and "None." in text
    for link in _links(report):
        assert (out / link).is_file(), link


# ---------------------------------------------------------------------------- rule variants
RULE_COLUMNS = [
    "scenario",
    "parameter",
    "low",
    "high",
    "indicator",
    "variant",
    "param:rules.joining",
    "n",
    "effect",
    "q05",
    "q95",
    "verdict",
    "spread",
]


def test_conclusions_by_rule_are_paired_by_replication(tmp_path):
    # synthetic: the response ignores the rule, so the effect of A is the same under both
    points = [{A: a, "rules.joining": j} for a in (0.0, 1.0) for j in ("logistic", "threshold")]
    root = make_results(tmp_path / "r", "grid", points, keep="final")
    table = conclusions_by_rule(load_results(root), load_manifest(root))
    assert list(table.columns) == RULE_COLUMNS
    assert len(table) == len(RULE_INDICATORS) * 2
    assert set(table["parameter"]) == {A}
    by_ind = table.groupby("indicator")
    for ind, effect in [
        ("engaged_share", 0.3),
        ("engaged_share_edu_low", 0.18),
        ("engaged_share_edu_high", 0.42),
        ("engaged_share_edu_gap", 0.24),
        ("trust_mean", 0.2),
    ]:
        g = by_ind.get_group(ind)
        assert g["effect"].to_numpy() == pytest.approx([effect, effect])
        # the replication noise cancels in the pairs: no width, and the same in both variants
        assert g["q05"].to_numpy() == pytest.approx(g["q95"].to_numpy())
        assert (g["n"] == 3).all() and (g["verdict"] == "robust").all()
        assert g["spread"].to_numpy() == pytest.approx([0.0, 0.0])
    assert list(table["variant"].unique()) == ["joining=logistic", "joining=threshold"]


def _hand_made(effects: dict[str, list[tuple[float, float, float]]]) -> pd.DataFrame:
    rows = []
    for ind, per_variant in effects.items():
        for variant, (effect, q05, q95) in zip(("logistic", "threshold"), per_variant, strict=True):
            rows.append(
                {
                    "scenario": "baseline",
                    "parameter": "levers.participation.timing",
                    "low": "late",
                    "high": "early",
                    "indicator": ind,
                    "variant": f"joining={variant}",
                    "n": 5,
                    "effect": effect,
                    "q05": q05,
                    "q95": q95,
                }
            )
    return pd.DataFrame(rows)


def test_rule_verdicts_on_known_effects():
    table = _hand_made(
        {
            "engaged_share": [(0.04, 0.02, 0.06), (0.01, 0.005, 0.02)],  # robust
            "engaged_share_edu_low": [(0.041, 0.02, 0.063), (0.003, -0.012, 0.019)],  # depends
            "engaged_share_edu_high": [(0.03, 0.01, 0.05), (-0.02, -0.03, -0.01)],  # flips
            "trust_mean": [(0.001, -0.002, 0.004), (-0.001, -0.003, 0.001)],  # no effect
        }
    )
    out = rule_verdicts(table)
    verdicts = out.groupby("indicator", sort=False)["verdict"].agg(set).to_dict()
    assert verdicts == {
        "engaged_share": {"robust"},
        "engaged_share_edu_low": {"depends on rule"},
        "engaged_share_edu_high": {"depends on rule"},
        "trust_mean": {"no clear effect"},
    }
    assert set(out["verdict"]) <= set(VERDICTS)
    spread = out.groupby("indicator", sort=False)["spread"].first()
    assert spread["engaged_share"] == pytest.approx(0.03)
    assert spread["engaged_share_edu_high"] == pytest.approx(0.05)
    sentences = conclusion_sentences(out)
    assert sentences[0].startswith(
        "Early participation (instead of late) raises overall engagement under every rule"
    )
    assert sentences[1] == (
        "Early participation (instead of late) raises engagement of the low-education tier "
        "under joining=logistic (+4.1 pp [2.0, 6.3]) but not under joining=threshold "
        "(+0.3 pp [-1.2, 1.9])."
    )
    assert "but lowers it under joining=threshold (-2.0 pp [-3.0, -1.0])" in sentences[2]
    assert "has no clear effect on mean trust under any rule variant" in sentences[3]
    assert isinstance(rule_effects_chart(out), Figure)


def test_a_sweep_over_a_rule_variant_reports_conclusions_by_rule(tmp_path):
    exp = tmp_path / "rules.toml"
    exp.write_text(
        'scenarios = ["baseline"]\ndesign = "grid"\nreplications = 2\nmonths = 4\n'
        'citizens = 200\nseed = 7\nkeep = "final"\n'
        '[parameters."levers.infrastructure.volunteer_agency_eur"]\n'
        "values = [300000, 1200000]\n"
        '[parameters."rules.joining"]\nvalues = ["logistic", "threshold"]\n',
        encoding="utf-8",
    )
    res = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(res), "--workers", "2", "--quiet"]) == 0
    assert main(["analyze", str(res)]) == 0
    out = res / "analysis"
    for ext in ("csv", "parquet", "png", "svg"):
        assert (out / f"conclusions_by_rule.{ext}").is_file(), ext
    table = pd.read_csv(out / "conclusions_by_rule.csv")
    assert list(table.columns) == RULE_COLUMNS
    assert len(pd.read_parquet(out / "conclusions_by_rule.parquet")) == len(table)
    keys = ["parameter", "indicator", "variant"]
    assert not table.duplicated(keys).any()
    assert len(table) == len(RULE_INDICATORS) * 2
    assert set(table["parameter"]) == {"levers.infrastructure.volunteer_agency_eur"}
    assert set(table["variant"]) == {"joining=logistic", "joining=threshold"}
    assert set(table["verdict"]) <= set(VERDICTS)
    assert (table["n"] == 2).all()
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "## Structural uncertainty" in text
    assert "joining=logistic (" in text and "joining=threshold (" in text
    assert "Raising `volunteer_agency_eur` from 300,000 to 1,200,000" in text
    for link in _links(out / "report.md"):
        assert (out / link).is_file(), link


def test_verdicts_need_enough_pairs_and_every_variant():
    """A range from fewer than MIN_PAIRS replications supports no sign; a variant without
    pairs makes the verdict 'incomplete'."""
    from model.studies.analysis import MIN_PAIRS, rule_verdicts

    def table(n_second: int, q_second: tuple[float, float]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "parameter": ["p", "p"],
                "indicator": ["engaged_share", "engaged_share"],
                "variant": ["a", "b"],
                "effect": [0.02, sum(q_second) / 2],
                "q05": [0.01, q_second[0]],
                "q95": [0.03, q_second[1]],
                "n": [5, n_second],
            }
        )

    assert set(rule_verdicts(table(5, (0.01, 0.02)))["verdict"]) == {"robust"}
    few = rule_verdicts(table(MIN_PAIRS - 1, (0.01, 0.02)))
    assert set(few["verdict"]) == {"depends on rule"}  # b's range is too thin to count
    assert set(rule_verdicts(table(0, (float("nan"), float("nan"))))["verdict"]) == {"incomplete"}


def test_a_report_without_figures_says_so_under_its_heading(tmp_path):
    root = make_results(tmp_path / "r", "grid", [{A: 0.0}, {A: 1.0}], keep="final")
    for part in (root / "parts").glob("*.parquet"):  # as if indicators left them out
        df = pd.read_parquet(part)
        df.drop(columns=[c for c in df if c.startswith("engaged_share_edu")]).to_parquet(part)
    text = write_report(root).read_text()
    assert "## Figures\n\nNo figures for these results (see the notes below)." in text
    assert "Only final values were kept" in text and "No education gradient chart" in text
