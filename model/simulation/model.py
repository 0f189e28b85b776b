"""The co-production model: one step is one month.

``CoProductionModel.step`` reads as the schedule of ODD section 3 ("Process overview and
scheduling"): timeline, administration and participation, ownership and trust, support and
leadership, organisations, asking, joining, exhaustion and exit, challenge outcomes.
"""

from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from model.rules import (
    challenges,
    informal,
    infrastructure,
    joining,
    leadership,
    ownership,
    participation,
    registry,
    trust,
)
from model.rules._jit import ModelGenerator
from model.simulation import costs
from model.simulation.agents import (
    Administration,
    Organisation,
    OrganisationTable,
    count_members,
)
from model.simulation.citizens import Citizen, Population, State
from model.simulation.indicators import IndicatorCollector, observe
from model.simulation.network import build_network, degree, share_from_counts
from model.simulation.scenario import (
    CHALLENGES,
    Format,
    LeadershipStyle,
    Levers,
    OrganisationKind,
    ProcessSpec,
    Scenario,
    apply_levers,
    month_label,
)

DEFAULT_SEED = 20260101


class CoProductionModel(mesa.Model):
    """City-citizen co-production in a city of ``scenario.city.population`` residents.

    Parameters
    ----------
    scenario:
        A validated :class:`~model.simulation.scenario.Scenario` (default: all defaults,
        the status quo).
    rng:
        Seed (int) of the run. A run is a pure function of (scenario, seed).
    citizens:
        Number of citizen agents; overrides ``scenario.run.citizens``.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: int | None = None,
        citizens: int | None = None,
    ):
        seed = DEFAULT_SEED if rng is None else int(rng)
        super().__init__(rng=seed)
        # numpy's generator as Mesa made it, plus the stream of the compiled rules (ODD 3.5)
        self.rng = ModelGenerator(self.rng.bit_generator, seed)
        self.seed = seed
        self.config = scenario if scenario is not None else Scenario()
        cfg = self.config
        # up to the start of the run the city lives under today's policies (the status-quo
        # defaults); the scenario's own levers take effect from run.start
        self.levers: Levers = Levers()
        # the rule of each swappable mechanism ([rules]; model/rules/registry.py)
        self.rules = registry.resolve(self.config.rules.model_dump())
        n = citizens or cfg.run.citizens
        self.residents_per_agent = cfg.city.population / n
        self.citizens = Population(n, cfg.city, self.rng)
        self.network = build_network(self.citizens, cfg.city, self.rng)
        self.degree = degree(self.network)
        self._baseline_loneliness = self.citizens.loneliness.copy()
        self.group_sizes = {
            "edu": np.bincount(self.citizens.education, minlength=3),
            "age": np.bincount(self.citizens.age_group, minlength=5),
            "migration": int(self.citizens.migration.sum()),
            "silent": int(self.citizens.silent.sum()),
        }
        self.month = -cfg.run.burn_in_months  # index of the month being simulated
        self.support = self._support()
        # what residents are used to from the status quo's processes (ODD 7.5)
        today = Levers()
        self._usual_felt = participation.usual_felt_influence(
            today.participation.rung,
            today.participation.timing,
            today.administration.council_compromise,
            cfg.behaviour.reference_responsiveness,
            cfg.processes,
            cfg.behaviour.broken_promise_trust,
        )
        self.administration = Administration(self, cfg.levers.administration.competence)
        self.org_table = OrganisationTable()
        self.organisations = self._create_organisations()
        self._initial_states()
        self.city = challenges.CityState.initial(cfg.challenges)
        self.recognition = 0.0
        self.spend_eur = 0.0
        self.cost_eur = 0.0  # spent this month on all levers
        self.cost_total_eur = 0.0
        self.spent = dict.fromkeys(costs.SPENDING, 0.0)  # since the start, by lever
        self.participants_this_month = 0  # agents who joined a process this month
        self.assembly_members = 0  # agents seated in assemblies running this month
        self.agency_placements = 0.0  # entries agency matching adds (agents, expected)
        self.window: dict[str, deque] = {
            k: deque(maxlen=12) for k in ("entries", "entries_asked", "exits", "engaged")
        }
        self.events: list[tuple[str, str]] = []  # (date, label) of timeline and live changes
        self.concluded_this_month: list[participation.Process] = []
        self.assembly_this_month: participation.Process | None = None
        self.tally: dict[str, object] = {}
        self._schedule = cfg.lever_schedule()
        self.datacollector = IndicatorCollector()
        for _ in range(cfg.run.burn_in_months):
            self._simulate_month()
            self.month += 1
        self.levers = cfg.levers.model_copy(deep=True)
        self.support = self._support()
        # the run starts from the city's documented state, not the burn-in's drift
        self.city = challenges.CityState.initial(cfg.challenges)
        self.spend_eur = self.cost_total_eur = 0.0
        self.spent = dict.fromkeys(costs.SPENDING, 0.0)
        self.month = 0

    # ------------------------------------------------------------------ public API
    @property
    def date(self) -> str:
        """'YYYY-MM' of the month being (or just) simulated."""
        return month_label(self.config.run.start, self.month)

    @property
    def months_done(self) -> int:
        return len(self.datacollector.model_vars.get("step", []))

    def step(self) -> None:
        """Advance one month: apply the timeline, simulate, record indicators."""
        for item in self._schedule.get(self.month, []):
            if item.levers is not None:
                self.set_levers(item.levers, label=None)
            if item.process is not None:
                self.administration.open_process(item.process, label=item.label)
            self.events.append((self.date, item.label or "intervention"))
        self._simulate_month()
        self.tally = observe(self)
        self.datacollector.collect(self)
        self.month += 1
        if self.month >= self.config.run.months:
            self.running = False

    def set_levers(self, partial: dict, label: str | None = "lever change") -> None:
        """Change levers from now on (validated); used by the timeline and the interface."""
        self.levers = apply_levers(self.levers, partial)
        self.support = self._support()
        if label:
            self.events.append((self.date, label))

    def open_process(self, spec: ProcessSpec, label: str) -> None:
        """Open a participation process now (an intervention from the interface)."""
        self.administration.open_process(spec, label=label)
        self.events.append((self.date, label))

    def citizen(self, i: int) -> Citizen:
        """Read-only view of citizen ``i``."""
        return self.citizens.citizen(i)

    def dataframe(self):
        """The recorded indicators as a pandas DataFrame, one row per month."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    # ------------------------------------------------------------------ the schedule
    def _simulate_month(self) -> None:
        cfg, pop, lv = self.config, self.citizens, self.levers
        b = cfg.behaviour
        rng = self.rng
        # 1. participation processes: open, draw participants, conclude
        self.administration.open_regular_decisions()
        self.assembly_this_month = None
        process_cost = 0.0
        self.participants_this_month = self.assembly_members = 0
        for proc in self.administration.processes:
            if proc.start <= self.month:
                process_cost += proc.cost_eur / (proc.end - proc.start + 1)
                had_assembly = proc.invited
                before = 0 if proc.participants is None else int(proc.participants.sum())
                self.rules.participation(
                    proc, pop, self.support.office, cfg.support, rng, silent_reach=b.silent_reach
                )
                if proc.participants is not None:
                    self.participants_this_month += int(proc.participants.sum()) - before
                self.assembly_members += proc.seated
                if proc.invited and not had_assembly:
                    self.assembly_this_month = proc
        responsive = leadership.visible_responsiveness(
            lv.administration.responsiveness,
            lv.leadership.style,
            self.support.office,
            cfg.governance,
        )
        self.concluded_this_month = self.administration.conclude_due()
        learned: list[trust.Concluded] = []  # what each concluded process tells residents
        for proc in self.concluded_this_month:
            v, e = participation.conclude(
                proc, responsive, lv.administration.council_compromise, cfg.processes, rng
            )
            # the policy channel: adopted proposals become measures on their challenge
            if proc.outcome["adopted"]:
                challenges.adopt_proposals(self.city, proc.topic, v, cfg.processes.policy_effect)
            if proc.participants is None:
                continue
            # 4. ownership and disappointment; 5. trust and efficacy
            self.rules.ownership(pop, proc.participants, v, e, self.network, self.degree, b)
            # trust follows the influence seen, less the promise it fell short of (tokenism)
            felt = participation.felt_influence(v, e, b.broken_promise_trust)
            assembly = Format.citizens_assembly in proc.formats
            heard = cfg.processes.assembly_awareness if assembly else cfg.processes.awareness
            learned.append(
                trust.Concluded(
                    proc.participants,
                    felt,
                    felt - self._usual_felt,
                    heard * cfg.processes.hearing_weight,
                )
            )
            newcomers = int((proc.participants & ~pop.engaged).sum())
            places = participation.implementation_places(proc, newcomers, cfg.processes)
            if places:
                self._start_project(proc, places)
        # 6. support infrastructure and 7. leadership
        month_of_year = int(self.date[5:])
        self.recognition = leadership.recognition(
            lv.leadership.style,
            month_of_year,
            lv.leadership.volunteering_day_month,
            self.recognition,
            b,
        )
        self.administration.step()
        floor = cfg.governance.success_floor
        success = floor + (1.0 - floor) * self.administration.competence
        self.rules.trust(pop, learned, responsive, success, b)
        # organisations: projects close, members, management, places
        project_leavers = self._close_projects()
        table = self.org_table
        members = count_members(pop.state, pop.organisation, len(table))
        table.members[:] = members
        table.adapt(self.support.management, cfg.support)  # Organisation.step for all at once
        focus, management = table.focus, table.management.astype(np.float32)
        capacity = table.capacity
        # places are whole at random (below): a member on the fractional place is no surplus
        released = self._release_surplus(members, np.ceil(capacity - 1e-9).astype(np.int64))
        # whole free places, rounded at random so that their expected number is the
        # fractional capacity left: a small organisation of a few agents keeps its vacancy
        # share at any number of agents (a floor would round it away at 2,000 agents)
        room = capacity - members + self.rng.random(capacity.size)
        free = np.maximum(np.floor(room), 0).astype(np.int64)
        # 2. being asked
        engaged_ties = self.rules.recruitment(
            pop,
            self.network,
            float(members[free > 0].sum()),  # organisations with room recruit
            self.support.ask_reach,
            self.support.outreach_contacts,
            b,
            rng,
        )
        # 3. joining
        joining.become_open(pop, b, rng)
        tie_share = share_from_counts(engaged_ties, self.degree)  # nobody joined or left since
        # what the agencies' matching adds, as the default joining rule computes it
        self.agency_placements = joining.matched_entries(pop, tie_share, self.support.matching, b)
        joined = self.rules.joining(pop, tie_share, self.support.matching, free, self.month, b, rng)
        # 8. exhaustion and exit
        left = self.rules.exhaustion(
            pop, management, self.support.load_relief, self.recognition, b, rng
        )
        # 10. informal help: neighbours help neighbours outside any organisation
        helping_ties = self.rules.informal_help(
            pop, self.network, self.degree, cfg.informal_help, rng
        )
        informal.ease_loneliness(pop, helping_ties, cfg.informal_help)
        # 9. challenge outcomes
        hours = challenges.hours_by_focus(pop, focus, self.residents_per_agent, cfg.city.population)
        challenges.advance_challenges(
            self.city, pop, hours, success, self._baseline_loneliness, cfg.challenges, rng
        )
        ownership.fade(
            pop,
            b,
            b.disappointment_decay
            * (
                cfg.governance.everyday_disappointment_fade
                if lv.leadership.style == LeadershipStyle.everyday_cooperation
                else 1.0
            ),
        )
        # members of cooperatives own a share of them (ODD 7.6)
        ownership.hold_shares(pop, table.cooperative, cfg.organisations.cooperative_ownership)
        # bookkeeping: what the levers cost this month
        self.spend_eur += self.support.monthly_cost_eur
        leadership_cost = costs.leadership_cost(
            lv.leadership.style,
            month_of_year == lv.leadership.volunteering_day_month,
            cfg.city.population,
            cfg.costs,
        )
        self.cost_eur = self.support.monthly_cost_eur + process_cost + leadership_cost
        self.cost_total_eur += self.cost_eur
        for name, budget in costs.BUDGET_SPENDING.items():
            self.spent[name] += getattr(lv.infrastructure, budget) / 12.0
        self.spent["process_cost_eur_total"] += process_cost
        self.spent["leadership_cost_eur_total"] += leadership_cost
        w = self.window
        w["entries"].append(joined.size)
        w["entries_asked"].append(int(pop.entered_asked[joined].sum()))
        w["exits"].append(int(left.sum()) + project_leavers + released)
        w["engaged"].append(int(np.count_nonzero(pop.state == State.ENGAGED)))

    def _start_project(self, proc: participation.Process, places: float) -> None:
        """An adopted co-designed measure becomes a project with places for volunteers."""
        kind = (
            OrganisationKind.cooperative
            if proc.topic in self.config.organisations.cooperative_topics
            else OrganisationKind.neighbourhood_initiative
        )
        org = Organisation(
            self,
            kind,
            CHALLENGES.index(proc.topic),
            places,
            self.config.organisations.management_quality,
        )
        org.ends = self.month + self.config.processes.project_months
        self._org_list.append(org)

    def _release_surplus(self, members: np.ndarray, places: np.ndarray) -> int:
        """Organisations that can coordinate fewer volunteers than they have (after a cut in
        support) lose the surplus, drawn by lot; those volunteers are open to other places.
        ``members`` is updated in place."""
        released = 0
        pop = self.citizens
        for k in np.flatnonzero(members > places):
            ids = np.flatnonzero(pop.organisation == k)
            gone = self.rng.choice(ids, size=int(members[k] - places[k]), replace=False)
            pop.state[gone] = State.OPEN
            pop.hours[gone] = 0.0
            pop.organisation[gone] = -1
            members[k] = places[k]
            released += gone.size
        return released

    def _close_projects(self) -> int:
        """Projects whose funding period is up carry on as lasting organisations with a
        chance that support raises (ODD 7.1); the others close and their volunteers become
        open again."""
        closed = 0
        table, pop, q = self.org_table, self.citizens, self.config.processes
        support = 0.5 * (self.support.matching + self.support.office)
        carry_on = min(1.0, q.project_continuation + q.support_continuation * support)
        coop_carries_on = self.config.organisations.cooperative_continuation
        for k in np.flatnonzero(table.ends == self.month):
            # a cooperative finances itself from its members' shares (ODD 7.6)
            if self.rng.random() < (coop_carries_on if table.cooperative[k] else carry_on):
                table.ends[k] = OrganisationTable.NO_END
                continue
            members = np.flatnonzero(pop.organisation == k)
            pop.state[members] = State.OPEN
            pop.hours[members] = 0.0
            pop.organisation[members] = -1
            table.capacity[k] = table.initial_capacity[k] = 0.0
            closed += members.size
        return closed

    # ------------------------------------------------------------------ set-up
    def _support(self) -> infrastructure.SupportEffects:
        cfg = self.config
        return infrastructure.support_effects(
            self.levers.infrastructure,
            cfg.support,
            cfg.behaviour,
            cfg.city.population,
            self.citizens.n,
        )

    def _create_organisations(self) -> mesa.AgentSet:
        cfg = self.config
        scale = min(1.0, self.citizens.n / 10_000)  # small runs merge organisations
        kinds: list = []
        for kind, per_100k in cfg.organisations.per_100k.items():
            count = max(1, round(per_100k * cfg.city.population / 100_000 * scale))
            kinds += [kind] * count
        orgs_cfg = cfg.organisations
        weight = np.array([orgs_cfg.places_weight[k] for k in kinds]) * self.rng.lognormal(
            0, 0.5, len(kinds)
        )
        expected_engaged = float(np.asarray(cfg.city.initial_engaged) @ self.group_sizes["edu"])
        # today's organisations keep the usual share of places open (support.vacancy_share)
        places = weight / weight.sum() * expected_engaged * (1.0 + cfg.support.vacancy_share)
        orgs = []
        for kind, cap in zip(kinds, places, strict=True):
            fw = np.asarray(orgs_cfg.focus_weight[kind], dtype=float)
            focus = int(self.rng.choice(len(fw), p=fw / fw.sum()))
            orgs.append(
                Organisation(self, kind, focus, float(cap), cfg.organisations.management_quality)
            )
        self._org_list = orgs
        return self.agents_by_type[Organisation]

    def _initial_states(self) -> None:
        pop, rng, city = self.citizens, self.rng, self.config.city
        u = rng.random(pop.n)
        engaged = u < np.asarray(city.initial_engaged)[pop.education]
        opened = ~engaged & (rng.random(pop.n) < city.initial_open)
        pop.state[opened] = State.OPEN
        ids = np.flatnonzero(engaged)
        capacity = self.org_table.capacity
        slots = np.repeat(np.arange(capacity.size), np.floor(capacity).astype(np.int64))
        ids = ids[: slots.size]
        pop.state[ids] = State.ENGAGED
        pop.organisation[ids] = rng.choice(slots, size=ids.size, replace=False)
        pop.hours[ids] = joining.weekly_hours(pop.time[ids], rng, self.config.behaviour)
        pop.entered_asked[ids] = rng.random(ids.size) < city.initial_asked
        pop.helping[:] = rng.random(pop.n) < city.initial_helping


def warm_up(all_variants: bool = False) -> list[str]:
    """Load (or, on a machine's first run, compile) the model's compiled rules now, by
    running a tiny model for one month — with every registered rule variant too if
    ``all_variants``. Sweeps do this before forking workers, the workshop page before it
    serves, so nobody waits for it in the middle of a run. Returns one line for each
    variant that failed (a student's rule that raises must not keep the page from starting;
    the error shows again when it is chosen)."""
    selections: list[dict[str, str]] = [{}]
    if all_variants:
        selections += [
            {mechanism: name}
            for mechanism in registry.MECHANISMS
            for name in registry.available(mechanism)[1:]
        ]
    failed = []
    for rules in selections:
        tiny = Scenario.model_validate(
            {"run": {"citizens": 200, "months": 1, "burn_in_months": 1}, "rules": rules}
        )
        try:
            CoProductionModel(tiny, rng=0).step()
        except Exception as exc:
            if not rules:
                raise  # the default rules must work
            ((mechanism, name),) = rules.items()
            failed.append(f"{mechanism} rule {name!r} fails: {type(exc).__name__}: {exc}")
    return failed
