"""The kinds a scenario chooses from: challenges, rungs, timings, formats, styles, organisations.

These are names, not parameters: they fix the state codes of the model.
"""

from __future__ import annotations

from enum import StrEnum


class Challenge(StrEnum):
    """The five challenges municipalities in NRW name (Kommunen innovativ; Schöffmann 2025)."""

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
    """Participation formats (OECD 2020, *Catching the Deliberative Wave*; ODD 7.1)."""

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
