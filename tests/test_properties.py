"""Property tests: invariants of a run over random valid parameter sets (hypothesis).

Each example draws behaviour and lever values within their declared ranges, runs a short
model and checks that the indicators are well defined and the population is conserved.
"""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import CoProductionModel, Scenario
from model.rules import registry
from model.simulation.citizens import State
from model.simulation.indicators import INDICATORS
from model.simulation.scenario import Format, LeadershipStyle, Rung, Timing

MONTHS = 6
#: more examples on demand, e.g. ``COPROD_HYPOTHESIS_EXAMPLES=500 uv run pytest ...``
EXAMPLES = int(os.environ.get("COPROD_HYPOTHESIS_EXAMPLES", "40"))
ASSEMBLY_COLUMNS = {"assembly_response_rate", "assembly_response_rate_edu_low"}
#: empty (None) when they do not apply: without an assembly
OPTIONAL = ASSEMBLY_COLUMNS
FRACTIONS = [name for name, (unit, _) in INDICATORS.items() if unit == "fraction"]
NUMERIC = [name for name in INDICATORS if name != "date"]

unit = st.floats(0.0, 1.0, allow_nan=False)
budget = st.one_of(st.just(0.0), st.floats(0.0, 5_000_000.0), st.floats(0.0, 50_000_000.0))


@st.composite
def scenarios(draw) -> dict:
    behaviour = {
        "open_base": draw(st.floats(-10.0, 5.0)),
        "join_base": draw(st.floats(-10.0, 5.0)),
        "join_asked": draw(st.floats(0.0, 10.0)),
        "asked_opens": draw(unit),
        "open_lapse": draw(st.floats(0.0, 0.5)),
        "exit_life": draw(st.floats(0.0, 0.5)),
        "exit_disappointment": draw(st.floats(0.0, 0.5)),
        "energy_load": draw(unit),
        "energy_recovery": draw(unit),
        "exhaustion_threshold": draw(unit),
        "negativity_bias": draw(st.floats(1.0, 5.0)),
        "ownership_gain": draw(unit),
        "disappointment_gain": draw(unit),
        "ask_per_engaged_tie": draw(unit),
        # parameters of the rule variants (used when the variant is drawn below)
        "threshold_mean": draw(unit),
        "threshold_spread": draw(st.floats(0.0, 2.0)),
        "threshold_asked_drop": draw(unit),
        "threshold_rate": draw(unit),
        "burnout_hazard": draw(st.floats(0.0, 0.5)),
        "recovery_hazard": draw(unit),
    }
    levers = {
        "participation": {
            "decisions_per_year": draw(st.integers(0, 24)),
            "timing": draw(st.sampled_from(list(Timing))).value,
            "rung": draw(st.sampled_from(list(Rung))).value,
            "formats": [
                f.value
                for f in draw(
                    st.lists(st.sampled_from(list(Format)), min_size=1, max_size=3, unique=True)
                )
            ],
            "duration_months": draw(st.integers(1, 24)),
            "outreach": draw(st.booleans()),
            "assembly_invitations": draw(st.integers(10, 200_000)),
            "assembly_size": draw(st.integers(10, 2_000)),
        },
        "infrastructure": {
            "volunteer_agency_eur": draw(budget),
            "participation_office_eur": draw(budget),
            "outreach_eur": draw(budget),
            "admin_training_eur": draw(budget),
        },
        "leadership": {
            "style": draw(st.sampled_from(list(LeadershipStyle))).value,
            "volunteering_day_month": draw(st.integers(1, 12)),
        },
        "administration": {
            "responsiveness": draw(unit),
            "council_compromise": draw(unit),
            "competence": draw(unit),
        },
    }
    data = {
        "run": {
            "months": MONTHS,
            "burn_in_months": draw(st.integers(0, 3)),
            "citizens": draw(st.integers(200, 400)),
        },
        "behaviour": behaviour,
        "levers": levers,
        "organisations": {
            "cooperative_ownership": draw(unit),
            "cooperative_continuation": draw(unit),
            "management_quality": draw(unit),
        },
        "support": {
            "vacancy_share": draw(st.floats(0.0, 2.0)),
            "coordination_headroom": draw(st.floats(1.0, 10.0)),
        },
        "informal_help": {
            "help_base": draw(st.floats(-20.0, 20.0)),
            "help_stop": draw(unit),
        },
        # every registered rule variant (students' own included) runs under the invariants
        "rules": {m: draw(st.sampled_from(registry.available(m))) for m in registry.MECHANISMS},
    }
    if draw(st.booleans()):  # a one-off process and/or a lever change during the run
        month = draw(st.integers(0, MONTHS - 1))
        item: dict = {"date": f"2026-{month + 1:02d}", "label": "change"}
        item["process"] = {
            "format": draw(st.sampled_from(list(Format))).value,
            "rung": draw(st.sampled_from(list(Rung))).value,
            "timing": draw(st.sampled_from(list(Timing))).value,
            "outreach": draw(st.booleans()),
        }
        if draw(st.booleans()):
            item["levers"] = {
                "leadership": {"style": draw(st.sampled_from(list(LeadershipStyle))).value},
                "administration": {"responsiveness": draw(unit)},
            }
        data["timeline"] = [item]
    return data


