"""Rule variants: the registry, every variant's invariants, what the built-in alternatives
change, and the ``coprod rules`` / ``coprod new-rule`` commands.

(model/rules/registry.py, model/interface/scaffold.py; the invariants are those of
tests/test_properties.py.)
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import CoProductionModel, Scenario
from model.interface import scaffold
from model.interface.cli import main
from model.rules import hooks, registry
from model.rules.registry import MECHANISMS, VariantError, variant
from model.simulation.citizens import Population, State
from model.simulation.scenario import Behaviour, City
from model.simulation.scenario.files import load_scenario
from tests import test_properties as properties

ROOT = Path(__file__).resolve().parent.parent
ALL_VARIANTS = [(m, name) for m in MECHANISMS for name in registry.available(m)]


def run(rules: dict[str, str], *, citizens: int, months: int, seed: int = 1, check=None, **tables):
    """A run of ``months`` months under ``rules``; ``check(model)`` after every month."""
    data = {"rules": rules, "run": {"citizens": citizens, "months": months}, **tables}
    model = CoProductionModel(Scenario.model_validate(data), rng=seed)
    for _ in range(months):
        model.step()
        if check:
            check(model)
    return model


# ------------------------------------------------------------------------------ registry


def test_registry_rejects_a_second_variant_of_the_same_name():
    registry.load()
    before = dict(MECHANISMS["joining"].variants)
    with pytest.raises(VariantError) as err:

        @variant("joining", "threshold")
        def join_again(pop, engaged_tie_share, matching, free_places, step, p, rng):
            return np.empty(0, dtype=np.int64)

    message = str(err.value)
    first = inspect.getsourcefile(before["threshold"])
    assert f"{first}:" in message  # where the name is registered already
    assert f"{__file__}:" in message  # and where it was registered again
    assert "'threshold'" in message and "'joining'" in message
    assert MECHANISMS["joining"].variants == before  # nothing replaced


def test_registry_rejects_unknown_mechanisms_and_bad_names():
    with pytest.raises(VariantError, match="unknown mechanism 'voting'") as err:
        variant("voting", "majority")
    for m in MECHANISMS:
        assert m in str(err.value)
    for bad in ("my rule", "1st", "my-rule", ""):
        with pytest.raises(VariantError, match="identifier"):
            variant("joining", bad)
    # the default first, then every other registered rule (a student's own included)
    with pytest.raises(VariantError, match="available: logistic, ") as err:
        registry.check("joining", "nope")
    for name in registry.available("joining"):
        assert name in str(err.value)


def test_an_unknown_variant_in_a_scenario_exits_2_naming_the_available_ones(tmp_path, capsys):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('extends = "baseline"\n\n[rules]\njoining = "nope"\n', encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(scenario), "--citizens", "100", "--months", "1", "--out", str(out)])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line, no traceback
    assert "rules.joining" in err and "given 'nope'" in err
    for name in registry.available("joining"):
        assert repr(name) in err
    assert not out.exists()


# --------------------------------------------------------------- every variant, invariants


@pytest.mark.parametrize(("mechanism", "name"), ALL_VARIANTS)
def test_every_variant_keeps_the_invariants_and_is_reproducible(mechanism, name, monkeypatch):
    months = 24
    monkeypatch.setattr(properties, "MONTHS", months)  # check_dataframe's expected length

    def check(model):
        properties.check_population(model)
        assert model.citizens.n == 800

    model = run({mechanism: name}, citizens=800, months=months, seed=7, check=check)
    assert model.rules.names[mechanism] == name
    df = model.dataframe()
    properties.check_dataframe(df)
    again = run({mechanism: name}, citizens=800, months=months, seed=7).dataframe()
    pd.testing.assert_frame_equal(df, again)


# ------------------------------------------------- the alternatives do what they claim


def test_symmetric_trust_loses_less_trust_under_tokenism():
    """Negativity bias: broken promises cost more trust than kept ones earn. Without it
    (``symmetric``) tokenism must cost less trust. Tokenism is read against the status quo
    with the same seeds; many residents hear of its processes, so the effect shows in a
    short run."""

    def trust_at_end(name: str, rule: str, seed: int) -> float:
        sc = load_scenario(
            name,
            overrides={
                "run": {"citizens": 1000, "months": 24},
                "rules": {"trust": rule},
                "processes": {"awareness": 0.8},
                # every proposal ignored, so that no lucky adoption decides the comparison
                **(
                    {"levers": {"administration": {"council_compromise": 0.0}}}
                    if name == "tokenism"
                    else {}
                ),
            },
        )
        model = CoProductionModel(sc, rng=seed)
        for _ in range(24):
            model.step()
        return float(model.dataframe()["trust_mean"].iloc[-1])

    loss = {
        rule: float(
            np.mean(
                [
                    trust_at_end("baseline", rule, s) - trust_at_end("tokenism", rule, s)
                    for s in (1, 2)
                ]
            )
        )
        for rule in ("negativity_bias", "symmetric")
    }
    assert loss["negativity_bias"] > 0.005, loss  # tokenism costs trust at all
    assert loss["symmetric"] < loss["negativity_bias"], loss


def _burnout_by_hours(rule: str, n: int = 20_000, months: int = 12) -> tuple[float, float, float]:
    """Share burnt out within ``months`` of volunteers giving 20 and 1 hours a week (alike in
    everything else), and the standard error of their difference."""
    rng = np.random.default_rng(11)
    pop = Population(n, City(), rng)
    pop.state[:] = State.ENGAGED
    pop.organisation[:] = 0
    pop.energy[:] = 1.0
    pop.time[:] = 0.5
    pop.ownership[:] = 0.0
    pop.disappointment[:] = 0.0
    heavy = np.arange(n) % 2 == 0
    pop.hours[:] = np.where(heavy, 20.0, 1.0)
    p = Behaviour().model_copy(update={"burnout_hazard": 0.03})
    management = np.array([0.5], dtype=np.float32)
    burnt = np.zeros(n, dtype=bool)
    for _ in range(months):
        MECHANISMS["exhaustion"].variants[rule](pop, management, 0.0, 0.0, p, rng)
        burnt |= pop.state == State.EXHAUSTED
    a, b = burnt[heavy].mean(), burnt[~heavy].mean()
    se = math.sqrt(a * (1 - a) / heavy.sum() + b * (1 - b) / (~heavy).sum())
    return float(a), float(b), se


def test_constant_hazard_burnout_does_not_depend_on_hours():
    heavy, light, se = _burnout_by_hours("constant_hazard")
    assert heavy > 0.1 and light > 0.1  # people do burn out
    assert abs(heavy - light) < 4 * se, (heavy, light, se)
    # the default's energy budget burns out those who give 20 hours far more often
    heavy, light, se = _burnout_by_hours("energy")
    assert heavy > light + 4 * se, (heavy, light, se)


def _asked_gap(rule: str, model: CoProductionModel, draws: int = 200) -> float:
    """How much more often candidates with high than with low education are asked a month,
    averaged over ``draws`` applications of ``rule`` to the same city."""
    pop = model.citizens
    candidates = pop.state <= State.OPEN  # neither engaged nor exhausted
    free = float(np.maximum(np.floor(model.org_table.capacity) - model.org_table.members, 0).sum())
    rng = np.random.default_rng(5)
    asked = np.zeros(pop.n)
    for _ in range(draws):
        MECHANISMS["recruitment"].variants[rule](
            pop,
            model.network,
            free,
            model.support.matching,
            model.support.outreach_contacts,
            model.config.behaviour,
            rng,
        )
        asked += pop.asked
    rate = asked / draws
    high = candidates & (pop.education == 2)
    low = candidates & (pop.education == 0)
    return float(rate[high].mean() - rate[low].mean())


def test_random_asking_narrows_the_education_gap_in_being_asked():
    """Asks travelling along homophilous ties reach the educated more often; spread evenly
    (``random_asking``), only the organisations' reach of silent groups leaves a gap."""
    model = run({}, citizens=2000, months=3, seed=3)
    network, random_asking = _asked_gap("network", model), _asked_gap("random_asking", model)
    assert network > 0.01, network
    assert random_asking < network - 0.005, (network, random_asking)


