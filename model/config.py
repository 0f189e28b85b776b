"""Scenario configuration: the validated input of a run.

A scenario is a TOML file (read with the standard library's ``tomllib``; nothing in it is
ever evaluated as code) validated by the pydantic models below with ``extra="forbid"``, so an
unknown or misspelt key is an error and not a silently ignored setting. Every parameter
carries its meaning, unit, allowed range and source in its field metadata; ``docs/ODD.md``
tables are generated from it (``coprod docs``), so code and documentation cannot drift.

Loading, inheritance (``extends``) and error reporting live in :mod:`model.scenario_files`.
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MONTH_PATTERN = re.compile(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")


def P(default: Any, *, unit: str, source: str, description: str, **kw) -> Any:
    """A documented model parameter: default, range, unit and source in one place."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **kw,
    )


def field_bounds(field) -> tuple[float | None, float | None]:
    """Lower and upper bound (inclusive or strict) declared on a pydantic field."""
    lo = hi = None
    for m in field.metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = getattr(m, attr)
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = getattr(m, attr)
    return lo, hi


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)


# --------------------------------------------------------------------------- enumerations


class Challenge(StrEnum):
    """The five challenges NRW municipalities name (MISSION.md)."""

    climate = "climate"
    services = "services"
    loneliness = "loneliness"
    public_places = "public_places"
    democracy = "democracy"


CHALLENGES: tuple[Challenge, ...] = tuple(Challenge)


class Rung(StrEnum):
    """Rungs of the participation ladder (after Arnstein 1969)."""

    inform = "inform"
    consult = "consult"
    co_design = "co_design"
    co_decide = "co_decide"


class Timing(StrEnum):
    """Early: goals and measures still open. Late: after the decision is taken."""

    early = "early"
    late = "late"


class Format(StrEnum):
    """Participation formats (MODEL.md, mechanism 1)."""

    open_consultation = "open_consultation"
    actor_forum = "actor_forum"
    citizens_assembly = "citizens_assembly"


class LeadershipStyle(StrEnum):
    """Annual praise (a volunteering day) versus everyday cooperation."""

    annual_praise = "annual_praise"
    everyday_cooperation = "everyday_cooperation"


class OrganisationKind(StrEnum):
    volunteer_agency = "volunteer_agency"
    association = "association"
    neighbourhood_initiative = "neighbourhood_initiative"
    cooperative = "cooperative"
    business = "business"


def _month(value: str) -> str:
    if not isinstance(value, str) or not MONTH_PATTERN.match(value):
        raise ValueError("a month written as 'YYYY-MM', e.g. '2027-03'")
    return value


Month = Annotated[str, Field(description="A calendar month, 'YYYY-MM'.", examples=["2027-03"])]


def month_index(start: str, month: str) -> int:
    """Steps from ``start`` to ``month`` (both 'YYYY-MM')."""
    y0, m0 = map(int, start.split("-"))
    y1, m1 = map(int, month.split("-"))
    return (y1 - y0) * 12 + (m1 - m0)


@functools.lru_cache(maxsize=4096)
def month_label(start: str, step: int) -> str:
    """The 'YYYY-MM' label of the month ``step`` months after ``start``."""
    y0, m0 = map(int, start.split("-"))
    total = y0 * 12 + (m0 - 1) + step
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


# --------------------------------------------------------------------------- run and city


class Run(Strict):
    """Length and resolution of a run."""

    start: Month = P(
        "2026-01",
        unit="YYYY-MM",
        source="MODEL.md: run from Jan 2026",
        description="First simulated month.",
    )
    months: int = P(
        120,
        ge=1,
        le=600,
        unit="months",
        source="MODEL.md: horizon of Cologne's 2035 climate target",
        description="Number of monthly steps.",
    )
    citizens: int = P(
        2000,
        ge=50,
        le=2_000_000,
        unit="agents",
        source="MODEL.md: few hundred (class) to full city",
        description="Number of citizen agents; each stands for population/citizens residents.",
    )
    burn_in_months: int = P(
        36,
        ge=0,
        le=240,
        unit="months",
        source="calibration (docs/calibration.md)",
        description="Months simulated before `start` under the status-quo levers (the "
        "defaults) and not recorded, so every scenario starts from today's city near the "
        "model's own equilibrium; the scenario's levers apply from `start`.",
    )

    @field_validator("start")
    @classmethod
    def _check_start(cls, v: str) -> str:
        return _month(v)


