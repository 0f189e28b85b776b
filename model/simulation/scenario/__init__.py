"""The scenario: the validated input of a run, split by concern.

=============  ===========================================================================
module         what it holds
=============  ===========================================================================
fields         :func:`P` (a documented parameter), strict tables, months
kinds          challenges, rungs, timings, formats, leadership styles, organisation kinds
city           the run (start, months, agents) and the city (population and its make-up)
levers         participation, infrastructure, leadership, administration, organisations
behaviour      citizens' behavioural parameters (one table of data)
support        how budgets and formats turn into effects; the five challenges' dynamics
processes      what comes of a participation process: influence, adoption, projects
governance     how the administration's responsiveness and competence change
informal       informal help: neighbourly help outside organisations
costs          what the levers cost that are not budgets (processes, staff, events)
story          what a scenario is answered against, and its story for the workshop page
schema         rules, timeline entries and the whole :class:`Scenario`
merge          merging nested tables (``extends``, timeline levers, experiments)
files          reading scenario files: TOML, ``extends``, clear error messages
=============  ===========================================================================

Every parameter carries its meaning, unit, allowed range and source in its field metadata;
``docs/ODD.md`` tables are generated from it (``uv run coprod docs``).
"""

from model.simulation.scenario.behaviour import Behaviour
from model.simulation.scenario.city import City, Run
from model.simulation.scenario.costs import Costs
from model.simulation.scenario.fields import (
    MONTH_PATTERN,
    WEEKS_PER_MONTH,
    Month,
    P,
    Strict,
    field_bounds,
    month_index,
    month_label,
)
from model.simulation.scenario.governance import Governance
from model.simulation.scenario.informal import InformalHelp
from model.simulation.scenario.kinds import (
    CHALLENGES,
    Challenge,
    Format,
    LeadershipStyle,
    OrganisationKind,
    Rung,
    Timing,
)
from model.simulation.scenario.levers import (
    Administration,
    Infrastructure,
    Leadership,
    Levers,
    Organisations,
    Participation,
    apply_levers,
)
from model.simulation.scenario.merge import deep_merge
from model.simulation.scenario.processes import Processes
from model.simulation.scenario.schema import (
    Intervention,
    ProcessSpec,
    Rules,
    Scenario,
    TimelineDateError,
    TimelineLeverError,
)
from model.simulation.scenario.story import (
    MAX_STORY_STEPS,
    Chart,
    Group,
    Refused,
    StoryStepSpec,
    answer_indicators,
)
from model.simulation.scenario.support import Challenges, Support

__all__ = [
    "CHALLENGES",
    "MAX_STORY_STEPS",
    "MONTH_PATTERN",
    "WEEKS_PER_MONTH",
    "Administration",
    "Behaviour",
    "Challenge",
    "Challenges",
    "Chart",
    "City",
    "Costs",
    "Format",
    "Governance",
    "Group",
    "InformalHelp",
    "Infrastructure",
    "Intervention",
    "Leadership",
    "LeadershipStyle",
    "Levers",
    "Month",
    "OrganisationKind",
    "Organisations",
    "P",
    "Participation",
    "ProcessSpec",
    "Processes",
    "Refused",
    "Rules",
    "Rung",
    "Run",
    "Scenario",
    "StoryStepSpec",
    "Strict",
    "Support",
    "Challenges",
    "TimelineDateError",
    "TimelineLeverError",
    "Timing",
    "answer_indicators",
    "apply_levers",
    "deep_merge",
    "field_bounds",
    "month_index",
    "month_label",
]
