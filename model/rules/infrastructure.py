"""Support infrastructure: volunteer agencies, participation office, outreach, training.

ODD section 7.6 ("infrastructure"). Budgets in euros per year become effects through
saturating curves (per 1,000 residents, see :func:`model.rules._math.saturation`):

* volunteer agencies (*Freiwilligenagenturen*) match open citizens to places (``matching``),
  help organisations with volunteer management (``management``) and lower the load on
  volunteers (``load_relief``);
* the cooperative participation office (*Beteiligungsbüro*) broadens who takes part and makes
  the administration's answers visible (``office``);
* outreach staff ask silent groups in person (``outreach_contacts`` per month, in agents);
* training raises the administration's competence for cooperation (``training``).

References
----------
bagfa (2022). Freiwilligenagenturen in Deutschland. Median budget ~50,000 EUR a year.
Studer, S. & von Schnurbein, G. (2013). Organizational factors affecting volunteers: a
literature review on volunteer coordination. Voluntas 24.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.rules._math import saturation
from model.simulation.scenario import Behaviour, Infrastructure, Support


@dataclass(frozen=True)
class SupportEffects:
    matching: float
    ask_reach: float
    management: float
    load_relief: float
    office: float
    training: float
    outreach_contacts: float
    monthly_cost_eur: float


def support_effects(
    budgets: Infrastructure, support: Support, behaviour: Behaviour, population: int, agents: int
) -> SupportEffects:
    """Translate this year's budgets into this month's effects."""
    agency = saturation(budgets.volunteer_agency_eur, population, support.agency_half_eur)
    office = saturation(budgets.participation_office_eur, population, support.office_half_eur)
    training = saturation(budgets.admin_training_eur, population, support.training_half_eur)
    real_contacts = budgets.outreach_eur / 12.0 / behaviour.contact_cost_eur
    total = (
        budgets.volunteer_agency_eur
        + budgets.participation_office_eur
        + budgets.outreach_eur
        + budgets.admin_training_eur
    )
    return SupportEffects(
        matching=agency,
        ask_reach=agency * support.agency_ask_boost,
        management=agency,
        load_relief=agency * support.agency_load_relief + office * support.office_load_relief,
        office=office,
        training=training,
        outreach_contacts=real_contacts * agents / population,
        monthly_cost_eur=total / 12.0,
    )
