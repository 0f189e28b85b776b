"""Behavioural parameters of citizens: calibrated (docs/calibration.md) or assumed.

One table of data: each field is one parameter with its unit, range and source.
"""

from __future__ import annotations

from model.simulation.scenario.fields import P, Strict


class Behaviour(Strict):
    """Behavioural parameters of citizens: calibrated (docs/calibration.md) or assumed."""

    open_base: float = P(
        -4.756,
        ge=-10,
        le=5,
        unit="logit/month",
        source="calibration (docs/calibration.md)",
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
        source=(
            "set by hand, not fitted, to reproduce with open_base the 41% open share among the "
            "non-engaged (docs/calibration.md): willingness lasts 29 months on average"
        ),
        description="Monthly chance an open citizen loses the willingness.",
    )
    asked_opens: float = P(
        0.2,
        ge=0,
        le=1,
        unit="probability",
        source=(
            "set by hand, not fitted, to reproduce with join_asked the half of entries that follow "
            "an ask (docs/calibration.md): one ask in five makes an inactive citizen open"
        ),
        description="Chance that being asked makes an inactive citizen open.",
    )
    join_base: float = P(
        -6.27,
        ge=-10,
        le=5,
        unit="logit/month",
        source="calibration (docs/calibration.md)",
        description="Intercept of an open citizen joining unasked.",
    )
    join_education: list[float] = P(
        [0.0, 0.229, 0.666],
        unit="logit (low, middle, high)",
        source="Verba et al. 1995 (resources); middle and high: calibration (docs/calibration.md)",
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
    join_migration: float = P(
        -1.137,
        ge=-5,
        le=5,
        unit="logit",
        source=(
            "calibration (docs/calibration.md) to the engagement of people with a migration "
            "background (FWS 2024: 28.4% against 36.7% overall; BMFSFJ/DZA 2025)"
        ),
        description="Effect of a migration background on joining, beyond being asked less.",
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
        2.182,
        ge=0,
        le=10,
        unit="logit",
        source="Freeman 1997; calibration (docs/calibration.md)",
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
        0.0241,
        ge=0,
        le=10,
        unit="logit at full matching",
        source=(
            "fitted (docs/calibration.md) so that the entries agency matching adds come to about "
            "50 a year per 50,000 EUR of agency budget (Speck et al. 2021: about 30-80 "
            "placements a year per agency, median budget about 50,000 EUR)"
        ),
        description="Effect of agency matching on joining unasked.",
    )
    ask_per_engaged_tie: float = P(
        0.012,
        ge=0,
        le=1,
        unit="probability/month per engaged tie",
        source=(
            "set by hand, not fitted, to reproduce with join_asked the half of entries that follow "
            "an ask (docs/calibration.md): a citizen with three or four engaged ties is asked by "
            "one of them with about 4% a month"
        ),
        description="Neighbours asking.",
    )
    org_asks_per_member: float = P(
        0.075,
        ge=0,
        le=5,
        unit="asks/month per volunteer of an organisation with a free place",
        source=(
            "set by hand, not fitted, to reproduce with join_asked the half of entries that follow "
            "an ask (docs/calibration.md; Freeman 1997: many volunteer only when asked): an "
            "organisation with room asks about one citizen a month for every 13 volunteers it "
            "has; range 0.02-0.3"
        ),
        description="Organisations asking: asks a month per volunteer of an organisation that "
        "has a free place.",
    )
    ask_migration: float = P(
        0.8,
        ge=0,
        le=1,
        unit="relative visibility",
        source=(
            "assumption: organisations' recruitment networks reach people with a migration "
            "background less (22.1% of those active in formal structures have one, against "
            "about a third of the population; Simonson et al. 2022); the rest of the gap is "
            "fitted in join_migration; range 0.5-1"
        ),
        description="How visible citizens with a migration background are to organisations "
        "that ask, relative to others.",
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
        source=(
            "Landkreis Nienburg 2024 (an EG 9c post costs about 72,300 EUR a year); assumption: an "
            "outreach post makes about 1,800 personal contacts a year, some eight per working day"
        ),
        description="Cost of one outreach contact.",
    )
    exit_life: float = P(
        0.008,
        ge=0,
        le=0.5,
        unit="probability/month",
        source=(
            "Freiwilligensurvey 2019 (reasons for ending: time, job, family, moving dominate); "
            "size: assumption, about 9% of volunteers a year"
        ),
        description="Exit for life reasons (job, moving, family); the city cannot change it.",
    )
    exit_voluntary: float = P(
        0.005,
        ge=0,
        le=0.5,
        unit="probability/month",
        source=(
            "Allen & Mueller 2013 (lack of voice and unclear roles drive volunteers' intention to "
            "quit); size: assumption, about 6% of volunteers a year, which with exit_life and "
            "burnout gives about 16% a year in the status quo (indicator annual_exit_rate), half "
            "the US rate (CNCS 2007: one in three volunteers stopped within a year)"
        ),
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
        source=(
            "Allen & Mueller 2013 (burnout drives volunteers' intention to quit); size: "
            "assumption, with energy_recovery a volunteer at full load and without relief settles "
            "at energy 0.25 (1-0.06/0.08), just above exhaustion_threshold, so only overload burns "
            "people out"
        ),
        description="Energy drain.",
    )
    energy_recovery: float = P(
        0.08,
        ge=0,
        le=1,
        unit="fraction of deficit per month",
        source=(
            "assumption: a volunteer regains 8% of the energy deficit a month (half in about eight "
            "months); the exhausted recover twice as fast and are open again after about six "
            "months, as with recovery_hazard"
        ),
        description="Energy recovery.",
    )
    exhaustion_threshold: float = P(
        0.2,
        ge=0,
        le=1,
        unit="energy",
        source=(
            "assumption: burnout once four fifths of energy are spent; with energy_load and "
            "energy_recovery only a sustained load above about 1.07 without relief gets there, "
            "about 0.5% of volunteers a year in the status quo (see burnout_hazard)"
        ),
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
        source=(
            "Granovetter 1978 (a personal threshold: the share of others acting at which one "
            "joins); size: assumption, near the engaged share of the status quo (about 36%), so an "
            "open citizen with a typical network is near the threshold; not calibrated"
        ),
        description="Rule variant joining = 'threshold': mean personal threshold, the share of "
        "one's ties who volunteer at which an open citizen joins.",
    )
    threshold_spread: float = P(
        0.6,
        ge=0,
        le=2,
        unit="share of ties",
        source=(
            "Granovetter 1978 (the spread of thresholds decides whether joining cascades); size: "
            "assumption, personal thresholds spread evenly from 0.05 to 0.65; not calibrated"
        ),
        description="Rule variant joining = 'threshold': width of the uniform spread of "
        "personal thresholds around their mean.",
    )
    threshold_asked_drop: float = P(
        0.2,
        ge=0,
        le=1,
        unit="share of ties",
        source=(
            "Freeman 1997 (many volunteer only when asked); size: assumption, being asked counts "
            "as much as a fifth more of one's ties volunteering; not calibrated"
        ),
        description="Rule variant joining = 'threshold': being asked lowers one's threshold by "
        "this much.",
    )
    threshold_rate: float = P(
        0.1,
        ge=0,
        le=1,
        unit="probability/month",
        source=(
            "assumption: an open citizen above the threshold acts on it within ten months on "
            "average (72% within a year); not calibrated"
        ),
        description="Rule variant joining = 'threshold': monthly chance that an open citizen "
        "above their threshold acts on it.",
    )
    burnout_hazard: float = P(
        0.0004,
        ge=0,
        le=0.5,
        unit="probability/month",
        source=(
            "calibrated to the default energy rule, not to data: 0.00042 burnouts per "
            "volunteer-month at baseline (5,000 citizens, 60 months, seed 11)"
        ),
        description="Rule variant exhaustion = 'constant_hazard': monthly chance that a "
        "volunteer burns out, whatever their load.",
    )
    recovery_hazard: float = P(
        0.17,
        ge=0,
        le=1,
        unit="probability/month",
        source=(
            "calibrated to the default energy rule, not to data: 0.17 recoveries per exhausted "
            "citizen-month at baseline (5,000 citizens, 60 months, seed 11)"
        ),
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
        source=(
            "assumption: ownership of a measure halves in about two years (0.97^23 = 0.50), so it "
            "lasts through most of a three-year project (processes.project_months)"
        ),
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
        source=(
            "assumption: disappointment from a broken promise halves in about two years, like "
            "ownership (in about one year under everyday cooperation, "
            "governance.everyday_disappointment_fade)"
        ),
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
        source=(
            "assumption: praise from the volunteering day halves every month (0.5 in December, "
            "0.06 by March), so annual praise averages about 0.08 over a year against 0.35 under "
            "everyday cooperation"
        ),
        description="Praise fades.",
    )
    disappointment_lapse: float = P(
        2.0,
        ge=0,
        le=10,
        unit="relative increase per unit disappointment",
        source=(
            "assumption: a broken promise makes willing citizens give up sooner; at full "
            "disappointment willingness lapses three times as fast; range 0-5"
        ),
        description="How much disappointment speeds up the lapse of willingness.",
    )
    hours_median: float = P(
        2.0,
        gt=0,
        le=20,
        unit="hours per week",
        source=(
            "Simonson et al. 2022 (FWS 2019: about 60% of the engaged give up to 2 hours a "
            "week, 24% 3-5 hours, 16% 6 or more)"
        ),
        description="Median weekly hours of a new volunteer with average disposable time.",
    )
    hours_spread: float = P(
        1.0,
        ge=0,
        le=3,
        unit="standard deviation of log hours",
        source="Simonson et al. 2022 (FWS 2019 hours distribution, see hours_median)",
        description="Spread of new volunteers' weekly hours (log-normal).",
    )
    load_hours_base: float = P(
        2.0,
        gt=0,
        le=40,
        unit="hours per week",
        source="assumption: the weekly hours anyone can give without strain",
        description="Weekly hours a volunteer with no disposable time carries at load 1.",
    )
    load_hours_per_time: float = P(
        10.0,
        ge=0,
        le=40,
        unit="hours per week per unit of disposable time",
        source="assumption: at full disposable time, 12 hours a week are a full load",
        description="Extra weekly hours at load 1 per unit of disposable time.",
    )
    load_relief_drain: float = P(
        0.5,
        ge=0,
        le=1,
        unit="share of drain removed at full relief",
        source="assumption: support halves the strain at most (Studer & von Schnurbein 2013)",
        description="How much load relief from agency and office lowers energy drain.",
    )
    management_drain: float = P(
        0.5,
        ge=0,
        le=1,
        unit="share of drain removed at full management quality",
        source=("Studer & von Schnurbein 2013 (coordination lowers strain); size: assumption"),
        description="How much an organisation's volunteer management lowers energy drain.",
    )
    recognition_drain: float = P(
        0.3,
        ge=0,
        le=1,
        unit="share of drain removed at full recognition",
        source="Studer & von Schnurbein 2013 (recognition); size: assumption",
        description="How much recognition lowers energy drain.",
    )
    recognition_exit: float = P(
        0.4,
        ge=0,
        le=1,
        unit="share of voluntary exit removed at full recognition",
        source=(
            "Studer & von Schnurbein 2013; Hager & Brudney 2004 (recognition and retention); "
            "size: assumption"
        ),
        description="How much recognition lowers the voluntary exit hazard.",
    )
    ownership_exit: float = P(
        0.5,
        ge=0,
        le=1,
        unit="share of voluntary exit removed at full ownership",
        source="Tyler 2006 (ownership keeps people carrying a measure); size: assumption",
        description="How much ownership of a measure lowers the voluntary exit hazard.",
    )
    exhausted_recovery: float = P(
        2.0,
        ge=1,
        le=10,
        unit="multiplier",
        source="assumption: the exhausted are out and recover faster than those still active",
        description="How much faster exhausted citizens recover energy.",
    )
    recovered_energy: float = P(
        0.7,
        ge=0,
        le=1,
        unit="energy (0-1)",
        source="assumption: well above the exhaustion threshold, so nobody flips straight back",
        description="Energy at which an exhausted citizen is open again.",
    )
    process_trust_base: float = P(
        0.3,
        ge=0,
        le=1,
        unit="trust (0-1)",
        source=(
            "assumption: participants who saw no influence at all trust below the average "
            "(Christensen et al. 2020); full influence moves them to the top"
        ),
        description="Trust participants move toward after a process without visible influence "
        "(their target is this plus the influence they saw).",
    )
    broken_promise_trust: float = P(
        1.0,
        ge=0,
        le=3,
        unit="influence per unit of broken promise",
        source=(
            "Christensen et al. 2020; Germann et al. 2024 (legitimacy falls when participation "
            "promised influence that did not come, and when recommendations are ignored); "
            "size: assumption, a broken promise weighs as much as the influence seen; "
            "range 0-2"
        ),
        description="How much the gap between promised and visible influence lowers the "
        "trust participants and those who hear of a process take from it.",
    )
    everyday_trust_rate: float = P(
        0.02,
        ge=0,
        le=1,
        unit="fraction per month",
        source="assumption: everyday observation (news, service contacts) moves trust slowly",
        description="Monthly pull of everyday observation on trust and efficacy.",
    )
    project_efficacy_rate: float = P(
        0.03,
        ge=0,
        le=1,
        unit="fraction per month",
        source="Verba et al. 1995 (efficacy grows with successful participation); size: assumption",
        description="Monthly pull of project success on volunteers' efficacy.",
    )
    trust_responsiveness_weight: float = P(
        0.2,
        ge=0,
        le=2,
        unit="trust per unit of responsiveness",
        source=(
            "Germann et al. 2024 (legitimacy gains where recommendations are honoured); size "
            "bounded by what has been observed: the largest contrast, full visible "
            "responsiveness against today's 0.4, moves the trust target by 0.12, the largest "
            "change of trust in city administrations on record (forsa 2023: -12 points in a "
            "year); range 0.1-0.6"
        ),
        description="How far everyone's trust target moves per unit of visible responsiveness "
        "above or below the reference.",
    )
    reference_responsiveness: float = P(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=(
            "assumption: the status-quo responsiveness (levers.administration.responsiveness), "
            "under which citizens' initial trust was formed"
        ),
        description="Responsiveness at which everyday observation leaves trust at its disposition.",
    )
