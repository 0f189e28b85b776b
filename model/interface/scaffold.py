"""Rule variants on the command line: list them (``coprod rules``), start one (``new-rule``).

:func:`rules_listing` describes every swappable mechanism of :mod:`model.rules.registry`: its
hook, its variants (the default marked), what each does and where it is defined.

:func:`new_rule` writes a ready-to-edit variant and its test::

    model/rules/variants/NAME.py     @variant("MECHANISM", "NAME") on a function with the
                                     hook's parameters that calls the default rule, so it
                                     runs (and behaves like the default) until it is edited
    tests/variants/test_NAME.py      the run uses the variant, invariants hold, and a
                                     comparison with the default for the student to write

Both files are written under ``root`` (default: the project folder), so tests can write them
into a temporary folder instead of the source tree.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import re
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from model.rules import hooks, registry

#: The project folder (holds ``model/`` and ``tests/``): source locations are shown
#: relative to it.
PROJECT = Path(__file__).resolve().parents[2]  # the repository (model/interface/..)
#: Where :func:`new_rule` writes by default (tests point it elsewhere).
ROOT = PROJECT

#: Per mechanism, an example of a comparison with the default for the generated test.
COMPARISON_HINTS = {
    "participation": (
        "a rule that reaches the silent groups better should raise the engaged share of the "
        "silent: ``mine['engaged_share_silent'] > theirs['engaged_share_silent']``, e.g. "
        "with ``run(NAME, levers={'participation': {'formats': ['open_consultation']}})``."
    ),
    "recruitment": (
        "a rule that asks less along the network should narrow the education gap: "
        "``gap(mine) < gap(theirs)`` with "
        "``gap = lambda r: r['engaged_share_edu_high'] - r['engaged_share_edu_low']``."
    ),
    "joining": (
        "a rule in which education matters less should narrow the education gap of the "
        "engaged: ``gap(mine) < gap(theirs)`` with "
        "``gap = lambda r: r['engaged_share_edu_high'] - r['engaged_share_edu_low']``."
    ),
    "ownership": (
        "a rule that gives less ownership for late or token participation should lower the "
        "engaged share when processes come late: compare ``engaged_share`` with "
        "``levers={'participation': {'timing': 'late', 'rung': 'co_design'}}``."
    ),
    "trust": (
        "a rule in which losses weigh less should keep more trust under tokenism: "
        "``mine['trust_mean'] > theirs['trust_mean']`` with ``levers={'participation': "
        "{'timing': 'early', 'rung': 'co_design'}, 'administration': {'responsiveness': 0.05}}``."
    ),
    "exhaustion": (
        "a rule in which volunteers tire faster should raise the exit rate: "
        "``mine['annual_exit_rate'] > theirs['annual_exit_rate']``."
    ),
    "informal_help": (
        "a rule in which helping spreads less along ties should lower the share who help "
        "neighbours: ``mine['informal_help_share'] < theirs['informal_help_share']``."
    ),
}


class ScaffoldError(ValueError):
    """``new-rule`` was given an unknown mechanism or an unusable name (one-line message)."""

    def __init__(self, what: str, given: str, allowed: str):
        super().__init__(f"{what}: given {given!r}; allowed: {allowed}")


# ------------------------------------------------------------------------------ listing


@dataclass
class VariantInfo:
    """One registered rule, as ``coprod rules`` shows it."""

    mechanism: str
    name: str
    default: bool
    summary: str
    where: str


def summary(fn: Callable) -> str:
    """The first sentence of ``fn``'s docstring, on one line (its first line if shorter)."""
    doc = inspect.getdoc(fn) or ""
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    if not paragraph:
        return "(no docstring)"
    match = re.search(r"(?<=[.!?])\s", paragraph)
    return paragraph[: match.start()] if match else paragraph


