"""How budgets turn into effects, and the dynamics of the five challenges."""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


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
