"""Scenario discovery: which parameter ranges lead to the runs of interest (PRIM and CART).

A *condition* over the final indicators (``engaged_share_edu_low >= 0.30 and cost_eur_total <=
10e6``) marks each run as of interest or not; scenario discovery then looks for a few simple
*boxes* (ranges of the varied parameters) that hold most runs of interest (coverage) and
mostly runs of interest (density) (Bryant & Lempert 2010, *Technol. Forecast. Soc. Change*
77:34-49). The boxes come from the EMA Workbench (Kwakkel 2017, *Environ. Model. Softw.*
96:239-250): PRIM, the patient rule induction method (Friedman & Fisher 1999, *Stat.
Comput.* 9:123-143), and CART (a scikit-learn classification tree). The algorithms are not
written here; this module prepares their input, chooses a box on PRIM's peeling trajectory and
turns the boxes into tables, a figure and Markdown for the report.

The condition is parsed by a small tokenizer and never evaluated as Python: a results
directory and a command line are inputs from people, and ``eval`` would run anything.
"""

from __future__ import annotations

import contextlib
import difflib
import operator
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.studies.analysis.results import PARAM_PREFIX, indicator_columns, param_columns
from model.studies.figures import OKABE_ITO

OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
CONNECTIVES = ("and", "or")
#: a comparison operator, or a run of anything that is neither blank nor part of an operator
_TOKEN = re.compile(r"\s*(<=|>=|==|!=|<|>|[^\s<>=!]+|[=!])")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*$")
_EXAMPLE = "expected a comparison like 'trust_mean >= 0.5'"


class NothingToDiscover(ValueError):
    """The condition holds for no run or for every run, so there is nothing to tell apart."""


# ---------------------------------------------------------------------------- conditions
@dataclass(frozen=True)
class Clause:
    """``name op value``: one comparison of an outcome column with a number."""

    name: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.name} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Condition:
    """Comparisons joined by ``and`` and ``or``; ``and`` binds tighter, as in Python.

    ``groups`` is the disjunction of conjunctions: a run is of interest if every clause of at
    least one group holds for it.
    """

    text: str
    groups: tuple[tuple[Clause, ...], ...]

    @property
    def names(self) -> list[str]:
        """The outcome columns the condition reads, in order of first use."""
        return list(dict.fromkeys(c.name for g in self.groups for c in g))

    def __str__(self) -> str:
        return " or ".join(" and ".join(str(c) for c in g) for g in self.groups)

    def mask(self, final: pd.DataFrame) -> np.ndarray:
        """Which rows of ``final`` satisfy the condition (a boolean array; NaN never does)."""
        allowed = indicator_columns(final)
        for name in self.names:
            if name not in final.columns:
                raise ValueError(_unknown(name, allowed, self.text))
            if not pd.api.types.is_numeric_dtype(final[name]):
                raise ValueError(f"outcome {name!r} in {self.text!r} is not numeric")
        out = np.zeros(len(final), dtype=bool)
        for group in self.groups:
            hit = np.ones(len(final), dtype=bool)
            for c in group:
                values = final[c.name].to_numpy(dtype=float, na_value=np.nan)
                with np.errstate(invalid="ignore"):  # NaN compares False, which is wanted
                    hit &= OPERATORS[c.op](values, c.value)
            out |= hit
        return out


def _unknown(name: str, allowed: Iterable[str], text: str) -> str:
    allowed = list(allowed)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown outcome {name!r} in {text!r}{hint}; allowed: {', '.join(allowed)}"


def _tokens(text: str) -> list[tuple[int, str]]:
    """(character position, token) pairs; the position is 1-based for the messages."""
    out, pos = [], 0
    while pos < len(text) and (m := _TOKEN.match(text, pos)) and m.group(1):
        out.append((m.start(1) + 1, m.group(1)))
        pos = m.end()
    return out


