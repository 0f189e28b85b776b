"""Full-city scale: speed and memory of the model against its limits, in one run.

``uv run python benchmarks/scale.py`` prints one table and writes it as JSON (and Markdown)
to ``benchmarks/results/``. It measures, in this one process and on this machine:

1. **Step cost** per citizen-month of a full ``CoProductionModel.step()`` (all nine
   mechanisms, organisations, administration, indicators and Mesa's DataCollector) at
   10,000, 100,000 and 1,080,000 citizens (all residents of Cologne), after a 12-month
   burn-in so the city is in its usual state.
2. **Mesa's floor**: ``shuffle_do("step")`` over plain ``mesa.Agent`` objects whose
   ``step()`` does nothing, per agent, at the same sizes. Target: model / Mesa <= 0.2.
3. **The memory-bandwidth floor** of this model (:func:`floor_step`): one compiled pass
   that does the least any implementation of a month must do — aggregate the engaged ties
   of every citizen over the network (the one sparse neighbour aggregation the rules need,
   in the same cheapest form: each volunteer's ties counted once) and read every citizen
   column a month reads in full once and write back each column a month rewrites for
   everyone, with trivial arithmetic. It draws no random numbers and takes no decision, so
   no model step can be faster than it on this machine. Target: model / floor <= 3.
4. **Linearity**: cost per citizen-month at 1.08 million over that at 10,000 (<= 1.5).
5. **The main job at full scale**: ``coprod run scenarios/baseline.toml --citizens
   1080000`` as a separate process (imports, population, network, burn-in, 120 months,
   output files): wall time (target <= 60 s) and peak memory (target <= 4 GB), and the
   initialisation of 1.08 million citizens with their network and burn-in (<= 15 s).

Steps are timed in CPU time of this thread, in five rounds of short blocks (model, Mesa,
floor, model, ...; each block back to back, as steps run in a real run), and the median is
kept, so that other work on a shared machine moves all three alike; the ratios are what
to quote.

Run: ``uv run python benchmarks/scale.py [--sizes 10000 100000 1080000] [--samples 15]
[--no-run]`` (samples are split over 5 rounds).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import mesa
import numba
import numpy as np
from _machine import machine

from model import CoProductionModel, Scenario
from model.simulation.citizens import State

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FULL_CITY = 1_080_000
ROUNDS = 5
ENGAGED = int(State.ENGAGED)


class EmptyAgent(mesa.Agent):
    def step(self) -> None:
        pass


class EmptyModel(mesa.Model):
    """Mesa's floor: agents that do nothing, activated in random order each step."""

    def __init__(self, n: int):
        super().__init__(rng=1)
        EmptyAgent.create_agents(self, n)

    def step(self) -> None:
        self.agents.shuffle_do("step")


@numba.njit(cache=True)
def floor_step(indptr, indices, state, static, changing, ties):
    """One month at the memory-bandwidth floor (see the module docstring, item 3).

    ``static`` are the columns a month reads but never changes (education, age, time,
    interest, dispositions, ...), ``changing`` the ones it reads and writes (energy, trust,
    efficacy, loneliness, ownership, disappointment, hours, ...), all as float32 rows.
    """
    n = state.size
    for i in range(n):
        ties[i] = 0.0
    # the one neighbour aggregation: each volunteer adds one to each of their ties
    for i in range(n):
        if state[i] == ENGAGED:
            for k in range(indptr[i], indptr[i + 1]):
                ties[indices[k]] += 1.0
    # every column read once, each changing column written once
    for i in range(n):
        s = ties[i]
        for c in range(static.shape[0]):
            s += static[c, i]
        for c in range(changing.shape[0]):
            changing[c, i] = 0.999 * changing[c, i] + 0.0001 * s
        state[i] = state[i] if s >= 0.0 else 0


