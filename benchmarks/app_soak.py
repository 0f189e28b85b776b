"""Soak test of the workshop page: many sessions connect, play and leave; does memory return?

Starts ``coprod app`` as a subprocess on a free port, then runs ``--sessions`` sessions (default
100) spread over ``--minutes`` (default 10), a few at a time. Each session does what a browser
does, over the same HTTP and websocket messages: it loads the page (which gives it the session
cookie), opens the kernel websocket, runs the app, presses "Start", lets the model play for
``--play`` seconds, and leaves. Most leave as a closed tab does (the page's close beacon, then
the socket closes); every fourth just drops its connection, as a laptop that goes to sleep
does, and is left to the server's cull timeout.

A raw client rather than chromium: on 2 cores a browser per session would measure the browser;
the server cannot tell the difference, since it only sees these messages.

Prints the server's resident memory (RSS) at the start (idle, before the first session), its
peak, and at the end (after every session has left and been culled), with the number of live
sessions. The goal (issue 17): the end within 50 MB of the start.

Run: ``uv run python benchmarks/app_soak.py [--quick] [--sessions N] [--minutes M]``
(``--quick``: 12 sessions in about 2 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAY_LABEL = "Start"  # the German label: the page starts in German
MONTH = re.compile(r"id='coprod-month'>([^<]*)<")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (from /proc: Linux only)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def status(base: str, collect: bool = False) -> dict:
    """The server's own count of sessions and kernels (``/_coprod/status``); ``collect``: and
    of the models still alive after a full garbage collection."""
    url = f"{base}/_coprod/status" + ("?collect" if collect else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


class AppServer:
    """``coprod app`` in a subprocess; its output goes to a temporary file. A session whose
    tab closed waits ``COPROD_RELOAD_GRACE`` for a reload; here 2 s unless ``env`` says
    otherwise, so that the soak and the tests see sessions end within seconds."""

    def __init__(self, *args: str, env: dict | None = None, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+")
        command = [sys.executable, "-m", "model.interface.cli", "app", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*command, *args],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COPROD_RELOAD_GRACE": "2", **(env or {})},
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"coprod app exited with {self.proc.returncode}:\n{self.output()}"
                )
            try:
                status(self.base)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"coprod app did not answer within {timeout} s:\n{self.output()}")

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> AppServer:
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def load_page(base: str, cookie: str | None = None) -> str | None:
    """GET the page as a browser does; returns the session cookie it sets (None if refused)."""
    request = urllib.request.Request(f"{base}/")
    if cookie:
        request.add_header("Cookie", f"solara-session-id={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            set_cookie = response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError:
        return None
    for header in set_cookie:
        name, _, rest = header.partition("=")
        if name.strip() == "solara-session-id":
            return rest.split(";")[0]
    return None


def close_beacon(base: str, kernel_id: str, page_id: str) -> None:
    """What a closing tab sends (``navigator.sendBeacon``)."""
    request = urllib.request.Request(
        f"{base}/_solara/api/close/{kernel_id}?session_id={page_id}", data=b"", method="POST"
    )
    with urllib.request.urlopen(request, timeout=60):
        pass


def _decode(raw: str | bytes) -> dict:
    if isinstance(raw, str):
        return json.loads(raw)
    # Jupyter's binary framing: the JSON message, then buffers (kernel.serialize_binary_message)
    (count,) = struct.unpack("!i", raw[:4])
    offsets = struct.unpack("!" + "I" * count, raw[4 : 4 * (count + 1)])
    end = offsets[1] if count > 1 else None
    return json.loads(raw[offsets[0] : end].decode("utf-8"))


class PageSession:
    """One browser tab, spoken in the kernel websocket's messages (Jupyter protocol)."""

    def __init__(self, base: str, cookie: str | None, kernel_id: str | None = None):
        self.base = base
        self.cookie = cookie
        self.kernel_id = kernel_id or str(uuid.uuid4())
        self.page_id = str(uuid.uuid4())
        self.ws = None
        self.widgets: dict[str, dict] = {}  # model id -> state
        self.control = str(uuid.uuid4())
        self.finished = asyncio.Event()
        self.messages = 0
        self._reader: asyncio.Task | None = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        url = self.base.replace("http://", "ws://")
        url += f"/jupyter/api/kernels/{self.kernel_id}/channels?session_id={self.page_id}"
        headers = {"Cookie": f"solara-session-id={self.cookie}"} if self.cookie else {}
        self.ws = await connect(url, additional_headers=headers, max_size=None, open_timeout=60)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                self.messages += 1
                self._take(_decode(raw))
        except ConnectionClosed:
            pass

    def _take(self, msg: dict) -> None:
        kind, content = msg["header"]["msg_type"], msg.get("content", {})
        data = content.get("data", {})
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.widgets[content["comm_id"]] = dict(data.get("state", {}))
        elif kind == "comm_msg":
            if content.get("comm_id") == self.control and data.get("method") == "finished":
                self.finished.set()
            elif data.get("method") == "update" and content["comm_id"] in self.widgets:
                self.widgets[content["comm_id"]].update(data.get("state", {}))

    async def send(self, msg_type: str, content: dict) -> None:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "",
            "session": self.page_id,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "version": "5.3",
        }
        message = {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "buffers": [],
            "channel": "shell",
        }
        await self.ws.send(json.dumps(message))

    async def run_app(self, timeout: float = 120) -> None:
        """Ask the kernel to render the page, as the browser does once its scripts loaded."""
        await self.send(
            "comm_open", {"comm_id": self.control, "target_name": "solara.control", "data": {}}
        )
        run = {"method": "run", "args": {"path": "", "appName": "__default__"}}
        await self.send("comm_msg", {"comm_id": self.control, "data": run})
        await asyncio.wait_for(self.finished.wait(), timeout)

    def button(self, label: str) -> str | None:
        for model_id, state in self.widgets.items():
            if state.get("_model_name") == "BtnModel" and state.get("children") == [label]:
                return model_id
        return None

    async def click(self, label: str) -> None:
        model_id = self.button(label)
        if model_id is None:
            raise RuntimeError(f"no button {label!r} on the page")
        event = {"method": "custom", "content": {"event": "click", "data": {}}}
        await self.send("comm_msg", {"comm_id": model_id, "data": event})

    def month(self) -> str | None:
        for state in self.widgets.values():
            found = MONTH.search(str(state.get("unsafe_innerHTML", "")))
            if found:
                return found.group(1)
        return None

    async def leave(self, beacon: bool = True) -> None:
        if beacon:
            await asyncio.to_thread(close_beacon, self.base, self.kernel_id, self.page_id)
        await self.ws.close()
        if self._reader is not None:
            await self._reader


