"""Efficacy and trust feedback.

ODD section 7.5 ("trust"). Trust in the administration moves toward what
citizens observe: participants toward the visible influence of their process, everyone
slowly toward their own disposition shifted by ``trust_responsiveness_weight`` × (visible
responsiveness − ``reference_responsiveness``, today's). Efficacy moves toward one's own
success: participants toward their influence, volunteers toward their projects' success
(which administrative friction lowers), and everyone's drifts back toward their
disposition. Every rate is a ``[behaviour]`` parameter. Updates are asymmetric: a
disappointment moves trust ``negativity_bias`` times as far as an equal reward.

References
----------
Baumeister, R. F. et al. (2001). Bad is stronger than good. Rev. Gen. Psychology 5(4).
Tyler (2006); Christensen et al. (2020), see :mod:`.ownership`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from model.rules._jit import ENGAGED, kernel
from model.rules.registry import variant
from model.simulation.citizens import Population
from model.simulation.scenario import Behaviour


class Concluded(NamedTuple):
    """What a process concluded this month tells residents (one per process)."""

    participants: np.ndarray  # mask of those who took part
    influence: float  # felt influence: visible influence less the broken promise
    news: float  # felt influence less the usual one of today's processes
    heard: float  # share of residents who hear of it x how strongly that counts


def _toward(x: np.ndarray, target, rate: float, bias: float) -> np.ndarray:
    step = (target - x) * np.float32(rate)
    return x + np.where(step < 0, step * np.float32(bias), step).astype(np.float32)


@variant("trust", "negativity_bias", default=True)
def update_trust(
    pop: Population,
    processes: list[Concluded],
    visible_responsiveness: float,
    success: float,
    p: Behaviour,
) -> None:
    """The month's trust and efficacy updates, negativity-biased: participants of each
    concluded process learn from it (:func:`learn_from_process`), then everyone's everyday
    feedback (:func:`everyday_feedback`), then residents who hear what became of each process
    (:func:`hear_of_process`). A disappointment moves trust ``negativity_bias`` times as far
    as an equal reward (Baumeister et al. 2001)."""
    for c in processes:
        learn_from_process(pop, c.participants, c.influence, p)
    everyday_feedback(pop, visible_responsiveness, success, p)
    for c in processes:
        hear_of_process(pop, c.participants, c.news, c.heard, p)


@variant("trust", "symmetric")
def update_trust_symmetrically(
    pop: Population,
    processes: list[Concluded],
    visible_responsiveness: float,
    success: float,
    p: Behaviour,
) -> None:
    """Symmetric updating, the alternative the literature tests negativity bias against:
    gains and losses of trust move it equally far (``negativity_bias`` taken as 1), so
    tokenism costs no more trust than kept promises earn."""
    update_trust(
        pop,
        processes,
        visible_responsiveness,
        success,
        p.model_copy(update={"negativity_bias": 1.0}),
    )


def learn_from_process(
    pop: Population, participants: np.ndarray, influence: float, p: Behaviour
) -> None:
    """Participants update trust and efficacy toward the influence they saw (net of a
    broken promise: ``influence`` may be negative)."""
    t = np.float32(min(1.0, max(0.0, p.process_trust_base + influence)))
    pop.trust[participants] = np.clip(
        _toward(pop.trust[participants], t, p.trust_rate, p.negativity_bias), 0, 1
    )
    pop.efficacy[participants] = np.clip(
        _toward(pop.efficacy[participants], t, p.trust_rate, p.negativity_bias), 0, 1
    )


def hear_of_process(
    pop: Population, participants: np.ndarray, news: float, weight: float, p: Behaviour
) -> None:
    """Residents who hear what became of a process (not its participants) compare it with
    what processes usually give in their city: ``news`` is its felt influence minus the usual
    one (:func:`~model.rules.participation.usual_felt_influence`), so the status quo's own
    processes leave trust where it formed. Trust moves ``trust_rate × weight`` of the way
    toward the citizen's disposition shifted by ``news`` (a fall ``negativity_bias`` times as
    far), ``weight`` being the share who hear times how strongly hearing counts; applied to
    everyone in expectation, so it does not depend on the number of agents. An honoured
    process raises trust, a broken promise lowers it (mini-public spill-over: Germann et al.
    2024). The target is the disposition shifted, not the current trust shifted, so that a
    run of good news settles where one piece of it points instead of adding up without
    bound; and news only moves trust its own way (bad news never lifts a trust that is
    already below where it points)."""
    if weight <= 0.0 or news == 0.0:
        return
    others = ~participants
    x = pop.trust[others]
    # news moves trust only its own way: bad news never lifts a trust that is already lower
    shifted = pop.trust_disposition[others] + np.float32(news)
    target = np.clip(np.minimum(x, shifted) if news < 0 else np.maximum(x, shifted), 0, 1)
    pop.trust[others] = np.clip(_toward(x, target, p.trust_rate * weight, p.negativity_bias), 0, 1)


def everyday_feedback(
    pop: Population, visible_responsiveness: float, success: float, p: Behaviour
) -> None:
    """Everyone's trust drifts toward their disposition shifted by how much more (or less)
    responsive the administration is than today; efficacy drifts back toward its disposition,
    and volunteers' efficacy is pulled toward the success of their projects."""
    _everyday_feedback(
        pop.trust,
        pop.efficacy,
        pop.trust_disposition,
        pop.efficacy_disposition,
        pop.state,
        p.trust_responsiveness_weight * (visible_responsiveness - p.reference_responsiveness),
        success,
        p.negativity_bias,
        p.everyday_trust_rate,
        p.project_efficacy_rate,
    )


@kernel
def _toward_one(x, target, rate, bias):
    """One step of ``x`` toward ``target``; a step down is ``bias`` times as long."""
    step = (target - x) * rate
    return x + (step * bias if step < 0 else step)


@kernel
def _everyday_feedback(
    trust, efficacy, trust_disp, efficacy_disp, state, shift, success, bias, rate, project_rate
):
    for i in range(trust.size):
        target = min(max(trust_disp[i] + shift, 0.0), 1.0)
        trust[i] = min(max(_toward_one(trust[i], target, rate, bias), 0.0), 1.0)
        e = _toward_one(efficacy[i], efficacy_disp[i], rate, 1.0)
        if state[i] == ENGAGED:
            e = min(max(_toward_one(e, success, project_rate, bias), 0.0), 1.0)
        efficacy[i] = e
