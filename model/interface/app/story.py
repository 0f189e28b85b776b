"""A scenario's story on the workshop page: its steps in one language, the month where the run
pauses next, and the box that shows the current step with *Back* and *Next*.

The steps come from the scenario's ``[[story]]`` (:mod:`model.simulation.scenario.story`);
this module only reads them, so it can be used and tested without a browser. The page keeps
the index of the current step; :func:`Story` shows it and reports a new one through
``on_index``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import solara

from model.simulation.scenario import Scenario, month_index

#: the story's labels in both languages (to join ``i18n.TEXT`` later: same keys, same form)
STORY_TEXT: dict[str, dict[str, str]] = {
    "story_back": {"en": "Back", "de": "Zurück"},
    "story_next": {"en": "Next", "de": "Weiter"},
    "story_step": {"en": "Step {index} of {count}", "de": "Schritt {index} von {count}"},
}
#: the step's text is read from the back of the room
STORY_TEXT_STYLE = "font-size: 1.3rem; line-height: 1.45;"


def story_label(key: str, lang: str) -> str:
    """A label of :data:`STORY_TEXT`; English for a language it does not have."""
    entry = STORY_TEXT[key]
    return entry.get(lang, entry["en"])


@dataclass(frozen=True)
class StoryStep:
    """One step as the page shows it: its text in one language, where the run pauses for it
    ('YYYY-MM' or None), the view to show and how the gradient splits the citizens."""

    text: str
    pause_at: str | None = None
    chart: str | None = None
    group: str | None = None


def steps(scenario: Scenario, lang: str) -> list[StoryStep]:
    """The scenario's story in ``lang`` ('de' or 'en'), whitespace as in running text."""
    out = []
    for spec in scenario.story:
        text = spec.text_de if lang == "de" else spec.text
        out.append(
            StoryStep(
                text=" ".join(text.split()),
                pause_at=spec.pause_at,
                chart=None if spec.chart is None else spec.chart.value,
                group=None if spec.group is None else spec.group.value,
            )
        )
    return out


def next_pause(scenario: Scenario, step_index: int, now: str | None = None) -> str | None:
    """The month ('YYYY-MM') where the run should pause while step ``step_index`` is shown:
    the first pause of this step or a later one, so that playing on never runs past a later
    step's moment. ``now`` is the last month simulated: pauses up to it have passed. None if
    no pause is left, the index is outside the story, or the pause falls after the end of the
    run (a run shortened with ``--months`` keeps its story)."""
    if not 0 <= step_index < len(scenario.story):
        return None
    run = scenario.run
    for spec in scenario.story[step_index:]:
        month = spec.pause_at
        if month is None or (now is not None and month <= now):
            continue
        return month if 0 <= month_index(run.start, month) < run.months else None
    return None


def step_count_text(index: int, count: int, lang: str) -> str:
    """'Schritt 2 von 4' for the step at ``index`` (from 0) of ``count``."""
    return story_label("story_step", lang).format(index=index + 1, count=count)


@solara.component
def Story(
    steps: list[StoryStep],
    index: int,
    on_index: Callable[[int], None],
    lang: str,
):
    """The current step's text, large, with 'Schritt 2 von 4' and Back and Next. Shows nothing
    for a scenario without a story; an index outside the story shows its nearest step."""
    if not steps:
        return
    index = min(max(index, 0), len(steps) - 1)
    with solara.Column(
        style="padding: 12px 16px; background: #FFF8E1; border-left: 6px solid #E69F00;"
    ):
        solara.HTML(
            tag="div",
            unsafe_innerHTML="<span id='coprod-story-text'>"
            f"{html.escape(steps[index].text)}</span>",
            style=STORY_TEXT_STYLE,
        )
        with solara.Row(style="align-items: center;"):
            solara.Button(
                story_label("story_back", lang),
                on_click=lambda: on_index(index - 1),
                disabled=index == 0,
                outlined=True,
            )
            solara.HTML(
                tag="span",
                unsafe_innerHTML="<span id='coprod-story-step'>"
                f"{html.escape(step_count_text(index, len(steps), lang))}</span>",
                style="font-size: 1.15rem;",
            )
            solara.Button(
                story_label("story_next", lang),
                on_click=lambda: on_index(index + 1),
                disabled=index == len(steps) - 1,
                color="primary",
            )
