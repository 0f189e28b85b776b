"""Every shipped scenario shows the answer to its own question on the workshop page (issue 18):
with its own reference as the faint line, the two runs are different scenarios, the page says
how large the difference is over paired runs with other seeds and whether it is more than
chance, and where the question expects a difference it is there, in the expected direction.

What "expected" means is written down per scenario below, with the reason, from the
scenario's question and design (not from its results). Engagement differences of about one
percentage point are within chance at the page's 2,000 simulated residents and the
ensemble's 12 seed pairs; trust in the administration, through which every scenario's
mechanism passes (Germann et al. 2024; Christensen et al. 2020), moves with much less noise.
So a difference counts as shown where it is beyond chance in the scenario's answer indicator
or in trust, in the expected direction.
"""

from __future__ import annotations

import pytest

from model.interface.app import ensemble
from model.interface.app.i18n import t
from model.interface.app.session import Simulation, available_scenarios
from model.interface.app.views import answer_indicator, scenario_title, uncertainty_text
from model.simulation.scenario.files import load_scenario

#: the direction each scenario is built to move its answer, against its reference, and why;
#: None: the question asks whether anything changes and does not presuppose it
EXPECTED = {
    "austerity": (-1, "support cut: fewer agencies, no office, no outreach"),
    "early_participation": (+1, "early co-design raises efficacy, ownership and trust"),
    "everyday_cooperation": (+1, "everyday cooperation raises recognition and trust"),
    "infrastructure": (+1, "funded agencies, office and outreach lower the barriers"),
    "responsibility_community": (+1, "all levers pulled together"),
    "tokenism": (-1, "broken promises disappoint participants and those who hear of them"),
    "climate_assembly": (None, "59 seats in a city of a million: a city-wide change is open"),
}
CITIZENS = 2000


def _scenarios_with_reference() -> list[str]:
    return [n for n in available_scenarios() if load_scenario(n).reference]


def test_every_scenario_with_a_reference_has_a_written_expectation():
    assert set(_scenarios_with_reference()) <= set(EXPECTED)


@pytest.mark.parametrize("name", [n for n in EXPECTED if n in available_scenarios()])
def test_the_scenario_shows_the_answer_to_its_question(name):
    scenario = load_scenario(name)
    reference = scenario.reference
    assert reference and reference != name
    # the page with the scenario's own reference: two different runs, not one run twice
    sim = Simulation(scenario_name=name, citizens=CITIZENS, seed=42)
    sim.set_reference(reference)
    while sim.step(12):
        pass
    live, ref = sim.frames()
    assert not live.drop(columns="date").equals(ref.drop(columns="date"))
    assert sim.baseline.config.name == reference
    # over paired runs with other seeds: the answer, in words, with its verdict
    ens = ensemble.compute(ensemble.key_of(sim))
    month = sim.live.months_done - 1
    column = answer_indicator(sim)
    answer = ens.difference(column, month)
    text = uncertainty_text(sim, ens, "de")
    assert scenario_title(name, "de") in text and scenario_title(reference, "de") in text
    verdict = "beyond_chance" if answer.beyond_chance else "within_chance"
    assert t(verdict, "de") in text
    direction, why = EXPECTED[name]
    if direction is None:
        return
    shown = [ens.difference(c, month) for c in dict.fromkeys([column, "trust_mean"])]
    assert any(d.beyond_chance and d.mean * direction > 0 for d in shown), (
        f"{name} against {reference} ({why}): "
        + "; ".join(f"{d.mean:+.4f} [{d.low:+.4f}, {d.high:+.4f}]" for d in shown)
    )
