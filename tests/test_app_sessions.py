"""A page for a whole day (issue 17): sessions end with their browser and give their memory
back, their number is capped, invented kernel ids create nothing, a missing asset is a fast 404.

The first tests render the page in this process (``solara.render``), the others run against
one real ``coprod app`` process, spoken to as a browser speaks to it (``benchmarks/app_soak.py``'s
client: the page load, then the kernel websocket), where a session ends with its kernel.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import html
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from websockets.exceptions import InvalidStatus

from model.interface.app import session
from model.interface.app.i18n import t
from model.interface.app.page import Page
from model.interface.app.session import SESSIONS, Sessions, Simulation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_soak import AppServer, PageSession, load_page, status  # noqa: E402

CAP = 2


def _texts(rc) -> str:
    return "\n".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)


# ---------------------------------------------------------------------- in this process


def test_a_closed_pages_session_and_models_are_released():
    before = SESSIONS.live()
    box, rc = solara.render(Page(), handle_error=False)
    assert SESSIONS.live() == before + 1
    sim = list(SESSIONS._open.values())[-1]  # this page's
    refs = [weakref.ref(sim), weakref.ref(sim.live), weakref.ref(sim.baseline)]
    del sim
    rc.close()  # the page unmounted, as when its kernel closes
    assert SESSIONS.live() == before
    del box, rc
    gc.collect()
    assert all(r() is None for r in refs), "the session or a model outlived its page"


def test_a_closed_simulation_stops_and_its_models_are_dropped_soon(monkeypatch):
    monkeypatch.setattr(session, "RELEASE_QUIET", 0.2)
    sessions = Sessions(limit=1)
    sim = sessions.open(citizens=200)
    assert sim.step(2) == 2
    sessions.close(sim)
    assert sim.closed and sim.step(3) == 0
    assert sim.live is not None  # the page may still draw its last frame
    deadline = time.monotonic() + 10
    while hasattr(sim, "live") and time.monotonic() < deadline:
        time.sleep(0.05)
    # even a session something still holds (here: this test) frees its models
    assert not hasattr(sim, "live") and not hasattr(sim, "baseline")


def test_a_session_nobody_watches_stops_playing():
    sim = Simulation(citizens=200)
    sim.attended = lambda: False  # the page's browser went away (until the cull)
    assert sim.step(3) == 0
    sim.attended = lambda: True
    assert sim.step(3) == 3


def test_the_cap_shows_the_message_in_both_languages_and_builds_no_model(monkeypatch):
    built = []
    monkeypatch.setattr(session, "Simulation", lambda **kw: built.append(1) or Simulation(**kw))
    monkeypatch.setattr(SESSIONS, "limit", SESSIONS.live() + 1)
    first = solara.render(Page(), handle_error=False)[1]
    full = solara.render(Page(), handle_error=False)[1]
    try:
        assert len(built) == 1
        shown = _texts(full)
        for lang in ("de", "en"):
            assert t("sessions_full", lang).format(limit=SESSIONS.limit) in shown
        assert not full.find(v.Btn, children=[t("play", "de")]).widgets
        assert first.find(v.Btn, children=[t("play", "de")]).widgets
    finally:
        first.close()
        full.close()
    assert len(built) == 1


def test_a_place_is_taken_before_the_model_is_built():
    # many pages at once must not all pass the check while the first models are still built
    sessions = Sessions(limit=2)
    with ThreadPoolExecutor(6) as pool:
        opened = list(pool.map(lambda _: sessions.open(citizens=200), range(6)))
    assert sum(s is not None for s in opened) == 2 and sessions.live() == 2
    for sim in opened:
        sessions.close(sim)
    assert sessions.live() == 0
    sessions.close(opened[0])  # again: nothing happens


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("COPROD_MAX_SESSIONS", "7")
    assert session.limit_from_environment() == 7
    monkeypatch.setenv("COPROD_MAX_SESSIONS", "many")
    assert session.limit_from_environment() == session.DEFAULT_MAX_SESSIONS
    monkeypatch.delenv("COPROD_MAX_SESSIONS")
    assert session.limit_from_environment() == session.DEFAULT_MAX_SESSIONS == 30


def test_max_sessions_must_be_positive():
    proc = subprocess.run(
        [sys.executable, "-m", "model.interface.cli", "app", "--max-sessions", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--max-sessions" in proc.stderr


# ---------------------------------------------------------------------- a real server


@pytest.fixture(scope="module")
def app():
    """``coprod app --max-sessions 2`` whose sessions are culled 2 s after their browser left."""
    with AppServer("--max-sessions", str(CAP), env={"SOLARA_KERNEL_CULL_TIMEOUT": "2s"}) as server:
        yield server


def _settle(app, sessions: int = 0, kernels: int = 0, timeout: float = 15) -> dict:
    """The server's status once it has ``sessions`` and ``kernels`` (or after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        now = status(app.base)
        if (now["sessions"], now["kernels"]) == (sessions, kernels):
            return now
        if time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def _models(app) -> int:
    """The models still alive in the server after a full collection."""
    with urllib.request.urlopen(app.base + "/_coprod/status?collect", timeout=30) as response:
        return json.loads(response.read())["models"]


