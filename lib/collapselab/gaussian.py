"""The 1-D Gaussian photocopier: fit N(mu, sigma^2) by mean and variance, sample, refit.

Two ways to run it:

* :func:`fit` and :func:`sample` plug into the one recursion engine (:func:`collapselab.recursion.run`)
  for a single chain you can watch generation by generation.
* :func:`simulate_chains` runs thousands of independent chains at once. It uses the exact sampling
  distributions of the refit (for M normal samples, the sample mean is N(mu, sigma^2 / M) and the sum
  of squared deviations is sigma^2 chi^2_{M-1}, independently), so a generation costs two random
  draws per chain instead of M. :func:`simulate_chains_by_sampling` literally draws M samples and
  refits; the tests check that both agree in distribution.

The closed forms (σ²ₜ₊₁ = σ²ₜ · χ²_{M−1} / (M − ddof)):

* :func:`expected_variance`  E[σ²ₜ] = σ₀² ((M−1)/(M−ddof))ᵗ
* :func:`expected_log_variance`  E[log σ²ₜ] = log σ₀² + t (ψ((M−1)/2) + log 2 − log(M−ddof))
* :func:`median_variance`  ≈ exp(E[log σ²ₜ]) ≈ σ₀² exp(−t/(M−1)) for ddof=1
* :func:`expected_std`  E[σₜ] = αᵗ σ₀ with α = E√χ²_{M−1} / √(M−ddof)
* :func:`expected_mean_drift`  E[(μₜ−μ₀)²] = σ₀²/M Σₛ₌₀ᵗ⁻¹ ((M−1)/(M−ddof))ˢ  (= tσ₀²/M for ddof=1)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import special

from ._checks import check_finite, check_finite_array, check_int, check_positive
from .policies import Step, generator_of


@dataclass(frozen=True)
class Gaussian:
    """A fitted 1-D Gaussian N(mean, std^2): ``mean`` finite, ``std`` finite and >= 0.

    ``std == 0`` is allowed: it is the collapsed point mass at ``mean`` that the chains end in.
    """

    mean: float
    std: float

    def __post_init__(self):
        # stored as plain floats, checked once here, so that pdf, mass_beyond and sample can trust them
        object.__setattr__(self, "mean", check_finite("mean", self.mean))
        object.__setattr__(self, "std", check_finite(
            "std", self.std, minimum=0, hint="a standard deviation is never negative (0 is the collapsed point mass)"))

    @property
    def variance(self) -> float:
        return self.std**2

    def mass_beyond(self, threshold: float) -> float:
        """P(|X| > threshold): the model's two-sided tail mass beyond ``threshold`` (data units, finite, >= 0)."""
        threshold = check_finite("threshold", threshold, minimum=0,
                                 hint="it is a distance from 0: the tail is |X| > threshold")
        if self.std == 0:
            return float(abs(self.mean) > threshold)
        return float(special.ndtr((-threshold - self.mean) / self.std) + special.ndtr((self.mean - threshold) / self.std))

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density at ``x`` (any shape)."""
        x = np.asarray(x, dtype=float)
        if self.std == 0:
            return np.where(x == self.mean, np.inf, 0.0)
        z = (x - self.mean) / self.std
        return np.exp(-0.5 * z**2) / (self.std * np.sqrt(2 * np.pi))


def _check_ddof(ddof: int, sample_size: int) -> int:
    ddof = check_int("ddof", ddof, minimum=0)
    if ddof >= sample_size:
        raise ValueError(f"ddof must be smaller than sample_size ({sample_size}), got {ddof}; use 0 (MLE) or 1 (unbiased)")
    return ddof


def fit(data: np.ndarray, step=None, *, ddof: int = 0) -> Gaussian:
    """Fit a Gaussian to 1-D ``data`` (shape ``(n,)``, n >= 2) by its mean and variance.

    Args:
        data: shape ``(n,)``, finite, n >= 2.
        step: the engine's generation context (unused: a Gaussian fit needs only the data).
        ddof: keyword-only. ``0`` (default) is the maximum-likelihood fit (divides by n), ``1`` the
            unbiased one (n - 1). A number in the ``step`` position (the old ``fit(data, 1)``) is an
            error rather than a silent MLE fit.
    """
    if isinstance(step, numbers.Number):
        raise ValueError(f"fit(data, step, *, ddof=0): the second argument is the engine's step, got {step!r}; "
                         f"ddof is keyword-only: write fit(data, ddof={step!r})")
    x = check_finite_array("data", data, ndim=1)
    check_int("sample_size", len(x), minimum=2)
    ddof = _check_ddof(ddof, len(x))
    return Gaussian(float(x.mean()), float(x.std(ddof=ddof)))


def unbiased_fit(data: np.ndarray, step=None) -> Gaussian:
    """:func:`fit` with ``ddof=1``. ``step``: the engine's generation context (unused)."""
    return fit(data, ddof=1)


