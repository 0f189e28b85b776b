"""Serve the Solara page on this machine, with every script, font and style served locally.

Solara's page template loads its JavaScript, CSS and fonts from a CDN unless its "assets proxy"
is on; the proxy then serves them from a cache directory (by default
``<sys.prefix>/share/solara/cdn``) and fetches only what is missing. The ``solara-assets``
dependency (pyproject) fills exactly that directory at install time, so the page works with no
internet. Its version (1.58.2, the newest on PyPI) is older than solara's, but it holds the npm
package versions that solara 1.64.1's template asks for (``REQUIRED_ASSETS``); the browser test
fails if a later solara asks for others.

We run uvicorn ourselves rather than ``solara run``: that command also phones home (a version
check, an iframe to solara.dev in development mode), which workshops without network and
privacy both argue against.

solara-assets lacks KaTeX, which every ``solara.Markdown`` loads (for math); ``cdn/`` beside
this file holds the part of npm's katex@0.16.9 the page uses (MIT, its LICENSE included),
copied into the cache on first start. An asset missing from the cache is a 404 at once
(:func:`serve_cache_only`): Solara's proxy would try the CDN four times over 7 s per request.

A workshop runs the page all day, so sessions must not pile up (docs/reliability.md): a
session ends when its tab closes (the page's close beacon) or ``CULL_TIMEOUT`` after its last
connection dropped, and its memory then returns (session.py); at most ``max_sessions`` live at
once (:class:`SessionGuard` and the page say when it is full); and only a page load lets a
browser open a kernel, so websockets with invented kernel ids create nothing.
"""

from __future__ import annotations

import gc
import html
import json
import os
import re
import shutil
import socket
import stat
import sys
import threading
import time
import warnings
import webbrowser
from pathlib import Path

from model.interface.app.i18n import LANGUAGES, t
from model.interface.app.session import (
    MODELS,
    SESSIONS,
    limit_from_environment,
    release_memory_now,
)

APP = "model.interface.app.page:Page"
VENDORED = Path(__file__).resolve().parent / "cdn"

# What solara 1.64.1's template (Vue 2 branch: ipyvue<2) loads through the proxy. Checked at
# start so that a missing install is one clear line, not a blank page.
REQUIRED_ASSETS = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
)

# Anything missing from the cache would be fetched from here: a closed local port, so a missing
# asset fails on every machine alike (a 404 in the browser) instead of silently working on a
# machine that happens to be online and breaking at the workshop.
NO_CDN = "http://127.0.0.1:9/npm/"

#: A session whose browser is gone without closing the tab (a laptop lid shut, wifi lost) ends
#: this long after its last connection dropped; Solara's default keeps it 24 h. Long enough for
#: a reconnect after a short network hiccup. ``SOLARA_KERNEL_CULL_TIMEOUT`` (e.g. "5m") sets it.
CULL_TIMEOUT = "60s"

#: Seconds a page load entitles its browser to open a new kernel (it does so within seconds).
TICKET_SECONDS = 120.0


def _configure_solara(app: str) -> None:
    # solara reads these when its modules are first imported, so set them before that
    os.environ["SOLARA_APP"] = app
    # forced on: solara turns the proxy off by itself inside VS Code's terminal
    os.environ["SOLARA_ASSETS_PROXY"] = "true"
    os.environ.setdefault("SOLARA_ASSETS_CDN", NO_CDN)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    # production mode: no solara.dev check iframe, no auto-reload
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT)
    # no "This website runs on Solara" in the page's corner, over the views on a projector
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "false"

    import solara.server.settings as server_settings
    import solara.settings

    # in case solara was imported before us (the environment came too late then)
    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = os.environ["SOLARA_ASSETS_CDN"]
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = os.environ["SOLARA_MODE"]
    server_settings.kernel.cull_timeout = os.environ["SOLARA_KERNEL_CULL_TIMEOUT"]
    server_settings.theme.show_banner = False


def missing_assets(cache_dir: Path) -> list[str]:
    """The files of ``REQUIRED_ASSETS`` that the proxy's cache directory lacks."""
    return [name for name in REQUIRED_ASSETS if not (Path(cache_dir) / name).is_file()]


def add_vendored_assets(cache_dir: Path) -> None:
    """Copy the packages under ``VENDORED`` into the proxy's cache where they are missing."""
    for package in VENDORED.iterdir():
        target = Path(cache_dir) / package.name
        if (target / "package.json").is_file():
            continue
        # copy beside, then rename: a half-copied package is never served
        partial = target.with_name(f".{package.name}.{os.getpid()}.partial")
        try:
            shutil.copytree(package, partial, dirs_exist_ok=True)
            partial.replace(target)
        except OSError as e:
            # the page still works; only formulas in Markdown stay unrendered
            print(f"coprod app: could not add {package.name} to {cache_dir}: {e}", file=sys.stderr)
        finally:
            shutil.rmtree(partial, ignore_errors=True)


