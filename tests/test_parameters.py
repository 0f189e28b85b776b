"""Every number that shapes a mechanism is a scenario parameter, and changing it changes the
mechanism (so an experiment can vary it and a sensitivity analysis can find it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from model import CoProductionModel, Scenario
from model.rules import challenges, leadership, participation
from model.simulation.citizens import Population
from model.simulation.scenario import (
    Challenge,
    Challenges,
    City,
    Format,
    Governance,
    LeadershipStyle,
    Processes,
    Rung,
    Timing,
)
from tests.test_docs import _fields

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "model" / "rules"


def _numeric(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, int | float)
        and not isinstance(n.value, bool)
        for n in ast.walk(node)
    )


def _module_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno}: {ast.unparse(node)[:80]}"
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and node.value is not None
        and _numeric(node.value)
    ]


def test_rule_modules_define_no_numeric_constants():
    # students' own variants (rules/variants/) are theirs to write as they like
    found = [c for path in sorted(RULES.glob("*.py")) for c in _module_constants(path)]
    assert found == [], "make these scenario parameters (unit, range, source):\n" + "\n".join(found)


def test_the_constant_check_can_fail(tmp_path):
    rule = tmp_path / "rule.py"
    rule.write_text("TIMING = {'early': 1.0, 'late': 0.3}\nNAME = 'x'\n")
    assert len(_module_constants(rule)) == 1


#: a citation (a year), a stated assumption, a calibration, or how agents represent residents
SOURCED = re.compile(r"\b(1[89]|20)\d\d\b|assumption|calibrat|representation")


def test_every_parameter_names_a_source_or_an_assumption():
    sc = Scenario()
    bad = []
    for section in type(sc).model_fields:
        value = getattr(sc, section)
        if not hasattr(type(value), "model_fields") or section == "rules":
            continue
        for key, field in _fields(value, f"{section}."):
            source = (field.json_schema_extra or {}).get("source", "")
            if key != "city.name" and (not SOURCED.search(source) or "modelling choice" in source):
                bad.append(f"{key}: {source!r}")
    assert bad == [], "cite a study or data set, or write 'assumption: <why>':\n" + "\n".join(bad)


# ------------------------------------------------------------------ parameters act
DEFAULT = Processes()


def _process(rung=Rung.co_decide, timing=Timing.early, q=DEFAULT):
    return participation.Process(
        topic=Challenge.climate,
        formats=[Format.open_consultation],
        rung=rung,
        timing=timing,
        outreach=False,
        start=0,
        end=0,
        promised=q.rung_influence[rung],
    )


def _influence(q: Processes, timing=Timing.late, responsiveness=0.4, adopt=1.0) -> float:
    v, _ = participation.conclude(
        _process(timing=timing, q=q), responsiveness, adopt, q, np.random.default_rng(0)
    )
    return v


def test_late_influence_sets_what_late_participation_is_worth():
    early = _influence(Processes(), timing=Timing.early)
    assert _influence(Processes(late_influence=1.0)) == pytest.approx(early)
    assert _influence(Processes(late_influence=0.0)) == 0.0
    # by hand: co-decide promises 1, late 0.3, adopted, seen 0.4 + 0.6 x 0.4
    assert _influence(Processes()) == pytest.approx(1.0 * 0.3 * 1.0 * (0.4 + 0.6 * 0.4))


def test_rung_influence_and_rejected_trace_enter_the_influence():
    q = Processes(rung_influence={"inform": 0, "consult": 0.5, "co_design": 0.9, "co_decide": 0.6})
    assert _process(Rung.consult, q=q).promised == 0.5
    rejected = _influence(Processes(rejected_trace=0.25), timing=Timing.early, adopt=0.0)
    assert rejected == pytest.approx(0.25 * (0.4 + 0.6 * 0.4))


def test_influence_floor_is_what_an_unresponsive_administration_shows():
    assert _influence(Processes(influence_floor=0.7), Timing.early, 0.0) == pytest.approx(0.7)


def test_project_parameters_size_and_time_the_projects():
    proc = _process(Rung.co_design)
    proc.outcome["adopted"] = True
    assert (
        participation.implementation_places(proc, 10, Processes(places_per_participant=2.0)) == 20
    )
    sc = Scenario.model_validate(
        {"run": {"citizens": 300, "months": 1}, "processes": {"project_months": 7}}
    )
    model = CoProductionModel(sc, rng=1)
    model._start_project(proc, 3.0)
    assert model._org_list[-1].ends == model.month + 7


def test_everyday_cooperation_lifts_responsiveness_only_through_its_parameter():
    every = LeadershipStyle.everyday_cooperation
    annual = LeadershipStyle.annual_praise
    none = Governance(everyday_responsiveness=0.0)
    assert leadership.visible_responsiveness(0.4, every, 0.0, none) == pytest.approx(0.4)
    assert leadership.visible_responsiveness(0.4, every, 0.0, Governance()) == pytest.approx(
        0.4 + 0.6 * 0.25
    )
    assert leadership.visible_responsiveness(0.4, annual, 1.0, Governance()) == pytest.approx(
        0.4 + 0.6 * 0.2
    )


def test_competence_grows_and_decays_by_its_parameters():
    annual = LeadershipStyle.annual_praise
    g = Governance(competence_decay=0.0, training_competence=0.1)
    assert leadership.grow_competence(0.5, annual, 1.0, 0, g) == pytest.approx(0.5 + 0.1 * 0.5)
    g = Governance(competence_decay=0.1, coproduction_competence=0.0)
    assert leadership.grow_competence(0.5, annual, 0.0, 3, g) == pytest.approx(0.45)


def test_success_floor_sets_what_friction_leaves(monkeypatch):
    sc = Scenario.model_validate(
        {
            "run": {"citizens": 300, "months": 1, "burn_in_months": 0},
            "governance": {"success_floor": 1.0},
        }
    )
    seen = []
    model = CoProductionModel(sc, rng=2)
    rule = model.rules.trust
    monkeypatch.setattr(
        model.rules,
        "trust",
        lambda pop, learned, r, success, b: (
            seen.append(success) or rule(pop, learned, r, success, b)
        ),
    )
    model.step()
    assert seen == [1.0]


def test_lonely_threshold_and_satisfaction_define_the_indicators():
    pop = Population(1000, City(), np.random.default_rng(3))
    pop.loneliness[:] = 0.6
    assert challenges.lonely_share(pop, Challenges()) == 1.0
    assert challenges.lonely_share(pop, Challenges(lonely_threshold=0.7)) == 0.0
    pop.trust[:], pop.efficacy[:] = 0.8, 0.2
    sharp = {"satisfaction_spread": 0.0}
    assert challenges.democracy_satisfaction(pop, Challenges(**sharp)) == 1.0  # 0.62 > 0.5
    weight = Challenges(satisfaction_trust_weight=0.4, **sharp)
    assert challenges.democracy_satisfaction(pop, weight) == 0.0
    # a gradual step: each citizen satisfied with logistic((score - threshold) / spread)
    c = Challenges(satisfaction_spread=0.12)
    expected = 1 / (1 + np.exp(-(0.7 * 0.8 + 0.3 * 0.2 - 0.5) / 0.12))
    assert challenges.democracy_satisfaction(pop, c) == pytest.approx(expected, rel=1e-6)


def test_the_satisfaction_spread_makes_satisfaction_move_with_trust_as_surveys_do():
    """About 1.2 points of satisfaction per point of mean trust (forsa 2023, KAS 2023),
    against about 2.2 with a sharp cut-off, on the status quo's population."""
    m = CoProductionModel(rng=1, citizens=20000)
    pop = m.citizens

    def ratio(c):
        base = challenges.democracy_satisfaction(pop, c)
        pop.trust += np.float32(0.12)
        up = challenges.democracy_satisfaction(pop, c)
        pop.trust -= np.float32(0.12)
        return (up - base) / 0.12

    assert 1.0 < ratio(Challenges()) < 1.4
    assert ratio(Challenges(satisfaction_spread=0.0)) > 1.8