def where(fn: Callable, root: Path | None = None) -> str:
    """``file:line`` of ``fn``'s definition, the file relative to ``root`` when inside it."""
    fn = inspect.unwrap(fn)
    fn = getattr(fn, "formula", fn)  # a variant of a hook: where its formula is written
    try:
        file = Path(inspect.getsourcefile(fn) or "?").resolve()
        line = inspect.getsourcelines(fn)[1]
    except (OSError, TypeError):
        return getattr(fn, "__module__", "?")
    return f"{_relative(file, root or PROJECT)}:{line}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def variants(mechanism: str) -> list[VariantInfo]:
    """The registered rules of ``mechanism``, the default first."""
    m = registry.MECHANISMS[mechanism]
    return [
        VariantInfo(
            mechanism,
            name,
            name == m.default,
            summary(m.variants[name]),
            where(m.variants[name]),
        )
        for name in registry.available(mechanism)
    ]


def rules_listing(width: int = 100) -> str:
    """The text of ``coprod rules``: mechanisms, hooks and variants (default marked)."""
    registry.load()
    out = []
    for m in registry.MECHANISMS.values():
        out.extend(textwrap.wrap(f"{m.name}: {m.summary}", width=width, subsequent_indent="  "))
        out.append(f"  rule: {m.rule}")
        for h in hooks.of(m.name):
            out.extend(
                textwrap.wrap(
                    f"hook: {h.signature} -> {h.returns}",
                    width=width,
                    initial_indent="  ",
                    subsequent_indent="        ",
                )
            )
        infos = variants(m.name)
        pad = max(len(v.name) for v in infos) + 2
        for v in infos:
            mark = "*" if v.default else " "
            indent = " " * (4 + pad)
            lines = textwrap.wrap(
                v.summary, width=width, initial_indent=indent, subsequent_indent=indent
            )
            lines[0] = f"  {mark} {v.name:<{pad}}" + lines[0][len(indent) :]
            out.extend(lines)
            fn = m.variants[v.name]
            hooked = f" (overrides hook {fn.hook})" if getattr(fn, "hook", None) else ""
            out.append(f"{indent}{v.where}{hooked}")
            for key, d in (getattr(fn, "params", None) or {}).items():
                out.extend(
                    textwrap.wrap(
                        f"param {key} = {d.default:g} ({d.unit}; range {d.range[0]:g} to "
                        f"{d.range[1]:g}; {d.source}) - set in [rules.params.{v.name}]",
                        width=width,
                        initial_indent=indent,
                        subsequent_indent=indent + "  ",
                    )
                )
        out.append("")
    out.append('* default. Choose a rule in a scenario: [rules] MECHANISM = "NAME".')
    out.append(
        "Write your own: uv run coprod new-rule MECHANISM NAME (overrides the mechanism's "
        "hook if it has one; --whole for the whole rule)"
    )
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- new rule


@dataclass
class Hook:
    """What a variant of a mechanism must look like, taken from its default rule."""

    mechanism: str
    function: str  # the hook's function name, e.g. "join"
    default: str  # the default variant's name, e.g. "logistic"
    default_fn: Callable
    signature: inspect.Signature


def hook(mechanism: str) -> Hook:
    """The hook of ``mechanism``: its parameters (checked against the default rule's)."""
    registry.load()
    m = registry.MECHANISMS[mechanism]
    function, _, rest = m.rule.partition("(")
    names = [a.strip() for a in rest.rstrip(")").split(",") if a.strip()]
    fn = m.variants[m.default]
    sig = inspect.signature(fn)
    if list(sig.parameters) != names:
        raise RuntimeError(
            f"registry hook of {mechanism!r} names {names}, but its default rule "
            f"{m.default!r} ({where(fn)}) takes {list(sig.parameters)}"
        )
    return Hook(mechanism, function.strip(), m.default, fn, sig)