def parse_condition(text: str, outcomes: Iterable[str] | None = None) -> Condition:
    """Parse a condition such as ``engaged_share_edu_low >= 0.30 and cost_eur_total <= 10e6``.

    Grammar: ``clause (("and" | "or") clause)*`` with ``clause = name op number``, ``op`` one
    of ``< <= > >= == !=`` and ``number`` in any Python float syntax (``0.3``, ``10e6``,
    ``1_000``, ``-inf``). No parentheses; ``and`` binds tighter than ``or``.

    Parameters
    ----------
    text : str
        The condition.
    outcomes : iterable of str, optional
        The outcome columns that may be named; without it names are checked when the
        condition is applied (:meth:`Condition.mask`).

    Raises
    ------
    ValueError
        One line naming what was given, where (character position) and what is allowed.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"empty condition {text!r}: {_EXAMPLE}")
    tokens = _tokens(text)  # every character that is not blank belongs to some token
    allowed = list(outcomes) if outcomes is not None else None
    groups: list[tuple[Clause, ...]] = []
    current: list[Clause] = []
    i = 0
    while True:
        part = tokens[i : i + 3]
        where = part[0][0] if part else len(text) + 1
        if len(part) < 3:
            got = " ".join(t for _, t in part) or "the end"
            raise ValueError(f"{_EXAMPLE}, got {got!r} at character {where} of {text!r}")
        (_, name), (p_op, op), (p_num, num) = part
        if not _NAME.match(name) or name.lower() in CONNECTIVES:
            raise ValueError(
                f"expected an outcome name at character {where} of {text!r}, got {name!r} "
                f"({_EXAMPLE})"
            )
        if allowed is not None and name not in allowed:
            raise ValueError(_unknown(name, allowed, text))
        if op not in OPERATORS:
            raise ValueError(
                f"unknown operator {op!r} at character {p_op} of {text!r}; allowed: "
                f"{' '.join(OPERATORS)}"
            )
        try:
            value = float(num)  # parses Python's float syntax; nothing is evaluated
        except ValueError:
            raise ValueError(
                f"expected a number after {op!r} at character {p_num} of {text!r}, got {num!r} "
                "(Python float syntax, e.g. 0.3 or 10e6)"
            ) from None
        if np.isnan(value):
            raise ValueError(f"{num!r} at character {p_num} of {text!r}: nothing equals NaN")
        current.append(Clause(name, op, value))
        i += 3
        if i == len(tokens):
            break
        p_join, join = tokens[i]
        if join.lower() not in CONNECTIVES:
            raise ValueError(
                f"expected 'and' or 'or' at character {p_join} of {text!r}, got {join!r}"
            )
        if join.lower() == "or":
            groups.append(tuple(current))
            current = []
        i += 1
    groups.append(tuple(current))
    return Condition(text, tuple(groups))


# ---------------------------------------------------------------------------- factors
def discovery_factors(final: pd.DataFrame) -> list[str]:
    """The ``param:`` columns that vary, without missing values: the default factors.

    Constant columns cannot separate anything; columns with missing values are left out
    because the box algorithms cannot place a missing number in a range.
    """
    varied = [c for c in param_columns(final) if final[c].astype(str).nunique() > 1]
    return [c for c in varied if final[c].notna().all()]


def _factor_frame(final: pd.DataFrame, factors: list[str] | None) -> pd.DataFrame:
    """The factors as the EMA Workbench wants them: numbers as float64, the rest Categorical.

    Integers become floats too: under pandas 3 the workbench's pasting step writes a
    midpoint such as 2.5 into an int64 column of box limits, which raises. Booleans and
    strings become Categorical of text (the workbench treats non-numeric columns as
    categories and needs the dtype to peel them).
    """
    if factors is None:
        factors = discovery_factors(final)
    known = param_columns(final)
    cols = []
    for f in factors:
        col = f if f in final.columns else PARAM_PREFIX + f
        if col not in final.columns:
            raise ValueError(f"unknown factor {f!r}; allowed: {', '.join(known)}")
        cols.append(col)
    x = pd.DataFrame(index=range(len(final)))
    for c in dict.fromkeys(cols):
        s = final[c].reset_index(drop=True)
        if s.astype(str).nunique() < 2:  # a constant factor cannot separate anything
            continue
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if numeric and s.isna().any():  # a box cannot say whether a missing number is inside
            raise ValueError(f"factor {c!r} is missing in {s.isna().sum()} runs; leave it out")
        x[c] = s.astype("float64") if numeric else pd.Categorical(s.astype(str))
    if x.shape[1] == 0:
        raise NothingToDiscover(f"no factor varies among {factors}; nothing to discover")
    return x


def _outcome(final: pd.DataFrame, condition: Condition | str) -> tuple[Condition, np.ndarray]:
    cond = parse_condition(condition) if isinstance(condition, str) else condition
    y = cond.mask(final)
    k, n = int(y.sum()), len(y)
    if k in (0, n):
        ranges = "; ".join(
            f"{name} ranges from {final[name].min():.4g} to {final[name].max():.4g}"
            for name in cond.names
        )
        which = "no run" if k == 0 else "every run"
        raise NothingToDiscover(
            f"{which} of {n} satisfies {str(cond)!r}, so no box can tell runs apart; {ranges}"
        )
    return cond, y.astype(int)


def _workbench():
    """The EMA Workbench's ``prim`` and ``cart`` modules, imported on first use: the package
    takes seconds to import (it loads its whole experiment framework) and warns about
    optional parallel back ends that scenario discovery does not use."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart, prim
    return prim, cart