async def play_session(base: str, seconds: float, beacon: bool) -> str | None:
    """Load, run, press Start, play ``seconds``, leave; returns the month reached."""
    cookie = await asyncio.to_thread(load_page, base)
    session = PageSession(base, cookie)
    await session.connect()
    try:
        await session.run_app()
        await session.click(PLAY_LABEL)
        await asyncio.sleep(seconds)
        return session.month()
    finally:
        await session.leave(beacon=beacon)


async def soak(server: AppServer, sessions: int, minutes: float, play: float) -> dict:
    figures = {"start": server.rss_mb(), "peak": 0.0, "sessions_peak": 0, "errors": []}
    months: list[str | None] = []
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            figures["peak"] = max(figures["peak"], server.rss_mb())
            live = (await asyncio.to_thread(status, server.base))["sessions"]
            figures["sessions_peak"] = max(figures["sessions_peak"], live)
            await asyncio.sleep(1)

    async def one(i: int) -> None:
        try:
            months.append(await play_session(server.base, play, beacon=i % 4 != 3))
        except Exception as exc:  # counted and shown; the soak goes on
            figures["errors"].append(f"session {i}: {type(exc).__name__}: {exc}")

    watcher = asyncio.create_task(watch())
    interval = minutes * 60 / sessions
    t0 = time.monotonic()
    tasks = []
    for i in range(sessions):
        await asyncio.sleep(max(0.0, t0 + i * interval - time.monotonic()))
        tasks.append(asyncio.create_task(one(i)))
        done = sum(t.done() for t in tasks)
        print(
            f"  {time.monotonic() - t0:5.0f} s: {i + 1} started, {done} done, "
            f"RSS {server.rss_mb():.0f} MB",
            flush=True,
        )
    await asyncio.gather(*tasks)
    figures["played_s"] = time.monotonic() - t0
    figures["months"] = months
    # sessions that only dropped their connection end at the cull timeout
    deadline = time.monotonic() + 300
    while (await asyncio.to_thread(status, server.base))["kernels"] and time.monotonic() < deadline:
        await asyncio.sleep(2)
    await asyncio.sleep(15)  # the collection after the last close (session.RELEASE_QUIET)
    stop.set()
    await watcher
    figures["end"] = server.rss_mb()
    figures["status_end"] = await asyncio.to_thread(status, server.base, True)
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--play", type=float, default=20.0, help="seconds each session plays")
    ap.add_argument("--quick", action="store_true", help="12 sessions in about 2 minutes")
    args, args.app_args = ap.parse_known_args()
    if args.quick:
        args.sessions, args.minutes, args.play = 12, 1.5, 10.0
    print(
        f"starting coprod app; {args.sessions} sessions over {args.minutes:g} min, "
        f"each playing {args.play:g} s",
        flush=True,
    )
    with AppServer(*args.app_args) as server:
        time.sleep(10)  # let start-up settle
        figures = asyncio.run(soak(server, args.sessions, args.minutes, args.play))
        tracebacks = server.output().count("Traceback")
    played = [m for m in figures["months"] if m]
    print(
        f"sessions: {args.sessions} ({len(figures['errors'])} failed), played to e.g. "
        f"{played[:3]}; live sessions at most {figures['sessions_peak']}, "
        f"at the end {figures['status_end']['sessions']} "
        f"(kernels {figures['status_end']['kernels']}, models alive "
        f"{figures['status_end']['models']})"
    )
    for line in figures["errors"][:10]:
        print("  " + line)
    print(f"tracebacks in the server's output: {tracebacks}")
    growth = figures["end"] - figures["start"]
    print(
        f"server RSS: start {figures['start']:.0f} MB, peak {figures['peak']:.0f} MB, "
        f"end {figures['end']:.0f} MB ({growth:+.0f} MB; goal: within 50 MB)"
    )
    return 0 if abs(growth) <= 50 and not figures["errors"] and not tracebacks else 1


if __name__ == "__main__":
    sys.exit(main())
