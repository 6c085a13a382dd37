"""One seed per use: every random number a run draws comes from its seed and the name of its use.

A run has one seed (0, 1, 2, ...). Its VAE of generation 3, the samples that generation writes,
the images its evaluation draws and the real digits a detector trains on each need their own
stream of random numbers: independent of each other, and the same on every machine and every
rerun. Hand-written formulas (``seed * 1000 + generation``) collide (seed 1, generation 0 and
seed 0, generation 1000) and are easy to get wrong, so the library asks :func:`derive` instead:
NumPy's ``SeedSequence`` mixes the run's seed with the use's name and numbers into a 62-bit seed.

Example:
    >>> from collapselab import seeds
    >>> seeds.derive(0, "train", 3) == seeds.derive(0, "train", 3)
    True
    >>> seeds.derive(0, "train", 3) != seeds.derive(0, "train", 4) != seeds.derive(1, "train", 3)
    True
"""

from __future__ import annotations

import zlib

import numpy as np

from ._checks import check_int, check_seed

#: derived seeds lie in [0, 2**62): they fit torch.manual_seed and numpy alike
DERIVED_BITS = 62


def derive(seed: int, use: str, *numbers: int) -> int:
    """The seed of one use of a run: a function of the run's ``seed`` (0 to 2**32 - 1), the name
    of the ``use`` (``"train"``, ``"sample"``, ``"evaluate"``, ...) and the ``numbers`` that tell
    its instances apart (a generation, an arm's index), as an int in [0, 2**62).

    Different arguments give independent streams (NumPy's ``SeedSequence`` hashes them), and the
    result depends on nothing else: not the machine, the Python version or what ran before.
    Raises ``ValueError`` for a seed or number that is not a non-negative integer, and for an
    empty ``use``."""
    seed = check_seed("seed", seed)
    if not isinstance(use, str) or not use:
        raise ValueError(f"use must be a non-empty name such as 'train' or 'sample', got {use!r}")
    parts = [check_int(f"number {i}", n, minimum=0, maximum=2**32 - 1) for i, n in enumerate(numbers)]
    # the count first: SeedSequence treats trailing zeros as absent, so (g,) and (g, 0) would collide
    entropy = [seed, zlib.crc32(use.encode()), len(parts), *parts]
    state = np.random.SeedSequence(entropy).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 32 | int(state[1])) >> (64 - DERIVED_BITS))


def rng(seed: int, use: str, *numbers: int) -> np.random.Generator:
    """A numpy ``Generator`` seeded with :func:`derive` ``(seed, use, *numbers)``."""
    return np.random.default_rng(derive(seed, use, *numbers))
