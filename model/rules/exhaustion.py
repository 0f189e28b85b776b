"""Exhaustion and exit: energy, burnout, recovery and exit for life reasons.

ODD submodel 8 ("Exhaustion and exit"). A volunteer's energy falls with load (weekly hours
relative to disposable time), less so with good volunteer management in their organisation,
an agency's load relief and recognition; it recovers toward 1 at ``energy_recovery`` of the
deficit a month. Below ``exhaustion_threshold`` a volunteer burns out (``exhausted``) and
leaves the place; exhausted citizens recover at twice the rate and become open again above
0.7 energy. Independently, volunteers exit for life reasons (job, family, moving) with
``exit_life`` a month, which nothing in the city changes, and by choice with
``exit_voluntary`` a month, less when recognised, up to half less with ownership of a measure
they helped shape; disappointment adds ``exit_disappointment`` per unit (also halved by
ownership).

References
----------
Allen, J. A. & Mueller, S. L. (2013). The revolving door: a closer look at
major factors in volunteers' intention to quit. J. Community Psychology 41(2).
Studer & von Schnurbein (2013), see :mod:`.infrastructure`.
"""

from __future__ import annotations

import numpy as np

from model.citizens import Population, State
from model.config import Behaviour

RECOVERED = 0.7


def spend_energy_and_exit(
    pop: Population,
    management_by_org: np.ndarray,
    load_relief: float,
    recognition: float,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Update energy and states. Returns a mask of volunteers who left this month."""
    eng = pop.engaged
    exhausted = pop.state == State.EXHAUSTED
    management = management_by_org[np.maximum(pop.organisation, 0)]
    load = pop.hours / (2.0 + 10.0 * pop.time)
    drain = (
        np.float32(p.energy_load * (1 - 0.5 * load_relief) * (1 - 0.3 * recognition))
        * load
        * (1.0 - 0.5 * management)
        * eng
    )
    recovery = np.float32(p.energy_recovery) * (1.0 + exhausted) * (1.0 - pop.energy)
    pop.energy += recovery - drain
    np.clip(pop.energy, 0, 1, out=pop.energy)

    burnt_out = eng & (pop.energy < p.exhaustion_threshold)
    # ownership of a measure one helped shape keeps people carrying it (mechanism 4)
    # life reasons are beyond the city's reach; quitting by choice is not
    hazard = np.float32(p.exit_life) + (
        np.float32(p.exit_voluntary * (1 - 0.4 * recognition))
        + np.float32(p.exit_disappointment) * pop.disappointment
    ) * (1.0 - 0.5 * pop.ownership)
    quits = eng & ~burnt_out & (rng.random(pop.n, dtype=np.float32) < hazard)
    left = burnt_out | quits
    pop.state[burnt_out] = State.EXHAUSTED
    pop.state[quits] = State.INACTIVE
    pop.state[exhausted & (pop.energy > RECOVERED)] = State.OPEN
    pop.hours[left] = 0.0
    pop.organisation[left] = -1
    return left