def sample(model: Gaussian, n: int, rng: "np.random.Generator | Step") -> np.ndarray:
    """``n`` samples (shape ``(n,)``) from ``model``; ``rng`` a numpy Generator, or the engine's Step."""
    n = check_int("n", n, minimum=0)
    return generator_of(rng).normal(model.mean, model.std, size=n)


@dataclass(frozen=True)
class Chains:
    """Many independent photocopier chains.

    Attributes:
        means: shape ``(generations + 1, n_chains)``, the fitted mean per generation; row 0 is mu0.
        log_variances: same shape, the natural log of the fitted variance (computed in log space,
            so it stays finite when the variance underflows).
        sample_size: M. ddof: the refit's ddof.
    """

    means: np.ndarray
    log_variances: np.ndarray
    sample_size: int
    ddof: int

    @property
    def variances(self) -> np.ndarray:
        """Shape ``(generations + 1, n_chains)``: the fitted variance per generation; row 0 is sigma0^2."""
        return np.exp(self.log_variances)

    @property
    def generations(self) -> int:
        return self.means.shape[0] - 1

    @property
    def n_chains(self) -> int:
        return self.means.shape[1]

    def mass_beyond(self, threshold: float) -> np.ndarray:
        """Shape ``(generations + 1, n_chains)``: each fitted Gaussian's two-sided tail mass
        P(|X| > threshold) (a collapsed chain, std 0, has mass 0 or 1)."""
        threshold = check_finite("threshold", threshold, minimum=0)
        std = np.sqrt(self.variances)
        with np.errstate(divide="ignore", invalid="ignore"):
            mass = special.ndtr((-threshold - self.means) / std) + special.ndtr((self.means - threshold) / std)
        return np.where(std > 0, mass, (np.abs(self.means) > threshold).astype(float))


def _check_chain_args(n_chains, generations, sample_size, ddof, mu0, sigma0):
    n_chains = check_int("n_chains", n_chains, minimum=1)
    generations = check_int("generations", generations, minimum=0)
    sample_size = check_int("sample_size", sample_size, minimum=2)
    ddof = _check_ddof(ddof, sample_size)
    mu0 = check_finite("mu0", mu0)
    sigma0 = check_positive("sigma0", sigma0)
    return n_chains, generations, sample_size, ddof, mu0, sigma0


def simulate_chains(
    n_chains: int,
    generations: int,
    sample_size: int,
    *,
    ddof: int = 0,
    mu0: float = 0.0,
    sigma0: float = 1.0,
    seed: int | None = None,
) -> Chains:
    """Run ``n_chains`` independent Gaussian photocopiers for ``generations`` generations at once.

    Each generation draws ``sample_size`` (M) points from the current fit and refits mean and
    variance (``ddof`` 0 = MLE, 1 = unbiased). Exact and fast: it draws the fitted mean and the
    scaled chi-square of the variance directly (see the module docstring).

    Returns:
        :class:`Chains` with ``.means`` and ``.variances`` of shape ``(generations + 1, n_chains)``.
    """
    n_chains, generations, sample_size, ddof, mu0, sigma0 = _check_chain_args(n_chains, generations, sample_size, ddof, mu0, sigma0)
    rng = np.random.default_rng(seed)
    log_var = np.empty((generations + 1, n_chains))
    log_var[0] = 2 * np.log(sigma0)
    chi2 = rng.chisquare(sample_size - 1, size=(generations, n_chains))
    np.cumsum(np.log(chi2) - np.log(sample_size - ddof), axis=0, out=log_var[1:])
    log_var[1:] += log_var[0]
    means = np.empty_like(log_var)
    means[0] = mu0
    steps = rng.standard_normal((generations, n_chains))
    steps *= np.exp(0.5 * log_var[:-1]) / np.sqrt(sample_size)
    np.cumsum(steps, axis=0, out=means[1:])
    means[1:] += mu0
    return Chains(means, log_var, sample_size, ddof)


