"""Metrics for the toy models: what a generation has lost, in numbers.

Distributions over categories are probability vectors (last axis); continuous ones are samples.
Direction: more surviving categories and higher entropy = more diversity kept; lower KL and
Wasserstein distance = closer to the original; tail mass near the original's = tails kept.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_finite, check_finite_array
from .categorical import check_probabilities


def surviving_categories(probs) -> np.ndarray:
    """The number of categories with non-zero probability (over the last axis)."""
    return (check_probabilities(probs) > 0).sum(axis=-1)


def entropy(probs) -> np.ndarray:
    """Shannon entropy in nats, -Σ p log p (0 log 0 = 0), over the last axis. log K for uniform
    over K categories, 0 for a delta. Higher = more diverse."""
    p = check_probabilities(probs)
    terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1)


def kl_divergence(p, q) -> np.ndarray:
    """KL(p || q) = Σ p log(p / q) in nats, over the last axis; ``inf`` where q lost a category that p
    still has. Zero iff p = q; not symmetric. Use p = the original, q = a generation, to measure
    how badly a generation covers the original.

    ``p`` and ``q`` need the same number of categories K; leading axes broadcast (e.g. p of shape
    ``(K,)`` against q of shape ``(n_chains, K)``)."""
    p, q = check_probabilities(p, "p"), check_probabilities(q, "q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"p and q need the same number of categories (last axis), got {p.shape[-1]} and {q.shape[-1]}")
    try:
        np.broadcast_shapes(p.shape, q.shape)
    except ValueError:
        raise ValueError(f"p and q must broadcast against each other, got shapes {p.shape} and {q.shape}; "
                         "give one distribution (K,) and a batch (..., K), or two batches of the same shape") from None
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return terms.sum(axis=-1)


def wasserstein_1d(a, b) -> float:
    """The 1-D Wasserstein-1 (earth mover's) distance between two samples: the area between their
    empirical CDFs, in the data's units. Zero for identical samples, symmetric, and equal to ``c``
    between a sample and the same sample shifted by ``c``."""
    a = np.sort(check_finite_array("a", a, ndim=1))
    b = np.sort(check_finite_array("b", b, ndim=1))
    grid = np.sort(np.concatenate([a, b]))
    widths = np.diff(grid)
    cdf_a = np.searchsorted(a, grid[:-1], side="right") / len(a)
    cdf_b = np.searchsorted(b, grid[:-1], side="right") / len(b)
    return float(np.sum(np.abs(cdf_a - cdf_b) * widths))


def tail_mass(samples, threshold: float, *, two_sided: bool = True) -> float:
    """The fraction of ``samples`` (shape ``(n,)``) beyond ``threshold`` (|x| > threshold when
    ``two_sided``, then threshold must be >= 0; else x > threshold). ``threshold`` is a finite number.
    With the original's 99th percentile as threshold, the original scores 1 %."""
    x = check_finite_array("samples", samples, ndim=1)
    if two_sided:
        threshold = check_finite("threshold", threshold, minimum=0,
                                 hint="it is a distance from 0: the tail is |x| > threshold (or pass two_sided=False)")
    else:
        threshold = check_finite("threshold", threshold)
    return float(np.mean(np.abs(x) > threshold if two_sided else x > threshold))
