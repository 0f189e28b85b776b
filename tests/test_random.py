"""The random stream of the compiled rules (model/rules/_jit.py, ODD 3.5)."""

from __future__ import annotations

import numba
import numpy as np

from model import CoProductionModel, Scenario
from model.rules._jit import ModelGenerator, stream_of, uniform

MASK = (1 << 64) - 1


def xoshiro256ss(state: list[int], n: int) -> list[float]:
    """Reference xoshiro256** in plain Python integers (Blackman & Vigna 2021)."""

    def rotl(x: int, k: int) -> int:
        return ((x << k) | (x >> (64 - k))) & MASK

    s = list(state)
    out = []
    for _ in range(n):
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append((result >> 11) / 2**53)
    return out


def test_the_compiled_stream_is_xoshiro256starstar():
    seed = [0x0123456789ABCDEF, 0xFEDCBA9876543210, 42, 7]
    stream = np.array(seed, dtype=np.uint64)
    assert [uniform(stream) for _ in range(1000)] == xoshiro256ss(seed, 1000)


@numba.njit
def _moments(stream, n):
    total = below = 0.0
    for _ in range(n):
        u = uniform(stream)
        total += u
        below += u < 0.1
    return total / n, below / n


def test_the_stream_is_uniform():
    mean, below = _moments(np.array([3, 1, 4, 1], dtype=np.uint64), 2_000_000)
    assert abs(mean - 0.5) < 5 * (1 / 12 / 2_000_000) ** 0.5
    assert abs(below - 0.1) < 5 * (0.09 / 2_000_000) ** 0.5


def test_the_model_carries_its_stream_seeded_by_the_run_seed():
    a = CoProductionModel(Scenario(), citizens=300, rng=5)
    b = CoProductionModel(Scenario(), citizens=300, rng=5)
    c = CoProductionModel(Scenario(), citizens=300, rng=6)
    assert isinstance(a.rng, ModelGenerator) and stream_of(a.rng) is a.rng.stream
    assert np.array_equal(a.rng.stream, b.rng.stream)
    assert not np.array_equal(a.rng.stream, c.rng.stream)


def test_a_plain_generator_gets_a_stream_seeded_from_it():
    assert np.array_equal(stream_of(np.random.default_rng(1)), stream_of(np.random.default_rng(1)))
    g = np.random.default_rng(1)
    assert not np.array_equal(stream_of(g), stream_of(g))  # drawing advances the generator


def test_a_copied_model_goes_on_exactly_as_the_original():
    import copy
    import pickle

    model = CoProductionModel(Scenario(), citizens=300, rng=4)
    model.step()
    clone = copy.deepcopy(model)
    restored = pickle.loads(pickle.dumps(model.rng))
    assert isinstance(restored, ModelGenerator)
    assert np.array_equal(restored.stream, model.rng.stream)
    for _ in range(4):
        model.step()
        clone.step()
    assert model.dataframe().equals(clone.dataframe())
