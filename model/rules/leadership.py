"""Leadership style: annual praise versus everyday cooperation.

ODD submodel 7 ("Leadership style"). The seed article contrasts a leadership that praises
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

from model.simulation.scenario import Behaviour, LeadershipStyle

#: How much everyday cooperation closes the gap to full responsiveness.
EVERYDAY_RESPONSIVENESS = 0.25
#: Monthly competence growth from everyday cooperation (share of the remaining gap).
EVERYDAY_COMPETENCE = 0.01
#: Monthly competence growth at a fully funded training programme.
TRAINING_COMPETENCE = 0.02
#: Monthly loss of competence (staff turnover, ~12% a year). Chosen so that the status-quo
#: training budget (50,000 EUR) holds competence at its initial 0.4: the baseline is stationary.
COMPETENCE_DECAY = 0.011


def recognition(
    style: LeadershipStyle, month_of_year: int, day_month: int, previous: float, p: Behaviour
) -> float:
    """Volunteers' felt recognition this month, in [0, 1]."""
    if style == LeadershipStyle.everyday_cooperation:
        return p.recognition_everyday
    if month_of_year == day_month:
        return p.recognition_praise
    return previous * (1.0 - p.recognition_decay)


def visible_responsiveness(base: float, style: LeadershipStyle, office: float) -> float:
    """Responsiveness citizens can see: raised by everyday cooperation and the office."""
    gap = 1.0 - base
    r = base + gap * 0.2 * office
    if style == LeadershipStyle.everyday_cooperation:
        r += gap * EVERYDAY_RESPONSIVENESS
    return min(1.0, r)


def grow_competence(
    competence: float, style: LeadershipStyle, training: float, coproduced: int
) -> float:
    """Next month's competence for cooperation: training, everyday practice, experience.

    ``coproduced`` counts processes at co-design or co-decide concluded this month: doing it
    teaches it.
    """
    gain = TRAINING_COMPETENCE * training + 0.01 * coproduced
    if style == LeadershipStyle.everyday_cooperation:
        gain += EVERYDAY_COMPETENCE
    c = competence + gain * (1.0 - competence) - COMPETENCE_DECAY * competence
    return min(1.0, max(0.0, c))
