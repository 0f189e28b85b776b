"""Running an experiment: many runs in parallel, written as they finish, resumable.

Results go to a folder with ``manifest.json`` (experiment, its hash, every run's scenario,
parameters and seed, package versions, git commit and whether the tree had uncommitted
changes, hash of the model's code) and one Parquet part file per finished run in
``parts/``; a run that raises is recorded in ``failures/`` with its parameters and
traceback, and the sweep goes on. Part files are written to a temporary name and renamed, so
a sweep killed at any moment (even ``kill -9``) leaves only whole parts; ``--resume`` runs
exactly the runs without a part. Ctrl-C or SIGTERM stops a sweep within a second or two,
ending the runs in flight without recording them (:mod:`model.studies.stopping`), and so do a
lost Dask scheduler and the stall watchdog (what is guaranteed: docs/reliability.md). Local
processes (``concurrent.futures``) are the default; Dask's executor speaks the same
protocol, so one loop serves both backends (:mod:`model.studies.executors`).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
import traceback
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    wait,
)
from pathlib import Path

import pandas as pd

from model.simulation.scenario.files import ScenarioError
from model.studies.experiment import Experiment, base_scenarios
from model.studies.provenance import code_hash, package_versions, provenance
from model.studies.stopping import POLL_S, Aborted, StopSignals, Watchdog


def part_path(out: Path, run_id: int) -> Path:
    return out / "parts" / f"run-{run_id:06d}.parquet"


def failure_path(out: Path, run_id: int) -> Path:
    return out / "failures" / f"run-{run_id:06d}.json"


def started_path(out: Path, run_id: int) -> Path:
    """A worker's mark that a run is going (removed once its part or failure is written)."""
    return out / "parts" / f".run-{run_id:06d}.started.tmp"


def resolve_scenarios(exp: Experiment, exp_path: Path) -> dict[str, dict]:
    """Each base scenario of the experiment, read once here with its ``extends`` chain
    resolved: ``{name: {"file": path, "raw": merged dictionary}}``.

    The runs get these dictionaries, not file names, so a worker reads no scenario file: it
    needs no copy of the project at the same path (a cluster), and editing a scenario while
    a sweep runs cannot change the runs still to come. They are recorded in the manifest,
    and their hash guards ``--resume``. They are the scenarios ``load_experiment`` checked
    (:func:`model.studies.experiment.base_scenarios`)."""
    return {
        name: {"file": str(file), "raw": raw}
        for name, (raw, file) in base_scenarios(exp, exp_path).items()
    }


def param_kinds(exp: Experiment) -> dict[str, str]:
    """One column type per varied parameter, so that every part file stores it alike and
    the parts load as one table (``pd.read_parquet(folder)`` refuses a column that is an
    integer in one part and a decimal in another): ``int``, ``float``, ``bool`` or
    ``str``."""
    kinds = {}
    for key in exp.varied():
        values = [point[key] for point in exp.points()]
        if all(isinstance(v, bool) for v in values):
            kinds[key] = "bool"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kinds[key] = "int"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            kinds[key] = "float"
        else:
            kinds[key] = "str"
    return kinds


def job_of(exp: Experiment, exp_path: Path) -> dict:
    """What every run of a sweep needs besides its own entry: sent once with each task.
    ``sweep`` names this process, so that the workers it forks know themselves
    (:func:`check_code`)."""
    return {
        "experiment": exp.model_dump(mode="json"),
        "scenarios": resolve_scenarios(exp, exp_path),
        "param_kinds": param_kinds(exp),
        "code_hash": code_hash(),
        "sweep": [socket.gethostname(), os.getpid()],
    }


