"""How long the workshop page stalls when the language is switched while it plays (issue 18:
"switching language mid-run stalls about 2 s").

Starts nothing itself: run the app first (``uv run coprod app --port 8799``), then
``uv run python benchmarks/language_switch.py [URL] [--switches N] [--speed S]``.

One tab (its own session, ``baseline`` at 2,000 citizens, 1600×1000) is prepared as
``app_speed.py`` prepares it (the story at its last step, so the run does not pause), plays at
``--speed``, and after ``--before`` seconds its language is switched (*English*, then
*Deutsch*, and so on), ``--switches`` times, ``--between`` seconds apart (the defaults keep
the whole measurement inside the run: speed 3 plays about 7.5 months a second). The browser
records every change of the month label and when the headline first shows the new language.
Prints,
per switch: the click to the headline in the new language; the click to the next month shown;
the frame interval that contains the click against the median interval while playing
undisturbed (the stall is their difference); and whether the run kept playing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

from _machine import machine
from app_speed import ARGS, SPEEDS, prepare
from playwright.sync_api import sync_playwright

MONTHS = {
    "de": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
#: the headline's first word in each language (i18n: month_now), and the switch's button
HEADLINE = {"de": "Monat", "en": "Month"}
BUTTON = {"de": "Deutsch", "en": "English"}

# when the headline (the h2 holding #coprod-month) first starts with a word: window.__lang
WATCH_LANGUAGE = """() => {
  window.__lang = [];
  let last = null;
  const look = () => {
    const el = document.getElementById('coprod-month');
    const word = el && el.parentElement ? el.parentElement.textContent.split(':')[0] : null;
    if (word !== last) { last = word; window.__lang.push([Date.now(), word]); }
  };
  look();
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def month_number(label: str) -> int | None:
    """'Mär 2027' or 'Mar 2027' -> months since year 0 (None for '–')."""
    parts = label.split()
    if len(parts) != 2:
        return None
    for names in MONTHS.values():
        if parts[0] in names:
            return int(parts[1]) * 12 + names.index(parts[0])
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:8799/")
    ap.add_argument("--speed", type=int, default=3, choices=SPEEDS, help="months per frame")
    ap.add_argument("--switches", type=int, default=4, help="language switches while playing")
    ap.add_argument("--before", type=float, default=2.0, help="seconds played before the first")
    ap.add_argument("--between", type=float, default=2.5, help="seconds between switches")
    args = ap.parse_args()

    host = machine({})
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        context, page, _ = prepare(browser, args.url, args.speed)
        page.evaluate(WATCH_LANGUAGE)
        page.get_by_role("button", name="Start", exact=True).click()
        started = time.time() * 1000
        time.sleep(args.before)
        clicks = []
        lang = "de"
        for _ in range(args.switches):
            lang = "en" if lang == "de" else "de"
            clicks.append((time.time() * 1000, lang))
            page.get_by_role("button", name=BUTTON[lang], exact=True).click()
            time.sleep(args.between)
        months = page.evaluate("() => window.__months")
        words = page.evaluate("() => window.__lang")
        context.close()
        browser.close()

    shown = [(t, month_number(x)) for t, x in months if x and month_number(x) is not None]
    moved = [(t, m) for (t, m), (_, before) in zip(shown[1:], shown, strict=False) if m > before]
    times = [t for t, _ in moved if t >= started]
    undisturbed = [
        b - a
        for a, b in zip(times, times[1:], strict=False)
        if not any(a <= c <= b + 1000 for c, _ in clicks)
    ]
    median = statistics.median(undisturbed) / 1000 if undisturbed else float("nan")
    print(
        f"baseline, 2,000 citizens, speed {args.speed}, one tab at 1600×1000; {host['cpu']}, "
        f"{host['cores']} cores; frame interval while undisturbed: median {median:.2f} s "
        f"({len(undisturbed)} intervals)"
    )
    stalls = []
    for i, (clicked, lang) in enumerate(clicks):
        until = clicks[i + 1][0] if i + 1 < len(clicks) else float("inf")
        text = next(
            (t for t, w in words if t >= clicked and w and w.strip() == HEADLINE[lang]), None
        )
        before = max((t for t in times if t < clicked), default=None)
        after = next((t for t in times if clicked <= t < until), None)
        if after is None or before is None:
            print(f"  switch {i + 1} to {lang}: no month shown after it (the run stopped)")
            stalls.append(float("inf"))
            continue
        interval = (after - before) / 1000
        stall = interval - median
        stalls.append(stall)
        print(
            f"  switch {i + 1} to {lang}: headline in {lang} after "
            + (f"{(text - clicked) / 1000:.2f} s" if text else "never")
            + f"; next month shown after {(after - clicked) / 1000:.2f} s; the interval with the "
            f"click {interval:.2f} s, {stall:+.2f} s against the median"
        )
    print(f"longest stall: {max(stalls):+.2f} s beyond an undisturbed frame interval")


if __name__ == "__main__":
    main()
