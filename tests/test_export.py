"""The workshop's protocol export (model/interface/app/export.py): it opens correctly in a
German spreadsheet, holds both lines, the changes and the levers, rounded as charts show."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from model import CoProductionModel, Scenario
from model.interface.app import export


@pytest.fixture(scope="module")
def frames():
    live = CoProductionModel(Scenario(), citizens=300, rng=1)
    ref = CoProductionModel(Scenario(), citizens=300, rng=1)
    for month in range(6):
        if month == 2:
            live.set_levers({"infrastructure": {"volunteer_agency_eur": 900_000}}, label="x")
        live.step()
        ref.step()
    return live.dataframe(), ref.dataframe()


def test_the_german_protocol_reads_back_with_semicolon_and_decimal_comma(frames):
    live, ref = frames
    date = str(live["date"].iloc[2])
    frame = export.protocol_frame(
        live,
        ref,
        "de",
        scenario_events=[(str(live["date"].iloc[0]), "Haushaltskürzung")],
        room_changes=[(date, "Freiwilligenagenturen: 900.000 EUR/Jahr")],
        levers=[{"volunteer_agency_eur": 300_000}] * 2 + [{"volunteer_agency_eur": 900_000}] * 4,
        lever_labels={"volunteer_agency_eur": "Freiwilligenagenturen (EUR/Jahr)"},
    )
    data = export.protocol_csv(frame, "de")
    assert data.startswith("\ufeff".encode())  # spreadsheets then read the umlauts
    text = data.decode("utf-8-sig")
    assert ";" in text.splitlines()[0] and "," not in text.splitlines()[0].replace(", ", "")
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(back) == len(live)
    column = "engagiert, alle Einwohner:innen (%) - mit Ihren Änderungen"
    assert back[column].dtype.kind == "f"  # numbers, not text: the decimal comma was read
    assert back[column].tolist() == (100 * live["engaged_share"]).round(1).tolist()
    reference = "engagiert, alle Einwohner:innen (%) - Referenz"
    assert back[reference].tolist() == (100 * ref["engaged_share"]).round(1).tolist()
    costs = back["Kosten bisher (EUR) - mit Ihren Änderungen"]
    assert (costs == costs.round(0)).all()
    assert back.loc[2, "Ihre Änderungen"] == "Freiwilligenagenturen: 900.000 EUR/Jahr"
    assert back.loc[0, "Ereignisse des Szenarios"] == "Haushaltskürzung"
    assert back["Stellschraube: Freiwilligenagenturen (EUR/Jahr)"].tolist()[1:3] == [
        300_000,
        900_000,
    ]
    assert not any(c.startswith(("engaged", "cost")) for c in back.columns)  # all German


def test_the_english_protocol_uses_commas_and_points(frames):
    live, ref = frames
    data = export.protocol_csv(export.protocol_frame(live, ref, "en"), "en")
    back = pd.read_csv(io.BytesIO(data))
    assert "engaged, all residents (%) - reference" in back.columns
    assert back["trust in the administration (0-1) - with the room's changes"].dtype.kind == "f"


def test_file_names_say_what_which_run_and_when():
    now = dt.datetime(2026, 12, 2, 16, 58)
    assert export.file_name("austerity", 42, "de", "csv", now) == (
        "coprod-protokoll-austerity-seed42-2026-12-02_1658.csv"
    )
    assert export.file_name("a/b c", 7, "en", "csv", now).startswith("coprod-protocol-a_b_c-seed7")
    # the charts' zip is named for what it holds, in the page's language
    assert export.file_name("austerity", 42, "de", "zip", now).startswith("coprod-grafiken-")
    assert export.file_name("austerity", 42, "en", "zip", now).startswith("coprod-charts-")


def test_saved_charts_carry_their_caption_and_names_in_the_page_language():
    import zipfile

    from matplotlib.figure import Figure

    from model.interface.app.export import pictures_zip

    fig = Figure(figsize=(4, 3))
    fig.subplots().plot([0, 1], [0, 1])
    plain = io.BytesIO()
    fig.savefig(plain, format="png", dpi=150, bbox_inches="tight", pad_inches=0.15)
    for lang, name in (("de", "wer-engagiert-sich.png"), ("en", "who-is-engaged.png")):
        data = pictures_zip({"gradient": fig}, "Szenario: Sparkurs · Seed: 42 · 03.12.2026", lang)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.namelist() == [name]
            png = archive.read(name)
        # the caption adds a line below the chart: the picture is taller than without it
        assert _png_height(png) > _png_height(plain.getvalue())
    assert not fig.texts  # the figure on the page is left as it was


def _png_height(png: bytes) -> int:
    return int.from_bytes(png[20:24], "big")  # IHDR: width at 16, height at 20
