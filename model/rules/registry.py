"""Rule variants: each mechanism's rule can be swapped by name.

Every mechanism that the model calls once a month through a single function (its *hook*)
has a named **default** rule and may have **variants** — alternative rules from the
literature, or a student's own. A scenario picks them by name in its ``[rules]`` table::

    [rules]
    joining = "threshold"

and an experiment can vary them like any parameter (``[parameters."rules.joining"]``), to
see how much a conclusion depends on the rule chosen (structural uncertainty).

Adding a variant takes one function in one new file, registered with :func:`variant`.
Most changes concern one formula inside a rule, a *hook* (:mod:`model.rules.hooks`: the exit
hazard, the propensity to join, the chance of being asked, the chance of answering a
consultation); a variant overrides it in a few lines of numpy and keeps the rest::

    # model/rules/variants/my_rule.py
    from model.rules.exhaustion import exit_hazard
    from model.rules.registry import param, variant

    @variant("exhaustion", "my_rule", hook="exit_hazard",
             params={"retention": param(0.3, unit="share", range=(0, 1), source="assumption: ...")})
    def managed_exit(pop, p, recognition, management):
        return exit_hazard(pop, p, recognition, management) * (1 - p.retention * management)

A variant may also replace the whole rule: a function with the arguments of the mechanism's
rule (``MECHANISMS[...].rule``). Its own parameters (``params``) are read like any other
(``p.retention``), set in a scenario's ``[rules.params.my_rule]`` table and varied in an
experiment as ``rules.params.my_rule.retention``.

Files in ``model/rules/variants/`` are imported when the registry is first read, so no
other file changes (``uv run coprod new-rule exhaustion my_rule`` writes the skeleton). A
file that fails on import is reported once (file, line, message) and blocks only the runs
that choose one of its rules. A variant must keep the promises of its mechanism (see
``uv run coprod rules``): what it returns is checked at every call
(:mod:`model.rules.contract`), and the property tests run every registered variant.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import keyword
import math
import os
import pkgutil
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from model.rules import hooks


@dataclass
class Mechanism:
    """One swappable mechanism: the function the model calls, and its variants."""

    name: str
    rule: str  # how the model calls the rule ("join(pop, ...)"): a variant's arguments
    summary: str
    variants: dict[str, Callable] = field(default_factory=dict)
    default: str | None = None
    #: the rule's argument that carries the parameters (a variant's own are added to it)
    carrier: str = "p"


#: The mechanisms whose rule can be swapped, in the order of ODD section 7.
MECHANISMS: dict[str, Mechanism] = {
    m.name: m
    for m in (
        Mechanism(
            "participation",
            "draw_participants(proc, pop, office, s, rng, silent_reach)",
            "who takes part in a process this month (fills proc.participants)",
            carrier="s",
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
    """A file in ``model/rules/variants/`` cannot be imported (``line`` 0: not known)."""

    def __init__(self, file: str, problem: str, line: int = 0):
        self.file, self.problem, self.line = file, problem, line
        where = f"{file}, line {line}" if line else file
        super().__init__(
            f"{where}: {problem}; fix it, or move the file out of model/rules/variants/"
        )

    def __reduce__(self):
        return type(self), (self.file, self.problem, self.line)


@dataclass(frozen=True)
class Param:
    """A variant's own parameter: like every number of the model, with unit, range, source."""

    default: float
    unit: str
    range: tuple[float, float]
    source: str
    description: str = ""


def param(
    default: float, *, unit: str, range: tuple[float, float], source: str, description: str = ""
) -> Param:
    """Declare a parameter of a variant (``@variant(..., params={"name": param(...)})``).

    ``source``: author, year and table or page, or ``"assumption: "`` and a sentence of
    reasoning; ``range`` is the prior for calibration and sensitivity analysis.
    """
    low, high = (float(x) for x in range)
    if not (math.isfinite(low) and math.isfinite(high) and low <= float(default) <= high):
        raise VariantError(
            f"parameter default {default!r} must lie in its range [{low:g}, {high:g}]"
        )
    if not source.strip():
        raise VariantError("a variant parameter needs a source (or 'assumption: ' and why)")
    return Param(float(default), unit, (low, high), source, description)


class WithParams:
    """The parameters a rule reads (``p``), plus a variant's own: ``p.name`` finds both."""

    def __init__(self, base, own: dict[str, float]):
        self.__dict__.update(own)
        self._base = base

    def __getattr__(self, name: str):
        return getattr(self.__dict__["_base"], name)

    def __repr__(self) -> str:
        own = {k: v for k, v in self.__dict__.items() if k != "_base"}
        return f"WithParams({type(self._base).__name__}, {own})"


