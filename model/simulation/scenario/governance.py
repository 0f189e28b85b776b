"""How the administration's responsiveness and competence for cooperation change (ODD 7.7)."""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


class Governance(Strict):
    """Everyday cooperation, the office and training as they act on the administration."""

    everyday_responsiveness: float = P(
        0.25,
        ge=0,
        le=1,
        unit="share of the gap to full responsiveness",
        source=(
            "assumption: cooperating in everyday work makes the uptake of citizen input "
            "visible (Schöffmann 2025); range 0-0.5 for sensitivity"
        ),
        description="How much everyday cooperation closes the gap to full responsiveness.",
    )
    office_responsiveness: float = P(
        0.2,
        ge=0,
        le=1,
        unit="share of the gap at a full office effect",
        source=(
            "assumption: a participation office reports back what became of input "
            "(Schöffmann 2025: cooperative office for public participation)"
        ),
        description="How much a fully funded participation office closes the gap to full "
        "responsiveness.",
    )
    everyday_competence: float = P(
        0.01,
        ge=0,
        le=0.2,
        unit="share of the remaining gap per month",
        source="assumption: learning by doing; about a third of the gap closes in 3 years",
        description="Monthly growth of competence for cooperation from everyday cooperation.",
    )
    training_competence: float = P(
        0.02,
        ge=0,
        le=0.2,
        unit="share of the remaining gap per month, at a full training effect",
        source="assumption: twice the effect of everyday practice at a fully funded programme",
        description="Monthly growth of competence from administrative training.",
    )
    coproduction_competence: float = P(
        0.01,
        ge=0,
        le=0.2,
        unit="share of the remaining gap per concluded process",
        source="assumption: each co-design or co-decide process teaches the staff involved",
        description="Competence gained from each process at co-design or co-decide.",
    )
    competence_decay: float = P(
        0.011,
        ge=0,
        le=0.1,
        unit="fraction per month",
        source=(
            "assumption: staff turnover of about 12% a year; set so that the status-quo "
            "training budget holds competence at its initial value (stationary baseline)"
        ),
        description="Monthly loss of competence.",
    )
    success_floor: float = P(
        0.5,
        ge=0,
        le=1,
        unit="project success at zero competence",
        source=(
            "assumption: friction (delays, paperwork) at zero competence halves what "
            "volunteers' hours achieve"
        ),
        description="Success of co-production projects when the administration has no "
        "competence for cooperation (rises linearly to 1 at full competence).",
    )
    everyday_disappointment_fade: float = P(
        2.0,
        ge=1,
        le=10,
        unit="multiplier",
        source=(
            "assumption: regular contact gives the administration occasions to explain its "
            "decisions, so disappointment fades faster; range 1-4"
        ),
        description="How much faster disappointment fades under everyday cooperation.",
    )
