"""Stopping a sweep on Ctrl-C (SIGINT) or SIGTERM: within seconds, quietly, resumable.

Python's own Ctrl-C raised ``KeyboardInterrupt`` wherever the sweep happened to be, and a
terminal sends it to the workers as well (the whole process group): runs in flight were
recorded as failed, workers printed tracebacks, and the process pool's shutdown waited for
the runs in flight, minutes at full scale. Here a signal only raises :class:`Stopped` in
the sweep's main thread, at once where that is harmless (reading files, preparing the
folder) and otherwise, once :meth:`StopSignals.deferred` is entered (starting workers,
waiting for results), where the sweep next looks (:meth:`StopSignals.check`, a few times a
second), never inside a lock of the process pool or in compiled code. The sweep then ends
its workers instead of waiting for them: a run in flight leaves no part and no failure, and
``--resume`` runs it again.

A sweep also stops, the same way, when it cannot go on for a reason outside its runs
(:class:`Aborted`): its Dask scheduler is gone, or nothing happened for ``--stall-timeout``
seconds (:class:`Watchdog`).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: how often (seconds) a sweep waiting for results looks whether it was asked to stop
POLL_S = 0.2

#: default of ``--stall-timeout``: no run finished for this long (seconds) stops the sweep.
#: Long enough for a task of 16 runs of the whole city (about 25 s each) on a cluster, whose
#: results come back only when the whole task is done
STALL_TIMEOUT_S = 1800


class Stopped(BaseException):
    """The sweep was asked to stop by a signal. A ``BaseException``, as ``KeyboardInterrupt``
    is, so that no ``except Exception`` meant for a run's own error takes it for a failed
    run."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def status(self) -> int:
        """Exit status as a shell reports a process ended by the signal: 130, 143."""
        return 128 + self.signum


class Aborted(Exception):
    """The sweep cannot go on for a reason outside its runs: its Dask scheduler is gone, or
    no run finished for ``--stall-timeout`` seconds. It ends the sweep as a signal does (the
    runs in flight are neither waited for nor recorded, and ``--resume`` runs them again),
    with exit status 1 and one line that names the cause. Waiting instead would be for ever:
    a lost scheduler's tasks are cancelled, and a stalled sweep shows no sign of ending."""

    status = 1

    def __init__(self, reason: str):
        super().__init__(reason)
        self.name = reason


class Watchdog:
    """Raises :class:`Aborted` once a sweep has made no progress for ``seconds`` (``None``
    or 0: never). Progress is a task that came back, or a part, a failure record or a
    run's start mark written into ``folders``: local workers and those of the embedded
    cluster write them themselves, run by run, and each write changes its folder's
    modification time, so one ``stat`` per folder a look tells a long batch from a hung one."""

    def __init__(self, seconds: float | None, folders: list[Path]):
        self.seconds, self.folders = seconds, folders
        self.mark = self._mark()
        self.last = time.monotonic()

    def _mark(self) -> tuple:
        marks = []
        for folder in self.folders:
            try:
                marks.append(folder.stat().st_mtime_ns)
            except OSError:
                marks.append(None)
        return tuple(marks)

    def check(self, progressed: bool) -> None:
        now, mark = time.monotonic(), self._mark()
        if progressed or mark != self.mark:
            self.mark, self.last = mark, now
        elif self.seconds and now - self.last >= self.seconds:
            raise Aborted(
                f"--stall-timeout: no run finished for {self.seconds:g} s; a run may hang, "
                "or the cluster have no workers"
            )


class StopSignals:
    """While :meth:`installed`, SIGINT and SIGTERM stop the sweep (raise :class:`Stopped`)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._deferred = 0
        self._pid = os.getpid()

    def _handle(self, signum: int, frame) -> None:
        if os.getpid() != self._pid:
            # a worker forked while this handler was installed (the embedded Dask cluster's)
            # inherits it. A terminal sends Ctrl-C to the workers too, and a batch system its
            # SIGTERM: the sweep ends them (it kills them, and they end with it), whereas a
            # worker that ended on its own would be started anew by its nanny, which says
            # so on the terminal
            return
        if self.signum is not None:
            return  # stopping already: a second Ctrl-C must not break off the cleanup
        self.signum = signum
        if not self._deferred:
            raise Stopped(signum)

    @contextmanager
    def installed(self) -> Iterator[StopSignals]:
        """The handlers, for the block. After a stop the signals stay ignored: the process
        is ending, and a second Ctrl-C would only break off its exit."""
        old = {s: signal.signal(s, self._handle) for s in SIGNALS}
        try:
            yield self
        finally:
            for s, handler in old.items():
                signal.signal(s, handler if self.signum is None else signal.SIG_IGN)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Within this block a signal is only noted; :meth:`check` raises it."""
        self.check()
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
        self.check()

    def check(self) -> None:
        if self.signum is not None:
            raise Stopped(self.signum)


def ignore_interrupts() -> None:
    """In a local worker process: Ctrl-C is the sweep's (a terminal sends it to the workers
    too), set at the level of the operating system, so that no run is broken off inside a
    rule and recorded as failed. SIGTERM keeps its default, which ends the worker at once: the
    process pool itself ends the other workers with it when one of them dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
