"""What the levers cost each month, in euros for the whole city.

Every lever costs money, so that no comparison of policies treats one of them as free: the
budgets of the support infrastructure (agencies, office, outreach, training), participation
processes by format, rung, timing and outreach, the staff of everyday cooperation, and the
annual volunteering day. Prices are the scenario's ``[costs]`` table (docs/ODD.md, 7.1 and
7.7). Costs are for the real city, so they do not depend on the number of agents.

The model also keeps what each lever has cost since the start of the run (:data:`SPENDING`,
indicators of the same names), so that a room can see what its money went to; together they
are ``cost_eur_total``.
"""

from __future__ import annotations

from model.simulation.scenario import Costs, Format, LeadershipStyle, Rung, Timing

#: indicator of the spending on a budget since the start of the run -> the budget of
#: ``levers.infrastructure`` it adds up (a twelfth of the yearly budget each month)
BUDGET_SPENDING = {
    "volunteer_agency_spend_eur": "volunteer_agency_eur",
    "participation_office_spend_eur": "participation_office_eur",
    "outreach_spend_eur": "outreach_eur",
    "admin_training_spend_eur": "admin_training_eur",
}
#: what each lever has cost since the start of the run: the four budgets, the participation
#: processes, the leadership style (liaison staff or the volunteering day); their sum is
#: ``cost_eur_total``
SPENDING = (*BUDGET_SPENDING, "process_cost_eur_total", "leadership_cost_eur_total")


def process_cost(
    formats: list[Format], rung: Rung, timing: Timing, outreach: bool, c: Costs
) -> float:
    """Total cost of one participation process, in euros."""
    price = {
        Format.open_consultation: c.consultation_eur,
        Format.actor_forum: c.forum_eur,
        Format.citizens_assembly: c.assembly_eur,
    }
    total = sum(price[f] for f in dict.fromkeys(formats))
    if rung in (Rung.co_design, Rung.co_decide):
        total *= c.codesign_factor
    if timing == Timing.early:
        total *= c.early_factor
    if outreach:
        total *= c.outreach_factor
    return total


def leadership_cost(
    style: LeadershipStyle, volunteering_day: bool, population: int, c: Costs
) -> float:
    """This month's cost of the leadership style: everyday liaison staff, or the volunteering
    day in its month."""
    if style == LeadershipStyle.everyday_cooperation:
        return c.everyday_fte_per_100k * population / 100_000 * c.staff_eur_per_year / 12
    return c.praise_day_eur if volunteering_day else 0.0
