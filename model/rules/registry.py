"""Rule variants: each mechanism's rule can be swapped by name.

Every mechanism that the model calls once a month through a single function (its *hook*)
has a named **default** rule and may have **variants** — alternative rules from the
literature, or a student's own. A scenario picks them by name in its ``[rules]`` table::

    [rules]
    joining = "threshold"

and an experiment can vary them like any parameter (``[parameters."rules.joining"]``), to
see how much a conclusion depends on the rule chosen (structural uncertainty).

Adding a variant takes one function in one new file, registered with :func:`variant`::

    # model/rules/variants/my_rule.py
    from model.rules.registry import variant

    @variant("joining", "my_rule")
    def join(pop, engaged_tie_share, matching, free_places, step, p, rng):
        ...

Files in ``model/rules/variants/`` are imported when the registry is first read, so no
other file changes (``uv run coprod new-rule joining my_rule`` writes the skeleton). A
variant takes the same arguments as the mechanism's default rule and must keep the same
promises (see each hook's docstring); the property tests run every registered variant.
"""

from __future__ import annotations

import importlib
import inspect
import keyword
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Mechanism:
    """One swappable mechanism: the function the model calls, and its variants."""

    name: str
    hook: str  # what the rule function is called in the model ("the joining rule")
    summary: str
    variants: dict[str, Callable] = field(default_factory=dict)
    default: str | None = None


#: The mechanisms whose rule can be swapped, in the order of ODD section 7.
MECHANISMS: dict[str, Mechanism] = {
    m.name: m
    for m in (
        Mechanism(
            "participation",
            "draw_participants(proc, pop, office, s, rng, silent_reach)",
            "who takes part in a process this month (fills proc.participants)",
        ),
        Mechanism(
            "recruitment",
            "ask_to_join(pop, adj, recruiting_members, agency_reach, outreach_contacts, p, rng)",
            "who is asked to help this month (sets pop.asked, pop.asked_in_person); "
            "returns each citizen's number of engaged ties",
        ),
        Mechanism(
            "joining",
            "join(pop, engaged_tie_share, matching, free_places, step, p, rng)",
            "which open citizens take up a free place; returns their ids",
        ),
        Mechanism(
            "ownership",
            "take_ownership(pop, participants, influence, expectation, adj, deg, p)",
            "what a concluded process leaves: ownership and disappointment",
        ),
        Mechanism(
            "trust",
            "update_trust(pop, processes, visible_responsiveness, success, p)",
            "how trust and efficacy move each month (processes: trust.Concluded: participants, "
            "influence, news, heard)",
        ),
        Mechanism(
            "exhaustion",
            "spend_energy_and_exit(pop, management_by_org, load_relief, recognition, p, rng)",
            "who burns out or leaves this month; returns a mask of the leavers",
        ),
        Mechanism(
            "informal_help",
            "help_neighbours(pop, adj, deg, p, rng)",
            "who helps neighbours outside organisations this month (sets pop.helping); "
            "returns each citizen's share of helping ties",
        ),
    )
}

_loaded = False


class VariantError(ValueError):
    """A variant is registered twice, for an unknown mechanism, or does not exist."""


class VariantFileError(VariantError):
    """A file in ``model/rules/variants/`` cannot be imported."""

    def __init__(self, file: str, problem: str):
        self.file, self.problem = file, problem
        super().__init__(
            f"{file}: given a rule variant file that fails on import ({problem}); allowed: a "
            "file that imports without errors (fix it, or move it out of model/rules/variants/)"
        )


