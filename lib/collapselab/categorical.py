"""Discrete distributions refit by counts: the vocabulary photocopier.

A model is a probability vector over ``K`` categories (tokens, words, classes). Refitting by counts
means: draw ``M`` samples, set each probability to its count / M. A category whose count hits zero
gets probability zero and can never be drawn again: it is gone for good. The only absorbing states
are the *delta* distributions, all mass on a single category.

* :func:`fit`, :func:`sample`: plug into the recursion engine (data = integer category labels).
* :func:`simulate_chains`: many independent chains at once (a multinomial per chain per generation).
* :func:`loss_probability`: the chance a category of probability ``p`` vanishes in one generation,
  (1 - p)^M.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_int, check_positive, check_probability_vectors
from .policies import Step, generator_of


def zipf_probabilities(n_categories: int, exponent: float = 1.0) -> np.ndarray:
    """Shape ``(n_categories,)``: Zipf-like frequencies p_k ∝ 1 / k^exponent (exponent > 0), largest
    first. Every category gets a non-zero probability (an exponent so large that the rarest ones
    underflow to 0 is an error)."""
    k = check_int("n_categories", n_categories, minimum=1)
    exponent = check_positive("exponent", exponent)
    with np.errstate(over="ignore"):
        weights = 1.0 / np.arange(1, k + 1) ** exponent
    if weights[-1] == 0:
        raise ValueError(f"exponent {exponent:g} is too large for {k} categories: the rarest get probability 0 "
                         "(floating-point underflow); use a smaller exponent or fewer categories")
    return weights / weights.sum()


def check_probabilities(probs, name: str = "probs") -> np.ndarray:
    """``probs`` as a float array whose last axis is a probability vector (finite, non-negative,
    summing to 1), or a ``ValueError`` that says which rule was broken. ``name`` is used in the message."""
    return check_probability_vectors(name, probs)


def _check_one_vector(probs) -> np.ndarray:
    p = check_probabilities(probs)
    if p.ndim != 1:
        raise ValueError(f"probs must be one probability vector (K,), got shape {p.shape}")
    return p


def fit(data: np.ndarray, n_categories: int) -> np.ndarray:
    """Refit by counts: shape ``(n_categories,)`` probabilities from integer labels ``data`` (n,)."""
    k = check_int("n_categories", n_categories, minimum=1)
    labels = np.asarray(data)
    if labels.ndim != 1 or len(labels) == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"data must be a non-empty 1-D array of integer labels, got {labels.dtype} shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in [0, {k - 1}], got range [{labels.min()}, {labels.max()}]")
    return np.bincount(labels, minlength=k) / len(labels)


def sample(probs: np.ndarray, n: int, rng: "np.random.Generator | Step") -> np.ndarray:
    """``n`` integer labels (shape ``(n,)``) drawn from ``probs`` (one probability vector, shape
    ``(K,)``); ``rng`` a numpy Generator, or the engine's Step."""
    n = check_int("n", n, minimum=0)
    p = _check_one_vector(probs)
    return generator_of(rng).choice(len(p), size=n, p=p)


def multinomial_counts(probs: np.ndarray, sample_size: int, rng: np.random.Generator) -> np.ndarray:
    """Counts of ``sample_size`` (>= 0) draws for each row of ``probs`` (shape ``(..., K)``, each row a
    probability vector), vectorised over rows by the conditional-binomial method:
    n_k ~ Bin(remaining, p_k / remaining mass). Shape of ``probs``, int64."""
    return _multinomial_counts(check_probabilities(probs), check_int("sample_size", sample_size, minimum=0), rng)


def _multinomial_counts(probs: np.ndarray, sample_size: int, rng: np.random.Generator) -> np.ndarray:
    # unchecked: simulate_chains calls this every generation with probability vectors it made itself
    counts = np.zeros(probs.shape, dtype=np.int64)
    remaining = np.full(probs.shape[:-1], sample_size, dtype=np.int64)
    mass = np.ones(probs.shape[:-1])
    for k in range(probs.shape[-1] - 1):
        share = np.clip(np.divide(probs[..., k], mass, out=np.zeros_like(mass), where=mass > 0), 0.0, 1.0)
        counts[..., k] = rng.binomial(remaining, share)
        remaining -= counts[..., k]
        mass -= probs[..., k]
    counts[..., -1] = remaining
    return counts


@dataclass(frozen=True)
class CategoricalChains:
    """Many independent chains of the categorical photocopier.

    Attributes:
        probs: shape ``(generations + 1, n_chains, K)``, float32; row 0 is the true distribution.
        sample_size: M, the draws per generation.
    """

    probs: np.ndarray
    sample_size: int

    @property
    def alive(self) -> np.ndarray:
        """Shape ``(generations + 1, n_chains, K)``: whether each category still has mass."""
        return self.probs > 0

    @property
    def surviving(self) -> np.ndarray:
        """Shape ``(generations + 1, n_chains)``: the number of categories still alive."""
        return self.alive.sum(axis=-1)


def simulate_chains(probs, generations: int, sample_size: int, n_chains: int, *, seed: int | None = None) -> CategoricalChains:
    """Run ``n_chains`` categorical photocopiers from ``probs`` (shape ``(K,)``) for ``generations``
    generations of ``sample_size`` draws each."""
    p0 = _check_one_vector(probs)
    generations = check_int("generations", generations, minimum=0)
    sample_size = check_int("sample_size", sample_size, minimum=1)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    rng = np.random.default_rng(seed)
    out = np.empty((generations + 1, n_chains, len(p0)), dtype=np.float32)
    current = np.broadcast_to(p0, (n_chains, len(p0))).copy()
    out[0] = current
    for t in range(1, generations + 1):
        current = _multinomial_counts(current, sample_size, rng) / sample_size
        out[t] = current
    return CategoricalChains(out, sample_size)


def loss_probability(p, sample_size: int) -> np.ndarray:
    """(1 - p)^M: the chance that a category of probability ``p`` gets no draw among ``M``, and so
    vanishes for good in one generation. Shape of ``p``."""
    p = np.asarray(p, dtype=float)
    bad = ~((p >= 0) & (p <= 1))  # also catches NaN
    if bad.any():
        raise ValueError(f"p must lie in [0, 1], got {p[bad].flat[0]:g}; it is one category's probability")
    return (1.0 - p) ** check_int("sample_size", sample_size, minimum=1)
