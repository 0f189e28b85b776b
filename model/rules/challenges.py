"""Challenge outcomes: what co-produced hours do for the city's five challenges.

ODD section 7.9 ("challenges"). Each volunteer's weekly hours go to the focus
challenge of their organisation. Hours per resident and month, weighted by *project
success* (``success_floor + (1 − success_floor) × administrative competence``: friction —
delays, paperwork — lowers what an incompetent administration lets volunteers achieve), move
the indicators:

* ``climate_progress`` — share of the way to climate neutrality (target 1.0 by 2035-12):
  a policy trend plus co-produced climate hours;
* ``services_coverage`` and ``public_places_quality`` — erode or wear every month, restored
  by co-produced hours;
* ``lonely_share`` — an engaged citizen's loneliness falls (engagement protects); hours in
  loneliness projects relieve lonely citizens; everyone drifts back toward their baseline;
* ``democracy_satisfaction`` — expected share of citizens satisfied with local democracy:
  each is satisfied with ``logistic((score - satisfaction_threshold) / satisfaction_spread)``,
  the score being weighted trust and efficacy (computed from the citizens' columns;
  democracy hours raise trust a little).

The magnitudes are illustrative (see ``Challenges`` in docs/ODD.md), not calibrated.

References
----------
Kommunen innovativ (BMBF) findings, summarised in the seed article.
Einsamkeitsbarometer 2024 (BMFSFJ): engagement and loneliness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.rules._jit import ENGAGED, kernel, stream_of, uniform
from model.simulation.citizens import Population
from model.simulation.scenario import CHALLENGES, WEEKS_PER_MONTH, Challenge, Challenges


@dataclass
class CityState:
    climate_progress: float
    services_coverage: float
    public_places_quality: float

    @classmethod
    def initial(cls, c: Challenges) -> CityState:
        return cls(c.climate_start, c.services_start, c.places_start)


def hours_by_focus(
    pop: Population, focus_by_org: np.ndarray, residents_per_agent: float, population: int
) -> np.ndarray:
    """Co-produced hours per resident this month, by challenge."""
    hours = _hours_by_focus(
        pop.state, pop.organisation, pop.hours, np.asarray(focus_by_org), len(CHALLENGES)
    )
    return hours * WEEKS_PER_MONTH * residents_per_agent / population


@kernel
def _hours_by_focus(state, organisation, hours, focus_by_org, n_focus):
    out = np.zeros(n_focus)
    for i in range(state.size):
        if state[i] == ENGAGED:
            out[focus_by_org[organisation[i]]] += hours[i]
    return out


def advance_challenges(
    city: CityState,
    pop: Population,
    hours: np.ndarray,
    success: float,
    baseline_loneliness: np.ndarray,
    c: Challenges,
    rng: np.random.Generator,
) -> None:
    """Move the five challenge indicators by one month."""
    eff = c.effect_per_hour * success * hours
    i = {ch: k for k, ch in enumerate(CHALLENGES)}
    city.climate_progress = min(
        1.0,
        city.climate_progress + c.climate_trend + eff[i["climate"]] * (1 - city.climate_progress),
    )
    city.services_coverage = _unit(
        city.services_coverage
        - c.services_erosion
        + eff[i["services"]] * (1 - city.services_coverage)
    )
    city.public_places_quality = _unit(
        city.public_places_quality
        - c.places_wear
        + eff[i["public_places"]] * (1 - city.public_places_quality)
    )
    _loneliness_and_trust(
        pop.loneliness,
        baseline_loneliness,
        pop.state,
        stream_of(rng),
        c.loneliness_drift,
        c.loneliness_relief,
        min(1.0, eff[i["loneliness"]] * c.loneliness_visit_reach),
        pop.trust,
        c.democracy_trust_gain * eff[i["democracy"]],
        c.lonely_threshold,
        c.loneliness_visit_relief,
    )


def adopt_proposals(city: CityState, topic: Challenge, influence: float, effect: float) -> None:
    """The council adopted a process's proposals: the administration's measures close
    ``effect × influence`` of the remaining gap of the process's challenge (climate,
    services, public places; loneliness and democracy have no city-level stock here)."""
    step = effect * influence
    if topic == Challenge.climate:
        city.climate_progress = _unit(city.climate_progress + step * (1 - city.climate_progress))
    elif topic == Challenge.services:
        city.services_coverage = _unit(city.services_coverage + step * (1 - city.services_coverage))
    elif topic == Challenge.public_places:
        city.public_places_quality = _unit(
            city.public_places_quality + step * (1 - city.public_places_quality)
        )


def _unit(x: float) -> float:
    """``x`` clipped to [0, 1], as a Python float."""
    return min(1.0, max(0.0, float(x)))


@kernel
def _loneliness_and_trust(
    lon, baseline, state, stream, drift, relief, visit_chance, trust, gain, lonely, visit_relief
):
    for i in range(lon.size):
        # loneliness drifts to one's baseline; one's own engagement relieves it
        x = lon[i] + drift * (baseline[i] - lon[i])
        if state[i] == ENGAGED:
            x -= relief
        # loneliness projects visit lonely citizens
        if x > lonely and visit_chance > 0.0 and uniform(stream) < visit_chance:
            x -= visit_relief
        lon[i] = min(max(x, 0.0), 1.0)
        # democracy projects: a small trust gain for everyone
        trust[i] += gain * (1.0 - trust[i])


def democracy_satisfaction(pop: Population, c: Challenges) -> float:
    """Expected share of citizens satisfied with how democracy works locally."""
    w = c.satisfaction_trust_weight
    score = w * pop.trust.astype(np.float64) + (1.0 - w) * pop.efficacy
    return float(np.mean(satisfied(score, c.satisfaction_threshold, c.satisfaction_spread)))


def satisfied(score, threshold: float, spread: float):
    """Chance that a citizen with ``score`` is satisfied: a logistic step of width ``spread``
    around ``threshold`` (a sharp cut-off for ``spread`` 0)."""
    if spread <= 0:
        return (np.asarray(score) > threshold).astype(np.float64)
    return 1.0 / (1.0 + np.exp(-(np.asarray(score) - threshold) / spread))


def lonely_share(pop: Population, c: Challenges) -> float:
    return float(np.mean(pop.loneliness > c.lonely_threshold))