def simulate_chains_by_sampling(
    n_chains: int,
    generations: int,
    sample_size: int,
    *,
    ddof: int = 0,
    mu0: float = 0.0,
    sigma0: float = 1.0,
    seed: int | None = None,
) -> Chains:
    """The same experiment as :func:`simulate_chains`, done literally: draw M points per chain,
    refit, repeat. Slower (M draws per chain per generation); the reference the fast path is tested
    against."""
    n_chains, generations, sample_size, ddof, mu0, sigma0 = _check_chain_args(n_chains, generations, sample_size, ddof, mu0, sigma0)
    rng = np.random.default_rng(seed)
    means = np.empty((generations + 1, n_chains))
    log_var = np.empty_like(means)
    means[0], log_var[0] = mu0, 2 * np.log(sigma0)
    for t in range(generations):
        x = rng.normal(means[t][:, None], np.exp(0.5 * log_var[t])[:, None], size=(n_chains, sample_size))
        means[t + 1] = x.mean(axis=1)
        log_var[t + 1] = np.log(x.var(axis=1, ddof=ddof))
    return Chains(means, log_var, sample_size, ddof)


def _check_generations(t) -> np.ndarray:
    """``t`` (any shape) as a float array of generations >= 0 (non-integer t interpolates; no NaN)."""
    t = np.asarray(t, dtype=float)
    bad = ~(t >= 0)  # also catches NaN
    if bad.any():
        raise ValueError(f"generations t must be >= 0, got {t[bad].flat[0]:g}; generation 0 is the truth")
    return t


def _theory_args(t, sample_size, ddof, sigma0):
    t = _check_generations(t)
    sample_size = check_int("sample_size", sample_size, minimum=2)
    return t, sample_size, _check_ddof(ddof, sample_size), check_positive("sigma0", sigma0)


def variance_ratio(sample_size: int, ddof: int) -> float:
    """(M - 1) / (M - ddof): the factor E[σ²ₜ₊₁ | σ²ₜ] / σ²ₜ of one generation (M >= 2, 0 <= ddof < M)."""
    sample_size = check_int("sample_size", sample_size, minimum=2)
    ddof = _check_ddof(ddof, sample_size)
    return (sample_size - 1) / (sample_size - ddof)


def expected_variance(t, sample_size: int, ddof: int, sigma0: float = 1.0) -> np.ndarray:
    """E[σ²ₜ] = σ₀² ((M−1)/(M−ddof))ᵗ. Shape of ``t``. Constant σ₀² for ddof=1 (a martingale)."""
    t, m, ddof, sigma0 = _theory_args(t, sample_size, ddof, sigma0)
    return sigma0**2 * variance_ratio(m, ddof) ** t


def expected_log_variance(t, sample_size: int, ddof: int, sigma0: float = 1.0) -> np.ndarray:
    """E[log σ²ₜ] = log σ₀² + t (ψ((M−1)/2) + log 2 − log(M−ddof)), exactly. Shape of ``t``.

    Always decreasing in ``t``: by Jensen, E log χ²_{M-1} < log(M - 1), so even the unbiased fit
    loses log-variance at a steady rate of about 1/(M-1) per generation."""
    t, m, ddof, sigma0 = _theory_args(t, sample_size, ddof, sigma0)
    drift = special.digamma((m - 1) / 2) + np.log(2) - np.log(m - ddof)
    return 2 * np.log(sigma0) + t * drift


