"""Organisations and the administration: few agents with rich behaviour, as Mesa agents.

Citizens are many and live as columns (:mod:`model.simulation.citizens`); organisations (tens to
hundreds) and the one administration (with the council) are ordinary ``mesa.Agent`` objects
with their own ``step()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.rules._jit import ENGAGED, kernel
from model.rules.leadership import grow_competence
from model.rules.participation import Process
from model.simulation.costs import process_cost
from model.simulation.scenario import (
    CHALLENGES,
    Format,
    OrganisationKind,
    ProcessSpec,
    Rung,
    Support,
)

if TYPE_CHECKING:
    from model.simulation.model import CoProductionModel


class OrganisationTable:
    """State of all organisations as columns, one row per organisation in founding order.

    The :class:`Organisation` agents read and write their row; the model adapts all rows at
    once with :meth:`adapt` (the same rule as ``Organisation.step``), which keeps hundreds
    of organisations cheap at every city size.
    """

    COLUMNS = {
        "focus": np.int64,  # index into CHALLENGES
        "agency": bool,  # a volunteer agency (Freiwilligenagentur)
        "cooperative": bool,  # members own it together (ODD 7.6)
        "capacity": np.float64,  # volunteer places, in agents
        "initial_capacity": np.float64,
        "base_management": np.float64,  # management quality without agency support
        "management": np.float64,
        "founding_management": np.float64,
        "members": np.int64,
        "ends": np.int64,  # month a time-limited project closes; NO_END: lasting
    }

    #: ``ends`` of lasting organisations (months can be negative in the burn-in)
    NO_END = np.iinfo(np.int64).max

    def __init__(self) -> None:
        for name, dtype in self.COLUMNS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))

    def __len__(self) -> int:
        return self.focus.size

    def add(self, **values) -> int:
        """Append one organisation; returns its row."""
        for name, dtype in self.COLUMNS.items():
            column = getattr(self, name)
            setattr(self, name, np.append(column, np.asarray(values.get(name, 0), dtype=dtype)))
        return len(self) - 1

    @staticmethod
    def management_target(base, agency, support: float, s: Support):
        """Management quality organisations reach with an agency's ``support`` (0..1):
        agencies take the full support, other organisations ``s.partner_management_share``."""
        boost = np.where(agency, 1.0, s.partner_management_share)
        return base + (1 - base) * boost * support

    def adapt(self, support: float, s: Support, rows=slice(None)) -> None:
        """Adapt management quality to agency support, and places to demand and management.

        Management moves ``s.management_adjust_rate`` a month toward its target under current
        support. Places move ``s.capacity_adjust_rate`` a month toward what the organisation
        needs and can coordinate (ODD 7.6):

        * it *needs* a place for every member and keeps ``s.vacancy_share`` of its size open
          for newcomers (of its members, or of its founding places while it is smaller), so
          places grow and shrink with the people who want to join;
        * it *can coordinate* up to ``s.coordination_headroom`` times its founding places,
          scaled by 1 + management − management at founding: volunteer management, which
          agencies support, is what lets an organisation take on more volunteers.
        """
        target = self.management_target(self.base_management[rows], self.agency[rows], support, s)
        self.management[rows] += s.management_adjust_rate * (target - self.management[rows])
        initial = self.initial_capacity[rows]
        members = self.members[rows].astype(np.float64)
        needed = members + s.vacancy_share * np.maximum(members, initial)
        coordinated = (
            initial
            * s.coordination_headroom
            * (1.0 + self.management[rows] - self.founding_management[rows])
        )
        goal = np.minimum(needed, coordinated)
        self.capacity[rows] += s.capacity_adjust_rate * (goal - self.capacity[rows])


def _column(name: str, cast=float):
    def get(self):
        return cast(getattr(self.model.org_table, name)[self.row])

    def put(self, value):
        getattr(self.model.org_table, name)[self.row] = value

    return property(get, put, doc=f"This organisation's ``{name}`` (a view of its table row).")


class Organisation(mesa.Agent):
    """A civil-society organisation (or a business with corporate volunteering).

    Attributes: ``kind``, ``focus`` (index into CHALLENGES), ``capacity`` (volunteer places,
    in agents), ``management`` (quality of volunteer management, 0..1: coordination,
    recognition, matching — lowers burnout, see :mod:`model.rules.exhaustion`), ``members``,
    ``ends`` (month a time-limited project closes, or None). They are views of the
    organisation's row in the model's :class:`OrganisationTable`.
    """

    focus = _column("focus", int)
    capacity = _column("capacity")
    initial_capacity = _column("initial_capacity")
    base_management = _column("base_management")
    management = _column("management")
    founding_management = _column("founding_management")
    members = _column("members", int)

    def __init__(
        self,
        model: CoProductionModel,
        kind: OrganisationKind,
        focus: int,
        capacity: float,
        management: float,
    ):
        super().__init__(model)
        self.kind = kind
        agency = kind == OrganisationKind.volunteer_agency
        # founded under today's support: start at the management that support sustains
        founding = float(
            OrganisationTable.management_target(
                management, agency, model.support.management, model.config.support
            )
        )
        self.row = model.org_table.add(
            focus=focus,
            agency=agency,
            cooperative=kind == OrganisationKind.cooperative,
            capacity=capacity,
            initial_capacity=capacity,
            base_management=management,
            management=founding,
            founding_management=founding,
            ends=OrganisationTable.NO_END,
        )

    @property
    def ends(self) -> int | None:
        value = int(self.model.org_table.ends[self.row])
        return None if value == OrganisationTable.NO_END else value

    @ends.setter
    def ends(self, month: int | None) -> None:
        self.model.org_table.ends[self.row] = OrganisationTable.NO_END if month is None else month

    def step(self) -> None:
        """Adapt management and places (see :meth:`OrganisationTable.adapt`)."""
        m = self.model
        m.org_table.adapt(m.support.management, m.config.support, [self.row])


class Administration(mesa.Agent):
    """The city administration with its council.

    Opens decisions to participation (regularly and by timeline), concludes processes with a
    council vote, and learns competence for cooperation.
    """

    def __init__(self, model: CoProductionModel, competence: float):
        super().__init__(model)
        self.competence = competence
        self.processes: list[Process] = []
        self._next_topic = 0

    def open_process(
        self,
        spec: ProcessSpec,
        *,
        formats: list[Format] | None = None,
        label: str = "",
        duration: int | None = None,
    ) -> Process:
        m = self.model
        part = m.levers.participation
        now = m.month
        proc = Process(
            topic=spec.topic,
            formats=formats or [spec.format],
            rung=spec.rung,
            timing=spec.timing,
            outreach=spec.outreach,
            start=now,
            end=now + (duration or part.duration_months) - 1,
            promised=m.config.processes.rung_influence[spec.rung],
            label=label,
        )
        proc.cost_eur = process_cost(
            proc.formats, proc.rung, proc.timing, proc.outreach, m.config.costs
        )
        share = m.citizens.n / m.config.city.population
        proc.outcome["invitations"] = part.assembly_invitations * share
        proc.outcome["seats"] = part.assembly_size * share
        proc.outcome["forum_seats"] = m.config.support.forum_size * share
        self.processes.append(proc)
        return proc

    def open_regular_decisions(self) -> None:
        """Open this month's regular decisions (spread evenly over the year)."""
        part = self.model.levers.participation
        if part.decisions_per_year == 0:
            return
        month_of_run = self.model.month
        per_year = part.decisions_per_year
        # decisions fall on months where the cumulative count steps up
        before = (month_of_run * per_year) // 12
        after = ((month_of_run + 1) * per_year) // 12
        for _ in range(after - before):
            topic = CHALLENGES[self._next_topic % len(CHALLENGES)]
            self._next_topic += 1
            spec = ProcessSpec(
                topic=topic,
                format=part.formats[0],
                rung=part.rung,
                timing=part.timing,
                outreach=part.outreach,
            )
            self.open_process(spec, formats=list(part.formats))

    def conclude_due(self) -> list[Process]:
        """Processes ending this month, with council decision; removes them from the list."""
        now = self.model.month
        due = [p for p in self.processes if p.end <= now]
        self.processes = [p for p in self.processes if p.end > now]
        return due

    def step(self) -> None:
        """Learn: training, everyday cooperation and co-production experience."""
        m = self.model
        coproduced = sum(
            1 for p in m.concluded_this_month if p.rung in (Rung.co_design, Rung.co_decide)
        )
        self.competence = grow_competence(
            self.competence,
            m.levers.leadership.style,
            m.support.training,
            coproduced,
            m.config.governance,
        )


@kernel
def count_members(state, organisation, n_organisations):
    """Number of volunteers (engaged citizens) in each organisation."""
    members = np.zeros(n_organisations, dtype=np.int64)
    for i in range(state.size):
        if state[i] == ENGAGED:
            members[organisation[i]] += 1
    return members