@contextlib.contextmanager
def _quiet():
    """Silence the workbench's own deprecation warnings (pandas 3 flags its ``inplace=True``
    calls): they are about its code, not the user's, and would bury the user's warnings."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"ema_workbench\.")
        yield


# ---------------------------------------------------------------------------- boxes
@dataclass
class Box:
    """One box: the restricted factors and how well the box captures the runs of interest.

    ``limits`` has one row per restricted factor: ``factor``, ``min`` and ``max`` (numbers;
    NaN where that side is not restricted or the factor is categorical), ``categories`` (the
    allowed values of a categorical factor, else None), ``range`` (readable text) and, for
    PRIM, ``qp`` (the quasi-p-value of the restriction, Bryant & Lempert 2010: the larger of
    its one-sided binomial tests; above 0.05 the restriction may be noise). ``coverage`` is
    the share of all runs of interest inside the box, ``density`` the share of the box's runs
    that are of interest, ``mass`` the share of all runs inside it; ``n`` runs, ``k`` of
    interest. ``trajectory`` (PRIM only) is the peeling trajectory with the chosen step;
    ``meets_threshold`` is False for a PRIM box below the density threshold (CART: True).
    """

    method: str
    number: int
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    res_dim: int
    trajectory: pd.DataFrame | None = None
    meets_threshold: bool = True

    def __post_init__(self):  # plain numbers, whatever the table they were read from holds
        self.coverage, self.density, self.mass = map(
            float, (self.coverage, self.density, self.mass)
        )
        self.n, self.k, self.res_dim = map(int, (self.n, self.k, self.res_dim))


LIMIT_COLUMNS = ["factor", "min", "max", "categories", "range"]


def _num(v: float) -> str:
    return f"{v:.4g}"


def _limit_row(factor, lo=np.nan, hi=np.nan, cats=None, strict_low=False) -> dict:
    """A row of ``Box.limits``; CART's lower limits are strict (its splits send ``x <=
    threshold`` left), PRIM's are inclusive (they are data values)."""
    if cats is not None:
        text = ", ".join(cats)
    else:
        low = f"{'>' if strict_low else '>='} {_num(lo)}" if not np.isnan(lo) else ""
        high = f"<= {_num(hi)}" if not np.isnan(hi) else ""
        text = " and ".join(t for t in (low, high) if t)
    return {"factor": factor, "min": lo, "max": hi, "categories": cats, "range": text}


