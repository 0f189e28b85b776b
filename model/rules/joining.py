"""Joining: becoming willing (open) and taking up a volunteer place (engaged).

ODD submodel 3 ("Joining decision"), after the civic voluntarism model: people engage when
they *can* (resources: time, education as skills), *want to* (engagement: interest,
efficacy, ownership, no disappointment) and *are asked* (recruitment networks), with social
influence from the share of engaged ties (threshold models of collective behaviour).

Two steps each month, both logistic in their predictors:

1. :func:`become_open` — inactive citizens become willing (``open``); being asked makes an
   inactive citizen open with probability ``asked_opens`` (more for silent groups asked in
   person); open citizens lose the willingness with ``open_lapse`` (faster when disappointed).
2. :func:`join` — open citizens join an organisation with a free place. Unasked joiners
   profit from a volunteer agency's matching. Places are limited: when more want to join than
   there are places, the asked go first.

References
----------
Verba, S., Schlozman, K. L. & Brady, H. E. (1995). Voice and Equality. Harvard UP.
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
"""

from __future__ import annotations

import numpy as np

from model.citizens import Population, State
from model.config import Behaviour
from model.rules._math import logistic


def become_open(pop: Population, p: Behaviour, rng: np.random.Generator) -> None:
    """Inactive citizens may become open; open citizens may lapse back to inactive."""
    u = rng.random(pop.n, dtype=np.float32)
    # chances are computed only for the citizens they concern (speed; same values)
    inactive = np.flatnonzero(pop.state == State.INACTIVE)
    x = (
        p.open_base
        + p.open_interest * pop.interest[inactive].mean(axis=1)
        + p.open_ownership * pop.ownership[inactive]
        - p.open_disappointment * pop.disappointment[inactive]
    )
    spontaneous = logistic(x)
    asked = pop.asked[inactive]
    by_ask = (
        np.where(
            pop.asked_in_person[inactive],
            min(1.0, p.asked_opens * p.silent_asked_response),
            p.asked_opens,
        ).astype(np.float32)
        * asked
    )
    chance_open = 1.0 - (1.0 - spontaneous) * (1.0 - by_ask)
    is_open = np.flatnonzero(pop.state == State.OPEN)
    chance_lapse = (
        np.float32(p.open_lapse) * (1.0 + 2.0 * pop.disappointment[is_open]) * ~pop.asked[is_open]
    )
    opens = inactive[u[inactive] < chance_open]
    lapses = is_open[u[is_open] < chance_lapse]
    pop.state[opens] = State.OPEN
    pop.state[lapses] = State.INACTIVE


def join_propensity(
    pop: Population,
    engaged_tie_share: np.ndarray,
    matching: float,
    p: Behaviour,
    ids: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly probability that each citizen (or each of ``ids``), if open, takes up a place."""
    sel = slice(None) if ids is None else ids
    asked = pop.asked[sel]
    x = (
        p.join_base
        + np.asarray(p.join_education, dtype=np.float32)[pop.education[sel]]
        + np.asarray(p.join_age, dtype=np.float32)[pop.age_group[sel]]
        + p.join_time * pop.time[sel]
        + p.join_efficacy * pop.efficacy[sel]
        + p.join_asked * asked
        + p.join_ownership * pop.ownership[sel]
        + p.join_social * engaged_tie_share[sel]
        + (p.join_matching * matching) * ~asked
    )
    return logistic(x)


def join(
    pop: Population,
    engaged_tie_share: np.ndarray,
    matching: float,
    free_places: np.ndarray,
    step: int,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Open citizens take up free places. Returns the ids of the new volunteers.

    ``free_places`` holds the free places per organisation (agents) and is reduced in place.
    """
    u = rng.random(pop.n, dtype=np.float32)
    is_open = np.flatnonzero(pop.state == State.OPEN)
    ids = is_open[u[is_open] < join_propensity(pop, engaged_tie_share, matching, p, is_open)]
    slots = np.repeat(np.arange(free_places.size), np.maximum(free_places, 0).astype(np.int64))
    if ids.size > slots.size:  # not enough places: the asked first, then by lot
        priority = rng.random(ids.size) - pop.asked[ids]
        ids = ids[np.argsort(priority, kind="stable")[: slots.size]]
    if ids.size == 0:
        return ids
    chosen = rng.choice(slots, size=ids.size, replace=False)
    np.subtract.at(free_places, chosen, 1)
    pop.state[ids] = State.ENGAGED
    pop.organisation[ids] = chosen
    pop.hours[ids] = weekly_hours(pop.time[ids], rng)
    pop.entered_asked[ids] = pop.asked[ids]
    pop.entry_step[ids] = step
    return ids


def weekly_hours(time: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Weekly hours of new volunteers: log-normal, scaled by disposable time.

    Median 2 hours at average time, spread 1.0 (log scale): at entry ~59% give up to 2 hours
    a week, ~26% 3-5 hours, ~15% 6 hours or more, as in the FWS 2019 distribution among the
    engaged (~60% / ~24% / ~16%).
    """
    h = np.exp(rng.normal(np.log(2.0) + np.log(time / 0.5), 1.0))
    return np.clip(h, 0.25, 40.0).astype(np.float32)
