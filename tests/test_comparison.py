"""coprod compare: scenarios against their parents, year by year, and against what has been
observed (docs/scenarios.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from model.studies.comparison import parent_of, summarise, trajectory
from model.studies.observed import OBSERVED, largest


def _runs() -> pd.DataFrame:
    rows = []
    for scenario, lift in (("parent", 0.0), ("child", 0.02)):
        for seed in (1, 2):
            for year in (2035, 2036):
                for month in range(1, 13):
                    # the child's effect grows by a point a year after 2035
                    effect = lift + (0.01 if year == 2036 and lift else 0.0)
                    rows.append(
                        {
                            "scenario": scenario,
                            "seed": seed,
                            "date": f"{year}-{month:02d}",
                            "engaged_share": 0.3 + effect + 0.001 * seed,
                            "cost_eur": 1000.0,
                        }
                    )
    df = pd.DataFrame(rows)
    for col in ("engaged_share_edu_low", "engaged_share_edu_high", "engaged_share_silent"):
        df[col] = df["engaged_share"]
    for col in ("trust_mean", "democracy_satisfaction", "climate_progress", "lonely_share"):
        df[col] = 0.5
    df["infrastructure_spend_eur"] = 0.0
    df["cost_eur_total"] = df.groupby(["scenario", "seed"])["cost_eur"].cumsum()
    return df


def test_summarise_reads_the_year_asked_for():
    runs = _runs()
    s35, s36 = summarise(runs, 2035), summarise(runs, 2036)
    assert s35.loc[("child", 1), "engaged_share"] == pytest.approx(0.321)
    assert s36.loc[("child", 1), "engaged_share"] == pytest.approx(0.331)
    assert s35.loc[("child", 1), "cost_eur_total"] == 12_000
    assert s36.loc[("child", 1), "cost_eur_last_year"] == 12_000


def test_trajectory_shows_an_effect_that_has_not_settled():
    assert trajectory(_runs(), "child", "parent", "engaged_share", [2035, 2036]) == (
        pytest.approx([2.0, 3.0])
    )


def test_scenarios_are_compared_with_the_scenario_they_extend():
    assert parent_of("baseline") is None
    assert parent_of("austerity") == "infrastructure"
    assert parent_of("tokenism") == "baseline"


def test_the_observed_table_cites_a_source_for_every_change():
    for rows in OBSERVED.values():
        assert all(r.source and r.what for r in rows)
    assert largest("engaged_share") == pytest.approx(8.1)
    assert largest("no_such_indicator") is None