class City(Strict):
    """The population a run stands for (age 14+, the Freiwilligensurvey universe)."""

    name: str = Field("Köln", description="Name of the city, for labels.")
    population: int = P(
        1_080_000,
        ge=1_000,
        le=50_000_000,
        unit="residents",
        source="Stadt Köln, Statistisches Jahrbuch 2024 (rounded)",
        description="Residents the citizen agents stand for.",
    )
    education_shares: list[float] = P(
        [0.30, 0.32, 0.38],
        unit="fractions (low, middle, high)",
        source="Freiwilligensurvey 2019 sample by school education (approx.)",
        description="Shares of low / middle / high education; must sum to 1.",
        min_length=3,
        max_length=3,
    )
    age_shares: list[float] = P(
        [0.19, 0.30, 0.26, 0.13, 0.12],
        unit="fractions (14-29, 30-49, 50-64, 65-74, 75+)",
        source="Destatis population 14+ 2023 (approx.)",
        description="Shares of the five age groups; must sum to 1.",
        min_length=5,
        max_length=5,
    )
    migration_share: float = P(
        0.37,
        ge=0,
        le=1,
        unit="fraction",
        source="Stadt Köln Statistik 2023: ~40% of residents (approx.)",
        description="Share with a migration background.",
    )
    isolated_share: float = P(
        0.10,
        ge=0,
        le=0.5,
        unit="fraction",
        source="Einsamkeitsbarometer 2024 (BMFSFJ): 11% lonely (approx.)",
        description="Share of socially isolated citizens (few ties).",
    )
    neighbourhood_size: int = P(
        150,
        ge=10,
        le=10_000,
        unit="agents",
        source="modelling choice",
        description="Citizen agents per neighbourhood of the network.",
    )
    network_degree: int = P(
        10,
        ge=2,
        le=50,
        unit="ties",
        source="Dunbar-type sympathy group ~10-15 (Hill & Dunbar 2003)",
        description="Mean number of social ties of a non-isolated citizen.",
    )
    network_rewiring: float = P(
        0.1,
        ge=0,
        le=1,
        unit="probability",
        source="Watts & Strogatz 1998 small-world regime",
        description="Share of ties that leave the neighbourhood.",
    )

    @field_validator("education_shares", "age_shares")
    @classmethod
    def _sum_to_one(cls, v: list[float]) -> list[float]:
        if any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError(f"non-negative shares that sum to 1 (these sum to {sum(v):.4g})")
        return v


# --------------------------------------------------------------------------- levers


class Participation(Strict):
    """How the administration involves citizens in its decisions (mechanism 1)."""

    decisions_per_year: int = P(
        4,
        ge=0,
        le=24,
        unit="decisions/year",
        source="modelling choice: a few major decisions a year",
        description="Decisions on the challenges opened to participation "
        "each year (rotating over the five challenges).",
    )
    timing: Timing = P(
        Timing.late,
        unit="early | late",
        source="MODEL.md mechanism 1",
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
        source="MODEL.md mechanism 1",
        description="Formats used for each decision.",
        min_length=1,
    )
    duration_months: int = P(
        3,
        ge=1,
        le=24,
        unit="months",
        source="modelling choice",
        description="How long a participation process runs.",
    )
    outreach: bool = P(
        False,
        unit="bool",
        source="Bürgerrat Klima 2021; MODEL.md",
        description="Personal outreach to silent groups in every process.",
    )
    assembly_invitations: int = P(
        3000,
        ge=10,
        le=200_000,
        unit="letters (real residents)",
        source="Bürgerrat Klima 2021 (~ several thousand letters)",
        description="Invitation letters sent for a citizens' assembly.",
    )
    assembly_size: int = P(
        160,
        ge=10,
        le=2_000,
        unit="members (real residents)",
        source="Bürgerrat Klima 2021: 160 members",
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
        source="modelling choice (cooperative office)",
        description="Cooperative participation office.",
    )
    outreach_eur: float = P(
        0,
        ge=0,
        le=50_000_000,
        unit="EUR/year",
        source="modelling choice (outreach staff, ~60k EUR per post)",
        description="Outreach staff who ask silent groups in person.",
    )
    admin_training_eur: float = P(
        50_000,
        ge=0,
        le=50_000_000,
        unit="EUR/year",
        source="modelling choice",
        description="Training the administration for cooperation.",
    )


