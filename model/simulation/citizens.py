"""Citizens as columns: the population's state, its initialisation and a per-citizen view.

Per-agent Python objects cost microseconds per step even when idle, which rules out sweeps
and a full-size Cologne (docs/architecture.md, design decisions). The population therefore
keeps one numpy array per attribute, and every rule in :mod:`model.rules` works on all
citizens at once. The :class:`Citizen` view reads one citizen back out of the columns for
inspection.

Attributes are those of ODD section 2 (entities); distributions are documented in ``docs/ODD.md``
(Initialisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from model.simulation.scenario import CHALLENGES, City


class State(IntEnum):
    """Engagement state of a citizen."""

    INACTIVE = 0  # not engaged and not willing right now
    OPEN = 1  # willing to engage within 12 months, not yet engaged
    ENGAGED = 2  # volunteering in an organisation or project, with weekly hours
    EXHAUSTED = 3  # burnt out: recovering, temporarily out


EDUCATION = ("low", "mid", "high")
AGE_GROUPS = ("14_29", "30_49", "50_64", "65_74", "75_plus")
#: Disposable time by age group (fraction of a free evening-and-weekend budget): the
#: rush-hour of life (30-49) has least, young retirees most (Freiwilligensurvey 2019, ch. 9).
TIME_BY_AGE = np.array([0.55, 0.40, 0.50, 0.70, 0.55], dtype=np.float32)


class Population:
    """Columnar state of all citizens; arrays indexed by citizen id ``0..n-1``."""

    def __init__(self, n: int, city: City, rng: np.random.Generator):
        self.n = n
        f32 = np.float32
        self.education = rng.choice(3, size=n, p=city.education_shares).astype(np.int8)
        self.age_group = rng.choice(5, size=n, p=city.age_shares).astype(np.int8)
        self.migration = rng.random(n) < city.migration_share
        self.isolated = rng.random(n) < city.isolated_share
        # Silent groups (ODD 2.1): those with several of the traits that keep people out of
        # open participation (low education, migration background, 75+, social isolation)
        traits = (
            (self.education == 0).astype(np.int8)
            + self.migration
            + (self.age_group == 4)
            + self.isolated
        )
        self.silent = traits >= city.silent_min_traits
        noise = rng.normal(0.0, 0.15, n).astype(f32)
        self.time = np.clip(TIME_BY_AGE[self.age_group] + noise, 0.05, 1.0).astype(f32)
        # Interest per challenge; education raises political interest (Verba et al. 1995).
        base_interest = (0.35 + 0.1 * self.education).astype(f32)
        self.interest = np.clip(
            base_interest[:, None] + rng.normal(0, 0.18, (n, len(CHALLENGES))), 0, 1
        ).astype(f32)
        # interest is a disposition: it does not change during a run, so its mean over the
        # challenges (which drives becoming open) is kept as a column of its own
        self.mean_interest = self.interest.mean(axis=1, dtype=f32)
        self.efficacy = np.clip(
            rng.beta(4, 4, n) + 0.06 * (self.education - 1) - 0.05 * self.migration, 0, 1
        ).astype(f32)
        self.trust = np.clip(rng.beta(4.5, 5.5, n) + 0.03 * (self.education - 1), 0, 1).astype(f32)
        # dispositions: the level each citizen returns to under today's conditions
        self.trust_disposition = self.trust.copy()
        self.efficacy_disposition = self.efficacy.copy()
        self.energy = rng.uniform(0.6, 1.0, n).astype(f32)
        # ~11% lonely (Einsamkeitsbarometer 2024, 2021 wave), most among the isolated and old
        lonely_base = 0.28 + 0.35 * self.isolated + 0.08 * (self.age_group >= 3)
        self.loneliness = np.clip(lonely_base + rng.normal(0, 0.15, n), 0, 1).astype(f32)
        self.state = np.full(n, State.INACTIVE, dtype=np.int8)
        self.hours = np.zeros(n, dtype=f32)
        self.organisation = np.full(n, -1, dtype=np.int32)
        self.ownership = np.zeros(n, dtype=f32)
        # helps neighbours outside any organisation (informal help, ODD 7.12)
        self.helping = np.zeros(n, dtype=bool)
        self.disappointment = np.zeros(n, dtype=f32)
        self.asked = np.zeros(n, dtype=bool)  # asked this month
        self.asked_in_person = np.zeros(n, dtype=bool)  # asked by outreach this month
        self.entered_asked = np.zeros(n, dtype=bool)  # the last entry followed an ask
        self.entry_step = np.full(n, -10_000, dtype=np.int32)
        self.neighbourhood = np.zeros(n, dtype=np.int32)

    # -- convenient masks -------------------------------------------------------------
    @property
    def engaged(self) -> np.ndarray:
        return self.state == State.ENGAGED

    def counts(self) -> np.ndarray:
        """Number of citizens in each :class:`State`."""
        return np.bincount(self.state, minlength=len(State))

    def citizen(self, i: int) -> Citizen:
        """A read-only snapshot of citizen ``i``."""
        if not 0 <= i < self.n:
            raise IndexError(f"citizen {i} does not exist (0..{self.n - 1})")
        return Citizen(
            unique_id=i,
            education=EDUCATION[self.education[i]],
            age_group=AGE_GROUPS[self.age_group[i]],
            migration=bool(self.migration[i]),
            isolated=bool(self.isolated[i]),
            silent=bool(self.silent[i]),
            time=float(self.time[i]),
            interest={c.value: float(x) for c, x in zip(CHALLENGES, self.interest[i], strict=True)},
            efficacy=float(self.efficacy[i]),
            trust=float(self.trust[i]),
            energy=float(self.energy[i]),
            loneliness=float(self.loneliness[i]),
            state=State(int(self.state[i])),
            hours=float(self.hours[i]),
            organisation=int(self.organisation[i]),
            ownership=float(self.ownership[i]),
            disappointment=float(self.disappointment[i]),
            neighbourhood=int(self.neighbourhood[i]),
            helping=bool(self.helping[i]),
        )


@dataclass(frozen=True)
class Citizen:
    """Read-only view of one citizen, read from the population's columns."""

    unique_id: int
    education: str
    age_group: str
    migration: bool
    isolated: bool
    silent: bool
    time: float
    interest: dict[str, float]
    efficacy: float
    trust: float
    energy: float
    loneliness: float
    state: State
    hours: float
    organisation: int
    ownership: float
    disappointment: float
    neighbourhood: int
    helping: bool
