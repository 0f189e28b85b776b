"""A student's rule that returns something its mechanism cannot use stops the run at once
with one line naming the rule, its file, the mechanism and what it must return (issue 16:
the contract checked at every call of one's own rule)."""

from __future__ import annotations

import numpy as np
import pytest

from model.interface.cli import main
from model.rules import registry
from model.rules.contract import RuleContractError, checked
from model.rules.exhaustion import spend_energy_and_exit
from model.simulation.citizens import Population
from model.simulation.scenario import City


def _pop(n: int = 50) -> Population:
    return Population(n, City(), np.random.default_rng(1))


def test_a_mask_returned_as_ids_is_refused_naming_rule_and_mechanism():
    def ids_instead(pop, management, load_relief, recognition, p, rng):
        return np.flatnonzero(np.ones(pop.n, dtype=bool))[:3]

    rule = checked("exhaustion", "ids_instead", ids_instead)
    with pytest.raises(RuleContractError) as err:
        rule(_pop(), None, 0.0, 0.0, None, None)
    text = str(err.value)
    assert "exhaustion rule 'ids_instead'" in text and "int64 array of shape (3,)" in text
    assert "boolean mask with one entry per citizen" in text and "test_rule_contract.py" in text


@pytest.mark.parametrize(
    ("mechanism", "value", "must"),
    [
        ("exhaustion", None, "boolean mask"),
        ("joining", np.array([1, 1]), "ids repeat"),
        ("joining", np.array([0.5]), "ids of the new volunteers"),
        ("joining", np.array([99]), "ids of the new volunteers"),
        ("recruitment", np.full(50, -1.0), "number of engaged ties"),
        ("informal_help", np.full(50, 2.0), "share of helping ties"),
        ("trust", 3, "return None"),
    ],
)
def test_wrong_results_are_refused(mechanism, value, must):
    rule = checked(mechanism, "mine", lambda *a, **k: value)
    with pytest.raises(RuleContractError, match=must):
        rule(_pop(), None, None, None, None, None)


def test_columns_left_outside_their_range_are_refused():
    def overshoot(pop, participants, influence, expectation, adj, deg, p):
        pop.ownership[:] = 1.5

    with pytest.raises(RuleContractError, match="ownership between 0 and 1"):
        checked("ownership", "overshoot", overshoot)(_pop(), None, 0, 0, None, None, None)


def test_good_results_pass_unchanged():
    mask = np.zeros(50, dtype=bool)
    assert checked("exhaustion", "ok", lambda *a: mask)(_pop()) is mask
    ids = np.array([3, 7])
    pop = _pop()
    pop.state[ids], pop.organisation[ids] = 2, 0  # seated (ENGAGED in organisation 0)
    assert checked("joining", "ok", lambda *a: ids)(pop) is ids
    assert checked("joining", "ok", lambda *a: np.array([], dtype=np.int64))(_pop()).size == 0


@pytest.fixture
def broken_variant():
    """A variant in the students' package, as if from model/rules/variants/broken.py."""

    def broken(pop, management_by_org, load_relief, recognition, p, rng):
        return np.flatnonzero(
            spend_energy_and_exit(pop, management_by_org, load_relief, recognition, p, rng)
        )

    broken.__module__ = "model.rules.variants.broken"
    registry.variant("exhaustion", "ids_instead")(broken)
    yield
    del registry.MECHANISMS["exhaustion"].variants["ids_instead"]


def test_a_run_with_a_broken_own_rule_stops_in_one_line(tmp_path, capsys, broken_variant):
    scenario = tmp_path / "broken.toml"
    scenario.write_text('extends = "baseline"\n[rules]\nexhaustion = "ids_instead"\n')
    assert main(["run", str(scenario), "--citizens", "300", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "exhaustion rule 'ids_instead'" in err and "boolean mask" in err, err
    assert "Traceback" not in err


def test_the_shipped_rules_are_not_wrapped():
    rules = registry.resolve({"joining": "threshold"})
    assert rules.joining is registry.MECHANISMS["joining"].variants["threshold"]


def test_a_wrong_signature_is_refused_at_registration_naming_the_expected_one():
    def join(pop, engaged_tie_share, free_places, step, p, rng):  # matching forgotten
        return np.array([], dtype=np.int64)

    with pytest.raises(registry.VariantError) as err:
        registry.variant("joining", "forgetful")(join)
    text = str(err.value)
    assert "test_rule_contract.py" in text and "'forgetful'" in text
    assert "(pop, engaged_tie_share, matching, free_places, step, p, rng)" in text
    assert "forgetful" not in registry.MECHANISMS["joining"].variants


def test_returned_joiners_must_be_seated_and_leavers_unseated():
    pop = _pop()
    with pytest.raises(RuleContractError, match="seat the citizens"):
        checked("joining", "forgets", lambda *a: np.array([4]))(pop)
    pop.state[:] = 2  # everybody ENGAGED
    mask = np.zeros(pop.n, dtype=bool)
    mask[5] = True
    with pytest.raises(RuleContractError, match="out of their places"):
        checked("exhaustion", "keeps", lambda *a: mask)(pop)