def check_new(mechanism: str, name: str, root: Path | None = None, force: bool = False) -> None:
    """Raise :class:`ScaffoldError` unless ``name`` can become a new variant of ``mechanism``."""
    registry.load()
    if mechanism not in registry.MECHANISMS:
        raise ScaffoldError("mechanism", mechanism, ", ".join(registry.MECHANISMS))
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ScaffoldError(
            "name",
            name,
            "a Python identifier (letters, digits, underscores; not starting with a digit or "
            "'_', not a keyword), e.g. 'my_rule'",
        )
    root = root or ROOT
    target, test = paths(name, root)
    taken = registry.MECHANISMS[mechanism].variants
    if name in taken:
        defined = Path(inspect.getsourcefile(inspect.unwrap(taken[name])) or "")
        if not (force and defined.resolve() == target.resolve()):
            raise ScaffoldError(
                "name",
                name,
                f"a name not yet used for {mechanism} (taken: "
                f"{', '.join(registry.available(mechanism))}; {name!r} is defined in "
                f"{where(taken[name])})",
            )
    if target.exists():
        # the file is named after the rule only: never let --force replace another
        # mechanism's rule that happens to have the same name
        other = re.findall(r'@variant\(\s*"(\w+)"', target.read_text(encoding="utf-8"))
        if any(m != mechanism for m in other):
            raise ScaffoldError(
                "name",
                name,
                f"a name whose file holds no rule of another mechanism "
                f"({_relative(target, root)} has a {', '.join(sorted(set(other)))} rule; "
                "choose another name)",
            )
    for path in (target, test):
        if path.exists() and not force:
            raise ScaffoldError(
                "name",
                name,
                f"a name whose files do not exist yet ({_relative(path, root)} exists; "
                "--force overwrites it)",
            )


def paths(name: str, root: Path | None = None) -> tuple[Path, Path]:
    """Where the variant ``name`` and its test are written."""
    root = root or ROOT
    return (
        root / "model" / "rules" / "variants" / f"{name}.py",
        root / "tests" / "variants" / f"test_{name}.py",
    )