def _join_rates(rule: str, n: int = 60_000, tie_share: float = 0.35):
    """Share of open, unasked citizens with the same share of engaged ties who join in one
    month, by education (low, middle, high), and the standard errors."""
    rng = np.random.default_rng(2)
    pop = Population(n, City(), rng)
    pop.state[:] = State.OPEN
    pop.asked[:] = False
    free = np.array([n], dtype=np.int64)
    shares = np.full(n, tie_share, dtype=np.float32)
    ids = MECHANISMS["joining"].variants[rule](pop, shares, 0.0, free, 0, Behaviour(), rng)
    joined = np.zeros(n, dtype=bool)
    joined[ids] = True
    rates = np.array([joined[pop.education == k].mean() for k in range(3)])
    counts = np.bincount(pop.education, minlength=3)
    return rates, np.sqrt(rates * (1 - rates) / counts)


def test_threshold_joining_does_not_depend_on_education_at_equal_tie_share():
    rates, se = _join_rates("threshold")
    assert rates.min() > 0.01, rates  # people do join
    for a in range(3):
        for b in range(a):
            assert abs(rates[a] - rates[b]) < 4 * math.hypot(se[a], se[b]), (rates, se)
    # civic voluntarism: with the same ties, the highly educated join more often
    rates, se = _join_rates("logistic")
    assert rates[2] > rates[0] + 4 * math.hypot(se[2], se[0]), (rates, se)


