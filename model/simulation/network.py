"""The citizens' social network: clustered, homophilous, built in O(N k) without layout.

Construction (documented in docs/ODD.md, "Initialisation"):

1. Neighbourhoods: citizens are ordered by education plus wide noise and cut into blocks of
   ``neighbourhood_size``, so neighbourhoods are mildly segregated by education, as cities are.
2. Citizens are ordered by neighbourhood and, within it, by education plus narrow noise, and
   each is tied to their ``k/2`` successors in that order: one ring lattice over the city in
   which almost all ties stay inside a neighbourhood (only the ``k/2`` ends of each block
   cross into the next). This gives the high clustering of real friendship networks and makes
   ties homophilous by education (McPherson et al. 2001).
3. Each tie is rewired to a random citizen of the whole city with probability
   ``network_rewiring`` (Watts & Strogatz 1998): short paths across the city.
4. Socially isolated citizens keep only a fifth of their ties.

All randomness comes from the model's generator, so the network is reproducible by seed
(unlike Mesa's ``virus_on_network`` example, whose generator is not seeded). The result is a
symmetric ``scipy.sparse.csr_array`` of 0/1 weights, used for neighbour aggregates as matrix-vector
products.

References
----------
Watts, D. J. & Strogatz, S. H. (1998). Collective dynamics of 'small-world' networks. Nature.
McPherson, M., Smith-Lovin, L. & Cook, J. M. (2001). Birds of a feather: homophily in social
networks. Annual Review of Sociology 27.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.simulation.citizens import Population
from model.simulation.scenario import City


def build_network(pop: Population, city: City, rng: np.random.Generator) -> sp.csr_array:
    """Assign neighbourhoods to ``pop`` and return its symmetric adjacency matrix."""
    n = pop.n
    edu = pop.education.astype(np.float64)
    # 1. residential sorting: education with wide noise
    by_area = np.argsort(edu + rng.normal(0.0, 1.5, n), kind="stable")
    neighbourhood = np.empty(n, dtype=np.int32)
    neighbourhood[by_area] = np.arange(n, dtype=np.int32) // city.neighbourhood_size
    pop.neighbourhood = neighbourhood
    # 2. within a neighbourhood, order by education with narrow noise: ties are homophilous
    order = np.lexsort((edu + rng.normal(0.0, 0.5, n), neighbourhood))
    half = max(1, city.network_degree // 2)
    src = np.repeat(order, half)
    pos = np.repeat(np.arange(n), half) + np.tile(np.arange(1, half + 1), n)
    dst = order[pos % n]
    # 3. small-world rewiring across the city
    rewire = rng.random(src.size) < city.network_rewiring
    dst = dst.copy()
    dst[rewire] = rng.integers(0, n, int(rewire.sum()))
    # 4. the isolated keep few ties
    lonely_end = pop.isolated[src] | pop.isolated[dst]
    keep = ~lonely_end | (rng.random(src.size) < 0.2)
    keep &= src != dst
    src, dst = src[keep], dst[keep]
    adj = sp.coo_array(
        (np.ones(2 * src.size, dtype=np.float32), (np.r_[src, dst], np.r_[dst, src])),
        shape=(n, n),
    ).tocsr()
    adj.sum_duplicates()
    adj.data[:] = 1.0  # duplicate ties count once
    # 32-bit indices: half the memory traffic of the rules' neighbour loops (n < 2**31)
    adj.indices = adj.indices.astype(np.int32)
    adj.indptr = adj.indptr.astype(np.int32)
    return adj


def degree(adj: sp.csr_array) -> np.ndarray:
    """Number of ties of each citizen."""
    return np.diff(adj.indptr).astype(np.float32)


def share_of_ties(adj: sp.csr_array, mask: np.ndarray, deg: np.ndarray) -> np.ndarray:
    """Share of each citizen's ties for which ``mask`` holds (0 for citizens without ties)."""
    return share_from_counts(adj @ mask.astype(np.float32), deg)


def share_from_counts(counts: np.ndarray, deg: np.ndarray) -> np.ndarray:
    """Counts of ties (e.g. engaged ties) as a share of each citizen's ties."""
    return np.divide(counts, deg, out=np.zeros_like(counts), where=deg > 0)


def to_networkx(adj: sp.csr_array, nodes: np.ndarray | None = None):
    """A networkx graph of the whole network or of the citizens ``nodes`` (for views)."""
    import networkx as nx

    if nodes is not None:
        adj = adj[nodes][:, nodes]
    g = nx.from_scipy_sparse_array(adj)
    if nodes is not None:
        g = nx.relabel_nodes(g, dict(enumerate(nodes.tolist())))
    return g
