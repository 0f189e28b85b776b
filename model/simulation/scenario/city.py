"""The run and the city it stands for: length, number of agents, population and its make-up."""

from __future__ import annotations

from pydantic import Field, field_validator

from model.simulation.scenario.fields import Month, P, Strict, _month


class Run(Strict):
    """Length and resolution of a run."""

    start: Month = P(
        "2026-01",
        unit="YYYY-MM",
        source=(
            "assumption: the first month after the call for a Verantwortungsgemeinschaft "
            "(Burmester 2025)"
        ),
        description="First simulated month.",
    )
    months: int = P(
        120,
        ge=1,
        le=600,
        unit="months",
        source="Cologne's target of climate neutrality by 2035 (Schöffmann 2025)",
        description="Number of monthly steps.",
    )
    citizens: int = P(
        2000,
        ge=50,
        le=2_000_000,
        unit="agents",
        source=(
            "assumption: a few hundred agents for a classroom, 2,000-10,000 for workshops and"
            " sweeps, one agent per resident for the full city"
        ),
        description="Number of citizen agents; each stands for population/citizens residents.",
    )
    burn_in_months: int = P(
        36,
        ge=0,
        le=240,
        unit="months",
        source=(
            "set by hand, not fitted (docs/calibration.md): three years let the start-up "
            "transients settle before 2026, the year the calibration is fitted to; the status "
            "quo's engagement still drifts down about one point over the next three years"
        ),
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
        source=(
            "assumption: blocks of 150 agents hold each citizen's ties (network_degree) with room "
            "for clustering and mild sorting by education; counted in agents, so a neighbourhood "
            "stands for population x 150 / citizens residents (81,000 at 2,000 agents)"
        ),
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

    silent_min_traits: int = P(
        2,
        ge=1,
        le=4,
        unit="traits (of 4)",
        source=(
            "assumption: open participation misses most those with several disadvantages at "
            "once (resources accumulate, Verba et al. 1995; Cologne's participatory budget "
            "drew too few people with low education, report-K 2011); with two of the four "
            "traits (low education, migration background, age 75+, isolation) about a fifth "
            "of residents, with one about two thirds"
        ),
        description="How many of the four traits make a citizen part of the silent groups.",
    )
    initial_engaged: list[float] = P(
        [0.246, 0.359, 0.455],
        min_length=3,
        max_length=3,
        unit="share engaged (low, middle, high education)",
        source="BMFSFJ/DZA 2025 (FWS 2024: 24.6 / 35.9 / 45.5%)",
        description="Engaged shares by education used to initialise citizens and to size "
        "organisations before the burn-in; the dynamics decide where the model settles.",
    )
    initial_open: float = P(
        0.41,
        ge=0,
        le=1,
        unit="share of the non-engaged",
        source="BMFSFJ/DZA 2025 (FWS 2024: 41% of the non-engaged are willing)",
        description="Share of the non-engaged who start open to engaging.",
    )
    initial_asked: float = P(
        0.5,
        ge=0,
        le=1,
        unit="share of the engaged",
        source="Simonson et al. 2022 (FWS: about half started because they were asked)",
        description="Share of the initially engaged recorded as having entered after being asked.",
    )
    initial_helping: float = P(
        0.33,
        ge=0,
        le=1,
        unit="share of citizens",
        source=(
            "Stiftung für Zukunftsfragen 2019 (Freizeitmonitor: 33% help neighbours at least "
            "once a month, n = 2,200, age 14+)"
        ),
        description="Share of citizens who help neighbours outside organisations at the start.",
    )

    @field_validator("education_shares", "age_shares")
    @classmethod
    def _sum_to_one(cls, v: list[float]) -> list[float]:
        if any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError(f"non-negative shares that sum to 1 (these sum to {sum(v):.4g})")
        return v