class Leadership(Strict):
    """Leadership style of mayor and administration (mechanism 7)."""

    style: LeadershipStyle = P(
        LeadershipStyle.annual_praise,
        unit="annual_praise | everyday_cooperation",
        source="MISSION.md (seed article)",
        description="Praise once a year, or cooperate every day.",
    )
    volunteering_day_month: int = P(
        12,
        ge=1,
        le=12,
        unit="month of year",
        source="International Volunteer Day, 5 December",
        description="Month of the annual volunteering day.",
    )


class Administration(Strict):
    """The administration and council (mechanisms 1, 5, 7)."""

    responsiveness: float = P(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source="modelling choice; Christensen et al. 2020",
        description="How visibly citizen input is taken up.",
    )
    council_compromise: float = P(
        0.5,
        ge=0,
        le=1,
        unit="probability",
        source="modelling choice",
        description="Probability the council adopts a proposal.",
    )
    competence: float = P(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source="modelling choice",
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
        source="calibration",
        description="Volunteer places offered relative to today's "
        "engaged; capacity constrains joining.",
    )
    management_quality: float = P(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source="modelling choice; Studer & von Schnurbein 2013",
        description="Quality of volunteer management without agency support.",
    )


# --------------------------------------------------------------------------- behaviour


class Behaviour(Strict):
    """Behavioural parameters of citizens: calibrated (docs/calibration.md) or assumed."""

    open_base: float = P(
        -4.74,
        ge=-10,
        le=5,
        unit="logit/month",
        source="calibration",
        description="Intercept of becoming open (willing) each month.",
    )
    open_interest: float = P(
        2.0,
        ge=0,
        le=10,
        unit="logit per unit interest",
        source="Verba et al. 1995 (engagement)",
        description="Effect of interest on becoming open.",
    )
    open_ownership: float = P(
        2.5,
        ge=0,
        le=10,
        unit="logit per unit ownership",
        source="Tyler 2006; MODEL.md mechanism 4",
        description="Effect of ownership from early participation.",
    )
    open_disappointment: float = P(
        2.5,
        ge=0,
        le=10,
        unit="logit per unit",
        source="Christensen et al. 2020",
        description="Effect of disappointment against openness.",
    )
    open_lapse: float = P(
        0.035,
        ge=0,
        le=0.5,
        unit="probability/month",
        source="calibration",
        description="Monthly chance an open citizen loses the willingness.",
    )
    asked_opens: float = P(
        0.2,
        ge=0,
        le=1,
        unit="probability",
        source="calibration",
        description="Chance that being asked makes an inactive citizen open.",
    )
    join_base: float = P(
        -7.02,
        ge=-10,
        le=5,
        unit="logit/month",
        source="calibration",
        description="Intercept of an open citizen joining unasked.",
    )
    join_education: list[float] = P(
        [0.0, 0.05, 0.52],
        unit="logit (low, middle, high)",
        source="Verba et al. 1995 (resources); calibration",
        description="Education effect on joining (skills).",
        min_length=3,
        max_length=3,
    )
    join_age: list[float] = P(
        [0.0, 0.45, 0.15, 0.0, -0.8],
        unit="logit (14-29, 30-49, 50-64, 65-74, 75+)",
        source="set by hand to the FWS 2019 age profile (30-49 highest, 75+ lowest; approx.)",
        description="Life-stage effect on joining beyond disposable time: family and school "
        "life draws people in mid-life, health limits the very old.",
        min_length=5,
        max_length=5,
    )
    join_time: float = P(
        1.0,
        ge=0,
        le=10,
        unit="logit per unit time",
        source="Verba et al. 1995 (resources)",
        description="Effect of disposable time on joining.",
    )
    join_efficacy: float = P(
        1.0,
        ge=0,
        le=10,
        unit="logit per unit efficacy",
        source="Verba et al. 1995",
        description="Effect of efficacy.",
    )
    join_asked: float = P(
        2.70,
        ge=0,
        le=10,
        unit="logit",
        source="Freeman 1997; calibration",
        description="Effect of being asked this month on joining.",
    )
    join_ownership: float = P(
        2.0,
        ge=0,
        le=10,
        unit="logit per unit",
        source="Tyler 2006",
        description="Effect of ownership on joining.",
    )
    join_social: float = P(
        1.5,
        ge=0,
        le=10,
        unit="logit per share of engaged ties",
        source="Granovetter 1978",
        description="Social influence on joining.",
    )
    join_matching: float = P(
        1.2,
        ge=0,
        le=10,
        unit="logit at full matching",
        source="bagfa; MODEL.md mechanism 6",
        description="Effect of agency matching on joining unasked.",
    )
    ask_per_engaged_tie: float = P(
        0.012,
        ge=0,
        le=1,
        unit="probability/month per engaged tie",
        source="calibration",
        description="Neighbours asking.",
    )
    org_asks_per_place: float = P(
        0.25,
        ge=0,
        le=5,
        unit="asks/month per free place",
        source="calibration",
        description="Organisations asking.",
    )
    silent_reach: float = P(
        0.35,
        ge=0,
        le=1,
        unit="relative reach",
        source="MODEL.md; Smith 1994",
        description="Reach of open calls and asks to silent groups.",
    )
    silent_asked_response: float = P(
        1.6,
        ge=1,
        le=5,
        unit="multiplier",
        source="MODEL.md: silent respond more to being asked",
        description="Extra response of silent groups when asked in person (outreach).",
    )
    contact_cost_eur: float = P(
        40,
        ge=1,
        le=1000,
        unit="EUR per personal contact",
        source="modelling choice (outreach staff time)",
        description="Cost of one outreach contact.",
    )
    exit_life: float = P(
        0.008,
        ge=0,
        le=0.5,
        unit="probability/month",
        source="Freiwilligensurvey 2019 (reasons for ending: time, job, family, moving dominate)",
        description="Exit for life reasons (job, moving, family); the city cannot change it.",
    )
    exit_voluntary: float = P(
        0.005,
        ge=0,
        le=0.5,
        unit="probability/month",
        source="Allen & Mueller 2013; modelling choice",
        description="Exit by choice (lost motivation, little recognition); lowered by recognition "
        "and ownership.",
    )
    exit_disappointment: float = P(
        0.03,
        ge=0,
        le=0.5,
        unit="probability/month per unit",
        source="Christensen et al. 2020",
        description="Extra exit with disappointment.",
    )
    energy_load: float = P(
        0.06,
        ge=0,
        le=1,
        unit="energy per month at full load",
        source="Allen & Mueller 2013; modelling choice",
        description="Energy drain.",
    )
    energy_recovery: float = P(
        0.08,
        ge=0,
        le=1,
        unit="fraction of deficit per month",
        source="modelling choice",
        description="Energy recovery.",
    )
    exhaustion_threshold: float = P(
        0.2,
        ge=0,
        le=1,
        unit="energy",
        source="modelling choice",
        description="Energy below which a volunteer burns out.",
    )
    trust_rate: float = P(
        0.15,
        ge=0,
        le=1,
        unit="fraction per experience",
        source="Tyler 2006",
        description="Trust update speed.",
    )
    negativity_bias: float = P(
        2.0,
        ge=1,
        le=5,
        unit="ratio",
        source="Baumeister et al. 2001",
        description="Disappointment weighs this much more than reward.",
    )
    # -- parameters of rule variants (used only when a scenario selects that variant) ------
    threshold_mean: float = P(
        0.35,
        ge=0,
        le=1,
        unit="share of ties",
        source="Granovetter 1978; modelling choice (not calibrated)",
        description="Rule variant joining = 'threshold': mean personal threshold, the share of "
        "one's ties who volunteer at which an open citizen joins.",
    )
    threshold_spread: float = P(
        0.6,
        ge=0,
        le=2,
        unit="share of ties",
        source="Granovetter 1978; modelling choice (not calibrated)",
        description="Rule variant joining = 'threshold': width of the uniform spread of "
        "personal thresholds around their mean.",
    )
    threshold_asked_drop: float = P(
        0.2,
        ge=0,
        le=1,
        unit="share of ties",
        source="modelling choice (not calibrated)",
        description="Rule variant joining = 'threshold': being asked lowers one's threshold by "
        "this much.",
    )
    threshold_rate: float = P(
        0.1,
        ge=0,
        le=1,
        unit="probability/month",
        source="modelling choice (not calibrated)",
        description="Rule variant joining = 'threshold': monthly chance that an open citizen "
        "above their threshold acts on it.",
    )
    burnout_hazard: float = P(
        0.0004,
        ge=0,
        le=0.5,
        unit="probability/month",
        source="matched to the energy rule at baseline (0.00042 burnouts per volunteer-month; "
        "5,000 citizens, 60 months, seed 11)",
        description="Rule variant exhaustion = 'constant_hazard': monthly chance that a "
        "volunteer burns out, whatever their load.",
    )
    recovery_hazard: float = P(
        0.17,
        ge=0,
        le=1,
        unit="probability/month",
        source="matched to the energy rule at baseline (0.17 recoveries per exhausted "
        "citizen-month; 5,000 citizens, 60 months, seed 11)",
        description="Rule variant exhaustion = 'constant_hazard': monthly chance that an "
        "exhausted citizen has recovered and is open again.",
    )
    ownership_gain: float = P(
        0.6,
        ge=0,
        le=1,
        unit="ownership per process",
        source="Tyler 2006; MODEL.md mechanism 4",
        description="Ownership a participant gains at full influence.",
    )
    ownership_decay: float = P(
        0.03,
        ge=0,
        le=1,
        unit="fraction/month",
        source="modelling choice",
        description="Ownership fades.",
    )
    disappointment_gain: float = P(
        0.5,
        ge=0,
        le=1,
        unit="per unit broken promise",
        source="Christensen et al. 2020",
        description="Disappointment from token participation.",
    )
    disappointment_decay: float = P(
        0.03,
        ge=0,
        le=1,
        unit="fraction/month",
        source="modelling choice",
        description="Disappointment fades.",
    )
    spillover: float = P(
        0.3,
        ge=0,
        le=1,
        unit="fraction",
        source="MODEL.md mechanism 4",
        description="Ownership felt by ties of participants (people like them).",
    )
    recognition_praise: float = P(
        0.5,
        ge=0,
        le=1,
        unit="recognition",
        source="MISSION.md",
        description="Boost of a volunteering day.",
    )
    recognition_everyday: float = P(
        0.35,
        ge=0,
        le=1,
        unit="recognition",
        source="MISSION.md",
        description="Everyday recognition level.",
    )
    recognition_decay: float = P(
        0.5,
        ge=0,
        le=1,
        unit="fraction/month",
        source="modelling choice",
        description="Praise fades.",
    )