# ------------------------------------------------------------------------- coprod rules


def test_rules_lists_every_mechanism_and_variant(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for name, m in MECHANISMS.items():
        assert f"{name}: " in out
        assert f"rule: {m.rule}" in out
        assert f"* {m.default} " in out  # the default is marked
        for v in registry.available(name):
            assert f" {v} " in out
            assert scaffold.where(m.variants[v]) in out  # file:line
            assert scaffold.summary(m.variants[v])[:40] in " ".join(out.split())


# ---------------------------------------------------------------------- coprod new-rule


@pytest.fixture
def unregister():
    """Names (mechanism, name) of variants a test registers; removed again afterwards."""
    names: list[tuple[str, str]] = []
    yield names
    for mechanism, name in names:
        MECHANISMS[mechanism].variants.pop(name, None)
        sys.modules.pop(f"model.rules.variants.{name}", None)


def _import_variant(path: Path):
    name = f"model.rules.variants.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


HOOKED = sorted({m for m, _ in hooks.HOOKS})


@pytest.mark.parametrize(
    ("mechanism", "whole"), [(m, False) for m in MECHANISMS] + [(m, True) for m in HOOKED]
)
def test_new_rule_writes_a_variant_that_behaves_like_the_default(
    mechanism, whole, tmp_path, unregister
):
    """Where the mechanism has a hook, the new variant overrides only that formula (a few
    lines); ``--whole`` writes the whole rule. Both run like the default until edited."""
    name = f"scaffolded_{mechanism}_{'whole' if whole else 'hook'}"
    target, test = scaffold.new_rule(mechanism, name, root=tmp_path, whole=whole)
    assert target == tmp_path / "model" / "rules" / "variants" / f"{name}.py"
    assert test == tmp_path / "tests" / "variants" / f"test_{name}.py"
    text = target.read_text(encoding="utf-8")
    hooked = mechanism in HOOKED and not whole
    decorator = f'@variant("{mechanism}", "{name}"'
    assert (decorator + ", hook=" if hooked else decorator + ")") in text
    if hooked:  # the formula to change, not a compiled loop
        assert len(text.split('"""\n', 1)[1].splitlines()) <= 15
    assert "# TODO: your rule" in text and "ODD section 7" in text and "References" in text
    assert not (ROOT / "model" / "rules" / "variants" / f"{name}.py").exists()

    unregister.append((mechanism, name))
    _import_variant(target)
    m = MECHANISMS[mechanism]
    fn = m.variants[name]
    assert list(inspect.signature(fn).parameters) == list(
        inspect.signature(m.variants[m.default]).parameters
    )
    mine = run({mechanism: name}, citizens=300, months=6, seed=4)
    assert mine.rules.names[mechanism] == name
    if hooked and mechanism == "participation":
        return  # draws each citizen (the same chances, other random numbers): tests/test_hooks.py
    default = run({mechanism: m.default}, citizens=300, months=6, seed=4)
    pd.testing.assert_frame_equal(mine.dataframe(), default.dataframe())


def test_new_rule_command_writes_files_and_prints_next_steps(tmp_path, capsys):
    name = "scaffolded_cli_rule"
    root = ["--root", str(tmp_path)]
    assert main(["new-rule", "joining", name, *root]) == 0
    out = capsys.readouterr().out
    variant_file = f"model/rules/variants/{name}.py"
    test_file = f"tests/variants/test_{name}.py"
    assert f"wrote {variant_file}" in out and f"wrote {test_file}" in out
    assert (tmp_path / variant_file).is_file() and (tmp_path / test_file).is_file()
    assert f"uv run pytest {test_file}" in out
    assert f'joining = "{name}"' in out and "[rules]" in out
    assert not (ROOT / variant_file).exists()

    # the files exist now: refused without --force, rewritten with it
    assert main(["new-rule", "joining", name, *root]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and repr(name) in err and "--force" in err
    (tmp_path / variant_file).write_text("# edited\n", encoding="utf-8")
    assert main(["new-rule", "joining", name, "--force", *root]) == 0
    assert "@variant" in (tmp_path / variant_file).read_text(encoding="utf-8")
    capsys.readouterr()


@pytest.mark.parametrize(
    ("args", "given", "allowed"),
    [
        (["voting", "majority"], "'voting'", list(MECHANISMS)),
        (["joining", "my-rule"], "'my-rule'", ["identifier", "my_rule"]),
        (["joining", "_private"], "'_private'", ["identifier"]),
        (["joining", "threshold"], "'threshold'", ["logistic", "threshold", "joining.py:"]),
        (["joining", "logistic", "--force"], "'logistic'", ["not yet used", "joining.py:"]),
    ],
)
def test_new_rule_rejects_bad_input_in_one_line(
    args, given, allowed, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(scaffold, "ROOT", tmp_path)
    assert main(["new-rule", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert f"given {given}" in captured.err
    for word in allowed:
        assert word in captured.err
    assert not any(tmp_path.iterdir())


RUNNER = """
import sys

import pytest

import model.rules.variants

# the variants written into the temporary folder are found like those in the project
model.rules.variants.__path__.append(sys.argv[1])
options = ["-q", "-rA", "-p", "no:cacheprovider", "--rootdir", sys.argv[2]]
sys.exit(pytest.main(options + sys.argv[3:]))
"""


def test_generated_files_are_ruff_clean_and_their_tests_pass(tmp_path):
    tests = []
    for mechanism in MECHANISMS:
        tests.append(scaffold.new_rule(mechanism, f"generated_{mechanism}", root=tmp_path)[1])
    # a variant that breaks a promise (trust above 1) must fail its generated test
    broken, broken_test = scaffold.new_rule("trust", "generated_broken", root=tmp_path)
    with broken.open("a", encoding="utf-8") as f:
        f.write("    pop.trust[:] = 2.0\n")
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", "pyproject.toml", str(tmp_path)],
        cwd=ROOT,  # the project's rules; `model` is first-party
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr

    variants_dir = tmp_path / "model" / "rules" / "variants"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(variants_dir), str(tmp_path)]
        + [str(t.relative_to(tmp_path)) for t in [*tests, broken_test]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out  # only the broken one fails
    for t in tests:
        assert f"PASSED {t.relative_to(tmp_path)}::test_the_run_uses_the_variant" in out, out
        assert f"PASSED {t.relative_to(tmp_path)}::test_indicator_shares_stay" in out, out
        assert f"SKIPPED [1] {t.relative_to(tmp_path)}" in out, out
    # per mechanism: two tests pass and the comparison is skipped; the broken one errs twice
    n = len(MECHANISMS)
    assert f"{2 * n} passed, {n + 1} skipped, 2 errors" in out, out
    assert f"ERROR {broken_test.relative_to(tmp_path)}::test_the_run_uses_the_variant" in out


def test_scenario_defaults_are_the_registry_defaults():
    """`[rules]` defaults in the scenario schema and the defaults the registry marks must agree."""
    from model.simulation.scenario import Rules

    assert Rules().model_dump(exclude={"params"}) == registry.defaults()


def test_a_second_default_for_a_mechanism_is_refused():
    with pytest.raises(registry.VariantError, match="already has the default rule 'logistic'"):

        @registry.variant("joining", "another_default", default=True)
        def rule(*args):  # pragma: no cover - never registered
            return None

    assert "another_default" not in registry.MECHANISMS["joining"].variants


@pytest.mark.parametrize("name", ["class", "_hidden", "__init__"])
def test_keywords_and_private_names_are_refused(name):
    with pytest.raises(registry.VariantError, match="identifier"):
        registry.variant("joining", name)


def test_warm_up_reports_a_failing_variant_instead_of_raising():
    """The workshop page warms up every variant before serving; a student's broken rule
    must be reported, not keep the page from starting."""
    from model.simulation.model import warm_up

    @registry.variant("exhaustion", "broken_for_test")
    def broken(*args):
        raise ZeroDivisionError("oops")

    try:
        problems = warm_up(all_variants=True)
    finally:
        del registry.MECHANISMS["exhaustion"].variants["broken_for_test"]
    assert problems == ["exhaustion rule 'broken_for_test' fails: ZeroDivisionError: oops"]


def test_a_broken_variant_file_blocks_only_runs_that_choose_it(tmp_path, monkeypatch, capsys):
    """A student's file that fails on import: other runs go on with one warning naming file,
    line and error; a run that chooses its rule stops in one line, exit 2. What the file
    registered before failing is forgotten, so the next load reports the same real error (not
    a duplicate of its own half-import)."""
    import model.rules.variants as package

    (tmp_path / "zz_half.py").write_text(
        "from model.rules.registry import variant\n\n"
        '@variant("joining", "half_ok")\n'
        "def join(*args):\n"
        "    return None\n\n"
        "undefined_name\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    monkeypatch.setattr(registry, "_loaded", False)
    monkeypatch.delenv(registry._WARNED, raising=False)
    for _ in range(2):
        monkeypatch.setattr(registry, "_loaded", False)
        registry.load()
        assert "half_ok" not in registry.MECHANISMS["joining"].variants
        assert "model/rules/variants/zz_half.py" in registry.BROKEN
    out = tmp_path / "out"
    status = main(["run", "baseline", "--citizens", "100", "--months", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 0 and (out / "summary.json").exists()
    # one warning for this file (a student's own broken file, if any, has its own line)
    assert err.count("zz_half.py") == 1 and "warning: " in err, err
    assert "zz_half.py, line 7: NameError" in err, err
    scenario = tmp_path / "half.toml"
    scenario.write_text('extends = "baseline"\n[rules]\njoining = "half_ok"\n', encoding="utf-8")
    status = main(["run", str(scenario), "--citizens", "100", "--months", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "zz_half.py, line 7: NameError" in err, err
    assert "fix it" in err
    monkeypatch.setattr(package, "__path__", [p for p in package.__path__ if p != str(tmp_path)])
    monkeypatch.setattr(registry, "_loaded", False)
    registry.load()  # without the file, everything loads again
    assert not registry.BROKEN


def test_new_rule_force_never_replaces_another_mechanisms_rule(tmp_path, capsys):
    assert main(["new-rule", "joining", "mine", "--root", str(tmp_path)]) == 0
    capsys.readouterr()
    status = main(["new-rule", "trust", "mine", "--root", str(tmp_path), "--force"])
    err = capsys.readouterr().err
    assert status == 2 and "has a joining rule" in err
    text = (tmp_path / "model" / "rules" / "variants" / "mine.py").read_text(encoding="utf-8")
    assert '@variant("joining", "mine", hook="propensity")' in text
