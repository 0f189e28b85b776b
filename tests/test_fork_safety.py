"""Workers are forked from a process whose other threads log (issue 17): a fork must not
catch a thread in the middle of writing a log record, or the child hangs at its first line."""

from __future__ import annotations

import io
import logging
import os
import threading
import time

import pytest

from model.studies.executors import _log_streams_free_at_fork

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_fork_waits_for_a_log_record_being_written_and_the_child_can_log():
    _log_streams_free_at_fork()
    logger = logging.getLogger("coprod.test.fork")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    writing = threading.Event()

    def write_slowly():  # another thread in the middle of a record, as Dask's event loop
        with handler.lock:
            writing.set()
            time.sleep(0.4)

    try:
        thread = threading.Thread(target=write_slowly)
        thread.start()
        writing.wait()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child logs at once, as a new Dask worker does
            logger.warning("worker started")
            os._exit(0)
        waited = time.monotonic() - started
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            pytest.fail("the forked child hung at its first log line")
        assert os.waitstatus_to_exitcode(status) == 0
        assert waited >= 0.3  # the fork waited until the record was written
        thread.join()
    finally:
        logger.removeHandler(handler)
