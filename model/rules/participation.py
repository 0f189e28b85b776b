"""Participation processes: who takes part, in which format, and what comes of it.

ODD section 7.1 ("participation"). The administration opens decisions on the
challenges. Each process has a *rung* (Arnstein's ladder: inform, consult, co-design,
co-decide), a *timing* (early, while goals and measures are open; late, after the decision)
and one or more *formats*:

* **open consultation** — self-selected: the chance to take part rises with interest in the
  topic and with education, and silent groups take part less (socially skewed); this chance
  is the mechanism's hook (:func:`consultation_chance`, :mod:`model.rules.hooks`);
* **broad actor forum** — a forum of ``forum_size`` residents (about 150: Bonn4Future):
  organisations send their engaged members; a participation office widens it beyond the
  usual expert bubble to open citizens;
* **citizens' assembly** (*Bürgerrat*) — invitation letters by lot; a low and socially skewed
  response (~4% registered in Bürgerrat Klima 2021), raised for silent groups by outreach;
  seats are drawn from the respondents stratified by education.

**Real scale.** Each agent stands for ``population / N`` residents, so a forum of 150 residents
is 0.3 agents in a run of 2,000: the number of agents who take part is drawn so that its
expectation is the number of residents divided by the residents per agent
(:func:`whole_agents`). Over many processes and seeds the residents involved, and what they do
to the city, do not depend on ``N``; at the full city one agent is one person.

When a process ends the council adopts its proposals or not, and participants see a
*visible influence* ``v`` (0..1): rung × timing × adoption (1, or ``rejected_trace``
when rejected) × (``influence_floor`` + (1 − ``influence_floor``) × visible responsiveness).
Their *expectation* ``e`` is what the rung promised. The numbers are the scenario's
``[processes]`` and ``[support]`` tables (docs/ODD.md, Appendix A). :mod:`.ownership` and
:mod:`.trust` turn ``v`` and ``e`` into ownership, disappointment, trust and efficacy. An
adopted measure that citizens co-designed early becomes a project with volunteer places
(:func:`implementation_places`): early participation creates roles for carrying it out,
for ``processes.project_months`` (three years), after which the project closes.

References
----------
Arnstein, S. R. (1969). A ladder of citizen participation. JAIP 35(4).
Bürgerrat Klima (2021). Abschlussbericht; response figures from the organisers.
Smith, G. (2009). Democratic Innovations. Cambridge UP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.rules._jit import ENGAGED, OPEN, kernel, skip_to_next, stream_of, uniform
from model.rules.hooks import declare
from model.rules.registry import variant
from model.simulation.citizens import Population
from model.simulation.scenario import (
    CHALLENGES,
    Behaviour,
    Challenge,
    Format,
    Processes,
    Rung,
    Support,
    Timing,
)


@dataclass
class Process:
    """One participation process on one decision."""

    topic: Challenge
    formats: list[Format]
    rung: Rung
    timing: Timing
    outreach: bool
    start: int
    end: int
    #: influence the rung promises participants (``processes.rung_influence``)
    promised: float
    label: str = ""
    #: what the process costs in all (EUR, the real city's), spread over its months
    cost_eur: float = 0.0
    #: agents seated in its citizens' assembly, drawn in a forum (once each)
    seated: int = 0
    forum_drawn: bool = False
    participants: np.ndarray | None = None
    invited: int = 0
    responded: int = 0
    invited_low: int = 0
    responded_low: int = 0
    outcome: dict = field(default_factory=dict)


@variant("participation", "formats", default=True)
def draw_participants(
    proc: Process,
    pop: Population,
    office: float,
    s: Support,
    rng: np.random.Generator,
    silent_reach: float = Behaviour.model_fields["silent_reach"].default,
) -> None:
    """Add this month's participants of ``proc`` to its ``participants`` mask."""
    _draw(proc, pop, office, s, rng, silent_reach, None)


def _with_consultation_chance(formula):
    """The ``formats`` rule with ``formula`` as the chance of answering an open consultation
    (a variant's hook): each citizen takes part with their chance, drawn one by one."""

    def rule(proc, pop, office, s, rng, silent_reach=draw_participants.__defaults__[0]):
        _draw(proc, pop, office, s, rng, silent_reach, formula)

    return rule