class Floor:
    """The floor kernel over a copy of a model's data, laid out the same way."""

    def __init__(self, m: CoProductionModel):
        pop = m.citizens
        n = pop.n
        # the columns every month reads in full (rules and indicators), at their own byte
        # widths, as float32 rows of the same total size, so the pass moves as many bytes;
        # columns a month touches only for a few citizens (interest for the thinned
        # participants, entry_step and entered_asked for joiners) are left out
        static_bytes = sum(
            a.nbytes
            for a in (
                pop.education,
                pop.age_group,
                pop.migration,
                pop.silent,
                pop.time,
                pop.mean_interest,
                pop.trust_disposition,
                pop.efficacy_disposition,
                m._baseline_loneliness,
                m.degree,
                pop.hours,  # read by exhaustion, hours by challenge and the indicators;
                pop.organisation,  # written only for joiners and leavers
            )
        )
        # the columns every month rewrites for every citizen
        changing_bytes = sum(
            a.nbytes
            for a in (
                pop.energy,
                pop.trust,
                pop.efficacy,
                pop.loneliness,
                pop.ownership,
                pop.disappointment,
                pop.asked,
                pop.asked_in_person,
            )
        )
        rng = np.random.default_rng(0)
        self.static = rng.random((max(1, round(static_bytes / (4 * n))), n), dtype=np.float32)
        self.changing = rng.random((max(1, round(changing_bytes / (4 * n))), n), dtype=np.float32)
        self.state = pop.state.copy()
        self.indptr, self.indices = m.network.indptr, m.network.indices
        self.ties = np.zeros(n, dtype=np.float32)
        self.bytes_per_citizen = (static_bytes + changing_bytes + pop.state.nbytes) / n

    def step(self) -> None:
        floor_step(self.indptr, self.indices, self.state, self.static, self.changing, self.ties)


def cpu_seconds(step) -> float:
    gc.disable()
    t0 = time.thread_time()
    step()
    dt = time.thread_time() - t0
    gc.enable()
    return dt