def variant(
    mechanism: str,
    name: str,
    *,
    default: bool = False,
    hook: str | None = None,
    params: dict[str, Param] | None = None,
    de: str = "",
) -> Callable:
    """Register the decorated function as variant ``name`` of ``mechanism``.

    Without ``hook`` the function is the whole rule and takes the arguments of the
    mechanism's rule (see :data:`MECHANISMS`). With ``hook`` it is one formula of the
    default rule (:mod:`model.rules.hooks`) and takes that hook's arguments; the default rule
    runs with it. ``params`` declares the variant's own parameters (:func:`param`); ``de`` is
    its one-line description in German for the workshop page. Names are unique per
    mechanism: registering a name twice is an error naming both places, so a student's
    variant can never silently replace another.
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
    declared = dict(params or {})
    for key, value in declared.items():
        if not (key.isidentifier() and isinstance(value, Param)):
            raise VariantError(
                f"parameter {key!r} of variant {name!r}: given {value!r}; allowed: an "
                "identifier declared with registry.param(default, unit=, range=, source=)"
            )

    def register(fn: Callable) -> Callable:
        m = MECHANISMS[mechanism]
        taken_names = set(_carrier_fields(m)) & set(declared)
        if taken_names:
            raise VariantError(
                f"{_where(fn)}: variant {name!r} declares parameters {sorted(taken_names)}, "
                f"which the model's parameters ({m.carrier}) hold already; choose other names"
            )
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
        if hook is None:
            _check_arguments(fn, _hook_parameters(m), f"the {mechanism} rule: {m.rule}", name, m)
            rule = fn
        else:
            h = _find_hook(mechanism, hook, fn, name)
            _check_arguments(fn, h.arguments, f"its hook {h.signature}", name, m)
            rule = _rule_with_hook(h, name, fn)
        taken = [n for n, o in _all_params().items() if n == name and o[0] != mechanism]
        if declared and taken:
            raise VariantError(
                f"{_where(fn)}: variant {name!r} declares parameters, and another "
                "mechanism's variant of the same name does too; choose another name"
            )
        rule.params, rule.summary_de, rule.hook = declared, de, hook
        if declared:  # called on its own (a test), it reads its parameters' defaults
            defaults = {k: d.default for k, d in declared.items()}
            position = _hook_parameters(m).index(m.carrier)
            rule = _with_params(rule, position, defaults, defaults=True)
        m.variants[name] = rule
        if default:
            m.default = name
        fn.mechanism, fn.variant = mechanism, name
        return fn

    return register


def _check_arguments(fn: Callable, expected: list[str], what: str, name: str, m: Mechanism):
    params = inspect.signature(fn).parameters
    given = list(params)
    variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params.values())
    if given != expected and not variadic:
        # the arguments of another mechanism's rule or hook: the decorator names the wrong one
        other = [
            f'@variant("{o.name}", ...)'
            for o in MECHANISMS.values()
            if _hook_parameters(o) == given
        ]
        other += [
            f'@variant("{h.mechanism}", ..., hook="{h.name}")'
            for h in hooks.HOOKS.values()
            if h.arguments == given
        ]
        hint = (
            f"; or, if it is meant as that, register it with {' or '.join(other)}" if other else ""
        )
        raise VariantError(
            f"{_where(fn)}: variant {name!r} of {m.name!r} takes ({', '.join(given)}); "
            f"it must take ({', '.join(expected)}), the arguments the model passes to {what}" + hint
        )


def _carrier_fields(m: Mechanism) -> list[str]:
    from model.simulation.scenario import Behaviour, Support

    return list((Support if m.carrier == "s" else Behaviour).model_fields)


def _find_hook(mechanism: str, hook: str, fn: Callable, name: str) -> hooks.Hook:
    _import_builtin()
    found = hooks.HOOKS.get((mechanism, hook))
    if found is None:
        own = [h.name for h in hooks.of(mechanism)]
        elsewhere = [m for (m, n) in hooks.HOOKS if n == hook]
        hint = f"; {hook!r} is a hook of {', '.join(elsewhere)}" if elsewhere else ""
        raise VariantError(
            f"{_where(fn)}: variant {name!r} overrides hook {hook!r}, which {mechanism!r} does "
            f"not have; its hooks: {', '.join(own) or 'none (replace the whole rule)'}{hint}"
        )
    return found


def _rule_with_hook(h: hooks.Hook, name: str, fn: Callable) -> Callable:
    """The default rule of ``h``'s mechanism with ``fn`` as its formula, checked each call."""
    import numpy as np

    from model.rules import contract

    def formula(*args):
        try:
            value = fn(*args)
        except Exception as exc:  # a misspelt column: one line naming the place, no traceback
            raise contract.failed(h.mechanism, name, fn, exc) from exc
        problem = hooks.checked_result(h, value, args[0].n)
        if problem:
            raise contract.RuleContractError(
                f"{h.mechanism} rule {name!r} ({contract._where(fn)}): its hook {h.name} "
                f"returned {hooks.describe(value)}; it must return {problem}"
            )
        return np.asarray(value, dtype=np.float64)

    rule = functools.update_wrapper(h.build(formula), fn)
    del rule.__wrapped__  # the rule keeps its mechanism's arguments (inspect.signature)
    rule.formula = fn
    return rule


