"""Unit tests of the rule modules (model/rules/*) and the social network
(model/simulation/network.py).

Each test builds a small population with a fixed seed, sets columns by hand where needed,
and checks a behaviour that the rule's docstring promises.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from model.rules import (
    challenges,
    exhaustion,
    infrastructure,
    joining,
    leadership,
    ownership,
    participation,
    recruitment,
    trust,
)
from model.rules._math import saturation
from model.simulation.citizens import Population, State
from model.simulation.network import build_network, degree, share_of_ties, to_networkx
from model.simulation.scenario import (
    WEEKS_PER_MONTH,
    Behaviour,
    Challenge,
    Challenges,
    City,
    Format,
    Governance,
    Infrastructure,
    LeadershipStyle,
    Processes,
    Rung,
    Support,
    Timing,
)

ANNUAL = LeadershipStyle.annual_praise
EVERYDAY = LeadershipStyle.everyday_cooperation
G = Governance()


def make_pop(n: int = 500, seed: int = 0, **city) -> Population:
    return Population(n, City(**city), np.random.default_rng(seed))


def empty_adj(n: int) -> sp.csr_array:
    return sp.csr_array((n, n), dtype=np.float32)


def logit(p: np.ndarray) -> np.ndarray:
    p = p.astype(np.float64)
    return np.log(p / (1.0 - p))


# =========================================================================== joining


class TestJoining:
    def test_being_asked_raises_join_propensity_by_join_asked(self):
        pop = make_pop()
        b = Behaviour()
        ties = np.zeros(pop.n, dtype=np.float32)
        pop.asked[:] = False
        unasked = joining.join_propensity(pop, ties, 0.0, b)
        pop.asked[:] = True
        asked = joining.join_propensity(pop, ties, 0.0, b)
        assert np.all(asked > unasked)
        # the logit rises by exactly join_asked
        np.testing.assert_allclose(logit(asked) - logit(unasked), b.join_asked, atol=1e-3)

    def test_propensity_rises_with_engaged_ties_ownership_and_education(self):
        pop = make_pop()
        b = Behaviour()
        zero = np.zeros(pop.n, dtype=np.float32)
        base = joining.join_propensity(pop, zero, 0.0, b)
        social = joining.join_propensity(pop, np.full(pop.n, 0.5, np.float32), 0.0, b)
        assert np.all(social > base)
        pop.ownership[:] = 0.5
        owned = joining.join_propensity(pop, zero, 0.0, b)
        assert np.all(owned > base)
        # with everything else equal, high education joins more than low education
        pop.ownership[:] = 0.0
        pop.time[:] = 0.5
        pop.efficacy[:] = 0.5
        pop.age_group[:] = 0
        pop.migration[:] = False
        prop = joining.join_propensity(pop, zero, 0.0, b)
        assert prop[pop.education == 2].min() > prop[pop.education == 0].max()

    def test_a_migration_background_lowers_the_propensity_by_its_logit(self):
        pop = make_pop()
        b = Behaviour()
        zero = np.zeros(pop.n, dtype=np.float32)
        pop.migration[:] = False
        without = joining.join_propensity(pop, zero, 0.0, b)
        pop.migration[:] = True
        with_bg = joining.join_propensity(pop, zero, 0.0, b)
        logit = lambda q: np.log(q / (1 - q))  # noqa: E731
        np.testing.assert_allclose(logit(with_bg) - logit(without), b.join_migration, atol=1e-3)

    def test_matching_helps_only_the_unasked(self):
        pop = make_pop()
        b = Behaviour()
        zero = np.zeros(pop.n, dtype=np.float32)
        pop.asked[:] = False
        assert np.all(
            joining.join_propensity(pop, zero, 1.0, b) > joining.join_propensity(pop, zero, 0.0, b)
        )
        pop.asked[:] = True
        np.testing.assert_array_equal(
            joining.join_propensity(pop, zero, 1.0, b), joining.join_propensity(pop, zero, 0.0, b)
        )

    def test_join_never_fills_more_places_than_free_and_sets_columns(self):
        pop = make_pop()
        pop.state[:] = State.OPEN
        b = Behaviour(join_base=5.0)  # (almost) every open citizen wants to join
        free = np.array([3, 0, 5, 2], dtype=np.int64)
        before = free.copy()
        ids = joining.join(
            pop, np.zeros(pop.n, np.float32), 0.0, free, 17, b, np.random.default_rng(1)
        )
        assert ids.size == before.sum() == 10
        assert np.all(free == 0)
        np.testing.assert_array_equal(np.bincount(pop.organisation[ids], minlength=4), before)
        assert np.all(pop.state[ids] == State.ENGAGED)
        assert np.all(pop.entry_step[ids] == 17)
        assert np.all(pop.hours[ids] > 0)
        others = np.setdiff1d(np.arange(pop.n), ids)
        assert np.all(pop.state[others] == State.OPEN)
        assert np.all(pop.organisation[others] == -1)
        assert np.all(pop.hours[others] == 0)
        assert np.all(pop.entry_step[others] == -10_000)
        assert pop.counts().sum() == pop.n

    def test_join_with_ample_places_leaves_the_rest_free(self):
        pop = make_pop(200)
        pop.state[:] = State.INACTIVE
        pop.state[:40] = State.OPEN
        free = np.array([100, 100], dtype=np.int64)
        ids = joining.join(
            pop,
            np.zeros(pop.n, np.float32),
            0.0,
            free,
            0,
            Behaviour(join_base=5.0),
            np.random.default_rng(2),
        )
        assert set(ids.tolist()) <= set(range(40))  # only open citizens join
        assert ids.size > 35
        assert free.sum() == 200 - ids.size
        assert np.all(free >= 0)

    def test_join_with_no_free_places_changes_nothing(self):
        pop = make_pop()
        pop.state[:] = State.OPEN
        free = np.zeros(3, dtype=np.int64)
        ids = joining.join(
            pop,
            np.zeros(pop.n, np.float32),
            0.0,
            free,
            0,
            Behaviour(join_base=5.0),
            np.random.default_rng(3),
        )
        assert ids.size == 0
        assert np.all(pop.state == State.OPEN)
        assert np.all(pop.organisation == -1)

    def test_when_places_are_scarce_the_asked_go_first(self):
        pop = make_pop(1000)
        pop.state[:] = State.OPEN
        pop.asked[:] = np.arange(pop.n) % 2 == 0
        b = Behaviour(join_base=5.0, join_asked=0.0)  # asked and unasked want to join alike
        free = np.array([20], dtype=np.int64)
        ids = joining.join(
            pop, np.zeros(pop.n, np.float32), 0.0, free, 0, b, np.random.default_rng(4)
        )
        assert ids.size == 20
        assert np.all(pop.asked[ids])
        assert np.all(pop.entered_asked[ids])

    def test_being_asked_makes_inactive_citizens_open(self):
        pop = make_pop(2000)
        pop.state[:] = State.INACTIVE
        pop.asked[:] = np.arange(pop.n) < 1000
        b = Behaviour(open_base=-10.0, asked_opens=1.0)
        joining.become_open(pop, b, np.random.default_rng(5))
        assert np.all(pop.state[:1000] == State.OPEN)
        assert np.mean(pop.state[1000:] == State.OPEN) < 0.01

    def test_open_citizens_lapse_unless_asked(self):
        pop = make_pop(4000)
        pop.state[:] = State.OPEN
        pop.asked[:] = np.arange(pop.n) < 2000
        b = Behaviour(open_lapse=0.5)
        joining.become_open(pop, b, np.random.default_rng(6))
        assert np.all(pop.state[:2000] == State.OPEN)
        lapsed = np.mean(pop.state[2000:] == State.INACTIVE)
        assert 0.44 < lapsed < 0.56

    def test_weekly_hours_are_positive_and_match_the_survey_roughly(self):
        h = joining.weekly_hours(
            np.full(20_000, 0.5, np.float32), np.random.default_rng(7), Behaviour()
        )
        assert np.all(h >= 0.25) and np.all(h <= 40)
        assert 0.45 < np.mean(h < 2.5) < 0.75
        assert 0.05 < np.mean(h >= 5.5) < 0.3


# =========================================================================== recruitment


class TestRecruitment:
    def _network_pop(self, n=1500, seed=0):
        pop = make_pop(n, seed)
        adj = build_network(pop, City(), np.random.default_rng(seed + 100))
        return pop, adj

    def test_asks_from_engaged_ties_go_only_to_non_engaged(self):
        pop, adj = self._network_pop()
        rng = np.random.default_rng(8)
        u = rng.random(pop.n)
        pop.state[u < 0.4] = State.ENGAGED
        pop.state[(u >= 0.4) & (u < 0.5)] = State.EXHAUSTED
        pop.state[(u >= 0.5) & (u < 0.75)] = State.OPEN
        b = Behaviour(ask_per_engaged_tie=1.0)
        recruitment.ask_to_join(pop, adj, 0.0, 0.0, 0.0, b, rng)
        assert pop.asked.any()
        assert not np.any(pop.asked & (pop.state > State.OPEN))
        # without free places and outreach, only citizens with an engaged tie are asked
        engaged_ties = adj @ pop.engaged.astype(np.float32)
        assert not np.any(pop.asked & (engaged_ties == 0))
        # with a sure ask per engaged tie, nearly every candidate with engaged ties is asked
        cand = (pop.state <= State.OPEN) & (engaged_ties >= 3)
        assert pop.asked[cand].mean() > 0.9
        assert not pop.asked_in_person.any()

    def test_more_engaged_ties_mean_more_asks(self):
        pop, adj = self._network_pop(4000)
        rng = np.random.default_rng(9)
        pop.state[rng.random(pop.n) < 0.3] = State.ENGAGED
        b = Behaviour(ask_per_engaged_tie=0.05)
        recruitment.ask_to_join(pop, adj, 0.0, 0.0, 0.0, b, rng)
        ties = adj @ pop.engaged.astype(np.float32)
        cand = pop.state <= State.OPEN
        few = pop.asked[cand & (ties == 1)].mean()
        many = pop.asked[cand & (ties >= 4)].mean()
        assert many > few + 0.08

    def test_outreach_asks_only_silent_citizens(self):
        pop = make_pop(3000)
        pop.state[:] = State.INACTIVE
        pop.state[:300] = State.ENGAGED
        b = Behaviour(ask_per_engaged_tie=0.0)
        recruitment.ask_to_join(
            pop, empty_adj(pop.n), 0.0, 0.0, 400.0, b, np.random.default_rng(10)
        )
        assert pop.asked_in_person.sum() > 250
        assert np.all(pop.silent[pop.asked_in_person])
        assert np.all(pop.state[pop.asked_in_person] <= State.OPEN)
        np.testing.assert_array_equal(pop.asked, pop.asked_in_person)

    def test_no_outreach_budget_means_nobody_asked_in_person(self):
        pop = make_pop(1000)
        recruitment.ask_to_join(
            pop, empty_adj(pop.n), 500.0, 0.5, 0.0, Behaviour(), np.random.default_rng(11)
        )
        assert not pop.asked_in_person.any()
        assert pop.asked.any()

    def test_organisations_reach_silent_groups_less(self):
        pop = make_pop(20_000, seed=1)
        b = Behaviour(ask_per_engaged_tie=0.0)
        recruitment.ask_to_join(
            pop, empty_adj(pop.n), 7000.0, 0.0, 0.0, b, np.random.default_rng(12)
        )
        silent_rate = pop.asked[pop.silent].mean()
        other_rate = pop.asked[~pop.silent].mean()
        assert 0.25 < silent_rate / other_rate < 0.45  # silent_reach = 0.35
        # an agency's reach means more asks
        first = pop.asked.sum()
        recruitment.ask_to_join(
            pop, empty_adj(pop.n), 7000.0, 1.0, 0.0, b, np.random.default_rng(12)
        )
        assert pop.asked.sum() > 1.5 * first


# =========================================================================== ownership


class TestOwnership:
    def _setup(self, n=600, seed=0):
        pop = make_pop(n, seed)
        adj = build_network(pop, City(), np.random.default_rng(seed + 1))
        participants = np.zeros(pop.n, dtype=bool)
        participants[np.random.default_rng(seed + 2).choice(pop.n, 40, replace=False)] = True
        return pop, adj, degree(adj), participants

    def test_participants_gain_ownership_and_ties_gain_less(self):
        pop, adj, deg, part = self._setup()
        b = Behaviour()
        pop.ownership[:] = 0.0
        ownership.take_ownership(pop, part, 0.5, 0.5, adj, deg, b)
        np.testing.assert_allclose(pop.ownership[part], b.ownership_gain * 0.5, rtol=1e-6)
        ties = share_of_ties(adj, part, deg)
        seen = ~part & (ties > 0)
        assert seen.any()
        assert np.all(pop.ownership[seen] > 0)
        assert np.all(pop.ownership[seen] < pop.ownership[part].min())
        assert np.all(pop.ownership[~part & (ties == 0)] == 0)

    def test_ownership_rises_from_an_existing_level_and_stays_below_one(self):
        pop, adj, deg, part = self._setup()
        pop.ownership[:] = 0.8
        ownership.take_ownership(pop, part, 1.0, 1.0, adj, deg, Behaviour(ownership_gain=1.0))
        assert np.all(pop.ownership[part] > 0.8)
        assert np.all(pop.ownership <= 1.0)

    def test_broken_promise_disappoints_participants_only(self):
        pop, adj, deg, part = self._setup()
        b = Behaviour()
        ownership.take_ownership(pop, part, 0.2, 0.75, adj, deg, b)
        np.testing.assert_allclose(
            pop.disappointment[part], b.disappointment_gain * 0.55, rtol=1e-5
        )
        assert np.all(pop.disappointment[~part] == 0)

    def test_kept_promise_does_not_disappoint(self):
        pop, adj, deg, part = self._setup()
        ownership.take_ownership(pop, part, 0.75, 0.75, adj, deg, Behaviour())
        assert np.all(pop.disappointment == 0)
        # more influence than promised does not disappoint either
        ownership.take_ownership(pop, part, 0.9, 0.35, adj, deg, Behaviour())
        assert np.all(pop.disappointment == 0)

    def test_no_influence_gives_no_ownership(self):
        pop, adj, deg, part = self._setup()
        ownership.take_ownership(pop, part, 0.0, 0.0, adj, deg, Behaviour())
        assert np.all(pop.ownership == 0)

    def test_ownership_and_disappointment_fade(self):
        pop = make_pop()
        pop.ownership[:] = 0.5
        pop.disappointment[:] = 0.4
        ownership.fade(pop, Behaviour(ownership_decay=0.1), 0.25)
        np.testing.assert_allclose(pop.ownership, 0.45, rtol=1e-6)
        np.testing.assert_allclose(pop.disappointment, 0.3, rtol=1e-6)


# =========================================================================== trust


class TestTrust:
    def test_update_is_negativity_biased(self):
        b = Behaviour(trust_rate=0.15, negativity_bias=2.0)
        everyone = np.ones(500, dtype=bool)
        up, down = make_pop(), make_pop()
        for pop in (up, down):
            pop.trust[:] = 0.5
            pop.efficacy[:] = 0.5
        trust.learn_from_process(up, everyone, 0.4, b)  # target 0.7: a reward of 0.2
        trust.learn_from_process(down, everyone, 0.0, b)  # target 0.3: a let-down of 0.2
        rise = up.trust - 0.5
        drop = 0.5 - down.trust
        assert np.all(rise > 0) and np.all(drop > 0)
        assert np.all(drop > rise)
        np.testing.assert_allclose(drop, b.negativity_bias * rise, rtol=1e-4)
        np.testing.assert_allclose(rise, 0.2 * b.trust_rate, rtol=1e-4)
        # efficacy follows the same asymmetric rule
        np.testing.assert_allclose(
            0.5 - down.efficacy, b.negativity_bias * (up.efficacy - 0.5), rtol=1e-4
        )

    def test_without_bias_the_update_is_symmetric(self):
        b = Behaviour(negativity_bias=1.0)
        everyone = np.ones(500, dtype=bool)
        up, down = make_pop(), make_pop()
        up.trust[:] = down.trust[:] = 0.5
        trust.learn_from_process(up, everyone, 0.4, b)
        trust.learn_from_process(down, everyone, 0.0, b)
        np.testing.assert_allclose(up.trust - 0.5, 0.5 - down.trust, rtol=1e-4)

    def test_only_participants_learn_from_a_process(self):
        pop = make_pop()
        before = pop.trust.copy()
        part = np.zeros(pop.n, dtype=bool)
        part[:100] = True
        trust.learn_from_process(pop, part, 1.0, Behaviour())
        np.testing.assert_array_equal(pop.trust[100:], before[100:])
        assert np.all(pop.trust[:100] >= before[:100])
        assert np.all((pop.trust >= 0) & (pop.trust <= 1))

    def test_everyday_feedback_follows_visible_responsiveness(self):
        high, low = make_pop(), make_pop()
        trust.everyday_feedback(high, 0.9, 0.75, Behaviour())
        trust.everyday_feedback(low, 0.1, 0.75, Behaviour())
        assert np.all(high.trust > low.trust)
        assert np.all((high.trust >= 0) & (high.trust <= 1))
        # the pull is slow: one month moves nobody's trust by more than a few points
        assert np.all(np.abs(high.trust - make_pop().trust) < 0.05)

    def test_everyday_feedback_pulls_volunteers_efficacy_toward_success(self):
        good, bad = make_pop(), make_pop()
        for pop in (good, bad):
            pop.state[:250] = State.ENGAGED
        trust.everyday_feedback(good, 0.5, 1.0, Behaviour())
        trust.everyday_feedback(bad, 0.5, 0.0, Behaviour())
        assert np.all(good.efficacy[:250] > bad.efficacy[:250])
        # the efficacy of citizens who do not volunteer does not depend on project success
        np.testing.assert_array_equal(good.efficacy[250:], bad.efficacy[250:])


# =========================================================================== infrastructure


class TestInfrastructure:
    POP = 1_080_000

    def _effects(self, budget: float, **kw):
        budgets = Infrastructure(
            volunteer_agency_eur=budget,
            participation_office_eur=budget,
            outreach_eur=budget,
            admin_training_eur=budget,
            **kw,
        )
        return infrastructure.support_effects(budgets, Support(), Behaviour(), self.POP, 2000)

    def test_zero_budget_gives_zero_effect(self):
        e = self._effects(0.0)
        assert e.matching == e.management == e.load_relief == 0
        assert e.office == e.training == e.outreach_contacts == e.monthly_cost_eur == 0

    def test_effects_are_monotone_in_budgets_and_saturate(self):
        budgets = [0, 1e4, 1e5, 3e5, 1e6, 3e6, 1e7, 5e7]
        effects = [self._effects(x) for x in budgets]
        for name in (
            "matching",
            "management",
            "load_relief",
            "office",
            "training",
            "outreach_contacts",
            "monthly_cost_eur",
        ):
            values = [getattr(e, name) for e in effects]
            assert all(a <= b for a, b in zip(values, values[1:], strict=False)), name
            # strictly rising where budgets are small (large ones saturate to float 1.0)
            assert values[0] < values[1] < values[2] < values[3], name
        for name in ("matching", "management", "office", "training"):
            assert 0 < getattr(effects[-1], name) <= 1.0
        assert effects[-1].load_relief <= 0.8

    def test_each_budget_moves_its_own_effect(self):
        s, b = Support(), Behaviour()
        zero = dict(
            volunteer_agency_eur=0, participation_office_eur=0, outreach_eur=0, admin_training_eur=0
        )
        base = infrastructure.support_effects(Infrastructure(**zero), s, b, self.POP, 2000)
        agency = infrastructure.support_effects(
            Infrastructure(**{**zero, "volunteer_agency_eur": 5e5}), s, b, self.POP, 2000
        )
        assert agency.matching > base.matching and agency.office == base.office
        office = infrastructure.support_effects(
            Infrastructure(**{**zero, "participation_office_eur": 5e5}), s, b, self.POP, 2000
        )
        assert office.office > 0 and office.matching == 0 and office.load_relief > 0
        training = infrastructure.support_effects(
            Infrastructure(**{**zero, "admin_training_eur": 5e5}), s, b, self.POP, 2000
        )
        assert training.training > 0 and training.office == 0

    def test_cost_is_sum_of_budgets_over_twelve(self):
        budgets = Infrastructure(
            volunteer_agency_eur=300_000,
            participation_office_eur=120_000,
            outreach_eur=60_000,
            admin_training_eur=48_000,
        )
        e = infrastructure.support_effects(budgets, Support(), Behaviour(), self.POP, 2000)
        assert e.monthly_cost_eur == pytest.approx((300_000 + 120_000 + 60_000 + 48_000) / 12)

    def test_outreach_contacts_scale_to_agents(self):
        budgets = Infrastructure(outreach_eur=480_000)
        b = Behaviour(contact_cost_eur=40)
        e = infrastructure.support_effects(budgets, Support(), b, 1_000_000, 10_000)
        # 480,000 / 12 / 40 = 1,000 real contacts a month = 10 agents at 100 residents each
        assert e.outreach_contacts == pytest.approx(10.0)

    def test_half_budget_gives_63_percent(self):
        s = Support()
        budget = s.agency_half_eur * self.POP / 1000
        assert saturation(budget, self.POP, s.agency_half_eur) == pytest.approx(1 - math.exp(-1))
        # per 1,000 residents: the same policy means the same in a city ten times smaller
        assert saturation(budget / 10, self.POP // 10, s.agency_half_eur) == pytest.approx(
            1 - math.exp(-1), rel=1e-4
        )


# =========================================================================== leadership


class TestLeadership:
    def test_annual_praise_peaks_in_volunteering_day_month_and_decays(self):
        b = Behaviour()
        rec, series = 0.0, []
        for t in range(36):
            month = t % 12 + 1
            rec = leadership.recognition(ANNUAL, month, 12, rec, b)
            series.append((month, rec))
        values = np.array([r for _, r in series])
        assert max(values) == b.recognition_praise
        for month, r in series[11:]:
            if month == 12:
                assert r == b.recognition_praise
        # after December it decays month by month until the next December
        after = values[12:23]  # Jan..Nov of year 2
        assert after[0] == pytest.approx(b.recognition_praise * (1 - b.recognition_decay))
        assert np.all(np.diff(after) < 0)
        assert after[-1] < 0.01
        assert np.all(values[:11] == 0.0)  # nothing before the first volunteering day

    def test_annual_praise_follows_the_configured_month(self):
        b = Behaviour()
        rec = 0.0
        for month in range(1, 13):
            rec = leadership.recognition(ANNUAL, month, 6, rec, b)
            if month == 6:
                assert rec == b.recognition_praise
            if month == 7:
                assert rec < b.recognition_praise

    def test_everyday_cooperation_is_constant(self):
        b = Behaviour()
        recs = [
            leadership.recognition(EVERYDAY, m, 12, prev, b)
            for m, prev in zip(range(1, 13), np.linspace(0, 1, 12), strict=True)
        ]
        assert recs == [b.recognition_everyday] * 12

    def test_everyday_cooperation_raises_visible_responsiveness(self):
        for base in (0.0, 0.2, 0.4, 0.9):
            for office in (0.0, 0.5, 1.0):
                every = leadership.visible_responsiveness(base, EVERYDAY, office, G)
                annual = leadership.visible_responsiveness(base, ANNUAL, office, G)
                assert every > annual >= base
                assert every <= 1.0
        assert leadership.visible_responsiveness(1.0, EVERYDAY, 1.0, G) == 1.0
        # the participation office raises it too
        assert leadership.visible_responsiveness(
            0.4, ANNUAL, 1.0, G
        ) > leadership.visible_responsiveness(0.4, ANNUAL, 0.0, G)

    def test_everyday_cooperation_raises_competence(self):
        c_every = c_annual = 0.4
        for _ in range(24):
            c_every = leadership.grow_competence(c_every, EVERYDAY, 0.0, 0, G)
            c_annual = leadership.grow_competence(c_annual, ANNUAL, 0.0, 0, G)
        assert c_every > 0.4
        assert c_annual < 0.4  # only staff turnover without training or practice
        assert c_every > c_annual + 0.05
        trained = leadership.grow_competence(0.4, ANNUAL, 1.0, 0, G)
        practised = leadership.grow_competence(0.4, ANNUAL, 0.0, 2, G)
        assert trained > leadership.grow_competence(0.4, ANNUAL, 0.0, 0, G)
        assert practised > leadership.grow_competence(0.4, ANNUAL, 0.0, 0, G)
        assert 0.0 <= leadership.grow_competence(1.0, EVERYDAY, 1.0, 10, G) <= 1.0


# =========================================================================== exhaustion


def _volunteers(n=300, hours=10.0, time=0.3, seed=0):
    pop = make_pop(n, seed)
    pop.state[:] = State.ENGAGED
    pop.organisation[:] = np.arange(n) % 2
    pop.hours[:] = hours
    pop.time[:] = time
    pop.energy[:] = 1.0
    return pop


class TestExhaustion:
    NO_EXIT = dict(exit_life=0.0, exit_voluntary=0.0, exit_disappointment=0.0)

    def test_heavy_load_leads_to_burnout_over_months(self):
        pop = _volunteers()
        b = Behaviour(**self.NO_EXIT)
        rng = np.random.default_rng(13)
        mgmt = np.zeros(2, dtype=np.float32)
        left = exhaustion.spend_energy_and_exit(pop, mgmt, 0.0, 0.0, b, rng)
        assert not left.any()  # not at once
        assert np.all(pop.energy < 1.0)
        ever_left = left.copy()
        for _ in range(11):
            now = exhaustion.spend_energy_and_exit(pop, mgmt, 0.0, 0.0, b, rng)
            assert not np.any(now & ever_left)  # nobody leaves twice
            # who leaves under a heavy load (and no life exits) burns out
            assert np.all(pop.state[now] == State.EXHAUSTED)
            assert np.all(pop.hours[now] == 0)
            assert np.all(pop.organisation[now] == -1)
            assert np.all(pop.energy[now] < b.exhaustion_threshold)
            ever_left |= now
        assert np.all(ever_left)

    def test_light_load_does_not_burn_out(self):
        pop = _volunteers(hours=0.5, time=0.8)
        b = Behaviour(**self.NO_EXIT)
        rng = np.random.default_rng(14)
        for _ in range(36):
            left = exhaustion.spend_energy_and_exit(pop, np.zeros(2, np.float32), 0.0, 0.0, b, rng)
            assert not left.any()
        assert np.all(pop.state == State.ENGAGED)

    def test_management_relief_and_recognition_lower_the_drain(self):
        b = Behaviour(**self.NO_EXIT)
        energy = {}
        for name, mgmt, relief, rec in [
            ("none", 0.0, 0.0, 0.0),
            ("mgmt", 1.0, 0.0, 0.0),
            ("relief", 0.0, 1.0, 0.0),
            ("rec", 0.0, 0.0, 1.0),
        ]:
            pop = _volunteers()
            exhaustion.spend_energy_and_exit(
                pop, np.full(2, mgmt, np.float32), relief, rec, b, np.random.default_rng(15)
            )
            energy[name] = pop.energy.mean()
        assert energy["mgmt"] > energy["none"]
        assert energy["relief"] > energy["none"]
        assert energy["rec"] > energy["none"]

    def test_exhausted_recover_to_open(self):
        pop = make_pop(300)
        pop.state[:] = State.EXHAUSTED
        pop.energy[:] = 0.1
        b = Behaviour(**self.NO_EXIT)
        rng = np.random.default_rng(16)
        mgmt = np.zeros(1, np.float32)
        exhaustion.spend_energy_and_exit(pop, mgmt, 0.0, 0.0, b, rng)
        assert np.all(pop.state == State.EXHAUSTED)  # recovery takes time
        for _ in range(12):
            exhaustion.spend_energy_and_exit(pop, mgmt, 0.0, 0.0, b, rng)
        assert np.all(pop.state == State.OPEN)
        assert np.all(pop.energy > b.recovered_energy)

    def test_exhausted_recover_faster_than_others(self):
        pop = make_pop(200)
        pop.energy[:] = 0.3
        pop.state[:100] = State.EXHAUSTED
        exhaustion.spend_energy_and_exit(
            pop,
            np.zeros(1, np.float32),
            0.0,
            0.0,
            Behaviour(**self.NO_EXIT),
            np.random.default_rng(17),
        )
        gain = pop.energy - 0.3
        np.testing.assert_allclose(gain[:100], 2 * gain[100:], rtol=1e-4)

    def test_life_exits_make_volunteers_inactive(self):
        pop = _volunteers(n=2000, hours=0.5, time=0.8)
        left = exhaustion.spend_energy_and_exit(
            pop,
            np.zeros(2, np.float32),
            0.0,
            0.0,
            Behaviour(exit_life=0.5),
            np.random.default_rng(18),
        )
        assert 0.44 < left.mean() < 0.56
        assert np.all(pop.state[left] == State.INACTIVE)
        assert np.all(pop.organisation[left] == -1) and np.all(pop.hours[left] == 0)
        assert np.all(pop.state[~left] == State.ENGAGED)

    @staticmethod
    def _exit_rates(column: str, behaviour: Behaviour, seed: int) -> list[float]:
        """Exit share of light-load volunteers with ``column`` at 0 and at 1."""
        rates = []
        for value in (0.0, 1.0):
            pop = _volunteers(n=4000, hours=0.5, time=0.8)
            getattr(pop, column)[:] = value
            left = exhaustion.spend_energy_and_exit(
                pop, np.zeros(2, np.float32), 0.0, 0.0, behaviour, np.random.default_rng(seed)
            )
            rates.append(left.mean())
        return rates

    def test_ownership_lowers_exits(self):
        behaviour = Behaviour(exit_life=0.0, exit_voluntary=0.3)
        rates = self._exit_rates("ownership", behaviour, 29)
        assert rates[1] < rates[0] - 0.05

    def test_life_exits_are_beyond_ownership_and_recognition(self):
        behaviour = Behaviour(exit_life=0.3, exit_voluntary=0.0, exit_disappointment=0.0)
        rates = self._exit_rates("ownership", behaviour, 31)
        assert abs(rates[1] - rates[0]) < 0.04

    def test_disappointment_raises_exits(self):
        behaviour = Behaviour(exit_life=0.05, exit_disappointment=0.2)
        rates = self._exit_rates("disappointment", behaviour, 19)
        assert rates[1] > rates[0] + 0.1


# =========================================================================== challenges


class TestChallenges:
    def _advance(self, hours, pop=None, c=None, success=1.0, seed=20):
        pop = pop or make_pop()
        c = c or Challenges()
        city = challenges.CityState.initial(c)
        challenges.advance_challenges(
            city,
            pop,
            np.asarray(hours, float),
            success,
            pop.loneliness.copy(),
            c,
            np.random.default_rng(seed),
        )
        return city

    def test_more_climate_hours_give_more_climate_progress(self):
        c = Challenges()
        progress = [
            self._advance([h, 0, 0, 0, 0]).climate_progress for h in (0.0, 0.5, 1.0, 5.0, 20.0)
        ]
        assert progress[0] == pytest.approx(c.climate_start + c.climate_trend)
        assert all(a < b for a, b in zip(progress, progress[1:], strict=False))
        assert progress[-1] <= 1.0

    def test_project_success_scales_the_effect(self):
        low = self._advance([2.0, 0, 0, 0, 0], success=0.5).climate_progress
        high = self._advance([2.0, 0, 0, 0, 0], success=1.0).climate_progress
        assert high > low

    def test_services_and_places_erode_without_hours_and_recover_with_them(self):
        c = Challenges()
        idle = self._advance([0, 0, 0, 0, 0])
        assert idle.services_coverage < c.services_start
        assert idle.public_places_quality < c.places_start
        busy = self._advance([0, 20.0, 0, 20.0, 0])
        assert busy.services_coverage > idle.services_coverage
        assert busy.public_places_quality > idle.public_places_quality
        assert busy.climate_progress == pytest.approx(idle.climate_progress)

    def test_engagement_lowers_loneliness(self):
        pop = make_pop(1000)
        pop.state[:500] = State.ENGAGED
        before = pop.loneliness.copy()
        self._advance([0, 0, 0, 0, 0], pop=pop)
        fall = before - pop.loneliness
        assert fall[:500].mean() > fall[500:].mean() + 0.005
        assert np.all((pop.loneliness >= 0) & (pop.loneliness <= 1))

    def test_hours_by_focus_sums_weekly_hours_of_volunteers_by_challenge(self):
        pop = make_pop(100)
        pop.state[:10] = State.ENGAGED
        pop.organisation[:10] = [0, 0, 1, 1, 1, 2, 2, 2, 2, 2]
        pop.hours[:10] = 2.0
        pop.hours[10:] = 99.0  # non-engaged hours must not count
        focus = np.array([0, 3, 2])  # org 0 climate, org 1 public places, org 2 loneliness
        h = challenges.hours_by_focus(pop, focus, residents_per_agent=10.0, population=1000)
        scale = WEEKS_PER_MONTH * 10.0 / 1000
        np.testing.assert_allclose(h, np.array([4, 0, 10, 6, 0]) * scale)

    def test_democracy_satisfaction_and_lonely_share_are_shares(self):
        pop = make_pop()
        pop.trust[:] = 1.0
        pop.efficacy[:] = 1.0
        sharp = Challenges(satisfaction_spread=0.0)
        assert challenges.democracy_satisfaction(pop, sharp) == 1.0
        pop.trust[:] = 0.0
        assert challenges.democracy_satisfaction(pop, sharp) == 0.0
        assert 0.0 < challenges.democracy_satisfaction(pop, Challenges()) < 0.5
        pop.loneliness[:] = 0.0
        pop.loneliness[:50] = 0.9
        assert challenges.lonely_share(pop, Challenges()) == pytest.approx(0.1)


# =========================================================================== participation


def _process(
    fmt: Format,
    *,
    rung=Rung.consult,
    timing=Timing.early,
    outreach=False,
    topic=Challenge.climate,
    invitations=0.0,
    seats=0.0,
):
    proc = participation.Process(
        topic=topic,
        formats=[fmt],
        rung=rung,
        timing=timing,
        outreach=outreach,
        start=0,
        end=2,
        promised=Processes().rung_influence[rung],
    )
    proc.outcome["invitations"] = invitations
    proc.outcome["seats"] = seats
    return proc


class TestParticipation:
    def test_open_consultation_over_represents_high_education(self):
        pop = make_pop(40_000, seed=3)
        proc = _process(Format.open_consultation)
        participation.draw_participants(
            proc, pop, 0.0, Support(consultation_rate=0.3), np.random.default_rng(21)
        )
        part = proc.participants
        assert part.sum() > 2000
        pop_high = np.mean(pop.education == 2)
        part_high = np.mean(pop.education[part] == 2)
        assert part_high > pop_high + 0.1
        assert np.mean(pop.education[part] == 0) < np.mean(pop.education == 0) - 0.1
        # silent groups take part less
        assert part[pop.silent].mean() < 0.6 * part[~pop.silent].mean()

    def test_open_consultation_self_selects_by_education_at_equal_interest(self):
        pop = make_pop(60_000, seed=5)
        pop.interest[:] = 0.5
        pop.silent[:] = False  # same reach for all: only education differs
        proc = _process(Format.open_consultation)
        participation.draw_participants(
            proc, pop, 0.0, Support(consultation_rate=0.3), np.random.default_rng(28)
        )
        rate = [proc.participants[pop.education == k].mean() for k in range(3)]
        assert rate[0] < rate[1] < rate[2]
        assert rate[2] > 1.4 * rate[1]
        assert rate[0] < 0.7 * rate[1]

    @pytest.mark.parametrize("rate", [0.012, 0.3, 1.0])
    def test_open_consultation_selects_each_citizen_with_exactly_their_chance(self, rate):
        """The compiled rule skips ahead to candidates (thinning); every group must still be
        selected at its own chance rate * interest * selection * reach, within 4 sigma."""
        n = 120_000
        pop = make_pop(n, seed=9)
        pop.interest[:, 0] = np.where(np.arange(n) % 3 == 0, 0.0, 0.8)  # a third: no chance
        proc = _process(Format.open_consultation)
        participation.draw_participants(
            proc,
            pop,
            0.0,
            Support(consultation_rate=rate),
            np.random.default_rng(4),
            silent_reach=0.5,
        )
        part = proc.participants
        assert not part[pop.interest[:, 0] == 0.0].any()
        for edu in range(3):
            for silent in (False, True):
                group = (pop.interest[:, 0] > 0) & (pop.education == edu) & (pop.silent == silent)
                if group.sum() < 2000:
                    continue
                chance = min(
                    1.0,
                    rate * 0.8 * Support().education_selection[edu] * (0.5 if silent else 1.0),
                )
                sigma = math.sqrt(chance * (1 - chance) / group.sum())
                assert abs(part[group].mean() - chance) <= 4 * sigma + 1e-12, (edu, silent)

    def test_actor_forum_seats_its_size_among_volunteers_and_open_citizens(self):
        n = 90_000
        pop = make_pop(n, seed=10)
        pop.state[:] = np.arange(n) % 3  # inactive, open, engaged in turn
        proc = _process(Format.actor_forum)
        proc.outcome["forum_seats"] = 3000.0
        office = 0.8
        participation.draw_participants(proc, pop, office, Support(), np.random.default_rng(6))
        part = proc.participants
        assert part.sum() == 3000
        assert not part[pop.state == State.INACTIVE].any()
        # an open citizen weighs office_forum_open x office as much as an engaged one
        w = Support().office_forum_open * office
        expected_open = 3000 * w / (1 + w)
        sigma = math.sqrt(3000 * w / (1 + w) ** 2)
        assert abs(part[pop.state == State.OPEN].sum() - expected_open) <= 4 * sigma

    def test_a_forum_smaller_than_one_agent_is_seated_at_its_expected_size(self):
        pop = make_pop(2000, seed=11)
        pop.state[:800] = State.ENGAGED
        seated = []
        for seed in range(400):
            proc = _process(Format.actor_forum)
            proc.outcome["forum_seats"] = 0.3  # 150 residents at 540 residents per agent
            participation.draw_participants(proc, pop, 0.0, Support(), np.random.default_rng(seed))
            seated.append(proc.participants.sum())
        assert set(seated) <= {0, 1}
        assert abs(np.mean(seated) - 0.3) <= 4 * math.sqrt(0.3 * 0.7 / 400)

    def test_whole_agents_keeps_the_expectation(self):
        rng = np.random.default_rng(5)
        draws = [participation.whole_agents(2.25, rng) for _ in range(4000)]
        assert set(draws) == {2, 3}
        assert abs(np.mean(draws) - 2.25) < 0.03
        assert participation.whole_agents(4.0, rng) == 4

    def test_office_and_outreach_widen_an_open_consultation(self):
        pop = make_pop(40_000, seed=3)
        s = Support(consultation_rate=0.3)
        plain = _process(Format.open_consultation)
        participation.draw_participants(plain, pop, 0.0, s, np.random.default_rng(22))
        wide = _process(Format.open_consultation, outreach=True)
        participation.draw_participants(wide, pop, 1.0, s, np.random.default_rng(22))
        silent_plain = np.mean(pop.silent[plain.participants])
        silent_wide = np.mean(pop.silent[wide.participants])
        assert silent_wide > 2 * silent_plain

    def test_participants_accumulate_over_months(self):
        pop = make_pop(5000)
        proc = _process(Format.open_consultation)
        rng = np.random.default_rng(23)
        s = Support(consultation_rate=0.1)
        participation.draw_participants(proc, pop, 0.0, s, rng)
        first = proc.participants.copy()
        participation.draw_participants(proc, pop, 0.0, s, rng)
        assert np.all(proc.participants[first])
        assert proc.participants.sum() > first.sum()

    def test_actor_forum_draws_engaged_and_with_an_office_open_citizens(self):
        pop = make_pop(10_000)
        pop.state[:3000] = State.ENGAGED
        pop.state[3000:6000] = State.OPEN
        no_office = _process(Format.actor_forum)
        no_office.outcome["forum_seats"] = 1500.0
        participation.draw_participants(no_office, pop, 0.0, Support(), np.random.default_rng(24))
        assert no_office.participants[:3000].sum() == 1500
        assert not no_office.participants[3000:].any()
        office = _process(Format.actor_forum)
        office.outcome["forum_seats"] = 1500.0
        participation.draw_participants(office, pop, 1.0, Support(), np.random.default_rng(24))
        assert office.participants[3000:6000].any()
        assert not office.participants[6000:].any()
        # the forum is seated once
        participation.draw_participants(office, pop, 1.0, Support(), np.random.default_rng(25))
        assert office.participants.sum() == 1500

    def _assembly(self, outreach: bool, seed: int = 25):
        pop = make_pop(40_000, seed=4)
        proc = _process(Format.citizens_assembly, outreach=outreach, invitations=20_000, seats=160)
        participation.draw_participants(proc, pop, 0.0, Support(), np.random.default_rng(seed))
        return pop, proc

    def test_assembly_outreach_raises_response_of_silent_groups(self):
        _, plain = self._assembly(False)
        _, reached = self._assembly(True)
        assert plain.invited == reached.invited == 20_000
        low_plain = plain.responded_low / plain.invited_low
        low_reached = reached.responded_low / reached.invited_low
        # outreach reaches the silent groups, about half of the low-educated
        assert low_reached > 1.4 * low_plain
        assert reached.responded > plain.responded
        # the plain response is low and socially skewed (German letter funnels: 8-20%)
        assert 0.05 < plain.responded / plain.invited < 0.2
        high_rate = (plain.responded - plain.responded_low) / (plain.invited - plain.invited_low)
        assert low_plain < high_rate

    def test_assembly_seats_and_invites_once(self):
        pop, proc = self._assembly(True)
        assert proc.participants.sum() == min(proc.responded, 160)
        invited, responded = proc.invited, proc.responded
        seated = proc.participants.copy()
        participation.draw_participants(proc, pop, 0.0, Support(), np.random.default_rng(26))
        assert (proc.invited, proc.responded) == (invited, responded)
        np.testing.assert_array_equal(proc.participants, seated)

    def test_assembly_seats_are_stratified_by_education(self):
        pop, proc = self._assembly(False)
        respondents_low = proc.responded_low / proc.responded
        seats_low = np.mean(pop.education[proc.participants] == 0)
        assert seats_low > respondents_low

    def test_small_runs_measure_the_funnel_but_seat_at_the_real_scale(self):
        pop = make_pop(500)
        seats = []
        for seed in range(300):
            proc = _process(Format.citizens_assembly, invitations=1.0, seats=0.1)
            participation.draw_participants(proc, pop, 0.0, Support(), np.random.default_rng(seed))
            assert proc.invited == Support().min_invited_agents
            seats.append(proc.seated)
        assert set(seats) <= {0, 1}
        assert abs(np.mean(seats) - 0.1) <= 4 * math.sqrt(0.1 * 0.9 / 300)

    def test_late_inform_gives_no_influence(self):
        for seed in range(50):
            proc = _process(Format.open_consultation, rung=Rung.inform, timing=Timing.late)
            v, e = participation.conclude(proc, 1.0, 1.0, Processes(), np.random.default_rng(seed))
            assert v == 0.0 and e == 0.0

    def test_early_co_decide_gives_more_influence(self):
        def mean_influence(rung, timing):
            vs = []
            for seed in range(400):
                proc = _process(Format.citizens_assembly, rung=rung, timing=timing)
                v, _ = participation.conclude(
                    proc, 0.4, 0.5, Processes(), np.random.default_rng(seed)
                )
                vs.append(v)
            return np.mean(vs)

        early_decide = mean_influence(Rung.co_decide, Timing.early)
        late_decide = mean_influence(Rung.co_decide, Timing.late)
        late_consult = mean_influence(Rung.consult, Timing.late)
        late_inform = mean_influence(Rung.inform, Timing.late)
        assert late_inform == 0.0
        assert early_decide > 2 * late_decide
        assert early_decide > 0.3
        assert late_decide > late_consult > 0.0

    def test_adopted_early_co_design_opens_places_for_carrying_it_out(self):
        def places(rung, timing, adopted, participants):
            proc = _process(Format.citizens_assembly, rung=rung, timing=timing)
            proc.outcome["adopted"] = adopted
            return participation.implementation_places(proc, participants, Processes())

        assert places(Rung.co_design, Timing.early, True, 10) > 0
        assert places(Rung.co_decide, Timing.early, True, 20) == pytest.approx(
            2 * places(Rung.co_decide, Timing.early, True, 10)
        )
        assert places(Rung.co_design, Timing.late, True, 10) == 0
        assert places(Rung.co_design, Timing.early, False, 10) == 0
        assert places(Rung.consult, Timing.early, True, 10) == 0
        assert places(Rung.inform, Timing.early, True, 10) == 0

    def test_conclude_with_sure_adoption(self):
        proc = _process(Format.open_consultation, rung=Rung.co_decide, timing=Timing.early)
        v, e = participation.conclude(proc, 0.5, 1.0, Processes(), np.random.default_rng(0))
        assert e == 1.0
        assert v == pytest.approx(0.4 + 0.6 * 0.5)
        assert proc.outcome["adopted"] is True
        assert proc.outcome["influence"] == v and proc.outcome["expectation"] == e
        # more visible responsiveness means more influence
        v2, _ = participation.conclude(proc, 1.0, 1.0, Processes(), np.random.default_rng(0))
        assert v2 > v


# =========================================================================== network


def _network(n=400, seed=0, **city):
    c = City(**city)
    pop = Population(n, c, np.random.default_rng(seed))
    adj = build_network(pop, c, np.random.default_rng(seed + 1000))
    return pop, adj


class TestNetwork:
    def test_symmetric_without_self_loops_and_binary(self):
        _, adj = _network(1000)
        assert (adj != adj.T).nnz == 0
        assert np.all(adj.diagonal() == 0)
        assert np.all(adj.data == 1.0)
        assert adj.shape == (1000, 1000)

    def test_clustering_well_above_a_random_graph(self):
        _, adj = _network(400)
        g = to_networkx(adj)
        assert g.number_of_nodes() == 400
        density = nx.density(g)
        clustering = nx.average_clustering(g)
        random_graph = nx.gnm_random_graph(400, g.number_of_edges(), seed=1)
        assert clustering > 5 * density
        assert clustering > 5 * nx.average_clustering(random_graph)
        assert clustering > 0.2

    def test_ties_are_homophilous_by_education(self):
        pop, adj = _network(2000)
        coo = sp.triu(adj).tocoo()
        same = np.mean(pop.education[coo.row] == pop.education[coo.col])
        shares = np.bincount(pop.education, minlength=3) / pop.n
        chance = float(np.sum(shares**2))
        assert same > chance + 0.15

    def test_same_seed_same_network_other_seed_other_network(self):
        pop_a, a = _network(500, seed=7)
        pop_b, b = _network(500, seed=7)
        pop_c, c = _network(500, seed=8)
        assert (a != b).nnz == 0
        np.testing.assert_array_equal(pop_a.neighbourhood, pop_b.neighbourhood)
        assert (a != c).nnz > 0

    def test_mean_degree_and_isolated_citizens(self):
        pop, adj = _network(3000)
        deg = degree(adj)
        assert deg.size == pop.n
        k = City().network_degree
        assert 0.8 * k < deg[~pop.isolated].mean() <= k + 0.01
        # the isolated keep only about a fifth of their ties
        assert deg[pop.isolated].mean() < 0.35 * deg[~pop.isolated].mean()

    def test_neighbourhoods_have_the_configured_size(self):
        pop, adj = _network(1000, neighbourhood_size=100)
        sizes = np.bincount(pop.neighbourhood)
        assert sizes.size == 10 and np.all(sizes == 100)
        # without rewiring nearly all ties stay inside a neighbourhood
        pop, adj = _network(1000, neighbourhood_size=100, network_rewiring=0.0)
        coo = sp.triu(adj).tocoo()
        assert np.mean(pop.neighbourhood[coo.row] == pop.neighbourhood[coo.col]) > 0.9

    def test_rewiring_shortens_paths(self):
        _, lattice = _network(600, network_rewiring=0.0, isolated_share=0.0)
        _, small_world = _network(600, network_rewiring=0.2, isolated_share=0.0)
        g0, g1 = to_networkx(lattice), to_networkx(small_world)
        assert nx.is_connected(g1)
        d0 = nx.average_shortest_path_length(g0.subgraph(max(nx.connected_components(g0), key=len)))
        assert nx.average_shortest_path_length(g1) < 0.5 * d0

    def test_share_of_ties_and_subgraph_view(self):
        pop, adj = _network(300)
        deg = degree(adj)
        mask = np.zeros(pop.n, dtype=bool)
        mask[::3] = True
        share = share_of_ties(adj, mask, deg)
        assert np.all((share >= 0) & (share <= 1))
        assert np.all(share[deg == 0] == 0)
        i = int(np.argmax(deg))
        neighbours = adj.indices[adj.indptr[i] : adj.indptr[i + 1]]
        assert share[i] == pytest.approx(mask[neighbours].mean())
        nodes = np.arange(50, 120)
        sub = to_networkx(adj, nodes)
        assert set(sub.nodes) == set(nodes.tolist())
        for u, v in sub.edges:
            assert adj[u, v] == 1.0


def test_organisations_ask_citizens_with_a_migration_background_less():
    pop = make_pop(40_000, seed=12)
    pop.silent[:] = False
    b = Behaviour(ask_migration=0.5)
    recruitment.ask_to_join(pop, empty_adj(pop.n), 14000.0, 0.0, 0.0, b, np.random.default_rng(3))
    with_bg, without = pop.asked[pop.migration].mean(), pop.asked[~pop.migration].mean()
    # the asks are spread by visibility: half as visible, about half as often asked
    assert with_bg == pytest.approx(0.5 * without, rel=0.15)
