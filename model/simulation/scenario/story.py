"""What a scenario is answered against, and the story a facilitator walks a room through.

None of this changes a run; it is what the workshop page shows:

* ``reference`` names the shipped scenario this scenario's question is answered against
  (``austerity`` against ``infrastructure``, most against ``baseline``), checked when a file is
  read (:mod:`model.simulation.scenario.files`), since only there is its folder known;
* ``reference_indicator`` is the indicator column (:data:`model.simulation.indicators.INDICATORS`)
  where the answer shows;
* ``[[story]]`` is a short sequence of steps, each one or two sentences in English and German,
  with the month where the page pauses and the view to show. Pauses follow the run: each is
  later than the one before (checked here) and inside the run as the file writes it (checked
  in ``files.py``, so that a run shortened with ``--months`` keeps its story).

A child scenario inherits none of the three from its parent: they belong to its question.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from model.simulation.scenario.fields import Month, Strict, _month

#: at most this many steps: a story is walked through in a workshop, not read
MAX_STORY_STEPS = 12
#: at most this many characters in a step's text: one or two sentences on a projector
MAX_STORY_TEXT = 400
#: indicator columns that are not an answer (the row's date and step)
NOT_ANSWERS = ("date", "step")


class Refused(ValueError):
    """A value this key does not allow, with what it does allow; ``files.py`` turns it into one
    line naming file and key. ``key`` is added to the place pydantic reports (a check of the
    whole scenario names the key at fault itself); ``given`` replaces the value it reports."""

    _UNSET: Any = object()

    def __init__(self, allowed: str, *, key: str = "", given: Any = _UNSET):
        self.allowed, self.key, self.given = allowed, key, given
        super().__init__(allowed)

    @property
    def has_given(self) -> bool:
        return self.given is not Refused._UNSET


class Chart(StrEnum):
    """The views of the workshop page a story step can show."""

    gradient = "gradient"
    trust = "trust"
    challenges = "challenges"
    where = "where"
    network = "network"
    costs = "costs"


class Group(StrEnum):
    """How the gradient view splits the citizens."""

    education = "education"
    age = "age"
    migration = "migration"
    silent = "silent"


class StoryStepSpec(Strict):
    """One step of a scenario's story (``[[story]]``): what the facilitator says and shows."""

    text: str = Field(
        ...,
        min_length=1,
        max_length=MAX_STORY_TEXT,
        description="One or two sentences of plain text in English: what to look at now.",
        examples=["Watch the line of the silent groups after the cut."],
    )
    text_de: str = Field(
        ...,
        min_length=1,
        max_length=MAX_STORY_TEXT,
        description="The same text in German.",
        examples=["Achten Sie nach der Kürzung auf die Linie der stillen Gruppen."],
    )
    pause_at: Month | None = Field(
        None,
        description="Month inside the run, 'YYYY-MM', where the page pauses for this step; "
        "later than the pause of any earlier step.",
    )
    chart: Chart | None = Field(None, description="The view to show for this step.")
    group: Group | None = Field(
        None,
        description="How the gradient view splits the citizens (only with chart = 'gradient').",
    )

    @field_validator("text", "text_de", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        if isinstance(value, str) and (not value.strip() or len(value) > MAX_STORY_TEXT):
            raise Refused(
                f"one or two sentences of plain text, 1 to {MAX_STORY_TEXT} characters",
                given=value if value.strip() else "",
            )
        return value

    @field_validator("pause_at", mode="before")
    @classmethod
    def _check_month(cls, value: Any) -> str | None:
        try:
            return None if value is None else _month(value)
        except ValueError as exc:
            raise Refused(str(exc)) from None

    @model_validator(mode="after")
    def _group_with_gradient(self) -> StoryStepSpec:
        if self.group is not None and self.chart != Chart.gradient:
            raise Refused(
                "a group only with chart = 'gradient' (the view that splits the citizens)",
                key="group",
                given=self.group.value,
            )
        return self


def check_story_length(given: Any) -> Any:
    """A story of more than :data:`MAX_STORY_STEPS` steps is refused before its steps are read;
    a single table (``[story]``, one bracket) is the likely slip for a list of steps."""
    if not isinstance(given, list):
        raise Refused("a list of steps, each one headed [[story]] (two brackets)")
    if len(given) > MAX_STORY_STEPS:
        raise Refused(f"at most {MAX_STORY_STEPS} steps", given=f"{len(given)} steps")
    return given


def check_story_order(story: list[StoryStepSpec]) -> None:
    """Each pause later than the pause of any earlier step: the page plays forward."""
    last, where = None, ""
    for i, step in enumerate(story):
        if step.pause_at is None:
            continue
        if last is not None and step.pause_at <= last:
            raise Refused(
                f"a month after {last} (the pause of {where}): pauses follow the run; a step "
                "that stays at the same month needs no pause_at",
                key=f"story[{i}].pause_at",
                given=step.pause_at,
            )
        last, where = step.pause_at, f"story[{i}]"


def answer_indicators() -> list[str]:
    """The indicator columns a ``reference_indicator`` may name."""
    from model.simulation.indicators import INDICATORS  # it imports the scenario package

    return [name for name in INDICATORS if name not in NOT_ANSWERS]


def check_reference_indicator(name: str | None) -> str | None:
    if name is not None and name not in answer_indicators():
        raise Refused(
            "an indicator column (ODD Appendix B): one of " + ", ".join(answer_indicators())
        )
    return name
