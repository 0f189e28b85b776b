"""Where a sweep's runs go: local worker processes, an embedded Dask cluster, or the Dask
scheduler of a cluster. Each is a ``concurrent.futures`` executor, so that one loop
(:func:`model.studies.sweep.run_sweep`) serves all three, and each comes with a function
that shuts it down: when the sweep is done, after its runs; when it is stopped (Ctrl-C,
SIGTERM, a lost scheduler, the stall watchdog), at once, ending the workers' runs in flight
(:mod:`model.studies.stopping`). A Dask executor also says when its scheduler is gone
(``sweep_lost``), and an address is checked to be a Dask scheduler before Dask connects to
it (:func:`check_scheduler`). What the sweeps guarantee: docs/reliability.md.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import struct
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack, suppress

from model.simulation.scenario.files import ScenarioError
from model.studies.stopping import ignore_interrupts

# The embedded cluster lives only as long as one sweep, on the same cores as its workers:
# everything its processes do besides running tasks is taken from the runs. These settings
# turn off what a short-lived cluster without a dashboard has no use for.
EMBEDDED_DASK_CONFIG = {
    # fork, not spawn: spawned workers import mesa and the model afresh (~12 s on 2 cores),
    # which alone tripled the cost of a short sweep (see _log_streams_free_at_fork for what
    # makes forking from a process with threads safe here)
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
    # a worker that dies (killed for memory, os._exit in a rule) fails its task at once with
    # KilledWorker, instead of the scheduler sending the same task (up to 16 runs, the guilty
    # one among them) to up to three more workers: the sweep retries it itself, since only it
    # knows which runs of the task already wrote their part (model.studies.sweep.run_sweep)
    "distributed.scheduler.allowed-failures": 0,
    # no task queued on a worker (of one thread) behind the one it runs, as a rule: a worker
    # that dies takes fewer tasks of other batches with it
    "distributed.scheduler.worker-saturation": 1.0,
}


CONNECT_TIMEOUT_S = 10
#: how long a Dask scheduler may take to send its handshake once connected (it sends it at once)
HANDSHAKE_TIMEOUT_S = 5
#: a scheduler's handshake is about 60 bytes; a larger first message is not one
MAX_HANDSHAKE_BYTES = 64 * 1024
#: how long closing the Dask client (and the embedded cluster) may take when the sweep stops
CLOSE_TIMEOUT_S = 3


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
    at once instead, after telling the nannies not to start new workers in their place (the
    caller has turned logging off: the scheduler and the nannies live in this process, which
    is ending). The sweep says in one line that it stopped."""
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


