"""Joining: becoming willing (open) and taking up a volunteer place (engaged).

ODD section 7.3 ("joining"), after the civic voluntarism model: people engage when
they *can* (resources: time, education as skills), *want to* (engagement: interest,
efficacy, ownership, no disappointment) and *are asked* (recruitment networks), with social
influence from the share of engaged ties (threshold models of collective behaviour).

Two steps each month, both logistic in their predictors:

1. :func:`become_open` — inactive citizens become willing (``open``); being asked makes an
   inactive citizen open with probability ``asked_opens`` (more for silent groups asked in
   person); open citizens lose the willingness with ``open_lapse`` (faster when disappointed).
2. :func:`join` — open citizens join an organisation with a free place, each with the
   chance :func:`propensity` (the mechanism's hook: a variant that changes only who wants
   to join overrides it, :mod:`model.rules.hooks`). Unasked joiners profit from a volunteer
   agency's matching. Places are limited: when more want to join than there are places, the
   asked go first.

References
----------
Verba, S., Schlozman, K. L. & Brady, H. E. (1995). Voice and Equality. Harvard UP.
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
"""

from __future__ import annotations

import math

import numpy as np

from model.rules._jit import INACTIVE, OPEN, kernel, stream_of, uniform
from model.rules.hooks import declare
from model.rules.registry import variant
from model.simulation.citizens import Population, State
from model.simulation.scenario import Behaviour


def become_open(pop: Population, p: Behaviour, rng: np.random.Generator) -> None:
    """Inactive citizens may become open; open citizens may lapse back to inactive."""
    _become_open(
        pop.state,
        pop.mean_interest,
        pop.ownership,
        pop.disappointment,
        pop.asked,
        pop.asked_in_person,
        stream_of(rng),
        p.open_base,
        p.open_interest,
        p.open_ownership,
        p.open_disappointment,
        p.asked_opens,
        min(1.0, p.asked_opens * p.silent_asked_response),
        p.open_lapse,
        p.disappointment_lapse,
    )


@kernel
def _become_open(
    state,
    mean_interest,
    ownership,
    disappointment,
    asked,
    asked_in_person,
    stream,
    base,
    w_interest,
    w_ownership,
    w_disappointment,
    asked_opens,
    asked_in_person_opens,
    lapse,
    lapse_by_disappointment,
):
    for i in range(state.size):
        if state[i] == INACTIVE:
            x = (
                base
                + w_interest * mean_interest[i]
                + w_ownership * ownership[i]
                - w_disappointment * disappointment[i]
            )
            spontaneous = 1.0 / (1.0 + math.exp(-x))
            by_ask = 0.0
            if asked[i]:
                by_ask = asked_in_person_opens if asked_in_person[i] else asked_opens
            if uniform(stream) < 1.0 - (1.0 - spontaneous) * (1.0 - by_ask):
                state[i] = OPEN
        elif state[i] == OPEN and not asked[i]:
            # the willingness lapses, faster after a disappointment; an ask renews it
            if uniform(stream) < lapse * (1.0 + lapse_by_disappointment * disappointment[i]):
                state[i] = INACTIVE


def _with_propensity(formula):
    """The ``logistic`` rule with ``formula`` as its propensity to join (a variant's hook)."""

    def rule(pop, engaged_tie_share, matching, free_places, step, p, rng):
        chance = formula(pop, p, np.asarray(engaged_tie_share, dtype=np.float32), matching)
        ids = _would_join_with(pop.state, stream_of(rng), chance)
        return take_places(pop, ids, free_places, step, p, rng)

    return rule


@declare(
    "joining",
    returns="each citizen's monthly chance to take up a free place if open",
    build=_with_propensity,
)
def propensity(pop: Population, p: Behaviour, engaged_tie_share: np.ndarray, matching: float):
    """Monthly chance that each citizen, if open, takes up a place (the hook of the joining
    rule, ODD 7.3): logistic in resources (education, life stage, migration background,
    time), motivation (efficacy, ownership), social influence (``engaged_tie_share``: the
    share of one's ties who volunteer) and recruitment (being asked; for the unasked, an
    agency's ``matching``). The compiled rule computes the same formula (:func:`_propensity`).
    """
    x = (
        p.join_base
        + np.asarray(p.join_education)[pop.education]
        + np.asarray(p.join_age)[pop.age_group]
        + p.join_migration * pop.migration
        + p.join_time * pop.time
        + p.join_efficacy * pop.efficacy
        + p.join_ownership * pop.ownership
        + p.join_social * engaged_tie_share
        + np.where(pop.asked, p.join_asked, p.join_matching * matching)
    )
    return 1.0 / (1.0 + np.exp(-x))


