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


@dataclass(frozen=True)
class LinearTask:
    """A regression task: true weights ``w*`` (shape ``(d,)``) and label noise ``noise_std`` (σ).

    Data sets are tuples ``(X, y)`` with ``X`` of shape ``(n, d)`` and ``y`` of shape ``(n,)``.
    """

    weights: np.ndarray
    noise_std: float = 1.0

    @property
    def dim(self) -> int:
        return len(self.weights)

    def _labelled(self, w: np.ndarray, n: int, rng: np.random.Generator):
        X = rng.standard_normal((check_int("n", n, minimum=0), self.dim))
        return X, X @ w + self.noise_std * rng.standard_normal(n)

    def real_data(self, n: int, rng: np.random.Generator):
        """``n`` real samples ``(X, y)`` labelled by the true weights."""
        return self._labelled(self.weights, n, rng)

    def fit(self, data) -> np.ndarray:
        """Least-squares weights (shape ``(d,)``) for ``data = (X, y)``; needs at least d samples."""
        X, y = data
        X = check_finite_array("X", X, ndim=2)
        y = check_finite_array("y", y, ndim=1)
        if X.shape != (len(y), self.dim):
            raise ValueError(f"X must have shape (len(y), {self.dim}), got {X.shape} for {len(y)} labels")
        if len(y) < self.dim:
            raise ValueError(f"least squares needs at least d = {self.dim} samples, got {len(y)}")
        return np.linalg.lstsq(X, y, rcond=None)[0]

    def sample(self, w: np.ndarray, n: int, rng: np.random.Generator):
        """``n`` synthetic samples: fresh inputs labelled by the fitted weights ``w`` plus fresh noise."""
        return self._labelled(np.asarray(w, dtype=float), n, rng)

    def test_error(self, w: np.ndarray) -> float:
        """``||w - w*||²``: the excess test error of weights ``w`` on isotropic inputs."""
        return float(np.sum((np.asarray(w) - self.weights) ** 2))


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


def expected_error_replace(n, dim: int, samples: int, noise_std: float = 1.0) -> np.ndarray:
    """σ² d / (T - d - 1) · n: the error after ``n`` fits under replace (grows linearly). Shape of ``n``."""
    return _one_fit_error(dim, samples, noise_std) * np.asarray(n, dtype=float)


def expected_error_accumulate(n, dim: int, samples: int, noise_std: float = 1.0) -> np.ndarray:
    """σ² d / (T - d - 1) · Σᵢ₌₁ⁿ 1/i²: the error after ``n`` fits under accumulate (bounded). Shape of ``n``."""
    n = np.asarray(n)
    if np.any(n < 1):
        raise ValueError("n counts fits and starts at 1 (generation 0 is fit 1)")
    partial = np.cumsum(1.0 / np.arange(1, int(np.max(n)) + 1) ** 2)
    return _one_fit_error(dim, samples, noise_std) * partial[n - 1]


def accumulate_error_limit(dim: int, samples: int, noise_std: float = 1.0) -> float:
    """σ² d / (T - d - 1) · π²/6: the ceiling of the accumulate error over infinitely many generations."""
    return _one_fit_error(dim, samples, noise_std) * np.pi**2 / 6
