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

from ._checks import check_finite_array, check_int, check_positive


def zipf_probabilities(n_categories: int, exponent: float = 1.0) -> np.ndarray:
    """Shape ``(n_categories,)``: Zipf-like frequencies p_k ∝ 1 / k^exponent, largest first."""
    k = check_int("n_categories", n_categories, minimum=1)
    weights = 1.0 / np.arange(1, k + 1) ** check_positive("exponent", exponent)
    return weights / weights.sum()


def check_probabilities(probs) -> np.ndarray:
    """``probs`` as a float array whose last axis is a probability vector, or a ``ValueError``."""
    p = check_finite_array("probs", probs)
    if np.any(p < 0) or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError("probs must be non-negative and sum to 1 along the last axis")
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


def sample(probs: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` integer labels (shape ``(n,)``) drawn from ``probs``."""
    n = check_int("n", n, minimum=0)
    return rng.choice(len(probs), size=n, p=probs)


def multinomial_counts(probs: np.ndarray, sample_size: int, rng: np.random.Generator) -> np.ndarray:
    """Counts of ``sample_size`` draws for each row of ``probs`` (shape ``(..., K)``), vectorised over
    rows by the conditional-binomial method: n_k ~ Bin(remaining, p_k / remaining mass)."""
    probs = np.asarray(probs, dtype=float)
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
    p0 = check_probabilities(probs)
    if p0.ndim != 1:
        raise ValueError(f"probs must be one probability vector (K,), got shape {p0.shape}")
    generations = check_int("generations", generations, minimum=0)
    sample_size = check_int("sample_size", sample_size, minimum=1)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    rng = np.random.default_rng(seed)
    out = np.empty((generations + 1, n_chains, len(p0)), dtype=np.float32)
    current = np.broadcast_to(p0, (n_chains, len(p0))).copy()
    out[0] = current
    for t in range(1, generations + 1):
        current = multinomial_counts(current, sample_size, rng) / sample_size
        out[t] = current
    return CategoricalChains(out, sample_size)


def loss_probability(p, sample_size: int) -> np.ndarray:
    """(1 - p)^M: the chance that a category of probability ``p`` gets no draw among ``M``, and so
    vanishes for good in one generation. Shape of ``p``."""
    p = np.asarray(p, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must lie in [0, 1]")
    return (1.0 - p) ** check_int("sample_size", sample_size, minimum=1)
