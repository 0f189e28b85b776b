"""How sure is a line? The scenario and its reference under other seeds, in the background.

One run at the page's size is one draw of chance: at 2,000 simulated residents, the share
engaged after ten years differs by one to three percentage points between seeds, as much as
several scenario effects. So the page does not leave the room with one line: for the
scenario (without the room's changes) and its reference it runs ``SEEDS`` pairs of runs, each
pair with the same seed (common random numbers, so that the pair differs by the scenario, not
by chance alone), and shows

- a band: where 80% of such single lines run (the 10th to 90th percentile over the seeds);
- the answer in words: the mean difference between scenario and reference in the indicator
  its question asks about, with its 90% confidence interval (mean ± 1.645 standard errors
  over the pairs), and whether that is more than chance (the interval excludes zero).

The ensemble runs on one thread of the process for all sessions (a room mostly plays the
same few scenarios, and each result is kept: ``CACHE_SIZE``), so it never takes more than one
of the machine's cores from the live runs.
"""

from __future__ import annotations

import json
import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from model.simulation.model import CoProductionModel
from model.simulation.scenario import Rules
from model.simulation.scenario.files import load_scenario

#: pairs of runs behind a band: enough for a 10-90% band and a confidence interval of the mean
#: difference (its half-width falls as 1/sqrt(SEEDS)); each pair costs about 0.3 s of one core
#: at 2,000 residents over ten years (measured on the 2-core test machine)
SEEDS = 12
#: the seeds of the ensemble: apart from the page's default seed (42) and small ones students
#: try, so that the band is not the live line again
FIRST_SEED = 1000
#: ensembles kept (each some hundred kilobytes)
CACHE_SIZE = 16
#: quantiles of the band, and the normal quantile of the two-sided 90% interval
BAND = (0.1, 0.9)
Z90 = 1.645
#: months the answer averages over: a year, as the survey waves it is compared with
WINDOW = 12


@dataclass(frozen=True)
class Key:
    """What an ensemble depends on: scenario, reference (None: the scenario itself), size and
    rule variants with their parameters (the ``[rules]`` table as sorted JSON)."""

    scenario: str
    reference: str | None
    citizens: int
    rules: str


@dataclass(frozen=True)
class Ensemble:
    """``SEEDS`` paired runs: ``live[column]`` and ``reference[column]`` are arrays
    (seed, month) of every numeric indicator, over the whole run."""

    dates: list[str]
    live: dict[str, np.ndarray]
    reference: dict[str, np.ndarray]

    @property
    def seeds(self) -> int:
        return next(iter(self.live.values())).shape[0]

    def band(self, column: str, which: str = "reference") -> tuple[np.ndarray, np.ndarray]:
        """The 10th and 90th percentile over the seeds, month by month."""
        runs = (self.reference if which == "reference" else self.live)[column]
        low, high = np.quantile(runs, BAND, axis=0)
        return low, high

    def difference(self, column: str, month: int) -> Difference:
        """Scenario minus reference in ``column`` over the year up to month index ``month``
        (its mean over those months: one month alone is as noisy as the monthly flow of
        joiners and leavers), over the pairs."""
        first = max(0, month - WINDOW + 1)
        live = self.live[column][:, first : month + 1].mean(axis=1)
        d = live - self.reference[column][:, first : month + 1].mean(axis=1)
        se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("inf")
        mean = float(d.mean())
        return Difference(mean, mean - Z90 * se, mean + Z90 * se, len(d))


@dataclass(frozen=True)
class Difference:
    """A mean difference over paired runs and its 90% confidence interval."""

    mean: float
    low: float
    high: float
    pairs: int

    @property
    def beyond_chance(self) -> bool:
        """Whether the interval excludes zero."""
        return self.low > 0 or self.high < 0


def key_of(sim) -> Key:
    """The ensemble a session's :class:`Simulation` needs now."""
    rules = json.dumps(sim.rules or {}, sort_keys=True)
    return Key(sim.scenario_name, sim.reference, sim.citizens, rules)


def compute(key: Key, seeds: int = SEEDS) -> Ensemble:
    """Run the ``seeds`` pairs of ``key`` (seconds; call it in the background)."""
    scenario = load_scenario(key.scenario)
    rules = json.loads(key.rules)
    if rules:
        scenario = scenario.model_copy(update={"rules": Rules.model_validate(rules)})
    other = scenario
    if key.reference is not None and key.reference != key.scenario:
        other = load_scenario(key.reference).model_copy(update={"rules": scenario.rules})
    live: list = []
    reference: list = []
    dates: list[str] = []
    same = other is scenario  # the scenario against itself: one run per seed serves both
    for seed in range(FIRST_SEED, FIRST_SEED + seeds):
        for config, out in ((scenario, live),) if same else ((scenario, live), (other, reference)):
            model = CoProductionModel(config, rng=seed, citizens=key.citizens)
            while model.running:
                model.step()
            frame = model.dataframe()
            dates = frame["date"].astype(str).tolist()
            out.append(frame.select_dtypes("number"))
    reference = live if same else reference
    # indicators every run has (some exist only where a format ran, e.g. an assembly's)
    columns = [c for c in live[0].columns if all(c in f for f in live + reference)]
    return Ensemble(
        dates,
        {c: np.stack([f[c].to_numpy(dtype=float) for f in live]) for c in columns},
        {c: np.stack([f[c].to_numpy(dtype=float) for f in reference]) for c in columns},
    )


_lock = threading.Lock()
_cache: OrderedDict[Key, Future] = OrderedDict()
_queue: queue.SimpleQueue[tuple[Key, Future]] = queue.SimpleQueue()
_worker: list[threading.Thread] = []


def request(key: Key) -> Future:
    """The ensemble of ``key``: queued now for the ensemble thread if it is not known yet."""
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        future: Future = Future()
        _cache[key] = future
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        if not _worker:
            thread = threading.Thread(target=_work, name="coprod-ensemble", daemon=True)
            # in no session's kernel (Solara hands a new thread the kernel of the one that
            # starts it, which would keep that session alive as long as this thread)
            thread.current_context = None
            thread.start()
            _worker.append(thread)
    _queue.put((key, future))
    return future


def _work() -> None:
    while True:
        key, future = _queue.get()
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(compute(key))
        except Exception as exc:  # shown as "no band" on the page; the runs go on
            future.set_exception(exc)


def ready(key: Key) -> Ensemble | None:
    """The ensemble of ``key`` if it has been computed (without error), else None."""
    with _lock:
        future = _cache.get(key)
    if future is None or not future.done() or future.exception() is not None:
        return None
    return future.result()
