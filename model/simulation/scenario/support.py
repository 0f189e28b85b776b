"""How budgets turn into effects, and the dynamics of the five challenges."""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


class Support(Strict):
    """How budgets and formats turn into effects (mechanisms 1 and 6); budgets saturate in
    euros per 1,000 residents."""

    agency_half_eur: float = P(
        500,
        gt=0,
        le=100_000,
        unit="EUR per 1,000 residents per year",
        source=(
            "assumption: 500 EUR per 1,000 residents (540,000 EUR a year for Cologne, about eleven "
            "agencies at the median budget of 50,000 EUR, Speck et al. 2021) give 63% of the full "
            "effect; today's 300,000 EUR give 43%"
        ),
        description="Agency budget giving 63% of the full agency effect.",
    )
    office_half_eur: float = P(
        300,
        gt=0,
        le=100_000,
        unit="EUR per 1,000 residents per year",
        source=(
            "assumption: 300 EUR per 1,000 residents (324,000 EUR a year for Cologne, about three "
            "and a half posts at 89,500 EUR, the EG 13 cost in Landeshauptstadt Stuttgart 2021) "
            "give 63% of the full office effect"
        ),
        description="Office budget giving 63% of the full office effect.",
    )
    training_half_eur: float = P(
        100,
        gt=0,
        le=100_000,
        unit="EUR per 1,000 residents per year",
        source=(
            "assumption: 100 EUR per 1,000 residents (108,000 EUR a year for Cologne) give 63% of "
            "the full effect, so the status-quo 50,000 EUR give 37% and 300,000 EUR give 94%"
        ),
        description="Training budget giving 63% of its full effect.",
    )
    consultation_rate: float = P(
        0.002,
        ge=0,
        le=1,
        unit="probability/month",
        source=(
            "set so that an open consultation of three months reaches about 0.2% of residents "
            "(about 2,200 in Cologne): Cologne's Leitlinien process drew about 2,000 (0.19%, "
            "Stadt Köln 2018), its first online dialogue 124 active users (Gruss 2019), its "
            "flagship participatory budget about 1% (report-K 2011); range 0.0002-0.01"
        ),
        description="Monthly chance that a fully interested, middle-educated citizen outside "
        "the silent groups takes part in an open consultation.",
    )
    forum_size: float = P(
        150,
        ge=0,
        le=100_000,
        unit="residents per forum",
        source=(
            "Bundesstadt Bonn 2021 (Bonn4Future climate forums: 100 citizens and about 50 "
            "organisation delegates); Erlangen 2022: 30 stakeholders and 25 citizens; "
            "range 30-500"
        ),
        description="Residents who take part in a broad actor forum on one decision "
        "(organisations send engaged members; an office opens it to willing citizens).",
    )
    assembly_response: float = P(
        0.13,
        ge=0,
        le=1,
        unit="fraction of invited",
        source=(
            "German letter funnels: Cologne 2025 19.9% (1,395 of about 7,000, Stadt Köln "
            "2025b), Stuttgart climate assembly 2022 13.9% (841 of 6,069), Bundestag "
            "Bürgerrat Ernährung 2023 11.5%, Berlin Klimabürger:innenrat 2022 8.5%; about "
            "the median, range 0.05-0.25"
        ),
        description="Response to a citizens' assembly invitation (at reference interest and "
        "middle education).",
    )
    assembly_outreach_boost: float = P(
        2.5,
        ge=1,
        le=10,
        unit="multiplier",
        source=(
            "Bürgerforum Corona 2021 (aufsuchende Ansprache); size: assumption, outreach lifts "
            "the response of a silent invitee with low education from half to about that of the "
            "middle tier (0.5 x 2.5 = 1.25, education_selection)"
        ),
        description="Response of silent groups with outreach.",
    )
    education_selection: list[float] = P(
        [0.5, 1.0, 1.7],
        min_length=3,
        max_length=3,
        unit="relative chance (low, middle, high education)",
        source=(
            "Smith 2009 (self-selected formats over-represent the educated); size: assumption, "
            "steeper than the engagement gradient of FWS 2024 (24.6 / 35.9 / 45.5%)"
        ),
        description="Self-selection into open formats and assembly responses by education.",
    )
    office_silent_reach: float = P(
        0.5,
        ge=0,
        le=1,
        unit="share of the silent groups' gap",
        source=(
            "assumption: an office with a civil-society part reaches beyond the usual "
            "participants (Schöffmann 2025)"
        ),
        description="How much of the silent groups' gap in open consultations a fully "
        "funded participation office closes.",
    )
    outreach_silent_reach: float = P(
        0.45,
        ge=0,
        le=1,
        unit="share of the silent groups' gap",
        source=(
            "assumption: personal outreach (aufsuchende Ansprache) closes a large part of the "
            "gap (Bürgerforum Corona 2021)"
        ),
        description="How much of the silent groups' gap in open consultations outreach closes.",
    )
    office_forum_open: float = P(
        0.25,
        ge=0,
        le=1,
        unit="share of the engaged members' rate",
        source=(
            "assumption: an office opens actor forums to unorganised willing citizens "
            "(Schöffmann 2025: beyond the expert bubbles)"
        ),
        description="Rate at which open (not engaged) citizens join an actor forum at a full "
        "office effect, relative to engaged members.",
    )
    assembly_reference_interest: float = P(
        0.5,
        gt=0,
        le=1,
        unit="interest (0-1)",
        source="assumption: the interest at which the invitation response equals "
        "assembly_response (about the mean interest)",
        description="Interest in the topic at which a citizen responds to an assembly "
        "invitation with the base response.",
    )
    min_invited_agents: int = P(
        200,
        ge=1,
        le=1_000_000,
        unit="agents",
        source=(
            "representation: small runs invite at least this many agents so that response "
            "rates can be measured; members are seated at the real scale"
        ),
        description="Fewest agents through whom the invitation funnel of a citizens' "
        "assembly is measured.",
    )
    agency_ask_boost: float = P(
        0.0,
        ge=0,
        le=5,
        unit="extra organisational asks at a full agency effect",
        source=(
            "assumption: 0, since the agencies' publicity is already counted in their "
            "placements (Speck et al. 2021: about 30-80 a year per agency), to which "
            "behaviour.join_matching is calibrated (docs/calibration.md); range 0-1 for "
            "sensitivity (1 doubles the organisations' asks)"
        ),
        description="How much a volunteer agency multiplies the asks organisations send "
        "(organisational asks x (1 + this x agency effect)).",
    )
    agency_load_relief: float = P(
        0.6,
        ge=0,
        le=1,
        unit="load relief at a full agency effect",
        source=(
            "assumption: agencies lower volunteers' load through matching and coordination "
            "(Studer & von Schnurbein 2013)"
        ),
        description="Load relief volunteers get from a fully funded volunteer agency.",
    )
    office_load_relief: float = P(
        0.2,
        ge=0,
        le=1,
        unit="load relief at a full office effect",
        source="assumption: an office takes paperwork off co-production projects",
        description="Load relief volunteers get from a fully funded participation office.",
    )
    partner_management_share: float = P(
        0.6,
        ge=0,
        le=1,
        unit="share of the agency's support",
        source=(
            "assumption: organisations other than agencies take up part of the agencies' "
            "advice on volunteer management (Speck et al. 2012)"
        ),
        description="Share of an agency's management support other organisations receive.",
    )
    management_adjust_rate: float = P(
        0.05,
        ge=0,
        le=1,
        unit="fraction per month",
        source="assumption: management practice changes over about two years",
        description="Monthly pull of an organisation's management quality toward its target.",
    )
    capacity_adjust_rate: float = P(
        0.05,
        ge=0,
        le=1,
        unit="fraction per month",
        source=(
            "assumption: places follow demand and management over about two years; ZiviZ-Survey "
            "2017 (Priemer et al. 2017): from 2012 to 2016 the number of volunteers stayed the "
            "same in 66% of organisations, rose in 20% and fell in 15%"
        ),
        description="Monthly pull of an organisation's places toward what it needs and can "
        "coordinate.",
    )
    vacancy_share: float = P(
        0.25,
        ge=0,
        le=2,
        unit="open places per member",
        source=(
            "ZiviZ-Survey 2012 and 2017 (most organisations, above all small ones, seek more "
            "volunteers than they find); size: assumption, a quarter more places than members, "
            "range 0.1-1"
        ),
        description="Places an organisation keeps open for newcomers, as a share of its members "
        "(of its founding places while it has fewer members).",
    )
    coordination_headroom: float = P(
        1.5,
        ge=1,
        le=10,
        unit="multiple of founding places",
        source=(
            "assumption: with unchanged volunteer management an organisation can take on half "
            "again as many volunteers as at founding; more needs more coordination (Studer & von "
            "Schnurbein 2013); range 1.1-3"
        ),
        description="Most volunteers an organisation can coordinate, relative to its founding "
        "places, at its founding management quality.",
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
        source=(
            "Bundes-Klimaschutzgesetz 2021 (65% below 1990 by 2030, 88% by 2040, neutral by 2045: "
            "2.3 points a year from 2030 to 2040); size: assumption, 3 points a year from federal "
            "and state policy, which reaches 0.70 by 2035, short of Cologne's target"
        ),
        description="Progress without co-production.",
    )
    services_start: float = P(
        0.75,
        ge=0,
        le=1,
        unit="fraction",
        source=(
            "assumption: an illustrative index, not a measured share: three quarters of the need "
            "for public services are met at the start, with room to erode and to improve"
        ),
        description="Public-service coverage at the start.",
    )
    services_erosion: float = P(
        0.001,
        ge=0,
        le=0.05,
        unit="per month",
        source=(
            "assumption: coverage erodes 1.2 points a year without co-production (staff shortage); "
            "the co-produced hours of the status quo make up about 70% of it at the start"
        ),
        description="Monthly erosion of service coverage.",
    )
    places_start: float = P(
        0.60,
        ge=0,
        le=1,
        unit="fraction",
        source=(
            "assumption: an illustrative quality index, not measured: public places start somewhat "
            "above the middle of the scale, below services_start"
        ),
        description="Quality of public places at the start.",
    )
    places_wear: float = P(
        0.002,
        ge=0,
        le=0.05,
        unit="per month",
        source=(
            "assumption: public places wear 2.4 points a year without upkeep, twice the erosion of "
            "services; the co-produced hours of the status quo make up about 60% of it at the "
            "start"
        ),
        description="Monthly wear of public places.",
    )
    effect_per_hour: float = P(
        0.004,
        ge=0,
        le=1,
        unit="per hour/resident/month",
        source=(
            "assumption: one co-produced hour per resident a month closes 0.4% of a challenge's "
            "remaining gap at full project success; today's hours (0.5-1.4 per resident a month "
            "per challenge) then make up most of the erosion and wear"
        ),
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
        source=(
            "BMFSFJ 2024, Einsamkeitsbarometer (lonely 7.6% in 2017, 28.2% in 2020, back to 11.3% "
            "in 2021); size: assumption, half of a deviation from one's baseline fades in about 13 "
            "months"
        ),
        description="Drift of loneliness toward the citizen's baseline.",
    )
    loneliness_visit_reach: float = P(
        10.0,
        ge=0,
        le=100,
        unit="visit chance per unit of loneliness effect",
        source="assumption: loneliness projects visit lonely residents in proportion to hours",
        description="Chance a lonely citizen is visited, per unit of the month's loneliness "
        "effect (capped at 1).",
    )
    loneliness_visit_relief: float = P(
        0.1,
        ge=0,
        le=1,
        unit="loneliness",
        source="assumption: one visit lifts loneliness by a tenth of its scale",
        description="Loneliness a visit removes.",
    )
    democracy_trust_gain: float = P(
        0.01,
        ge=0,
        le=1,
        unit="share of the trust gap per unit effect",
        source="assumption: democracy projects lift everyone's trust a little",
        description="Trust gained by everyone per unit of the month's democracy effect.",
    )
    lonely_threshold: float = P(
        0.5,
        ge=0,
        le=1,
        unit="loneliness (0-1)",
        source=(
            "BMFSFJ 2024, Einsamkeitsbarometer (a cut-off on a loneliness scale); the "
            "midpoint of the model's scale, with initial loneliness set so that about 10% "
            "are above it"
        ),
        description="Loneliness above which a citizen counts as lonely.",
    )
    satisfaction_trust_weight: float = P(
        0.7,
        ge=0,
        le=1,
        unit="weight of trust (efficacy has the rest)",
        source=(
            "assumption: satisfaction with local democracy follows trust in its institutions "
            "more than one's own efficacy"
        ),
        description="Weight of trust against efficacy in satisfaction with democracy.",
    )
    satisfaction_threshold: float = P(
        0.5,
        ge=0,
        le=1,
        unit="score (0-1)",
        source=(
            "assumption: the midpoint of the score; the baseline then starts near 45% (surveys: "
            "36-62% nationally in 2023, about 59% in the West in 2022)"
        ),
        description="Score above which a citizen counts as satisfied with democracy.",
    )
    satisfaction_spread: float = P(
        0.12,
        ge=0,
        le=1,
        unit="score (logistic scale)",
        source=(
            "set so that satisfaction with democracy moves about 1.2 points per point of mean "
            "trust, as the surveys' series moved together (forsa 2023: trust in city "
            "administrations -12 points in a year; Konrad-Adenauer-Stiftung 2023: satisfaction "
            "-14 points); without it a sharp cut-off on the score makes the share swing 2.7 "
            "points per point of trust; range 0-0.3"
        ),
        description="How gradually satisfaction rises with the score around the threshold: "
        "each citizen is satisfied with logistic((score - threshold) / spread); 0 is a sharp "
        "cut-off.",
    )
