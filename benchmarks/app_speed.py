"""How fast the workshop page plays, measured in real browsers (issue 18: >= 8 months/s in each
of two tabs at 2,000 citizens).

Starts nothing itself: run the app first (``uv run coprod app --port 8799``), then
``uv run python benchmarks/app_speed.py [URL] [--tabs N] [--speed S] [--seconds S]``.

Each tab is its own browser context, so its own session and model (the default scenario,
``baseline``, 2,000 citizens). Every tab goes to the story's last step (*Weiter*) so that the
run's only pause is that step's (Dez 2035) instead of the first one (Dez 2026, eleven months
in), sets the group of the main view back to education (the story's steps change it), picks
the speed (``--speed``), steps one month (*Ein Monat*), and then all tabs press *Start* one
after the other (within about a tenth of a second). The browser itself records when the month label
(``#coprod-month``) changes. Prints, per tab, the simulated months per second the page
advanced *and showed* in the same window (from ``--warmup`` s after the last Start, for
``--seconds`` s): from the first label change in the window to the last (whole frames, so the
rate does not depend on where the window cuts a frame); the time from Start to the first
change; the minimum over the tabs; and how many cores the machine used in the window (the app
server, this browser and anything else: on a shared machine other jobs move every figure). The
window ends earlier if a tab reaches the pause.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from pathlib import Path

from _machine import machine
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from model.interface.app import story
from model.simulation.scenario.files import load_scenario
from tests.browser.conftest import CHROMIUM_ARGS

# the browser tests' chromium flags; each tab stands for a screen of its own, so chromium must
# not slow any of them down as a tab in the background
ARGS = [
    *CHROMIUM_ARGS,
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
]
TARGET = 8.0  # months/s in each tab (issue 18, with two tabs)
SCENARIO = "baseline"  # the page's first scenario
SPEEDS = (1, 3, 6, 12)  # the page's speed toggle (months per frame); 6 is preselected
MONTHS = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
GROUP_DEFAULT = "nach formaler Bildung"  # the main view's group when the page opens

# records every change of the month label, with the browser's clock (ms since the epoch, the
# same clock as time.time() here), in window.__months; the label is drawn anew each frame,
# so the whole page is watched
WATCH = """() => {
  window.__months = [];
  let last = null;
  const look = () => {
    const el = document.getElementById('coprod-month');
    const text = el ? el.textContent : null;
    if (text !== last) { last = text; window.__months.push([Date.now(), text]); }
  };
  look();
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all processes, all cores; Linux)."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # not idle, iowait


def month_index(label: str) -> int:
    """'Mär 2027' -> months since year 0."""
    name, year = label.split()
    return int(year) * 12 + MONTHS.index(name)


