"""What the embedded Dask cluster costs before and after the runs, phase by phase.

``benchmarks/sweep_speed.py`` measures the Dask backend's overhead on a whole sweep; on a
short sweep most of it is this fixed cost, which does not grow with the number of runs.
Each repetition is a fresh Python process (an import is paid once per process, as a
user's ``coprod sweep`` pays it), which times, after importing the model:

- **warm-up**: loading the compiled rules (``model.simulation.model.warm_up``), which both backends
  do before forking their workers;
- **import**: ``import dask.distributed`` (Dask only);
- **start**: ``make_executor`` as ``coprod sweep`` calls it, up to workers ready to run
  (for Dask: scheduler, nannies, forked workers registered, client connected);
- **stop**: shutting the executor down.

Prints the medians and ranges over ``--repeat`` repetitions (default 5) for local processes
and the embedded cluster, both with ``--workers`` workers (default 2), and writes
``benchmarks/results/dask_startup.json`` and ``dask_startup.md``.

Run: ``uv run python benchmarks/dask_startup.py [--repeat N] [--workers N]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import dask
import distributed
from _machine import machine

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
backend, workers = sys.argv[1], int(sys.argv[2])
from model.simulation.model import warm_up
from model.studies.executors import make_executor
t0 = time.perf_counter()
warm_up()
t1 = time.perf_counter()
if backend == "dask":
    import dask.distributed  # noqa: F401
t2 = time.perf_counter()
executor, close = make_executor(backend, workers, None)
if backend == "local":  # a process pool forks its workers on the first task
    executor.submit(int, 0).result()
t3 = time.perf_counter()
close()
t4 = time.perf_counter()
print(json.dumps({"warm_up": t1 - t0, "import": t2 - t1, "start": t3 - t2, "stop": t4 - t3}))
"""

PHASES = ["warm_up", "import", "start", "stop"]


def one(backend: str, workers: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, backend, str(workers)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"{backend} failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    opts = ap.parse_args()
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine({"dask": dask.__version__, "distributed": distributed.__version__}),
        "workers": opts.workers,
        "repeat": opts.repeat,
        "seconds": {"local": {p: [] for p in PHASES}, "dask": {p: [] for p in PHASES}},
    }
    for _ in range(opts.repeat):  # alternating, so both share the machine's drift
        for backend in ("local", "dask"):
            for phase, secs in one(backend, opts.workers).items():
                report["seconds"][backend][phase].append(round(secs, 4))

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"

    lines = [
        f"# Fixed cost of the sweep backends ({report['date']})",
        "",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores; "
        f"dask {dask.__version__}. {opts.workers} workers, {opts.repeat} fresh processes per "
        "backend. Command: `uv run python benchmarks/dask_startup.py`. Seconds, median "
        "(range).",
        "",
        "| phase | local processes | embedded Dask cluster |",
        "|---|---:|---:|",
    ]
    s = report["seconds"]
    for phase in PHASES:
        lines.append(
            f"| {phase.replace('_', '-')} | {cell(s['local'][phase])} | {cell(s['dask'][phase])} |"
        )
    extra = [
        sum(s["dask"][p][k] - s["local"][p][k] for p in ("import", "start", "stop"))
        for k in range(opts.repeat)
    ]
    report["dask_extra_s"] = [round(x, 4) for x in extra]
    lines += [
        "",
        f"Dask's extra fixed cost (import, start and stop, against local processes): "
        f"{cell(extra)} s.",
        "",
    ]
    md = "\n".join(lines)
    print(md)
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "dask_startup.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    (opts.out / "dask_startup.md").write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()