def new_rule(
    mechanism: str,
    name: str,
    *,
    root: Path | None = None,
    force: bool = False,
    whole: bool = False,
) -> list[Path]:
    """Write variant ``name`` of ``mechanism`` and its test under ``root``; return the paths.

    The variant overrides the mechanism's hook (its one formula, :mod:`model.rules.hooks`) if
    it has one, unless ``whole``: then it replaces the whole rule."""
    check_new(mechanism, name, root, force)
    target, test = paths(name, root)
    from model.interface.hook_template import hook_variant_source

    own_hooks = hooks.of(mechanism)
    source = (
        hook_variant_source(own_hooks[0], name)
        if own_hooks and not whole
        else variant_source(mechanism, name)
    )
    for path, text in (
        (target, source),
        (test, test_source(mechanism, name)),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [target, test]


def next_steps(mechanism: str, name: str, written: list[Path], root: Path | None = None) -> str:
    """What ``coprod new-rule`` prints after writing the files."""
    root = root or ROOT
    target, test = (_relative(p, root) for p in written)
    h = hook(mechanism)
    formula = next(
        (
            f" (its formula {k.signature})"
            for k in hooks.of(mechanism)
            if k.name in _text(written[0])
        ),
        "",
    )
    return (
        "".join(f"wrote {_relative(p, root)}\n" for p in written)
        + f"The {mechanism} rule {name!r}{formula} runs and behaves like the default "
        f"{h.default!r} until you change it. Next:\n"
        f"  1. edit {target} at '# TODO: your rule' (and its docstring: ODD section, "
        "references)\n"
        f"  2. uv run pytest {test}   (then write test_the_variant_differs_from_the_default)\n"
        f'  3. use it in a scenario:   [rules]  {mechanism} = "{name}"\n'
    )


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


# ------------------------------------------------------------------------------ templates


def _odd_submodel(module: types.ModuleType) -> str:
    """``ODD section 7.3 ("Joining decision")`` from the module docstring of a default rule."""
    found = re.search(r'ODD section 7\.\d+ \("[^"]+"\)', module.__doc__ or "")
    return found.group(0) if found else "ODD section 7"


def _imports(h: Hook) -> list[str]:
    """Import lines for the names the hook's annotations use (isort order, as ruff wants)."""
    env = h.default_fn.__globals__
    texts = [str(p.annotation) for p in h.signature.parameters.values()]
    texts.append(str(h.signature.return_annotation))
    plain: set[str] = set()
    froms: dict[str, set[str]] = {}
    for text in texts:
        for word in re.findall(r"(?<![.\w])([A-Za-z_]\w*)", text):
            if hasattr(builtins, word) or word not in env:
                continue
            obj = env[word]
            if isinstance(obj, types.ModuleType):
                full = obj.__name__
                plain.add(f"import {full}" + ("" if full == word else f" as {word}"))
            else:
                froms.setdefault(obj.__module__, set()).add(word)
    module = h.default_fn.__module__
    froms.setdefault(module, set()).add(f"{h.default_fn.__name__} as {h.default}_rule")
    froms.setdefault("model.rules.registry", set()).add("variant")

    def first_party(line_module: str) -> bool:
        return line_module.split(".")[0] == "model"

    third = sorted(line for line in plain if not first_party(line.split()[1]))
    first = sorted(line for line in plain if first_party(line.split()[1]))

    def order(name: str) -> tuple:  # ruff's isort: CONSTANTS, Classes, functions
        base = name.split()[0]
        kind = 0 if base.isupper() else 1 if base[0].isupper() else 2
        return (kind, base.lower())

    from_lines = []
    for mod, names in sorted(froms.items()):
        plain_names = sorted((n for n in names if " as " not in n), key=order)
        if plain_names:
            from_lines.append(f"from {mod} import {', '.join(plain_names)}")
        # ruff's isort keeps ``import x as y`` on a line of its own, after the others
        from_lines += [f"from {mod} import {n}" for n in sorted(names) if " as " in n]
    third += [line for line in from_lines if not first_party(line.split()[1])]
    first += [line for line in from_lines if first_party(line.split()[1])]
    return [block for block in ("\n".join(third), "\n".join(first)) if block]


def _parameters(h: Hook) -> str:
    lines = []
    for p in h.signature.parameters.values():
        text = p.name
        if p.annotation is not inspect.Parameter.empty:
            text += f": {p.annotation}"
        if p.default is not inspect.Parameter.empty:
            text += f" = {p.default!r}" if ":" in text else f"={p.default!r}"
        lines.append(f"    {text},")
    return "\n".join(lines)


def _para(text: str, first: str = "", rest: str = "", width: int = 96) -> str:
    """``text`` wrapped to ``width`` columns (generated files stay ruff-clean)."""
    return textwrap.fill(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def variant_source(mechanism: str, name: str) -> str:
    """The text of ``model/rules/variants/NAME.py``: the default rule under a new name."""
    h = hook(mechanism)
    m = registry.MECHANISMS[mechanism]
    module = inspect.getmodule(h.default_fn)
    ret = h.signature.return_annotation
    returns = ret is not inspect.Signature.empty and str(ret) != "None"
    call = f"{h.default}_rule({', '.join(h.signature.parameters)})"
    body = f"return {call}" if returns else call
    arrow = f" -> {ret}" if ret is not inspect.Signature.empty else ""
    default_file = where(h.default_fn).rsplit(":", 1)[0]
    function = f"{h.function}_{name}"
    doc = "\n\n".join(
        [
            _para(f"{mechanism.capitalize()} rule ``{name}``: TODO one line on what it assumes."),
            _para(
                f"A variant of mechanism ``{mechanism}``: {m.summary}. Written by ``uv run "
                f"coprod new-rule {mechanism} {name}``. Until you change it, it calls the "
                f"default rule ``{h.default}`` (:func:`{h.default_fn.__module__}."
                f"{h.default_fn.__name__}` in {default_file}), so runs behave as with the "
                "default."
            ),
            "To fill in\n----------\n"
            + "\n".join(
                _para(item, "", "   ")
                for item in (
                    f"1. The rule: the body of :func:`{function}` below, at ``# TODO: your "
                    "rule``. Keep the hook's promises (the default's docstring; ``uv run "
                    "coprod rules``): the same arguments, the same kind of result, the "
                    "citizens' columns left valid. Plain numpy is fine.",
                    f"2. ODD section: this replaces the rule of {_odd_submodel(module)} in "
                    "docs/ODD.md. Say what your rule assumes and how it differs from the "
                    "default.",
                    "3. References: where the rule comes from, below.",
                )
            ),
            _para(
                f"Test it with ``uv run pytest tests/variants/test_{name}.py``; use it in a "
                f'scenario with ``[rules]`` ``{mechanism} = "{name}"``.'
            ),
            "References\n----------\nTODO: Author, A. (Year). Title. Journal or publisher.",
        ]
    )
    todo = _para(
        f"TODO: your rule. Replace this call of the default rule ({h.default!r}) with your "
        "own code.",
        "    # ",
        "    # ",
    )
    imports = "\n\n".join(_imports(h))
    return f'''"""{doc}
"""

from __future__ import annotations

{imports}


@variant("{mechanism}", "{name}")
def {function}(
{_parameters(h)}
){arrow}:
    """TODO: what your rule does, in one sentence (``uv run coprod rules`` shows it)."""
{todo}
    {body}
'''


def test_source(mechanism: str, name: str) -> str:
    """The text of ``tests/variants/test_NAME.py``."""
    h = hook(mechanism)
    hint = _para(
        f"For example ({mechanism}): {COMPARISON_HINTS.get(mechanism, '')}", "    ", "    ", 92
    )
    doc = "\n\n".join(
        [
            _para(f"Tests of the {mechanism} rule ``{name}`` (model/rules/variants/{name}.py)."),
            _para(
                f"Written by ``uv run coprod new-rule {mechanism} {name}``; run them with "
                f"``uv run pytest tests/variants/test_{name}.py``. The first two pass as long "
                "as the rule keeps the promises every rule keeps. The last one is yours: state "
                f"what your rule changes compared with the default ({h.default!r}) as an "
                "assertion that fails if it does not, then delete its skip mark."
            ),
        ]
    )
    return f'''"""{doc}
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CoProductionModel, Scenario, State
from model.rules import registry
from model.simulation.indicators import INDICATORS

MECHANISM, NAME = "{mechanism}", "{name}"
DEFAULT = registry.defaults()[MECHANISM]
CITIZENS, MONTHS = 500, 12
COLUMNS = ("trust", "efficacy", "energy", "loneliness", "ownership", "disappointment")


def run(rule: str, seed: int = 1, **tables) -> CoProductionModel:
    """A small city for a few months with ``rule`` as the {mechanism} rule, checked every
    month. ``tables`` adds scenario tables, e.g. ``levers={{"administration": {{...}}}}``."""
    data = {{
        "rules": {{MECHANISM: rule}},
        "run": {{"citizens": CITIZENS, "months": MONTHS}},
        **tables,
    }}
    model = CoProductionModel(Scenario.model_validate(data), rng=seed)
    check_citizens(model)
    for _ in range(MONTHS):
        model.step()
        check_citizens(model)
    return model


def check_citizens(model: CoProductionModel) -> None:
    """What every rule must leave valid (tests/test_properties.py checks more)."""
    pop = model.citizens
    engaged = pop.engaged
    assert np.all((pop.state >= State.INACTIVE) & (pop.state <= State.EXHAUSTED)), "states"
    assert np.all(pop.hours >= 0) and np.all(pop.hours[~engaged] == 0), "hours"
    assert np.all(pop.organisation[~engaged] == -1), "organisation of non-volunteers"
    members = pop.organisation[engaged]
    assert np.all((members >= 0) & (members < len(model.organisations))), "organisations"
    for column in COLUMNS:
        values = getattr(pop, column)
        assert np.all(np.isfinite(values) & (values >= 0) & (values <= 1)), column


@pytest.fixture(scope="module")
def model() -> CoProductionModel:
    return run(NAME)


def test_the_run_uses_the_variant(model):
    assert NAME in registry.available(MECHANISM)
    assert model.rules.names[MECHANISM] == NAME


def test_indicator_shares_stay_between_0_and_1(model):
    df = model.dataframe()
    assert len(df) == MONTHS
    for indicator, (unit, _) in INDICATORS.items():
        if unit == "fraction":
            values = df[indicator].dropna().astype(float)
            assert values.between(0, 1).all(), indicator


@pytest.mark.skip(reason="write your comparison here: what does your rule change?")
def test_the_variant_differs_from_the_default(model):
    """TODO: what your rule changes compared with the default, as an assertion that could
    fail. Compare runs with the same seed; use several seeds or more citizens if the
    difference is small.

{hint}
    """
    mine = model.dataframe().iloc[-1]
    theirs = run(DEFAULT).dataframe().iloc[-1]
    # TODO: your comparison (this one fails while the rule is still the default's)
    assert mine["engaged_share"] != theirs["engaged_share"]
'''
