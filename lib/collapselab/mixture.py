"""1-D Gaussian mixtures refit by EM: how a small mode fades or merges.

A model is a :class:`Mixture` of ``k`` Gaussians. :func:`fit_em` runs expectation-maximisation,
vectorised over many independent data sets at once (shape ``(n_chains, n)``), so thousands of
chains refit in the time one would take in a Python loop. :func:`simulate_chains` runs the
photocopier: sample ``M`` points from each chain's mixture, refit, repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from ._checks import check_finite, check_finite_array, check_int, check_positive, check_probability_vectors
from .policies import Step, generator_of


@dataclass(frozen=True)
class Mixture:
    """Mixture weights, means and standard deviations, each of shape ``(..., k)``: one mixture of
    ``k`` components for parameters of shape ``(k,)``, a batch of chains for ``(n_chains, k)``.

    Checked when built (vectorised, a few numpy passes): the weights are non-negative and sum to 1
    along the last axis, the means are finite, the stds finite and > 0. Stored as float arrays.
    """

    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray

    def __post_init__(self):
        shapes = {np.shape(self.weights), np.shape(self.means), np.shape(self.stds)}
        if len(shapes) != 1:
            raise ValueError(f"weights, means and stds need one shape, got {sorted(shapes)}")
        if shapes == {()}:
            raise ValueError("weights, means and stds need a component axis (shape (..., k)), got shape (); "
                             "pass arrays with one entry per component, e.g. weights=[0.9, 0.1]")
        for name in ("weights", "means", "stds"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=float))
        check_probability_vectors("weights", self.weights)
        for name in ("means", "stds"):
            finite = np.isfinite(getattr(self, name))
            if not finite.all():
                raise ValueError(f"{name} contains {finite.size - np.count_nonzero(finite)} non-finite value(s) "
                                 "(NaN or inf); every component needs a finite mean and std")
        if self.stds.min() <= 0:
            raise ValueError(f"stds must be > 0, got {self.stds.min():g}; every component needs a positive spread")

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density at ``x`` (shape ``(n,)``) of a single mixture (parameters of shape ``(k,)``)."""
        if self.weights.ndim != 1:
            raise ValueError(f"pdf needs a single mixture (parameters of shape (k,)), got shape {self.weights.shape}; "
                             "pick one chain first, e.g. batch[i].pdf(x)")
        x = np.asarray(x, dtype=float)[..., None]
        z = (x - self.means) / self.stds
        return np.sum(self.weights * np.exp(-0.5 * z**2) / (self.stds * np.sqrt(2 * np.pi)), axis=-1)

    def mass_above(self, threshold: float) -> np.ndarray:
        """P(X > threshold) under the mixture, for a finite number ``threshold``; shape ``(...)``."""
        threshold = check_finite("threshold", threshold)
        tail = special.ndtr((self.means - threshold) / self.stds)
        return np.sum(self.weights * tail, axis=-1)

    def __getitem__(self, index) -> "Mixture":
        """Index the chains: ``batch[i]`` is chain ``i``'s mixture (parameters of shape ``(k,)``)."""
        return Mixture(self.weights[index], self.means[index], self.stds[index])


def sample(model: Mixture, n: int, rng: "np.random.Generator | Step") -> np.ndarray:
    """``n`` samples from each mixture: shape ``(..., n)`` for parameters of shape ``(..., k)``;
    ``rng`` a numpy Generator, or the engine's Step."""
    n = check_int("n", n, minimum=0)
    rng = generator_of(rng)
    weights = np.asarray(model.weights)
    batch = weights.shape[:-1]
    cumulative = np.cumsum(weights, axis=-1)
    u = rng.random(batch + (n,))
    component = (u[..., None] > cumulative[..., None, :]).sum(axis=-1)
    component = np.minimum(component, weights.shape[-1] - 1)
    means = np.take_along_axis(np.asarray(model.means), component, axis=-1)
    stds = np.take_along_axis(np.asarray(model.stds), component, axis=-1)
    return means + stds * rng.standard_normal(batch + (n,))


