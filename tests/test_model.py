"""Tests of the model as a whole: reproducibility, Mesa integration, the indicator table."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from model import CoProductionModel, Scenario
from model.simulation.agents import Administration, Organisation
from model.simulation.citizens import Citizen, State
from model.simulation.indicators import INDICATORS
from model.simulation.scenario import month_label

ROOT = Path(__file__).resolve().parents[1]
MONTHS = 14


def small(**extra) -> Scenario:
    data = {"run": {"months": MONTHS, "burn_in_months": 6, "citizens": 400}}
    data.update(extra)
    return Scenario.model_validate(data)


def run(scenario: Scenario, seed: int) -> CoProductionModel:
    m = CoProductionModel(scenario, rng=seed)
    for _ in range(scenario.run.months):
        m.step()
    return m


def frame_hash(df: pd.DataFrame) -> str:
    """A hash of every value of the frame (17 significant digits: floats round-trip)."""
    return hashlib.sha256(df.to_csv(float_format="%.17g").encode()).hexdigest()


@pytest.fixture(scope="module")
def model() -> CoProductionModel:
    return run(small(), seed=11)


# --------------------------------------------------------------------------- reproducibility


def test_same_scenario_and_seed_give_identical_dataframes(model):
    again = run(small(), seed=11)
    pd.testing.assert_frame_equal(model.dataframe(), again.dataframe(), check_exact=True)
    assert frame_hash(model.dataframe()) == frame_hash(again.dataframe())
    np.testing.assert_array_equal(model.citizens.state, again.citizens.state)
    np.testing.assert_array_equal(model.citizens.trust, again.citizens.trust)


def test_same_seed_gives_identical_dataframe_in_a_new_process(model):
    code = (
        "import hashlib\n"
        "from model import CoProductionModel, Scenario\n"
        f"s = Scenario.model_validate({{'run': {{'months': {MONTHS}, 'burn_in_months': 6, "
        "'citizens': 400}})\n"
        "m = CoProductionModel(s, rng=11)\n"
        "for _ in range(s.run.months):\n"
        "    m.step()\n"
        "df = m.dataframe()\n"
        "print(hashlib.sha256(df.to_csv(float_format='%.17g').encode()).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == frame_hash(model.dataframe())


def test_different_seeds_differ(model):
    other = run(small(), seed=12)
    assert frame_hash(model.dataframe()) != frame_hash(other.dataframe())
    assert not np.array_equal(model.citizens.education, other.citizens.education)


def test_default_seed_is_used_without_rng():
    a = CoProductionModel(small(run={"months": 2, "burn_in_months": 1, "citizens": 200}))
    b = CoProductionModel(small(run={"months": 2, "burn_in_months": 1, "citizens": 200}))
    for m in (a, b):
        m.step()
    pd.testing.assert_frame_equal(a.dataframe(), b.dataframe(), check_exact=True)


# --------------------------------------------------------------------------- citizens


def test_citizen_view_reads_the_columns(model):
    pop = model.citizens
    for i in (0, 1, pop.n // 2, pop.n - 1):
        c = model.citizen(i)
        assert isinstance(c, Citizen)
        assert c.unique_id == i
        assert c.education == ("low", "mid", "high")[pop.education[i]]
        assert c.age_group == ("14_29", "30_49", "50_64", "65_74", "75_plus")[pop.age_group[i]]
        assert c.migration == bool(pop.migration[i])
        assert c.isolated == bool(pop.isolated[i])
        assert c.silent == bool(pop.silent[i])
        assert c.time == float(pop.time[i])
        assert list(c.interest.values()) == [float(x) for x in pop.interest[i]]
        assert list(c.interest) == [
            "climate",
            "services",
            "loneliness",
            "public_places",
            "democracy",
        ]
        assert c.efficacy == float(pop.efficacy[i])
        assert c.trust == float(pop.trust[i])
        assert c.energy == float(pop.energy[i])
        assert c.loneliness == float(pop.loneliness[i])
        assert c.state == State(int(pop.state[i]))
        assert isinstance(c.state, State)
        assert c.hours == float(pop.hours[i])
        assert c.organisation == int(pop.organisation[i])
        assert c.ownership == float(pop.ownership[i])
        assert c.disappointment == float(pop.disappointment[i])
        assert c.neighbourhood == int(pop.neighbourhood[i])


def test_an_engaged_citizen_is_seen_as_engaged(model):
    i = int(np.flatnonzero(model.citizens.engaged)[0])
    c = model.citizen(i)
    assert c.state == State.ENGAGED and c.organisation >= 0 and c.hours > 0


@pytest.mark.parametrize("i", [-1, 400, 10_000])
def test_citizen_out_of_range_raises_index_error(model, i):
    with pytest.raises(IndexError):
        model.citizen(i)


def test_citizen_view_is_read_only(model):
    c = model.citizen(0)
    with pytest.raises(AttributeError):
        c.trust = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------- Mesa


def test_model_is_a_mesa_model(model):
    assert isinstance(model, mesa.Model)
    assert isinstance(model.datacollector, mesa.DataCollector)


def test_organisations_and_administration_are_mesa_agents(model):
    orgs = model.agents_by_type[Organisation]
    admins = model.agents_by_type[Administration]
    assert len(orgs) > 0
    assert list(admins) == [model.administration]
    assert all(isinstance(o, mesa.Agent) for o in orgs)
    assert isinstance(model.administration, mesa.Agent)
    assert set(model.agents_by_type) == {Organisation, Administration}
    assert len(model.agents) == len(orgs) + 1
    assert set(orgs) == set(model.organisations)
    # organisation indices in the citizens' columns refer to these agents, in this order
    assert list(model.organisations) == list(model._org_list)
    assert model.citizens.organisation.max() < len(orgs)


def test_running_stops_after_the_configured_months(model):
    assert model.running is False
    assert model.months_done == MONTHS
    fresh = CoProductionModel(small(), rng=11)
    assert fresh.running is True
    fresh.step()
    assert fresh.running is True and fresh.months_done == 1


# --------------------------------------------------------------------------- indicators


def test_every_indicator_is_a_column(model):
    df = model.dataframe()
    missing = [name for name in INDICATORS if name not in df.columns]
    assert missing == []
    assert list(df.columns) == list(INDICATORS)
    assert len(df) == MONTHS


def test_dates_run_monthly_from_the_start(model):
    df = model.dataframe()
    expected = [month_label("2026-01", k) for k in range(MONTHS)]
    assert expected[:3] == ["2026-01", "2026-02", "2026-03"]
    assert expected[12:14] == ["2027-01", "2027-02"]
    assert df["date"].tolist() == expected
    assert df["step"].tolist() == list(range(1, MONTHS + 1))


def test_dates_follow_a_custom_start():
    s = small(run={"months": 3, "burn_in_months": 0, "citizens": 200, "start": "2030-11"})
    m = run(s, seed=1)
    assert m.dataframe()["date"].tolist() == ["2030-11", "2030-12", "2031-01"]


def test_infrastructure_spend_is_cumulative(model):
    spend = model.dataframe()["infrastructure_spend_eur"].to_numpy()
    assert np.all(np.diff(spend) >= 0)
    infra = model.config.levers.infrastructure
    monthly = (
        infra.volunteer_agency_eur
        + infra.participation_office_eur
        + infra.outreach_eur
        + infra.admin_training_eur
    ) / 12
    assert monthly > 0
    # the burn-in is not counted; the constant budget adds one twelfth a month
    np.testing.assert_allclose(spend, monthly * np.arange(1, MONTHS + 1), rtol=1e-12)


def test_a_budget_increase_on_the_timeline_raises_spending_from_that_month():
    s = small(
        timeline=[
            {
                "date": "2026-05",
                "label": "agency",
                "levers": {"infrastructure": {"volunteer_agency_eur": 1_500_000}},
            }
        ]
    )
    m = run(s, seed=3)
    spend = m.dataframe()["infrastructure_spend_eur"].to_numpy()
    step = np.diff(np.r_[0.0, spend])
    assert np.all(np.diff(spend) > 0)
    assert step[4] == pytest.approx(step[3] + 1_200_000 / 12)
    assert np.allclose(step[:4], step[0]) and np.allclose(step[4:], step[4])
    assert m.levers.infrastructure.volunteer_agency_eur == 1_500_000
    assert ("2026-05", "agency") in m.events


def test_assembly_response_rate_only_in_the_month_of_the_assembly():
    s = small(
        timeline=[
            {
                "date": "2026-04",
                "label": "Bürgerrat",
                "process": {"format": "citizens_assembly", "topic": "climate"},
            }
        ]
    )
    m = run(s, seed=5)
    df = m.dataframe()
    for col in ("assembly_response_rate", "assembly_response_rate_edu_low"):
        present = df[col].notna().to_numpy()
        assert present.tolist() == [k == 3 for k in range(MONTHS)], col
        value = float(df.loc[3, col])
        assert 0.0 <= value <= 1.0
    assert df.loc[3, "assembly_response_rate"] > 0
    assert ("2026-04", "Bürgerrat") in m.events


def test_an_adopted_early_co_design_becomes_a_project_organisation():
    # a town of 4,000: 400 agents are 10 residents each, so the 59 members of an assembly
    # are about 6 agents (at the real scale a large city's assembly is a fraction of one)
    s = small(
        city={"population": 4000},
        levers={"administration": {"council_compromise": 1.0}},
        timeline=[
            {
                "date": "2026-02",
                "label": "co-design",
                "process": {
                    "format": "citizens_assembly",
                    "topic": "public_places",
                    "rung": "co_design",
                    "timing": "early",
                },
            }
        ],
    )
    m = CoProductionModel(s, rng=7)
    before = len(m.agents_by_type[Organisation])
    for _ in range(s.run.months):
        m.step()
    orgs = list(m.agents_by_type[Organisation])
    assert len(orgs) == before + 1
    project = orgs[-1]
    assert project.focus == 3  # public places
    assert project.capacity > 0


def test_without_an_assembly_the_response_columns_stay_empty(model):
    df = model.dataframe()
    assert df["assembly_response_rate"].isna().all()
    assert df["assembly_response_rate_edu_low"].isna().all()


def test_status_quo_shares_are_plausible(model):
    df = model.dataframe()
    for name, (unit, _) in INDICATORS.items():
        if unit == "fraction" and not name.startswith("assembly"):
            values = df[name].astype(float)
            assert values.between(0, 1).all(), name
    # engagement of the highly educated exceeds that of the less educated
    assert (df["engaged_share_edu_high"] > df["engaged_share_edu_low"]).all()
    assert df["engaged_share"].between(0.1, 0.7).all()


def test_status_quo_starts_near_the_survey_after_the_burn_in():
    """A guard against a silent breakdown (e.g. organisations closing in the burn-in): the
    default city must start 2026 with engagement in the range of the survey (36.7%)."""
    model = CoProductionModel(rng=11)
    model.step()
    share = model.dataframe()["engaged_share"].iloc[0]
    assert 0.28 < share < 0.45
    assert len(model.org_table) == len(model._org_list) > 0
    assert model.org_table.capacity.sum() > model.citizens.engaged.sum()
