"""The whole scenario: its tables, the rules it picks and its timeline of interventions.

A scenario is a TOML file (read with the standard library's ``tomllib``; nothing in it is
ever evaluated as code) validated by these pydantic models with ``extra="forbid"``, so an
unknown or misspelt key is an error and not a silently ignored setting. Loading, inheritance
(``extends``) and error reporting live in :mod:`model.simulation.scenario.files`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from model.simulation.scenario.behaviour import Behaviour
from model.simulation.scenario.city import City, Run
from model.simulation.scenario.costs import Costs
from model.simulation.scenario.fields import Month, P, Strict, _month, month_index, month_label
from model.simulation.scenario.governance import Governance
from model.simulation.scenario.informal import InformalHelp
from model.simulation.scenario.kinds import Challenge, Format, Rung, Timing
from model.simulation.scenario.levers import Levers, Organisations, apply_levers
from model.simulation.scenario.processes import Processes
from model.simulation.scenario.story import (
    MAX_STORY_STEPS,
    StoryStepSpec,
    check_reference_indicator,
    check_story_length,
    check_story_order,
)
from model.simulation.scenario.support import Challenges, Support


class Rules(Strict):
    """Which rule each swappable mechanism uses (``[rules]``); see ``uv run coprod rules``.

    Names are checked against the registry (:mod:`model.rules.registry`), which also holds
    variants students add in ``model/rules/variants/``.
    """

    participation: str = Field(
        "formats", description="Rule of mechanism 1 (who takes part); `coprod rules` lists them."
    )
    recruitment: str = Field(
        "network", description="Rule of mechanism 2 (being asked); `coprod rules` lists them."
    )
    joining: str = Field(
        "logistic", description="Rule of mechanism 3 (joining); `coprod rules` lists them."
    )
    ownership: str = Field(
        "shaping", description="Rule of mechanism 4 (ownership); `coprod rules` lists them."
    )
    trust: str = Field(
        "negativity_bias", description="Rule of mechanism 5 (trust); `coprod rules` lists them."
    )
    exhaustion: str = Field(
        "energy", description="Rule of mechanism 8 (exhaustion); `coprod rules` lists them."
    )
    informal_help: str = Field(
        "neighbourly",
        description="Rule of mechanism 12 (informal help); `coprod rules` lists them.",
    )
    params: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Parameters of rule variants that declare their own, by variant: "
        "[rules.params.managed_retention] management_retention = 0.4 (`coprod rules` lists "
        "them with unit, range and source).",
    )

    @field_validator(
        "participation",
        "recruitment",
        "joining",
        "ownership",
        "trust",
        "exhaustion",
        "informal_help",
    )
    @classmethod
    def _registered(cls, name: str, info) -> str:
        from model.rules import registry

        return registry.check(info.field_name, name)

    @field_validator("params", mode="before")
    @classmethod
    def _declared(cls, given):
        from model.rules import registry

        if not isinstance(given, dict):
            raise registry.VariantParamError("rules.params", given, "a table of variant names")
        return registry.check_params(given)


class ProcessSpec(Strict):
    """A one-off participation process started by a timeline entry."""

    topic: Challenge = P(
        Challenge.climate,
        unit="challenge",
        source="the five challenges (Schöffmann 2025)",
        description="What the decision is about.",
    )
    format: Format = P(
        Format.citizens_assembly,
        unit="format",
        source="OECD 2020, Catching the Deliberative Wave",
        description="Format of the process.",
    )
    rung: Rung = P(Rung.co_design, unit="rung", source="Arnstein 1969", description="Rung.")
    timing: Timing = P(
        Timing.early, unit="early | late", source="Schöffmann 2025", description="Timing."
    )
    outreach: bool = P(
        True,
        unit="bool",
        source="Bürgerrat Klima 2021",
        description="Outreach to silent groups for this process.",
    )


class Intervention(Strict):
    """A dated change: new lever values and/or a one-off participation process."""

    date: Month = Field(..., description="Month the intervention takes effect, 'YYYY-MM'.")
    label: str = Field("", description="Short label shown on charts.")
    label_de: str = Field("", description="The same label in German (for the workshop page).")
    levers: dict[str, Any] | None = Field(
        None, description="Partial levers (same tables as [levers]) set from this month on."
    )
    process: ProcessSpec | None = Field(None, description="A participation process to open.")

    @field_validator("date")
    @classmethod
    def _check_date(cls, v: str) -> str:
        return _month(v)

    @model_validator(mode="after")
    def _something(self) -> Intervention:
        if self.levers is None and self.process is None:
            raise ValueError("an intervention needs 'levers' or 'process' (or both)")
        return self


class Scenario(Strict):
    """A complete, validated scenario."""

    name: str = Field("scenario", description="Short name (the file name by default).")
    question: str = Field("", description="The one-line question this scenario answers.")
    question_de: str = Field("", description="The same question in German (for the interface).")
    title: str = Field("", description="A short title (a few words) for menus and charts.")
    title_de: str = Field("", description="The same title in German (for the workshop page).")
    description: str = Field("", description="What the scenario sets and why.")
    extends: str | None = Field(None, description="Name or path of a scenario to start from.")
    reference: str | None = Field(
        None,
        description="Name of the scenario this one's question is answered against (a scenario "
        "next to this file or a shipped one, e.g. 'baseline'); not inherited.",
    )
    reference_indicator: str | None = Field(
        None,
        description="The indicator column where the answer shows (ODD Appendix B, e.g. "
        "'engaged_share'); not inherited.",
    )
    run: Run = Field(default_factory=Run)
    city: City = Field(default_factory=City)
    levers: Levers = Field(default_factory=Levers)
    organisations: Organisations = Field(default_factory=Organisations)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    support: Support = Field(default_factory=Support)
    processes: Processes = Field(default_factory=Processes)
    governance: Governance = Field(default_factory=Governance)
    informal_help: InformalHelp = Field(default_factory=InformalHelp)
    costs: Costs = Field(default_factory=Costs)
    challenges: Challenges = Field(default_factory=Challenges)
    rules: Rules = Field(default_factory=Rules)
    timeline: list[Intervention] = Field(default_factory=list)
    story: list[StoryStepSpec] = Field(
        default_factory=list,
        max_length=MAX_STORY_STEPS,
        description="Steps a facilitator walks through on the workshop page ([[story]], at most "
        f"{MAX_STORY_STEPS}); not inherited.",
    )

    @field_validator("reference_indicator")
    @classmethod
    def _indicator(cls, name: str | None) -> str | None:
        return check_reference_indicator(name)

    @field_validator("story", mode="before")
    @classmethod
    def _story_length(cls, given):
        return check_story_length(given)

    @model_validator(mode="after")
    def _timeline_inside_run(self) -> Scenario:
        end = month_label(self.run.start, self.run.months - 1)
        for i, item in enumerate(self.timeline):
            k = month_index(self.run.start, item.date)
            if not 0 <= k < self.run.months:
                raise TimelineDateError(i, item.date, self.run.start, end)
            if item.levers is not None:
                try:
                    apply_levers(self.levers, item.levers)
                except Exception as exc:  # re-raised with the timeline position
                    raise TimelineLeverError(i, exc) from None
        return self

    @model_validator(mode="after")
    def _story_in_order(self) -> Scenario:
        check_story_order(self.story)
        return self

    def lever_schedule(self) -> dict[int, list[Intervention]]:
        """Interventions by step index."""
        out: dict[int, list[Intervention]] = {}
        for item in self.timeline:
            out.setdefault(month_index(self.run.start, item.date), []).append(item)
        return out


class TimelineDateError(ValueError):
    def __init__(self, index: int, given: str, start: str, end: str):
        self.index, self.given, self.start, self.end = index, given, start, end
        super().__init__(f"a month inside the run, {start} to {end}")


class TimelineLeverError(ValueError):
    def __init__(self, index: int, cause: Exception):
        self.index, self.cause = index, cause
        super().__init__(str(cause))