class Support(Strict):
    """How budgets turn into effects: saturating in euros per 1,000 residents (mechanism 6)."""

    agency_half_eur: float = P(
        500,
        gt=0,
        le=100_000,
        unit="EUR per 1,000 residents per year",
        source="modelling choice (bagfa: ~1 agency per 100-200k residents)",
        description="Agency budget giving 63% of the full agency effect.",
    )
    office_half_eur: float = P(
        300,
        gt=0,
        le=100_000,
        unit="EUR per 1,000 residents per year",
        source="modelling choice",
        description="Office budget giving 63% of the full office effect.",
    )
    training_half_eur: float = P(
        100,
        gt=0,
        le=100_000,
        unit="EUR per 1,000 residents per year",
        source="modelling choice",
        description="Training budget giving 63% of its full effect.",
    )
    consultation_rate: float = P(
        0.012,
        ge=0,
        le=1,
        unit="probability/month",
        source="modelling choice (~3% take part in a consultation)",
        description="Monthly chance an interested citizen joins an open consultation.",
    )
    forum_rate: float = P(
        0.08,
        ge=0,
        le=1,
        unit="probability/month",
        source="modelling choice",
        description="Monthly chance an engaged citizen represents an "
        "organisation in an actor forum.",
    )
    assembly_response: float = P(
        0.04,
        ge=0,
        le=1,
        unit="fraction of invited",
        source="Bürgerrat Klima 2021: ~4% registered",
        description="Response to a citizens' assembly invitation.",
    )
    assembly_outreach_boost: float = P(
        2.5,
        ge=1,
        le=10,
        unit="multiplier",
        source="aufsuchende Ansprache (e.g. Bürgerrat Forum Corona 2021); modelling choice",
        description="Response of silent groups with outreach.",
    )


