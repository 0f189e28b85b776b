"""Where a sweep's runs go: local worker processes, an embedded Dask cluster, or the Dask
scheduler of a cluster. Each is a ``concurrent.futures`` executor, so that one loop
(:func:`model.studies.sweep.run_sweep`) serves all three, and each comes with a function
that shuts it down: when the sweep is done, after its runs; when it is stopped (Ctrl-C,
SIGTERM), at once, ending the workers' runs in flight (:mod:`model.studies.stopping`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from concurrent.futures import Executor, ProcessPoolExecutor

from model.simulation.scenario.files import ScenarioError
from model.studies.stopping import ignore_interrupts

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
    # each nanny (in the sweep's process) reads its worker's memory every 100 ms, to stop a
    # worker that outgrows its limit; once a second still does that, at half the sweep
    # process's idle CPU (measured: 21-26 -> 11 ms per second)
    "distributed.worker.memory.monitor-interval": "1s",
}


CONNECT_TIMEOUT_S = 10


def _init_worker(parent: int) -> None:
    """Initialiser of local worker processes: leave Ctrl-C to the sweep, and end with it. A
    sweep killed with ``kill -9`` cannot shut its pool down, and its workers would go on with
    their queued runs, then wait for ever; on Linux the kernel ends them with it
    (``PR_SET_PDEATHSIG``)."""
    ignore_interrupts()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the sweep died before this worker got here
        os._exit(1)


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    """End a pool's worker processes and their runs in flight, which leave nothing behind
    (a part is written under a temporary name and renamed). Killed, not asked: a worker
    inside a compiled rule would not hear a request for minutes. The pool offers no public
    way to do this before Python 3.14 (``kill_workers``)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)


def _kill_dask_workers(cluster) -> None:
    """End the embedded cluster's worker processes and their runs in flight. Closed the usual
    way, each nanny asks its worker to finish its task, waits four seconds, then kills it,
    and each side logs warnings about the lost tasks onto the sweep's terminal. Killed here
    at once instead, after telling the nannies not to start new workers in their place, and
    with logging turned off in this process, which is ending: the scheduler and the nannies
    live in it, and they (Dask's loggers, and Tornado's under them) log errors about the
    connections the killed workers leave closed. The sweep says in one line that it stopped."""
    logging.disable(logging.CRITICAL)
    nannies = list(cluster.workers.values())
    for nanny in nannies:
        nanny.close_gracefully(reason="sweep-stopped")  # the nanny starts no worker anew
    for nanny in nannies:
        pid = getattr(nanny, "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def make_executor(backend: str, workers: int, scheduler: str | None):
    """A concurrent.futures executor and a function that shuts it down: ``close()`` after
    its runs, ``close(now=True)`` at once, ending the runs in flight. The executor carries
    ``sweep_workers`` (how many runs can go at once), which sizes the batches."""
    if scheduler is None:
        # local processes and the embedded cluster fork from this process: load the compiled
        # rules once here, so that workers inherit them instead of each loading them
        from model.simulation.model import warm_up

        warm_up()
    if backend == "local":
        current: list[Executor] = []

        def pool() -> Executor:
            # forked, to inherit the loaded rules (spawned ones would import all again)
            methods = multiprocessing.get_all_start_methods()
            executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork" if "fork" in methods else None),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
            executor.sweep_workers = workers
            executor.sweep_restart = pool  # a broken pool is replaced by a new one
            if current:
                current[0].shutdown(wait=False, cancel_futures=True)
            current[:] = [executor]
            return executor

        def close(now: bool = False) -> None:
            if now:
                _kill_workers(current[0])
            current[0].shutdown(cancel_futures=True)

        return pool(), close
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScenarioError(
                "coprod sweep",
                "--scheduler",
                scheduler,
                f"the address of a running Dask scheduler, e.g. tcp://HOST:8786 (no answer "
                f"within {CONNECT_TIMEOUT_S} s: {exc})",
            ) from None
        cluster = None
    else:
        import model.simulation.model  # noqa: F401  (imported once here, inherited by forked workers)

        # the nannies copy the configuration into their workers when they are created, so
        # everything is built inside the block
        with dask.config.set(EMBEDDED_DASK_CONFIG):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # the scheduler serves HTTP (health checks) even without a dashboard, by
                # default on port 8787: any free port on this machine instead, so that a
                # dashboard already running elsewhere causes no warning
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            )
            client = Client(cluster)

    def close(now: bool = False) -> None:
        if now and cluster is not None:
            _kill_dask_workers(cluster)
        client.close()
        if cluster is not None:
            cluster.close()

    # pure=False: tasks write files, and each has a fresh key; a pure task would be hashed
    # (dask.tokenize walks the job and its runs, ~2 ms a task) and a resubmitted one could
    # be merged with an earlier task of the same runs
    executor = client.get_executor(pure=False)
    executor.sweep_workers = sum(client.nthreads().values()) or workers
    return executor, close
