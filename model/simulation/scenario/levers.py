"""The levers: everything a city can decide, and the organisations it works with."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from model.simulation.scenario.fields import P, Strict
from model.simulation.scenario.kinds import (
    Format,
    LeadershipStyle,
    OrganisationKind,
    Rung,
    Timing,
)
from model.simulation.scenario.merge import deep_merge


class Participation(Strict):
    """How the administration involves citizens in its decisions (mechanism 1)."""

    decisions_per_year: int = P(
        4,
        ge=0,
        le=24,
        unit="decisions/year",
        source=(
            "assumption: a few major city-wide decisions a year, so that each of the five "
            "challenges is opened to participation about every 15 months; smaller local procedures "
            "are not modelled"
        ),
        description="Decisions on the challenges opened to participation "
        "each year (rotating over the five challenges).",
    )
    timing: Timing = P(
        Timing.late,
        unit="early | late",
        source=(
            "Schöffmann 2025 (participation in setting goals and designing measures, before "
            "the decision); default late: consultation after decisions is today's common "
            "practice"
        ),
        description="When citizens take part: while goals are open, or after.",
    )
    rung: Rung = P(
        Rung.consult,
        unit="inform | consult | co_design | co_decide",
        source="Arnstein 1969",
        description="How much influence participants get.",
    )
    formats: list[Format] = P(
        [Format.open_consultation],
        unit="list of formats",
        source=(
            "OECD 2020, Catching the Deliberative Wave (formats and sizes); Schöffmann 2025 "
            "(actor forums beyond expert bubbles, Bürgerräte)"
        ),
        description="Formats used for each decision.",
        min_length=1,
    )
    duration_months: int = P(
        3,
        ge=1,
        le=24,
        unit="months",
        source=(
            "Stadt Köln 2025b (first Cologne Bürgerrat: five sessions, March to May 2025); "
            "Bürgerrat Klima 2021 (April to June 2021); 3 months: assumption, a session phase of "
            "six to nine weeks plus reporting back"
        ),
        description="How long a participation process runs.",
    )
    outreach: bool = P(
        False,
        unit="bool",
        source=(
            "Bürgerrat Klima 2021 (recruitment with outreach to under-represented groups); "
            "default off: assumption, not a standing practice in Cologne"
        ),
        description="Personal outreach to silent groups in every process.",
    )
    assembly_invitations: int = P(
        7000,
        ge=10,
        le=200_000,
        unit="letters (real residents)",
        source=(
            "Stadt Köln 2025b (Cologne's first citizens' assembly: about 7,000 letters); "
            "Stuttgart 2022: 6,069"
        ),
        description="Invitation letters sent for a citizens' assembly.",
    )
    assembly_size: int = P(
        59,
        ge=10,
        le=2_000,
        unit="members (real residents)",
        source=(
            "Stadt Köln 2025b (59 members drawn, 55 took part); Stuttgart 2022: 61; national "
            "assemblies have 160"
        ),
        description="Members drawn from the respondents.",
    )


class Infrastructure(Strict):
    """Support infrastructure: budgets in euros per year (mechanism 6)."""

    volunteer_agency_eur: float = P(
        300_000,
        ge=0,
        le=50_000_000,
        unit="EUR/year",
        source="bagfa 2022: median agency ~50,000 EUR; Cologne several agencies (approx.)",
        description="Volunteer agencies (Freiwilligenagenturen).",
    )
    participation_office_eur: float = P(
        0,
        ge=0,
        le=50_000_000,
        unit="EUR/year",
        source=(
            "assumption: no office budget in the status quo; Cologne's cooperative office (since "
            "2019, Stadt Köln 2025a; budget not found) is not represented separately, whatever it "
            "does being absorbed in the calibrated status quo"
        ),
        description="Cooperative participation office.",
    )
    outreach_eur: float = P(
        0,
        ge=0,
        le=50_000_000,
        unit="EUR/year",
        source=(
            "assumption: no dedicated outreach posts in the status quo; a post costs about 72,300 "
            "EUR a year (EG 9c, Landkreis Nienburg 2024), so the 480,000 EUR of the infrastructure "
            "scenario pay six to seven posts"
        ),
        description="Outreach staff who ask silent groups in person.",
    )
    admin_training_eur: float = P(
        50_000,
        ge=0,
        le=50_000_000,
        unit="EUR/year",
        source=(
            "assumption: a small standing budget (46 EUR per 1,000 residents, 37% of the full "
            "training effect) that holds competence at its initial value "
            "(governance.competence_decay)"
        ),
        description="Training the administration for cooperation.",
    )


class Leadership(Strict):
    """Leadership style of mayor and administration (mechanism 7)."""

    style: LeadershipStyle = P(
        LeadershipStyle.annual_praise,
        unit="annual_praise | everyday_cooperation",
        source=(
            "Schöffmann 2025 (praise on the annual volunteering day versus cooperation in "
            "everyday work)"
        ),
        description="Praise once a year, or cooperate every day.",
    )
    volunteering_day_month: int = P(
        12,
        ge=1,
        le=12,
        unit="month of year",
        source=(
            "United Nations General Assembly resolution 40/212 (1985): International Volunteer "
            "Day, 5 December"
        ),
        description="Month of the annual volunteering day.",
    )


class Administration(Strict):
    """The administration and council (mechanisms 1, 5, 7)."""

    responsiveness: float = P(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=(
            "Germann et al. 2024 (mini-publics raise legitimacy mainly when their recommendations "
            "are honoured); Christensen et al. 2020 (acceptance follows outcomes more than "
            "procedures); size: assumption, of the order of the 30% of top proposals of Cologne's "
            "participatory budget 2010 implemented or still examined (report-K 2011)"
        ),
        description="How visibly citizen input is taken up.",
    )
    council_compromise: float = P(
        0.5,
        ge=0,
        le=1,
        unit="probability",
        source=(
            "Font et al. 2018 (adoption depends on a proposal's cost, its challenge to existing "
            "policy and its support in the municipality); size: assumption, an even chance, above "
            "the 15% of top proposals that Cologne's participatory budget 2010 saw implemented "
            "(report-K 2011)"
        ),
        description="Probability the council adopts a proposal.",
    )
    competence: float = P(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=(
            "assumption: somewhat below the middle; Cologne has had a cooperative participation "
            "office since 2019, but its participation guidelines apply to all council bodies only "
            "from November 2025 (Stadt Köln 2025a)"
        ),
        description="Initial competence for cooperation.",
    )


class Levers(Strict):
    """Everything a city can decide; the timeline can change any of it."""

    participation: Participation = Field(default_factory=Participation)
    infrastructure: Infrastructure = Field(default_factory=Infrastructure)
    leadership: Leadership = Field(default_factory=Leadership)
    administration: Administration = Field(default_factory=Administration)


class Organisations(Strict):
    """Organisations by kind (counts are real organisations per 100,000 residents)."""

    per_100k: dict[OrganisationKind, float] = P(
        {
            "volunteer_agency": 0.5,
            "association": 12.0,
            "neighbourhood_initiative": 4.0,
            "cooperative": 1.0,
            "business": 2.0,
        },
        unit="organisations per 100,000 residents",
        source="ZiviZ-Survey 2023 (scaled, approx.)",
        description="Number of organisations of each kind, scaled to the population.",
    )
    places_per_engaged: float = P(
        1.25,
        ge=0.5,
        le=5,
        unit="places per engaged",
        source=(
            "set by hand, not fitted (docs/calibration.md): a quarter more places than today's "
            "engaged, so that capacity limits joining without fixing the engaged shares; about "
            "four fifths of places are taken in the status quo"
        ),
        description="Volunteer places offered relative to today's "
        "engaged; capacity constrains joining.",
    )
    management_quality: float = P(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=(
            "Studer & von Schnurbein 2013 (coordination practices and attitudes toward volunteers "
            "shape their retention); size: assumption, halfway, so that agency support "
            "(support.partner_management_share) has room to raise it"
        ),
        description="Quality of volunteer management without agency support.",
    )


def apply_levers(levers: Levers, partial: dict[str, Any]) -> Levers:
    """New validated ``Levers`` with ``partial`` (a nested dict) applied on top."""
    return Levers.model_validate(deep_merge(levers.model_dump(mode="json"), partial))
