"""Stopping a sweep: Ctrl-C (SIGINT, sent to the whole process group as a terminal does) or
SIGTERM (to the sweep alone, as ``kill`` does) ends it within seconds, with status 130 or 143,
one line on stderr with the command that resumes it, no traceback (from the sweep or from its
workers), no run in flight recorded as failed and no process left behind; that command then
finishes the sweep with every run exactly once. On both local backends. Also what the
results record about the code that made them: git commit, uncommitted changes, code hash."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from model.interface.cli import main
from model.studies import provenance

ROOT = Path(__file__).resolve().parent.parent

# 24 short runs: the sweep is still going when its first part appears (about two seconds of
# runs on two workers), and the resume that follows is quick
MONTHS = 24
RUNS = 24
EXPERIMENT = f"""
scenarios = ["baseline"]
design = "grid"
replications = {RUNS // 2}
months = {MONTHS}
citizens = 2000
seed = 7
[parameters."levers.participation.timing"]
values = ["late", "early"]
"""


def _parts(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("run-*.parquet")) if (out / "parts").is_dir() else []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
@pytest.mark.parametrize(
    "signum,backend",
    [
        (signal.SIGINT, "local"),
        (signal.SIGTERM, "local"),
        (signal.SIGINT, "dask"),
        (signal.SIGTERM, "dask"),
    ],
    ids=["sigint-local", "sigterm-local", "sigint-dask", "sigterm-dask"],
)
def test_a_signal_stops_the_sweep_at_once_and_resume_finishes_it(tmp_path, signum, backend):
    exp = tmp_path / "exp.toml"
    exp.write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "res"
    cmd = [sys.executable, "-m", "model.interface.cli", "sweep", str(exp), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--backend", backend, "--quiet"],
        cwd=ROOT,
        start_new_session=True,  # its own process group: a terminal's Ctrl-C reaches it all
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _parts(out):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no part was written"
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before it could be stopped"
        sent = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)  # Ctrl-C in a terminal: the sweep and its workers
        else:
            os.kill(proc.pid, signum)  # kill PID: the sweep alone
        _, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert took < 10
    assert proc.returncode == 128 + signum  # 130, 143
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"stopped ({signal.Signals(signum).name})")
    deadline = time.monotonic() + 5
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(proc.pid), "workers outlived the stopped sweep"
    done = len(_parts(out))
    assert 1 <= done < RUNS, "the sweep must be stopped in the middle"
    assert not list((out / "failures").glob("*.json")), "a run in flight was recorded as failed"

    # the line's own command finishes the sweep
    resume = shlex.split(lines[0].split("to finish the sweep: ", 1)[1])
    assert resume[:4] == ["uv", "run", "coprod", "sweep"] and resume[-1] == "--resume"
    assert resume[resume.index("--out") + 1] == str(out)
    assert ("--backend" in resume) == (backend == "dask")
    assert main(resume[3:]) == 0
    df = pd.read_parquet(out / "parts")
    per_run = df.groupby("run_id")["step"].agg(["count", "min", "max"])
    assert sorted(per_run.index) == list(range(RUNS))  # every run, once ...
    assert (per_run["count"] == MONTHS).all() and (per_run["min"] == 1).all()  # ... and whole
    assert len(_parts(out)) == RUNS
    assert not list((out / "parts").glob(".*.tmp"))
    assert not list((out / "failures").glob("*.json"))


def test_the_manifest_records_the_code_and_uncommitted_changes(tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text(
        EXPERIMENT.replace(f"replications = {RUNS // 2}", "replications = 1"), encoding="utf-8"
    )
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["code_hash"] == provenance.code_hash()
    assert manifest["dirty"] == provenance.git_dirty()
    assert manifest["git_commit"] == provenance.git_commit()
    if (ROOT / ".git").exists():  # a checkout (a worktree's .git is a file)
        assert isinstance(manifest["dirty"], bool)
        assert re.fullmatch(r"[0-9a-f]{40}", manifest["git_commit"])
    # the report says so too
    from model.studies.analysis import write_report

    manifest["dirty"] = True
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = write_report(out).read_text(encoding="utf-8")
    assert f"git commit `{manifest['git_commit'] or 'unknown'}` with uncommitted changes" in report


def test_a_runs_summary_records_the_git_commit(tmp_path):
    out = tmp_path / "run"
    args = ["run", "baseline", "--citizens", "200", "--months", "2", "--out", str(out)]
    assert main([*args, "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["git_commit"] == provenance.git_commit()
    assert summary["dirty"] == provenance.git_dirty()
    assert summary["code_hash"] == provenance.code_hash()
    if (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", summary["git_commit"])


def test_dirty_tells_an_edited_tree_from_a_clean_one_and_none_outside_git(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "model").mkdir(parents=True)
    monkeypatch.setattr(provenance, "PACKAGE", repo / "model")
    assert provenance.git_dirty() is None and provenance.git_commit() is None  # no checkout
    rule = repo / "model" / "rule.py"
    rule.write_text("X = 1\n", encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    assert provenance.git_dirty() is False and provenance.git_commit()
    rule.write_text("X = 2\n", encoding="utf-8")
    assert provenance.git_dirty() is True
