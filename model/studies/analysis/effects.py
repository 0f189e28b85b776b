"""Per-factor results of any design: means per level, paired differences, slopes, interactions.

A grid varies each factor over a few levels; Latin hypercube, Sobol and Morris samples give a
numeric factor hundreds of values. Both are answered here in one tidy form (one row per
factor, level or slope, and indicator, with a 95% confidence interval), so the report's key
results do not depend on the design. Every row is one level of one factor (or its slope): the
runs at a level are the design points that have it, averaged over the other factors as the
design varies them (a main effect, Montgomery 2017, *Design and Analysis of Experiments*,
ch. 5), never all points pooled into one group as if they were replications.

Intervals are percentile bootstrap intervals (Efron & Tibshirani 1993, *An Introduction to
the Bootstrap*, ch. 13). Replication r uses the same seed at every design point (common
random numbers), so a difference between levels is taken between runs of the same seed and
the same values of the other factors (paired) wherever the design has them. With at least
:data:`MIN_CLUSTERS` seeds the bootstrap resamples whole seeds, because the runs of one seed
share their random numbers and are not independent draws (a cluster bootstrap; Cameron,
Gelbach & Miller 2008, *Rev. Econ. Stat.* 90(3)); with fewer it resamples single runs.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from model.studies.analysis.results import MAIN_INDICATORS, PARAM_PREFIX, param_columns

#: a factor with at most this many distinct values (or any text values) is read per level
MAX_LEVELS = 8
#: interaction contrasts are computed for factors with at most this many levels
MAX_INTERACTION_LEVELS = 4
#: bins of a numeric factor for the figure (quintiles)
N_BINS = 5
#: seeds needed before the bootstrap resamples whole seeds rather than single runs
MIN_CLUSTERS = 5
#: indicators of :func:`effects_table` by default (those present): the main indicators, and
#: the education gap and yearly cost of model/studies/analysis/derived.py
DEFAULT_INDICATORS = (*MAIN_INDICATORS, "education_gap", "cost_eur_per_year")
#: what a row of the effects table is
KINDS = {
    "level": "mean of the indicator over the runs at this level",
    "difference": "this level minus the reference (lowest) level, paired by seed where possible",
    "slope": "OLS slope of the indicator on the factor, per unit of the factor",
    "slope_range": "the slope times the factor's range (max - min): the change over the range",
    "bin": "mean of the indicator over the runs in this quantile bin of the factor",
}
COLUMNS = "factor kind level reference x indicator estimate ci_low ci_high n paired".split()
INTERACTION_COLUMNS = [*"factor1 level1 reference1 factor2 level2 reference2".split(), *COLUMNS[5:]]


# ---------------------------------------------------------------------------- helpers
def _column(final: pd.DataFrame, factor: str) -> str:
    """The column of a factor given as ``param:<key>``, as the dotted key, or as ``scenario``."""
    for col in (factor, PARAM_PREFIX + factor):
        if col in final.columns:
            return col
    raise ValueError(
        f"factor {factor!r} is not in the results; the parameters are "
        f"{', '.join(c.removeprefix(PARAM_PREFIX) for c in param_columns(final)) or 'none'}"
    )


def _indicator(final: pd.DataFrame, indicator: str) -> None:
    if indicator not in final.columns:
        raise ValueError(f"indicator {indicator!r} is not in the results")


def _varied(final: pd.DataFrame) -> list[str]:
    """The parameter columns that take more than one value."""
    return [c for c in param_columns(final) if final[c].nunique() > 1]


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _has_levels(s: pd.Series, most: int = MAX_LEVELS) -> bool:
    """Text, yes/no, or a number with at most ``most`` distinct values: read per level."""
    return not _numeric(s) or s.nunique() <= most


def _ordered_levels(s: pd.Series, levels: list | None = None) -> list:
    """Levels in order: as given (e.g. the experiment's list), else ascending numbers, else
    as they first appear (the order of the design). The first is the reference."""
    present = list(dict.fromkeys(s.dropna()))
    if levels:
        listed = [v for v in levels if v in present]
        return listed + [v for v in present if v not in listed]
    try:
        return sorted(present) if _numeric(s) or pd.api.types.is_bool_dtype(s) else present
    except TypeError:  # mixed types
        return present


def _label(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, float | np.floating):
        return str(int(v)) if float(v).is_integer() else f"{v:.4g}"
    return str(v)


def _clusters(d: pd.DataFrame) -> np.ndarray:
    """Resampling unit of each row: its seed when there are enough seeds, else the row."""
    if "seed" in d.columns and d["seed"].nunique() >= MIN_CLUSTERS:
        return pd.factorize(d["seed"])[0]
    return np.arange(len(d))


def _boot_means(
    values: np.ndarray, clusters: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray | None:
    """``n_boot`` bootstrap means of ``values``, resampling whole clusters; None with fewer
    than 2 clusters (one value has no spread to resample, and a zero-width interval would
    read as certainty)."""
    codes, inv = np.unique(clusters, return_inverse=True)
    k = len(codes)
    if k < 2:
        return None
    sums = np.bincount(inv, weights=values, minlength=k)
    counts = np.bincount(inv, minlength=k).astype(float)
    out = np.empty(n_boot)
    # in blocks, so a large sample (thousands of runs) does not need n_boot x k indices at once
    step = max(1, 2_000_000 // k)
    for start in range(0, n_boot, step):
        idx = rng.integers(0, k, size=(min(step, n_boot - start), k))
        out[start : start + len(idx)] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    return out


def _ci(draws: np.ndarray | None) -> tuple[float, float]:
    if draws is None:
        return math.nan, math.nan
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def _pair_keys(d: pd.DataFrame, exclude: tuple[str, ...]) -> list[str]:
    """Columns that make two runs a pair: the scenario, the other varied factors and the seed
    (or the replication)."""
    keys = [c for c in ("scenario", *_varied(d)) if c in d.columns and c not in exclude]
    rep = next((k for k in ("seed", "replication") if k in d.columns), None)
    return [*keys, rep] if rep else []


def _matched(d: pd.DataFrame, mask: pd.Series, on: list[str], indicator: str) -> pd.DataFrame:
    """Runs of ``mask`` averaged per pair key (so a key appears once on each side)."""
    return d.loc[mask, [*on, indicator]].groupby(on, dropna=False, sort=False).mean()


# ---------------------------------------------------------------------------- main effects
def _row(kind, level, estimate, lo, hi, n, reference="", x=math.nan, paired=pd.NA) -> dict:
    """One row of the effects table (without factor and indicator)."""
    values = (kind, level, reference, x, estimate, lo, hi, n, paired)
    return dict(zip([c for c in COLUMNS if c not in ("factor", "indicator")], values, strict=True))


def _level_rows(d, col, indicator, order, n_boot, rng) -> list[dict]:
    rows, draws = [], {}
    numeric = _numeric(d[col])
    for k, lv in enumerate(order):
        sub = d[d[col] == lv]
        vals = sub[indicator].to_numpy(float)
        b = _boot_means(vals, _clusters(sub), n_boot, rng)
        draws[k] = (vals, b)
        lo, hi = _ci(b)
        x = float(lv) if numeric else float(k)
        rows.append(_row("level", _label(lv), float(vals.mean()), lo, hi, len(vals), x=x))
    ref = order[0]
    on = _pair_keys(d, exclude=(col,))
    base = _matched(d, d[col] == ref, on, indicator) if on else None
    for k, lv in enumerate(order[1:], start=1):
        diff = None
        if on:
            pairs = _matched(d, d[col] == lv, on, indicator).merge(
                base, left_index=True, right_index=True, suffixes=("", "__ref")
            )
            if len(pairs) >= 2:
                diff = (pairs[indicator] - pairs[f"{indicator}__ref"]).to_numpy(float)
                # the last pair key is the seed (or replication): pairs of one seed go together
                clus = _clusters(pd.DataFrame({"seed": pairs.index.get_level_values(-1)}))
        if diff is not None:
            b = _boot_means(diff, clus, n_boot, rng)
            est, n, paired = float(diff.mean()), len(diff), True
        else:  # no pairs (e.g. a text factor in a sample): independent resamples of each level
            (v1, b1), (v0, b0) = draws[k], draws[0]
            b = b1 - b0 if b1 is not None and b0 is not None else None
            est, n, paired = float(v1.mean() - v0.mean()), len(v1) + len(v0), False
        lo, hi = _ci(b)
        rows.append(
            _row("difference", _label(lv), est, lo, hi, n, _label(ref), rows[k]["x"], paired)
        )
    return rows


def _slope_rows(d, col, indicator, n_boot, rng) -> list[dict]:
    from statsmodels.regression.linear_model import OLS  # here: statsmodels is slow to import

    x = d[col].to_numpy(float)
    y = d[indicator].to_numpy(float)
    # heteroskedasticity-robust (HC3) errors: the other factors of a sample vary the spread of
    # the indicator along this one (MacKinnon & White 1985, J. Econometrics 29)
    fit = OLS(y, np.column_stack([np.ones_like(x), x])).fit(cov_type="HC3", use_t=True)
    slope = float(fit.params[1])
    lo, hi = (float(v) for v in fit.conf_int(0.05)[1])
    width = float(x.max() - x.min())
    rows = [
        _row("slope", "slope", slope, lo, hi, len(x)),
        _row("slope_range", "slope", slope * width, lo * width, hi * width, len(x)),
    ]
    bins = pd.qcut(d[col].astype(float), N_BINS, duplicates="drop")
    for _, sub in d.groupby(bins, observed=True, sort=True):
        vals = sub[indicator].to_numpy(float)
        blo, bhi = _ci(_boot_means(vals, _clusters(sub), n_boot, rng))
        xb = sub[col].astype(float)
        # the values the bin holds (qcut's own edges are widened a little below the minimum)
        label = f"[{xb.min():.3g}, {xb.max():.3g}]"
        x_mean = float(xb.mean())
        rows.append(_row("bin", label, float(vals.mean()), blo, bhi, len(vals), x=x_mean))
    return rows


def main_effects(
    final: pd.DataFrame,
    factor: str,
    indicator: str,
    n_boot: int = 1000,
    seed: int = 0,
    levels: list | None = None,
    continuous: bool = False,
) -> pd.DataFrame:
    """The effect of one factor on one indicator, for any design.

    A factor with text values or at most :data:`MAX_LEVELS` distinct numbers is read per
    level: the mean at each level with a 95% bootstrap interval, and each level's difference
    from the reference (first) level, paired by seed and the other factors' values where the
    design has such pairs (else the difference of independently resampled means). A numeric
    factor with more values (Latin hypercube, Sobol, Morris samples) gets the slope of an
    ordinary least-squares fit of the indicator on it, per unit and over its range, with a
    95% interval from heteroskedasticity-robust (HC3) errors, and the means in quintile bins
    of the factor for a figure.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run (:func:`final_values`, :func:`window_values`), of one scenario or
        several (pairs never cross scenarios; level means pool them, so pass one scenario
        unless the factor is ``scenario`` itself, as :func:`effects_table` does).
    factor : str
        A parameter as ``param:<key>`` or ``<key>``, or ``scenario``.
    indicator : str
        An indicator or derived outcome column.
    n_boot : int, default 1000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the bootstrap (the same seed gives the same intervals).
    levels : list, optional
        Order of the levels (the first is the reference), e.g. as listed in the experiment;
        default ascending numbers, or text in order of appearance.
    continuous : bool, default False
        Read a numeric factor as continuous (a slope) even with few distinct values: a
        sampled range (Latin hypercube) has no levels whose runs share everything else.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`: ``factor`` (dotted key), ``kind`` (see :data:`KINDS`), ``level``
        (the level as text, ``"slope"``, or the bin's range), ``reference`` (the reference
        level of a difference), ``x`` (position for a figure: the level's value, or its
        index for text; the bin's mean factor value), ``indicator``, ``estimate``,
        ``ci_low``, ``ci_high`` (95%; empty with fewer than 2 runs or pairs), ``n`` (runs;
        pairs for a paired difference; runs of both levels for an unpaired one) and
        ``paired``. Runs without a value of the factor or the indicator are left out.
    """
    col = _column(final, factor)
    _indicator(final, indicator)
    d = final.dropna(subset=[col, indicator])
    rng = np.random.default_rng(seed)
    if d.empty:
        rows = []
    elif _has_levels(d[col]) and not (continuous and _numeric(d[col])):
        rows = _level_rows(d, col, indicator, _ordered_levels(d[col], levels), n_boot, rng)
    else:
        rows = _slope_rows(d, col, indicator, n_boot, rng)
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("factor", "indicator")])
    out.insert(0, "factor", col.removeprefix(PARAM_PREFIX))
    out.insert(5, "indicator", indicator)
    out["n"] = out["n"].astype(int)
    out["paired"] = out["paired"].astype("boolean")
    return out


# ---------------------------------------------------------------------------- interactions
def _contrast(m: dict) -> Any:
    """Difference of differences of four cell means: (a, b) - (a0, b) - (a, b0) + (a0, b0)."""
    return m[1, 1] - m[0, 1] - m[1, 0] + m[0, 0]


def interactions(
    final: pd.DataFrame,
    f1: str,
    f2: str,
    indicator: str,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Interaction contrasts of two factors of a small grid, with 95% bootstrap intervals.

    For each level a of ``f1`` and b of ``f2`` other than the reference levels a0 and b0,
    the contrast is the effect of a (over a0) at b minus its effect at b0: the difference of
    differences of the four cell means (Montgomery 2017, ch. 5). Zero means the factors add
    up; positive, that b strengthens the effect of a. With at least :data:`MIN_CLUSTERS`
    seeds present in all four cells, the contrast is computed per seed (paired: the seed's
    chance cancels) and the seeds are resampled; otherwise the runs of each cell are
    resampled independently.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run of one scenario.
    f1, f2 : str
        Factors (``param:<key>``, ``<key>`` or ``scenario``) with at most
        :data:`MAX_INTERACTION_LEVELS` levels each.
    indicator : str
        Indicator column.
    n_boot, seed : int
        Bootstrap resamples and their seed.

    Returns
    -------
    pandas.DataFrame
        :data:`INTERACTION_COLUMNS`, one row per pair of non-reference levels; ``n`` is the
        seeds (paired) or the runs in the four cells.
    """
    c1, c2 = _column(final, f1), _column(final, f2)
    _indicator(final, indicator)
    d = final.dropna(subset=[c1, c2, indicator])
    for c in (c1, c2):
        if not _has_levels(d[c], MAX_INTERACTION_LEVELS):
            raise ValueError(
                f"interaction contrasts need factors with at most {MAX_INTERACTION_LEVELS} "
                f"levels; {c.removeprefix(PARAM_PREFIX)!r} has {d[c].nunique()}"
            )
    lv1, lv2 = _ordered_levels(d[c1]), _ordered_levels(d[c2])
    k1, k2 = c1.removeprefix(PARAM_PREFIX), c2.removeprefix(PARAM_PREFIX)
    rng = np.random.default_rng(seed)
    rows = []
    for a in lv1[1:]:
        for b in lv2[1:]:
            cells = {
                (i, j): d[(d[c1] == u) & (d[c2] == v)]
                for i, u in enumerate((lv1[0], a))
                for j, v in enumerate((lv2[0], b))
            }
            names = (k1, _label(a), _label(lv1[0]), k2, _label(b), _label(lv2[0]), indicator)
            rows.append(dict(zip(INTERACTION_COLUMNS[:7], names, strict=True)))
            rows[-1] |= _interaction_row(cells, indicator, n_boot, rng)
    out = pd.DataFrame(rows, columns=INTERACTION_COLUMNS)
    out["paired"] = out["paired"].astype("boolean")
    return out


def _interaction_row(cells: dict, indicator: str, n_boot: int, rng) -> dict:
    if any(c.empty for c in cells.values()):
        return {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    common = None
    if all("seed" in c.columns for c in cells.values()):
        common = set.intersection(*(set(c["seed"]) for c in cells.values()))
    if common is not None and len(common) >= MIN_CLUSTERS:
        seeds = sorted(common)
        means = {k: c.groupby("seed")[indicator].mean().reindex(seeds) for k, c in cells.items()}
        per_seed = _contrast(means).to_numpy(float)
        b = _boot_means(per_seed, np.arange(len(per_seed)), n_boot, rng)
        est, n, paired = float(per_seed.mean()), len(per_seed), True
    else:
        vals = {k: c[indicator].to_numpy(float) for k, c in cells.items()}
        draws = {k: _boot_means(v, np.arange(len(v)), n_boot, rng) for k, v in vals.items()}
        b = None if any(x is None for x in draws.values()) else _contrast(draws)
        est = _contrast({k: v.mean() for k, v in vals.items()})
        n, paired = sum(len(v) for v in vals.values()), False
    lo, hi = _ci(b)
    return {"estimate": float(est), "ci_low": lo, "ci_high": hi, "n": n, "paired": paired}


# ---------------------------------------------------------------------------- many factors
def feature_scores(
    final: pd.DataFrame,
    factors: list[str] | None = None,
    indicators: list[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Which factors matter most for each indicator: extra-trees feature scores.

    With many factors, per-factor slopes miss non-linear effects and interactions; the share
    of an extra-trees ensemble's variance reduction owed to each factor catches both, for
    any sample (EMA Workbench ``get_feature_scores_all``; Jaxa-Rozen & Kwakkel 2018,
    *Environ. Model. Softw.* 107, 245-266). Scores of one indicator add up to 1. They rank
    factors; they are not effects (no sign, no unit), so read them with :func:`effects_table`.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run.
    factors : list of str, optional
        Parameters (``param:<key>`` or ``<key>``) or ``scenario``; default every varied
        parameter. Text factors enter as categories.
    indicators : list of str, optional
        Default :data:`DEFAULT_INDICATORS` present in ``final``.
    seed : int, default 0
        Seed of the trees.

    Returns
    -------
    pandas.DataFrame
        Factors (dotted keys) as rows, indicators as columns; a factor with one value scores
        0, an indicator with fewer than 2 runs with values is empty.
    """
    cols = [_column(final, f) for f in factors] if factors is not None else _varied(final)
    inds = _indicators(final, indicators)
    if not cols:
        raise ValueError("feature scores need at least one factor")
    with warnings.catch_warnings():
        # the workbench warns on import that its optional parallel evaluator is missing
        warnings.simplefilter("ignore", UserWarning)
        from ema_workbench.analysis.feature_scoring import get_feature_scores_all
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    # neutral column names: the workbench drops a column called "scenario"
    names = [f"f{k}" for k in range(len(cols))]
    x = pd.DataFrame(
        {
            n: final[c].astype(float) if _numeric(final[c]) else pd.Categorical(final[c])
            for n, c in zip(names, cols, strict=True)
        },
        index=final.index,
    )
    out = pd.DataFrame(index=pd.Index([c.removeprefix(PARAM_PREFIX) for c in cols], name="factor"))
    for ind in inds:
        ok = x.notna().all(axis=1) & final[ind].notna()
        if ok.sum() < 2:
            out[ind] = math.nan
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # out-of-bag notes on small samples
            scores = get_feature_scores_all(
                x[ok],
                {ind: final.loc[ok, ind].to_numpy(float)},
                alg="extra trees",
                mode=RuleInductionType.REGRESSION,
                random_state=seed,
                # the workbench's default (a third of the factors) is 0 for one or two factors
                max_features=max(1, round(len(cols) / 3)),
            )
        out[ind] = scores[ind].reindex(names).fillna(0.0).to_numpy(float)
    return out


def _indicators(final: pd.DataFrame, indicators: list[str] | None) -> list[str]:
    if indicators is None:
        return [i for i in DEFAULT_INDICATORS if i in final.columns]
    for i in indicators:
        _indicator(final, i)
    return list(indicators)


# ---------------------------------------------------------------------------- table
def effects_table(
    final: pd.DataFrame,
    factors: list[str] | None = None,
    indicators: list[str] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    levels: dict[str, list] | None = None,
    continuous: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """:func:`main_effects` of every factor on every indicator, in one tidy table.

    Each scenario is analysed on its own (scenarios are different cities or settings, not
    replications), except for the factor ``scenario`` itself, which compares them.

    Parameters
    ----------
    final : pandas.DataFrame
        One row per run (with derived outcomes, if wanted: :mod:`derived`).
    factors : list of str, optional
        Default every parameter that takes more than one value.
    indicators : list of str, optional
        Default :data:`DEFAULT_INDICATORS` present in ``final``.
    n_boot, seed : int
        Bootstrap resamples and their seed.
    levels : dict, optional
        Factor (dotted key) -> order of its levels, e.g. from the experiment.
    continuous : set of str, optional
        Factors (dotted keys) to read as continuous: sampled ranges.

    Returns
    -------
    pandas.DataFrame
        ``scenario`` (empty for the factor ``scenario``) and :data:`COLUMNS`, ordered by
        scenario, factor and indicator; empty (with these columns) when nothing varies.
    """
    cols = [_column(final, f) for f in factors] if factors is not None else _varied(final)
    inds = _indicators(final, indicators)
    scenarios = list(dict.fromkeys(final["scenario"])) if "scenario" in final.columns else []
    frames = []
    for col in cols:
        key = col.removeprefix(PARAM_PREFIX)
        order = (levels or {}).get(key)
        split = col != "scenario" and scenarios
        groups = [(s, final[final["scenario"] == s]) for s in scenarios] if split else [("", final)]
        for sc, sub in groups:
            for ind in inds:
                t = main_effects(
                    sub,
                    col,
                    ind,
                    n_boot=n_boot,
                    seed=seed,
                    levels=order,
                    continuous=key in continuous,
                )
                t.insert(0, "scenario", sc)
                frames.append(t)
    if not frames:
        return pd.DataFrame(columns=["scenario", *COLUMNS])
    return pd.concat(frames, ignore_index=True)
