"""The linear-Gaussian photocopier: probabilistic PCA (PPCA), fitted in closed form.

PPCA (Tipping & Bishop, 1999) is the linear cousin of notebook 04's VAE: a ``q``-dimensional code
``z ~ N(0, I)`` is decoded by a *linear* decoder and Gaussian pixel noise is added,

    x = W z + mean + eps,    eps ~ N(0, sigma^2 I),    x in R^d,

so its covariance is ``W Wᵀ + sigma^2 I``. Its maximum-likelihood fit needs no training: from the
eigenvalues ``lam_1 >= ... >= lam_d`` of the data's covariance (ddof = 0), ``sigma^2`` is the mean
of the ``d - q`` smallest and ``W`` keeps the top ``q`` directions with variances ``lam_i - sigma^2``.
Because the fit is exact, PPCA separates two things that the VAE mixes:

* **the sampler's bias, paid once.** Sampling *decoder means* (``W z + mean``, no noise: the
  analogue of the VAE's grey decoder means) drops the noise variance ``d sigma^2``. The next fit
  finds no noise (``sigma^2 = 0``) and reproduces those means exactly: a *fixed point*.
* **statistical error, compounding.** A fit on ``n`` samples keeps ``(n - 1) / n`` of the variance
  in expectation, every generation, whatever the sampler (notebook 01's MLE clock).

The total variance ``V`` (the trace of the model's covariance, in squared data units) of a
fitted PPCA equals that of the data it was fitted to, which gives the closed forms of
:func:`expected_total_variance`: ``E[V_t] = V_0 r^t`` with full samples and
``(V_0 - d sigma_0^2) r^t`` with decoder means (t >= 1), ``r = (n - 1) / n``: a one-time drop times
a compounding clock. They hold for the engine's runs given generation 0 (tests check both).

Example:
    >>> import numpy as np
    >>> from collapselab import ppca, recursion
    >>> truth = ppca.PPCA(mean=np.zeros(4), loadings=np.diag([2.0, 1.0, 0, 0])[:, :2], noise_variance=0.5)
    >>> real = ppca.sample(truth, 1_000, np.random.default_rng(0))
    >>> history = recursion.run(lambda x, step: ppca.fit(x, components=2),
    ...                         lambda m, n, step: ppca.sample(m, n, step, noise=False), real, generations=2, seed=1)
    >>> round(history.models[2].noise_variance, 12)     # no noise left to lose: the fixed point
    0.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_finite, check_finite_array, check_int
from .policies import Step, generator_of


@dataclass(frozen=True)
class PPCA:
    """A fitted PPCA model.

    Attributes:
        mean: shape ``(d,)``, the data's mean.
        loadings: ``W``, shape ``(d, q)``: the linear decoder (its columns are orthogonal).
        noise_variance: ``sigma^2 >= 0``, the variance of the pixel noise added to every dimension.
    """

    mean: np.ndarray
    loadings: np.ndarray
    noise_variance: float

    def __post_init__(self):
        mean = check_finite_array("mean", self.mean)
        loadings = check_finite_array("loadings", self.loadings)
        if mean.ndim != 1 or loadings.ndim != 2 or loadings.shape[0] != mean.shape[0]:
            raise ValueError(f"loadings must have shape (d, q) and mean shape (d,); got {loadings.shape} and "
                             f"{mean.shape}")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "loadings", loadings)
        object.__setattr__(self, "noise_variance", check_finite(
            "noise_variance", self.noise_variance, minimum=0, hint="it is a variance (0: no noise)"))

    @property
    def dim(self) -> int:
        """``d``, the data's dimension."""
        return self.mean.shape[0]

    @property
    def components(self) -> int:
        """``q``, the code's dimension."""
        return self.loadings.shape[1]

    def covariance(self) -> np.ndarray:
        """Shape ``(d, d)``: ``W Wᵀ + sigma^2 I``."""
        return self.loadings @ self.loadings.T + self.noise_variance * np.eye(self.dim)

    @property
    def total_variance(self) -> float:
        """``V``: the trace of :meth:`covariance`, the summed variance of every dimension (squared
        data units); ``d sigma^2`` of it is noise."""
        return float(np.sum(self.loadings**2) + self.dim * self.noise_variance)


