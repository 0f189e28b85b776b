"""Exhaustion and exit: energy, burnout, recovery and exit for life reasons.

ODD section 7.8 ("exhaustion"). A volunteer's energy falls with load (weekly hours
relative to disposable time), less so with good volunteer management in their organisation,
an agency's load relief and recognition; it recovers toward 1 at ``energy_recovery`` of the
deficit a month. Below ``exhaustion_threshold`` a volunteer burns out (``exhausted``) and
leaves the place; exhausted citizens recover ``exhausted_recovery`` times as fast and become
open again above ``recovered_energy``. Independently, volunteers exit for life reasons (job,
family, moving) with ``exit_life`` a month, which nothing in the city changes, and by choice
with ``exit_voluntary`` a month, less when recognised (``recognition_exit``) and with
ownership of a measure they helped shape (``ownership_exit``); disappointment adds
``exit_disappointment`` per unit (also lowered by ownership). Every number is a
``[behaviour]`` parameter (docs/ODD.md, Appendix A).

The exit hazard is the mechanism's hook (:func:`exit_hazard`, :mod:`model.rules.hooks`): a
variant that changes only why volunteers quit overrides it in a few lines, as
``managed_retention`` does.

References
----------
Allen, J. A. & Mueller, S. L. (2013). The revolving door: a closer look at
major factors in volunteers' intention to quit. J. Community Psychology 41(2).
Cuskelly, G., Taylor, T., Hoye, R. & Darcy, S. (2006). Volunteer management practices and
volunteer retention: a human resource management approach. Sport Management Review 9(2).
Studer & von Schnurbein (2013), see :mod:`.infrastructure`.
"""

from __future__ import annotations

import numpy as np

from model.rules._jit import ENGAGED, EXHAUSTED, INACTIVE, OPEN, kernel, stream_of, uniform
from model.rules.hooks import declare, no_formula
from model.rules.registry import param, variant
from model.simulation.citizens import Population
from model.simulation.scenario import Behaviour


@kernel
def _exit_hazard(
    exit_life, exit_voluntary, exit_disappointment, disappointment, ownership, ownership_exit
):
    """Monthly chance that a volunteer quits: life reasons are beyond the city's reach;
    quitting by choice is not, and ownership of a measure one helped shape keeps people
    carrying it (shared by both exhaustion rules)."""
    return exit_life + (exit_voluntary + exit_disappointment * disappointment) * (
        1.0 - ownership_exit * ownership
    )


def _with_exit_hazard(formula):
    """The ``energy`` rule with ``formula`` as its exit hazard (a variant's hook)."""

    def rule(pop, management_by_org, load_relief, recognition, p, rng):
        organisation = pop.organisation
        management = np.where(
            organisation >= 0,
            np.asarray(management_by_org, dtype=np.float64)[np.maximum(organisation, 0)],
            0.0,
        )
        hazard = formula(pop, p, recognition, management)
        return _spend(pop, management_by_org, load_relief, recognition, p, rng, hazard)

    return rule


@declare(
    "exhaustion",
    returns="each citizen's monthly chance to quit if volunteering (and not burnt out)",
    build=_with_exit_hazard,
)
def exit_hazard(pop: Population, p: Behaviour, recognition: float, management: np.ndarray):
    """Monthly chance that a volunteer quits (the hook of the exhaustion rule, ODD 7.8).

    Life reasons (``exit_life``: job, family, moving) are beyond the city's reach; quitting
    by choice (``exit_voluntary``, lowered by recognition, raised by disappointment) is not,
    and ownership of a measure one helped shape keeps people carrying it (``ownership_exit``).
    ``recognition`` is the city's (0..1); ``management`` the quality of volunteer management
    in each citizen's organisation (0 outside one), unused here. The compiled rules compute
    the same formula (:func:`_exit_hazard`).
    """
    by_choice = (
        p.exit_voluntary * (1 - p.recognition_exit * recognition)
        + p.exit_disappointment * pop.disappointment
    )
    return p.exit_life + by_choice * (1 - p.ownership_exit * pop.ownership)


@variant(
    "exhaustion",
    "managed_retention",
    hook="exit_hazard",
    params={
        "management_retention": param(
            0.3,
            unit="share of the voluntary exit hazard removed at management quality 1",
            range=(0.0, 0.6),
            source="assumption: Cuskelly et al. (2006) find fewer retention problems where "
            "clubs plan and support volunteers, without an effect size; 0.6 bounds it below "
            "the whole voluntary hazard",
        )
    },
    de="Gutes Freiwilligenmanagement hält Engagierte: sie hören seltener aus eigenem "
    "Entschluss auf.",
)
def managed_exit_hazard(pop, p, recognition, management):
    """Good volunteer management keeps volunteers: the exit hazard by choice falls by
    ``management_retention`` times the management quality of their organisation (Cuskelly,
    Taylor, Hoye & Darcy 2006), on top of the energy budget that management already eases."""
    life = p.exit_life
    return life + (exit_hazard(pop, p, recognition, management) - life) * (
        1 - p.management_retention * management
    )


