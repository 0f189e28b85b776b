"""The benchmark scripts keep working (their figures are not checked here: timings belong in
benchmarks/results, not in assertions), and their statistics say what they claim."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import sweep_speed  # noqa: E402


def test_the_median_interval_holds_the_median_and_narrows_with_more_rounds():
    rounds = [0.02, 0.19, 0.05, -0.03, 0.43, 0.07, 0.12, -0.10, 0.31, 0.08]
    low, high = sweep_speed.median_interval(rounds)
    assert low <= statistics.median(rounds) <= high
    assert min(rounds) <= low < high <= max(rounds)
    wider = high - low
    low4, high4 = sweep_speed.median_interval(rounds * 4)  # same scatter, four times the rounds
    assert high4 - low4 < wider
    assert sweep_speed.median_interval(rounds) == [low, high]  # fixed seed: reproducible


def test_identical_rounds_give_a_point_interval():
    assert sweep_speed.median_interval([0.1] * 7) == [0.1, 0.1]


def test_dask_startup_benchmark_runs_and_writes_its_tables(tmp_path):
    proc = subprocess.run(
        [sys.executable, "benchmarks/dask_startup.py", "--repeat", "1", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "dask_startup.json").read_text())
    for backend in ("local", "dask"):
        assert set(report["seconds"][backend]) == {"warm_up", "import", "start", "stop"}
        assert all(len(v) == 1 and v[0] >= 0 for v in report["seconds"][backend].values())
    assert report["seconds"]["local"]["import"][0] < 0.01  # local imports nothing of Dask
    assert report["seconds"]["dask"]["start"][0] > 0
    md = (tmp_path / "dask_startup.md").read_text()
    assert "| import |" in md and "embedded Dask cluster" in md