def step_costs(n: int, samples: int) -> dict:
    """Median cost per citizen-month (ns) of model, Mesa's empty step and the floor."""
    scenario = Scenario.model_validate(
        {"run": {"citizens": n, "months": 600, "burn_in_months": 12}}
    )
    model = CoProductionModel(scenario, rng=1)
    mesa_model = EmptyModel(n)
    floor = Floor(model)
    for thing in (model, mesa_model, floor):  # warm-up (compilation, caches)
        thing.step()
    times: dict[str, list[float]] = {"model": [], "mesa": [], "floor": []}
    # rounds of short blocks: each block runs back to back (warm caches, as in a real run);
    # the rounds spread other load on the machine over all three alike, and the ratio of
    # each round's medians shows how much the comparison itself varies
    block = max(1, samples // ROUNDS)
    ratios: dict[str, list[float]] = {"mesa": [], "floor": []}
    for _ in range(ROUNDS):
        medians = {}
        for name, thing in (("model", model), ("mesa", mesa_model), ("floor", floor)):
            thing.step()  # the first step of a block refills the caches; not counted
            round_times = [cpu_seconds(thing.step) for _ in range(block)]
            times[name] += round_times
            medians[name] = statistics.median(round_times)
        for name in ratios:
            ratios[name].append(medians["model"] / medians[name])
    med = {k: statistics.median(v) / n * 1e9 for k, v in times.items()}
    out = {
        "citizens": n,
        "model_ns_per_citizen_month": round(med["model"], 1),
        "mesa_empty_ns_per_agent": round(med["mesa"], 1),
        "floor_ns_per_citizen": round(med["floor"], 1),
        "ratio_to_mesa": round(med["model"] / med["mesa"], 3),
        "ratio_to_floor": round(med["model"] / med["floor"], 2),
        # the same ratios round by round: their range is the benchmark's own uncertainty
        "ratio_to_mesa_by_round": [round(r, 3) for r in ratios["mesa"]],
        "ratio_to_floor_by_round": [round(r, 2) for r in ratios["floor"]],
        "network_ties": int(model.network.nnz // 2),
        "floor_bytes_per_citizen": round(floor.bytes_per_citizen, 1),
    }
    del model, mesa_model, floor
    gc.collect()
    return out


def full_run(n: int) -> dict:
    """The main job at full scale in a fresh process: wall time, peak memory, init time."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "model.interface.cli",
                "run",
                str(ROOT / "scenarios" / "baseline.toml"),
                "--citizens",
                str(n),
                "--out",
                tmp,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"coprod run failed:\n{proc.stderr[-2000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    found = re.search(r"initialisation ([0-9.]+) s.*months ([0-9.]+) s", proc.stdout)
    init_s, months_s = (float(found.group(1)), float(found.group(2))) if found else (None, None)
    return {
        "citizens": n,
        "months": 120,
        "wall_s": round(wall, 1),
        "peak_memory_gb": round(peak_kb / 1024**2, 2),
        "init_s": init_s,
        "months_s": months_s,
        # the rest of the wall time: starting Python, imports, writing the output files
        "imports_and_output_s": round(wall - init_s - months_s, 1) if found else None,
    }


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"# Scale benchmark ({report['date']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}, "
        f"numpy {m['numpy']}, numba {m['numba']}, Mesa {m['mesa']}; load average before "
        f"the run {m['load_average']}. Command: `uv run python benchmarks/scale.py`.",
        "",
        "| citizens | model ns/citizen-month | Mesa empty ns/agent | model/Mesa (≤ 0.2) "
        "| floor ns/citizen | model/floor (≤ 3) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["steps"]:
        mesa_range = f"{min(r['ratio_to_mesa_by_round'])}–{max(r['ratio_to_mesa_by_round'])}"
        floor_range = f"{min(r['ratio_to_floor_by_round'])}–{max(r['ratio_to_floor_by_round'])}"
        lines.append(
            f"| {r['citizens']:,} | {r['model_ns_per_citizen_month']} | "
            f"{r['mesa_empty_ns_per_agent']} | **{r['ratio_to_mesa']}** ({mesa_range}) | "
            f"{r['floor_ns_per_citizen']} | **{r['ratio_to_floor']}** ({floor_range}) |"
        )
    lines += [
        "",
        f"Medians over {ROUNDS} rounds of timed steps; in brackets the range of the ratio "
        "from round to round.",
    ]
    lines += ["", f"Linearity (cost at the largest size / at 10,000; ≤ 1.5): {report['linearity']}"]
    run = report.get("full_run")
    if run:
        lines += [
            "",
            f"`coprod run scenarios/baseline.toml --citizens {run['citizens']:,}` "
            f"({run['months']} months, one process): **{run['wall_s']} s** wall (≤ 60), "
            f"peak memory **{run['peak_memory_gb']} GB** (≤ 4); of which initialisation "
            f"(population, network, 36-month burn-in) **{run['init_s']} s** (≤ 15), the 120 "
            f"months {run['months_s']} s, and starting Python, imports and writing the "
            f"output {run['imports_and_output_s']} s.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, FULL_CITY])
    ap.add_argument(
        "--samples", type=int, default=15, help=f"timed steps of each ({ROUNDS} rounds)"
    )
    ap.add_argument("--no-run", action="store_true", help="skip the full-scale coprod run")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    report: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(
            {"numpy": np.__version__, "numba": numba.__version__, "mesa": mesa.__version__}
        ),
        "steps": [],
    }
    head = (
        f"{'citizens':>10} {'model ns/c-m':>13} {'mesa ns/agent':>14} {'model/mesa':>11} "
        f"{'floor ns/c':>11} {'model/floor':>12}"
    )
    print(head)
    for n in args.sizes:
        r = step_costs(n, args.samples)
        report["steps"].append(r)
        print(
            f"{n:>10,} {r['model_ns_per_citizen_month']:>13} {r['mesa_empty_ns_per_agent']:>14} "
            f"{r['ratio_to_mesa']:>11} {r['floor_ns_per_citizen']:>11} {r['ratio_to_floor']:>12}"
            f"   rounds: mesa {r['ratio_to_mesa_by_round']} floor {r['ratio_to_floor_by_round']}",
            flush=True,
        )
    steps = report["steps"]
    report["linearity"] = round(
        steps[-1]["model_ns_per_citizen_month"] / steps[0]["model_ns_per_citizen_month"], 2
    )
    print(f"linearity (largest / smallest size): {report['linearity']}")
    if not args.no_run:
        run = full_run(max(args.sizes))
        report["full_run"] = run
        print(
            f"full run {run['citizens']:,} x 120 months: {run['wall_s']} s wall, "
            f"{run['peak_memory_gb']} GB peak; init {run['init_s']} s, months {run['months_s']} s, "
            f"imports and output {run['imports_and_output_s']} s"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "scale.md").write_text(markdown(report), encoding="utf-8")
    print(f"written: {args.out / 'scale.json'}, {args.out / 'scale.md'}")


if __name__ == "__main__":
    main()
