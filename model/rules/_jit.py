"""Compiled loops for the rules: one pass over the citizens instead of many array operations.

Each rule's arithmetic is written once, as a loop over citizens compiled by numba, so a
month costs one read and write of each column rather than one per numpy operation
(ARCHITECTURE.md: speed is designed in; issue 5: the memory-bandwidth floor). The loops are
plain Python and read like the rule's description: "for each citizen, if inactive, ...".

Random numbers are drawn *outside* the loops, from the model's ``numpy.random.Generator``,
in whole arrays, so a run stays a pure function of (scenario, seed) and the random streams
are those of the vectorised rules they replaced. Compiled code is cached on disk next to
the module (``cache=True``): only the first run on a machine pays the compilation.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from model.citizens import State

#: Engagement states as plain integers: numba folds them into the compiled code.
INACTIVE, OPEN, ENGAGED, EXHAUSTED = (int(s) for s in State)


def kernel(fn):
    """Compile ``fn`` to machine code (no Python objects inside, IEEE arithmetic kept)."""
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


@kernel
def skip_to_next(rng, i, log_q):
    """Index of the next success after ``i`` in a row of Bernoulli(p) trials, one per
    citizen, where ``log_q = log(1 - p)``: the gap is geometric, so one random number
    replaces the ``1/p`` a citizen-by-citizen draw would use. With a second, acceptance
    draw (``chance / p``) at each success this selects every citizen independently with
    their own ``chance <= p`` — exactly, and fast when chances are small ("thinning",
    Lewis & Shedler 1979; Devroye 1986, ch. X.2; docs/ODD.md 3.5)."""
    if log_q == 0.0:  # p = 0: no success
        return np.iinfo(np.int64).max
    gap = math.log(1.0 - rng.random()) / log_q
    return i + 1 + int(min(gap, 4.0e18))  # no integer overflow for tiny p
