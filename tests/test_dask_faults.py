"""Dask sweeps that survive faults, with real processes: the embedded cluster (the sweep's own
process with its forked workers) and a cluster of separate processes (``dask scheduler`` and
``dask worker``, as on a cluster of machines). A worker that dies (``os._exit`` in a run,
standing for an out-of-memory kill, or ``kill -9`` from outside) costs only the run it was
running: it is tried again, and recorded as failed, with a clear message, only when its
worker died again while it ran alone; a run is never both a part and a failure; a lost
scheduler ends the sweep within seconds (status 1, one line naming the cause and
``--resume``, no failure records); a sweep that makes no progress stops (``--stall-timeout``);
an address that is not Dask is refused within seconds (status 2, one line). After each,
``--resume`` gives results identical to an uninterrupted sweep.

The faults come from a hook (:data:`HOOK`) that the sweep's process imports (the embedded
cluster forks its workers from it) or that ``dask worker --preload-nanny`` loads (its forked
workers inherit it); which run fails, and how, is read from a file at each run."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from model.interface.cli import main
from tests.test_sweep import _alive, _children
from tests.test_sweep_stop import EXPERIMENT, RUNS, _group_alive, _parts

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

HOOK = """
import json, os, time
from pathlib import Path

import model.simulation.model  # noqa: F401  (loaded once; forked workers inherit it)
import model.studies.sweep as sweep

_real = getattr(sweep, "_real_execute_run", sweep.execute_run)  # loaded twice: patch once
sweep._real_execute_run = _real


def _faulty(job, run):
    path = os.environ.get("COPROD_TEST_FAULT")
    fault = json.loads(Path(path).read_text()) if path and Path(path).exists() else {}
    if run["run_id"] == fault.get("run"):
        marker = Path(fault["marker"])
        if fault["mode"] in ("always", "hang") or not marker.exists():
            marker.write_text("struck")
            if fault["mode"] == "hang":
                time.sleep(3600)
            os._exit(1)  # what an out-of-memory kill looks like to Dask
    return _real(job, run)


sweep.execute_run = _faulty
# a cluster's workers refuse a sweep whose model/ differs from the code they imported; files
# there change while the suite runs (others edit them), so the test cluster takes the
# sweep's word for it (that check has its own test in test_sweep.py)
sweep.check_code = lambda job: None
"""

RUNNER = """
import sys

sys.path.insert(0, sys.argv.pop(1))
import coprod_fault_hook  # noqa: F401,E402

from model.interface.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""

# 12 runs of 2,000 citizens: Dask tasks of 3, 2, 2, 1, ... runs on two workers; run 1 is in
# the middle of the first task, so that a task has finished runs, the guilty one and runs not
# yet begun when its worker dies
SMALL = EXPERIMENT.replace(f"replications = {RUNS // 2}", "replications = 6")
SMALL_RUNS = 12


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> dict:
    """The hook, the runner and the two experiments, with the results of uninterrupted
    sweeps (local processes) to compare against."""
    folder = tmp_path_factory.mktemp("faults")
    (folder / "coprod_fault_hook.py").write_text(HOOK, encoding="utf-8")
    (folder / "runner.py").write_text(RUNNER, encoding="utf-8")
    out = {"folder": folder}
    for name, text in (("small", SMALL), ("long", EXPERIMENT)):
        exp = folder / f"{name}.toml"
        exp.write_text(text, encoding="utf-8")
        reference = folder / f"reference-{name}"
        assert main(["sweep", str(exp), "--out", str(reference), "--workers", "2", "--quiet"]) == 0
        out[name] = exp
        out[f"{name}-results"] = _results(reference)
    return out


def _results(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "parts").sort_values(["run_id", "step"]).reset_index(drop=True)


def _failed(out: Path) -> list[int]:
    return sorted(int(f.stem[4:]) for f in (out / "failures").glob("run-*.json"))


def _set_fault(faults: dict, tmp_path: Path, run: int | None, mode: str = "once") -> dict:
    """Which run fails and how (``once``, ``always``, ``hang``), for the hook; the
    environment that points the hook at it."""
    control = faults["folder"] / "fault.json"
    fault = {"run": run, "mode": mode, "marker": str(tmp_path / "struck")}
    control.write_text(json.dumps(fault), encoding="utf-8")
    return {**os.environ, "COPROD_TEST_FAULT": str(control)}


