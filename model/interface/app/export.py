"""The workshop's protocol: what the room changed and what came of it, for a spreadsheet.

One CSV, one row per month, in the page's language and locale: in German with semicolons,
decimal commas, German column labels and a byte-order mark, so that a German spreadsheet
opens it as it is (Excel reads a plain UTF-8 file as Windows-1252 and a comma-separated one
as a single column). Each indicator comes twice, with the room's changes and for the
reference line, rounded to what a chart shows (shares in percent with one decimal, euros whole);
the scenario's own events and the room's changes are columns of the month they happened in,
and the lever settings in force each month follow. File names carry the scenario, the seed and
the time of the export.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import zipfile

import pandas as pd

from model.simulation.indicators import INDICATORS

#: indicators in the protocol, with their labels (English, German)
EXPORTED: dict[str, tuple[str, str]] = {
    "engaged_share": ("engaged, all residents", "engagiert, alle Einwohner:innen"),
    "engaged_share_edu_low": (
        "engaged, formal education low",
        "engagiert, formale Bildung niedrig",
    ),
    "engaged_share_edu_mid": (
        "engaged, formal education middle",
        "engagiert, formale Bildung mittel",
    ),
    "engaged_share_edu_high": (
        "engaged, formal education high",
        "engagiert, formale Bildung hoch",
    ),
    "engaged_share_age_14_29": ("engaged, aged 14-29", "engagiert, 14-29 Jahre"),
    "engaged_share_age_30_49": ("engaged, aged 30-49", "engagiert, 30-49 Jahre"),
    "engaged_share_age_50_64": ("engaged, aged 50-64", "engagiert, 50-64 Jahre"),
    "engaged_share_age_65_74": ("engaged, aged 65-74", "engagiert, 65-74 Jahre"),
    "engaged_share_age_75_plus": ("engaged, aged 75 and over", "engagiert, ab 75 Jahre"),
    "engaged_share_migration": (
        "engaged, with migration background",
        "engagiert, mit Migrationsgeschichte",
    ),
    "engaged_share_silent": ("engaged, silent groups", "engagiert, stille Gruppen"),
    "informal_help_share": ("help neighbours", "helfen in der Nachbarschaft"),
    "trust_mean": ("trust in the administration (0-1)", "Vertrauen in die Verwaltung (0-1)"),
    "efficacy_mean": ("efficacy (0-1)", "Selbstwirksamkeit (0-1)"),
    "democracy_satisfaction": (
        "satisfied with democracy",
        "zufrieden mit der Demokratie",
    ),
    "lonely_share": ("lonely", "einsam"),
    "climate_progress": ("climate neutrality (0-1)", "Klimaneutralität (0-1)"),
    "services_coverage": ("public services (0-1)", "Daseinsvorsorge (0-1)"),
    "public_places_quality": ("public places (0-1)", "öffentliche Räume (0-1)"),
    "participants_residents": ("residents taking part", "beteiligte Einwohner:innen"),
    "cost_eur": ("cost this month (EUR)", "Kosten in diesem Monat (EUR)"),
    "cost_eur_total": ("cost so far (EUR)", "Kosten bisher (EUR)"),
}

WORDS = {
    "month": ("month", "Monat"),
    "live": ("with the room's changes", "mit Ihren Änderungen"),
    "reference": ("reference", "Referenz"),
    "scenario_events": ("scenario events", "Ereignisse des Szenarios"),
    "room_changes": ("changes made in the room", "Ihre Änderungen"),
    "lever": ("lever", "Stellschraube"),
    "percent": ("%", "%"),
    "file": ("protocol", "protokoll"),
    "charts": ("charts", "grafiken"),
}


def _word(key: str, lang: str) -> str:
    return WORDS[key][1 if lang == "de" else 0]


def _rounded(name: str, values: pd.Series) -> pd.Series:
    """What a chart shows: shares in percent with one decimal, euros and people whole, other
    indices with three decimals (no ``3112500.0000000033``)."""
    unit = INDICATORS.get(name, ("", ""))[0]
    if unit == "fraction":
        return (100 * values.astype(float)).round(1)
    if name.startswith("cost") or name.endswith("_residents"):
        return values.astype(float).round(0)
    return values.astype(float).round(3)


def indicator_label(name: str, lang: str) -> str:
    """An indicator's words on the page (its column name if it has none)."""
    if name not in EXPORTED:
        return name
    en, de = EXPORTED[name]
    return de if lang == "de" else en