def test_mechanism_parameters_can_be_set_in_a_scenario_and_change_the_run():
    base = {"run": {"citizens": 400, "months": 24, "burn_in_months": 0}}
    a = CoProductionModel(Scenario.model_validate(base), rng=5)
    b = CoProductionModel(
        Scenario.model_validate(
            base
            | {
                "behaviour": {
                    "recognition_exit": 0.0,
                    "ownership_exit": 0.0,
                    "exhausted_recovery": 1.0,
                }
            }
        ),
        rng=5,
    )
    for m in (a, b):
        for _ in range(24):
            m.step()
    assert not np.array_equal(a.citizens.state, b.citizens.state)


# ------------------------------------------------------------------ tokenism and the public
def test_felt_influence_subtracts_the_broken_promise():
    assert participation.felt_influence(0.2, 0.75, 1.0) == pytest.approx(0.2 - 0.55)
    assert participation.felt_influence(0.5, 0.35, 1.0) == pytest.approx(0.5)  # kept
    assert participation.felt_influence(0.2, 0.75, 0.0) == pytest.approx(0.2)


def test_usual_felt_influence_is_the_expected_status_quo_process_by_hand():
    q = Processes()
    # late consultation: promised 0.35, late 0.3, seen 0.4 + 0.6 x 0.4 = 0.64, adopted half
    adopted = 0.35 * 0.3 * 0.64
    rejected = 0.35 * 0.3 * 0.4 * 0.64
    by_hand = 0.5 * (adopted - (0.35 - adopted)) + 0.5 * (rejected - (0.35 - rejected))
    usual = participation.usual_felt_influence(Rung.consult, Timing.late, 0.5, 0.4, q, 1.0)
    assert usual == pytest.approx(by_hand)