def _run(coroutine):
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright (a session
    fixture) keeps an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _models_gone(app, timeout: float = 10) -> bool:
    """Whether no model is alive within ``timeout`` seconds after the sessions ended: the
    page's threads (play loop, the wait for the runs with other seeds, the export names'
    clock) let go of their kernel within a second, the release drops what is left
    (session.py)."""
    deadline = time.monotonic() + timeout
    while _models(app) and time.monotonic() < deadline:
        time.sleep(0.5)
    return _models(app) == 0


async def _session(app) -> PageSession:
    cookie = await asyncio.to_thread(load_page, app.base)
    page = PageSession(app.base, cookie)
    await page.connect()
    await page.run_app()
    return page


def test_a_session_ends_when_its_tab_closes_or_its_browser_is_gone(app):
    async def scenario():
        closed = await _session(app)
        dropped = await _session(app)
        assert status(app.base)["sessions"] == 2
        await closed.click(t("play", "de"))
        await dropped.click(t("play", "de"))
        await asyncio.sleep(1)
        t0 = time.monotonic()
        await closed.leave(beacon=True)  # the tab closed: the page's close beacon
        assert _settle(app, sessions=1, kernels=1, timeout=5)["sessions"] == 1
        await dropped.leave(beacon=False)  # only the connection went (a laptop lid shut)
        return t0

    t0 = _run(scenario())
    assert _settle(app)["kernels"] == 0
    # the 2 s cull, well within a minute or two (the default is 60 s)
    assert time.monotonic() - t0 < 15
    assert _models_gone(app), "a model outlived its session"
    assert "Traceback" not in app.output()


def test_a_full_server_says_so_and_builds_no_model(app):
    async def scenario():
        late_cookie = await asyncio.to_thread(load_page, app.base)  # loaded while not full
        pages = [await _session(app) for _ in range(CAP)]
        assert status(app.base)["sessions"] == CAP
        # a new page load: the message at once, in both languages, and no kernel
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(app.base + "/", timeout=10)
        body = refused.value.read().decode()
        assert refused.value.code == 503
        for lang in ("de", "en"):
            assert html.escape(t("sessions_full", lang).format(limit=CAP)) in body
        # a page loaded before the last place went: its kernel shows the message
        late = PageSession(app.base, late_cookie)
        await late.connect()
        await late.run_app()
        shown = " ".join(str(w.get("unsafe_innerHTML", "")) for w in late.widgets.values())
        assert t("sessions_full", "en").format(limit=CAP) in shown
        assert late.button(t("play", "de")) is None
        assert status(app.base)["sessions"] == CAP
        for page in [*pages, late]:
            await page.leave()

    _run(scenario())
    assert _settle(app)["sessions"] == 0
    assert _models_gone(app)
    urllib.request.urlopen(app.base + "/", timeout=10).close()  # room again


def test_invented_kernel_ids_create_nothing(app):
    _settle(app)
    refused_before = status(app.base)["refused_kernels"]

    async def attempt(cookie: str | None) -> bool:
        page = PageSession(app.base, cookie)
        try:
            await page.connect()
        except InvalidStatus:
            return False
        await page.leave(beacon=False)
        return True

    async def scenario():
        # no cookie, an invented one, and a real one whose page load was already used
        used = await _session(app)
        await used.leave()
        cookies = [None, str(uuid.uuid4()), used.cookie] * 20
        return await asyncio.gather(*(attempt(c) for c in cookies))

    assert not any(_run(scenario()))
    now = _settle(app)
    assert now["kernels"] == 0 and now["refused_kernels"] == refused_before + 60


def test_a_missing_asset_is_a_fast_404_and_real_ones_stay_fast(app):
    missing = app.base + "/_solara/cdn/no-such-package@1.0.0/dist/missing.js"

    def get(url: str) -> tuple[int, float]:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
                code = response.status
        except urllib.error.HTTPError as e:
            code = e.code
        return code, time.perf_counter() - t0

    code, seconds = get(missing)
    assert code == 404 and seconds < 0.5
    with ThreadPoolExecutor(40) as pool:
        crowd = list(pool.map(get, [missing] * 120))
    assert {c for c, _ in crowd} == {404} and max(s for _, s in crowd) < 5
    code, seconds = get(app.base + "/_solara/cdn/requirejs@2.3.6/require.js")
    assert code == 200 and seconds < 1
    assert "Could not load URL" not in app.output()  # no attempt to reach a CDN
