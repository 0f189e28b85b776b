"""Every lever costs money (ODD 7.1, 7.7; indicators ``cost_eur``, ``cost_eur_total``)."""

from __future__ import annotations

import pytest

from model import CoProductionModel, Scenario
from model.simulation.costs import BUDGET_SPENDING, SPENDING, leadership_cost, process_cost
from model.simulation.scenario import Costs, Format, LeadershipStyle, Rung, Timing

C = Costs()


def test_a_process_costs_its_formats_times_its_factors():
    late = process_cost([Format.open_consultation], Rung.consult, Timing.late, False, C)
    assert late == C.consultation_eur
    both = process_cost(
        [Format.open_consultation, Format.actor_forum], Rung.co_design, Timing.early, True, C
    )
    by_hand = (15_000 + 60_000) * 2.0 * 1.5 * 1.3
    assert both == pytest.approx(by_hand)
    assembly = process_cost([Format.citizens_assembly], Rung.co_decide, Timing.late, False, C)
    assert assembly == pytest.approx(250_000 * 2.0)


def test_everyday_cooperation_pays_staff_and_annual_praise_pays_the_day():
    every = leadership_cost(LeadershipStyle.everyday_cooperation, False, 1_080_000, C)
    assert every == pytest.approx(1.0 * 10.8 * 89_500 / 12)
    annual = LeadershipStyle.annual_praise
    assert leadership_cost(annual, True, 1_080_000, C) == C.praise_day_eur
    assert leadership_cost(annual, False, 1_080_000, C) == 0.0


def _run(levers: dict, months: int = 12, citizens: int = 400, seed: int = 3):
    sc = Scenario.model_validate(
        {"run": {"citizens": citizens, "months": months, "burn_in_months": 0}, "levers": levers}
    )
    m = CoProductionModel(sc, rng=seed)
    for _ in range(months):
        m.step()
    return m.dataframe()


def test_every_lever_adds_to_the_cost():
    base = _run({})["cost_eur_total"].iloc[-1]
    for levers in (
        {"participation": {"timing": "early"}},
        {"participation": {"rung": "co_design"}},
        {"participation": {"outreach": True}},
        {"participation": {"formats": ["open_consultation", "actor_forum"]}},
        {"leadership": {"style": "everyday_cooperation"}},
        {"infrastructure": {"volunteer_agency_eur": 900_000}},
    ):
        assert _run(levers)["cost_eur_total"].iloc[-1] > base, levers


def test_status_quo_cost_adds_up_by_hand():
    df = _run({})
    sc = Scenario()
    infra = sc.levers.infrastructure
    budgets = (
        infra.volunteer_agency_eur
        + infra.participation_office_eur
        + infra.outreach_eur
        + infra.admin_training_eur
    )
    assert sc.levers.participation.decisions_per_year == 4
    assert sc.levers.participation.duration_months == 3
    # a year of the status quo: budgets, one volunteering day and four late consultations of
    # three months, opened in months 3, 6, 9 and 12, so the last is paid for one month in three
    expected = budgets + (3 + 1 / 3) * C.consultation_eur + C.praise_day_eur
    assert df["cost_eur_total"].iloc[-1] == pytest.approx(expected, rel=0.01)
    assert df["cost_eur"].sum() == pytest.approx(df["cost_eur_total"].iloc[-1])


def test_each_levers_spending_so_far_adds_up_to_the_total_every_month():
    """The spending by lever (what the workshop page shows per lever) is the total split up:
    the four budgets, the processes and the leadership style, every month; a change of one
    budget moves only its own column."""
    levers = {"leadership": {"style": "everyday_cooperation"}, "participation": {"timing": "early"}}
    df = _run(levers, months=14)
    spent = df[list(SPENDING)].astype(float)
    assert spent.sum(axis=1).to_numpy() == pytest.approx(df["cost_eur_total"].to_numpy())
    budgets = spent[list(BUDGET_SPENDING)].sum(axis=1)
    assert budgets.to_numpy() == pytest.approx(df["infrastructure_spend_eur"].to_numpy())
    infra = Scenario().levers.infrastructure
    for column, budget in BUDGET_SPENDING.items():
        assert spent[column].iloc[-1] == pytest.approx(getattr(infra, budget) * 14 / 12)
    assert spent["process_cost_eur_total"].iloc[-1] > 0
    staff = leadership_cost(LeadershipStyle.everyday_cooperation, False, 1_080_000, C)
    assert spent["leadership_cost_eur_total"].iloc[-1] == pytest.approx(14 * staff)
    more = _run(levers | {"infrastructure": {"outreach_eur": 120_000}}, months=14)
    changed = [c for c in SPENDING if more[c].iloc[-1] != pytest.approx(df[c].iloc[-1])]
    assert changed == ["outreach_spend_eur"]


def test_costs_are_the_real_citys_whatever_the_number_of_agents():
    small = _run({"participation": {"timing": "early"}}, citizens=300)
    large = _run({"participation": {"timing": "early"}}, citizens=1200)
    assert small["cost_eur_total"].iloc[-1] == pytest.approx(large["cost_eur_total"].iloc[-1])


def test_cost_per_additional_engaged_resident_is_paired_and_in_residents():
    import pandas as pd

    from model.studies.comparison import cost_effectiveness

    idx = pd.MultiIndex.from_product([["parent", "child"], [1, 2]], names=["scenario", "seed"])
    per_run = pd.DataFrame(
        {
            "engaged_share": [0.30, 0.31, 0.32, 0.31],
            "cost_eur_total": [1e6, 1e6, 3e6, 3e6],
            "cost_eur_last_year": [1e5, 1e5, 3e5, 3e5],
        },
        index=idx,
    )
    ce = cost_effectiveness(per_run, "child", "parent", population=1_000_000)
    assert list(ce["extra_engaged_residents"]) == pytest.approx([20_000, 0])
    assert list(ce["extra_cost_eur"]) == [2e6, 2e6]
    # seed 1: 200,000 EUR a year for 20,000 more engaged; seed 2: no gain, no ratio
    assert ce["eur_per_engaged_year"].iloc[0] == pytest.approx(10.0)
    assert ce["eur_per_engaged_year"].isna().iloc[1]