def serve_cache_only(asgi_app, cache_dir: Path) -> None:
    """Serve Solara's asset path from ``cache_dir`` alone: a missing file is a 404 at once.

    Solara's proxy fetches a file missing from its cache from the CDN, four tries with 1, 2
    and 4 s between them, each on one of the server's 40 file threads: a missing asset took
    7 s (against ``NO_CDN``), and 120 such requests starved the real ones. The page never
    needs more than the cache holds (``REQUIRED_ASSETS``, ``VENDORED``).
    """
    from solara.server.starlette import StaticCdn
    from solara.server.utils import path_is_child_of
    from starlette.routing import Mount

    base = Path(cache_dir)

    class CacheOnly(StaticCdn):
        def lookup_path(self, path: str):
            # where Solara's proxy stores it: "pkg@1.0.0" alone is that package's main script
            parts = path.replace("\\", "/").split("/")
            full = base / (path if len(parts) != 1 else f"{path}/__main.js")
            if not path_is_child_of(full, base):
                return "", None
            try:
                found = os.stat(full)
            except (OSError, ValueError):
                return "", None
            return (str(full), found) if stat.S_ISREG(found.st_mode) else ("", None)

    from solara.server.cdn_helper import cdn_url_path

    for route in asgi_app.routes:
        if isinstance(route, Mount) and route.path == f"/{cdn_url_path}":
            route.app = CacheOnly(directory=base)
            return
    raise RuntimeError(f"Solara serves no /{cdn_url_path}: its asset proxy is off")


KERNEL_SOCKET = re.compile(r"^/jupyter/api/kernels/([^/]+)/[^/]+$")
#: Paths that are not the page itself (files, sockets, Solara's own routes).
NOT_PAGE = ("/_solara/", "/static/", "/jupyter/", "/_coprod/", "/readyz", "/resourcez")