@variant("exhaustion", "energy", default=True)
def spend_energy_and_exit(
    pop: Population,
    management_by_org: np.ndarray,
    load_relief: float,
    recognition: float,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """Volunteers spend energy on their hours and regain it at rest; below a threshold they
    burn out, and others quit with the exit hazard (:func:`exit_hazard`). Returns a mask of
    the volunteers who left this month."""
    return _spend(pop, management_by_org, load_relief, recognition, p, rng, None)


def _spend(pop, management_by_org, load_relief, recognition, p, rng, hazard) -> np.ndarray:
    left = np.empty(pop.n, dtype=bool)
    _spend_energy_and_exit(
        pop.state,
        pop.energy,
        pop.hours,
        pop.time,
        pop.organisation,
        pop.ownership,
        pop.disappointment,
        np.asarray(management_by_org, dtype=np.float32),
        stream_of(rng),
        p.energy_load
        * (1 - p.load_relief_drain * load_relief)
        * (1 - p.recognition_drain * recognition),
        p.energy_recovery,
        p.exhaustion_threshold,
        p.exit_life,
        p.exit_voluntary * (1 - p.recognition_exit * recognition),
        p.exit_disappointment,
        left,
        p.ownership_exit,
        p.load_hours_base,
        p.load_hours_per_time,
        p.management_drain,
        p.exhausted_recovery,
        p.recovered_energy,
        no_formula() if hazard is None else hazard,
    )
    return left


@kernel
def _spend_energy_and_exit(
    state,
    energy,
    hours,
    time,
    organisation,
    ownership,
    disappointment,
    management,
    stream,
    load_rate,
    recovery_rate,
    threshold,
    exit_life,
    exit_voluntary,
    exit_disappointment,
    left,
    ownership_exit,
    load_base,
    load_per_time,
    management_drain,
    exhausted_recovery,
    recovered,
    given_hazard,
):
    own_formula = given_hazard.size == 0  # else a variant's hook computed the exit hazard
    for i in range(state.size):
        engaged = state[i] == ENGAGED
        exhausted = state[i] == EXHAUSTED
        drain = 0.0
        if engaged:
            # load: weekly hours against disposable time; good management softens it
            load = hours[i] / (load_base + load_per_time * time[i])
            relief = 1.0 - management_drain * management[max(organisation[i], 0)]
            drain = load_rate * load * relief
        # the exhausted recover faster (they are out)
        recovery = recovery_rate * (exhausted_recovery if exhausted else 1.0) * (1.0 - energy[i])
        e = min(max(energy[i] + recovery - drain, 0.0), 1.0)
        energy[i] = e
        left[i] = False
        if engaged:
            if e < threshold:
                state[i] = EXHAUSTED
                left[i] = True
            else:
                hazard = (
                    _exit_hazard(
                        exit_life,
                        exit_voluntary,
                        exit_disappointment,
                        disappointment[i],
                        ownership[i],
                        ownership_exit,
                    )
                    if own_formula
                    else given_hazard[i]
                )
                if uniform(stream) < hazard:
                    state[i] = INACTIVE
                    left[i] = True
            if left[i]:
                hours[i] = 0.0
                organisation[i] = -1
        elif exhausted and e > recovered:
            state[i] = OPEN


@variant("exhaustion", "constant_hazard")
def burn_out_at_constant_hazard(
    pop: Population,
    management_by_org: np.ndarray,
    load_relief: float,
    recognition: float,
    p: Behaviour,
    rng: np.random.Generator,
) -> np.ndarray:
    """The textbook alternative to an energy budget: volunteers burn out with a constant
    ``burnout_hazard`` a month, whatever their hours, management or recognition, and the
    exhausted recover with ``recovery_hazard`` a month. Exits for life reasons and by choice
    are as in the default rule. Energy is left as it is.

    Comparing it with ``energy`` shows how much of the effect of volunteer management, load
    relief and recognition runs through exhaustion.
    """
    left = np.empty(pop.n, dtype=bool)
    _constant_hazard(
        pop.state,
        pop.hours,
        pop.organisation,
        pop.ownership,
        pop.disappointment,
        stream_of(rng),
        p.burnout_hazard,
        p.recovery_hazard,
        p.exit_life,
        p.exit_voluntary * (1 - p.recognition_exit * recognition),
        p.exit_disappointment,
        left,
        p.ownership_exit,
    )
    return left


@kernel
def _constant_hazard(
    state,
    hours,
    organisation,
    ownership,
    disappointment,
    stream,
    burnout,
    recovery,
    exit_life,
    exit_voluntary,
    exit_disappointment,
    left,
    ownership_exit,
):
    for i in range(state.size):
        left[i] = False
        if state[i] == ENGAGED:
            if uniform(stream) < burnout:
                state[i] = EXHAUSTED
                left[i] = True
            else:
                hazard = _exit_hazard(
                    exit_life,
                    exit_voluntary,
                    exit_disappointment,
                    disappointment[i],
                    ownership[i],
                    ownership_exit,
                )
                if uniform(stream) < hazard:
                    state[i] = INACTIVE
                    left[i] = True
            if left[i]:
                hours[i] = 0.0
                organisation[i] = -1
        elif state[i] == EXHAUSTED and uniform(stream) < recovery:
            state[i] = OPEN
