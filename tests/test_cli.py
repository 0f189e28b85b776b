"""End-to-end tests of the command line: run, scenarios, check, schema, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.interface.cli import main
from model.simulation.indicators import INDICATORS

ROOT = Path(__file__).resolve().parent.parent


def _shipped(folder: Path) -> list[Path]:
    """The scenario files the repository ships (tracked by git): a user's own scenario in
    the tree (the tutorial's lonely.toml) is theirs, and must not make the suite fail."""
    import subprocess

    try:
        listed = subprocess.run(
            ["git", "ls-files", "*.toml"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    return sorted(folder / name for name in listed) or sorted(folder.glob("*.toml"))


SCENARIOS = _shipped(ROOT / "scenarios")


def test_run_writes_all_results(tmp_path, capsys):
    out = tmp_path / "base"
    assert (
        main(
            [
                "run",
                str(ROOT / "scenarios/baseline.toml"),
                "--citizens",
                "300",
                "--months",
                "14",
                "--seed",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "baseline" in printed and "engaged" in printed
    for name in ("timeseries.parquet", "timeseries.csv", "summary.json", "overview.png"):
        assert (out / name).stat().st_size > 0
    df = pd.read_parquet(out / "timeseries.parquet")
    assert list(df.columns) == list(INDICATORS)
    assert len(df) == 14 and df["date"].iloc[0] == "2026-01" and df["date"].iloc[-1] == "2027-02"
    csv = pd.read_csv(out / "timeseries.csv")
    assert csv["engaged_share"].round(12).tolist() == df["engaged_share"].round(12).tolist()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["scenario"] == "baseline"
    assert summary["citizens"] == 300 and summary["months"] == 14
    assert {"mesa", "numpy", "python"} <= set(summary["versions"])
    assert summary["final"]["engaged_share"] == pytest.approx(df["engaged_share"].iloc[-1])
    assert (out / "overview.png").read_bytes()[:4] == b"\x89PNG"


def test_default_seed_is_fixed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert (
            main(
                [
                    "run",
                    "baseline",
                    "--citizens",
                    "200",
                    "--months",
                    "6",
                    "--out",
                    str(out),
                    "--quiet",
                ]
            )
            == 0
        )
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "timeseries.parquet"), pd.read_parquet(b / "timeseries.parquet")
    )


def test_scenarios_lists_every_file_with_its_question(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for path in SCENARIOS:
        line = next(x for x in out.splitlines() if x.startswith(path.stem + " "))
        assert "?" in line and "invalid" not in line


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_is_valid_and_asks_a_question(path, capsys):
    assert main(["check", str(path)]) == 0
    from model.simulation.scenario.files import load_scenario

    sc = load_scenario(path)
    assert sc.question.endswith("?") and len(sc.description) > 40
    # the workshop page speaks German and English: titles, question and event labels in both
    assert sc.title and sc.title_de and sc.question_de.endswith("?")
    assert len(sc.title) <= 40 and len(sc.title_de) <= 40, "a title fits a menu"
    for item in sc.timeline:
        assert not item.label or item.label_de, f"timeline {item.date}: label_de missing"


def test_required_scenarios_exist():
    names = {p.stem for p in SCENARIOS}
    assert {
        "baseline",
        "early_participation",
        "infrastructure",
        "everyday_cooperation",
        "responsibility_community",
        "tokenism",
        "austerity",
        "climate_assembly",
    } <= names


def test_schema_is_valid_json_schema_of_scenarios(tmp_path):
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text())
    assert schema["additionalProperties"] is False
    assert {"run", "levers", "timeline", "behaviour"} <= set(schema["properties"])
    committed = json.loads((ROOT / "scenarios/scenario.schema.json").read_text())
    assert committed == schema, (
        "regenerate with: uv run coprod schema --out scenarios/scenario.schema.json"
    )


def test_console_script_runs_in_a_new_process(tmp_path):
    out = tmp_path / "o"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "model.interface.cli",
            "run",
            "scenarios/climate_assembly.toml",
            "--citizens",
            "300",
            "--months",
            "20",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(out / "timeseries.csv")
    # the assembly (March 2027 = month 15) reports response rates in that month only
    rates = df["assembly_response_rate"]
    assert rates.notna().sum() == 1 and df.loc[rates.notna(), "date"].item() == "2027-03"


# --------------------------------------------------------------------------- bad input

BAD = {
    # the place of a syntax error goes where a key would, so the message is never cut short
    "syntax": ('question = "x"\n[run\nmonths = 3\n', "line 2, column 5", "TOML syntax"),
    "unquoted": ('question = "x"\n[levers.leadership]\nstyle = cooperative\n', "line 3", "quotes"),
    "unknown_key": (
        'question = "x"\n[levers.participation]\ntiming = "late"\nspeed = 3\n',
        "levers.participation.speed",
        "keys here are",
    ),
    "wrong_type": ('[run]\nmonths = "ten"\n', "run.months", "a whole number"),
    "out_of_range": (
        "[levers.infrastructure]\nvolunteer_agency_eur = -5\n",
        "levers.infrastructure.volunteer_agency_eur",
        "from 0 to",
    ),
    "bad_enum": (
        '[levers.participation]\nrung = "shout"\n',
        "levers.participation.rung",
        "'co_design'",
    ),
    "unknown_parent": ('extends = "nowhere"\n', "extends", "one of"),
    "date_outside": (
        '[[timeline]]\ndate = "2040-01"\nlabel = "late"\n[timeline.process]\ntopic = "climate"\n',
        "timeline[0].date",
        "2026-01 to 2035-12",
    ),
    "bad_date": (
        '[[timeline]]\ndate = "March 2027"\n[timeline.process]\n',
        "timeline[0].date",
        "YYYY-MM",
    ),
    "timeline_lever": (
        '[[timeline]]\ndate = "2027-01"\n[timeline.levers.infrastructure]\noutreach_eur = "lots"\n',
        "timeline[0].levers.infrastructure.outreach_eur",
        "a number",
    ),
    "empty": ("  \n", "", "empty"),
    "shares": ("[city]\neducation_shares = [0.5, 0.5, 0.5]\n", "city.education_shares", "sum to 1"),
}


def _expect_exit_2(args, capsys, *needles):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_scenarios_exit_2_with_one_clear_line(case, tmp_path, capsys):
    text, key, allowed = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    _expect_exit_2(["check", str(path)], capsys, str(path), key, allowed, "given")
    out = tmp_path / "never"
    _expect_exit_2(["run", str(path), "--out", str(out)], capsys, str(path))
    assert not out.exists()


def test_non_utf8_file(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes('question = "Bürgerrat"\n'.encode("latin-1"))
    _expect_exit_2(["check", str(path)], capsys, str(path), "UTF-8", "0xfc")


def test_missing_file(tmp_path, capsys):
    _expect_exit_2(
        ["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")],
        capsys,
        "nope.toml",
        "existing scenario file",
    )
    assert not (tmp_path / "o").exists()


def test_circular_extension(tmp_path, capsys):
    (tmp_path / "a.toml").write_text('extends = "b"\n')
    (tmp_path / "b.toml").write_text('extends = "a"\n')
    _expect_exit_2(
        ["check", str(tmp_path / "a.toml")], capsys, "extends", "a.toml -> b.toml", "without cycles"
    )


def test_error_in_parent_names_the_parent(tmp_path, capsys):
    (tmp_path / "parent.toml").write_text("[run]\nmonths = 0\n")
    (tmp_path / "child.toml").write_text('extends = "parent"\n')
    _expect_exit_2(
        ["check", str(tmp_path / "child.toml")], capsys, "run.months", "0", "from 1 to 600"
    )


def test_out_of_range_command_line_overrides(tmp_path, capsys):
    _expect_exit_2(
        ["run", "baseline", "--citizens", "3", "--out", str(tmp_path / "o")],
        capsys,
        "run.citizens",
        "given 3",
        "at least 50" if False else "from 50",
    )
    assert not (tmp_path / "o").exists()


def test_extension_and_timeline_inheritance():
    from model.simulation.scenario.files import load_scenario

    austerity = load_scenario("austerity")
    infra = load_scenario("infrastructure")
    assert austerity.levers.infrastructure == infra.levers.infrastructure
    assert austerity.levers.participation == load_scenario("baseline").levers.participation
    assert [t.date for t in austerity.timeline] == ["2031-01"]
    assert austerity.name == "austerity" and austerity.question != infra.question
