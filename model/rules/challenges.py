"""Challenge outcomes: what co-produced hours do for the city's five challenges.

ODD submodel 9 ("Challenge outcomes"). Each volunteer's weekly hours go to the focus
challenge of their organisation. Hours per resident and month, weighted by *project
success* (``0.5 + 0.5 × administrative competence``: friction — delays, paperwork — halves
what an incompetent administration lets volunteers achieve), move the indicators:

* ``climate_progress`` — share of the way to climate neutrality (target 1.0 by 2035-12):
  a policy trend plus co-produced climate hours;
* ``services_coverage`` and ``public_places_quality`` — erode or wear every month, restored
  by co-produced hours;
* ``lonely_share`` — an engaged citizen's loneliness falls (engagement protects); hours in
  loneliness projects relieve lonely citizens; everyone drifts back toward their baseline;
* ``democracy_satisfaction`` — share of citizens whose trust and efficacy together exceed
  one half (computed from the citizens' columns; democracy hours raise trust a little).

The magnitudes are illustrative (see ``Challenges`` in docs/ODD.md), not calibrated.

References
----------
Kommunen innovativ (BMBF) findings, summarised in the seed article.
Einsamkeitsbarometer 2024 (BMFSFJ): engagement and loneliness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.citizens import Population
from model.config import CHALLENGES, Challenges

WEEKS_PER_MONTH = 4.35
LONELY = 0.5


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
    eng = pop.engaged
    focus = focus_by_org[pop.organisation[eng]]
    hours = np.bincount(focus, weights=pop.hours[eng], minlength=len(CHALLENGES))
    return hours * WEEKS_PER_MONTH * residents_per_agent / population


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
    city.services_coverage = float(
        np.clip(
            city.services_coverage
            - c.services_erosion
            + eff[i["services"]] * (1 - city.services_coverage),
            0,
            1,
        )
    )
    city.public_places_quality = float(
        np.clip(
            city.public_places_quality
            - c.places_wear
            + eff[i["public_places"]] * (1 - city.public_places_quality),
            0,
            1,
        )
    )
    # loneliness: drift to baseline, relief by own engagement and by loneliness projects
    lon = pop.loneliness
    lon += np.float32(c.loneliness_drift) * (baseline_loneliness - lon)
    lon -= np.float32(c.loneliness_relief) * pop.engaged
    visited = (lon > LONELY) & (
        rng.random(pop.n, dtype=np.float32) < min(1.0, eff[i["loneliness"]] * 10)
    )
    lon[visited] -= np.float32(0.1)
    np.clip(lon, 0, 1, out=lon)
    # democracy projects: a small trust gain for everyone
    pop.trust += np.float32(0.01 * eff[i["democracy"]]) * (1 - pop.trust)


def democracy_satisfaction(pop: Population) -> float:
    """Share of citizens satisfied with how democracy works locally."""
    return float(np.mean(0.7 * pop.trust + 0.3 * pop.efficacy > 0.5))


def lonely_share(pop: Population) -> float:
    return float(np.mean(pop.loneliness > LONELY))
