"""Rule experiments in `coprod analyze`: the difference each rule makes against the default,
paired by seed with its 95% interval, for every indicator asked for (issue 16, item 7).

The synthetic results are written by :func:`tests.test_analysis.make_results` (the runner's
format) with a response in which the rule ``threshold`` adds a known amount, so the expected
difference and interval are known.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

import tests.test_analysis as synthetic
from model.interface.cli import main
from model.studies.analysis import load_manifest, load_results, write_report
from model.studies.analysis.answers import Options
from model.studies.analysis.rule_differences import (
    COLUMNS,
    MISSING,
    between_rules,
    default_rule,
)
from model.studies.analysis.structural import RULE_INDICATORS

RULE = "rules.joining"
A = synthetic.A
#: what the rule `threshold` adds, per indicator: the true difference from `logistic`
TRUE = {"engaged_share": 0.05, "trust_mean": -0.02}
#: per replication, so the pairs differ (an interval with a width); mean 0 over five
WOBBLE = (-0.01, 0.005, 0.0, 0.01, -0.005)
BASE = synthetic.response


def _response(params: dict, replication: int, step: int) -> dict:
    out = BASE(params, replication, step)
    if params.get(RULE) == "threshold":
        w = WOBBLE[replication % len(WOBBLE)]
        out["engaged_share"] += TRUE["engaged_share"] + w
        out["trust_mean"] += TRUE["trust_mean"] + w / 2
    return out


def _results(
    root: Path, monkeypatch, rules=("logistic", "threshold"), listed=None, replications=5
) -> Path:
    """A grid of A (two levels) x the rules, with the rule values listed in the manifest."""
    monkeypatch.setattr(synthetic, "response", _response)
    points = [{A: a, RULE: j} for a in (0.0, 1.0) for j in rules]
    out = synthetic.make_results(root, "grid", points, replications=replications, keep="final")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["experiment"]["parameters"][RULE] = {"values": list(listed or rules)}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def _row(table: pd.DataFrame, indicator: str) -> pd.Series:
    hit = table[table["indicator"] == indicator]
    assert len(hit) == 1, (indicator, hit)
    return hit.iloc[0]


def test_the_difference_between_rules_and_its_interval_cover_the_truth(tmp_path, monkeypatch):
    root = _results(tmp_path / "r", monkeypatch)
    table = between_rules(load_results(root), load_manifest(root))
    assert list(table.columns) == COLUMNS
    assert list(table["indicator"]) == list(RULE_INDICATORS)  # the default indicators
    assert set(table["reference"]) == {"logistic"} and set(table["rule"]) == {"threshold"}
    assert table["reference_is_default"].all()
    # the two levels of A give two pairs per replication: averaged, n is the replications
    assert (table["n"] == 5).all()
    for ind, truth in TRUE.items():
        r = _row(table, ind)
        assert r["difference"] == pytest.approx(truth)
        assert r["rule_mean"] - r["reference_mean"] == pytest.approx(r["difference"])
        scale = 1.0 if ind == "engaged_share" else 0.5
        half = student_t.ppf(0.975, 4) * np.std(WOBBLE, ddof=1) * scale / np.sqrt(5)
        assert r["ci95_low"] == pytest.approx(truth - half)
        assert r["ci95_high"] == pytest.approx(truth + half)
        assert r["ci95_low"] < truth < r["ci95_high"]
    assert _row(table, "engaged_share")["verdict"] == "up"
    assert _row(table, "trust_mean")["verdict"] == "down"
    # the rule does not touch the education tiers here: no difference, and no verdict of one
    low = _row(table, "engaged_share_edu_low")
    assert low["difference"] == pytest.approx(0.0)
    assert low["verdict"] == "not distinguishable from 0"


def test_fewer_than_five_pairs_give_no_verdict(tmp_path, monkeypatch):
    root = _results(tmp_path / "r", monkeypatch, replications=4)
    r = _row(between_rules(load_results(root), load_manifest(root)), "engaged_share")
    assert r["n"] == 4
    assert r["ci95_low"] > 0  # the interval alone would say "up" ...
    assert r["verdict"] == "too few runs"  # ... but four pairs are too few to read


def test_the_reference_is_the_default_rule_else_the_first_value(tmp_path, monkeypatch):
    assert default_rule("joining") == "logistic"
    # the default listed second is still the reference
    root = _results(tmp_path / "a", monkeypatch, listed=("threshold", "logistic"))
    table = between_rules(load_results(root), load_manifest(root), ("engaged_share",))
    assert (table["reference"].tolist(), table["rule"].tolist()) == (["logistic"], ["threshold"])
    # without the default, the first value listed is the reference
    root = _results(tmp_path / "b", monkeypatch, rules=("threshold", "lonely_hesitate"))
    table = between_rules(load_results(root), load_manifest(root), ("engaged_share",))
    r = table.iloc[0]
    assert (r["reference"], r["rule"], bool(r["reference_is_default"])) == (
        "threshold",
        "lonely_hesitate",
        False,
    )
    assert r["difference"] == pytest.approx(-TRUE["engaged_share"])


def test_every_indicator_asked_for_is_reported_or_named_missing(tmp_path, monkeypatch):
    root = _results(tmp_path / "r", monkeypatch)
    # migration_gap is an outcome analyze knows, but these runs have no migration indicator
    asked = ("trust_mean", "migration_gap", "education_gap", "engaged_share")
    report = write_report(root, options=Options(indicators=asked))
    out = report.parent
    table = pd.read_csv(out / "between_rules.csv")
    assert list(table["indicator"]) == list(asked)
    assert len(pd.read_parquet(out / "between_rules.parquet")) == len(table)
    missing = _row(table, "migration_gap")
    assert missing["verdict"] == MISSING and missing["n"] == 0
    assert _row(table, "education_gap")["n"] == 5  # a derived outcome is compared too
    conclusions = pd.read_csv(out / "conclusions_by_rule.csv")
    assert set(conclusions["indicator"]) == set(asked) - {"migration_gap"}
    text = report.read_text(encoding="utf-8")
    section = text[text.index("### Differences between rules") :]
    for ind in asked:
        assert f"| joining=threshold (vs logistic) | {ind} |" in section, ind
    # means over both levels of A and the replications (tests/test_analysis.py: response)
    row = "| joining=threshold (vs logistic) | engaged_share | 40.0% | 45.0% | +5.0 pp [4.0, 6.0]"
    assert row + " | 5 | up |" in text
    assert "Not in the results, so neither compared between rules nor by rule variant: " in text
    assert "`migration_gap`" in text[text.index("## Notes") :]
    for link in re.findall(r"\]\(([^)]+)\)", text):
        assert (out / link).is_file(), link


def test_a_rule_experiment_through_the_command_line(tmp_path):
    exp = tmp_path / "rules.toml"
    exp.write_text(
        'scenarios = ["baseline"]\ndesign = "grid"\nreplications = 5\nmonths = 3\n'
        'citizens = 300\nseed = 7\nkeep = "final"\n'
        '[parameters."rules.joining"]\nvalues = ["logistic", "threshold"]\n',
        encoding="utf-8",
    )
    res = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(res), "--workers", "2", "--quiet"]) == 0
    asked = "engaged_share,trust_mean,education_gap"
    assert main(["analyze", str(res), "--indicators", asked]) == 0
    out = res / "analysis"
    table = pd.read_csv(out / "between_rules.csv")
    assert list(table["indicator"]) == asked.split(",")
    assert set(table["reference"]) == {"logistic"} and set(table["rule"]) == {"threshold"}
    assert (table["n"] == 5).all()
    assert (table["ci95_low"] <= table["difference"]).all()
    assert (table["difference"] <= table["ci95_high"]).all()
    assert set(table["verdict"]) <= {"up", "down", "not distinguishable from 0"}
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "### Differences between rules" in text
    assert "| joining=threshold (vs logistic) | education_gap |" in text
    # only the rule varies: nothing to compare under each rule, and it says so
    assert "No other parameter varies" in text
    assert not list(out.glob("conclusions_by_rule*"))


def test_a_number_of_a_rule_is_a_parameter_not_a_rule_variant():
    from model.studies.analysis.structural import rule_columns

    df = pd.DataFrame(
        {
            "param:rules.joining": ["logistic", "threshold"],
            "param:rules.params.managed_retention.management_retention": [0.2, 0.4],
        }
    )
    assert rule_columns(df) == ["param:rules.joining"]
