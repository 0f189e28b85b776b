"""Leadership style: annual praise versus everyday cooperation.

ODD section 7.7 ("leadership"). The seed article contrasts a leadership that praises
volunteers once a year (the volunteering day, 5 December) with one that seeks cooperation in
everyday work. Here:

* *annual praise* sets volunteers' recognition to a peak in the volunteering-day month, which
  then fades by ``recognition_decay`` a month;
* *everyday cooperation* keeps recognition at a steady level, makes the administration more
  responsive and lets its competence for cooperation grow month by month.

Recognition lowers volunteers' energy drain and their exit hazard (:mod:`.exhaustion`).

References
----------
Schöffmann, D. (2025): praise on the annual volunteering day versus cooperation in everyday work.
Studer & von Schnurbein (2013): recognition and coordination drive retention.
"""

from __future__ import annotations

from model.simulation.scenario import Behaviour, Governance, LeadershipStyle


def recognition(
    style: LeadershipStyle, month_of_year: int, day_month: int, previous: float, p: Behaviour
) -> float:
    """Volunteers' felt recognition this month, in [0, 1]."""
    if style == LeadershipStyle.everyday_cooperation:
        return p.recognition_everyday
    if month_of_year == day_month:
        return p.recognition_praise
    return previous * (1.0 - p.recognition_decay)


def visible_responsiveness(
    base: float, style: LeadershipStyle, office: float, g: Governance
) -> float:
    """Responsiveness citizens can see: raised by everyday cooperation and the office."""
    gap = 1.0 - base
    r = base + gap * g.office_responsiveness * office
    if style == LeadershipStyle.everyday_cooperation:
        r += gap * g.everyday_responsiveness
    return min(1.0, r)


def grow_competence(
    competence: float, style: LeadershipStyle, training: float, coproduced: int, g: Governance
) -> float:
    """Next month's competence for cooperation: training, everyday practice, experience.

    ``coproduced`` counts processes at co-design or co-decide concluded this month: doing it
    teaches it.
    """
    gain = g.training_competence * training + g.coproduction_competence * coproduced
    if style == LeadershipStyle.everyday_cooperation:
        gain += g.everyday_competence
    c = competence + gain * (1.0 - competence) - g.competence_decay * competence
    return min(1.0, max(0.0, c))
