"""Being asked: organisations, engaged neighbours and outreach staff ask citizens to help.

ODD section 7.2 ("recruitment"). Being asked is the strongest situational predictor of
starting to volunteer; about half of engaged Germans started because they were asked. Each
month a non-engaged citizen is asked

* by each engaged tie with probability ``ask_per_engaged_tie`` (so asks travel along the
  homophilous network and reach the already advantaged more often);
* by organisations with a free place, whose volunteers send ``org_asks_per_member`` asks
  a month each (more with a volunteer agency's reach, ``support.agency_ask_boost``), spread
  over citizens in proportion to their visibility; silent groups are reached with weight
  ``silent_reach`` only. Asks follow the organisations' members, not the number of their
  open places, so the supply of places does not decide how many are asked;
* in person by outreach staff, who contact silent citizens only.

The chance of being asked by ties and organisations is the mechanism's hook
(:func:`chance_asked`, :mod:`model.rules.hooks`): a variant that changes only who is asked
overrides it in a few lines.

References
----------
Freeman, R. B. (1997). Working for nothing: the supply of volunteer labor. J. Labor Econ. 15.
Smith, D. H. (1994). Determinants of voluntary association participation. NVSQ 23.
Simonson, J., Kelle, N. et al. (2022). Freiwilliges Engagement in Deutschland (FWS 2019).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.rules._jit import ENGAGED, OPEN, kernel, stream_of, uniform
from model.rules.hooks import declare, no_formula
from model.rules.registry import variant
from model.simulation.citizens import Population
from model.simulation.scenario import Behaviour


def _with_chance_asked(formula):
    """The ``network`` rule with ``formula`` as the chance of being asked (a variant's hook)."""

    def rule(pop, adj, recruiting_members, agency_reach, outreach_contacts, p, rng):
        engaged_ties, per_visibility, reach = _ties_and_reach(
            pop, adj, recruiting_members, agency_reach, outreach_contacts, p
        )
        chance = formula(pop, p, engaged_ties, per_visibility)
        _ask(
            pop.state,
            pop.silent,
            pop.migration,
            engaged_ties,
            stream_of(rng),
            no_formula(),
            per_visibility,
            p.silent_reach,
            p.ask_migration,
            reach,
            pop.asked,
            pop.asked_in_person,
            chance,
        )
        return engaged_ties

    return rule


@declare(
    "recruitment",
    returns="each citizen's monthly chance to be asked by ties or organisations",
    build=_with_chance_asked,
)
def chance_asked(pop: Population, p: Behaviour, engaged_ties: np.ndarray, per_visibility: float):
    """Monthly chance that each citizen is asked to help (the hook of the recruitment rule,
    ODD 7.2): by each of their ``engaged_ties`` with ``ask_per_engaged_tie``, and by
    organisations with ``per_visibility`` per unit of visibility (the silent and those with a
    migration background are less visible: ``silent_reach``, ``ask_migration``). Outreach
    staff's personal contacts of silent citizens come first and are not part of it; the
    engaged and the exhausted are never asked. The compiled rule computes the same formula.
    """
    from_ties = 1.0 - np.exp(-p.ask_per_engaged_tie * engaged_ties)
    visibility = np.where(pop.silent, p.silent_reach, 1.0) * np.where(
        pop.migration, p.ask_migration, 1.0
    )
    from_orgs = np.minimum(1.0, visibility * per_visibility)
    return 1.0 - (1.0 - from_ties) * (1.0 - from_orgs)


@variant("recruitment", "network", default=True)
def ask_to_join(
    pop: Population,
    adj: sp.csr_array,
    recruiting_members: float,
    agency_reach: float,
    outreach_contacts: float,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Volunteers ask along their ties, organisations ask whom they see, and outreach staff
    ask silent citizens in person (sets ``pop.asked`` and ``pop.asked_in_person``).

    Returns each citizen's number of engaged ties, which the joining rule reuses.
    """
    engaged_ties, per_visibility, reach = _ties_and_reach(
        pop, adj, recruiting_members, agency_reach, outreach_contacts, p
    )
    # chance of being asked by k engaged ties, for every k a citizen can have
    by_ties = 1.0 - np.exp(-p.ask_per_engaged_tie * np.arange(int(engaged_ties.max(initial=0)) + 1))
    _ask(
        pop.state,
        pop.silent,
        pop.migration,
        engaged_ties,
        stream_of(rng),
        by_ties,
        per_visibility,
        p.silent_reach,
        p.ask_migration,
        reach,
        pop.asked,
        pop.asked_in_person,
        no_formula(),
    )
    return engaged_ties


@variant("recruitment", "random_asking")
def ask_at_random(
    pop: Population,
    adj: sp.csr_array,
    recruiting_members: float,
    agency_reach: float,
    outreach_contacts: float,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Asks without the network: the same expected number of asks from volunteers as the
    ``network`` rule, spread evenly over all candidates (well-mixed recruitment, as in
    mean-field models). Organisations and outreach ask as in the default.

    Comparing it with ``network`` shows how much of the social gradient comes from asks
    travelling along homophilous ties (Smith 1994; McPherson et al. 2001).
    Returns each citizen's number of engaged ties, as the default does.
    """
    engaged_ties, per_visibility, reach = _ties_and_reach(
        pop, adj, recruiting_members, agency_reach, outreach_contacts, p
    )
    candidates = pop.state <= OPEN
    by_ties = 1.0 - np.exp(-p.ask_per_engaged_tie * engaged_ties[candidates].astype(np.float64))
    mean_from_ties = float(by_ties.mean()) if by_ties.size else 0.0
    _ask(
        pop.state,
        pop.silent,
        pop.migration,
        np.zeros(pop.n, dtype=np.float32),  # everyone looks up entry 0: the mean
        stream_of(rng),
        np.array([mean_from_ties]),
        per_visibility,
        p.silent_reach,
        p.ask_migration,
        reach,
        pop.asked,
        pop.asked_in_person,
        no_formula(),
    )
    return engaged_ties


def _ties_and_reach(
    pop: Population,
    adj: sp.csr_array,
    recruiting_members: float,
    agency_reach: float,
    outreach_contacts: float,
    p: Behaviour,
) -> tuple[np.ndarray, float, float]:
    """What every recruitment rule needs: each citizen's number of engaged ties; the chance
    an organisation asks per unit of visibility (asks spread over the candidates, the silent
    and those with a migration background less visible); and the chance outreach staff reach
    a silent candidate in person."""
    engaged_ties = np.empty(pop.n, dtype=np.float32)
    total_visibility, n_silent = _count_ties_and_candidates(
        adj.indptr,
        adj.indices,
        pop.state,
        pop.silent,
        pop.migration,
        p.silent_reach,
        p.ask_migration,
        engaged_ties,
    )
    asks = p.org_asks_per_member * max(recruiting_members, 0.0) * (1.0 + agency_reach)
    per_visibility = asks / total_visibility if total_visibility else 0.0
    reach = min(1.0, outreach_contacts / n_silent) if outreach_contacts > 0 and n_silent else 0.0
    return engaged_ties, per_visibility, reach


@kernel
def _count_ties_and_candidates(
    indptr, indices, state, silent, migration, silent_reach, ask_migration, engaged_ties
):
    """Each citizen's number of engaged ties (each volunteer counts toward all their ties;
    the network is symmetric); returns the total visibility of the citizens who can be asked
    (not engaged, not exhausted) and the number of the silent among them."""
    engaged_ties[:] = 0.0
    visibility = 0.0
    n_silent = 0
    for i in range(state.size):
        if state[i] == ENGAGED:
            for k in range(indptr[i], indptr[i + 1]):
                engaged_ties[indices[k]] += 1.0
        elif state[i] <= OPEN:
            visibility += _visibility(silent[i], migration[i], silent_reach, ask_migration)
            n_silent += silent[i]
    return visibility, n_silent


@kernel
def _visibility(silent, migration, silent_reach, ask_migration):
    """How visible a candidate is to organisations that ask: the silent groups less
    (``silent_reach``), those with a migration background less (``ask_migration``)."""
    return (silent_reach if silent else 1.0) * (ask_migration if migration else 1.0)


@kernel
def _ask(
    state,
    silent,
    migration,
    engaged_ties,
    stream,
    by_ties,
    per_visibility,
    silent_reach,
    ask_migration,
    reach,
    asked,
    in_person,
    given_chance,
):
    own_formula = given_chance.size == 0  # else a variant's hook computed the chance
    for i in range(state.size):
        if state[i] > OPEN:  # engaged or exhausted: nobody asks
            asked[i] = in_person[i] = False
            continue
        # outreach staff contact silent citizens in person
        person = silent[i] and reach > 0.0 and uniform(stream) < reach
        if not person:
            if own_formula:
                from_ties = by_ties[int(engaged_ties[i])]
                visibility = _visibility(silent[i], migration[i], silent_reach, ask_migration)
                from_orgs = min(1.0, visibility * per_visibility)
                chance = 1.0 - (1.0 - from_ties) * (1.0 - from_orgs)
            else:
                chance = given_chance[i]
            asked[i] = chance > 0.0 and uniform(stream) < chance
        else:
            asked[i] = True
        in_person[i] = person
