"""Ownership from early participation, disappointment from token participation.

ODD section 7.4 ("ownership"). Citizens who helped shape a measure are more willing to help
carry it out; so, to a lesser degree, are those who see people like them take part (their
ties: ``spillover``). Participation without visible influence — late consultation, or a high
rung the council then ignores — disappoints by the broken promise ``e - v``. Ownership raises
becoming open and joining; disappointment lowers openness and raises exit
(:mod:`.joining`, :mod:`.exhaustion`). Both fade month by month.

References
----------
Tyler, T. R. (2006). Why People Obey the Law. Princeton UP (procedural fairness).
Christensen, H. S., Himmelroos, S. & Setälä, M. (2020). A matter of life or death: a survey
experiment on the perceived legitimacy of political decision-making procedures.
Parliamentary Affairs 73(3).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.rules._jit import ENGAGED, kernel
from model.rules.registry import variant
from model.simulation.citizens import Population
from model.simulation.scenario import Behaviour


@variant("ownership", "shaping", default=True)
def take_ownership(
    pop: Population,
    participants: np.ndarray,
    influence: float,
    expectation: float,
    adj: sp.csr_array,
    deg: np.ndarray,
    p: Behaviour,
) -> None:
    """Participants (and, weaker, their ties) gain ownership; broken promises disappoint."""
    gain = p.ownership_gain * influence
    _take_ownership(
        adj.indptr, adj.indices, deg, participants, gain, p.spillover * gain, pop.ownership
    )
    broken = max(0.0, expectation - influence)
    if broken > 0:
        hurt = np.float32(p.disappointment_gain * broken)
        pop.disappointment[participants] += hurt * (1.0 - pop.disappointment[participants])


def fade(pop: Population, p: Behaviour, disappointment_decay: float) -> None:
    """Ownership and disappointment fade each month."""
    _fade(pop.ownership, pop.disappointment, 1.0 - p.ownership_decay, 1.0 - disappointment_decay)


@kernel
def _take_ownership(indptr, indices, deg, participants, gain, spillover_gain, ownership):
    """Participants gain ``gain``; everyone else ``spillover_gain`` times the share of their
    ties who took part; ownership saturates at 1."""
    seen = np.zeros(ownership.size, dtype=np.float32)
    for i in range(participants.size):
        if participants[i]:
            for k in range(indptr[i], indptr[i + 1]):
                seen[indices[k]] += 1.0
    for i in range(ownership.size):
        if participants[i]:
            own = gain
        elif seen[i] > 0.0:
            own = spillover_gain * seen[i] / deg[i]
        else:
            continue
        ownership[i] += own * (1.0 - ownership[i])


def hold_shares(pop: Population, cooperative_by_org: np.ndarray, least: float) -> None:
    """Engaged members of a cooperative own a share of it: their ownership does not fall
    below ``least`` (organisations.cooperative_ownership) while they are members."""
    _hold_shares(pop.state, pop.organisation, cooperative_by_org, pop.ownership, least)


@kernel
def _hold_shares(state, organisation, cooperative, ownership, least):
    for i in range(state.size):
        if state[i] == ENGAGED and cooperative[organisation[i]] and ownership[i] < least:
            ownership[i] = least


@kernel
def _fade(ownership, disappointment, keep_ownership, keep_disappointment):
    for i in range(ownership.size):
        ownership[i] *= keep_ownership
        disappointment[i] *= keep_disappointment
