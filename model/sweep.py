"""Running an experiment: many runs in parallel, written as they finish, resumable.

Results go to a folder with ``manifest.json`` (experiment, its hash, every run's scenario,
parameters and seed, package versions, git commit) and one Parquet part file per finished run
in ``parts/``; a run that raises is recorded in ``failures/`` with its parameters and
traceback, and the sweep goes on. Part files are written to a temporary name and renamed, so
a sweep killed at any moment (even ``kill -9``) leaves only whole parts; ``--resume`` runs
exactly the runs without a part. Local processes (``concurrent.futures``) are the default;
Dask's executor speaks the same protocol, so one loop serves both backends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from pathlib import Path

import pandas as pd

from model.experiment import Experiment
from model.output import package_versions
from model.scenario_files import PACKAGE_ROOT, ScenarioError, load_scenario


def part_path(out: Path, run_id: int) -> Path:
    return out / "parts" / f"run-{run_id:06d}.parquet"


def failure_path(out: Path, run_id: int) -> Path:
    return out / "failures" / f"run-{run_id:06d}.json"


def execute_run(exp_data: dict, run: dict, scenario_dir: str) -> pd.DataFrame:
    """One run in a worker process: a pure function of (scenario, parameters, seed)."""
    from model.model import CoProductionModel

    exp = Experiment.model_validate(exp_data)
    scenario = load_scenario(
        Path(scenario_dir) / f"{run['scenario']}.toml", overrides=exp.overrides(run["params"])
    )
    model = CoProductionModel(scenario, rng=run["seed"])
    for _ in range(scenario.run.months):
        model.step()
    df = model.dataframe()
    if exp.indicators:
        df = df[["date", "step", *[c for c in exp.indicators if c not in ("date", "step")]]]
    if exp.keep == "final":
        df = df.iloc[[-1]]
    for col in ("assembly_response_rate", "assembly_response_rate_edu_low"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    meta = {
        "run_id": run["run_id"],
        "scenario": run["scenario"],
        "point": run["point"],
        "replication": run["replication"],
        "seed": run["seed"],
    }
    meta |= {f"param:{k}": v for k, v in run["params"].items()}
    return pd.concat([pd.DataFrame([meta] * len(df)), df.reset_index(drop=True)], axis=1)


def _git_commit() -> str | None:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                cwd=PACKAGE_ROOT,
                text=True,
                capture_output=True,
                timeout=5,
            ).stdout.strip()
            or None
        )
    except OSError:
        return None


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def prepare(exp: Experiment, exp_path: Path, digest: str, out: Path, resume: bool) -> list[dict]:
    """Create or check the results folder; returns the runs still to do."""
    runs = exp.runs()
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not resume:
            raise ScenarioError(
                out,
                "--out",
                str(out),
                "a new folder, or --resume to continue the sweep already in it",
            )
        if old.get("experiment_hash") != digest:
            raise ScenarioError(
                exp_path,
                "",
                "a changed experiment file",
                f"the file the sweep in {out} started with (hash "
                f"{old.get('experiment_hash', '?')[:12]})",
            )
    else:
        (out / "parts").mkdir(parents=True, exist_ok=True)
        (out / "failures").mkdir(exist_ok=True)
        problem = exp.problem()
        matrix = exp.design_matrix()
        manifest = {
            "experiment": exp.model_dump(mode="json"),
            "experiment_file": str(exp_path),
            "experiment_hash": digest,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "versions": package_versions(),
            "git_commit": _git_commit(),
            "problem": problem,
            "design_matrix": matrix.tolist() if matrix is not None else None,
            "runs": runs,
        }
        _atomic_write_bytes(manifest_path, (json.dumps(manifest, indent=1) + "\n").encode())
    (out / "parts").mkdir(parents=True, exist_ok=True)
    (out / "failures").mkdir(exist_ok=True)
    return [r for r in runs if not part_path(out, r["run_id"]).exists()]


class Progress:
    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.done = self.failed = 0
        self.t0 = time.perf_counter()

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += not ok
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        bar = "#" * int(30 * self.done / self.total)
        sys.stderr.write(
            f"\r[{bar:<30}] {self.done}/{self.total} runs, {self.failed} failed, "
            f"{elapsed:5.0f}s, ~{eta:4.0f}s left"
        )
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def execute_batch(
    exp_data: dict, runs: list[dict], scenario_dir: str, out: str | None = None
) -> list[tuple]:
    """Several runs in one task (fewer round trips through a Dask scheduler). Each run's
    error is caught here, so one failing run does not take its batch with it.

    With ``out`` (the results folder, when the worker shares the disk with the sweep: local
    processes and the embedded cluster) the worker writes each part or failure record
    itself, atomically as the parent would, and returns no data: the parent, which shares
    two cores with the workers, only counts."""
    results = []
    for run in runs:
        try:
            df, exc = execute_run(exp_data, run, scenario_dir), None
        except Exception as error:
            df, exc = None, error
        if out is not None:
            if exc is None:
                _record_result(Path(out), run, df)
            else:
                _record_failure(Path(out), run, exc)
            results.append((run, None, exc, True))
        else:
            results.append((run, df, exc, False))
    return results


def _record_failure(out: Path, run: dict, exc: BaseException) -> None:
    record = {
        "run_id": run["run_id"],
        "params": run["params"],
        "scenario": run["scenario"],
        "seed": run["seed"],
        "error": f"{type(exc).__name__}: {exc}",
        "traceback": "".join(traceback.format_exception(exc)),
    }
    _atomic_write_bytes(failure_path(out, run["run_id"]), json.dumps(record, indent=1).encode())


def _record_result(out: Path, run: dict, df: pd.DataFrame) -> None:
    path = part_path(out, run["run_id"])
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)  # a part exists whole or not at all: what --resume relies on
    failure_path(out, run["run_id"]).unlink(missing_ok=True)


def _batches(todo: list[dict], batch: int, workers: int | None) -> list[list[dict]]:
    """Split the runs into tasks of at most ``batch`` runs. When the number of workers is known,
    tasks shrink towards the end (each at most 1/(2 x workers) of the runs still to hand out,
    down to single runs), so the last tasks do not leave a worker idle while another one
    works through a whole batch."""
    if batch <= 1 or not workers:
        return [todo[k : k + batch] for k in range(0, len(todo), max(batch, 1))]
    tasks, k = [], 0
    while k < len(todo):
        size = max(1, min(batch, (len(todo) - k) // (2 * workers)))
        tasks.append(todo[k : k + size])
        k += size
    return tasks


def run_sweep(
    exp: Experiment,
    todo: list[dict],
    out: Path,
    executor: Executor,
    progress: Progress,
    scenario_dir: Path,
    batch: int = 1,
    max_pending: int = 64,
    shared_disk: bool = False,
) -> int:
    """Submit runs (up to ``batch`` per task), write each result as it arrives; returns the
    number of failures. A run that raises is recorded and the sweep goes on."""
    exp_data = exp.model_dump(mode="json")
    pending: dict = {}
    queue = _batches(todo, batch, getattr(executor, "sweep_workers", None))
    failures = 0
    while queue or pending:
        while queue and len(pending) < max_pending:
            runs = queue.pop(0)
            pending[
                executor.submit(
                    execute_batch,
                    exp_data,
                    runs,
                    str(scenario_dir),
                    str(out) if shared_disk else None,
                )
            ] = runs
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            runs = pending.pop(future)
            try:
                results = future.result()
            except Exception as exc:  # the task itself died (e.g. a lost worker)
                results = [(run, None, exc, False) for run in runs]
            for run, df, exc, written in results:
                if exc is not None:
                    failures += 1
                    if not written:
                        _record_failure(out, run, exc)
                elif not written:
                    _record_result(out, run, df)
                progress.update(exc is None)
    return failures


# The embedded cluster lives only as long as one sweep, on the same cores as its workers:
# everything its processes do besides running tasks is taken from the runs. These settings
# turn off what a short-lived cluster without a dashboard has no use for.
EMBEDDED_DASK_CONFIG = {
    # fork, not spawn: spawned workers import mesa and the model afresh (~12 s on 2 cores),
    # which alone tripled the cost of a short sweep
    "distributed.worker.multiprocessing-method": "fork",
    # the statistical profiler samples each worker's task thread every 10 ms (for the
    # dashboard); it took the GIL from the runs and was the largest single overhead
    "distributed.worker.profile.enabled": False,
    # event-loop health checks every 20 ms in the scheduler, each nanny and each worker
    "distributed.admin.tick.interval": "1s",
    # CPU/memory/network samples for the dashboard, every 500 ms in every process
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.gil.enabled": False,
    # the scheduler queues independent tasks and hands them out as workers free up, so there
    # is nothing to steal; the stealing extension would only poll
    "distributed.scheduler.work-stealing": False,
    # tasks have no inputs, so there are no replicas for the memory manager to reduce
    "distributed.scheduler.active-memory-manager.start": False,
}


def make_executor(backend: str, workers: int, scheduler: str | None):
    """A concurrent.futures executor and a function that shuts it down. The executor carries
    ``sweep_workers`` (how many runs can go at once), which sizes the batches."""
    if scheduler is None:
        # local processes and the embedded cluster fork from this process: load the compiled
        # rules once here, so that workers inherit them instead of each loading them
        from model.model import warm_up

        warm_up()
    if backend == "local":
        executor = ProcessPoolExecutor(max_workers=workers)
        executor.sweep_workers = workers
        return executor, lambda: executor.shutdown(cancel_futures=True)
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        import model.model  # noqa: F401  (imported once here, inherited by forked workers)

        # the nannies copy the configuration into their workers when they are created, so
        # everything is built inside the block
        with dask.config.set(EMBEDDED_DASK_CONFIG):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)

    def close():
        client.close()
        if cluster is not None:
            cluster.close()

    executor = client.get_executor()
    executor.sweep_workers = sum(client.nthreads().values()) or workers
    return executor, close