class SessionGuard:
    """ASGI middleware in front of Solara: tickets for kernels, "full" pages, a status route.

    Solara creates a kernel (a virtual one, a few MB with its widgets) for any websocket to
    ``/jupyter/api/kernels/<id>/...`` whose id it does not know, and browsers choose that id.
    Here only a page load gives its browser (its session cookie) a ticket, valid
    ``TICKET_SECONDS``, for one new kernel, so a script with invented ids creates nothing, and
    never more than ``kernel_limit`` kernels live (sessions, plus pages that show "full").
    Reconnects to a live kernel pass untouched. When every session is taken, a page load gets
    the "full" message at once, in both languages, and costs no kernel at all.
    ``/_coprod/status`` says how many sessions and kernels are live (the soak benchmark reads
    it).
    """

    MAX_TICKETS = 10_000  # cookies with tickets, at most (oldest dropped first)

    def __init__(self, app, kernel_limit: int):
        self.app = app
        self.kernel_limit = kernel_limit
        self._lock = threading.Lock()
        self._tickets: dict[str, list[float]] = {}  # session cookie -> expiry of each ticket
        self._granted: dict[str, float] = {}  # kernel id -> until when it may be re-created
        self.refused = 0

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "websocket":
            found = KERNEL_SOCKET.match(path)
            if found and not self.admit(found.group(1), _cookie(scope)):
                await receive()  # the connect message, then refuse it (HTTP 403)
                await send({"type": "websocket.close", "code": 1008})
                return
        elif scope["type"] == "http":
            if path == "/_coprod/status":
                collect = b"collect" in scope.get("query_string", b"")
                await _respond(send, 200, "application/json", json.dumps(self.status(collect)))
                return
            if scope["method"] == "GET" and not path.startswith(NOT_PAGE):
                if self.full():
                    await _respond(send, 503, "text/html; charset=utf-8", full_page())
                    return
                send = self._ticketing(send)
        await self.app(scope, receive, send)

    def full(self) -> bool:
        from solara.server import kernel_context

        return (
            SESSIONS.live() >= SESSIONS.limit or len(kernel_context.contexts) >= self.kernel_limit
        )

    def status(self, collect: bool = False) -> dict:
        """Live sessions and kernels; ``collect``: models alive after a full collection."""
        from solara.server import kernel_context

        if collect:
            gc.collect()
        return {
            "sessions": SESSIONS.live(),
            "models": len(MODELS),
            "max_sessions": SESSIONS.limit,
            "kernels": len(kernel_context.contexts),
            "kernel_limit": self.kernel_limit,
            "refused_kernels": self.refused,
            "cull_timeout": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT),
        }

    def _ticketing(self, send):
        """``send``, noting a ticket for the session cookie a page response sets."""

        async def send_noting(message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie" and value.startswith(b"solara-session-id="):
                        self.issue(value.split(b";")[0].split(b"=", 1)[1].decode("latin-1"))
                        break
            await send(message)

        return send_noting

    def issue(self, session: str) -> None:
        now = time.monotonic()
        with self._lock:
            tickets = self._tickets.pop(session, [])  # re-inserted: the newest last
            tickets = [t for t in tickets if t > now][-15:] + [now + TICKET_SECONDS]
            self._tickets[session] = tickets
            while len(self._tickets) > self.MAX_TICKETS:
                del self._tickets[next(iter(self._tickets))]

    def admit(self, kernel_id: str, session: str | None) -> bool:
        """Whether a websocket for ``kernel_id`` may go on (and, if new, create it)."""
        from solara.server import kernel_context

        context = kernel_context.contexts.get(kernel_id)
        if context is not None and not context.closed_event.is_set():
            return True  # a reconnect; Solara checks the session cookie itself
        now = time.monotonic()
        with self._lock:
            self._granted = {k: until for k, until in self._granted.items() if until > now}
            if len(kernel_context.contexts) < self.kernel_limit:
                if kernel_id in self._granted:
                    return True  # the same page again (a fast reconnect)
                tickets = [t for t in self._tickets.pop(session or "", []) if t > now]
                if tickets:
                    if tickets[1:]:
                        self._tickets[session] = tickets[1:]
                    self._granted[kernel_id] = now + TICKET_SECONDS
                    return True
            self.refused += 1
            return False


def _cookie(scope) -> str | None:
    from solara.server.server import get_session_id_cookie
    from starlette.requests import cookie_parser

    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            return get_session_id_cookie(cookie_parser(value.decode("latin-1")))
    return None


async def _respond(send, status: int, content_type: str, body: str) -> None:
    data = body.encode("utf-8")
    headers = [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(data))]
    headers.append((b"cache-control", b"no-store"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def full_page() -> str:
    """The page a browser gets while every session is taken; it tries again every 30 s."""
    texts = "".join(
        f"<p>{html.escape(t('sessions_full', lang).format(limit=SESSIONS.limit))}</p>"
        for lang in LANGUAGES  # German first, as the page
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta http-equiv='refresh' content='30'>"
        f"<title>{html.escape(t('title', 'de'))}</title></head>"
        "<body style='font: 1.15rem sans-serif; max-width: 760px; margin: 48px auto;'>"
        f"{texts}</body></html>"
    )


def _relaunch_with_system_malloc() -> None:
    """Run this same command again, in this same process, with ``PYTHONMALLOC=malloc``.

    Python's own allocator keeps each 1 MiB arena of small objects as long as one object in
    it lives. A session's objects (agents, widgets, frames) are freed when it ends, but the
    arenas they filled stay, each pinned by a few objects made meanwhile (caches, other
    sessions'), so the server grew with every busy hour: 100 sessions of the soak benchmark
    left 66 MB behind with it, 27 MB with glibc's malloc, whose freed pages ``malloc_trim``
    returns. The allocator can only be chosen when Python starts, hence the ``exec``: a second
    of imports again, same process id, same output. Not when ``PYTHONMALLOC`` is set
    (``PYTHONMALLOC=pymalloc`` keeps Python's), nor in an interactive session or a notebook.
    """
    if os.environ.get("PYTHONMALLOC") or not sys.platform.startswith("linux"):
        return
    if hasattr(sys, "ps1") or sys.flags.interactive or "ipykernel" in sys.modules:
        return
    env = {**os.environ, "PYTHONMALLOC": "malloc"}
    env.setdefault("MALLOC_ARENA_MAX", "2")  # see _fewer_malloc_arenas
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, sys.orig_argv, env)
    except OSError:
        pass  # go on with Python's allocator


def _fewer_malloc_arenas() -> None:
    """At most two glibc malloc arenas (``MALLOC_ARENA_MAX=2``), unless that is set already.

    glibc gives threads arenas of their own, up to eight per core, and every session runs in
    threads: memory a session freed stays in its thread's arena, pinned by a few live blocks,
    and the server grows with the number of sessions it has seen at once. With two, freed
    memory is found again by the next sessions (less left behind in the soak benchmark). The
    GIL serializes the threads anyway, so they hardly wait for each other. Only for threads
    that start later: glibc reads ``MALLOC_ARENA_MAX`` at start, which the relaunch sets.
    """
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    import ctypes

    M_ARENA_MAX = -8  # malloc.h
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass  # not glibc (musl): nothing to set


#: Buttons :func:`warm_page` presses, in this order: two months, English, back to German.
WARM_UP_CLICKS = (t("step", "de"), t("step", "de"), "English", "Deutsch")


def warm_page(app: str) -> None:
    """Render ``app`` once, in a kernel of its own that is closed again, before serving.

    A first render loads what no import did (matplotlib's fonts and PNG writer, the
    components, pandas' and Solara's lazy parts: some 60 MB, seconds on 2 cores); so do the
    first steps and a language switch, so the buttons in ``WARM_UP_CLICKS`` are pressed (those
    the page lacks are skipped). Done here, the first participant does not wait for it, and
    the server's memory at the start already holds it, so that what a day of sessions adds on
    top shows as what it is. A page that fails here is reported and served all the same (as
    before), so that its error shows in the browser too.
    """
    import importlib

    import ipyvuetify as v
    import solara
    from solara.server import kernel, kernel_context

    module, _, name = app.partition(":")
    component = getattr(importlib.import_module(module), name)
    context = kernel_context.VirtualKernelContext(
        id="coprod-warm-up", kernel=kernel.Kernel(), session_id="coprod-warm-up"
    )
    try:
        with context:
            context.app_object = rc = solara.render(component(), handle_error=False)[1]
            for label in WARM_UP_CLICKS:
                for button in rc.find(v.Btn, children=[label]).widgets[:1]:
                    button.click()
    except Exception as exc:  # the page's own error; the browser shows it as it always did
        print(f"coprod app: warning: the page failed to render: {exc!r}", file=sys.stderr)
    finally:
        context.close()
    release_memory_now()  # start serving from the memory a session really leaves


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = False,
    *,
    app: str = APP,
    max_sessions: int | None = None,
) -> int:
    """Serve ``app`` (``module:Component``) on ``host:port`` until Ctrl-C; return an exit status.

    ``port=0`` takes a free port; the address printed is the one really bound.
    ``max_sessions``: live sessions at most (default ``COPROD_MAX_SESSIONS``, else 30).
    """
    _relaunch_with_system_malloc()
    _configure_solara(app)
    _fewer_malloc_arenas()
    import solara.server.settings as server_settings
    import solara.util

    try:
        solara.util.parse_timedelta(server_settings.kernel.cull_timeout)
    except Exception:
        print(
            f"coprod app: SOLARA_KERNEL_CULL_TIMEOUT={server_settings.kernel.cull_timeout!r} "
            "is not a duration (e.g. 60s, 5m)",
            file=sys.stderr,
        )
        return 1
    SESSIONS.limit = max(1, max_sessions) if max_sessions else limit_from_environment()

    cache_dir = server_settings.assets.proxy_cache_dir
    missing = missing_assets(cache_dir)
    if missing:
        print(
            f"coprod app: Solara's page assets are missing ({', '.join(missing)}); "
            "install the project's dependencies (uv sync) to get the solara-assets package",
            file=sys.stderr,
        )
        return 1
    add_vendored_assets(cache_dir)
    try:
        sock = _bind(host, port)
    except OSError as e:
        print(f"coprod app: cannot listen on {host}:{port}: {e.strerror}", file=sys.stderr)
        return 1

    import uvicorn

    # importing this loads the app module, so errors in the page show here, before serving
    from solara.server.starlette import app as solara_app

    serve_cache_only(solara_app, cache_dir)
    # room for the pages that only show "full", and for those still loading
    asgi_app = SessionGuard(solara_app, kernel_limit=SESSIONS.limit + max(10, SESSIONS.limit))

    # compile (first start on a machine) or load the rules before the room is waiting
    from model.simulation.model import warm_up

    t0 = time.perf_counter()
    for problem in warm_up(all_variants=True):
        print(f"coprod app: warning: {problem}", file=sys.stderr)
    from model.rules import registry

    registry.report_broken()  # a variant file that fails on import: the page goes on without it
    if time.perf_counter() - t0 > 3:
        print(
            f"coprod app: prepared the model's compiled rules ({time.perf_counter() - t0:.0f} s; "
            "only the first start on this machine takes this long)",
            flush=True,
        )
    warm_page(app)
    port = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    server = uvicorn.Server(
        uvicorn.Config(asgi_app, log_level="warning", access_log=False, lifespan="on")
    )
    if open_browser:

        def _open() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.1)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=_open, daemon=True).start()

    # solara warns on every page load from any host but "localhost" that it cannot set an
    # iframe-friendly cookie; the page is not embedded, so that is noise here
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    print(
        f"coprod app: serving on {url} (at most {SESSIONS.limit} sessions; Ctrl-C to stop)",
        flush=True,
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shuts down gracefully, then re-raises the Ctrl-C it caught
    finally:
        SESSIONS.close_all()  # the sessions' threads (play, clocks) end with them
    print("coprod app: stopped", flush=True)
    return 0 if server.started else 1
