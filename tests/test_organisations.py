"""Organisations' places follow demand and support; cooperatives; informal help; the agencies'
placements (ODD 7.3, 7.6, 7.12). Each mechanism's direction, and its size against a hand
computation."""

from __future__ import annotations

import numpy as np
import pytest

from model import CoProductionModel, Scenario
from model.rules import informal, joining, ownership
from model.simulation.agents import OrganisationTable
from model.simulation.citizens import Population, State
from model.simulation.network import build_network, degree
from model.simulation.scenario import Behaviour, City, InformalHelp, Support


def _table(members: float, initial: float = 100.0, management: float = 0.5) -> OrganisationTable:
    t = OrganisationTable()
    t.add(
        capacity=initial,
        initial_capacity=initial,
        base_management=management,
        management=management,
        founding_management=management,
    )
    t.members[:] = members
    return t


def test_places_move_toward_what_the_members_need_by_hand():
    s = Support()
    t = _table(members=120)
    t.adapt(0.0, s)  # no agency support: management drifts, computed below
    m = 0.5 + s.management_adjust_rate * (0.5 - 0.5)
    needed = 120 + s.vacancy_share * 120
    limit = 100 * s.coordination_headroom * (1 + m - 0.5)
    goal = min(needed, limit)
    assert t.capacity[0] == pytest.approx(100 + s.capacity_adjust_rate * (goal - 100))


def test_places_grow_with_demand_up_to_what_management_can_coordinate():
    s = Support()
    growing, crowded, empty = _table(110), _table(1000), _table(0)
    for _ in range(400):
        for t in (growing, crowded, empty):
            t.adapt(0.0, s)
    assert growing.capacity[0] == pytest.approx(110 * (1 + s.vacancy_share), rel=1e-3)
    assert crowded.capacity[0] == pytest.approx(100 * s.coordination_headroom, rel=1e-3)
    # an organisation without members keeps the usual share of its founding places open
    assert empty.capacity[0] == pytest.approx(100 * s.vacancy_share, rel=1e-3)


def test_better_management_lets_an_organisation_coordinate_more():
    s = Support()
    plain, supported = _table(1000), _table(1000)
    for _ in range(600):
        plain.adapt(0.0, s)
        supported.adapt(1.0, s)
    assert supported.capacity[0] > plain.capacity[0]
    m = supported.management[0]
    assert supported.capacity[0] == pytest.approx(100 * s.coordination_headroom * (1 + m - 0.5))


def test_cooperative_members_keep_their_share_of_ownership():
    pop = Population(10, City(), np.random.default_rng(1))
    pop.state[:5] = State.ENGAGED
    pop.organisation[:5] = [0, 0, 1, 1, 1]
    pop.ownership[:] = 0.1
    pop.ownership[2] = 0.9
    ownership.hold_shares(pop, np.array([True, False]), 0.5)
    np.testing.assert_allclose(pop.ownership[:2], 0.5)  # members of the cooperative
    np.testing.assert_allclose(pop.ownership[2:5], [0.9, 0.1, 0.1])  # an association's
    np.testing.assert_allclose(pop.ownership[5:], 0.1)  # not engaged


def _closing(cooperative_continuation: float, topic: str, n: int = 200) -> float:
    sc = Scenario.model_validate(
        {
            "run": {"citizens": 300, "months": 1, "burn_in_months": 0},
            "organisations": {"cooperative_continuation": cooperative_continuation},
            "processes": {"project_continuation": 0.0, "support_continuation": 0.0},
        }
    )
    model = CoProductionModel(sc, rng=4)
    from model.rules import participation
    from model.simulation.scenario import Challenge, Format, Rung, Timing

    proc = participation.Process(
        topic=Challenge(topic),
        formats=[Format.open_consultation],
        rung=Rung.co_design,
        timing=Timing.early,
        outreach=False,
        start=0,
        end=0,
        promised=0.5,
    )
    for _ in range(n):
        model._start_project(proc, 2.0)
    assert model.org_table.cooperative[-n:].all() == (topic in ("climate", "services"))
    model.month += sc.processes.project_months
    model._close_projects()
    return float(np.mean(model.org_table.ends[-n:] == OrganisationTable.NO_END))