def _sweep(faults, exp, out, *extra, env=None) -> subprocess.Popen:
    """``coprod sweep`` in a process of its own (and its own process group), with the hook."""
    hook = [str(faults["folder"] / "runner.py"), str(faults["folder"])]
    args = ["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet", *extra]
    return subprocess.Popen(
        [PYTHON, *hook, *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return proc.returncode, err


def _no_run_twice(out: Path) -> None:
    parts = {int(p.stem[4:]) for p in _parts(out)}
    assert not parts & set(_failed(out)), "a run is both a part and a failure"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` and ``dask worker`` (two worker processes of one thread) as
    separate processes on this machine. The workers are forked from their nanny, which has
    loaded the model and the hook, so that one started anew after another died is ready in
    a fraction of a second. The scheduler gives a task whose worker died one more try
    (``allowed-failures`` 1; Dask's default is 3) before the sweep sees ``KilledWorker``:
    both Dask's own retry and the sweep's are exercised."""

    def __init__(self, folder: Path, env: dict, port: int | None = None):
        self.port = port or _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.log = open(folder / f"cluster-{self.port}.log", "a")  # noqa: SIM115
        base = {**env, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
        self.scheduler = self._start(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(self.port)],
            base,
        )
        hook = str(folder / "coprod_fault_hook.py")
        self.workers = self._start(
            ["distributed.cli.dask_worker", self.address, "--nworkers", "2", "--nthreads", "1"]
            + ["--preload-nanny", hook],
            {**base, "DASK_DISTRIBUTED__WORKER__MULTIPROCESSING_METHOD": "fork"},
        )

    def listening(self) -> Cluster:
        """Once the scheduler takes connections (its workers may still be starting)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                assert self.scheduler.poll() is None, "the scheduler did not start"
                assert time.monotonic() < deadline, "the scheduler does not listen"
                time.sleep(0.05)

    def ready(self) -> Cluster:
        """Once both workers are there (a sweep need not wait: its tasks wait for them)."""
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        return self

    def _start(self, args: list[str], env: dict) -> subprocess.Popen:
        return subprocess.Popen(
            [PYTHON, "-m", *args, "--no-dashboard"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=self.log,
            stderr=self.log,
        )

    def worker_pids(self) -> list[int]:
        """The worker processes (the nannies live in the ``dask worker`` process)."""
        return _forked_children(self.workers.pid)

    def kill_scheduler(self) -> None:
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait()

    def stop(self) -> None:
        for proc in (self.workers, self.scheduler):
            if _group_alive(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def cluster(faults):
    env = {**os.environ, "COPROD_TEST_FAULT": str(faults["folder"] / "fault.json")}
    started = Cluster(faults["folder"], env).ready()
    yield started
    started.stop()


def _where(backend: str, cluster_fixture, request) -> list[str]:
    if backend == "embedded":
        return ["--backend", "dask"]
    return ["--backend", "dask", "--scheduler", request.getfixturevalue(cluster_fixture).address]


@pytest.mark.parametrize("backend", ["embedded", "cluster"])
@pytest.mark.parametrize("mode", ["once", "always"])
def test_a_dying_worker_costs_only_its_own_run(faults, tmp_path, request, backend, mode):
    env = _set_fault(faults, tmp_path, run=1, mode=mode)
    out = tmp_path / "res"
    started = time.monotonic()
    proc = _sweep(faults, faults["small"], out, *_where(backend, "cluster", request), env=env)
    status, err = _finish(proc)
    took = time.monotonic() - started
    assert (tmp_path / "struck").exists(), "the fault never struck"
    assert "Traceback" not in err
    _no_run_twice(out)
    reference = faults["small-results"]
    if mode == "once":  # tried again on another worker: nothing lost, nothing failed
        assert status == 0, err
        assert _failed(out) == []
        pd.testing.assert_frame_equal(_results(out), reference)
    else:  # only the guilty run, recorded with why; every other run finished
        assert status == 1, err
        assert _failed(out) == [1]
        record = json.loads((out / "failures" / "run-000001.json").read_text())
        assert "worker process died while running this run" in record["error"]
        assert "second" in record["error"] and "memory" in record["error"]
        assert sorted({int(p.stem[4:]) for p in _parts(out)}) == [
            k for k in range(SMALL_RUNS) if k != 1
        ]
        # once the rule is mended, --resume runs exactly that run, and the results are whole
        _set_fault(faults, tmp_path, run=None)
        args = ["sweep", str(faults["small"]), "--out", str(out), "--quiet", "--resume"]
        assert main([*args, *_where(backend, "cluster", request)]) == 0
        assert _failed(out) == []
        pd.testing.assert_frame_equal(_results(out), reference)
    assert took < 45


def _first_parts(out: Path, proc: subprocess.Popen, count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while len(_parts(out)) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no part was written"
        time.sleep(0.01)


def _forked_children(pid: int) -> list[int]:
    """Worker processes forked from ``pid`` (a sweep's, or ``dask worker``'s): its children
    that run its program (not, say, multiprocessing's resource tracker)."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [
        child
        for child in _children(pid)
        if _alive(child) and Path(f"/proc/{child}/cmdline").read_bytes() == own
    ]


@pytest.mark.parametrize("backend", ["embedded", "cluster"])
def test_a_worker_killed_from_outside_costs_nothing(faults, tmp_path, request, backend):
    env = _set_fault(faults, tmp_path, run=None)
    out = tmp_path / "res"
    proc = _sweep(faults, faults["long"], out, *_where(backend, "cluster", request), env=env)
    try:
        _first_parts(out, proc)
        assert proc.poll() is None, "the sweep ended before a worker could be killed"
        if backend == "embedded":
            victims = _forked_children(proc.pid)
        else:
            victims = request.getfixturevalue("cluster").worker_pids()
        assert victims, "no worker to kill"
        os.kill(victims[0], signal.SIGKILL)  # kill -9, as the kernel's OOM killer does
    finally:
        status, err = _finish(proc)
    assert status == 0, err
    assert _failed(out) == []
    _no_run_twice(out)
    pd.testing.assert_frame_equal(_results(out), faults["long-results"])


def test_a_lost_scheduler_ends_the_sweep_within_seconds_and_resume_finishes_it(faults, tmp_path):
    env = _set_fault(faults, tmp_path, run=None)
    first = Cluster(faults["folder"], env).listening()
    out = tmp_path / "res"
    try:
        proc = _sweep(
            faults, faults["small"], out, "--backend", "dask", "--scheduler", first.address
        )
        _first_parts(out, proc)
        assert proc.poll() is None, "the sweep ended before its scheduler could be killed"
        first.kill_scheduler()
        killed = time.monotonic()
        status, err = _finish(proc, timeout=30)
        took = time.monotonic() - killed
    finally:
        first.stop()
    assert status == 1
    assert took < 10, f"the sweep took {took:.1f} s to notice its scheduler was gone"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "lost the connection to the Dask scheduler at " + first.address in lines[0]
    assert lines[0].rstrip().endswith("--resume")
    assert _failed(out) == [], "runs that never ran were recorded as failed"
    assert 1 <= len(_parts(out)) < SMALL_RUNS, "the scheduler must be killed in the middle"
    # a new scheduler at the same address: the line's own command finishes the sweep (the
    # sweep waits for the scheduler to listen, and its tasks for the workers to come)
    second = Cluster(faults["folder"], env, port=first.port)
    try:
        resume = shlex.split(lines[0].split("to finish the sweep: ", 1)[1])
        assert resume[:4] == ["uv", "run", "coprod", "sweep"]
        assert main(resume[3:]) == 0
    finally:
        second.stop()
    assert _failed(out) == []
    pd.testing.assert_frame_equal(_results(out), faults["small-results"])


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_sweep_that_makes_no_progress_stops_and_resumes(faults, tmp_path, backend):
    env = _set_fault(faults, tmp_path, run=3, mode="hang")  # a run that never ends
    out = tmp_path / "res"
    proc = _sweep(
        faults, faults["small"], out, "--backend", backend, "--stall-timeout", "3", env=env
    )
    status, err = _finish(proc, timeout=60)
    assert status == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("stopped (--stall-timeout: no run finished for 3 s; ")
    assert "--stall-timeout 3 " in lines[0] and lines[0].endswith("--resume")
    assert _failed(out) == [] and 3 not in {int(p.stem[4:]) for p in _parts(out)}
    deadline = time.monotonic() + 5
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(proc.pid), "a worker outlived the stopped sweep"
    _set_fault(faults, tmp_path, run=None)
    args = ["sweep", str(faults["small"]), "--out", str(out), "--resume", "--quiet"]
    assert main([*args, "--backend", backend]) == 0
    pd.testing.assert_frame_equal(_results(out), faults["small-results"])


# ---------------------------------------------------------------------------- not Dask


def _serve(handler) -> tuple[int, socket.socket]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return server.getsockname()[1], server


def _silent(conn: socket.socket) -> None:
    time.sleep(60)  # accepts, and never says a word
    conn.close()


def _chatty(conn: socket.socket) -> None:
    try:
        while True:
            conn.sendall(os.urandom(65536))  # other bytes, as many as it takes
    except OSError:
        pass


def _web(conn: socket.socket) -> None:
    # what `python -m http.server` does: waits for a request, answers it, closes
    try:
        conn.settimeout(30)
        conn.recv(65536)
        conn.sendall(b"HTTP/1.0 400 Bad request\r\nContent-Type: text/html\r\n\r\n<html>")
    except OSError:
        pass
    conn.close()


@pytest.mark.parametrize("handler", [_silent, _chatty, _web], ids=["silent", "random", "http"])
def test_an_address_that_is_not_dask_is_refused_within_seconds(tmp_path, capsys, handler):
    port, server = _serve(handler)
    exp = tmp_path / "exp.toml"
    exp.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "res"
    address = f"tcp://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        status = main(
            ["sweep", str(exp), "--out", str(out), "--backend", "dask", "--scheduler", address]
        )
    finally:
        server.close()
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert status == 2
    assert took < 10, f"refused only after {took:.1f} s"
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "--scheduler" in err and address in err and "Dask" in err
    assert not out.exists()  # nothing written: the next attempt needs no --resume


def test_a_real_web_server_is_refused_within_seconds(tmp_path, capsys):
    port = _free_port()
    web = subprocess.Popen(
        [PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "http.server did not start"
                time.sleep(0.05)
        exp = tmp_path / "exp.toml"
        exp.write_text(SMALL, encoding="utf-8")
        address = f"tcp://127.0.0.1:{port}"
        started = time.monotonic()
        args = ["sweep", str(exp), "--out", str(tmp_path / "r"), "--backend", "dask"]
        assert main([*args, "--scheduler", address]) == 2
        assert time.monotonic() - started < 10
    finally:
        web.kill()
        web.wait()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and address in err