def _hook_parameters(m: Mechanism) -> list[str]:
    """The argument names of a mechanism's hook, from its signature text."""
    inside = m.rule[m.rule.index("(") + 1 : m.rule.rindex(")")]
    return [a.strip() for a in inside.split(",") if a.strip()]


def _where(fn: Callable) -> str:
    fn = getattr(fn, "formula", fn)
    try:
        return f"{inspect.getsourcefile(fn)}:{inspect.getsourcelines(fn)[1]}"
    except (OSError, TypeError):
        return getattr(fn, "__module__", "?")


def _all_params() -> dict[str, tuple[str, dict[str, Param]]]:
    """Every variant that declares parameters: name -> (mechanism, its parameters)."""
    return {
        name: (m.name, fn.params)
        for m in MECHANISMS.values()
        for name, fn in m.variants.items()
        if getattr(fn, "params", None)
    }


def declared_params() -> dict[str, tuple[str, dict[str, Param]]]:
    """Variants with their own parameters (name -> mechanism, parameters), all files loaded."""
    load()
    return _all_params()


def check_params(given: dict) -> dict[str, dict[str, float]]:
    """Validate a scenario's ``[rules.params]``: known variants, declared keys, in range."""
    known = declared_params()
    out: dict[str, dict[str, float]] = {}
    for name, values in given.items():
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise VariantParamError(
                f"rules.params.{name}", name, f"a rule variant with parameters ({listed})"
            )
        mechanism, declared = known[name]
        if not isinstance(values, dict):
            raise VariantParamError(
                f"rules.params.{name}", values, f"a table of {', '.join(declared)}"
            )
        out[name] = {}
        for key, value in values.items():
            where = f"rules.params.{name}.{key}"
            if key not in declared:
                raise VariantParamError(
                    where, key, f"parameters of {mechanism} rule {name!r}: {', '.join(declared)}"
                )
            d = declared[key]
            low, high = d.range
            number = None if isinstance(value, bool) else value
            fine = isinstance(number, (int, float)) and math.isfinite(number)
            if not (fine and low <= number <= high):
                raise VariantParamError(
                    where, value, f"a number from {low:g} to {high:g} ({d.unit}; {d.source})"
                )
            out[name][key] = float(number)
    return out


class VariantParamError(VariantError):
    """A ``[rules.params]`` entry that names no variant parameter or lies outside its range."""

    def __init__(self, key: str, given, allowed: str):
        self.key, self.given, self.allowed = key, given, allowed
        super().__init__(f"{key}: given {given!r}; allowed: {allowed}")

    def __reduce__(self):
        return type(self), (self.key, self.given, self.allowed)


#: variant files that failed on import: file -> the error (reported once, kept for ``check``)
BROKEN: dict[str, VariantFileError] = {}
#: the (mechanism, name) pairs a broken file appears to register (read from its text)
_BROKEN_NAMES: dict[tuple[str, str], str] = {}
#: set in the environment once the broken files were reported, so workers stay quiet
_WARNED = "COPROD_VARIANT_FILES_REPORTED"


def _import_builtin() -> None:
    from model.rules import (  # noqa: F401  (each module registers its rules and hooks)
        exhaustion,
        informal,
        joining,
        ownership,
        participation,
        recruitment,
        trust,
    )


def load() -> None:
    """Import the built-in rules and every file in ``model/rules/variants/`` (once).

    A file that fails on import does not stop the others: it is kept in :data:`BROKEN`,
    choosing one of its rules is an error naming it (:func:`check`), and commands that go on
    without it warn once (:func:`report_broken`).
    """
    global _loaded
    if _loaded:
        return
    BROKEN.clear()
    _BROKEN_NAMES.clear()
    _import_builtin()
    from model.rules import variants as package

    for info in pkgutil.iter_modules(package.__path__):
        module = f"{package.__name__}.{info.name}"
        if module in sys.modules:
            continue
        before = {m: set(mech.variants) for m, mech in MECHANISMS.items()}
        path = Path(getattr(info.module_finder, "path", package.__path__[0])) / f"{info.name}.py"
        try:
            importlib.import_module(module)
        except Exception as exc:  # a student's file that does not import: say which one
            # forget what the file registered before it failed, so a fixed file is retried
            # cleanly (and not refused as a duplicate of its own half-import)
            for m, mech in MECHANISMS.items():
                for name in set(mech.variants) - before[m]:
                    del mech.variants[name]
            sys.modules.pop(module, None)
            _remember_broken(f"model/rules/variants/{info.name}.py", path, exc)
    _loaded = True