def _label(name: str, lang: str) -> str:
    en, de = EXPORTED[name]
    label = de if lang == "de" else en
    if INDICATORS.get(name, ("", ""))[0] == "fraction":
        label += f" ({_word('percent', lang)})"
    return label


def protocol_frame(
    live: pd.DataFrame,
    reference: pd.DataFrame,
    lang: str,
    *,
    scenario_events: list[tuple[str, str]] = (),
    room_changes: list[tuple[str, str]] = (),
    levers: list[dict[str, object]] | None = None,
    lever_labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The protocol as a table: one row per month of the live run.

    ``*_events``/``room_changes`` are (``YYYY-MM``, text) pairs; ``levers`` the flat lever
    settings in force each month (one dict per row of ``live``), labelled by
    ``lever_labels``."""
    out = pd.DataFrame({_word("month", lang): live["date"].astype(str).to_numpy()})
    ref = reference.set_index("date").reindex(live["date"])
    for name in EXPORTED:
        if name not in live:
            continue
        label = _label(name, lang)
        out[f"{label} - {_word('live', lang)}"] = _rounded(name, live[name]).to_numpy()
        out[f"{label} - {_word('reference', lang)}"] = _rounded(name, ref[name]).to_numpy()
    for key, events in (("scenario_events", scenario_events), ("room_changes", room_changes)):
        by_month: dict[str, list[str]] = {}
        for date, text in events:
            by_month.setdefault(str(date), []).append(" ".join(str(text).split()))
        out[_word(key, lang)] = [" | ".join(by_month.get(d, [])) for d in out.iloc[:, 0]]
    if levers:
        labels = lever_labels or {}
        for key in levers[-1]:
            column = f"{_word('lever', lang)}: {labels.get(key, key)}"
            out[column] = [row.get(key, "") for row in levers[: len(out)]] + [""] * max(
                0, len(out) - len(levers)
            )
    return out


def protocol_csv(frame: pd.DataFrame, lang: str) -> bytes:
    """``frame`` as CSV in the page's locale (German: ``;`` and decimal comma, with a
    byte-order mark so that spreadsheets read the umlauts)."""
    buffer = io.StringIO()
    if lang == "de":
        frame.to_csv(buffer, sep=";", decimal=",", index=False)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def file_name(scenario: str, seed: int, lang: str, suffix: str, now: dt.datetime | None = None):
    """``coprod-protokoll-baseline-seed42-2026-12-02_1658.csv``: what, which run, when (the
    charts' zip: ``coprod-grafiken-…``)."""
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d_%H%M")
    safe = re.sub(r"[^\w-]+", "_", scenario)
    what = _word("charts" if suffix == "zip" else "file", lang)
    return f"coprod-{what}-{safe}-seed{seed}-{stamp}.{suffix}"


#: the saved charts' file names (English, German)
PICTURES = {
    "gradient": ("who-is-engaged", "wer-engagiert-sich"),
    "trust": ("trust", "vertrauen"),
    "challenges": ("challenges", "herausforderungen"),
    "network": ("network", "netzwerk"),
    "where": ("where", "wo-sich-menschen-engagieren"),
    "costs": ("costs", "kosten"),
}
#: characters per caption line, and lines at most, below a chart 9 inches wide
CAPTION_CHARS, CAPTION_LINES = 110, 4


def today(lang: str, now: dt.datetime | None = None) -> str:
    """``03.12.2026`` / ``2026-12-03``."""
    now = now or dt.datetime.now()
    return now.strftime("%d.%m.%Y") if lang == "de" else now.strftime("%Y-%m-%d")


def pictures_zip(figures: dict, caption: str, lang: str) -> bytes:
    """``figures`` (view name -> matplotlib Figure) as PNGs in a zip, each with ``caption``
    below it and named in ``lang``; the figures are left as they were."""
    lines = textwrap.wrap(caption, CAPTION_CHARS)[:CAPTION_LINES]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, fig in figures.items():
            png = io.BytesIO()
            text = fig.text(0.01, 0.005, "\n".join(lines), fontsize=10, va="bottom", ha="left")
            try:
                fig.savefig(png, format="png", dpi=150, bbox_inches="tight", pad_inches=0.15)
            finally:
                text.remove()
            en, de = PICTURES.get(name, (name, name))
            archive.writestr(f"{de if lang == 'de' else en}.png", png.getvalue())
    return buffer.getvalue()