class Challenges(Strict):
    """Initial values and dynamics of the five challenge indicators (mechanism 9).

    Illustrative, not calibrated: they show directions and orders of magnitude.
    """

    climate_start: float = P(
        0.40,
        ge=0,
        le=1,
        unit="share of the way to neutrality",
        source="Stadt Köln Klimabilanz (approx. 40% of CO2 cut vs 1990)",
        description="Progress toward climate neutrality at the start.",
    )
    climate_trend: float = P(
        0.0025,
        ge=0,
        le=0.05,
        unit="per month",
        source="modelling choice (federal/state policy)",
        description="Progress without co-production.",
    )
    services_start: float = P(
        0.75,
        ge=0,
        le=1,
        unit="fraction",
        source="modelling choice",
        description="Public-service coverage at the start.",
    )
    services_erosion: float = P(
        0.001,
        ge=0,
        le=0.05,
        unit="per month",
        source="modelling choice (staff shortage)",
        description="Monthly erosion of service coverage.",
    )
    places_start: float = P(
        0.60,
        ge=0,
        le=1,
        unit="fraction",
        source="modelling choice",
        description="Quality of public places at the start.",
    )
    places_wear: float = P(
        0.002,
        ge=0,
        le=0.05,
        unit="per month",
        source="modelling choice",
        description="Monthly wear of public places.",
    )
    effect_per_hour: float = P(
        0.004,
        ge=0,
        le=1,
        unit="per hour/resident/month",
        source="modelling choice",
        description="Effect of one co-produced hour per resident.",
    )
    loneliness_relief: float = P(
        0.01,
        ge=0,
        le=1,
        unit="per month engaged",
        source="Einsamkeitsbarometer 2024 (engagement protects)",
        description="Fall of an engaged citizen's loneliness.",
    )
    loneliness_drift: float = P(
        0.05,
        ge=0,
        le=1,
        unit="fraction of gap per month",
        source="modelling choice",
        description="Drift of loneliness toward the citizen's baseline.",
    )


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

    @field_validator("*")
    @classmethod
    def _registered(cls, name: str, info) -> str:
        from model.rules import registry

        return registry.check(info.field_name, name)