def _remember_broken(file: str, path: Path, exc: BaseException) -> None:
    line = 0
    if isinstance(exc, SyntaxError) and exc.lineno:
        line, text = exc.lineno, f"{type(exc).__name__}: {exc.msg}"
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == path.resolve():
                line = frame.lineno or 0
        text = f"{type(exc).__name__}: {exc}"
        text = text.replace(f"{path}:{line}: ", "")  # the registry's own message names it too
    BROKEN[file] = VariantFileError(file, " ".join(text.split()), line)
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    declared = r'@variant\(\s*["\'](\w+)["\']\s*,\s*["\'](\w+)["\']'
    for mechanism, name in re.findall(declared, source):
        _BROKEN_NAMES[(mechanism, name)] = file


def report_broken(stream=None) -> None:
    """Warn once per command (and not again in its worker processes) about variant files
    that failed on import: file, line, message and the fix."""
    if not BROKEN or os.environ.get(_WARNED):
        return
    os.environ[_WARNED] = "1"
    for error in BROKEN.values():
        print(
            f"warning: {error} (its rules cannot be chosen until then)",
            file=stream or sys.stderr,
        )


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
        # a rule of a file that fails on import (under this mechanism, or, with the wrong
        # mechanism in its decorator, under another): the file's error is the answer
        file = _BROKEN_NAMES.get((mechanism, name)) or next(
            (f for (_, n), f in _BROKEN_NAMES.items() if n == name), None
        )
        if file in BROKEN:
            raise BROKEN[file]
        broken = f" (failing on import: {', '.join(BROKEN)})" if BROKEN else ""
        elsewhere = [
            f"{name!r} is a {m.name} rule ({_where(m.variants[name])})"
            for m in MECHANISMS.values()
            if name in m.variants
        ]
        other = f"; {', '.join(elsewhere)}" if elsewhere else ""
        raise VariantError(
            f"unknown {mechanism} rule {name!r}; available: {', '.join(available(mechanism))}"
            + other
            + broken
        )
    return name


class RuleSet:
    """The rule function of each mechanism for one run: ``model.rules.joining(...)``."""

    def __init__(self, names: dict[str, str], params: dict[str, dict[str, float]] | None = None):
        from model.rules.contract import checked

        self.names = dict(names)
        #: the parameters of the chosen variants that declare some (defaults filled in)
        self.params: dict[str, dict[str, float]] = {}
        for mechanism, name in self.names.items():
            m = MECHANISMS[mechanism]
            fn = m.variants[name]
            declared = getattr(fn, "params", None) or {}
            if declared:
                own = {k: d.default for k, d in declared.items()} | (params or {}).get(name, {})
                self.params[name] = own
                fn = _with_params(fn, _hook_parameters(m).index(m.carrier), own)
            # your own rules (model/rules/variants/) are checked at every call; the shipped
            # ones are covered by the tests and run unchecked
            if getattr(fn, "__module__", "").startswith(f"{__package__}.variants"):
                fn = checked(mechanism, name, fn)
            setattr(self, mechanism, fn)

    def __repr__(self) -> str:
        return f"RuleSet({self.names})"


def _with_params(
    fn: Callable, position: int, own: dict[str, float], *, defaults: bool = False
) -> Callable:
    """``fn`` called with its parameter carrier (argument ``position``) extended by ``own``;
    with ``defaults``, only by the values the carrier does not hold yet."""

    @functools.wraps(fn)
    def rule(*args):
        args = list(args)
        carrier = args[position]
        values = {k: v for k, v in own.items() if not hasattr(carrier, k)} if defaults else own
        args[position] = WithParams(carrier, values)
        return fn(*args)

    return rule


def resolve(selection: dict) -> RuleSet:
    """The rule set for a run: the default of every mechanism, overridden by ``selection``
    (a ``[rules]`` table: mechanism -> variant name, and ``params`` -> variant parameters)."""
    selection = dict(selection)
    params = check_params(selection.pop("params", None) or {})
    names = defaults()
    for mechanism, name in selection.items():
        names[mechanism] = check(mechanism, name)
    return RuleSet(names, params)
