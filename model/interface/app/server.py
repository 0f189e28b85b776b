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
copied into the cache on first start.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
import warnings
import webbrowser
from pathlib import Path

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


def _configure_solara(app: str) -> None:
    # solara reads these when its modules are first imported, so set them before that
    os.environ["SOLARA_APP"] = app
    # forced on: solara turns the proxy off by itself inside VS Code's terminal
    os.environ["SOLARA_ASSETS_PROXY"] = "true"
    os.environ.setdefault("SOLARA_ASSETS_CDN", NO_CDN)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    # production mode: no solara.dev check iframe, no auto-reload
    os.environ.setdefault("SOLARA_MODE", "production")

    import solara.server.settings as server_settings
    import solara.settings

    # in case solara was imported before us (the environment came too late then)
    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = os.environ["SOLARA_ASSETS_CDN"]
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = os.environ["SOLARA_MODE"]


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


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, *, app: str = APP
) -> int:
    """Serve ``app`` (``module:Component``) on ``host:port`` until Ctrl-C; return an exit status.

    ``port=0`` takes a free port; the address printed is the one really bound.
    """
    _configure_solara(app)
    import solara.server.settings as server_settings

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
    from solara.server.starlette import app as asgi_app

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
    print(f"coprod app: serving on {url} (Ctrl-C to stop)", flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shuts down gracefully, then re-raises the Ctrl-C it caught
    print("coprod app: stopped", flush=True)
    return 0 if server.started else 1
