"""Informal help: neighbourly help outside any organisation.

ODD section 7.12 ("informal"). Not all engagement needs a place in an
organisation: about a third of Germans help neighbours at least once a month
(Freizeitmonitor 2019), and the Freiwilligensurvey counts such informal support beside
formal engagement (Vogel & Tesch-Römer 2017). Here help needs no place and no organisation:
each month a citizen who does not yet help starts with a logistic chance that rises with the
share of their ties who already help (neighbourly help spreads along ties) and with their
ownership of the neighbourhood's measures; helpers stop with ``help_stop`` a month. Helpers
ease the loneliness of the people they are tied to (:func:`ease_loneliness`).

References
----------
Vogel, C. & Tesch-Römer, C. (2017). Informelle Unterstützung außerhalb des Engagements:
Instrumentelle Hilfen, Kinderbetreuung und Pflege im sozialen Nahraum. In Simonson, Vogel &
Tesch-Römer (eds.), Freiwilliges Engagement in Deutschland (FWS 2014). Springer VS.
Stiftung für Zukunftsfragen (2019). Freizeitmonitor 2019 (n = 2,200, age 14+).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from model.rules._jit import kernel, stream_of, uniform
from model.rules.registry import variant
from model.simulation.citizens import Population
from model.simulation.network import share_from_counts
from model.simulation.scenario import InformalHelp


@variant("informal_help", "neighbourly", default=True)
def help_neighbours(
    pop: Population,
    adj: sp.csr_array,
    deg: np.ndarray,
    p: InformalHelp,
    rng: np.random.Generator,
) -> np.ndarray:
    """Update ``pop.helping`` for this month; returns each citizen's share of helping ties."""
    share = share_from_counts(_helping_ties(adj.indptr, adj.indices, pop.helping), deg)
    _start_or_stop(
        pop.helping,
        share,
        pop.ownership,
        stream_of(rng),
        p.help_base,
        p.help_social,
        p.help_ownership,
        p.help_stop,
    )
    return share


@kernel
def _helping_ties(indptr, indices, helping):
    """Number of each citizen's ties who help neighbours (one pass over the ties)."""
    counts = np.zeros(indptr.size - 1, dtype=np.float32)
    for i in range(counts.size):
        k = 0
        for j in range(indptr[i], indptr[i + 1]):
            k += helping[indices[j]]
        counts[i] = k
    return counts


@kernel
def _start_or_stop(helping, tie_share, ownership, stream, base, w_social, w_ownership, stop):
    for i in range(helping.size):
        if helping[i]:
            if uniform(stream) < stop:
                helping[i] = False
        else:
            x = base + w_social * tie_share[i] + w_ownership * ownership[i]
            if uniform(stream) < 1.0 / (1.0 + math.exp(-x)):
                helping[i] = True


def ease_loneliness(pop: Population, helping_tie_share: np.ndarray, p: InformalHelp) -> None:
    """Citizens whose ties help neighbours are less lonely: loneliness falls by
    ``help_relief`` times the share of helping ties, each month (the drift back to one's
    baseline, :mod:`.challenges`, pulls the other way)."""
    _ease(pop.loneliness, np.asarray(helping_tie_share, dtype=np.float32), p.help_relief)


@kernel
def _ease(loneliness, tie_share, relief):
    for i in range(loneliness.size):
        loneliness[i] *= 1.0 - relief * tie_share[i]