def fit(data: np.ndarray, step: Step | None = None, *, components: int) -> PPCA:
    """The maximum-likelihood PPCA of ``data`` (shape ``(n, d)``, n >= 2, ``1 <= components < d``).

    Closed form (Tipping & Bishop, 1999): ``sigma^2`` is the mean of the ``d - components`` smallest
    eigenvalues of the covariance (ddof = 0); ``W``'s columns are the top eigenvectors scaled by
    ``sqrt(lam_i - sigma^2)``. ``step`` is accepted (and ignored) so that ``fit`` plugs into
    :func:`collapselab.recursion.run` with ``components`` bound."""
    data = check_finite_array("data", data, ndim=2, min_len=2)
    d = data.shape[1]
    components = check_int("components", components, minimum=1)
    if components >= d:
        raise ValueError(f"components must be smaller than the data's dimension {d}, got {components}: "
                         "PPCA needs at least one direction left over for the noise")
    mean = data.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(data, rowvar=False, ddof=0))
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]           # largest first
    noise = max(float(eigenvalues[components:].mean()), 0.0)                      # rounding can go below 0
    scale = np.sqrt(np.maximum(eigenvalues[:components] - noise, 0.0))
    return PPCA(mean, eigenvectors[:, :components] * scale, noise)


def sample(model: PPCA, n: int, rng: "np.random.Generator | Step", *, noise: bool = True) -> np.ndarray:
    """``n`` samples, shape ``(n, d)``: ``W z + mean`` plus the pixel noise (``noise=True``), or the
    decoder means alone (``noise=False``), the linear analogue of the VAE's decoder-mean sampler."""
    n = check_int("n", n, minimum=0)
    rng = generator_of(rng)
    x = rng.standard_normal((n, model.components)) @ model.loadings.T + model.mean
    if noise:
        x += np.sqrt(model.noise_variance) * rng.standard_normal((n, model.dim))
    return x


def expected_total_variance(t, generation0: PPCA, sample_size: int, *, noise: bool = True) -> np.ndarray:
    """``E[V_t]`` given generation 0's fit, for a chain that refits on ``sample_size`` samples per
    generation (``t``: generations, any shape of ints >= 0).

    * full samples (``noise=True``): ``V_0 r^t``, ``r = (n - 1) / n``;
    * decoder means (``noise=False``): ``V_0`` at t = 0, then ``(V_0 - d sigma_0^2) r^t``.

    With ``sample_size`` -> infinity (a perfect fit) the first is flat and the second drops once and
    stays: a fixed point."""
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer) or np.any(t < 0):
        raise ValueError(f"t must be whole generations >= 0, got {t!r}")
    n = check_int("sample_size", sample_size, minimum=2)
    clock = ((n - 1) / n) ** t
    v0 = generation0.total_variance
    if noise:
        return v0 * clock
    return np.where(t == 0, v0, (v0 - generation0.dim * generation0.noise_variance) * clock)


def total_variance_chains(real: np.ndarray, components: int, generations: int, sample_size: int, *,
                          noise: bool, chains: int, seed: int = 0) -> np.ndarray:
    """Run ``chains`` independent PPCA photocopiers through the recursion engine, all from the same
    generation 0 (fitted on ``real``, shape ``(n, d)``), and return each generation's total variance,
    shape ``(chains, generations + 1)``. Chain ``c`` samples with ``seeds.derive(seed, "ppca chain", c)``."""
    from . import recursion, seeds

    chains = check_int("chains", chains, minimum=1)
    out = np.empty((chains, check_int("generations", generations, minimum=0) + 1))
    for c in range(chains):
        history = recursion.run(lambda x, step: fit(x, components=components),
                                lambda model, n, step: sample(model, n, step, noise=noise),
                                real, generations, sample_size=sample_size, seed=seeds.derive(seed, "ppca chain", c))
        out[c] = [model.total_variance for model in history.models]
    return out
