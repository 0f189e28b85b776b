"""Fixtures for real-browser tests: the app server in a subprocess and Debian's chromium.

Never `playwright install`: its browser download cannot work here; CI installs Debian's
chromium (.ci/run) and Playwright drives that one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The app the server is started for; another `module:Component` can be given to try these
# tests against another page (that module must be importable, e.g. through PYTHONPATH).
APP = os.environ.get("COPROD_BROWSER_TEST_APP", "model.interface.app.page:Page")

# Without the background-networking flags chromium keeps trying Google's hosts, which this
# machine's closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

STARTUP_TIMEOUT = 120  # s; importing solara and mesa takes ~10 s on 2 cores
PAGE_LOAD_MS = 90_000  # a page's first render under load


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real chromium against the app server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    """The URL of the app, served by `serve` in its own process for the whole session."""
    port = _free_port()
    # the function `coprod app` calls, here with the app to test
    code = (
        "import sys; from model.interface.app.server import serve; "
        f"sys.exit(serve(port={port}, app={APP!r}))"
    )
    log = tempfile.TemporaryFile(mode="w+")
    # a closed tab's session waits this long for a reload (tests/browser/test_reload_browser.py)
    env = {**os.environ, "COPROD_RELOAD_GRACE": "20"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=log, stderr=log, env=env)
    url = f"http://127.0.0.1:{port}"

    def output() -> str:
        log.seek(0)
        return log.read()

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"app server exited with {proc.returncode}:\n{output()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"app server did not answer within {STARTUP_TIMEOUT} s:\n{output()}")
        time.sleep(0.3)
    yield url
    # Ctrl-C, as a person would stop it; it must then exit by itself
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"app server did not stop on Ctrl-C within 20 s:\n{output()}")
    log.close()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        # fail, not skip: a skipped browser test would hide a broken page in CI
        pytest.fail(
            "chromium not found on PATH: install Debian's package "
            "(apt-get install chromium; .ci/run does this). Never `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def opened_page(browser, app_url: str, **context_options):
    """The page in a new browser context (a session of its own, ``context_options`` as
    Playwright takes them) that reaches nothing beyond this machine, loaded until its
    controls are there; the context is closed afterwards."""
    from model.interface.app.i18n import t
    from tests.browser.test_app_browser import is_local

    context = browser.new_context(**context_options)
    context.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    try:
        page = context.new_page()
        page.goto(app_url + "/", timeout=PAGE_LOAD_MS)
        # the page opens in German
        page.get_by_role("button", name=t("step", "de"), exact=True).wait_for(timeout=PAGE_LOAD_MS)
        yield page
    finally:
        context.close()
