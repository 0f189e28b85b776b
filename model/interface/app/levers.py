"""The lever panel of the workshop page, and the room's changes in words.

The panel is drawn from the live model's levers every time they change (a scenario switch, a
reset, a timeline event, a change in the room), never from what a widget last showed: the
page passes the model's current ``Levers`` in, so a control cannot show a setting the model is
not using. Every lever shows its value with its unit; a slider reports one change when it is
let go (Vuetify's ``change`` event), not one per pixel of a drag.
"""

from __future__ import annotations

from dataclasses import dataclass

import solara

from model.interface.app.i18n import fmt_number, fmt_percent, t
from model.interface.app.session import Change, Simulation
from model.simulation.scenario import Format, LeadershipStyle, Rung, Timing


@dataclass(frozen=True)
class Budget:
    """A budget lever: its path in the levers, its label, and the slider's range in EUR/year.

    Range: 0 to 2 million EUR a year, in steps of 50,000: from nothing to well above what
    Cologne spends on each today (the shipped scenarios use 0 to 950,000)."""

    key: str
    label: str
    top: int = 2_000_000
    step: int = 50_000


BUDGETS = (
    Budget("infrastructure.volunteer_agency_eur", "agency_budget"),
    Budget("infrastructure.participation_office_eur", "office_budget"),
    Budget("infrastructure.outreach_eur", "outreach_budget"),
    Budget("infrastructure.admin_training_eur", "training_budget"),
)
#: lever path -> (label key, prefix of the value's label key) of the levers chosen from a list
CHOICES = {
    "participation.timing": ("timing", "timing", Timing),
    "participation.rung": ("rung", "rung", Rung),
    "leadership.style": ("leadership", "style", LeadershipStyle),
}


def euros(value: float, lang: str) -> str:
    """``950.000 € pro Jahr`` / ``€950,000 per year``."""
    amount = fmt_number(float(value), lang, 0)
    return (
        f"{amount} € {t('per_year', lang)}" if lang == "de" else f"€{amount} {t('per_year', lang)}"
    )


def value_text(key: str, value: object, lang: str) -> str:
    """A lever's value in words, with its unit."""
    if key in CHOICES:
        return t(f"{CHOICES[key][1]}_{value}", lang)
    if key == "participation.formats":
        return ", ".join(t(f"format_{f}", lang) for f in value)  # type: ignore[union-attr]
    if key == "participation.outreach":
        return t("on" if value else "off", lang)
    if key == "administration.responsiveness":
        return t("of_proposals", lang).format(share=fmt_percent(float(value), lang, 0))
    if key.startswith("infrastructure."):
        return euros(float(value), lang)
    return fmt_number(float(value), lang, 2) if isinstance(value, float) else str(value)


def lever_label(key: str, lang: str) -> str:
    """The label of lever ``key`` (``infrastructure.outreach_eur``) on the page."""
    for budget in BUDGETS:
        if budget.key == key:
            return t(budget.label, lang)
    if key in CHOICES:
        return t(CHOICES[key][0], lang)
    named = {
        "participation.formats": "formats",
        "participation.outreach": "outreach",
        "administration.responsiveness": "responsiveness",
    }
    return t(named[key], lang) if key in named else key


#: the label key of each intervention of the page
INTERVENTION_LABELS = {"assembly": "do_assembly", "fund": "do_fund_agency", "cut": "do_cut_budget"}


def change_text(change: Change, lang: str) -> str:
    """A change of the room in words: ``Freiwilligenagenturen: 950.000 € pro Jahr``."""
    if change.value is None:  # an intervention
        return t(
            f"do_{ {'fund': 'fund_agency', 'cut': 'cut_budget'}.get(change.key, change.key) }", lang
        )
    return f"{lever_label(change.key, lang)}: {value_text(change.key, change.value, lang)}"


def step_for(value: int, steps: tuple[int, ...]) -> int:
    """The coarsest of ``steps`` the model's ``value`` lies on. A slider snaps its value to
    its step as soon as it is drawn, so with a coarser step it would show a setting the model
    is not using (austerity's 480,000 € as 500,000 €)."""
    return next((s for s in steps if value % s == 0), 1)


@solara.component
def BudgetSlider(budget: Budget, value: float, lang: str, on_commit):
    """A budget slider whose label shows the value while it moves; ``on_commit(value)`` once,
    when it is let go."""
    shown = solara.use_reactive(round(value))  # follows ``value`` whenever the model's changes
    slider = solara.v.Slider(
        v_model=shown.value,
        on_v_model=shown.set,
        label=f"{t(budget.label, lang)}: {euros(shown.value, lang)}",
        min=0,
        max=budget.top,
        step=step_for(round(value), (budget.step, 25_000, 10_000, 5_000, 1_000, 100)),
        thumb_label=False,
        hide_details=True,
        class_="coprod-budget",
    )
    solara.v.use_event(slider, "change", lambda *args: on_commit(int(args[-1])))


@solara.component
def PercentSlider(label: str, value: float, lang: str, on_commit):
    """A share in percent (0–100 in steps of 5), committed when let go."""
    shown = solara.use_reactive(round(100 * value))
    slider = solara.v.Slider(
        v_model=shown.value,
        on_v_model=shown.set,
        label=f"{label}: {value_text('administration.responsiveness', shown.value / 100, lang)}",
        min=0,
        max=100,
        step=step_for(round(100 * value), (5,)),
        thumb_label=False,
        hide_details=True,
        class_="coprod-percent",
    )
    solara.v.use_event(slider, "change", lambda *args: on_commit(int(args[-1]) / 100))


def _back(label: str, enum, prefix: str, lang: str) -> str:
    """The enum value whose translated label is ``label``."""
    for item in enum:
        if t(f"{prefix}_{item.value}", lang) == label:
            return item.value
    raise ValueError(label)


@solara.component
def Levers(sim: Simulation, levers, lang: str, on_change, set_message):
    """The lever panel for the model's current ``levers`` (passed in, so that the panel is
    drawn again whenever they change). ``on_change()`` after every accepted change."""

    def change(partial: dict):
        set_message(sim.set_levers(partial))
        on_change()

    part = levers.participation
    solara.Markdown(f"### {t('levers', lang)}")

    def choice(key: str):
        label, prefix, enum = CHOICES[key]
        group, name = key.split(".")
        current = getattr(getattr(levers, group), name).value
        solara.Select(
            label=t(label, lang),
            values=[t(f"{prefix}_{x.value}", lang) for x in enum],
            value=t(f"{prefix}_{current}", lang),
            on_value=lambda v: change({group: {name: _back(v, enum, prefix, lang)}}),
        )

    choice("participation.timing")
    choice("participation.rung")
    solara.SelectMultiple(
        label=t("formats", lang),
        values=[t(f"format_{f.value}", lang) for f in part.formats],
        all_values=[t(f"format_{f.value}", lang) for f in Format],
        on_value=lambda vs: (
            vs
            and change(
                {"participation": {"formats": [_back(v, Format, "format", lang) for v in vs]}}
            )
        ),
    )
    solara.Checkbox(
        label=t("outreach", lang),
        value=part.outreach,
        on_value=lambda v: change({"participation": {"outreach": v}}),
    )
    choice("leadership.style")
    for budget in BUDGETS:
        group, name = budget.key.split(".")
        BudgetSlider(
            budget,
            getattr(getattr(levers, group), name),
            lang,
            lambda v, group=group, name=name: change({group: {name: v}}),
        )
    PercentSlider(
        t("responsiveness", lang),
        levers.administration.responsiveness,
        lang,
        lambda v: change({"administration": {"responsiveness": v}}),
    )