def test_cooperatives_carry_on_after_their_funding_other_projects_by_support():
    assert _closing(1.0, "climate") == 1.0
    assert _closing(0.0, "climate") == 0.0
    assert _closing(1.0, "loneliness") == 0.0  # a neighbourhood initiative needs support


def _pop_with_network(n: int = 3000, seed: int = 2):
    rng = np.random.default_rng(seed)
    pop = Population(n, City(), rng)
    adj = build_network(pop, City(), rng)
    return pop, adj, degree(adj), rng


def test_informal_help_starts_and_stops_by_its_parameters():
    pop, adj, deg, rng = _pop_with_network()
    pop.helping[:] = True
    informal.help_neighbours(pop, adj, deg, InformalHelp(help_stop=1.0, help_base=-20), rng)
    assert not pop.helping.any()
    informal.help_neighbours(pop, adj, deg, InformalHelp(help_base=20), rng)
    assert pop.helping.all()


def test_informal_help_spreads_along_ties():
    pop, adj, deg, rng = _pop_with_network()
    p = InformalHelp(help_stop=0.0)
    alone = pop.helping.copy()
    informal.help_neighbours(pop, adj, deg, p, rng)
    started_alone = pop.helping.mean()
    pop.helping[:] = alone
    pop.helping[::2] = True  # half help: the others now have helping ties
    others = ~pop.helping
    informal.help_neighbours(pop, adj, deg, p, rng)
    assert pop.helping[others].mean() > 2 * started_alone


def test_helping_ties_ease_loneliness_by_hand():
    pop = Population(4, City(), np.random.default_rng(3))
    pop.loneliness[:] = 0.6
    p = InformalHelp()
    informal.ease_loneliness(pop, np.array([0.0, 0.5, 1.0, 0.25], dtype=np.float32), p)
    expected = 0.6 * (1 - p.help_relief * np.array([0.0, 0.5, 1.0, 0.25]))
    np.testing.assert_allclose(pop.loneliness, expected, rtol=1e-6)


def test_matched_entries_are_the_propensity_difference_over_the_unasked_open():
    pop, adj, deg, rng = _pop_with_network(500)
    pop.state[:200] = State.OPEN
    pop.asked[:50] = True
    ties = np.zeros(pop.n, dtype=np.float32)
    b = Behaviour(join_matching=1.0)
    unasked = np.arange(50, 200)
    by_hand = joining.join_propensity(pop, ties, 0.5, b, unasked).sum(
        dtype=np.float64
    ) - joining.join_propensity(pop, ties, 0.0, b, unasked).sum(dtype=np.float64)
    assert joining.matched_entries(pop, ties, 0.5, b) == pytest.approx(by_hand)
    assert joining.matched_entries(pop, ties, 0.0, b) == 0.0
    assert joining.matched_entries(pop, ties, 0.5, Behaviour(join_matching=0.0)) == 0.0


def test_more_agency_budget_buys_more_placements():
    def placements(eur: float) -> float:
        sc = Scenario.model_validate(
            {
                "run": {"citizens": 2000, "months": 6, "burn_in_months": 6},
                "levers": {"infrastructure": {"volunteer_agency_eur": eur}},
            }
        )
        m = CoProductionModel(sc, rng=5)
        for _ in range(6):
            m.step()
        return float(m.dataframe()["agency_placements_residents"].mean())

    assert placements(0.0) == 0.0
    assert placements(1_200_000.0) > placements(300_000.0) > 0.0


def test_indicators_count_helpers_and_places():
    m = CoProductionModel(rng=1, citizens=1000)
    m.step()
    t = m.tally
    pop = m.citizens
    assert t["informal_help_share"] == pytest.approx(pop.helping.mean())
    assert t["informal_only_share"] == pytest.approx(
        (pop.helping & (pop.state != State.ENGAGED)).mean()
    )
    places = np.floor(m.org_table.capacity).sum()
    assert t["places_per_volunteer"] == pytest.approx(places / (pop.state == State.ENGAGED).sum())