def log_variance_std(t, sample_size: int) -> np.ndarray:
    """Standard deviation of log σ²ₜ across chains: √(t ψ'((M−1)/2)), the spread of a sum of t
    independent log-chi-square terms. Shape of ``t``."""
    t = _check_generations(t)
    sample_size = check_int("sample_size", sample_size, minimum=2)
    return np.sqrt(t * special.polygamma(1, (sample_size - 1) / 2))


def median_variance(t, sample_size: int, ddof: int, sigma0: float = 1.0) -> np.ndarray:
    """The median of σ²ₜ across chains, ≈ exp(E[log σ²ₜ]) (log σ²ₜ is a sum of t i.i.d. terms,
    so nearly normal, its median ≈ its mean). For ddof=1 this is ≈ σ₀² exp(−t/(M−1))."""
    return np.exp(expected_log_variance(t, sample_size, ddof, sigma0))


def expected_std(t, sample_size: int, ddof: int, sigma0: float = 1.0) -> np.ndarray:
    """E[σₜ] = αᵗ σ₀ with α = E√χ²_{M−1} / √(M−ddof) < 1. Shape of ``t``."""
    t, m, ddof, sigma0 = _theory_args(t, sample_size, ddof, sigma0)
    return sigma0 * std_factor(m, ddof) ** t


def std_factor(sample_size: int, ddof: int) -> float:
    """α = E√χ²_{M−1} / √(M−ddof) = √2 Γ(M/2) / (Γ((M−1)/2) √(M−ddof)): the per-generation factor of E[σ]."""
    m = check_int("sample_size", sample_size, minimum=2)
    ddof = _check_ddof(ddof, m)
    return float(np.sqrt(2) * np.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2)) / np.sqrt(m - ddof))


def expected_mean_drift(t, sample_size: int, ddof: int, sigma0: float = 1.0) -> np.ndarray:
    """E[(μₜ − μ₀)²] = σ₀²/M · Σₛ₌₀ᵗ⁻¹ rˢ with r = (M−1)/(M−ddof): the random walk of the mean.
    Equals t σ₀²/M for ddof=1. Shape of ``t``."""
    t, m, ddof, sigma0 = _theory_args(t, sample_size, ddof, sigma0)
    r = variance_ratio(m, ddof)
    steps = t if r == 1 else (1 - r**t) / (1 - r)
    return sigma0**2 / m * steps


def engine_chains(policy, n_chains: int, generations: int, sample_size: int, *, real_seed: int = 10_000) -> Chains:
    """``n_chains`` photocopier chains run one by one through the recursion engine
    (:func:`collapselab.recursion.run`) under a data ``policy`` (a name such as ``"replace"`` or a
    :mod:`~collapselab.policies` object), with the MLE refit (:func:`fit`).

    Chain i starts from ``sample_size`` real draws of N(0, 1) seeded ``real_seed + i`` and runs the
    engine with seed i; fresh real data, where the policy asks for it, is new draws from N(0, 1).
    Slower than :func:`simulate_chains` (a few milliseconds a chain) but any policy works, filters
    included. Returns the chains' fitted means and log-variances (``ddof = 0``)."""
    from . import recursion

    n_chains = check_int("n_chains", n_chains, minimum=1)
    generations = check_int("generations", generations, minimum=0)
    sample_size = check_int("sample_size", sample_size, minimum=2)
    means = np.empty((generations + 1, n_chains))
    log_variances = np.empty_like(means)
    for i in range(n_chains):
        real = np.random.default_rng(real_seed + i).normal(0.0, 1.0, size=sample_size)
        history = recursion.run(fit, sample, real, generations, policy,
                                fresh=lambda n, rng: rng.normal(0.0, 1.0, size=n), seed=i)
        means[:, i] = [m.mean for m in history.models]
        with np.errstate(divide="ignore"):
            log_variances[:, i] = np.log([m.variance for m in history.models])
    return Chains(means, log_variances, sample_size, 0)
