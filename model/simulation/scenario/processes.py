"""What comes of a participation process: influence, adoption, and the projects it opens.

Each number here shapes ODD section 7.1 and is a prior for calibration and sensitivity
analysis: the range is what a sweep may vary it over.
"""

from __future__ import annotations

from pydantic import field_validator

from model.simulation.scenario.fields import P, Strict
from model.simulation.scenario.kinds import Rung


class Processes(Strict):
    """Influence participants get, adoption by the council, projects from co-design (7.1)."""

    rung_influence: dict[Rung, float] = P(
        {Rung.inform: 0.0, Rung.consult: 0.35, Rung.co_design: 0.75, Rung.co_decide: 1.0},
        unit="share of full influence, per rung",
        source=(
            "Arnstein 1969 (the order of the rungs); sizes: assumption, evenly spaced between "
            "no say (inform) and the decision (co-decide), consultation nearer the bottom as "
            "'tokenism' in Arnstein's terms"
        ),
        description="Influence each rung promises participants (the expectation e).",
    )
    late_influence: float = P(
        0.3,
        ge=0,
        le=1,
        unit="share of early influence",
        source=(
            "assumption: after the decision only details remain open (Schöffmann 2025); "
            "range 0.1-0.6 for sensitivity"
        ),
        description="Influence participation after the decision keeps, relative to early.",
    )
    rejected_trace: float = P(
        0.4,
        ge=0,
        le=1,
        unit="share of influence",
        source=(
            "Font et al. 2018 (proposals are often taken up in part, 'cherry-picking'); "
            "size: assumption"
        ),
        description="Share of influence that stays visible when the council rejects the proposals.",
    )
    influence_floor: float = P(
        0.4,
        ge=0,
        le=1,
        unit="share of influence",
        source=(
            "assumption: even an unresponsive administration shows part of what it took up "
            "(minutes, decisions); the rest depends on visible responsiveness"
        ),
        description="Share of influence participants see at zero visible responsiveness.",
    )
    early_adoption_boost: float = P(
        0.5,
        ge=0,
        le=2,
        unit="relative increase at full promised influence",
        source=(
            "assumption: proposals shaped early with the administration are easier to adopt "
            "(Font et al. 2018: uptake falls with cost and conflict with existing plans)"
        ),
        description="How much more likely the council adopts early, high-rung proposals.",
    )
    places_per_participant: float = P(
        0.5,
        ge=0,
        le=5,
        unit="volunteer places per new participant",
        source=(
            "assumption: measures citizens co-designed come with roles for carrying them out "
            "(Kommunen innovativ; Schöffmann 2025)"
        ),
        description="Places an adopted early co-designed measure opens, per participant "
        "not yet engaged.",
    )
    project_months: int = P(
        36,
        ge=1,
        le=240,
        unit="months",
        source="assumption: a typical funding period of neighbourhood projects (three years)",
        description="Lifetime of a project opened by a co-designed measure.",
    )

    project_continuation: float = P(
        0.35,
        ge=0,
        le=1,
        unit="probability",
        source=(
            "BGZ vor Ort 2022 (federal programme: projects with three-year funding ending "
            "2020/21: of 35 that answered, 6% continued fully, 51% in part, 17% stopped for "
            "lack of money, "
            "26% had planned to end); size: assumption between the full and the partial "
            "continuation, without support; range 0.1-0.6"
        ),
        description="Chance that a project carries on as a lasting organisation when its "
        "funding period ends, without support infrastructure.",
    )
    support_continuation: float = P(
        0.4,
        ge=0,
        le=1,
        unit="probability at full support",
        source=(
            "assumption: support structures anchor projects beyond their funding "
            "(Schöffmann 2025: process companions and anchor structures; in the BGZ programme "
            "municipal or Land funding carried 8 of 20 continuing projects); range 0-0.6"
        ),
        description="How much a fully funded agency and office (their mean effect) raise the "
        "chance that a project carries on.",
    )
    awareness: float = P(
        0.05,
        ge=0,
        le=1,
        unit="share of residents",
        source=(
            "assumption: local press and word of mouth carry the outcome of an ordinary "
            "process to about one resident in twenty; range 0.01-0.2"
        ),
        description="Share of residents who hear what became of an ordinary participation process.",
    )
    assembly_awareness: float = P(
        0.25,
        ge=0,
        le=1,
        unit="share of residents",
        source=(
            "assumption: assemblies draw more attention (almost half of Germans know what a "
            "Bürgerrat is, forsa 2023 for Mehr Demokratie); a local one reaches fewer; "
            "range 0.05-0.5"
        ),
        description="Share of residents who hear what became of a citizens' assembly.",
    )
    hearing_weight: float = P(
        0.5,
        ge=0,
        le=1,
        unit="share of a participant's trust update",
        source=(
            "Germann et al. 2024 (non-participants judge legitimacy by whether recommendations "
            "are honoured); van der Does & Jacquet 2023 (spill-over evidence is tentative); "
            "size: assumption"
        ),
        description="How strongly those who hear of a process update their trust, relative to "
        "its participants.",
    )
    policy_effect: float = P(
        0.01,
        ge=0,
        le=1,
        unit="share of the remaining gap at full influence",
        source=(
            "assumption: adopted proposals become measures of the administration that move "
            "their challenge a little; illustrative like the challenges (ODD 7.9)"
        ),
        description="How much an adopted process moves its challenge (climate, services, "
        "public places), per unit of visible influence.",
    )

    @field_validator("rung_influence")
    @classmethod
    def _every_rung(cls, v: dict) -> dict:
        missing = [r.value for r in Rung if r not in v]
        if missing:
            raise ValueError(f"a value for every rung (missing: {', '.join(missing)})")
        if any(not 0 <= x <= 1 for x in v.values()):
            raise ValueError("values between 0 and 1")
        return v