def _prim_limits(lim: pd.DataFrame, init: pd.DataFrame, qp: dict) -> pd.DataFrame:
    """The restricted factors of a PRIM box (``lim``) against the box of all runs (``init``);
    the workbench stores a categorical factor's allowed values as a set in both rows."""
    rows = []
    for f in _restricted(lim, init):
        lo, hi = lim.loc[0, f], lim.loc[1, f]
        if isinstance(lo, set):
            row = _limit_row(f, cats=tuple(sorted(lo)))
        else:
            free_lo, free_hi = lo <= init.loc[0, f], hi >= init.loc[1, f]
            row = _limit_row(f, np.nan if free_lo else lo, np.nan if free_hi else hi)
        sides = [float(p) for p in qp.get(f, []) if p >= 0]  # -1 marks a side left free
        rows.append({**row, "qp": max(sides, default=np.nan)})
    return pd.DataFrame(rows, columns=[*LIMIT_COLUMNS, "qp"])


def _restricted(lim: pd.DataFrame, init: pd.DataFrame) -> list[str]:
    return [
        f
        for f in init.columns
        if lim.loc[0, f] != init.loc[0, f] or lim.loc[1, f] != init.loc[1, f]
    ]


def _choose(traj: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    """The step of the peeling trajectory to report, and whether it reaches ``threshold``.

    Among the steps whose density reaches the threshold, the one with the highest coverage
    (ties: higher density, then fewer restricted factors, then the earlier step): the
    simplest box that is dense enough and explains most runs of interest (Bryant & Lempert
    2010 leave this trade-off to the analyst; a fixed rule makes the report reproducible).
    If no step is dense enough, the densest step (ties: higher coverage).
    """
    ok = traj[traj["density"] >= threshold]
    if len(ok):
        keys, asc = ["coverage", "density", "res_dim", "step"], [False, False, True, True]
        return int(ok.sort_values(keys, ascending=asc).index[0]), True
    return int(traj.sort_values(["density", "coverage"], ascending=False).index[0]), False


def prim_boxes(
    final: pd.DataFrame,
    condition: Condition | str,
    factors: list[str] | None = None,
    threshold: float = 0.8,
    max_boxes: int = 3,
    *,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
) -> list[Box]:
    """PRIM boxes for the runs that satisfy ``condition`` (Friedman & Fisher 1999).

    Runs ``ema_workbench.analysis.prim.Prim`` (default lenient objective, ``peel_alpha``,
    ``mass_min``) on the factor columns (default :func:`discovery_factors`). Each box is the
    step of its peeling-and-pasting trajectory chosen by :func:`_choose`. Successive boxes
    follow PRIM's covering approach: the runs inside the chosen box are removed and PRIM
    peels again on the rest, so the density of box 2 is among the runs left by box 1, while
    its coverage counts against all runs of interest. The search stops after ``max_boxes``,
    when no run of interest is left, or at the first box that does not reach ``threshold``;
    that box is reported (flagged ``meets_threshold=False``) only if it is the first, so the
    report still shows the best PRIM could do.

    Raises
    ------
    NothingToDiscover
        When no run or every run satisfies the condition, or no factor varies.
    ValueError
        For a malformed condition, an unknown outcome or an unknown factor.
    """
    prim_mod, _ = _workbench()
    _, y = _outcome(final, condition)
    x = _factor_frame(final, factors)
    with _quiet():
        prim = prim_mod.Prim(x, y, mass_min=mass_min, peel_alpha=peel_alpha)
    covered = np.zeros(len(y), dtype=bool)
    boxes: list[Box] = []
    while len(boxes) < max_boxes and y[~covered].any():
        with _quiet():
            pbox = prim.find_box()
        if pbox is None:
            break
        t = pbox.peeling_trajectory
        traj = pd.DataFrame(
            {
                "step": t["id"].astype(int),
                **{c: t[c].astype(float) for c in ("coverage", "density", "mass")},
                **{c: t[c].astype(int) for c in ("n", "k", "res_dim")},
                "restricted": [", ".join(_restricted(b, prim.box_init)) for b in pbox.box_lims],
            }
        )
        step, meets = _choose(traj, threshold)
        if not meets and boxes:
            break
        pbox.select(step)  # the next box peels the runs outside *this* step's box
        covered[pbox.yi] = True
        traj["chosen"] = traj.index == step
        limits = _prim_limits(pbox.box_lims[step], prim.box_init, pbox.p_values[step])
        stats = traj.loc[step, ["coverage", "density", "mass", "n", "k", "res_dim"]]
        boxes.append(Box("PRIM", len(boxes) + 1, limits, *stats.tolist(), traj, meets))
        if not meets:
            break
    return boxes


def _leaf_paths(tree) -> list[tuple[int, list[tuple[int, float, bool]]]]:
    """Every leaf of a fitted scikit-learn tree with its path: (feature, threshold, went
    right) per split; a split sends ``x <= threshold`` left."""
    out, stack = [], [(0, [])]
    while stack:
        node, path = stack.pop()
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            out.append((node, path))
            continue
        f, t = int(tree.feature[node]), float(tree.threshold[node])
        stack += [(right, [*path, (f, t, True)]), (left, [*path, (f, t, False)])]
    return out


def cart_boxes(
    final: pd.DataFrame,
    condition: Condition | str,
    factors: list[str] | None = None,
    mass_min: float = 0.05,
) -> list[Box]:
    """CART boxes: the leaves of a classification tree of the runs of interest.

    ``ema_workbench.analysis.cart.CART`` fits the tree (scikit-learn, at least ``mass_min``
    of the runs per leaf; categorical factors become one dummy column per category). The
    boxes are read here from the fitted tree, not from ``CART.boxes``/``boxes_to_dataframe``:
    under pandas 3 the latter is all zeros, and ``CART.boxes`` ignores a split that *keeps*
    one category and shares one set of categories between leaves, so its categorical limits
    and hence ``stats_to_dataframe`` are wrong (for numeric factors they agree with these).
    The statistics count the runs that the tree puts in each leaf. Every leaf is returned,
    densest first; the tree calls a leaf "of interest" where its density exceeds 0.5.

    Raises
    ------
    NothingToDiscover, ValueError
        As :func:`prim_boxes`.
    """
    _, cart_mod = _workbench()
    _, y = _outcome(final, condition)
    x = _factor_frame(final, factors)
    with _quiet():
        cart = cart_mod.CART(x, y, mass_min=mass_min)
        cart.build_tree()
    dummies = pd.get_dummies(x, prefix_sep=cart.sep)  # the matrix CART fitted, same columns
    leaf_of_run = cart.clf.apply(dummies.to_numpy(dtype=float))
    boxes = []
    for leaf, path in _leaf_paths(cart.clf.tree_):
        lo: dict[str, float] = {}
        hi: dict[str, float] = {}
        cats: dict[str, set[str]] = {}
        for f, t, right in path:
            name = cart.feature_names[f]
            if name in x.columns:
                if right:
                    lo[name] = max(lo.get(name, -np.inf), t)
                else:
                    hi[name] = min(hi.get(name, np.inf), t)
            else:  # a dummy "<factor><sep><category>": right keeps only it, left drops it
                col, cat = name.split(cart.sep, 1)
                allowed = cats.get(col, set(x[col].cat.categories))
                cats[col] = allowed & {cat} if right else allowed - {cat}
        rows = [
            _limit_row(c, lo.get(c, np.nan), hi.get(c, np.nan), strict_low=True)
            if c in lo or c in hi
            else _limit_row(c, cats=tuple(sorted(cats[c])))
            for c in x.columns
            if c in lo or c in hi or c in cats
        ]
        inside = leaf_of_run == leaf
        n, k = int(inside.sum()), int(y[inside].sum())
        limits = pd.DataFrame(rows, columns=LIMIT_COLUMNS)
        stats = (k / y.sum(), k / n, n / len(y))
        boxes.append(Box("CART", 0, limits, *map(float, stats), n, k, len(limits)))
    boxes.sort(key=lambda b: (-b.density, -b.coverage))
    for i, b in enumerate(boxes, 1):
        b.number = i
    return boxes


BOX_COLUMNS = ["method", "box", "coverage", "density", "mass", "n", "k", "res_dim"]


def boxes_table(boxes: list[Box]) -> pd.DataFrame:
    """One row per box: the :data:`BOX_COLUMNS`, ``meets_threshold`` and ``restrictions``
    (the limits as text, e.g. ``a.x1 >= 0.6; timing early``)."""
    rows = [
        [b.method, b.number, b.coverage, b.density, b.mass, b.n, b.k, b.res_dim]
        + [
            b.meets_threshold,
            "; ".join(f"{_short(f)} {r}" for f, r in b.limits[["factor", "range"]].values),
        ]
        for b in boxes
    ]
    return pd.DataFrame(rows, columns=[*BOX_COLUMNS, "meets_threshold", "restrictions"])


# ---------------------------------------------------------------------------- output
def _short(factor: str) -> str:
    return factor.removeprefix(PARAM_PREFIX)


def peeling_figure(trajectory: pd.DataFrame | Box, threshold: float | None = None) -> Figure:
    """PRIM's peeling trajectory: coverage against density, one colour per number of
    restricted factors, the chosen box ringed (and ``threshold`` dashed, if given).

    The trade-off between coverage and density is what an analyst judges when choosing a box
    (Bryant & Lempert 2010); the figure shows how much coverage each gain in density costs.
    """
    traj = trajectory.trajectory if isinstance(trajectory, Box) else trajectory
    if traj is None or traj.empty:
        raise ValueError("no peeling trajectory to draw (CART boxes have none)")
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(traj["coverage"], traj["density"], color="grey", lw=0.8, zorder=1)
    for i, d in enumerate(sorted(traj["res_dim"].unique())):
        part = traj[traj["res_dim"] == d]
        color = OKABE_ITO[i % (len(OKABE_ITO) - 1)]  # black is kept for the chosen box
        ax.scatter(part["coverage"], part["density"], s=36, color=color, label=str(d), zorder=2)
    if "chosen" in traj and traj["chosen"].any():
        c = traj[traj["chosen"]].iloc[0]
        ax.scatter(
            [c["coverage"]], [c["density"]], s=200, facecolors="none", edgecolors="black",
            lw=1.6, zorder=3, label="chosen box",
        )  # fmt: skip
        ax.annotate(
            f"coverage {c['coverage']:.2f}, density {c['density']:.2f}",
            (c["coverage"], c["density"]), xytext=(-12, -18), textcoords="offset points",
            ha="right", fontsize=10,
        )  # fmt: skip
    if threshold is not None:
        ax.axhline(threshold, color="grey", ls="--", lw=1)
    ax.set_xlabel("coverage (share of the runs of interest in the box)", fontsize=11)
    ax.set_ylabel("density (share of the box's runs of interest)", fontsize=11)
    ax.set_title("PRIM peeling trajectory", fontsize=12)
    ax.tick_params(labelsize=10)
    ax.grid(alpha=0.3)
    ax.legend(title="restricted factors", fontsize=10, title_fontsize=10, loc="lower left")
    return fig


def _cell(v) -> str:
    text = _num(v) if isinstance(v, float | np.floating) else str(v)
    return text.replace("|", "\\|").replace("\n", " ")


def boxes_markdown(boxes: list[Box]) -> list[str]:
    """Markdown lines for the report: per box a line with its statistics and a table of the
    restricted factors (``factor``, ``range`` and, for PRIM, the quasi-p-value)."""
    lines: list[str] = []
    for b in boxes:
        flag = "" if b.meets_threshold else " (below the density threshold: the densest found)"
        lines += [
            f"**{b.method} box {b.number}**{flag}: coverage {b.coverage:.2f}, density "
            f"{b.density:.2f}, mass {b.mass:.2f} ({b.k} of {b.n} runs of interest)",
            "",
        ]
        qp = "qp" in b.limits.columns
        header = ["factor", "range", *(["quasi-p"] if qp else [])]
        rows = [
            [_short(r["factor"]), r["range"], *([r["qp"]] if qp else [])]
            for r in b.limits.to_dict("records")
        ] or [["(none)", "all runs", *([""] if qp else [])]]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]
        lines.append("")
    return lines
