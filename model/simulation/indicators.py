"""Monthly indicators: stable names, each with meaning and unit.

The names are a public interface (the interface, sweeps and analyses read them); add new
ones, never rename. Shares are fractions in [0, 1]. ``observe`` computes them all at once
from the columns after a step; Mesa's ``DataCollector`` then records them through the small
reporter functions built by :func:`reporters`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.rules._jit import ENGAGED, kernel
from model.simulation.citizens import State

if TYPE_CHECKING:
    from model.simulation.model import CoProductionModel

#: name -> (unit, meaning)
INDICATORS: dict[str, tuple[str, str]] = {
    "date": ("YYYY-MM", "Calendar month of the row."),
    "step": ("month", "Months since the start of the run (1 = first month)."),
    "engaged_share": ("fraction", "Share of citizens (14+) engaged in a volunteer place."),
    "engaged_share_edu_low": ("fraction", "Share engaged among citizens with low education."),
    "engaged_share_edu_mid": ("fraction", "Share engaged among citizens with middle education."),
    "engaged_share_edu_high": ("fraction", "Share engaged among citizens with high education."),
    "engaged_share_age_14_29": ("fraction", "Share engaged, age 14-29."),
    "engaged_share_age_30_49": ("fraction", "Share engaged, age 30-49."),
    "engaged_share_age_50_64": ("fraction", "Share engaged, age 50-64."),
    "engaged_share_age_65_74": ("fraction", "Share engaged, age 65-74."),
    "engaged_share_age_75_plus": ("fraction", "Share engaged, age 75 and over."),
    "engaged_share_migration": (
        "fraction",
        "Share engaged among citizens with a migration background.",
    ),
    "engaged_share_silent": (
        "fraction",
        "Share engaged among the silent groups (at least city.silent_min_traits of: low "
        "education, migration background, 75+, isolated).",
    ),
    "open_share": ("fraction", "Share open to engaging among the non-engaged."),
    "asked_entry_share": (
        "fraction",
        "Share of entries in the last 12 months that followed being asked.",
    ),
    "annual_exit_rate": (
        "fraction per year",
        "Exits of volunteers in the last 12 months over the mean number of volunteers.",
    ),
    "hours_share_0_2": ("fraction", "Share of the engaged giving up to 2 hours a week."),
    "hours_share_3_5": ("fraction", "Share of the engaged giving 3-5 hours a week."),
    "hours_share_6_plus": ("fraction", "Share of the engaged giving 6 or more hours a week."),
    "trust_mean": ("0-1 scale", "Mean trust in the administration."),
    "efficacy_mean": ("0-1 scale", "Mean internal political efficacy."),
    "lonely_share": (
        "fraction",
        "Share of citizens who are lonely (loneliness > challenges.lonely_threshold).",
    ),
    "climate_progress": (
        "fraction of the way",
        "Progress toward climate neutrality (1 = neutral; target 2035).",
    ),
    "services_coverage": ("fraction", "Coverage of public services (Daseinsvorsorge)."),
    "public_places_quality": ("0-1 scale", "Quality of public places."),
    "democracy_satisfaction": ("fraction", "Share satisfied with local democracy."),
    "infrastructure_spend_eur": (
        "EUR (cumulative)",
        "Spending on support infrastructure since the start of the run.",
    ),
    "participants_residents": (
        "residents",
        "Residents who took part in a participation process for the first time this month "
        "(agents who joined a process x residents per agent).",
    ),
    "assembly_members_residents": (
        "residents",
        "Members of citizens' assemblies running this month (seated agents x residents per agent).",
    ),
    "cost_eur": (
        "EUR per month",
        "Spent this month on all levers: infrastructure budgets, participation processes, "
        "staff for everyday cooperation, the volunteering day (the real city's euros).",
    ),
    "cost_eur_total": ("EUR (cumulative)", "Spent on all levers since the start of the run."),
    "assembly_response_rate": (
        "fraction",
        "Share of invited who responded to a citizens' "
        "assembly invitation (empty without an assembly).",
    ),
    "assembly_response_rate_edu_low": (
        "fraction",
        "The same among invited with low education (empty without an assembly).",
    ),
    "administration_competence": ("0-1 scale", "The administration's competence for cooperation."),
    "informal_help_share": (
        "fraction",
        "Share of citizens who help neighbours outside any organisation (informal help).",
    ),
    "informal_only_share": (
        "fraction",
        "Share of citizens who help neighbours and hold no volunteer place.",
    ),
    "places_per_volunteer": (
        "places per engaged",
        "Volunteer places of all organisations over the number of engaged citizens.",
    ),
    "agency_placements_residents": (
        "residents per month",
        "Entries this month that the volunteer agencies' matching adds, in expectation, as the "
        "default joining rule computes them (its chance with matching less its chance without, "
        "summed over open citizens nobody asked, x residents per agent).",
    ),
    "volunteer_agency_spend_eur": (
        "EUR (cumulative)",
        "Spent on volunteer agencies since the start of the run (a twelfth of "
        "levers.infrastructure.volunteer_agency_eur each month).",
    ),
    "participation_office_spend_eur": (
        "EUR (cumulative)",
        "Spent on the participation office since the start of the run.",
    ),
    "outreach_spend_eur": (
        "EUR (cumulative)",
        "Spent on outreach staff since the start of the run.",
    ),
    "admin_training_spend_eur": (
        "EUR (cumulative)",
        "Spent on training the administration since the start of the run. The four budgets "
        "add up to infrastructure_spend_eur.",
    ),
    "process_cost_eur_total": (
        "EUR (cumulative)",
        "Spent on participation processes since the start of the run (each process's cost "
        "spread evenly over its months).",
    ),
    "leadership_cost_eur_total": (
        "EUR (cumulative)",
        "Spent on the leadership style since the start of the run: staff for everyday "
        "cooperation, or the volunteering day. With the four budgets and the processes it "
        "adds up to cost_eur_total.",
    ),
}

EDU_NAMES = ("low", "mid", "high")
AGE_NAMES = ("14_29", "30_49", "50_64", "65_74", "75_plus")


def _share(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def observe(m: CoProductionModel) -> dict[str, object]:
    """All indicators for the month just simulated."""
    pop, c = m.citizens, m.config.challenges
    t = _tally(
        pop.state,
        pop.education,
        pop.age_group,
        pop.migration,
        pop.silent,
        pop.hours,
        pop.trust,
        pop.efficacy,
        pop.loneliness,
        c.lonely_threshold,
        c.satisfaction_trust_weight,
        c.satisfaction_threshold,
        c.satisfaction_spread,
    )
    counts, n_eng = t[0:4], t[2]
    out: dict[str, object] = {"date": m.date, "step": m.month + 1}
    out["engaged_share"] = _share(n_eng, pop.n)
    for k, name in enumerate(EDU_NAMES):
        out[f"engaged_share_edu_{name}"] = _share(t[4 + k], m.group_sizes["edu"][k])
    for k, name in enumerate(AGE_NAMES):
        out[f"engaged_share_age_{name}"] = _share(t[7 + k], m.group_sizes["age"][k])
    out["engaged_share_migration"] = _share(t[12], m.group_sizes["migration"])
    out["engaged_share_silent"] = _share(t[13], m.group_sizes["silent"])
    out["open_share"] = _share(counts[State.OPEN], pop.n - n_eng)
    w = m.window
    out["asked_entry_share"] = _share(sum(w["entries_asked"]), sum(w["entries"]))
    mean_engaged = sum(w["engaged"]) / len(w["engaged"]) if w["engaged"] else 0
    out["annual_exit_rate"] = _share(sum(w["exits"]), mean_engaged)
    out["hours_share_0_2"] = _share(t[14], n_eng)
    out["hours_share_3_5"] = _share(t[15], n_eng)
    out["hours_share_6_plus"] = _share(t[16], n_eng)
    out["trust_mean"] = _share(t[17], pop.n)
    out["efficacy_mean"] = _share(t[18], pop.n)
    out["lonely_share"] = _share(t[19], pop.n)
    out["climate_progress"] = m.city.climate_progress
    out["services_coverage"] = m.city.services_coverage
    out["public_places_quality"] = m.city.public_places_quality
    out["democracy_satisfaction"] = _share(t[20], pop.n)
    out["infrastructure_spend_eur"] = m.spend_eur
    out["participants_residents"] = m.participants_this_month * m.residents_per_agent
    out["assembly_members_residents"] = m.assembly_members * m.residents_per_agent
    out["cost_eur"] = m.cost_eur
    out["cost_eur_total"] = m.cost_total_eur
    assembly = m.assembly_this_month
    out["assembly_response_rate"] = (
        _share(assembly.responded, assembly.invited) if assembly else None
    )
    out["assembly_response_rate_edu_low"] = (
        _share(assembly.responded_low, assembly.invited_low) if assembly else None
    )
    out["administration_competence"] = m.administration.competence
    out["informal_help_share"] = _share(np.count_nonzero(pop.helping), pop.n)
    out["informal_only_share"] = _share(
        np.count_nonzero(pop.helping & (pop.state != State.ENGAGED)), pop.n
    )
    out["places_per_volunteer"] = _share(float(np.floor(m.org_table.capacity).sum()), n_eng)
    out["agency_placements_residents"] = m.agency_placements * m.residents_per_agent
    out.update(m.spent)  # what each lever has cost so far (model.simulation.costs.SPENDING)
    return out


@kernel
def _tally(
    state,
    education,
    age_group,
    migration,
    silent,
    hours,
    trust,
    efficacy,
    loneliness,
    lonely_threshold,
    trust_weight,
    satisfied_threshold,
    satisfied_spread,
):
    """Counts and sums behind the citizen indicators, in one pass over the columns:
    [0:4] citizens by state, [4:7] engaged by education, [7:12] engaged by age group,
    [12] engaged with migration background, [13] engaged silent, [14:17] engaged by weekly
    hours (<2.5, 2.5-5.5, >=5.5), [17] sum of trust, [18] sum of efficacy, [19] lonely,
    [20] satisfied with democracy (see :func:`model.rules.challenges.democracy_satisfaction`)."""
    by_state = np.zeros(4)
    by_edu = np.zeros(3)
    by_age = np.zeros(5)
    by_hours = np.zeros(3)
    migration_engaged = silent_engaged = lonely = 0
    trust_sum = efficacy_sum = satisfied = 0.0
    for i in range(state.size):
        by_state[state[i]] += 1
        if state[i] == ENGAGED:
            by_edu[education[i]] += 1
            by_age[age_group[i]] += 1
            migration_engaged += migration[i]
            silent_engaged += silent[i]
            h = hours[i]
            by_hours[0 if h < 2.5 else (1 if h < 5.5 else 2)] += 1
        trust_sum += trust[i]
        efficacy_sum += efficacy[i]
        lonely += loneliness[i] > lonely_threshold
        score = trust_weight * trust[i] + (1.0 - trust_weight) * efficacy[i]
        if satisfied_spread > 0.0:
            satisfied += 1.0 / (1.0 + math.exp(-(score - satisfied_threshold) / satisfied_spread))
        else:
            satisfied += score > satisfied_threshold
    t = np.empty(21)
    t[0:4], t[4:7], t[7:12], t[14:17] = by_state, by_edu, by_age, by_hours
    t[12], t[13], t[17], t[18], t[19], t[20] = (
        migration_engaged,
        silent_engaged,
        trust_sum,
        efficacy_sum,
        lonely,
        satisfied,
    )
    return t


def reporters() -> dict[str, object]:
    """Model reporters for Mesa's DataCollector, one per indicator."""
    return {name: (lambda m, name=name: m.tally[name]) for name in INDICATORS}


class IndicatorCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with one reporter per indicator (:func:`reporters`).

    Every indicator is an immutable number, string or ``None``, computed once a month by
    :func:`observe` into ``model.tally``; ``collect`` appends them as they are, without the
    defensive deep copy Mesa makes of every reported value (30 deep copies a month cost
    more than the rules of a 2,000-citizen city). Everything else — ``model_vars``,
    ``get_model_vars_dataframe`` — is Mesa's.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters=reporters())

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)
        tally = model.tally
        for name, values in self.model_vars.items():
            values.append(tally[name])
