"""Experiment files are validated like scenarios: a JSON Schema for editors, and one line
naming file, key, given value and what is allowed for every mistake (exit status 2)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from model.interface.cli import main
from model.studies.experiment import Experiment, Parameter, load_experiment

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))
SCHEMA = ROOT / "experiments" / "experiment.schema.json"

TWO_RANGES = (
    '[parameters."behaviour.join_asked"]\nrange = [1.5, 4.0]\n'
    '[parameters."behaviour.open_lapse"]\nrange = [0.02, 0.05]\n'
)


def _write(tmp_path: Path, text: str, name="exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path: Path, capsys, ref: str) -> str:
    """Run `coprod sweep` on a bad experiment: exit 2, one line, nothing written."""
    out = tmp_path / "never"
    assert main(["sweep", ref, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "Warning" not in err and "site-packages" not in err, err
    assert not out.exists()
    return err


# ---------------------------------------------------------------------- the schema


def test_committed_schema_is_what_the_command_writes(tmp_path, capsys):
    out = tmp_path / "experiment.schema.json"
    assert main(["schema", "--experiment", "--out", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["title"] == "coprod experiment"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(Experiment.model_fields)
    regenerate = "uv run coprod schema --experiment --out experiments/experiment.schema.json"
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == schema, f"regenerate: {regenerate}"
    # without --experiment the command still writes the scenario schema
    capsys.readouterr()
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "coprod scenario"


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_shipped_experiments_validate_against_the_schema(path):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(raw)
    load_experiment(path)  # and the loader's own checks


def test_the_schema_refuses_what_the_loader_refuses():
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert validator.is_valid({"indicators": ["engaged_share"], "design": "sobol"})
    assert not validator.is_valid({"indicators": ["nonsense"]})
    assert not validator.is_valid({"parameters": {"behaviour.join_asked": {"stepz": 3}}})


# ---------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    "text,expected",
    [
        (  # an indicator the model does not record
            'indicators = ["engaged_share", "nonsense"]\n',
            ["indicators[1]: given 'nonsense'", "'engaged_share'", "'trust_mean'"],
        ),
        (  # the mean of a normal distribution outside its range
            'design = "lhs"\n[parameters."behaviour.join_asked"]\nrange = [1.5, 4]\n'
            'distribution = "normal"\nmean = 100\nsd = 1\n',
            ["parameters.behaviour.join_asked.mean: given 100.0", "inside the range, 1.5 to 4"],
        ),
        (
            'design = "lhs"\n[parameters."behaviour.join_asked"]\nrange = [1.5, 4]\n'
            'distribution = "normal"\nmean = 2\nsd = 0\n',
            ["parameters.behaviour.join_asked.sd: given 0", "more than 0"],
        ),
        (
            'design = "lhs"\n[parameters."behaviour.join_asked"]\nrange = [1.5, 4]\n'
            'distribution = "triangular"\nmode = 9\n',
            ["parameters.behaviour.join_asked.mode: given 9.0", "inside the range"],
        ),
        (  # a shape parameter without its distribution is not silently ignored
            'design = "lhs"\n[parameters."behaviour.join_asked"]\nrange = [1.5, 4]\nmean = 2\n',
            ["parameters.behaviour.join_asked.mean: given 2.0", "distribution = 'normal'"],
        ),
        (  # Saltelli's scheme: N must be a power of 2
            f'design = "sobol"\nsamples = 10\n{TWO_RANGES}',
            ["samples: given 10", "power of 2", "8 or 16"],
        ),
        (  # checks across keys name the key and the value given there
            '[parameters."behaviour.join_asked"]\nrange = [1.5, 4.0]\n',
            ["parameters.behaviour.join_asked.steps: given 'nothing'", "[1.5, 4.0]"],
        ),
        (
            'design = "sobol"\nsamples = 4\n[parameters."levers.leadership.style"]\n'
            'values = ["annual_praise"]\n[parameters."behaviour.join_asked"]\nrange = [1, 2]\n',
            ["parameters.levers.leadership.style.values: given ['annual_praise']", "range"],
        ),
        (
            'design = "morris"\n[parameters."behaviour.join_asked"]\nrange = [1, 2]\n',
            ["parameters: given ['behaviour.join_asked']", "at least two"],
        ),
        (
            'design = "morris"\n' + TWO_RANGES + 'distribution = "triangular"\nmode = 0.03\n',
            ["parameters.behaviour.open_lapse.distribution: given 'triangular'", "'uniform'"],
        ),
        (
            'samples = 0\ndesign = "lhs"\n',
            ["samples: given 0", "a whole number at least 1 and at most 100,000"],
        ),
        (  # pydantic's own wording ("Input should be ...") does not reach the user
            'replications = "two"\n',
            ["replications: given 'two'", "allowed: a whole number at least 1"],
        ),
        ("scenarios = []\n", ["scenarios: given []", "a list of at least 1 item"]),
        ('scenarios = "baseline"\n', ["scenarios: given 'baseline'", "a list in brackets"]),
    ],
)
def test_bad_experiments_name_key_given_and_allowed(tmp_path, capsys, text, expected):
    exp = _write(tmp_path, text)
    err = _refused(tmp_path, capsys, str(exp))
    assert err.startswith(f"error: {exp}: ")
    assert "'parameters': {" not in err and "'name': 'exp'" not in err  # not the raw file
    for needle in expected:
        assert needle in err, err


def test_a_misspelt_key_in_a_parameter_lists_every_key_a_parameter_takes(tmp_path, capsys):
    exp = _write(tmp_path, '[parameters."behaviour.join_asked"]\nrange = [1, 4]\nstepz = 3\n')
    err = _refused(tmp_path, capsys, str(exp))
    assert "parameters.behaviour.join_asked.stepz: given 'stepz'" in err
    allowed = err.split("allowed: ")[1]
    assert all(name in allowed for name in Parameter.model_fields), err
    assert {"distribution", "mean", "sd", "mode"} <= set(Parameter.model_fields)


@pytest.mark.parametrize(
    "parameters",
    ['[parameters."levers.participation.timing"]\nvalues = ["late"]\n', ""],
    ids=["with a parameter", "without parameters"],
)
def test_months_too_short_for_a_scenarios_timeline_blame_months(tmp_path, capsys, parameters):
    # austerity cuts budgets in 2031-01, month 61 of a run starting 2026-01
    exp = _write(tmp_path, f'scenarios = ["austerity"]\nmonths = 60\n{parameters}')
    err = _refused(tmp_path, capsys, str(exp))
    assert f"{exp}: months: given 60; allowed: at least 61 months" in err
    assert "scenario 'austerity': timeline[0].date: given '2031-01'" in err
    assert "parameters." not in err
    load_experiment(_write(tmp_path, f'scenarios = ["austerity"]\nmonths = 61\n{parameters}'))


def test_a_varied_run_length_replaces_the_experiments_months(tmp_path, capsys):
    text = 'scenarios = ["austerity"]\nmonths = 6\n[parameters."run.months"]\nvalues = [%s]\n'
    load_experiment(_write(tmp_path, text % "70, 120"))  # every run reaches 2031-01
    err = _refused(tmp_path, capsys, str(_write(tmp_path, text % "6, 120")))
    assert "parameters.run.months: given 6" in err  # here the parameter is at fault


def test_an_unknown_scenario_lists_the_known_ones(tmp_path, capsys):
    err = _refused(tmp_path, capsys, str(_write(tmp_path, 'scenarios = ["ghost"]\n')))
    assert "scenarios: given 'ghost'" in err and "baseline" in err and "austerity" in err


@pytest.mark.parametrize("ref", ["nonexistent/exp.toml", "nosuchexp"])
def test_a_missing_experiment_file_lists_the_shipped_experiments(
    tmp_path, capsys, monkeypatch, ref
):
    monkeypatch.chdir(tmp_path)  # the path does not exist under this temporary folder
    err = _refused(tmp_path, capsys, ref)
    assert "an existing experiment file" in err and "scenario file" not in err
    assert f"given '{ref}'" in err
    assert all(p.stem in err for p in EXPERIMENTS)


def test_an_empty_experiment_file_is_refused_as_an_experiment(tmp_path, capsys):
    err = _refused(tmp_path, capsys, str(_write(tmp_path, "")))
    assert "empty file" in err and "experiment" in err.split("allowed: ")[1]


def test_check_validates_experiment_files_as_experiments(tmp_path, capsys):
    assert main(["check", "levers", str(ROOT / "experiments" / "sensitivity.toml")]) == 0
    out = capsys.readouterr().out
    assert "experiment levers: grid design, 8 points x 20 replications x 1 scenario = 160" in out
    assert "experiment sensitivity: sobol design" in out
    # a bad experiment is explained as an experiment, not as a scenario with unknown keys
    exp = _write(tmp_path, 'design = "grid"\nreplications = 0\n')
    assert main(["check", str(exp)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"error: {exp}: replications: given 0; allowed: a whole number at least 1 and at most "
        "10,000"
    )
