"""What every rule must return: checked at each call of a rule that is not the default.

A student's rule that returns citizen ids where a mask is expected, ``None`` where an array
is expected, or shares outside [0, 1] would otherwise run to the end and report nonsense
(an "annual exit rate" of 133). The default rules are tested and run unchecked, so the
checks cost nothing in the usual case; a variant is wrapped by :func:`checked`, and the first
broken promise stops the run with :class:`RuleContractError`, naming the rule, its file, the
mechanism and what it must return (the command line shows it in one line, exit status 2).
"""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable

import numpy as np

from model.rules._jit import ENGAGED
from model.rules.hooks import describe


class RuleContractError(ValueError):
    """A rule variant returned something its mechanism cannot use."""


def _describe(value) -> str:
    return describe(value)


def _where(fn: Callable) -> str:
    fn = inspect.unwrap(fn)
    fn = getattr(fn, "formula", fn)  # a rule built around a hook: the hook's file
    try:
        file = inspect.getsourcefile(fn) or "?"
        line = inspect.getsourcelines(fn)[1]
    except (OSError, TypeError):
        return getattr(fn, "__module__", "?")
    parts = file.replace("\\", "/").split("/")
    shown = "/".join(parts[parts.index("model") :]) if "model" in parts else file
    return f"{shown}:{line}"


def _mask(value, n: int) -> str | None:
    if not (isinstance(value, np.ndarray) and value.dtype == bool and value.shape == (n,)):
        return f"a boolean mask with one entry per citizen (numpy bool array of length {n})"
    return None


def _ids(value, n: int) -> str | None:
    allowed = f"the ids of the new volunteers (a numpy integer array of distinct ids in 0..{n - 1})"
    if not (isinstance(value, np.ndarray) and value.ndim == 1):
        return allowed
    if value.size == 0:
        return None
    if not np.issubdtype(value.dtype, np.integer) or value.min() < 0 or value.max() >= n:
        return allowed
    if np.unique(value).size != value.size:
        return allowed + "; some ids repeat"
    return None


def _per_citizen(value, n: int, low: float, high: float, what: str) -> str | None:
    ok = (
        isinstance(value, np.ndarray)
        and value.shape == (n,)
        and np.issubdtype(value.dtype, np.number)
        and np.all(np.isfinite(value))
        and np.all((value >= low) & (value <= high))
    )
    return None if ok else f"{what} (a numpy array of {n} numbers from {low:g} to {high:g})"


def _columns_in_range(pop, names: tuple[str, ...]) -> str | None:
    for name in names:
        col = getattr(pop, name)
        if not (np.all(np.isfinite(col)) and np.all((col >= 0) & (col <= 1))):
            return f"citizens' {name} between 0 and 1 (it left values outside)"
    return None


def _check_result(mechanism: str, value, args: tuple) -> str | None:
    """What the rule of ``mechanism`` must return (or leave), if it did not; else None."""
    if mechanism == "participation":
        proc, pop = args[0], args[1]
        if value is not None:
            return "return None (it fills proc.participants instead of returning them)"
        parts = proc.participants
        if parts is not None and not (
            isinstance(parts, np.ndarray) and parts.dtype == bool and parts.shape == (pop.n,)
        ):
            return f"fill proc.participants with a boolean mask of length {pop.n}"
        return None
    pop = args[0]
    n = pop.n
    if mechanism in ("ownership", "trust"):
        if value is not None:
            return "return None (it changes the citizens' columns in place)"
        names = {"ownership": ("ownership", "disappointment"), "trust": ("trust", "efficacy")}
        problem = _columns_in_range(pop, names[mechanism])
        return f"leave {problem}" if problem else None
    problem = {
        "exhaustion": lambda: _mask(value, n),
        "joining": lambda: _ids(value, n),
        "recruitment": lambda: _per_citizen(
            value, n, 0, np.inf, "each citizen's number of engaged ties"
        ),
        "informal_help": lambda: _per_citizen(
            value, n, 0, 1, "each citizen's share of helping ties"
        ),
    }.get(mechanism, lambda: None)()
    return f"return {problem}" if problem else None


def _check_effect(mechanism: str, value, args: tuple) -> str | None:
    """What a joining or exhaustion rule must have done to the citizens it returns: the
    joiners hold a place, the leavers do not (the model counts entries and exits from them)."""
    pop = args[0]
    if mechanism == "joining" and value.size:
        if not (np.all(pop.state[value] == ENGAGED) and np.all(pop.organisation[value] >= 0)):
            return "seat the citizens it returns (state ENGAGED with an organisation: take_places)"
    if mechanism == "exhaustion" and np.any(pop.state[value] == ENGAGED):
        return "take the citizens it marks out of their places (they are still ENGAGED)"
    return None


def failed(mechanism: str, name: str, fn: Callable, exc: Exception) -> RuleContractError:
    """A rule of one's own that raised (a misspelt column, a wrong shape in numpy): one line
    with the rule, the place in its file where it failed and the error, instead of a
    traceback through the model."""
    where = _where(fn)
    own = inspect.getsourcefile(getattr(inspect.unwrap(fn), "formula", inspect.unwrap(fn)))
    for frame in traceback.extract_tb(exc.__traceback__):
        if own and frame.filename == own:
            where = f"{where.rsplit(':', 1)[0]}:{frame.lineno}"
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return RuleContractError(
        f"{mechanism} rule {name!r} failed at {where}: {text}; fix the rule (or choose another)"
    )


def checked(mechanism: str, name: str, fn: Callable) -> Callable:
    """``fn`` with its result checked after every call (see the module docstring)."""

    @functools.wraps(fn)
    def rule(*args, **kwargs):
        try:
            value = fn(*args, **kwargs)
        except RuleContractError:
            raise
        except Exception as exc:
            raise failed(mechanism, name, fn, exc) from exc
        problem = _check_result(mechanism, value, args) or _check_effect(mechanism, value, args)
        if problem:
            raise RuleContractError(
                f"{mechanism} rule {name!r} ({_where(fn)}) returned {_describe(value)}; "
                f"it must {problem}"
            )
        return value

    return rule
