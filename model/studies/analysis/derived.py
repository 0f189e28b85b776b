"""Derived outcomes: gaps, ratios, costs per year and per additional engaged resident.

The model reports shares and euros (``model/simulation/indicators.py``); the questions a city
asks are about gaps between groups, residents and euros per year. These are computed here,
after a sweep, from the final values of each run (or their mean over the last months), so every
analysis derives them the same way. Experiments can declare further differences and ratios of
indicators (:func:`apply_declared`); they are looked up by name, never evaluated as code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from model.studies.analysis.results import (
    NOT_INDICATORS,
    PARAM_PREFIX,
    final_values,
    indicator_columns,
)

#: name -> (unit, meaning), like ``INDICATORS`` of the simulation, for the documentation
DERIVED: dict[str, tuple[str, str]] = {
    "education_gap": (
        "fraction",
        "engaged_share_edu_high minus engaged_share_edu_low: how much more often citizens with "
        "high education are engaged than those with low education (0 = no gap; the survey "
        "gap is large, Simonson et al. 2022, Freiwilligensurvey 2019).",
    ),
    "education_ratio": (
        "ratio",
        "engaged_share_edu_high / engaged_share_edu_low (1 = no gap; empty when no citizen "
        "with low education is engaged).",
    ),
    "migration_gap": (
        "fraction",
        "engaged_share minus engaged_share_migration: how far citizens with a migration "
        "background fall behind everyone (positive = they are less often engaged).",
    ),
    "cost_eur_per_year": (
        "EUR per year",
        "cost_eur_total over the years run: the mean yearly spending on all levers.",
    ),
    "engaged_residents": (
        "residents",
        "engaged_share x the city's population (14+): engaged residents of the real city.",
    ),
    "additional_engaged_residents": (
        "residents",
        "Engaged residents more than in the reference run of the same seed (or the reference "
        "mean where no run shares the seed).",
    ),
    "additional_cost_eur_per_year": (
        "EUR per year",
        "cost_eur_per_year more than in the reference run of the same seed (or the mean).",
    ),
    "cost_per_additional_engaged_resident": (
        "EUR per year per resident",
        "additional_cost_eur_per_year / additional_engaged_residents (an incremental "
        "cost-effectiveness ratio); empty where there are no additional engaged residents.",
    ),
}

#: indicators that add up since the start of the run ("EUR (cumulative)" in
#: model/simulation/indicators.py): their value at the end is the total, a mean over the last
#: months would understate it (tests/test_derived.py checks this list against INDICATORS)
CUMULATIVE = (
    "cost_eur_total",
    "infrastructure_spend_eur",
    "volunteer_agency_spend_eur",
    "participation_office_spend_eur",
    "outreach_spend_eur",
    "admin_training_spend_eur",
    "process_cost_eur_total",
    "leadership_cost_eur_total",
)
#: the operations an experiment may declare, and what each computes
OPERATIONS = {"difference": "a - b", "ratio": "a / b"}


# ---------------------------------------------------------------------------- helpers
def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    """a / b, empty (NaN) where b is 0 or missing: an infinite ratio is no result."""
    a, b = a.astype(float), b.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a / b
    return out.where(b != 0)


def _per_run(final: pd.DataFrame, value: Any, name: str) -> pd.Series:
    """A number, a Series aligned with the runs, or one value per scenario, as one per run.

    One value per scenario (a mapping or a Series indexed by scenario name) lets a sweep over
    several cities pass each city's population.
    """
    if isinstance(value, Mapping):
        value = pd.Series(value)
    if isinstance(value, pd.Series):
        if value.index.equals(final.index):
            return value.astype(float)
        if "scenario" in final.columns and set(final["scenario"]) <= set(value.index):
            return final["scenario"].map(value).astype(float)
        raise ValueError(
            f"{name}: a Series must have the runs' index or one value per scenario "
            f"(scenarios: {', '.join(map(str, dict.fromkeys(final.get('scenario', []))))})"
        )
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name}: expected a number, a Series or a mapping, got {value!r}")
    return pd.Series(float(value), index=final.index)


def _is_outcome(final: pd.DataFrame, name: str) -> bool:
    """Whether ``name`` is a numeric outcome column (an indicator, even an empty one, or a
    derived outcome), not an id or a parameter."""
    if name not in final.columns or name in NOT_INDICATORS or name.startswith(PARAM_PREFIX):
        return False
    s = final[name]
    return s.isna().all() or (
        pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    )


# ---------------------------------------------------------------------------- windows
def window_values(df: pd.DataFrame, window_months: int | None = None) -> pd.DataFrame:
    """One row per run with each indicator averaged over the run's last months.

    A single final month carries the month's noise (entries and exits of a few agents); the
    mean of the last year is the steadier outcome of a policy. Cumulative indicators
    (:data:`CUMULATIVE`) keep their final value: it is the total.

    Parameters
    ----------
    df : pandas.DataFrame
        Results as returned by :func:`load_results` (one row per run and month, or per run).
    window_months : int or None, default None
        Average over this many last months; None or 1 takes the final month. Runs with fewer
        rows (results kept with ``keep="final"``) are averaged over the rows they have.

    Returns
    -------
    pandas.DataFrame
        As :func:`final_values` (ids, ``param:`` columns, ``date`` and ``step`` of the final
        month), with the indicators replaced by their means over the window (months without
        a value, such as those without an assembly, are skipped). ``attrs["months_averaged"]``
        is the fewest months any run was averaged over (1 when it fell back to final rows).
    """
    if window_months is not None and (int(window_months) != window_months or window_months < 1):
        raise ValueError(
            f"window_months must be a whole number of months >= 1, not {window_months}"
        )
    final = final_values(df)
    if df.empty or window_months in (None, 1):
        final.attrs["months_averaged"] = 1
        return final
    time_col = "step" if "step" in df.columns else "date" if "date" in df.columns else None
    order = ["run_id", time_col] if time_col else ["run_id"]
    tail = df.sort_values(order, kind="stable").groupby("run_id", sort=True).tail(window_months)
    averaged = [c for c in indicator_columns(df) if c not in CUMULATIVE]
    means = tail.groupby("run_id", sort=True)[averaged].mean()
    out = final.copy()
    for c in averaged:
        out[c] = out["run_id"].map(means[c]).to_numpy(float)
    out.attrs["months_averaged"] = int(tail.groupby("run_id").size().min())
    return out


# ---------------------------------------------------------------------------- derived
def add_derived(
    final: pd.DataFrame,
    population: float | pd.Series | Mapping[str, float],
    months_run: int | pd.Series | None = None,
) -> pd.DataFrame:
    """Add the derived outcomes of :data:`DERIVED` that need no reference run.

    An outcome whose inputs are missing from the results (older runs without costs) is left
    out rather than filled with blanks.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run (:func:`final_values` or :func:`window_values`).
    population : float, Series or mapping
        The city's population aged 14+ in residents (the universe of ``engaged_share``; the
        caller reads it from the scenario): one number, one per run (a Series with the runs'
        index), or one per scenario (a mapping or Series indexed by scenario name).
    months_run : int or Series, optional
        Months each run lasted; by default its final ``step`` (months since the start).

    Returns
    -------
    pandas.DataFrame
        A copy with ``education_gap``, ``education_ratio``, ``migration_gap``,
        ``cost_eur_per_year`` and ``engaged_residents`` (where their inputs are present).
    """
    out = final.copy()
    cols = set(out.columns)
    if {"engaged_share_edu_high", "engaged_share_edu_low"} <= cols:
        high = out["engaged_share_edu_high"].astype(float)
        low = out["engaged_share_edu_low"].astype(float)
        out["education_gap"] = high - low
        out["education_ratio"] = _ratio(high, low)
    if {"engaged_share", "engaged_share_migration"} <= cols:
        out["migration_gap"] = out["engaged_share"].astype(float) - out[
            "engaged_share_migration"
        ].astype(float)
    if "cost_eur_total" in cols:
        if months_run is None:
            if "step" not in cols:
                raise ValueError("months_run is needed: the results have no 'step' column")
            months_run = out["step"]
        months = _per_run(out, months_run, "months_run")
        # a run of 0 months has no yearly cost (and would divide by zero)
        out["cost_eur_per_year"] = _ratio(out["cost_eur_total"], months / 12.0)
    if "engaged_share" in cols:
        out["engaged_residents"] = out["engaged_share"].astype(float) * _per_run(
            out, population, "population"
        )
    return out


def add_cost_per_additional_engaged(
    final: pd.DataFrame,
    reference: pd.DataFrame | pd.Series | np.ndarray,
    population: float | pd.Series | Mapping[str, float],
    pair_on: list[str] | None = None,
) -> pd.DataFrame:
    """What one more engaged resident costs per year, compared with a reference.

    The incremental cost-effectiveness ratio of health economics (Drummond et al. 2015,
    *Methods for the Economic Evaluation of Health Care Programmes*, ch. 4): extra yearly
    cost over extra engaged residents. Each run is compared with the reference run of the
    same seed (common random numbers, so chance does not enter the difference); where the
    reference has no run with that seed, with the reference's mean.

    The ratio is left empty where a run gains no engaged residents (zero or fewer): a
    negative or infinite "cost per resident" would read as a price. It is negative where a
    run gains residents *and* costs less than the reference (it saves money). To summarise
    over replications, divide the mean extra cost by the mean extra residents rather than
    averaging the ratios: a ratio with a gain close to zero is huge and dominates a mean.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run with ``engaged_share`` and ``cost_eur_per_year`` (from
        :func:`add_derived`).
    reference : DataFrame, boolean Series or boolean array
        The reference runs: their rows, or a mask of ``final`` selecting them.
    population : float, Series or mapping
        The city's population aged 14+ (as in :func:`add_derived`).
    pair_on : list of str, optional
        Columns a run and its reference run must share besides the seed: the uncertainties
        of a policy experiment, so that each policy is compared with the reference policy in
        the same state of the world.

    Returns
    -------
    pandas.DataFrame
        A copy with ``additional_engaged_residents``, ``additional_cost_eur_per_year``,
        ``cost_per_additional_engaged_resident`` and ``reference_paired`` (True where the
        run was compared with a reference run of the same seed, False for the mean).
    """
    need = ("engaged_share", "cost_eur_per_year")
    missing = [c for c in need if c not in final.columns]
    if isinstance(reference, pd.DataFrame):
        ref = reference
    else:
        mask = np.asarray(reference, dtype=bool)
        if mask.shape != (len(final),):
            raise ValueError(f"reference mask has {mask.size} entries for {len(final)} runs")
        ref = final.loc[mask]
    missing += [f"{c} (reference)" for c in need if c not in ref.columns]
    if missing:
        raise ValueError(
            f"cost per additional engaged resident needs {', '.join(missing)}; "
            "call add_derived first"
        )
    if ref.empty:
        raise ValueError("the reference has no run")
    out = final.copy()
    ref_vals = ref[list(need)].astype(float)
    # pair by seed (the same random numbers), else by replication; unpaired runs use the mean
    key = next((k for k in ("seed", "replication") if k in out and k in ref), None)
    keys = [*(pair_on or []), *([key] if key else [])]
    base = pd.DataFrame({c: np.full(len(out), ref_vals[c].mean()) for c in need}, out.index)
    paired = np.zeros(len(out), dtype=bool)
    if keys:
        by_key = ref_vals.groupby([ref[k].astype(str) for k in keys]).mean()
        index = (
            pd.MultiIndex.from_arrays([out[k].astype(str) for k in keys])
            if len(keys) > 1
            else (pd.Index(out[keys[0]].astype(str)))
        )
        hit = index.isin(by_key.index)
        for c in need:
            base.loc[hit, c] = by_key[c].reindex(index[hit]).to_numpy(float)
        paired = np.asarray(hit)
    gain = (out["engaged_share"].astype(float) - base["engaged_share"]) * _per_run(
        out, population, "population"
    )
    extra = out["cost_eur_per_year"].astype(float) - base["cost_eur_per_year"]
    out["additional_engaged_residents"] = gain
    out["additional_cost_eur_per_year"] = extra
    out["cost_per_additional_engaged_resident"] = extra / gain.where(gain > 0)
    out["reference_paired"] = paired
    return out


# ---------------------------------------------------------------------------- declared
def apply_declared(final: pd.DataFrame, declared: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Add the derived outcomes an experiment declares: differences and ratios of columns.

    Each entry is ``{"difference": ["a", "b"]}`` (a - b) or ``{"ratio": ["a", "b"]}`` (a / b,
    empty where b is 0), where a and b name indicators, derived outcomes, or outcomes declared
    earlier in the same mapping. Names are looked up, never evaluated, so an experiment file
    cannot run code.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run.
    declared : mapping
        Outcome name -> entry, in the order they are computed.

    Returns
    -------
    pandas.DataFrame
        A copy with one column per declared outcome.

    Raises
    ------
    ValueError
        Naming the outcome, the key and what is allowed, for an entry that is not one
        operation with two names, for an unknown name, or for an outcome name that is
        already a column.
    """
    if not isinstance(declared, Mapping):
        raise ValueError(f"derived outcomes must be a mapping of name -> entry, not {declared!r}")
    out = final.copy()
    ops = ", ".join(f"{{{k!r}: ['a', 'b']}} ({v})" for k, v in OPERATIONS.items())
    for name, entry in declared.items():
        where = f"derived outcome {name!r}"
        if not isinstance(name, str) or not name or name in out.columns:
            raise ValueError(
                f"{where}: the name must be new (not an indicator or another column) and not empty"
            )
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise ValueError(f"{where}: expected exactly one of {ops}; got {entry!r}")
        ((op, args),) = entry.items()
        if op not in OPERATIONS:
            raise ValueError(f"{where}: unknown key {op!r}; allowed: {ops}")
        if (
            not isinstance(args, list | tuple)
            or len(args) != 2
            or not all(isinstance(a, str) for a in args)
        ):
            raise ValueError(f"{where}: {op!r} takes a list of two column names; got {args!r}")
        for arg in args:
            if not _is_outcome(out, arg):
                raise ValueError(
                    f"{where}: unknown indicator {arg!r} in {op!r}; allowed are the indicators "
                    f"and derived outcomes of the results: {', '.join(indicator_columns(out))}"
                )
        a, b = (out[arg].astype(float) for arg in args)
        out[name] = a - b if op == "difference" else _ratio(a, b)
    return out