def execute_run(job: dict, run: dict) -> pd.DataFrame:
    """One run in a worker process: a pure function of (scenario, parameters, seed)."""
    from pydantic import ValidationError

    from model.simulation.model import CoProductionModel
    from model.simulation.scenario import Scenario, deep_merge
    from model.simulation.scenario.files import _explain

    exp = Experiment.model_validate(job["experiment"])
    base = job["scenarios"][run["scenario"]]
    raw = deep_merge(base["raw"], exp.overrides(run["params"]))
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _explain(Path(base["file"]), raw, exc) from None
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
    cast = {"int": int, "float": float, "bool": bool, "str": str}
    kinds = job.get("param_kinds", {})
    meta |= {f"param:{k}": cast[kinds.get(k, "str")](v) for k, v in run["params"].items()}
    return pd.concat([pd.DataFrame([meta] * len(df)), df.reset_index(drop=True)], axis=1)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def scenarios_hash(scenarios: dict[str, dict]) -> str:
    """Hash of the resolved base scenarios (their merged contents, not their paths)."""
    contents = {name: entry["raw"] for name, entry in scenarios.items()}
    text = json.dumps(contents, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _make_folders(out: Path) -> None:
    try:
        (out / "parts").mkdir(parents=True, exist_ok=True)
        (out / "failures").mkdir(exist_ok=True)
    except OSError as exc:  # --out names a file, or a folder we may not write
        raise ScenarioError(
            out,
            "--out",
            str(out),
            f"a folder this user can create and write ({exc.strerror or exc})",
        ) from None


def read_manifest(path: Path) -> dict:
    """A results folder's ``manifest.json``, or a :class:`ScenarioError` naming the file
    when it is not one a sweep wrote: truncated (a full disk, a copy broken off), JSON of
    another shape, a folder of that name. ``--resume`` and the analysis trust what it says
    about the runs, so a damaged one ends the command with one line, not a traceback."""
    data: dict = {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        given = None if isinstance(data, dict) else f"a JSON {type(data).__name__}"
    except IsADirectoryError:
        given = "a folder"
    except json.JSONDecodeError as exc:
        given = f"text that is not whole JSON ({exc.msg}, line {exc.lineno})"
    except (OSError, UnicodeDecodeError) as exc:
        given = f"a file that cannot be read ({getattr(exc, 'strerror', None) or exc})"
    for key, kind in (("experiment_hash", str), ("scenarios", dict), ("runs", list)):
        if given is None and key in data and not isinstance(data[key], kind):
            given = f"{key} of type {type(data[key]).__name__}"
    if given is not None:
        allowed = "the JSON object `coprod sweep` writes; this one is damaged: start the sweep"
        raise ScenarioError(path, "", given, f"{allowed} again in a new folder (--out)")
    return data


def check_out(out: Path, exp_path: Path, digest: str, scenarios: dict, resume: bool) -> None:
    """Refuse a results folder the sweep must not write to, before anything is written."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(out, "--out", str(out), "a folder (this is a file)")
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        return
    if not resume:
        raise ScenarioError(
            out,
            "--out",
            str(out),
            "a new folder, or --resume to continue the sweep already in it",
        )
    old = read_manifest(manifest_path)
    if old.get("experiment_hash") != digest:
        raise ScenarioError(
            exp_path,
            "",
            "a changed experiment file",
            f"the file the sweep in {out} started with (hash "
            f"{old.get('experiment_hash', '?')[:12]})",
        )
    if old.get("scenarios_hash", scenarios_hash(scenarios)) != scenarios_hash(scenarios):
        changed = sorted(
            name
            for name, entry in scenarios.items()
            if _recorded_raw(old, name) != json.loads(json.dumps(entry["raw"], default=str))
        )
        raise ScenarioError(
            exp_path,
            "scenarios",
            f"changed scenario(s) {', '.join(changed) or '(contents differ)'}",
            f"the scenarios the sweep in {out} started with (recorded in its manifest.json); "
            "start a new sweep in a new folder",
        )


def _recorded_raw(manifest: dict, name: str):
    entry = manifest.get("scenarios", {}).get(name)
    return entry.get("raw") if isinstance(entry, dict) else None


def check_writable(out: Path, manifest: bool) -> None:
    """Refuse a results folder this process cannot write into, before the first run: a
    read-only ``parts/`` was found only when the first run tried to write its part, after
    every run had been computed. Tried by writing (and removing) a file, not with
    ``os.access``, which root passes whatever the folder's mode, and which does not see a
    read-only mount or an immutable folder. ``out`` itself only when the manifest is still
    to be written there."""
    folders = [out] if manifest else []
    for folder in [*folders, out / "parts", out / "failures"]:
        probe = folder / f".write-check.{os.getpid()}.tmp"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            allowed = f"a folder this user can write into ({exc.strerror or exc})"
            raise ScenarioError(folder, "--out", str(out), allowed) from None


def prepare(
    exp: Experiment,
    exp_path: Path,
    digest: str,
    out: Path,
    resume: bool,
    scenarios: dict[str, dict],
) -> list[dict]:
    """Create the results folder and its manifest (once :func:`check_out` has accepted
    the folder); returns the runs still to do."""
    runs = exp.runs()
    manifest_path = out / "manifest.json"
    _make_folders(out)
    check_writable(out, manifest=not manifest_path.exists())
    if not manifest_path.exists():
        problem = exp.problem()
        matrix = exp.design_matrix()
        manifest = {
            "experiment": exp.model_dump(mode="json"),
            "experiment_file": str(exp_path),
            "experiment_hash": digest,
            "scenarios": scenarios,
            "scenarios_hash": scenarios_hash(scenarios),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "versions": package_versions(),
            **provenance(),  # git commit, uncommitted changes, code hash
            "problem": problem,
            "design_matrix": matrix.tolist() if matrix is not None else None,
            "runs": runs,
        }
        text = json.dumps(manifest, indent=1, default=str) + "\n"
        _atomic_write_bytes(manifest_path, text.encode())
    # half-written parts of runs that were in flight when a sweep was killed
    for stale in (out / "parts").glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    return [r for r in runs if not part_path(out, r["run_id"]).exists()]


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


class Progress:
    """Runs done, failures, time so far and estimated time left, on stderr. On a terminal
    one line redrawn in place; into a log file (a cluster job's output) a new line every
    tenth of the runs or every 30 seconds, whichever comes first."""

    def __init__(self, total: int, enabled: bool, stream=None):
        self.total, self.enabled = total, enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = self.failed = 0
        self.t0 = self.last_line = time.perf_counter()
        self.last_tenth = 0

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += not ok
        if not self.enabled:
            return
        now = time.perf_counter()
        elapsed = now - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        text = (
            f"{self.done}/{self.total} runs, {self.failed} failed, {_duration(elapsed)}, "
            f"~{_duration(eta)} left"
        )
        if self.tty:
            bar = "#" * int(30 * self.done / self.total)
            self.stream.write(f"\r[{bar:<30}] {text}\033[K")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            tenth = 10 * self.done // self.total
            if tenth > self.last_tenth or now - self.last_line >= 30 or self.done == self.total:
                self.stream.write(text + "\n")
                self.last_tenth, self.last_line = tenth, now
        self.stream.flush()

    def end_line(self) -> None:
        """End the line redrawn on a terminal, so that what is written next starts afresh."""
        if self.enabled and self.tty and 0 < self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


def execute_batch(job: dict, runs: list[dict], out: str | None = None) -> list[tuple]:
    """Several runs in one task (fewer round trips through a Dask scheduler). Each run's
    error is caught here, so one failing run does not take its batch with it, and travels
    back as a plain record (type and message, traceback): an exception object might not
    survive pickling, and a result that cannot be unpickled breaks a process pool or hangs a
    Dask client.

    With ``out`` (the results folder, when the worker shares the disk with the sweep: local
    processes and the embedded cluster) the worker writes each part or failure record
    itself, atomically as the parent would, and returns no data: the parent, which shares
    two cores with the workers, only counts."""
    check_code(job)
    results = []
    for run in runs:
        if out is not None:  # which run a worker that died was in (run_sweep)
            started_path(Path(out), run["run_id"]).touch()
        try:
            df, error = execute_run(job, run), None
        except BaseException as exc:  # noqa: BLE001
            # SystemExit or KeyboardInterrupt raised by a rule too: let through, they would
            # end the worker process, which a process pool reports for every queued run and
            # which an embedded Dask cluster may not replace (the sweep then waits for ever)
            df, error = None, _error_record(exc)
        if out is not None:
            if error is None:
                _record_result(Path(out), run, df)
            else:
                _record_failure(Path(out), run, error)
            results.append((run, None, error, True))
        else:
            results.append((run, df, error, False))
    return results


_WORKER_CODE: list[str] = []


def check_code(job: dict) -> None:
    """Refuse to run if this worker's model code is not the sweep's. Workers of a cluster
    started by hand keep the code they imported: after a rule is changed, a resumed sweep
    would otherwise run the old rule there, silently."""
    wanted = job.get("code_hash")
    if wanted is None:
        return
    if not _WORKER_CODE:
        # a worker forked from the sweep (local, or the embedded cluster's, also one started
        # anew after another died) runs the code the sweep imported, whatever the files say
        # by now: someone saving a file in model/ during the sweep must not stop it
        forked = job.get("sweep") == [socket.gethostname(), os.getppid()]
        _WORKER_CODE.append(wanted if forked else code_hash())
    if _WORKER_CODE[0] != wanted:
        raise ScenarioError(
            "coprod sweep",
            "--scheduler",
            "workers whose model code differs from this sweep's",
            "workers started after the last change to model/ (restart the Dask workers, "
            "and sync their copy of the project)",
        )


def _error_record(exc: BaseException) -> dict:
    return {
        "error": f"{type(exc).__name__}: {exc}",
        "traceback": "".join(traceback.format_exception(exc)),
    }


def _record_failure(out: Path, run: dict, error: dict) -> None:
    record = {
        "run_id": run["run_id"],
        "params": run["params"],
        "scenario": run["scenario"],
        "seed": run["seed"],
        **error,
    }
    _atomic_write_bytes(failure_path(out, run["run_id"]), json.dumps(record, indent=1).encode())
    started_path(out, run["run_id"]).unlink(missing_ok=True)


def _record_result(out: Path, run: dict, df: pd.DataFrame) -> None:
    path = part_path(out, run["run_id"])
    # named by process, so two writers of the same run (a sweep resumed while another still
    # works) never write into one file
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)  # a part exists whole or not at all: what --resume relies on
    failure_path(out, run["run_id"]).unlink(missing_ok=True)
    started_path(out, run["run_id"]).unlink(missing_ok=True)


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


#: a task's try: first, a run on its own after its task's worker died, a run alone
FIRST, SINGLE, ALONE = 0, 1, 2

_WHY = " (killed for using too much memory? os._exit in a rule?)"
DIED = "the worker process died while running this run alone, its second try" + _WHY
DIED_TWICE = "the worker process died while running this run, on its first and second try" + _WHY


def run_sweep(
    job: dict,
    todo: list[dict],
    out: Path,
    executor: Executor,
    progress: Progress,
    batch: int = 1,
    max_pending: int = 64,
    shared_disk: bool = False,
    stop: StopSignals | None = None,
    stall_timeout: float | None = None,
) -> int:
    """Submit runs (up to ``batch`` per task), write each result as it arrives; returns the
    number of failures. A run that raises is recorded and the sweep goes on.

    A worker that dies (killed for memory, ``os._exit`` in a rule) fails the tasks it held:
    a local one breaks the process pool, which fails every run it holds, guilty or not (the
    pool is replaced, ``executor.sweep_restart``); a Dask one fails its task, and any task
    queued on it, with ``KilledWorker``. Runs with a part are done, never also failed; the
    others go again. On the embedded cluster the run the worker died in is known (a worker
    runs one at a time and marks it, :func:`started_path`): it goes again once, on its own,
    and is recorded as failed if its worker dies again. Otherwise, a batch's runs go again
    one per task, and a run whose worker died in a task of its own goes again alone, with
    nothing else in flight; a run whose worker dies then is recorded. A batch thus never
    takes healthy runs with it. Local sweeps keep at most two runs per worker in the pool.

    Tasks are handed out as workers free up, a few more than there are workers (the rest
    waits here), for every backend: submitting a task costs this process a few milliseconds
    (on the embedded Dask cluster, also the scheduler's work on the same cores), and
    submitting all tasks at once delayed the first run by 0.2 s.

    With ``stop``, a signal raises :class:`model.studies.stopping.Stopped` here within
    ``POLL_S`` seconds, between results: runs in flight are neither waited for nor recorded.
    A lost Dask scheduler (``executor.sweep_lost``) and ``stall_timeout`` seconds without
    progress raise :class:`model.studies.stopping.Aborted` the same way."""
    restartable = getattr(executor, "sweep_restart", None) is not None
    lost = getattr(executor, "sweep_lost", None)
    workers = getattr(executor, "sweep_workers", None)
    if workers:
        max_pending = min(max_pending, 2 * workers if restartable else 2 * workers + 2)
    pending: dict = {}
    queue = [(runs, FIRST) for runs in _batches(todo, batch, workers)]
    alone: list[list[dict]] = []  # runs to go again with nothing else in flight
    struck: set[int] | None = set() if shared_disk and not restartable else None  # embedded
    watchdog = Watchdog(stall_timeout, [out / "parts", out / "failures"])
    failures = 0
    generation = 0  # of the process pool, counted up at each replacement
    folder = str(out) if shared_disk else None
    while queue or pending or alone:
        while alone and not pending:
            task = (alone.pop(0), ALONE)
            executor, generation = _submit(executor, generation, pending, job, task, folder, lost)
        while queue and len(pending) < max_pending and not alone:
            task = queue.pop(0)
            executor, generation = _submit(executor, generation, pending, job, task, folder, lost)
        done, _ = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
        if stop is not None:
            stop.check()
        watchdog.check(bool(done))
        cancelled = False
        for future in done:
            runs, gen, level = pending.pop(future)
            try:
                results = future.result()
            except ScenarioError:
                raise  # not the run's fault (e.g. workers with other code): stop, say why
            except CancelledError:  # Dask's client lost its scheduler, which had the task
                cancelled = True
                continue
            except Exception as exc:  # its worker died (BrokenExecutor, KilledWorker), ...
                if isinstance(exc, BrokenExecutor) and gen == generation and restartable:
                    executor, generation = _replace(executor), generation + 1
                results = _try_again(out, runs, level, exc, queue, alone, struck)
            for run, df, error, written in results:
                if error is not None and part_path(out, run["run_id"]).exists():
                    error, written = None, True  # its part was written before its worker died
                if error is not None:
                    failures += 1
                    if not written:
                        _record_failure(out, run, error)
                elif not written:
                    _record_result(out, run, df)
                progress.update(error is None)
        why = lost() if lost is not None else None  # after keeping the results that came
        if why or cancelled:
            raise Aborted(why or "Dask cancelled the sweep's tasks")
    return failures


def _try_again(out, runs, level, exc, queue, alone, struck) -> list[tuple]:
    """What becomes of the runs of a task that died outside them (its worker died): those
    with a part are done (returned, to be counted); the others go back in line, as
    :func:`run_sweep` says, or are returned as failed."""
    died = isinstance(exc, BrokenExecutor) or type(exc).__name__ == "KilledWorker"
    left = [r for r in runs if not part_path(out, r["run_id"]).exists()]
    results = [(run, None, None, True) for run in runs if run not in left]
    going = [r for r in left if struck is not None and started_path(out, r["run_id"]).exists()]
    if going:  # the embedded cluster: the run its worker died in, and runs not yet begun
        if rest := [r for r in left if r not in going]:
            queue.insert(0, (rest, level))
        for run in going:
            started_path(out, run["run_id"]).unlink(missing_ok=True)
            if run["run_id"] in struck:
                error = _error_record(RuntimeError(DIED_TWICE) if died else exc)
                results.append((run, None, error, False))
            else:
                struck.add(run["run_id"])
                queue.insert(0, ([run], SINGLE))
    elif level == FIRST and len(left) > 1:
        queue[:0] = [([run], SINGLE) for run in left]
    elif level != ALONE:
        alone += [[run] for run in left]
    else:
        error = _error_record(RuntimeError(DIED) if died else exc)
        results += [(run, None, error, False) for run in left]
    return results


def _submit(executor, generation, pending, job, task, folder, lost):
    runs, level = task
    try:
        future = executor.submit(execute_batch, job, runs, folder)
    except BrokenExecutor:  # broke since the last check: replace it before going on
        executor, generation = _replace(executor), generation + 1
        future = executor.submit(execute_batch, job, runs, folder)
    except Exception:
        if lost is not None and (why := lost()):  # a closed Dask client refuses new tasks
            raise Aborted(why) from None
        raise
    pending[future] = (runs, generation, level)
    return executor, generation


def _replace(executor: Executor) -> Executor:
    restart = getattr(executor, "sweep_restart", None)
    if restart is None:
        raise BrokenExecutor("the process pool broke and cannot be replaced")
    return restart()