def test_hearing_of_a_process_moves_everyone_but_its_participants():
    from model.rules import trust
    from model.simulation.scenario import Behaviour

    pop = Population(2000, City(), np.random.default_rng(9))
    pop.trust[:] = pop.trust_disposition[:] = 0.5
    part = np.zeros(pop.n, dtype=bool)
    part[:10] = True
    b = Behaviour()
    trust.hear_of_process(pop, part, 0.2, 0.1, b)
    assert np.all(pop.trust[:10] == 0.5)
    np.testing.assert_allclose(pop.trust[10:], 0.5 + b.trust_rate * 0.1 * 0.2, rtol=1e-5)
    pop.trust[:] = 0.5
    trust.hear_of_process(pop, part, -0.2, 0.1, b)  # a broken promise weighs more
    np.testing.assert_allclose(
        pop.trust[10:], 0.5 - b.negativity_bias * b.trust_rate * 0.1 * 0.2, rtol=1e-5
    )


def test_good_news_settles_where_it_points_instead_of_adding_up():
    from model.rules import trust
    from model.simulation.scenario import Behaviour

    pop = Population(500, City(), np.random.default_rng(9))
    pop.trust[:] = pop.trust_disposition[:] = 0.5
    none = np.zeros(pop.n, dtype=bool)
    for _ in range(5000):  # many honoured processes in a row
        trust.hear_of_process(pop, none, 0.1, 0.5, Behaviour())
    np.testing.assert_allclose(pop.trust, 0.6, atol=1e-3)


def test_adopted_proposals_move_their_challenge():
    city = challenges.CityState(
        climate_progress=0.4, services_coverage=0.7, public_places_quality=0.6
    )
    challenges.adopt_proposals(city, Challenge.climate, 0.5, 0.1)
    assert city.climate_progress == pytest.approx(0.4 + 0.05 * 0.6)
    assert city.services_coverage == 0.7 and city.public_places_quality == 0.6


def _trust_after(levers: dict, seed: int) -> float:
    sc = Scenario.model_validate(
        {
            "run": {"citizens": 600, "months": 36, "burn_in_months": 0},
            "levers": levers,
            "processes": {"awareness": 0.6},
        }
    )
    m = CoProductionModel(sc, rng=seed)
    for _ in range(36):
        m.step()
    return float(m.citizens.trust.mean())


def test_tokenism_lowers_trust_through_the_broken_promise_not_a_lever():
    promised = {"participation": {"timing": "early", "rung": "co_design"}}
    kept = promised | {"administration": {"council_compromise": 1.0}}
    broken = promised | {"administration": {"council_compromise": 0.0}}
    for seed in (1, 2):
        # same responsiveness; only what becomes of the proposals differs
        assert _trust_after(broken, seed) < _trust_after({}, seed) < _trust_after(kept, seed)


def _projects_carrying_on(agency_eur: float, office_eur: float, n: int = 400) -> float:
    sc = Scenario.model_validate(
        {
            "run": {"citizens": 300, "months": 1, "burn_in_months": 0},
            "levers": {
                "infrastructure": {
                    "volunteer_agency_eur": agency_eur,
                    "participation_office_eur": office_eur,
                }
            },
        }
    )
    model = CoProductionModel(sc, rng=4)
    proc = _process(Rung.co_design)
    proc.topic = Challenge.loneliness  # a neighbourhood initiative, not a cooperative
    for _ in range(n):
        model._start_project(proc, 2.0)
    model.month += Processes().project_months
    model._close_projects()
    ends = model.org_table.ends[-n:]
    return float(np.mean(ends == model.org_table.NO_END))


def test_projects_carry_on_after_their_funding_more_often_with_support():
    q = Processes()
    none = _projects_carrying_on(0.0, 0.0)
    assert abs(none - q.project_continuation) <= 4 * np.sqrt(0.35 * 0.65 / 400)
    full = _projects_carrying_on(50_000_000.0, 50_000_000.0)  # saturated: support about 1
    expected = q.project_continuation + q.support_continuation
    assert abs(full - expected) <= 4 * np.sqrt(expected * (1 - expected) / 400)
