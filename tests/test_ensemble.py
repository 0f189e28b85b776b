"""The runs with other seeds behind the page's bands and answers (ensemble.py)."""

from __future__ import annotations

import numpy as np

from model.interface.app import ensemble

KEY = ensemble.Key("baseline", None, 300, "{}")


def test_a_scenario_against_itself_differs_by_nothing_and_has_a_band():
    ens = ensemble.compute(KEY, seeds=3)
    assert ens.seeds == 3 and len(ens.dates) == ens.live["engaged_share"].shape[1]
    low, high = ens.band("engaged_share")
    assert np.all(low <= high) and np.any(low < high)  # seeds differ: a band, not a line
    d = ens.difference("engaged_share", len(ens.dates) - 1)
    assert d.mean == 0 and not d.beyond_chance and d.pairs == 3


def test_paired_runs_of_two_scenarios_give_a_difference_with_an_interval():
    ens = ensemble.compute(ensemble.Key("austerity", "infrastructure", 300, "{}"), seeds=4)
    d = ens.difference("trust_mean", len(ens.dates) - 1)
    assert d.low <= d.mean <= d.high and d.pairs == 4
    # before the cut in January 2031 both scenarios are the same city: no difference at all
    before = ens.dates.index("2030-12")
    assert ens.difference("trust_mean", before).mean == 0


def test_beyond_chance_means_the_interval_excludes_zero():
    assert ensemble.Difference(0.02, 0.01, 0.03, 12).beyond_chance
    assert ensemble.Difference(-0.02, -0.03, -0.01, 12).beyond_chance
    assert not ensemble.Difference(0.01, -0.001, 0.021, 12).beyond_chance


def test_a_requested_ensemble_is_computed_once_and_kept():
    key = ensemble.Key("baseline", None, 200, '{"joining": "threshold"}')
    first = ensemble.request(key)
    assert ensemble.request(key) is first
    result = first.result(timeout=120)
    assert ensemble.ready(key) is result
    assert ensemble.ready(ensemble.Key("baseline", None, 201, "{}")) is None