@declare(
    "participation",
    returns="each citizen's monthly chance to answer an open consultation",
    build=_with_consultation_chance,
)
def consultation_chance(pop: Population, s: Support, topic: int, reach: float) -> np.ndarray:
    """Monthly chance that each citizen takes part in an open consultation (the hook of the
    participation rule, ODD 7.1): ``consultation_rate`` times the citizen's interest in the
    ``topic`` (0..4, the order of the challenges) times the selection by education
    (``education_selection``); silent citizens take part with ``reach`` of that (their
    ``silent_reach``, raised by a participation office and outreach). The compiled rule
    computes the same formula, drawing only the few who take part
    (:func:`_open_consultation`)."""
    # the compiled rule's precision: interest in double, the selection weights in single
    selection = np.asarray(s.education_selection, dtype=np.float32)[pop.education]
    chance = s.consultation_rate * pop.interest[:, topic].astype(np.float64) * selection
    return np.where(pop.silent, chance * reach, chance)


def _draw(proc, pop, office, s, rng, silent_reach, formula) -> None:
    if proc.participants is None:
        proc.participants = np.zeros(pop.n, dtype=bool)
    topic = CHALLENGES.index(proc.topic)
    selection = np.asarray(s.education_selection, dtype=np.float32)
    for fmt in proc.formats:
        if fmt == Format.open_consultation:
            # silent groups answer open calls less; the office and outreach close part of it
            gap = 1.0 - silent_reach
            reach = silent_reach + gap * (
                s.office_silent_reach * office + s.outreach_silent_reach * proc.outreach
            )
            if formula is not None:
                chance = formula(pop, s, topic, reach)
                # the same draws as the compiled rule when the formula is the default's
                p_max = max(min(1.0, s.consultation_rate * float(selection.max())), chance.max())
                _consultation_given(proc.participants, chance, stream_of(rng), min(p_max, 1.0))
                continue
            _open_consultation(
                proc.participants,
                pop.silent,
                pop.interest,
                pop.education,
                selection,
                topic,
                stream_of(rng),
                s.consultation_rate,
                reach,
            )
        elif fmt == Format.actor_forum and not proc.forum_drawn:
            _actor_forum(proc, pop, s.office_forum_open * office, rng)
        elif fmt == Format.citizens_assembly and proc.invited == 0:
            _citizens_assembly(proc, pop, topic, s, rng)


def whole_agents(expected: float, rng: np.random.Generator) -> int:
    """A whole number of agents whose expectation is ``expected`` (which may be below one):
    the integer part, plus one more with the probability of the fraction."""
    whole = math.floor(expected)
    return whole + int(rng.random() < expected - whole)


@kernel
def _open_consultation(
    participants, silent, interest, education, selection, topic, stream, rate, silent_reach
):
    """Self-selection into an open call: interest in the topic, education, and less for
    the silent groups. Chances are small (about 1% a month), so only the citizens picked by
    :func:`~model.rules._jit.skip_to_next` at the highest possible chance are looked at."""
    p_max = min(1.0, rate * selection.max())  # interest and reach are at most 1
    log_q = math.log1p(-p_max) if p_max < 1.0 else -np.inf
    i = skip_to_next(stream, -1, log_q)
    while i < participants.size:
        reach = silent_reach if silent[i] else 1.0
        chance = rate * interest[i, topic] * selection[education[i]] * reach
        if uniform(stream) * p_max < chance:
            participants[i] = True
        i = skip_to_next(stream, i, log_q)


@kernel
def _consultation_given(participants, chance, stream, p_max):
    """:func:`_open_consultation` with each citizen's chance given (a variant's hook): the
    same skipping at ``p_max`` and the same acceptance draw, so the default formula given as
    a hook draws exactly the same participants."""
    if p_max <= 0.0:
        return
    log_q = math.log1p(-p_max) if p_max < 1.0 else -np.inf
    i = skip_to_next(stream, -1, log_q)
    while i < participants.size:
        if uniform(stream) * p_max < chance[i]:
            participants[i] = True
        i = skip_to_next(stream, i, log_q)


def _actor_forum(
    proc: Process, pop: Population, open_weight: float, rng: np.random.Generator
) -> None:
    """Seat the forum once: ``proc.outcome["forum_seats"]`` agents (residents / residents per
    agent), drawn among the engaged (organisations send members) and, with weight
    ``open_weight`` each, among open citizens (an office widens the forum)."""
    proc.forum_drawn = True
    weight = (pop.state == ENGAGED).astype(float)
    weight[pop.state == OPEN] = open_weight
    candidates = np.flatnonzero(weight > 0)
    n = min(candidates.size, whole_agents(proc.outcome.get("forum_seats", 0.0), rng))
    if n:
        w = weight[candidates]
        proc.participants[rng.choice(candidates, size=n, replace=False, p=w / w.sum())] = True