class _SaidBySweep(logging.Filter):
    """Drops what Dask logs about faults the sweep reports itself: a connection that closed
    (a record with an ``OSError`` attached, such as Dask's ``CommClosedError`` or Tornado's
    ``StreamClosedError``), which put tracebacks onto the terminal in the moment between a
    scheduler's loss and the sweep's one line about it; and the embedded scheduler's
    "Task ... marked as failed because 1 workers died", which with ``allowed-failures`` 0
    comes for every task whose worker died, whose runs the sweep then tries again (one it
    gives up on is in ``failures/`` with why)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], OSError):
            return False
        return not str(record.msg).startswith("Task %s marked as failed because")


def _quiet(settings: ExitStack) -> None:
    """:class:`_SaidBySweep` on the handlers Dask puts on its loggers (and Tornado's), for
    as long as ``settings`` is open."""
    said = _SaidBySweep()
    for name in ("distributed", "tornado", "tornado.application", ""):
        for handler in logging.getLogger(name).handlers:
            handler.addFilter(said)
            settings.callback(handler.removeFilter, said)


_FORK_GUARD: list[bool] = []


def _log_streams_free_at_fork() -> None:
    """Fork only while no thread is writing a log record (once per process).

    The workers are forked, by the embedded cluster from threads of a process whose other
    threads log (its event loop, the nanny). Python gives the child fresh logging locks, but
    not the lock inside the stream a record was being written to: a worker forked in that
    moment hung for good at its first log line (seen in the test suite, under load). So
    before a fork every handler's lock is taken (no thread is then inside a stream), and
    given back after it; the child's are new anyway.
    """
    if _FORK_GUARD or not hasattr(os, "register_at_fork"):
        return
    _FORK_GUARD.append(True)
    held: list[logging.Handler] = []

    def before() -> None:
        for handler in _all_handlers():
            handler.acquire()
            held.append(handler)

    def after_in_parent() -> None:
        while held:
            held.pop().release()

    os.register_at_fork(before=before, after_in_parent=after_in_parent, after_in_child=held.clear)


def _all_handlers() -> list[logging.Handler]:
    """Every handler on any logger of this process, each once."""
    loggers = [logging.getLogger()] + [
        x for x in list(logging.Logger.manager.loggerDict.values()) if isinstance(x, logging.Logger)
    ]
    seen: dict[int, logging.Handler] = {}
    for logger in loggers:
        for handler in list(logger.handlers):
            seen.setdefault(id(handler), handler)
    return list(seen.values())


def make_executor(backend: str, workers: int, scheduler: str | None):
    """A concurrent.futures executor and a function that shuts it down: ``close()`` after
    its runs, ``close(now=True)`` at once, ending the runs in flight. The executor carries
    ``sweep_workers`` (how many runs can go at once), which sizes the batches; a Dask one
    also ``sweep_lost`` (why its scheduler is gone, or None)."""
    if scheduler is None:
        # local processes and the embedded cluster fork from this process: load the compiled
        # rules once here, so that workers inherit them instead of each loading them
        from model.simulation.model import warm_up

        warm_up()
        _log_streams_free_at_fork()
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
        check_scheduler(scheduler)
    settings = ExitStack()
    _quiet(settings)
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # OSError, TimeoutError, ValueError, a closed comm, ...
            settings.close()
            raise _refused(scheduler, f"no answer within {CONNECT_TIMEOUT_S} s: {exc}") from None
        cluster = None
        where = f"the Dask scheduler at {scheduler}"
    else:
        import model.simulation.model  # noqa: F401  (imported once here, inherited by forked workers)

        # for the cluster's whole life, not only its start: a nanny reads them again when
        # it starts a worker anew after one died, and without them it spawned the new
        # worker (importing everything again, ~12 s on 2 cores) with the profiler on, and
        # the scheduler tried a task that killed its worker on three more
        settings.enter_context(dask.config.set(EMBEDDED_DASK_CONFIG))
        try:
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
        except BaseException:
            settings.close()
            raise
        where = "the embedded Dask cluster's scheduler"

    def lost() -> str | None:
        """Why the sweep cannot go on with this client, or None. When its connection to the
        scheduler breaks, Dask's client cancels every task it holds at once and tries to
        reconnect; a scheduler that comes back knows none of them, so the sweep ends then
        (resumable) instead of waiting for results that cannot come."""
        if client.status in ("running", "newly-created"):
            return None
        return f"lost the connection to {where}"

    def close(now: bool = False) -> None:
        try:
            if not now:
                client.close()
                if cluster is not None:
                    cluster.close()
                return
            # the process is ending: Dask's loggers (and Tornado's under them) would report
            # every connection that the killed workers or a lost scheduler leave closed; the
            # sweep says in one line why it stopped
            logging.disable(logging.CRITICAL)
            if cluster is not None:
                _kill_dask_workers(cluster)
            with suppress(Exception):  # a lost scheduler cannot confirm the goodbye
                client.close(timeout=CLOSE_TIMEOUT_S)
            if cluster is not None:
                with suppress(Exception):
                    cluster.close(timeout=CLOSE_TIMEOUT_S)
        finally:
            settings.close()

    # pure=False: tasks write files, and each has a fresh key; a pure task would be hashed
    # (dask.tokenize walks the job and its runs, ~2 ms a task) and a resubmitted one could
    # be merged with an earlier task of the same runs
    executor = client.get_executor(pure=False)
    executor.sweep_workers = sum(client.nthreads().values()) or workers
    executor.sweep_lost = lost
    return executor, close


def _refused(address: str, why: str) -> ScenarioError:
    return ScenarioError(
        "coprod sweep",
        "--scheduler",
        address,
        f"the address of a running Dask scheduler, e.g. tcp://HOST:8786 ({why})",
    )


def check_scheduler(address: str) -> None:
    """Refuse an address that is not a Dask scheduler within ``CONNECT_TIMEOUT_S``, before
    Dask's client connects to it. Dask's own connection reads the other side's handshake
    without a time limit and allocates whatever length its first eight bytes announce: a
    port that accepted and never answered (or a web server, which waits for a request) held
    the sweep for good, and one that sent other bytes asked for 3 EiB. A Dask server sends
    its handshake first on every connection (one small frame: compression, Python version,
    pickle protocol), and answers the client's: here both are exchanged with a deadline and a
    size limit, framed with Dask's own functions, and the answer decoded as plain msgpack
    (no pickle from a stranger). Only ``tcp://`` (the default scheme) is checked: a TLS
    server speaks only after a TLS handshake, which Dask's client makes itself."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise _refused(address, str(exc)) from None
    if scheme != "tcp":
        return
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:  # a scheduler that is starting refuses connections for a moment
        left = deadline - time.monotonic()
        try:
            sock = socket.create_connection((host, port), timeout=max(0.1, left))
            break
        except socket.gaierror as exc:
            raise _refused(address, f"unknown host: {exc.strerror or exc}") from None
        except OSError as exc:
            if left <= 0.2:
                why = f"no answer within {CONNECT_TIMEOUT_S} s: {exc.strerror or exc}"
                raise _refused(address, why) from None
            time.sleep(0.2)
    # the handshake comes at once; a connection made at the last moment still gets a second
    until = time.monotonic() + max(1.0, min(HANDSHAKE_TIMEOUT_S, deadline - time.monotonic()))
    with sock:
        try:
            sock.settimeout(max(0.1, until - time.monotonic()))
            sock.sendall(_handshake())  # a server that answers requests (HTTP) answers now
            (size,) = struct.unpack("Q", _read(sock, 8, until))
            if not 0 < size <= MAX_HANDSHAKE_BYTES:
                raise ValueError(f"a first message of {size} bytes")
            greeting = _decode(_read(sock, size, until))
        except TimeoutError:
            why = f"it sent no Dask handshake within {HANDSHAKE_TIMEOUT_S} s"
            raise _refused(address, why) from None
        except (OSError, ValueError) as exc:
            raise _refused(address, f"it answered, but not as Dask does: {exc}") from None
    if not isinstance(greeting, dict) or "pickle-protocol" not in greeting:
        raise _refused(address, "it answered, but not as Dask does")


def _handshake() -> bytes:
    """What Dask's client sends first on a connection: one msgpack frame, in Dask's own
    framing, after its length. A scheduler reads it as any client's (and ignores a key it
    does not know); a web server, which waits for a request line, gets one (the key's line
    end) and answers it at once with an error page, so that it is told from a scheduler
    without waiting for the timeout."""
    import pickle

    import msgpack
    from distributed.protocol.utils import pack_frames

    info = {"compression": None, "python": tuple(sys.version_info)[:3], "from": "coprod\r\n"}
    body = pack_frames([msgpack.dumps({**info, "pickle-protocol": pickle.HIGHEST_PROTOCOL})])
    return struct.pack("Q", len(body)) + body


def _read(sock: socket.socket, size: int, until: float) -> bytes:
    """``size`` bytes, all of them by ``until`` (a server that drips bytes gets no longer)."""
    data = bytearray()
    while len(data) < size:
        left = until - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(min(size - len(data), 65536))
        if not chunk:
            raise ValueError("it closed the connection")
        data += chunk
    return bytes(data)


def _decode(frame: bytes):
    import msgpack
    from distributed.protocol.utils import unpack_frames

    try:
        frames = unpack_frames(frame)
        return msgpack.loads(frames[0], raw=False, use_list=False)
    except Exception as exc:  # struct.error, msgpack's errors, IndexError: not Dask's framing
        raise ValueError(type(exc).__name__) from None