def check_population(m: CoProductionModel) -> None:
    pop = m.citizens
    n = pop.n
    assert np.all((pop.state >= State.INACTIVE) & (pop.state <= State.EXHAUSTED))
    assert pop.counts().sum() == n
    assert len(pop.counts()) == len(State)
    eng = pop.engaged
    n_orgs = len(m.organisations)
    assert np.all(pop.organisation[eng] >= 0)
    assert np.all(pop.organisation[eng] < n_orgs)
    assert np.all(pop.hours[eng] > 0)
    assert np.all(pop.organisation[~eng] == -1)
    assert np.all(pop.hours[~eng] == 0)
    # organisations never hold more volunteers than their places, rounded up (the
    # fractional place is filled with the chance of its fraction)
    members = np.bincount(pop.organisation[eng], minlength=n_orgs)
    capacity = np.array([o.capacity for o in m.organisations])
    assert np.all(members <= np.ceil(capacity - 1e-9)), (members, capacity)
    for name in ("trust", "efficacy", "energy", "loneliness", "ownership", "disappointment"):
        col = getattr(pop, name)
        assert np.all(np.isfinite(col)), name
        assert np.all((col >= 0) & (col <= 1)), name


def check_dataframe(df) -> None:
    assert len(df) == MONTHS
    for name in NUMERIC:
        if name in OPTIONAL:
            values = df[name].dropna().astype(float)
            assert np.all(np.isfinite(values)), name
            assert values.between(0, 1).all(), name
            continue
        values = df[name].astype(float)
        assert values.notna().all() and np.all(np.isfinite(values)), name
    for name in FRACTIONS:
        if name in ASSEMBLY_COLUMNS:
            continue
        assert df[name].astype(float).between(0, 1).all(), (name, df[name].tolist())
    for name in (
        "climate_progress",
        "services_coverage",
        "public_places_quality",
        "trust_mean",
        "efficacy_mean",
        "administration_competence",
    ):
        assert df[name].between(0, 1).all(), name
    spend = df["infrastructure_spend_eur"].to_numpy()
    assert np.all(spend >= 0) and np.all(np.diff(spend) >= 0)
    assert df["annual_exit_rate"].min() >= 0
    hours = df[["hours_share_0_2", "hours_share_3_5", "hours_share_6_plus"]].sum(axis=1)
    engaged = df["engaged_share"] > 0
    assert np.allclose(hours[engaged], 1.0)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_random_valid_scenarios_keep_the_invariants(data, seed):
    scenario = Scenario.model_validate(data)
    m = CoProductionModel(scenario, rng=seed)
    n = scenario.run.citizens
    check_population(m)
    for _ in range(MONTHS):
        m.step()
        check_population(m)
        assert m.citizens.n == n
    assert not m.running
    check_dataframe(m.dataframe())


@settings(max_examples=max(5, EXAMPLES // 2), deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    budgets=st.lists(st.floats(0.0, 50_000_000.0), min_size=4, max_size=4),
)
def test_spending_is_the_sum_of_budgets(seed, budgets):
    keys = (
        "volunteer_agency_eur",
        "participation_office_eur",
        "outreach_eur",
        "admin_training_eur",
    )
    scenario = Scenario.model_validate(
        {
            "run": {"months": MONTHS, "burn_in_months": 1, "citizens": 200},
            "levers": {"infrastructure": dict(zip(keys, budgets, strict=True))},
        }
    )
    m = CoProductionModel(scenario, rng=seed)
    for _ in range(MONTHS):
        m.step()
    spend = m.dataframe()["infrastructure_spend_eur"].to_numpy()
    expected = sum(budgets) / 12 * np.arange(1, MONTHS + 1)
    assert np.allclose(spend, expected, rtol=1e-9, atol=1e-6)
    assert math.isfinite(spend[-1])