def _citizens_assembly(
    proc: Process, pop: Population, topic: int, s: Support, rng: np.random.Generator
) -> None:
    """Invite by lot, record responses, seat members stratified by education.

    The response funnel is measured on at least ``s.min_invited_agents`` invited agents, so
    that small runs report response rates; members are seated at the real scale
    (``assembly_size`` residents / residents per agent, :func:`whole_agents`)."""
    n_invited = min(pop.n, max(s.min_invited_agents, round(proc.outcome.get("invitations", 0))))
    invited = rng.choice(pop.n, size=n_invited, replace=False)
    chance = (
        s.assembly_response
        * (pop.interest[invited, topic] / s.assembly_reference_interest)
        * np.asarray(s.education_selection)[pop.education[invited]]
    )
    if proc.outreach:
        chance = np.where(pop.silent[invited], chance * s.assembly_outreach_boost, chance)
    responded = invited[rng.random(n_invited) < np.minimum(chance, 1.0)]
    low = pop.education[invited] == 0
    proc.invited, proc.responded = n_invited, responded.size
    proc.invited_low = int(low.sum())
    proc.responded_low = int((pop.education[responded] == 0).sum())
    n_seats = min(responded.size, whole_agents(proc.outcome.get("seats", 0.0), rng))
    if n_seats:
        # stratify: weight respondents inversely to their tier's share among respondents
        tiers = pop.education[responded]
        tier_count = np.bincount(tiers, minlength=3).astype(float)
        weight = 1.0 / tier_count[tiers]
        seats = rng.choice(responded, size=n_seats, replace=False, p=weight / weight.sum())
        proc.participants[seats] = True
        proc.seated = n_seats


def implementation_places(proc: Process, participants: int, q: Processes) -> float:
    """Volunteer places an adopted, early, co-designed measure opens for carrying it out.

    Measures that citizens shaped early come with roles for citizens (Kommunen innovativ:
    neighbourhood projects, cooperatives): ``q.places_per_participant`` places per participant
    who is not yet engaged. Late or rejected or merely consultative processes open none.
    """
    if not proc.outcome.get("adopted") or proc.timing != Timing.early:
        return 0.0
    if proc.rung not in (Rung.co_design, Rung.co_decide):
        return 0.0
    return q.places_per_participant * participants


def felt_influence(influence: float, expectation: float, broken_promise: float) -> float:
    """What a process is worth to those who took part in it or hear of it: the influence seen,
    less ``broken_promise`` times the promise it fell short of (tokenism lowers trust)."""
    return influence - broken_promise * max(0.0, expectation - influence)


def usual_felt_influence(
    rung: Rung,
    timing: Timing,
    council_compromise: float,
    responsiveness: float,
    q: Processes,
    broken_promise: float,
) -> float:
    """The felt influence residents are used to: the expected :func:`felt_influence` of a
    process of the status quo (its rung, timing, council and responsiveness), over adoption
    and rejection as in :func:`conclude`."""
    promised = q.rung_influence[rung]
    binding = promised if timing == Timing.early else 0.0
    p_adopt = min(1.0, council_compromise * (1.0 + q.early_adoption_boost * binding))
    scale = promised * (1.0 if timing == Timing.early else q.late_influence)
    seen = q.influence_floor + (1.0 - q.influence_floor) * responsiveness
    adopted = felt_influence(scale * seen, promised, broken_promise)
    rejected = felt_influence(scale * q.rejected_trace * seen, promised, broken_promise)
    return p_adopt * adopted + (1.0 - p_adopt) * rejected


def conclude(
    proc: Process,
    responsiveness: float,
    council_compromise: float,
    q: Processes,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """The council decides; returns (visible influence ``v``, expectation ``e``)."""
    promised = proc.promised
    # proposals shaped early at a high rung are easier to adopt
    binding = promised if proc.timing == Timing.early else 0.0
    p_adopt = min(1.0, council_compromise * (1.0 + q.early_adoption_boost * binding))
    adopted = bool(rng.random() < p_adopt)
    # a rejected proposal still leaves the traces participants put into the measure
    shaped = 1.0 if adopted else q.rejected_trace
    timing = 1.0 if proc.timing == Timing.early else q.late_influence
    seen = q.influence_floor + (1.0 - q.influence_floor) * responsiveness
    v = promised * timing * shaped * seen
    proc.outcome.update(adopted=adopted, influence=v, expectation=promised)
    return v, promised
