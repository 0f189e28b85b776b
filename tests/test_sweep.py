"""End-to-end tests of experiments and sweeps: designs, backends, kill and resume, failures,
bad experiment files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from model.interface.cli import main
from model.studies.experiment import load_experiment

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, text: str, name="exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


SMALL = """
scenarios = ["baseline"]
design = "grid"
replications = 2
months = 4
citizens = 200
seed = 7
[parameters."levers.participation.timing"]
values = ["late", "early"]
"""


def _results(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "parts").sort_values(["run_id", "step"]).reset_index(drop=True)


def test_grid_sweep_writes_parts_and_manifest(tmp_path, capsys):
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["runs"]) == 4 and manifest["experiment_hash"]
    assert {"mesa", "numpy"} <= set(manifest["versions"])
    df = _results(out)
    assert sorted(df["run_id"].unique()) == [0, 1, 2, 3]
    assert set(df["param:levers.participation.timing"]) == {"late", "early"}
    # replications share their seed across points (common random numbers)
    seeds = df.groupby(["point", "replication"])["seed"].first().unstack()
    assert (seeds.loc[0] == seeds.loc[1]).all() and seeds.loc[0, 0] != seeds.loc[0, 1]


def test_one_or_two_workers_and_local_or_dask_give_identical_results(tmp_path):
    exp = _write(tmp_path, SMALL)
    frames = []
    for name, extra in [
        ("one", ["--workers", "1"]),
        ("two", ["--workers", "2"]),
        ("dask", ["--workers", "2", "--backend", "dask"]),
    ]:
        out = tmp_path / name
        assert main(["sweep", str(exp), "--out", str(out), "--quiet", *extra]) == 0
        frames.append(_results(out))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


@pytest.mark.parametrize(
    "design,params,expected",
    [
        (
            "lhs",
            'samples = 3\n[parameters."behaviour.join_asked"]\nrange = [2.0, 3.0]\n'
            '[parameters."levers.leadership.style"]\n'
            'values = ["annual_praise", "everyday_cooperation"]\n',
            3,
        ),
        (
            "sobol",
            'samples = 2\n[parameters."behaviour.join_asked"]\nrange = [2.0, 3.0]\n'
            '[parameters."behaviour.open_lapse"]\nrange = [0.02, 0.05]\n',
            2 * (2 + 2),
        ),
        (
            "morris",
            'samples = 2\n[parameters."behaviour.join_asked"]\nrange = [2.0, 3.0]\n'
            '[parameters."behaviour.open_lapse"]\nrange = [0.02, 0.05]\n',
            2 * (2 + 1),
        ),
    ],
)
def test_sampling_designs(tmp_path, design, params, expected):
    text = (
        f'scenarios = ["baseline"]\ndesign = "{design}"\nreplications = 1\nmonths = 3\n'
        f'citizens = 150\nkeep = "final"\n' + params
    )
    exp = _write(tmp_path, text)
    loaded, _, _ = load_experiment(exp)
    assert len(loaded.points()) == expected
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    df = _results(out)
    assert df["run_id"].nunique() == expected and len(df) == expected  # final values only
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["problem"]["names"][0] == "behaviour.join_asked"
    assert len(manifest["design_matrix"]) == expected
    lo, hi = 2.0, 3.0
    assert df["param:behaviour.join_asked"].between(lo, hi).all()


def test_a_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path):
    exp = _write(
        tmp_path,
        SMALL.replace("replications = 2", "replications = 30").replace("months = 4", "months = 24"),
    )
    out = tmp_path / "res"
    cmd = [
        sys.executable,
        "-m",
        "model.interface.cli",
        "sweep",
        str(exp),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    parts = out / "parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if parts.is_dir() and len(list(parts.glob("run-*.parquet"))) >= 5:
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # kill -9, workers included
    proc.wait()
    done_before = len(list(parts.glob("run-*.parquet")))
    assert 5 <= done_before < 60, "the sweep must be interrupted in the middle"
    assert (
        main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet", "--workers", "2"]) == 0
    )
    df = _results(out)
    per_run = df.groupby("run_id")["step"].agg(["count", "min", "max"])
    assert sorted(per_run.index) == list(range(60))  # every run exactly once ...
    assert (per_run["count"] == 24).all() and (per_run["min"] == 1).all()  # ... and whole
    assert not list(parts.glob(".*.tmp"))  # half-written parts of the killed runs are gone
    assert len(list(parts.glob("run-*.parquet"))) == 60


def test_resume_refuses_a_changed_experiment_and_new_sweep_refuses_a_used_folder(tmp_path, capsys):
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert main(["sweep", str(exp), "--out", str(out), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    exp.write_text(SMALL.replace("seed = 7", "seed = 8"), encoding="utf-8")
    assert main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "changed experiment file" in capsys.readouterr().err


def _fail_odd_runs(job, run):
    if run["run_id"] % 2:
        raise RuntimeError(f"broken run {run['run_id']}")
    return _REAL_RUN[0](job, run)


_REAL_RUN: list = []


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, capsys, monkeypatch):
    # worker processes are forked, so they see the patched run function
    import model.studies.sweep

    _REAL_RUN[:] = [model.studies.sweep.execute_run]
    monkeypatch.setattr(model.studies.sweep, "execute_run", _fail_odd_runs)
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]) == 1
    failures = sorted((out / "failures").glob("run-*.json"))
    assert [f.name for f in failures] == ["run-000001.json", "run-000003.json"]
    record = json.loads(failures[0].read_text())
    assert "broken run 1" in record["error"] and "Traceback" in record["traceback"]
    assert record["params"] == {"levers.participation.timing": "late"}
    assert sorted(_results(out)["run_id"].unique()) == [0, 2]
    assert "2 failed" in capsys.readouterr().out
    # once fixed, --resume runs exactly the failed runs and the sweep is whole
    monkeypatch.setattr(model.studies.sweep, "execute_run", _REAL_RUN[0])
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--resume"]) == 0
    assert sorted(_results(out)["run_id"].unique()) == [0, 1, 2, 3]
    assert not list((out / "failures").glob("run-*.json"))


def test_a_failing_run_under_dask_is_recorded_on_its_own(tmp_path, monkeypatch):
    # runs go to Dask in batches; one failing run must not take its batch with it
    import model.studies.sweep

    _REAL_RUN[:] = [model.studies.sweep.execute_run]
    monkeypatch.setattr(model.studies.sweep, "execute_run", _fail_odd_runs)
    exp = _write(tmp_path, SMALL.replace("replications = 2", "replications = 6"))
    out = tmp_path / "res"
    args = ["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2", "--backend", "dask"]
    assert main(args) == 1
    failures = sorted(int(f.stem[4:]) for f in (out / "failures").glob("run-*.json"))
    assert failures == list(range(1, 12, 2))
    assert sorted(_results(out)["run_id"].unique()) == list(range(0, 12, 2))


def test_batches_shrink_towards_the_end_and_keep_every_run_once():
    from model.studies.sweep import _batches

    todo = [{"run_id": k} for k in range(32)]
    tasks = _batches(todo, 4, 2)
    assert [r for t in tasks for r in t] == todo
    assert max(map(len, tasks)) == 4 and [len(t) for t in tasks[-4:]] == [1, 1, 1, 1]
    assert [len(t) for t in _batches(todo, 4, None)] == [4] * 8  # workers unknown
    assert [len(t) for t in _batches(todo, 1, 2)] == [1] * 32
    assert _batches([], 4, 2) == []


class _CountingExecutor:
    """Runs tasks on two threads and records how many were handed out but not finished."""

    def __init__(self, workers: int, restartable: bool):
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(workers)
        self.sweep_workers = workers
        if restartable:
            self.sweep_restart = lambda: self
        self.in_flight = self.most = 0
        self.lock = threading.Lock()

    def submit(self, fn, job, runs, folder):
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)

        def task():
            time.sleep(0.005)
            # counted off before the future is done (a done-callback could run after the
            # sweep has already been woken and handed out the next task)
            with self.lock:
                self.in_flight -= 1
            return [(run, None, None, True) for run in runs]

        return self.pool.submit(task)


@pytest.mark.parametrize("restartable,most", [(False, 2 * 2 + 2), (True, 2 * 2)])
def test_tasks_are_handed_out_as_workers_free_up(tmp_path, restartable, most):
    # submitting every task up front delayed the first Dask run by 0.2 s (each submission
    # costs the sweep process milliseconds before anything runs); a few ahead is enough
    from model.studies.sweep import Progress, run_sweep

    executor = _CountingExecutor(2, restartable)
    todo = [{"run_id": k} for k in range(40)]
    progress = Progress(len(todo), enabled=False)
    failures = run_sweep({}, todo, tmp_path, executor, progress, batch=2, shared_disk=True)
    executor.pool.shutdown()
    assert failures == 0 and progress.done == 40
    assert executor.most == most


@pytest.mark.parametrize(
    "text,needle",
    [
        ('design = "grid"\nspeed = 3\n', "speed"),
        ('design = "factorial"\n', "design"),
        (
            'design = "sobol"\n[parameters."levers.leadership.style"]\nvalues = ["annual_praise"]\n'
            '[parameters."behaviour.join_asked"]\nrange = [1, 2]\n',
            "numeric",
        ),
        ('[parameters."behaviour.nonsense"]\nvalues = [1]\n', "behaviour.nonsense"),
        ('[parameters."behaviour.join_asked"]\nvalues = [99]\n', "join_asked"),
        ('[parameters."levers.participation.timing"]\nvalues = ["late", "soon"]\n', "soon"),
        ('scenarios = ["ghost"]\n', "ghost"),
        ('[parameters."behaviour.join_asked"]\nrange = [3, 1]\n', "low < high"),
    ],
)
def test_bad_experiment_files_exit_2_with_one_line(tmp_path, capsys, text, needle):
    exp = _write(tmp_path, text)
    out = tmp_path / "never"
    assert main(["sweep", str(exp), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert str(exp) in err and needle in err
    assert not out.exists()


def test_shipped_experiments_are_valid():
    for name, design, runs in [("levers", "grid", 8 * 20), ("sensitivity", "sobol", None)]:
        exp, _, _ = load_experiment(ROOT / "experiments" / f"{name}.toml")
        assert exp.design == design
        if runs:
            assert len(exp.runs()) == runs


def test_analyze_after_a_sobol_sweep(tmp_path, capsys):
    text = (
        'scenarios = ["baseline"]\ndesign = "sobol"\nsamples = 2\nreplications = 1\n'
        'months = 3\ncitizens = 150\nkeep = "final"\n'
        '[parameters."behaviour.join_asked"]\nrange = [2.0, 3.0]\n'
        '[parameters."behaviour.open_lapse"]\nrange = [0.02, 0.05]\n'
    )
    exp = _write(tmp_path, text)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    assert main(["analyze", str(out)]) == 0
    analysis = out / "analysis"
    summary = pd.read_csv(analysis / "summary.csv")
    assert {"indicator", "mean", "sd", "q05", "q95"} <= set(summary.columns)
    sens = pd.read_csv(analysis / "sensitivity_engaged_share.csv")
    assert {"parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(sens.columns)
    assert set(sens["parameter"]) == {"behaviour.join_asked", "behaviour.open_lapse"}
    assert (analysis / "report.md").read_text(encoding="utf-8").count("](") >= 3


def test_analyze_refuses_a_folder_without_results(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_distributions_shape_the_samples(tmp_path):
    text = (
        'scenarios = ["baseline"]\ndesign = "lhs"\nsamples = 400\nreplications = 1\n'
        '[parameters."behaviour.join_asked"]\nrange = [1.0, 4.0]\n'
        'distribution = "normal"\nmean = 2.7\nsd = 0.3\n'
        '[parameters."behaviour.open_lapse"]\nrange = [0.0, 0.1]\n'
        'distribution = "triangular"\nmode = 0.08\n'
    )
    exp, _, _ = load_experiment(_write(tmp_path, text))
    points = pd.DataFrame(exp.points())
    asked, lapse = points["behaviour.join_asked"], points["behaviour.open_lapse"]
    assert asked.between(1.0, 4.0).all() and abs(asked.mean() - 2.7) < 0.05
    assert 0.25 < asked.std() < 0.35
    assert lapse.between(0.0, 0.1).all() and abs(lapse.mean() - 0.06) < 0.005  # (0+0.1+0.08)/3


@pytest.mark.parametrize(
    "text,needle",
    [
        ('[parameters."behaviour.join_asked"]\nrange = [1, 4]\ndistribution = "normal"\n', "mean"),
        (
            'design = "lhs"\n[parameters."behaviour.join_asked"]\nrange = [1, 4]\n'
            'distribution = "triangular"\nmode = 9\n',
            "mode",
        ),
        (
            '[parameters."behaviour.join_asked"]\nrange = [1, 4]\nsteps = 3\n'
            'distribution = "triangular"\nmode = 2\n',
            "grid takes no distribution",
        ),
    ],
)
def test_bad_distributions_are_refused(tmp_path, capsys, text, needle):
    assert main(["sweep", str(_write(tmp_path, text)), "--out", str(tmp_path / "o")]) == 2
    assert needle in capsys.readouterr().err


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_local_workers_end_with_a_killed_sweep(tmp_path):
    # kill -9 of the sweep alone (not its process group): its workers must not go on
    exp = _write(
        tmp_path,
        SMALL.replace("replications = 2", "replications = 30").replace("months = 4", "months = 24"),
    )
    out = tmp_path / "res"
    cmd = [sys.executable, "-m", "model.interface.cli", "sweep", str(exp), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--quiet"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parts = out / "parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(parts.glob("run-*.parquet"))) < 3:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.1)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.1)
    try:
        assert not any(map(_alive, workers)), "workers outlived the killed sweep"
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    count = len(list(parts.glob("run-*.parquet")))
    time.sleep(1)
    assert len(list(parts.glob("run-*.parquet"))) == count  # nothing writes any more


class _Stubborn(Exception):
    """An exception that cannot be rebuilt from its message (as ScenarioError once was)."""

    def __init__(self, run_id: int, why: str):
        super().__init__(f"run {run_id}: {why}")


def _fail_stubbornly(job, run):
    if run["run_id"] == 1:
        raise _Stubborn(run["run_id"], "a rule broke")
    if run["run_id"] == 2:
        from model.simulation.scenario.files import ScenarioError

        raise ScenarioError("mine.toml", "run.months", 6, "at least 12")
    return _REAL_RUN[0](job, run)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_errors_that_do_not_pickle_are_recorded_and_take_no_other_run_along(
    tmp_path, monkeypatch, backend
):
    import model.studies.sweep

    _REAL_RUN[:] = [model.studies.sweep.execute_run]
    monkeypatch.setattr(model.studies.sweep, "execute_run", _fail_stubbornly)
    exp = _write(tmp_path, SMALL.replace("replications = 2", "replications = 3"))
    out = tmp_path / "res"
    args = ["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]
    assert main([*args, "--backend", backend]) == 1
    failures = {int(f.stem[4:]): json.loads(f.read_text()) for f in (out / "failures").glob("*")}
    assert sorted(failures) == [1, 2]
    assert "_Stubborn: run 1: a rule broke" in failures[1]["error"]
    assert "mine.toml: run.months: given 6; allowed: at least 12" in failures[2]["error"]
    assert sorted(_results(out)["run_id"].unique()) == [0, 3, 4, 5]


def test_scenario_error_survives_pickling():
    import pickle

    from model.simulation.scenario.files import ScenarioError

    err = pickle.loads(pickle.dumps(ScenarioError("f.toml", "run.months", 6, "at least 12")))
    assert (err.file, err.key, err.given, err.allowed) == ("f.toml", "run.months", 6, "at least 12")
    assert str(err) == "f.toml: run.months: given 6; allowed: at least 12"


def test_out_naming_a_file_and_a_scheduler_without_dask_exit_2(tmp_path, capsys):
    exp = _write(tmp_path, SMALL)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        assert main(["sweep", str(exp), "--out", str(out), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert "--out" in err and "Traceback" not in err
    args = ["sweep", str(exp), "--out", str(tmp_path / "r"), "--scheduler", "tcp://h:8786"]
    assert main(args) == 2
    assert "--backend dask" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_an_unreachable_scheduler_exits_2_and_writes_nothing(tmp_path, capsys, monkeypatch):
    import socket

    import model.studies.executors

    monkeypatch.setattr(model.studies.executors, "CONNECT_TIMEOUT_S", 2)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "r"
    address = f"tcp://127.0.0.1:{port}"
    args = ["sweep", str(exp), "--out", str(out), "--backend", "dask", "--scheduler", address]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--scheduler" in err and address in err and "Traceback" not in err
    assert not out.exists()  # the next attempt needs no --resume


def test_runs_use_the_scenarios_the_sweep_started_with(tmp_path, monkeypatch, capsys):
    # a project of one's own: scenarios/ next to experiments/, run from another folder
    project = tmp_path / "project"
    (project / "scenarios").mkdir(parents=True)
    (project / "experiments").mkdir()
    mine = project / "scenarios" / "mine.toml"
    mine.write_text('extends = "baseline"\nquestion = "Mine?"\n', encoding="utf-8")
    exp = _write(project / "experiments", SMALL.replace('["baseline"]', '["mine"]'))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenarios"]["mine"]["raw"]["question"] == "Mine?"
    assert manifest["scenarios_hash"]
    # a scenario edited after the start must not mix into a resumed sweep unnoticed
    (out / "parts" / "run-000003.parquet").unlink()
    mine.write_text('extends = "baseline"\nquestion = "Changed?"\n', encoding="utf-8")
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--resume"]) == 2
    assert "changed scenario(s) mine" in capsys.readouterr().err


def test_mixed_integer_and_decimal_values_load_in_one_line(tmp_path):
    text = SMALL.replace(
        '[parameters."levers.participation.timing"]\nvalues = ["late", "early"]',
        '[parameters."levers.infrastructure.volunteer_agency_eur"]\nvalues = [300000, 1200000.5]',
    )
    exp = _write(tmp_path, text)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]) == 0
    df = pd.read_parquet(out / "parts")  # the README's line
    col = df["param:levers.infrastructure.volunteer_agency_eur"]
    assert col.dtype == "float64" and set(col) == {300000.0, 1200000.5}


def test_progress_into_a_log_writes_whole_lines(tmp_path):
    import io

    from model.studies.sweep import Progress

    log = io.StringIO()
    progress = Progress(40, enabled=True, stream=log)
    for k in range(40):
        progress.update(ok=k != 5)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and 10 <= len(lines) <= 11
    assert lines[-1].startswith("40/40 runs, 1 failed, ") and lines[-1].endswith("~0s left")


def _die_once(job, run):
    # the worker process of run 3 dies, the first time only (a marker file remembers)
    marker = Path(job["experiment"]["question"])
    if run["run_id"] == 3 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return _REAL_RUN[0](job, run)


def _die_always(job, run):
    if run["run_id"] == 3:
        os._exit(1)
    return _REAL_RUN[0](job, run)


@pytest.mark.parametrize("rule,exit_code,failed", [(_die_once, 0, []), (_die_always, 1, [3])])
def test_a_dying_worker_costs_only_its_own_run(tmp_path, monkeypatch, rule, exit_code, failed):
    import model.studies.sweep

    _REAL_RUN[:] = [model.studies.sweep.execute_run]
    monkeypatch.setattr(model.studies.sweep, "execute_run", rule)
    text = SMALL.replace("replications = 2", "replications = 5")
    exp = _write(tmp_path, f'question = "{tmp_path / "marker"}"\n' + text)
    out = tmp_path / "res"
    args = ["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]
    assert main(args) == exit_code
    failures = sorted(int(f.stem[4:]) for f in (out / "failures").glob("run-*.json"))
    assert failures == failed
    assert sorted(_results(out)["run_id"].unique()) == [k for k in range(10) if k not in failed]
    if failed:
        record = json.loads((out / "failures" / "run-000003.json").read_text())
        assert "died while running this run alone" in record["error"]


def _exit_or_interrupt(job, run):
    if run["run_id"] == 1:
        raise SystemExit(3)
    if run["run_id"] == 2:
        raise KeyboardInterrupt
    return _REAL_RUN[0](job, run)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_rule_that_exits_is_a_failed_run_not_a_hang(tmp_path, monkeypatch, backend):
    import model.studies.sweep

    _REAL_RUN[:] = [model.studies.sweep.execute_run]
    monkeypatch.setattr(model.studies.sweep, "execute_run", _exit_or_interrupt)
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "res"
    args = ["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]
    assert main([*args, "--backend", backend]) == 1
    failures = {int(f.stem[4:]): json.loads(f.read_text()) for f in (out / "failures").glob("*")}
    assert sorted(failures) == [1, 2]
    assert failures[1]["error"].startswith("SystemExit")
    assert failures[2]["error"].startswith("KeyboardInterrupt")
    assert sorted(_results(out)["run_id"].unique()) == [0, 3]


def test_workers_with_other_model_code_stop_the_sweep(tmp_path, monkeypatch, capsys):
    # a worker keeps the code it imported: after a rule changed, it must not run the old one
    import model.studies.sweep

    monkeypatch.setattr(model.studies.sweep, "_WORKER_CODE", ["the code before a change"])
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "model code differs" in err and "restart the Dask workers" in err
    assert not list((out / "parts").glob("*.parquet"))


def test_project_experiment_from_its_own_folder_and_with_shipped_scenarios(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "scenarios").mkdir(parents=True)
    (project / "experiments").mkdir()
    (project / "scenarios" / "mine.toml").write_text(
        'extends = "baseline"\nquestion = "Mine?"\n', encoding="utf-8"
    )
    text = SMALL.replace('["baseline"]', '["baseline", "mine"]').replace(
        "replications = 2", "replications = 1"
    )
    _write(project / "experiments", text)
    monkeypatch.chdir(project / "experiments")  # a relative path, from the project's folder
    out = tmp_path / "res"
    assert main(["sweep", "exp.toml", "--out", str(out), "--quiet", "--workers", "2"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    files = {name: Path(entry["file"]) for name, entry in manifest["scenarios"].items()}
    assert files["mine"] == (project / "scenarios" / "mine.toml").resolve()
    assert files["baseline"].parent.parent == ROOT  # the shipped one
    assert set(_results(out)["scenario"]) == {"baseline", "mine"}


def test_a_range_over_a_whole_number_key_is_refused(tmp_path, capsys):
    exp = _write(
        tmp_path,
        'design = "lhs"\nsamples = 4\nmonths = 3\n[parameters."run.citizens"]\n'
        "range = [200, 300]\n",
    )
    assert main(["sweep", str(exp), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "parameters.run.citizens.range" in err and "'values'" in err


def test_resume_into_a_new_folder_says_it_starts_afresh(tmp_path, capsys):
    # one command starts a sweep and continues it; a mistyped --out must not pass unnoticed
    exp = _write(tmp_path, SMALL)
    out = tmp_path / "typo"
    assert main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert f"{out}/ holds no sweep to resume: starting a new one" in text
    assert "4 runs finished now, 0 failed now; 0 failed in all" in text
    assert "failures/" not in text  # nothing to look at
    assert main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet"]) == 0
    assert "holds no sweep" not in capsys.readouterr().out
