"""Being asked: organisations, engaged neighbours and outreach staff ask citizens to help.

ODD submodel 2 ("Being asked"). Being asked is the strongest situational predictor of
starting to volunteer; about half of engaged Germans started because they were asked. Each
month a non-engaged citizen is asked

* by each engaged tie with probability ``ask_per_engaged_tie`` (so asks travel along the
  homophilous network and reach the already advantaged more often);
* by organisations, which send ``org_asks_per_place`` asks per free place (more with a
  volunteer agency's reach), spread over citizens in proportion to their visibility; silent
  groups are reached with weight ``silent_reach`` only;
* in person by outreach staff, who contact silent citizens only.

References
----------
Freeman, R. B. (1997). Working for nothing: the supply of volunteer labor. J. Labor Econ. 15.
Smith, D. H. (1994). Determinants of voluntary association participation. NVSQ 23.
Simonson, J., Kelle, N. et al. (2022). Freiwilliges Engagement in Deutschland (FWS 2019).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.citizens import Population, State
from model.config import Behaviour


def ask_to_join(
    pop: Population,
    adj: sp.csr_array,
    free_places: float,
    agency_reach: float,
    outreach_contacts: float,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Set ``pop.asked`` and ``pop.asked_in_person`` for this month.

    Returns each citizen's number of engaged ties, which the joining rule reuses.
    """
    candidates = pop.state <= State.OPEN
    engaged_ties = adj @ pop.engaged.astype(np.float32)
    from_ties = 1.0 - np.exp(-p.ask_per_engaged_tie * engaged_ties, dtype=np.float32)

    visibility = np.where(pop.silent, np.float32(p.silent_reach), np.float32(1.0)) * candidates
    total_visibility = float(visibility.sum())
    asks = p.org_asks_per_place * max(free_places, 0.0) * (1.0 + agency_reach)
    from_orgs = np.minimum(1.0, visibility * (asks / total_visibility)) if total_visibility else 0.0

    asked = candidates & (
        rng.random(pop.n, dtype=np.float32) < 1 - (1 - from_ties) * (1 - from_orgs)
    )
    silent_candidates = candidates & pop.silent
    n_silent = int(silent_candidates.sum())
    if outreach_contacts > 0 and n_silent:
        reach = min(1.0, outreach_contacts / n_silent)
        in_person = silent_candidates & (rng.random(pop.n, dtype=np.float32) < reach)
    else:
        in_person = np.zeros(pop.n, dtype=bool)
    pop.asked = asked | in_person
    pop.asked_in_person = in_person
    return engaged_ties
