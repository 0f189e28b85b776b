"""Compiled loops for the rules: one pass over the citizens instead of many array operations.

Each rule's arithmetic is written once, as a loop over citizens compiled by numba, so a
month costs one read and write of each column rather than one per numpy operation
(docs/performance.md: the memory-bandwidth floor). The loops are
plain Python and read like the rule's description: "for each citizen, if inactive, ...".

Random numbers inside the loops come from a small xoshiro256** generator (Blackman & Vigna
2021) whose state — four 64-bit words — the model's ``numpy.random.Generator`` carries
(:class:`ModelGenerator`, seeded from the run's seed), so a run stays a pure function of
(scenario, seed). A loop takes the state as an array (:func:`stream_of`) and advances it in
place; passing numpy's Generator itself into compiled code costs about 35 microseconds a call.
A citizen draws only when a decision is open to them. Compiled code is cached on disk next to
the module (``cache=True``): only the first run on a machine pays the compilation.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from model.simulation.citizens import State

#: Engagement states as plain integers: numba folds them into the compiled code.
INACTIVE, OPEN, ENGAGED, EXHAUSTED = (int(s) for s in State)


def kernel(fn):
    """Compile ``fn`` to machine code (no Python objects inside, IEEE arithmetic kept)."""
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


@kernel
def skip_to_next(stream, i, log_q):
    """Index of the next success after ``i`` in a row of Bernoulli(p) trials, one per
    citizen, where ``log_q = log(1 - p)``: the gap is geometric, so one random number
    replaces the ``1/p`` a citizen-by-citizen draw would use. With a second, acceptance
    draw (``chance / p``) at each success this selects every citizen independently with
    their own ``chance <= p`` — exactly, and fast when chances are small ("thinning",
    Lewis & Shedler 1979; Devroye 1986, ch. X.2; docs/ODD.md 3.5)."""
    if log_q == 0.0:  # p = 0: no success
        return np.iinfo(np.int64).max
    gap = math.log(1.0 - uniform(stream)) / log_q
    return i + 1 + int(min(gap, 4.0e18))  # no integer overflow for tiny p


class ModelGenerator(np.random.Generator):
    """The model's random generator: numpy's (same bit generator, same draws) plus the state
    of the stream the compiled loops draw from, seeded from the run's seed."""

    def __init__(self, bit_generator, seed: int):
        super().__init__(bit_generator)
        words = np.random.SeedSequence([int(seed), 0x636F70726F64]).generate_state(4, np.uint64)
        self.stream = words if words.any() else np.arange(1, 5, dtype=np.uint64)

    def __reduce__(self):
        # numpy's own pickling would return a plain Generator without the stream: a copied
        # or restored model must go on exactly as the original would
        return (_restore_generator, (self.bit_generator, self.stream.copy()))


def _restore_generator(bit_generator, stream: np.ndarray) -> ModelGenerator:
    rng = ModelGenerator.__new__(ModelGenerator, bit_generator)
    np.random.Generator.__init__(rng, bit_generator)
    rng.stream = stream
    return rng


def stream_of(rng: np.random.Generator) -> np.ndarray:
    """The in-loop random stream of ``rng``: the model's own, or for any other numpy
    Generator (e.g. in a test) a fresh one seeded from it."""
    stream = getattr(rng, "stream", None)
    if stream is None:
        stream = rng.bit_generator.random_raw(4).astype(np.uint64)
        if not stream.any():
            stream[0] = 1
    return stream


@kernel
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@kernel
def uniform(s):
    """The next number of stream ``s`` (uint64[4], advanced in place), uniform in [0, 1):
    xoshiro256** (Blackman, D. & Vigna, S. (2021). Scrambled linear pseudorandom number
    generators. ACM Trans. Math. Softw. 47(4)), top 53 bits."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return (result >> np.uint64(11)) * (1.0 / 9007199254740992.0)
