"""Sweep throughput: runs per minute with 1 and 2 local workers, and the Dask overhead.

Runs the ``levers`` experiment as shipped (2,000 citizens x 120 months, 8 points x 20
replications = 160 runs; ``--replications`` for a quicker look) with three configurations:
local processes with 1 worker, local with 2, and Dask (embedded ``LocalCluster``) with 2.

Every sweep is a fresh ``coprod sweep`` process, as a user runs it, so each Dask sweep pays
what a user's pays: importing ``dask.distributed``, starting the cluster and shutting it
down. (Sweeps inside one process would import Dask once and hide that from all but the
first.) Two times are taken for each sweep:

- **sweep**: the ``coprod sweep`` command itself, from reading the experiment to the last
  part written, including loading the compiled rules and, for Dask, the import and the
  cluster. This is the time the targets are checked on.
- **command**: the whole process, also starting Python and importing the model, which both
  backends pay alike.

Each configuration runs ``--rounds`` times (default 10, about 8 minutes). In every round
local with 2 workers runs in the middle, and the other two before and after it, swapping
places from round to round: both ratios (2 workers against 1, Dask against local) compare
sweeps that ran one after the other, and each configuration runs first and last equally
often. The speed of a shared machine drifts by 20% and more over minutes; sweeps run next
to each other share most of that drift, which a ratio then cancels. (An order rotating
over all three put Dask and the local sweep it is compared with 16 s apart in a third of
the rounds.) The ratios are taken within a round before their median is taken, and a
bootstrap over the rounds gives the median's 95% interval: on a 2-core VM single rounds of
the Dask ratio scattered from -10% to +43%, and three runs of the same code gave medians
of +12.6% (10 rounds), +6.6% (20) and +8.2% (10); fewer rounds than 10 say little. Targets: parallel
efficiency rate_2 / (2 x rate_1) >= 0.8; Dask overhead (time_dask / time_local_2 - 1)
<= 10%.

Writes ``benchmarks/results/sweep_speed.json`` and ``sweep_speed.md``.

Run: ``uv run python benchmarks/sweep_speed.py [--replications N] [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dask
import distributed
from _machine import machine

ROOT = Path(__file__).resolve().parent.parent

# runs in the child process: the time of main() is the sweep's, the rest is Python's start
# and the model's import
CHILD = """
import json, sys, time
t0 = time.perf_counter()
from model.interface.cli import main
t1 = time.perf_counter()
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "import_s": t1 - t0, "sweep_s": time.perf_counter() - t1}))
"""

CONFIGS = [
    ("local, 1 worker", ["--workers", "1"]),
    ("local, 2 workers", ["--workers", "2"]),
    ("dask, 2 workers", ["--workers", "2", "--backend", "dask"]),
]
LOCAL1, LOCAL2, DASK = (label for label, _ in CONFIGS)


SETTLE_S = 2.0


def settle() -> None:
    """Let the machine quieten down before a sweep: the previous sweep's 160 parts are
    still being written back to disk for up to 30 s (the kernel's dirty-page expiry), and
    its exiting processes still free memory. Without this, a sweep paid for whichever sweep
    ran before it."""
    os.sync()
    time.sleep(SETTLE_S)


def one_sweep(exp: Path, out: Path, extra: list[str]) -> dict:
    args = ["sweep", str(exp), "--out", str(out), "--quiet", *extra]
    settle()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args], cwd=ROOT, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and all its workers
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"sweep failed (exit {proc.returncode}): {' '.join(args)}\n{proc.stderr}")
    timing = json.loads(proc.stdout.strip().splitlines()[-1])
    # the parts' times of writing: from the first finished run to the last, the sweep runs
    # at its steady rate, without its start (imports, compiled rules, cluster) and end
    done = sorted(p.stat().st_mtime for p in (out / "parts").glob("run-*.parquet"))
    steady = (done[-1] - done[0]) / (len(done) - 1) * len(done)
    shutil.rmtree(out)  # kept no longer than measured: nothing left for the next to write back
    return {
        "sweep_s": round(timing["sweep_s"], 2),
        "command_s": round(wall, 2),
        "steady_s": round(steady, 2),
        "cpu_s": round(cpu, 2),
    }


BOOTSTRAP = 4000


def median_interval(values: list[float], level: float = 0.95) -> list[float]:
    """Percentile bootstrap interval of the median over rounds (rounds resampled with
    replacement, fixed seed): how far the reported median could be from the machine's
    true one, given how much its rounds scatter."""
    rng = random.Random(0)
    medians = sorted(
        statistics.median(rng.choices(values, k=len(values))) for _ in range(BOOTSTRAP)
    )
    tail = (1 - level) / 2
    return [medians[int(tail * BOOTSTRAP)], medians[int((1 - tail) * BOOTSTRAP) - 1]]


def summarise(times: dict[str, list[dict]], runs: int, key: str) -> dict:
    """Rates, and the two ratios per round and their median, for one of the two times."""
    t = {label: [r[key] for r in rounds] for label, rounds in times.items()}
    eff = [a / (2 * b) for a, b in zip(t[LOCAL1], t[LOCAL2], strict=True)]
    over = [d / b - 1 for d, b in zip(t[DASK], t[LOCAL2], strict=True)]
    return {
        "seconds_by_round": t,
        "runs_per_minute_median": {
            k: round(runs / statistics.median(v) * 60) for k, v in t.items()
        },
        "efficiency_by_round": [round(x, 3) for x in eff],
        "efficiency": round(statistics.median(eff), 3),
        "efficiency_ci95": [round(x, 3) for x in median_interval(eff)],
        "dask_overhead_by_round": [round(x, 4) for x in over],
        "dask_overhead": round(statistics.median(over), 4),
        "dask_overhead_ci95": [round(x, 4) for x in median_interval(over)],
        # the same two from the fastest round of each configuration (on a shared machine
        # other work only adds time)
        "efficiency_fastest": round(min(t[LOCAL1]) / (2 * min(t[LOCAL2])), 3),
        "dask_overhead_fastest": round(min(t[DASK]) / min(t[LOCAL2]) - 1, 4),
    }


def markdown(report: dict) -> str:
    m = report["machine"]
    s, c, st = report["sweep"], report["command"], report["steady"]
    lines = [
        f"# Sweep benchmark ({report['date']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, dask {m['dask']}, "
        f"distributed {m['distributed']}; load average before the run {m['load_average']}. "
        f"Command: `uv run python benchmarks/sweep_speed.py`.",
        "",
        f"The `levers` experiment: {report['runs']} runs of 2,000 citizens x 120 months. Each "
        f"configuration ran {report['rounds']} times, each time as a fresh `coprod sweep` "
        "process; in each round local with 2 workers ran in the middle, the other two before and "
        "after it, swapping from round to round.",
        "",
        "| configuration | sweep s, median (all rounds) | runs/min | command s, median |",
        "|---|---:|---:|---:|",
    ]
    for label in s["seconds_by_round"]:
        secs = s["seconds_by_round"][label]
        lines.append(
            f"| {label} | {statistics.median(secs):.1f} ({', '.join(f'{x:.1f}' for x in secs)}) "
            f"| {s['runs_per_minute_median'][label]} "
            f"| {statistics.median(c['seconds_by_round'][label]):.1f} |"
        )

    def pct(x: float) -> str:
        return f"{100 * x:+.1f}%"

    med2 = statistics.median(s["seconds_by_round"][LOCAL2])

    lines += [
        "",
        "| measure | target | sweep: median over rounds | its 95% interval | rounds' range "
        "| sweep: fastest rounds | whole command | steady rate |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        f"| parallel efficiency, 2 workers | ≥ 0.8 | **{s['efficiency']:.2f}** "
        f"| {s['efficiency_ci95'][0]:.2f}–{s['efficiency_ci95'][1]:.2f} "
        f"| {min(s['efficiency_by_round']):.2f}–{max(s['efficiency_by_round']):.2f} "
        f"| {s['efficiency_fastest']:.2f} | {c['efficiency']:.2f} | {st['efficiency']:.2f} |",
        f"| Dask overhead against local processes | ≤ 10% | **{pct(s['dask_overhead'])}** "
        f"| {pct(s['dask_overhead_ci95'][0])} to {pct(s['dask_overhead_ci95'][1])} "
        f"| {pct(min(s['dask_overhead_by_round']))} to {pct(max(s['dask_overhead_by_round']))} "
        f"| {pct(s['dask_overhead_fastest'])} | {pct(c['dask_overhead'])} "
        f"| {pct(st['dask_overhead'])} |",
        "",
        f"CPU time of the whole command, all its processes (less moved by other load on "
        f"the machine than wall time): local with 2 workers "
        f"{statistics.median(report['cpu']['seconds_by_round'][LOCAL2]):.1f} s, Dask "
        f"{statistics.median(report['cpu']['seconds_by_round'][DASK]):.1f} s (medians); "
        f"Dask's extra CPU, median over rounds: {pct(report['cpu']['dask_overhead'])}.",
        "",
        "From the medians of the sweep times instead of the ratios within rounds: "
        f"efficiency {statistics.median(s['seconds_by_round'][LOCAL1]) / (2 * med2):.2f}, "
        f"Dask overhead {pct(statistics.median(s['seconds_by_round'][DASK]) / med2 - 1)}.",
        "",
        "*Steady rate*: from the first part written to the last (the sweep's start and end "
        "left out), the time the same number of runs takes at that rate; medians of the "
        "ratios within rounds. What a long sweep (thousands of runs) approaches.",
        "",
        "*95% interval*: percentile bootstrap of the median over rounds (rounds resampled "
        f"{BOOTSTRAP} times): on a machine whose speed drifts, how far the median of this "
        "many rounds may lie from the one a longer run would give.",
        "",
        "Ratios are taken within each round, then their median. *Sweep* times the `coprod "
        "sweep` command from reading the experiment to the last part written (loading the "
        "compiled rules and, for Dask, importing `dask.distributed`, starting and stopping the "
        "cluster included); *whole command* also counts starting Python and importing the "
        "model, which both backends pay alike.",
        "",
    ]
    return "\n".join(lines)


def run() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=10, help="repetitions of each configuration")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    opts = ap.parse_args()
    text = (ROOT / "experiments" / "levers.toml").read_text(encoding="utf-8")
    text = re.sub(r"replications = \d+", f"replications = {opts.replications}", text)
    runs = 8 * opts.replications
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine({"dask": dask.__version__, "distributed": distributed.__version__}),
        "runs": runs,
        "rounds": opts.rounds,
    }
    times: dict[str, list[dict]] = {label: [] for label, _ in CONFIGS}
    with tempfile.TemporaryDirectory() as tmp:
        exp = Path(tmp) / "levers.toml"
        exp.write_text(text, encoding="utf-8")
        for r in range(opts.rounds):
            # local with 2 workers in the middle, next to both sweeps it is compared with
            for label, extra in CONFIGS if r % 2 == 0 else CONFIGS[::-1]:
                out = Path(tmp) / f"{label.replace(' ', '').replace(',', '_')}_{r}"
                times[label].append(one_sweep(exp, out, extra))
                t = times[label][-1]
                print(
                    f"round {r + 1}: {label:<17} sweep {t['sweep_s']:5.1f} s, "
                    f"command {t['command_s']:5.1f} s",
                    flush=True,
                )
    report["sweep"] = summarise(times, runs, "sweep_s")
    report["command"] = summarise(times, runs, "command_s")
    report["steady"] = summarise(times, runs, "steady_s")
    report["cpu"] = summarise(times, runs, "cpu_s")
    md = markdown(report)
    print("\n" + md)
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "sweep_speed.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    (opts.out / "sweep_speed.md").write_text(md, encoding="utf-8")


if __name__ == "__main__":
    run()