@kernel
def _would_join_with(state, stream, chance):
    """Ids of the open citizens who take up a place, each with their ``chance``."""
    ids = np.empty(state.size, dtype=np.int64)
    k = 0
    for i in range(state.size):
        if state[i] == OPEN and uniform(stream) < chance[i]:
            ids[k] = i
            k += 1
    return ids[:k]


def join_propensity(
    pop: Population,
    engaged_tie_share: np.ndarray,
    matching: float,
    p: Behaviour,
    ids: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`propensity` of each citizen (or each of ``ids``), compiled: the same numbers,
    fast at a million citizens."""
    if ids is None:
        ids = np.arange(pop.n)
    out = np.empty(ids.size, dtype=np.float32)
    _propensities(
        np.asarray(ids, dtype=np.int64),
        out,
        *_columns(pop, engaged_tie_share),
        *_weights(p, matching),
    )
    return out


def _columns(pop: Population, engaged_tie_share: np.ndarray) -> tuple:
    return (
        pop.education,
        pop.age_group,
        pop.migration,
        pop.time,
        pop.efficacy,
        pop.asked,
        pop.ownership,
        np.asarray(engaged_tie_share, dtype=np.float32),
    )


def _weights(p: Behaviour, matching: float) -> tuple:
    return (
        np.asarray(p.join_education, dtype=np.float64),
        np.asarray(p.join_age, dtype=np.float64),
        p.join_migration,
        p.join_base,
        p.join_time,
        p.join_efficacy,
        p.join_asked,
        p.join_ownership,
        p.join_social,
        p.join_matching * matching,
    )


@kernel
def _propensity(
    i,
    education,
    age_group,
    migration,
    time,
    efficacy,
    asked,
    ownership,
    tie_share,
    w_education,
    w_age,
    w_migration,
    base,
    w_time,
    w_efficacy,
    w_asked,
    w_ownership,
    w_social,
    w_matching,
):
    """Civic voluntarism: resources (education, time, life stage, migration background),
    motivation (efficacy, ownership), social influence (share of engaged ties) and
    recruitment (being asked, or an agency's matching for the unasked), logistic."""
    x = (
        base
        + w_education[education[i]]
        + w_age[age_group[i]]
        + (w_migration if migration[i] else 0.0)
        + w_time * time[i]
        + w_efficacy * efficacy[i]
        + w_ownership * ownership[i]
        + w_social * tie_share[i]
    )
    x += w_asked if asked[i] else w_matching
    return 1.0 / (1.0 + math.exp(-x))


def matched_entries(
    pop: Population, engaged_tie_share: np.ndarray, matching: float, p: Behaviour
) -> float:
    """Expected entries this month that agency matching adds: the sum, over open citizens
    nobody asked, of the chance to join with matching less the chance without (agents)."""
    return _matched_entries(pop.state, *_columns(pop, engaged_tie_share), *_weights(p, matching))


@kernel
def _matched_entries(state, *columns_and_weights):
    asked, w_matching = columns_and_weights[5], columns_and_weights[-1]
    total = 0.0
    if w_matching == 0.0:
        return total
    for i in range(state.size):
        if state[i] == OPEN and not asked[i]:
            with_matching = _propensity(i, *columns_and_weights)
            if not 0.0 < with_matching < 1.0:
                continue  # saturated: matching adds nothing measurable
            # the same log-odds without the matching term
            x = math.log(with_matching / (1.0 - with_matching)) - w_matching
            total += with_matching - 1.0 / (1.0 + math.exp(-x))
    return total


@kernel
def _propensities(ids, out, *columns_and_weights):
    for j in range(ids.size):
        out[j] = _propensity(ids[j], *columns_and_weights)


@kernel
def _would_join(state, stream, *columns_and_weights):
    """Ids of the open citizens who decide to take up a place this month (the columns and
    weights of :func:`_propensity`, in its order)."""
    ids = np.empty(state.size, dtype=np.int64)
    k = 0
    for i in range(state.size):
        if state[i] == OPEN and uniform(stream) < _propensity(i, *columns_and_weights):
            ids[k] = i
            k += 1
    return ids[:k]


@variant("joining", "logistic", default=True)
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

    The default joining rule (civic voluntarism): each open citizen joins with the logistic
    :func:`join_propensity`. ``free_places`` holds the free places per organisation
    (agents) and is reduced in place.
    """
    ids = _would_join(
        pop.state, stream_of(rng), *_columns(pop, engaged_tie_share), *_weights(p, matching)
    )
    return take_places(pop, ids, free_places, step, p, rng)


@variant("joining", "threshold")
def join_by_threshold(
    pop: Population,
    engaged_tie_share: np.ndarray,
    matching: float,
    free_places: np.ndarray,
    step: int,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Threshold contagion (Granovetter 1978): an open citizen joins once the share of their
    ties who volunteer reaches their personal threshold — or, for the asked, a threshold
    lowered by ``threshold_asked_drop`` — acting on it with ``threshold_rate`` a month.

    Personal thresholds are spread uniformly over ``threshold_mean ± threshold_spread / 2``
    and fixed for the run (derived from the citizen's id and the run, so no column is
    needed). Education, time and efficacy play no part: the alternative to civic voluntarism
    is pure social influence, which shows how much of the social gradient the network's
    homophily carries on its own.
    """
    ids = _would_join_by_threshold(
        pop.state,
        pop.asked,
        np.asarray(engaged_tie_share, dtype=np.float32),
        stream_of(rng),
        _threshold_salt(pop),
        p.threshold_mean,
        p.threshold_spread,
        p.threshold_asked_drop,
        p.threshold_rate,
    )
    return take_places(pop, ids, free_places, step, p, rng)


def _threshold_salt(pop: Population) -> int:
    """A per-run number that fixes everybody's personal threshold (from static columns)."""
    return int(pop.n * 2654435761 + int(pop.time[: min(pop.n, 64)].view(np.uint32).sum())) % (2**61)


@kernel
def _personal_threshold_u(i, salt):
    """A fixed uniform number in [0, 1) for citizen ``i`` (splitmix64 of id and salt)."""
    z = np.uint64(i) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
def _would_join_by_threshold(state, asked, tie_share, stream, salt, mean, spread, asked_drop, rate):
    ids = np.empty(state.size, dtype=np.int64)
    k = 0
    for i in range(state.size):
        if state[i] != OPEN:
            continue
        threshold = mean + spread * (_personal_threshold_u(i, salt) - 0.5)
        if asked[i]:
            threshold -= asked_drop
        if tie_share[i] >= threshold and uniform(stream) < rate:
            ids[k] = i
            k += 1
    return ids[:k]


def take_places(
    pop: Population,
    ids: np.ndarray,
    free_places: np.ndarray,
    step: int,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Citizens ``ids`` who decided to join take free places (all joining rules share this).

    Places are limited: when more want to join than there are places, the asked go first,
    then by lot. Each joiner takes a distinct free place drawn at random and a number of
    weekly hours (:func:`weekly_hours`). Returns the ids of the new volunteers.
    """
    if ids.size == 0:
        return ids
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
    pop.hours[ids] = weekly_hours(pop.time[ids], rng, p)
    pop.entered_asked[ids] = pop.asked[ids]
    pop.entry_step[ids] = step
    return ids


def weekly_hours(time: np.ndarray, rng: np.random.Generator, p: Behaviour) -> np.ndarray:
    """Weekly hours of new volunteers: log-normal, scaled by disposable time.

    Median ``p.hours_median`` (2) hours at average disposable time (0.5), spread
    ``p.hours_spread`` (1.0, log scale): at entry ~59% give up to 2 hours a week, ~26% 3-5
    hours, ~15% 6 hours or more, as in the FWS 2019 distribution among the engaged
    (~60% / ~24% / ~16%). Hours are kept between a quarter of an hour and 40 hours a week.
    """
    z = rng.normal(0.0, 1.0, time.size)
    return _hours(time, z, p.hours_median, p.hours_spread)


@kernel
def _hours(time, z, median, spread):
    h = np.empty(time.size, dtype=np.float32)
    for j in range(time.size):
        # time / 0.5: relative to the average disposable time; 0.25 and 40 h: bounds of a week
        h[j] = min(max(median * (time[j] / 0.5) * math.exp(spread * z[j]), 0.25), 40.0)
    return h
