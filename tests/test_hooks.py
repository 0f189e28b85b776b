"""Hooks and variant parameters (model/rules/hooks.py, registry.variant(hook=, params=)).

A hook is one formula of a rule in plain numpy; the compiled default computes the same.
Overriding a hook with its own default must give the very same run, so the numpy text a
student reads is the rule the model runs. A variant's own parameters are set in a scenario
and checked like every other number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import CoProductionModel, Scenario
from model.interface.cli import main
from model.rules import hooks, registry
from model.rules.contract import RuleContractError

registry.load()


@pytest.fixture
def own():
    """Register variants for one test; they are removed again afterwards."""
    names: list[tuple[str, str]] = []

    def register(mechanism, name, **kw):
        names.append((mechanism, name))
        return registry.variant(mechanism, name, **kw)

    yield register
    for mechanism, name in names:
        registry.MECHANISMS[mechanism].variants.pop(name, None)


def _run(rules: dict, *, citizens=1200, months=24, seed=3, **tables) -> pd.DataFrame:
    data = {"rules": rules, "run": {"citizens": citizens, "months": months}, **tables}
    model = CoProductionModel(Scenario.model_validate(data), rng=seed)
    for _ in range(months):
        model.step()
    return model.dataframe()


def test_every_hook_has_a_mechanism_a_docstring_and_a_range():
    assert {m for m, _ in hooks.HOOKS} == {"participation", "recruitment", "joining", "exhaustion"}
    for h in hooks.HOOKS.values():
        assert h.mechanism in registry.MECHANISMS
        assert h.arguments[0] == "pop" and (h.default.__doc__ or "").strip()
        assert h.low < h.high


#: open consultations every month, so that the participation hook is used
CONSULTING = {"levers": {"participation": {"formats": ["open_consultation"]}}}


@pytest.mark.parametrize(
    ("mechanism", "hook"),
    [
        ("exhaustion", "exit_hazard"),
        ("joining", "propensity"),
        ("recruitment", "chance_asked"),
        ("participation", "consultation_chance"),
    ],
)
def test_a_hook_overridden_by_its_own_formula_gives_the_very_same_run(own, mechanism, hook):
    """The numpy formula and the compiled loop agree: the same run, month for month (the
    participation hook draws with the compiled rule's skipping, so its draws agree too)."""
    tables = CONSULTING if mechanism == "participation" else {}
    own(mechanism, f"mirror_{hook}", hook=hook)(hooks.HOOKS[(mechanism, hook)].default)
    default = _run({}, **tables)
    mirrored = _run({mechanism: f"mirror_{hook}"}, **tables)
    if mechanism == "participation":
        assert default["participants_residents"].sum() > 0  # consultations did take place
    pd.testing.assert_frame_equal(default, mirrored)
    # and a changed formula changes the run (the hook is really used)
    halved = own(mechanism, f"halved_{hook}", hook=hook)
    halved(lambda *a: 0.5 * hooks.HOOKS[(mechanism, hook)].default(*a))
    assert not _run({mechanism: f"halved_{hook}"}, **tables).equals(default)


def test_managed_retention_keeps_volunteers_longer_the_better_managed():
    none = {"management_retention": 0.0}
    strong = {"management_retention": 0.6}
    exits = {}
    for label, params in (("none", none), ("strong", strong)):
        rules = {"exhaustion": "managed_retention", "params": {"managed_retention": params}}
        exits[label] = np.mean(
            [_run(rules, seed=s)["annual_exit_rate"].iloc[-12:].mean() for s in (1, 2)]
        )
    assert exits["strong"] < exits["none"]
    # with no retention effect it is the default rule (same hazard, same draws)
    zero = {"exhaustion": "managed_retention", "params": {"managed_retention": none}}
    pd.testing.assert_frame_equal(_run(zero), _run({}))


def test_variant_parameters_are_read_with_their_defaults_and_the_scenarios_values():
    model = CoProductionModel(
        Scenario.model_validate({"rules": {"exhaustion": "managed_retention"}})
    )
    assert model.rules.params == {"managed_retention": {"management_retention": 0.3}}
    given = {
        "exhaustion": "managed_retention",
        "params": {"managed_retention": {"management_retention": 0.5}},
    }
    model = CoProductionModel(Scenario.model_validate({"rules": given}))
    assert model.rules.params == {"managed_retention": {"management_retention": 0.5}}


@pytest.mark.parametrize(
    ("table", "key", "allowed"),
    [
        ("[rules.params.nope]\nx = 1\n", "rules.params.nope", "managed_retention"),
        (
            "[rules.params.managed_retention]\nretention = 0.1\n",
            "rules.params.managed_retention.retention",
            "management_retention",
        ),
        (
            "[rules.params.managed_retention]\nmanagement_retention = 0.9\n",
            "rules.params.managed_retention.management_retention",
            "from 0 to 0.6",
        ),
        (
            "[rules.params.managed_retention]\nmanagement_retention = nan\n",
            "rules.params.managed_retention.management_retention",
            "a finite number",
        ),
    ],
)
def test_bad_variant_parameters_exit_2_in_one_line_naming_the_key(
    tmp_path, capsys, table, key, allowed
):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('extends = "baseline"\n' + table, encoding="utf-8")
    assert main(["check", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.toml" in err and key in err and allowed in err, err


@pytest.mark.parametrize(
    "wrong",
    [
        lambda pop: np.flatnonzero(pop.ownership >= 0),  # ids
        lambda pop: pop.ownership > 0.5,  # a mask, not chances
        lambda pop: None,
        lambda pop: np.full(pop.n, 1.5),  # above 1
        lambda pop: np.full(pop.n, np.nan),
    ],
    ids=["ids", "mask", "none", "above_one", "nan"],
)
def test_every_wrong_hook_result_stops_the_run(own, wrong):
    own("exhaustion", "wrong_hazard", hook="exit_hazard")(
        lambda pop, p, recognition, management: wrong(pop)
    )
    with pytest.raises(RuleContractError, match="exit_hazard returned .*monthly chance to quit"):
        _run({"exhaustion": "wrong_hazard"}, months=1)


def test_a_hook_that_fails_is_one_line_naming_its_place(own):
    def typo(pop, p, recognition, management):
        return pop.enterd_asked * 0.1

    own("exhaustion", "typo_hazard", hook="exit_hazard")(typo)
    with pytest.raises(RuleContractError) as err:
        _run({"exhaustion": "typo_hazard"}, months=1)
    text = str(err.value)
    assert "exhaustion rule 'typo_hazard' failed at " in text and "test_hooks.py:" in text
    assert "AttributeError" in text and "enterd_asked" in text and "\n" not in text


def test_a_hook_that_returns_something_else_stops_the_run_naming_rule_and_hook(own):
    own("exhaustion", "ids_hazard", hook="exit_hazard")(
        lambda pop, p, recognition, management: np.flatnonzero(pop.ownership >= 0)
    )
    with pytest.raises(RuleContractError) as err:
        _run({"exhaustion": "ids_hazard"}, months=1)
    text = str(err.value)
    assert "exhaustion rule 'ids_hazard'" in text and "exit_hazard" in text
    assert "monthly chance to quit" in text and "from 0 to 1" in text


def test_a_hook_of_another_mechanism_is_refused_naming_the_right_one():
    with pytest.raises(registry.VariantError) as err:
        registry.variant("joining", "wrong", hook="exit_hazard")(
            lambda pop, p, recognition, management: 0
        )
    text = str(err.value)
    assert "'joining' does not have" in text and "propensity" in text and "exhaustion" in text
    assert "wrong" not in registry.MECHANISMS["joining"].variants


def test_parameters_must_be_declared_with_a_range_that_holds_the_default():
    with pytest.raises(registry.VariantError, match="range"):
        registry.param(2.0, unit="share", range=(0, 1), source="assumption: x")
    with pytest.raises(registry.VariantError, match="source"):
        registry.param(0.5, unit="share", range=(0, 1), source=" ")
    with pytest.raises(registry.VariantError, match="registry.param"):
        registry.variant("exhaustion", "raw", params={"x": 0.5})


def test_parameters_of_a_rule_the_scenario_does_not_choose_are_refused(tmp_path, capsys):
    scenario = tmp_path / "unused.toml"
    scenario.write_text(
        'extends = "baseline"\n[rules.params.managed_retention]\nmanagement_retention = 0.3\n',
        encoding="utf-8",
    )
    assert main(["check", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rules.params.managed_retention" in err, err
    assert 'exhaustion = "managed_retention"' in err


def test_an_experiment_varying_a_parameter_no_run_uses_is_refused(tmp_path, capsys):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        'question = "q"\nscenarios = ["baseline"]\n'
        '[parameters."rules.params.managed_retention.management_retention"]\n'
        "values = [0.0, 0.6]\n",
        encoding="utf-8",
    )
    assert main(["check", str(experiment)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "which no run chooses" in err, err
    # choosing the rule in some of the runs (a rule x parameter grid) is fine
    with experiment.open("a", encoding="utf-8") as f:
        f.write('[parameters."rules.exhaustion"]\nvalues = ["energy", "managed_retention"]\n')
    assert main(["check", str(experiment)]) == 0