def fit_em(data: np.ndarray, k: int = 2, *, iterations: int = 200, tolerance: float = 1e-5,
           min_std: float = 1e-3) -> Mixture:
    """Fit a ``k``-component mixture to each row of ``data`` (shape ``(n,)`` or ``(n_chains, n)``) by EM.

    Initialisation is deterministic: component means at evenly spaced quantiles from the 5th to the
    95th percentile, equal weights, the overall standard deviation. ``min_std`` keeps a component
    from shrinking onto a single point. EM stops when no mean moves by more than ``tolerance``
    (data units; 0 runs all ``iterations``) or after ``iterations`` (>= 1). Returns parameters of
    shape ``(k,)`` or ``(n_chains, k)``.
    """
    x = check_finite_array("data", data, min_len=1)
    if x.ndim > 2:
        raise ValueError(f"data must be 1-D (n,) or 2-D (n_chains, n), got shape {x.shape}; one row per data set")
    single = x.ndim == 1
    x = np.atleast_2d(x)
    k = check_int("k", k, minimum=1)
    iterations = check_int("iterations", iterations, minimum=1)
    tolerance = check_finite("tolerance", tolerance, minimum=0, hint="the largest mean move (data units) that counts as converged")
    min_std = check_positive("min_std", min_std)
    if x.shape[1] < 2 * k:
        raise ValueError(f"EM with k={k} components needs at least {2 * k} points per data set, got {x.shape[1]}")
    levels = np.linspace(0.05, 0.95, k) if k > 1 else np.array([0.5])
    # parameters (k, chains, 1) and responsibilities (k, chains, n): component axis first, so that
    # sums over components are element-wise and sums over points run along contiguous memory
    means = np.quantile(x, levels, axis=1)[:, :, None]
    stds = np.repeat(x.std(axis=1)[None, :, None], k, axis=0).clip(min_std)
    weights = np.full_like(means, 1.0 / k)
    for _ in range(iterations):
        # E step: responsibilities, normalised in log space for stability
        log_p = np.log(weights / stds) - 0.5 * ((x - means) / stds) ** 2
        log_p -= log_p.max(axis=0)
        resp = np.exp(log_p, out=log_p)
        resp /= resp.sum(axis=0)
        # M step
        mass = resp.sum(axis=2, keepdims=True) + 1e-12
        weights = mass / x.shape[1]
        previous, means = means, (resp * x).sum(axis=2, keepdims=True) / mass
        stds = np.sqrt((resp * (x - means) ** 2).sum(axis=2, keepdims=True) / mass).clip(min_std)
        if np.max(np.abs(means - previous)) < tolerance:
            break
    weights, means, stds = (a[:, :, 0].T for a in (weights, means, stds))
    order = np.argsort(means, axis=1)  # components sorted by mean, left to right
    model = Mixture(*(np.take_along_axis(a, order, axis=1) for a in (weights, means, stds)))
    return model[0] if single else model


def fit(data: np.ndarray, step: "Step | None" = None, *, k: int = 2) -> Mixture:
    """The engine's ``fit(data, step)`` for one chain: :func:`fit_em` with ``k`` components on
    ``data`` ``(n,)``; ``step`` (the generation's context) is not needed. For another ``k``:
    ``recursion.run(lambda data, step: mixture.fit(data, k=3), mixture.sample, real, 10)``."""
    return fit_em(data, k)


def simulate_chains(truth: Mixture, generations: int, sample_size: int, n_chains: int, *,
                    k: int | None = None, seed: int | None = None) -> list[Mixture]:
    """Run ``n_chains`` mixture photocopiers from ``truth`` (a single :class:`Mixture`, parameters of
    shape ``(k,)``).

    Generation 0 is fitted to ``sample_size`` real samples; each later one to ``sample_size`` samples
    of its predecessor, by EM with ``k`` components (default ``None``: the truth's k; else an int
    >= 1). Returns ``generations + 1`` mixtures with parameters ``(n_chains, k)``.
    """
    if not isinstance(truth, Mixture):
        raise ValueError(f"truth must be a Mixture, got {type(truth).__name__}; build one with Mixture(weights, means, stds)")
    if truth.weights.ndim != 1:
        raise ValueError(f"truth must be a single mixture (parameters of shape (k,)), got shape {truth.weights.shape}; "
                         "pick one chain, e.g. batch[0]")
    generations = check_int("generations", generations, minimum=0)
    sample_size = check_int("sample_size", sample_size, minimum=2)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    k = len(truth.weights) if k is None else check_int("k", k, minimum=1)
    rng = np.random.default_rng(seed)
    batch = Mixture(*(np.broadcast_to(a, (n_chains, len(truth.weights))) for a in (truth.weights, truth.means, truth.stds)))
    history = []
    for _ in range(generations + 1):
        batch = fit_em(sample(batch, sample_size, rng), k)
        history.append(batch)
    return history
