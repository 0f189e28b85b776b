"""What the levers cost: participation processes, everyday cooperation, the volunteering day.

Budgets of the support infrastructure (agencies, office, outreach, training) are levers in
euros already (``[levers.infrastructure]``); this table prices the levers that are not
budgets, so that no policy looks free. Staff time is priced at a municipal employer cost.
"""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


class Costs(Strict):
    """Prices of participation formats and of leadership styles (ODD 7.1, 7.7; indicator
    ``cost_eur``)."""

    staff_eur_per_year: float = P(
        89_500,
        ge=0,
        le=250_000,
        unit="EUR per full-time post per year",
        source=(
            "Landeshauptstadt Stuttgart 2021 (GRDrs 1246/2021): employer cost of one TVöD "
            "EG 13 post in 2022 (EG 9b about 72,000, EG 14 about 100,300: Landkreis Nienburg "
            "2024)"
        ),
        description="Employer cost of one full-time post in the administration.",
    )
    consultation_eur: float = P(
        15_000,
        ge=0,
        le=500_000,
        unit="EUR per process",
        source=(
            "assumption: about two staff months plus an online platform (CONSUL: about 11,000 "
            "EUR to set up and 6,000-8,000 EUR a year for a city of 75,000, Stadt Landshut "
            "2020) and publicity; range 5,000-60,000"
        ),
        description="Cost of an open consultation on one decision.",
    )
    forum_eur: float = P(
        60_000,
        ge=0,
        le=2_000_000,
        unit="EUR per process",
        source=(
            "assumption: a series of moderated workshops with 100-150 people; Bonn4Future "
            "(two years of forums of 100 citizens and about 50 stakeholders) was budgeted at "
            "about 720,000 EUR (Bundesstadt Bonn 2021); range 20,000-200,000"
        ),
        description="Cost of a broad actor forum on one decision.",
    )
    assembly_eur: float = P(
        250_000,
        ge=0,
        le=5_000_000,
        unit="EUR per assembly",
        source=(
            "Landeshauptstadt Stuttgart 2021 (climate citizens' assembly: about 434,500 EUR "
            "for 61 members, including one post); Stadt Erlangen 2020: 100,000 EUR; Stadt Köln "
            "2025a: 50,000 EUR without staff time; range 50,000-600,000"
        ),
        description="Cost of a local citizens' assembly (recruitment by lot, sessions, "
        "moderation, staff).",
    )
    codesign_factor: float = P(
        2.0,
        ge=1,
        le=10,
        unit="multiplier",
        source=(
            "assumption: co-design and co-decide need more sessions, drafting and feedback "
            "rounds than a consultation; range 1.5-4"
        ),
        description="Cost of a process at co-design or co-decide relative to the same format "
        "at consult or inform.",
    )
    early_factor: float = P(
        1.5,
        ge=1,
        le=10,
        unit="multiplier",
        source=(
            "assumption: early participation adds a phase for goals and measures before the "
            "decision (Schöffmann 2025); range 1.2-2.5"
        ),
        description="Cost of an early process relative to a late one.",
    )
    outreach_factor: float = P(
        1.3,
        ge=1,
        le=5,
        unit="multiplier",
        source=(
            "assumption: personal outreach (aufsuchende Ansprache) to silent groups adds "
            "staff time for recruitment; range 1.1-2"
        ),
        description="Cost of a process with outreach relative to one without.",
    )
    everyday_fte_per_100k: float = P(
        1.0,
        ge=0,
        le=20,
        unit="full-time posts per 100,000 residents",
        source=(
            "assumption: everyday cooperation needs liaison staff in the administration, about "
            "one post per 100,000 residents (eleven for Cologne's nine districts and the "
            "centre); range 0.3-3"
        ),
        description="Staff for everyday cooperation with civil society.",
    )
    praise_day_eur: float = P(
        30_000,
        ge=0,
        le=1_000_000,
        unit="EUR per volunteering day",
        source="assumption: a city-wide reception with awards once a year; range 5,000-100,000",
        description="Cost of the annual volunteering day under annual praise.",
    )
