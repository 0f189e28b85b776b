"""The README's screenshots of the workshop page, taken from a running app in chromium.

Starts nothing itself: run the app first (``uv run coprod app --port 8799``), then
``uv run python benchmarks/screenshots.py [URL] [--out docs/figures] [--projector]``.

Each screenshot is one workshop as a facilitator runs it: "Sparkurs" (austerity) against its
own answer ("Unterstützungsstruktur"), played until the story pauses in June 2031 (after the
cut of January 2031), a citizens' assembly called, the bands of other seeds ready. Writes
``app_de.png`` and ``app_en.png`` at 1600×1000 (the README's); ``--projector`` adds the German
page and presentation mode at 1280×720 (``app_de_1280x720.png``,
``app_de_presentation_1280x720.png``), to see what a projector shows.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from model.interface.app.i18n import t
from model.simulation.scenario.files import load_scenario
from tests.browser.conftest import CHROMIUM_ARGS, ROOT

SCENARIO = "austerity"
LOAD_MS = 120_000
BIG, PROJECTOR = {"width": 1600, "height": 1000}, {"width": 1280, "height": 720}
#: the chart images, once every shown one has loaded: their sources (to see them settle)
CHARTS_JS = """() => {
  const imgs = [...document.querySelectorAll('.coprod-chart img')];
  if (!imgs.length || imgs.some(i => !i.complete || !i.naturalWidth)) return null;
  return imgs.map(i => i.src).join(' ');
}"""


def wait_until(predicate, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not get there within {seconds} s")
        time.sleep(0.2)


def settled(page, seconds: float = 60.0, quiet: float = 1.5) -> None:
    """Wait until the chart images have loaded and stayed the same for ``quiet`` seconds."""
    deadline = time.monotonic() + seconds
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = page.evaluate(CHARTS_JS)
        if now is None or now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)
    raise TimeoutError("the charts did not settle")


def month(page) -> str:
    return page.locator("#coprod-month").inner_text()


def choose(page, label: str, option: str) -> None:
    page.locator(".v-select", has=page.get_by_text(label, exact=True)).locator(
        ".v-input__slot"
    ).click()
    page.get_by_role("option", name=option, exact=True).click()


def workshop(browser, url: str, lang: str, viewport: dict):
    """A page in ``lang`` with the workshop played up to the story's pause after the cut."""
    page = browser.new_page(viewport=viewport, locale="de-DE" if lang == "de" else "en-GB")
    page.goto(url, timeout=LOAD_MS)

    def button(key: str):
        return page.get_by_role("button", name=t(key, lang), exact=True)

    # the page opens in German
    page.get_by_role("button", name=t("step", "de"), exact=True).wait_for(timeout=LOAD_MS)
    if lang != "de":
        page.get_by_role("button", name="English", exact=True).click(timeout=LOAD_MS)
        button("step").wait_for(timeout=LOAD_MS)
    scenario = load_scenario(SCENARIO)
    reference = load_scenario(scenario.reference)
    title = scenario.title_de if lang == "de" else scenario.title
    choose(page, t("scenario", lang), title)
    question = scenario.question_de if lang == "de" else scenario.question
    page.get_by_text(question, exact=True).first.wait_for(timeout=LOAD_MS)
    answer = reference.title_de if lang == "de" else reference.title
    choose(page, t("reference_choice", lang), f"{answer} ({t('reference_answers', lang)})")
    # the story pauses the run twice: before the cut (Dec 2030) and after it (Jun 2031)
    for pause in ("2030", "2031"):
        button("play").click(timeout=LOAD_MS)
        wait_until(lambda pause=pause: month(page).endswith(pause) and button("play").count())
    button("do_assembly").click()
    page.locator("#coprod-changes").wait_for(timeout=LOAD_MS)
    pending = t("band_pending", lang)
    wait_until(lambda: page.locator("#coprod-uncertainty").inner_text() != pending)
    page.evaluate("window.scrollTo(0, 0)")
    settled(page)
    return page


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:8799/")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    ap.add_argument("--projector", action="store_true", help="also 1280×720, German")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shots = [("app_de.png", "de", BIG), ("app_en.png", "en", BIG)]
    if args.projector:
        shots.append(("app_de_1280x720.png", "de", PROJECTOR))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for name, lang, viewport in shots:
            page = workshop(browser, args.url, lang, viewport)
            page.screenshot(path=args.out / name)
            print(args.out / name)
            if name == "app_de_1280x720.png":
                page.get_by_text(t("presentation", lang), exact=True).click()
                # the views go wide (the compact strip keeps the language buttons)
                page.locator(".coprod-wide").first.wait_for(timeout=LOAD_MS)
                settled(page)
                page.screenshot(path=args.out / "app_de_presentation_1280x720.png")
                print(args.out / "app_de_presentation_1280x720.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