class ProcessSpec(Strict):
    """A one-off participation process started by a timeline entry."""

    topic: Challenge = P(
        Challenge.climate,
        unit="challenge",
        source="MODEL.md",
        description="What the decision is about.",
    )
    format: Format = P(
        Format.citizens_assembly,
        unit="format",
        source="MODEL.md",
        description="Format of the process.",
    )
    rung: Rung = P(Rung.co_design, unit="rung", source="Arnstein 1969", description="Rung.")
    timing: Timing = P(Timing.early, unit="early | late", source="MODEL.md", description="Timing.")
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
    description: str = Field("", description="What the scenario sets and why.")
    extends: str | None = Field(None, description="Name or path of a scenario to start from.")
    run: Run = Field(default_factory=Run)
    city: City = Field(default_factory=City)
    levers: Levers = Field(default_factory=Levers)
    organisations: Organisations = Field(default_factory=Organisations)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    support: Support = Field(default_factory=Support)
    challenges: Challenges = Field(default_factory=Challenges)
    rules: Rules = Field(default_factory=Rules)
    timeline: list[Intervention] = Field(default_factory=list)

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


def deep_merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into ``base``: tables merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def apply_levers(levers: Levers, partial: dict[str, Any]) -> Levers:
    """New validated ``Levers`` with ``partial`` (a nested dict) applied on top."""
    return Levers.model_validate(deep_merge(levers.model_dump(mode="json"), partial))
