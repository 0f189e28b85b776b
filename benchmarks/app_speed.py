"""How fast the workshop page plays, measured in a real browser (issue 3: >= 10 months/s).

Starts nothing itself: run the app first (``uv run coprod app --port 8799``), then
``uv run python benchmarks/app_speed.py [URL] [--citizens N] [--seconds S]``. Prints the
simulated months per second the page advanced *and showed*, read from the month label.
"""

from __future__ import annotations

import argparse
import shutil
import time

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS

# the same chromium flags as the browser tests
ARGS = CHROMIUM_ARGS
MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
    )
}


def month_index(label: str) -> int:
    name, year = label.split()
    return int(year) * 12 + MONTHS[name]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:8799/")
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(args.url, timeout=90_000)
        page.get_by_role("button", name="Ein Monat", exact=True).wait_for(timeout=90_000)
        page.get_by_role("button", name="Ein Monat", exact=True).click()
        label = page.locator("#coprod-month")
        while label.inner_text() == "–":
            time.sleep(0.1)
        page.get_by_role("button", name="Start", exact=True).click()
        time.sleep(1.0)  # the first frames include start-up
        first, t0 = month_index(label.inner_text()), time.perf_counter()
        time.sleep(args.seconds)
        last, t1 = month_index(label.inner_text()), time.perf_counter()
        pause = page.get_by_role("button", name="Pause", exact=True)
        if pause.count():  # not at the end of the run yet
            pause.click()
        print(
            f"2,000 citizens (default), speed 6 months/frame: {(last - first) / (t1 - t0):.1f} "
            f"months per second shown in the browser ({last - first} months in {t1 - t0:.1f} s)"
        )
        browser.close()


if __name__ == "__main__":
    main()