def label_of(date: str) -> str:
    """'2035-12' -> 'Dez 2035'."""
    year, month = date.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def prepare(browser, url: str, speed: int):
    """A new context (session) on the page, at the story's last step, group and speed set,
    one month stepped, the month label watched. Returns (context, page, the story's step)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url, timeout=90_000)
    step_button = page.get_by_role("button", name="Ein Monat", exact=True)
    step_button.wait_for(timeout=90_000)
    following = page.get_by_role("button", name="Weiter", exact=True)
    count = page.locator("#coprod-story-step")
    while following.count() and following.is_enabled():
        before = count.inner_text()
        following.click()
        page.wait_for_function(
            "b => document.getElementById('coprod-story-step').textContent !== b", arg=before
        )
    group = page.locator(".coprod-groups").get_by_role("button", name=GROUP_DEFAULT)
    if "v-btn--active" not in (group.get_attribute("class") or ""):
        group.click()
        page.wait_for_function(
            "g => [...document.querySelectorAll('.coprod-groups .v-btn--active')]"
            ".some(b => b.textContent.trim().toLowerCase() === g)",
            arg=GROUP_DEFAULT.lower(),
        )
    speed_button = page.get_by_role("button", name=str(speed), exact=True)
    if speed_button.count() != 1:
        raise SystemExit(f"speed {speed}: {speed_button.count()} buttons named {speed!r}")
    chosen = (
        "() => [...document.querySelectorAll('.v-btn--active')]"
        f".some(b => b.textContent.trim() === '{speed}')"
    )
    if not page.evaluate(chosen):  # 6 is chosen already
        speed_button.click()
        page.wait_for_function(chosen)
    step_button.click()
    label = page.locator("#coprod-month")
    while label.inner_text() == "–":
        time.sleep(0.1)
    page.evaluate(WATCH)
    return context, page, count.inner_text() if count.count() else ""


def measure(changes: list, clicked: float, window: tuple[float, float], pause: int | None) -> dict:
    """One tab's figures from its label changes [(ms, label)] after Start at ``clicked``; the
    frame that ends at the ``pause`` month (often shorter than the others) is left out."""
    shown = [(t, month_index(x)) for t, x in changes if x and x != "–"]
    at_start = max((m for t, m in shown if t < clicked), default=-1)
    after = [(t, m) for t, m in shown if t >= clicked and m > at_start]
    first_change = (after[0][0] - clicked) / 1000 if after else None
    inside = [
        (t, m) for t, m in after if window[0] <= t <= window[1] and (pause is None or m < pause)
    ]
    out = {"first_change_s": first_change, "frames": max(len(inside) - 1, 0)}
    if len(inside) >= 2:
        (t0, m0), (t1, m1) = inside[0], inside[-1]
        gaps = [(b[0] - a[0]) / 1000 for a, b in zip(inside, inside[1:], strict=False)]
        out |= {
            "months_per_s": (m1 - m0) / ((t1 - t0) / 1000),
            "months": m1 - m0,
            "span_s": (t1 - t0) / 1000,
            "frame_s_median": statistics.median(gaps),
            "frame_s_max": max(gaps),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:8799/")
    ap.add_argument("--tabs", type=int, default=1, help="independent sessions playing at once")
    ap.add_argument("--speed", type=int, default=6, choices=SPEEDS, help="months per frame")
    ap.add_argument("--seconds", type=float, default=8.0, help="the measured window")
    ap.add_argument("--warmup", type=float, default=2.0, help="left out after the last Start")
    ap.add_argument("--json", type=Path, help="append the results as one JSON line to this file")
    args = ap.parse_args()

    scenario = load_scenario(SCENARIO)
    pause = story.next_pause(scenario, len(scenario.story) - 1)  # of the last step
    pause_at = month_index(label_of(pause)) if pause else None
    host = machine({})
    load_before = host["load_average"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        tabs = [prepare(browser, args.url, args.speed) for _ in range(args.tabs)]
        clicked = []
        for _, page, _ in tabs:
            clicked.append(time.time() * 1000)
            page.get_by_role("button", name="Start", exact=True).click()
        start = max(clicked) + 1000 * args.warmup
        time.sleep(max(0.0, (start - time.time() * 1000) / 1000))
        busy0 = busy_seconds()
        time.sleep(max(0.0, (start - time.time() * 1000) / 1000 + args.seconds))
        busy = (busy_seconds() - busy0) / args.seconds  # cores in use, this and all else
        logs = [page.evaluate("() => window.__months") for _, page, _ in tabs]
        for _, page, _ in tabs:
            pause_button = page.get_by_role("button", name="Pause", exact=True)
            try:  # still playing (unless the run reaches its pause just now)
                if pause_button.count():
                    pause_button.click(timeout=2000)
            except PlaywrightError:
                pass
        steps = [step for _, _, step in tabs]
        for context, _, _ in tabs:
            context.close()
        browser.close()
    load_after = [round(x, 2) for x in os.getloadavg()]

    # the window is the same for every tab; it ends where the first tab reached the pause (from
    # then on the others would play alone) or the end of the run
    end = start + 1000 * args.seconds
    for log in logs:
        for t, x in log:
            if x and x != "–" and pause_at is not None and month_index(x) >= pause_at:
                end = min(end, t)
                break
    results = [
        measure(log, c, (start, end), pause_at) for log, c in zip(logs, clicked, strict=True)
    ]

    print(
        f"{SCENARIO}, {scenario.run.citizens:,} citizens, speed {args.speed} months per frame, "
        f"{args.tabs} tab(s), each its own session; story at its last step "
        f"({steps[0] or 'no story'}), so the run pauses only at {label_of(pause) if pause else '-'}"
    )
    cut = " (cut short: a tab reached the pause)" if end < start + 1000 * args.seconds else ""
    print(
        f"window: {(end - start) / 1000:.1f} s from {args.warmup:g} s after the last Start{cut}; "
        f"{host['cpu']}, {host['cores']} cores; load average before {load_before}, after "
        f"{load_after}; the machine used {busy:.2f} of its cores in the window (app server, "
        "this browser and anything else)"
    )
    for i, r in enumerate(results, 1):
        rate = r.get("months_per_s")
        first = r["first_change_s"]
        print(
            f"  tab {i}: "
            + (
                f"{rate:5.1f} months/s ({r['months']} months in {r['span_s']:.2f} s, "
                f"{r['frames']} frames, frame interval median {r['frame_s_median']:.2f} s, "
                f"max {r['frame_s_max']:.2f} s)"
                if rate is not None
                else "fewer than two month changes in the window"
            )
            + (f"; Start to first month change {first:.2f} s" if first is not None else "")
        )
    rates = [r.get("months_per_s") or 0.0 for r in results]
    verdict = "met" if min(rates) >= TARGET else "not met"
    print(f"minimum over the tabs: {min(rates):.1f} months/s (target >= {TARGET:g}: {verdict})")
    if args.json:
        record = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "url": args.url,
            "scenario": SCENARIO,
            "citizens": scenario.run.citizens,
            "tabs": args.tabs,
            "speed": args.speed,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "window_s": round((end - start) / 1000, 2),
            "machine": host,
            "load_after": load_after,
            "busy_cores_in_window": round(busy, 2),
            "clicked_s": [round((c - clicked[0]) / 1000, 3) for c in clicked],
            "tabs_results": results,
            # each tab's label changes: seconds after its Start, label
            "changes": [
                [[round((t - c) / 1000, 3), x] for t, x in log]
                for log, c in zip(logs, clicked, strict=True)
            ],
            "min_months_per_s": min(rates),
        }
        with args.json.open("a") as f:
            f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
