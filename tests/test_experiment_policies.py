"""Experiments that separate levers (policies) from uncertainties (states of the world):
every policy runs in the same states, and every mistake is one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.interface.cli import main
from model.studies.experiment import load_experiment

POLICIES = """
question = "Which policy is robust?"
scenarios = ["baseline"]
design = "lhs"
samples = 3
replications = 2
months = 12
citizens = 300
[levers."levers.participation.timing"]
values = ["late", "early"]
[levers."levers.infrastructure.volunteer_agency_eur"]
values = [300000, 1200000]
[uncertainties."behaviour.join_asked"]
range = [1.5, 3.0]
[uncertainties."rules.joining"]
values = ["logistic", "threshold"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policies.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_policy_runs_in_the_same_states_of_the_world(tmp_path):
    exp, _, _ = load_experiment(_write(tmp_path, POLICIES))
    points = exp.points()
    assert len(points) == 4 * 3  # 2 x 2 policies, 3 lhs states
    levers = list(exp.levers)
    uncertain = list(exp.uncertainties)
    policies = {tuple(p[k] for k in levers) for p in points}
    assert len(policies) == 4
    states_of = {
        policy: [
            tuple(p[k] for k in uncertain) for p in points if tuple(p[k] for k in levers) == policy
        ]
        for policy in policies
    }
    first = next(iter(states_of.values()))
    assert len(set(first)) == 3
    assert all(states == first for states in states_of.values())
    assert all(1.5 <= p["behaviour.join_asked"] <= 3.0 for p in points)
    assert len(exp.runs()) == 12 * 2


def test_a_grid_of_uncertainties_crosses_every_policy_with_every_state(tmp_path):
    text = POLICIES.replace('design = "lhs"', 'design = "grid"').replace(
        "range = [1.5, 3.0]", "range = [1.5, 3.0]\nsteps = 3"
    )
    exp, _, _ = load_experiment(_write(tmp_path, text))
    assert len(exp.points()) == 4 * 3 * 2


@pytest.mark.parametrize(
    ("change", "key", "allowed"),
    [
        (
            lambda t: t + '[parameters."behaviour.open_lapse"]\nvalues = [0.02]\n',
            "parameters",
            "no 'parameters' beside 'levers' and 'uncertainties'",
        ),
        (
            lambda t: t.replace('design = "lhs"', 'design = "sobol"'),
            "design",
            "'grid' or 'lhs'",
        ),
        (
            lambda t: t + '[uncertainties."levers.participation.timing"]\nvalues = ["late"]\n',
            "uncertainties",
            "keys that are not also levers",
        ),
        (
            lambda t: t.replace('design = "lhs"', 'design = "grid"'),
            "uncertainties.behaviour.join_asked.steps",
            "a whole number from 2 to 1000",
        ),
        (
            lambda t: t.replace("values = [300000, 1200000]", "values = [-5]"),
            "levers.levers.infrastructure.volunteer_agency_eur",
            "a scenario key and value",
        ),
    ],
)
def test_mistakes_are_one_line_naming_the_key(tmp_path, capsys, change, key, allowed):
    path = _write(tmp_path, change(POLICIES))
    out = tmp_path / "never"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert str(path) in err and key in err and allowed in err, err
    assert not out.exists()


def test_declared_outcomes_are_checked_and_reach_the_analysis(tmp_path, capsys):
    text = POLICIES + (
        "[derived.low_vs_migrant]\n"
        'difference = ["engaged_share_edu_low", "engaged_share_migration"]\n'
        "[derived.gap_ratio]\n"
        'ratio = ["low_vs_migrant", "education_gap"]\n'
    )
    path = _write(tmp_path, text)
    exp, _, _ = load_experiment(path)
    assert exp.derived["low_vs_migrant"].difference == [
        "engaged_share_edu_low",
        "engaged_share_migration",
    ]
    bad = _write(tmp_path, text.replace('"education_gap"]', '"education_gapp"]'))
    out = tmp_path / "never"
    assert main(["sweep", str(bad), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "derived.gap_ratio.ratio" in err and "education_gapp" in err, err
    both = _write(
        tmp_path,
        POLICIES + '[derived.x]\ndifference = ["trust_mean", "efficacy_mean"]\n'
        'ratio = ["trust_mean", "efficacy_mean"]\n',
    )
    assert main(["sweep", str(both), "--out", str(out), "--quiet"]) == 2
    assert "either 'difference' or 'ratio'" in capsys.readouterr().err