def variant(mechanism: str, name: str, *, default: bool = False) -> Callable:
    """Register the decorated function as variant ``name`` of ``mechanism``.

    The function must take the arguments of the mechanism's hook (see :data:`MECHANISMS`).
    Names are unique per mechanism: registering a name twice is an error naming both
    places, so a student's variant can never silently replace another.
    """
    if mechanism not in MECHANISMS:
        raise VariantError(
            f"unknown mechanism {mechanism!r}; mechanisms with swappable rules: "
            f"{', '.join(MECHANISMS)}"
        )
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise VariantError(
            f"variant name {name!r} of {mechanism!r} must be a Python identifier "
            "(letters, digits, underscores; not a keyword, not starting with '_'; e.g. 'my_rule')"
        )

    def register(fn: Callable) -> Callable:
        m = MECHANISMS[mechanism]
        if name in m.variants:
            first = m.variants[name]
            raise VariantError(
                f"variant {name!r} of {mechanism!r} is registered twice: in "
                f"{_where(first)} and in {_where(fn)}; choose another name"
            )
        if default and m.default is not None:
            raise VariantError(
                f"{mechanism!r} already has the default rule {m.default!r} "
                f"({_where(m.variants[m.default])}); register {name!r} without default=True"
            )
        expected = _hook_parameters(m)
        params = inspect.signature(fn).parameters
        given = list(params)
        variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params.values())
        if given != expected and not variadic:
            raise VariantError(
                f"{_where(fn)}: variant {name!r} of {mechanism!r} takes ({', '.join(given)}); "
                f"it must take ({', '.join(expected)}), the arguments the model passes to "
                f"the {mechanism} rule: {m.hook}"
            )
        m.variants[name] = fn
        if default:
            m.default = name
        fn.mechanism, fn.variant = mechanism, name
        return fn

    return register


def _hook_parameters(m: Mechanism) -> list[str]:
    """The argument names of a mechanism's hook, from its signature text."""
    inside = m.hook[m.hook.index("(") + 1 : m.hook.rindex(")")]
    return [a.strip() for a in inside.split(",") if a.strip()]


def _where(fn: Callable) -> str:
    try:
        return f"{inspect.getsourcefile(fn)}:{inspect.getsourcelines(fn)[1]}"
    except (OSError, TypeError):
        return getattr(fn, "__module__", "?")


def load() -> None:
    """Import the built-in rules and every file in ``model/rules/variants/`` (once)."""
    global _loaded
    if _loaded:
        return
    from model.rules import (
        exhaustion,
        informal,
        joining,
        ownership,
        participation,
        recruitment,
        trust,
    )

    del exhaustion, informal, joining, ownership, participation, recruitment, trust
    from model.rules import variants as package

    for info in pkgutil.iter_modules(package.__path__):
        module = f"{package.__name__}.{info.name}"
        if module in sys.modules:
            continue
        before = {m: set(mech.variants) for m, mech in MECHANISMS.items()}
        try:
            importlib.import_module(module)
        except Exception as exc:  # a student's file that does not import: say which one
            # forget what the file registered before it failed, so a fixed file is retried
            # cleanly (and not refused as a duplicate of its own half-import)
            for m, mech in MECHANISMS.items():
                for name in set(mech.variants) - before[m]:
                    del mech.variants[name]
            sys.modules.pop(module, None)
            raise VariantFileError(
                f"model/rules/variants/{info.name}.py", f"{type(exc).__name__}: {exc}"
            ) from exc
    _loaded = True  # only when every file was imported


def available(mechanism: str) -> list[str]:
    """Names of the variants of ``mechanism``, the default first."""
    load()
    m = MECHANISMS[mechanism]
    return [m.default] + sorted(k for k in m.variants if k != m.default)


def defaults() -> dict[str, str]:
    load()
    return {name: m.default for name, m in MECHANISMS.items()}


def check(mechanism: str, name: str) -> str:
    """``name`` if it is a variant of ``mechanism``; otherwise an error listing them."""
    load()
    if name not in MECHANISMS[mechanism].variants:
        raise VariantError(
            f"unknown {mechanism} rule {name!r}; available: {', '.join(available(mechanism))}"
        )
    return name


class RuleSet:
    """The rule function of each mechanism for one run: ``model.rules.joining(...)``."""

    def __init__(self, names: dict[str, str]):
        from model.rules.contract import checked

        self.names = dict(names)
        for mechanism, name in self.names.items():
            fn = MECHANISMS[mechanism].variants[name]
            # your own rules (model/rules/variants/) are checked at every call; the shipped
            # ones are covered by the tests and run unchecked
            if getattr(fn, "__module__", "").startswith(f"{__package__}.variants"):
                fn = checked(mechanism, name, fn)
            setattr(self, mechanism, fn)

    def __repr__(self) -> str:
        return f"RuleSet({self.names})"


def resolve(selection: dict[str, str]) -> RuleSet:
    """The rule set for a run: the default of every mechanism, overridden by ``selection``."""
    names = defaults()
    for mechanism, name in selection.items():
        names[mechanism] = check(mechanism, name)
    return RuleSet(names)
