"""Behavioural parameters of citizens: calibrated (docs/calibration.md) or assumed.

One table of data: each field is one parameter with its unit, range and source.
"""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


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
        source=(
            "Tyler 2006 (procedural fairness raises willingness to cooperate); size: "
            "assumption, bounded by the calibration of the status quo"
        ),
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
        source=(
            "Speck et al. 2012 (Freiwilligenagenturen match open people to places); size: "
            "assumption"
        ),
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
        source=(
            "Smith 1994 (lower participation of lower-status groups); Simonson et al. 2022 "
            "(Freiwilligensurvey: engagement by education and migration); size: assumption"
        ),
        description="Reach of open calls and asks to silent groups.",
    )
    silent_asked_response: float = P(
        1.6,
        ge=1,
        le=5,
        unit="multiplier",
        source=(
            "Freeman 1997; Smith 1994 (being asked is the strongest predictor of starting, "
            "more so for those less often asked); size: assumption"
        ),
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
        source=(
            "Tyler 2006; Christensen et al. 2020 (taking part with visible influence raises "
            "acceptance of the outcome); size: assumption"
        ),
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
        source=(
            "assumption: people see others like them take part (homophily, McPherson et al. "
            "2001) and feel part of the measure, less than those who took part"
        ),
        description="Ownership felt by ties of participants (people like them).",
    )
    recognition_praise: float = P(
        0.5,
        ge=0,
        le=1,
        unit="recognition",
        source=(
            "Schöffmann 2025 (the annual volunteering day); size: assumption, a visible but "
            "short-lived lift in recognition"
        ),
        description="Boost of a volunteering day.",
    )
    recognition_everyday: float = P(
        0.35,
        ge=0,
        le=1,
        unit="recognition",
        source=(
            "Schöffmann 2025 (cooperation in everyday work); Studer & von Schnurbein 2013 "
            "(recognition and retention); size: assumption"
        ),
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
