"""Informal help: neighbourly help outside organisations (ODD 7.12)."""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


class InformalHelp(Strict):
    """Who helps neighbours without a place in an organisation, and what it does."""

    help_base: float = P(
        -4.525,
        ge=-20,
        le=20,
        unit="logit per month",
        source=(
            "fitted (docs/calibration.md) so that about a third of residents help neighbours at "
            "least once a month (Freizeitmonitor 2019: 33%, n = 2,200, age 14+)"
        ),
        description="Monthly log-odds that a citizen without helping ties or ownership starts "
        "helping neighbours.",
    )
    help_social: float = P(
        2.0,
        ge=0,
        le=10,
        unit="logit per share of helping ties",
        source=(
            "assumption: neighbourly help is reciprocal and spreads along ties (Vogel & "
            "Tesch-Römer 2017: informal help in the social vicinity); the same order as "
            "behaviour.join_social, range 0-4"
        ),
        description="How much helping ties raise the chance of starting to help.",
    )
    help_ownership: float = P(
        1.0,
        ge=0,
        le=10,
        unit="logit at full ownership",
        source=(
            "assumption: having shaped a measure for one's neighbourhood makes helping there "
            "more likely (the ownership of ODD 7.4); range 0-2"
        ),
        description="How much ownership raises the chance of starting to help.",
    )
    help_stop: float = P(
        1 / 24,
        ge=0,
        le=1,
        unit="probability/month",
        source=(
            "assumption: spells of regular neighbourly help last about two years on average "
            "(moves, changing needs); range 1/60-1/6"
        ),
        description="Monthly chance that a helper stops.",
    )
    help_relief: float = P(
        0.02,
        ge=0,
        le=1,
        unit="fraction of loneliness per month at all ties helping",
        source=(
            "Einsamkeitsbarometer 2024 (contact protects against loneliness); size: assumption, "
            "twice the relief of one's own engagement (challenges.loneliness_relief) when every "
            "tie helps"
        ),
        description="Monthly fall of loneliness per share of ties who help neighbours.",
    )
