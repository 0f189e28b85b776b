"""Cost of a full model step per citizen-month, against Mesa's per-agent baseline.

For 10,000 and 100,000 citizens this prints, in one run of one process:

* the cost per citizen of one full ``CoProductionModel.step()`` (all nine mechanisms,
  organisations, administration and indicators), median over repeated steps;
* the cost per agent of Mesa's ``shuffle_do("step")`` over plain ``mesa.Agent`` objects with
  an empty ``step()`` — the floor of any per-agent Python model;
* their ratio. Target (issue 2): ratio <= 0.2.

Run: ``uv run python benchmarks/step_cost.py [--sizes 10000 100000] [--steps 12]``
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import mesa

from model import CoProductionModel, Scenario


class EmptyAgent(mesa.Agent):
    def step(self) -> None:
        pass


class EmptyModel(mesa.Model):
    def __init__(self, n: int):
        super().__init__(rng=1)
        EmptyAgent.create_agents(self, n)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def time_steps(model: mesa.Model, steps: int) -> float:
    """Median seconds of one ``model.step()``."""
    model.step()  # warm-up
    samples = []
    for _ in range(steps):
        gc.disable()
        t0 = time.perf_counter()
        model.step()
        samples.append(time.perf_counter() - t0)
        gc.enable()
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--steps", type=int, default=12)
    args = ap.parse_args()
    print(
        f"{'citizens':>10} {'model ns/citizen-month':>24} {'mesa empty ns/agent':>21} {'ratio':>7}"
    )
    for n in args.sizes:
        scenario = Scenario.model_validate(
            {"run": {"citizens": n, "months": args.steps + 2, "burn_in_months": 0}}
        )
        model = CoProductionModel(scenario, rng=1)
        t_model = time_steps(model, args.steps) / n
        t_mesa = time_steps(EmptyModel(n), args.steps) / n
        print(f"{n:>10,} {t_model * 1e9:>24.1f} {t_mesa * 1e9:>21.1f} {t_model / t_mesa:>7.3f}")


if __name__ == "__main__":
    main()
