"""Linear regression trained on its own labels (Dohmatob et al. 2024; Gerstgrasser et al. 2024).

The task: ``d`` features ``x ~ N(0, I_d)``, labels ``y = x·w* + noise`` with noise of variance σ².
Generation 0 fits least squares on ``T`` real samples. Each later generation gets ``T`` new inputs
labelled by the *previous fitted model* (plus fresh noise), the way a model's outputs become the
next model's training labels. Test error = ``||ŵ - w*||²``, the excess squared error on fresh
isotropic inputs.

Closed forms, with ``n`` = the number of fits so far (generation ``g`` is fit ``n = g + 1``):

* replace:    E_n = σ² d / (T - d - 1) · n               (exact: every fit adds its own error)
* accumulate: E_n = σ² d / (T - d - 1) · Σᵢ₌₁ⁿ 1/i² ≤ σ² d / (T - d - 1) · π²/6
  (Gerstgrasser et al.; exact as T/d grows, since it treats each generation's XᵀX as T·I; at finite
  T the simulated error sits slightly below it)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_finite_array, check_int, check_positive
from .policies import Step, generator_of


@dataclass(frozen=True)
class LinearTask:
    """A regression task: true weights ``w*`` (shape ``(d,)``, finite) and label noise ``noise_std``
    (σ, finite, > 0; default 1).

    Data sets are tuples ``(X, y)`` with ``X`` of shape ``(n, d)`` and ``y`` of shape ``(n,)``.
    """

    weights: np.ndarray
    noise_std: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "weights", check_finite_array("weights", self.weights, ndim=1))
        object.__setattr__(self, "noise_std", check_positive("noise_std", self.noise_std))

    @property
    def dim(self) -> int:
        return len(self.weights)

    def _check_weights(self, w) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        if w.shape != (self.dim,):
            raise ValueError(f"w must have shape ({self.dim},) (one weight per feature), got shape {w.shape}")
        if not np.isfinite(w).all():
            raise ValueError(f"w contains {w.size - np.count_nonzero(np.isfinite(w))} non-finite value(s) (NaN or inf)")
        return w

    def _labelled(self, w: np.ndarray, n: int, rng: np.random.Generator):
        n = check_int("n", n, minimum=0)
        X = rng.standard_normal((n, self.dim))
        return X, X @ w + self.noise_std * rng.standard_normal(n)

    def real_data(self, n: int, rng: np.random.Generator):
        """``n`` real samples ``(X, y)`` labelled by the true weights."""
        return self._labelled(self.weights, n, rng)

    def fit(self, data, step=None) -> np.ndarray:
        """Least-squares weights (shape ``(d,)``) for ``data = (X, y)``; needs at least d samples.
        ``step``: the engine's generation context (unused: least squares needs only the data)."""
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(f"data must be a pair (X, y) with X of shape (n, {self.dim}) and y of shape (n,), "
                             f"got {type(data).__name__}")
        X, y = data
        X = check_finite_array("X", X, ndim=2)
        y = check_finite_array("y", y, ndim=1)
        if X.shape != (len(y), self.dim):
            raise ValueError(f"X must have shape (len(y), {self.dim}), got {X.shape} for {len(y)} labels")
        if len(y) < self.dim:
            raise ValueError(f"least squares needs at least d = {self.dim} samples, got {len(y)}")
        return np.linalg.lstsq(X, y, rcond=None)[0]

    def sample(self, w: np.ndarray, n: int, rng: "np.random.Generator | Step"):
        """``n`` synthetic samples: fresh inputs labelled by the fitted weights ``w`` (shape ``(d,)``)
        plus fresh noise; ``rng`` a numpy Generator, or the engine's Step."""
        return self._labelled(self._check_weights(w), n, generator_of(rng))

    def test_error(self, w: np.ndarray) -> float:
        """``||w - w*||²``: the excess test error of weights ``w`` (shape ``(d,)``) on isotropic inputs."""
        return float(np.sum((self._check_weights(w) - self.weights) ** 2))


def make_task(dim: int, noise_std: float = 1.0, seed: int | None = 0) -> LinearTask:
    """A task with ``dim`` features and true weights drawn from N(0, I / dim) (so ||w*|| ≈ 1)."""
    dim = check_int("dim", dim, minimum=1)
    rng = np.random.default_rng(seed)
    return LinearTask(rng.standard_normal(dim) / np.sqrt(dim), check_positive("noise_std", noise_std))


def _one_fit_error(dim: int, samples: int, noise_std: float) -> float:
    dim = check_int("dim", dim, minimum=1)
    samples = check_int("samples", samples, minimum=1)
    if samples <= dim + 1:
        raise ValueError(f"the closed forms need samples T > d + 1, got T = {samples}, d = {dim}")
    return check_positive("noise_std", noise_std) ** 2 * dim / (samples - dim - 1)


def _check_fit_counts(n) -> np.ndarray:
    """``n`` (any shape) as an int array of fit counts >= 1; whole-valued floats are accepted."""
    n = np.asarray(n)
    if n.dtype == bool or not (np.issubdtype(n.dtype, np.integer) or np.issubdtype(n.dtype, np.floating)):
        raise ValueError(f"n must be whole numbers of fits >= 1, got dtype {n.dtype}")
    if np.issubdtype(n.dtype, np.floating):
        fractional = ~np.isfinite(n) | (n != np.round(n))
        if fractional.any():
            raise ValueError(f"n must be whole numbers of fits >= 1, got {n[fractional].flat[0]:g}")
    if np.any(n < 1):
        raise ValueError(f"n counts fits and starts at 1 (generation 0 is fit 1), got {n[n < 1].flat[0]:g}")
    return n.astype(np.int64)


def expected_error_replace(n, dim: int, samples: int, noise_std: float = 1.0) -> np.ndarray:
    """σ² d / (T - d - 1) · n: the error after ``n`` fits (whole numbers >= 1) under replace (grows
    linearly). Shape of ``n``."""
    n = _check_fit_counts(n)
    return _one_fit_error(dim, samples, noise_std) * n.astype(float)


def expected_error_accumulate(n, dim: int, samples: int, noise_std: float = 1.0) -> np.ndarray:
    """σ² d / (T - d - 1) · Σᵢ₌₁ⁿ 1/i²: the error after ``n`` fits (whole numbers >= 1) under accumulate
    (bounded). Shape of ``n``."""
    n = _check_fit_counts(n)
    partial = np.cumsum(1.0 / np.arange(1, int(np.max(n, initial=1)) + 1) ** 2)
    return _one_fit_error(dim, samples, noise_std) * partial[n - 1]


def accumulate_error_limit(dim: int, samples: int, noise_std: float = 1.0) -> float:
    """σ² d / (T - d - 1) · π²/6: the ceiling of the accumulate error over infinitely many generations."""
    return _one_fit_error(dim, samples, noise_std) * np.pi**2 / 6
