"""Hooks: the one formula inside a rule that a change is usually about.

A mechanism's rule is a compiled loop over up to a million citizens (ODD 3.5), but most
changes a student wants to try concern one formula inside it: the chance that a volunteer
quits, the chance that an open citizen takes up a place, the chance of being asked, the
chance of answering an open consultation. Each such formula is a **hook**: a small, pure
function in plain numpy over the citizens' columns (``pop.education``, ``pop.ownership``,
...), declared here by its mechanism's module. The compiled default rule computes the same
formula inside its loop (a test checks that the two agree), so reading the hook is reading
the rule.

A variant overrides one hook in a few lines and keeps everything else of the default rule::

    from model.rules.exhaustion import exit_hazard
    from model.rules.registry import variant

    @variant("exhaustion", "my_rule", hook="exit_hazard")
    def quit_less_when_asked_first(pop, p, recognition, management):
        return exit_hazard(pop, p, recognition, management) * (1 - 0.3 * pop.entered_asked)

The default rule then takes the hook's result as an array instead of its own formula (plain
numpy costs a few array passes a month; the rest stays compiled), and what the hook returns
is checked at every call: one value per citizen, finite and inside the hook's range, or the
run stops with a message naming the rule, the hook and what it must return.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Hook:
    """One overridable formula of a mechanism."""

    mechanism: str
    name: str
    #: the reference implementation in plain numpy (the compiled default mirrors it)
    default: Callable
    #: what it returns, in words ("each citizen's monthly chance to quit")
    returns: str
    #: hook function -> a whole rule of the mechanism that uses it (module-private builder)
    build: Callable
    low: float = 0.0
    high: float = 1.0

    @property
    def arguments(self) -> list[str]:
        return list(inspect.signature(self.default).parameters)

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(self.arguments)})"


#: every declared hook, by (mechanism, hook name), in the order of declaration
HOOKS: dict[tuple[str, str], Hook] = {}


def declare(mechanism: str, *, returns: str, build: Callable, low: float = 0.0, high: float = 1.0):
    """Declare the decorated numpy function as the hook of ``mechanism`` named after it.

    ``build(formula)`` must return a rule with the mechanism's arguments that computes the
    hook with ``formula`` (called as ``formula(*hook arguments)``) instead of the default.
    """

    def register(fn: Callable) -> Callable:
        name = fn.__name__
        HOOKS[(mechanism, name)] = Hook(mechanism, name, fn, returns, build, low, high)
        return fn

    return register


def no_formula() -> np.ndarray:
    """What a compiled rule is given instead of a hook's result when no variant overrides
    the hook: an empty array, and the loop computes the default formula itself."""
    return np.empty(0, dtype=np.float64)


def of(mechanism: str) -> list[Hook]:
    """The hooks of ``mechanism`` (empty if its rule has none)."""
    return [h for (m, _), h in HOOKS.items() if m == mechanism]


def checked_result(hook: Hook, value, n: int) -> str | None:
    """What is wrong with ``value`` as the result of ``hook`` for ``n`` citizens, or None."""
    ok = (
        isinstance(value, np.ndarray)
        and value.shape == (n,)
        # chances, not yes/no: a boolean or integer array is a mask or ids by mistake
        and np.issubdtype(value.dtype, np.floating)
        and bool(np.all(np.isfinite(value)))
        and bool(np.all((value >= hook.low) & (value <= hook.high)))
    )
    if ok:
        return None
    bounds = f"from {hook.low:g} to {hook.high:g}"
    return f"{hook.returns} (a numpy float array of {n} numbers {bounds}, one per citizen)"


def describe(value) -> str:
    """A short description of what a rule or hook returned, for error messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        article = "an" if str(value.dtype)[0] in "aeiou" else "a"
        shown = f"{article} {value.dtype} array of shape {value.shape}"
        if value.size and np.issubdtype(value.dtype, np.number):
            finite = value[np.isfinite(value)]
            if finite.size < value.size:
                shown += " with NaN or infinite values"
            elif finite.size:
                shown += f" from {finite.min():g} to {finite.max():g}"
        return shown
    return f"a {type(value).__name__}"
