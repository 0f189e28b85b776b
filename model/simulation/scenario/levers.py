"""The levers: everything a city can decide, and the organisations it works with."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from model.simulation.scenario.fields import P, Strict
from model.simulation.scenario.kinds import (
    CHALLENGES,
    Challenge,
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
    places_weight: dict[OrganisationKind, float] = P(
        {
            "volunteer_agency": 0.3,
            "association": 3.0,
            "neighbourhood_initiative": 1.0,
            "cooperative": 2.0,
            "business": 1.0,
        },
        unit="relative volunteer places per organisation",
        source=(
            "assumption: associations are the largest hosts of volunteers (ZiviZ-Survey 2017: "
            "most engagement happens in associations); cooperatives count their active members "
            "(DGRV 2024: about 230 members per energy cooperative, few of them active); agencies "
            "broker rather than host volunteers"
        ),
        description="Relative number of volunteer places of an organisation of each kind at "
        "founding (each organisation also gets a random log-normal size).",
    )
    focus_weight: dict[OrganisationKind, list[float]] = P(
        {
            "volunteer_agency": [1, 1, 1, 1, 1],
            "association": [1, 2, 2, 1, 1],
            "neighbourhood_initiative": [1, 1, 2, 3, 1],
            "cooperative": [3, 2, 0.5, 1, 0.5],
            "business": [2, 1, 0.5, 2, 0.5],
        },
        unit="relative chance of each challenge (climate, services, loneliness, public places, "
        "democracy)",
        source=(
            "assumption from the fields organisations name: cooperatives mostly in energy (28%) "
            "and local supply (20%) (survey of Daseinsvorsorge cooperatives 2017), neighbourhood "
            "initiatives in public places and neighbourly help, associations in social services "
            "(ZiviZ-Survey 2017)"
        ),
        description="Which challenges organisations of each kind work on.",
    )
    cooperative_topics: list[Challenge] = P(
        ["climate", "services"],
        unit="challenges",
        source=(
            "survey of Daseinsvorsorge cooperatives 2017 (energy 28%, local supply 20%); DGRV "
            "2024 (951 energy cooperatives, about half of the new ones run heat networks)"
        ),
        description="Challenges on which an adopted co-designed measure becomes a cooperative "
        "(on the others, a neighbourhood initiative).",
    )
    cooperative_ownership: float = P(
        0.5,
        ge=0,
        le=1,
        unit="ownership (0-1)",
        source=(
            "assumption: members own a share and vote equally (one member, one vote, GenG "
            "section 43), so their ownership of the common measure does not fade below this "
            "while they are members; range 0-0.8"
        ),
        description="Least ownership of an engaged member of a cooperative.",
    )
    cooperative_continuation: float = P(
        0.9,
        ge=0,
        le=1,
        unit="probability",
        source=(
            "cooperatives finance themselves from members' shares and sales: 2.6-3.3% of German "
            "cooperatives are deleted from the register a year (Bundesregierung 2018, 209-266 of "
            "about 8,000), insolvencies 0.1% (Creditreform 2018); size: assumption, range "
            "0.7-0.97"
        ),
        description="Chance a cooperative founded as a project carries on when its funding "
        "ends (other projects: processes.project_continuation).",
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

    @field_validator("places_weight")
    @classmethod
    def _positive_places(cls, v: dict) -> dict:
        if any(not w > 0 for w in v.values()):
            raise ValueError(f"a positive weight for every kind (given {dict(v)})")
        return v

    @field_validator("focus_weight")
    @classmethod
    def _focus_over_challenges(cls, v: dict) -> dict:
        for kind, weights in v.items():
            if len(weights) != len(CHALLENGES) or any(not w >= 0 for w in weights):
                raise ValueError(
                    f"{kind}: {len(CHALLENGES)} non-negative weights, one per challenge "
                    f"({', '.join(CHALLENGES)}); given {list(weights)}"
                )
            if sum(weights) <= 0:
                raise ValueError(f"{kind}: at least one positive weight; given {list(weights)}")
        return v


def apply_levers(levers: Levers, partial: dict[str, Any]) -> Levers:
    """New validated ``Levers`` with ``partial`` (a nested dict) applied on top."""
    return Levers.model_validate(deep_merge(levers.model_dump(mode="json"), partial))
