"""Checkers for the notebooks' exercises.

Each ``check_...`` prints a verdict, ``correct: ...`` or ``not yet: ...`` with a hint, and returns
``True``/``False``. A stub answer of ``None`` gets a gentle ``not yet``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from . import categorical, gaussian, regression


def _verdict(ok: bool, good: str, hint: str) -> bool:
    print(("correct: " + good) if ok else ("not yet: " + hint))
    return ok


def _missing(answer) -> bool:
    if answer is None:
        print("not yet: replace the None in the cell above with your answer, then run this cell again")
        return True
    return False


# --- notebook 01 -------------------------------------------------------------------------------

def check_expected_variance(fn) -> bool:
    """Exercise 01.1: ``fn(t, M)`` should return E[σ²ₜ] of the MLE photocopier with σ₀ = 1."""
    if fn is None or fn(1, 10) is None:
        _missing(None)
        return False
    cases = [(0, 10), (1, 10), (5, 10), (20, 3), (100, 100)]
    wrong = [(t, m) for t, m in cases if not np.isclose(fn(t, m), gaussian.expected_variance(t, m, 0))]
    return _verdict(
        not wrong,
        "each generation multiplies the expected variance by (M - 1) / M, so E[σ²ₜ] = ((M - 1) / M)^t",
        f"for (t, M) = {wrong[0] if wrong else ''} your value differs. Hint: what does one MLE refit do "
        "to the expected variance, and what happens when you repeat it t times?",
    )


def check_half_life(answer, sample_size: int = 50) -> bool:
    """Exercise 01.2: generations until the *median* variance of an unbiased refit halves."""
    if _missing(answer):
        return False
    drift = -float(gaussian.expected_log_variance(1, sample_size, 1))  # log-variance lost per generation
    exact = np.log(2) / drift
    return _verdict(
        abs(float(answer) - exact) <= 0.1 * exact,
        f"about {exact:.0f} generations (ln 2 / {drift:.4f}); the rule of thumb (M - 1) ln 2 = "
        f"{(sample_size - 1) * np.log(2):.0f} is close",
        "the median follows exp(E[log σ²ₜ]) ≈ exp(-t / (M - 1)); solve exp(-t / (M - 1)) = 1/2 for t",
    )


def check_samples_needed(answer, generations: int = 100, keep: float = 0.9) -> bool:
    """Exercise 01.3: the smallest M whose median variance after ``generations`` stays >= ``keep``."""
    if _missing(answer):
        return False
    m = 2
    while gaussian.median_variance(generations, m, 1) < keep:
        m += 1
    ok = abs(int(answer) - m) <= max(2, 0.05 * m)
    return _verdict(
        ok,
        f"M ≈ {m}: to lose only {1 - keep:.0%} of the variance in {generations} generations, each generation "
        "needs hundreds of samples; collapse is slow only when samples are plentiful",
        f"solve exp(-{generations} / (M - 1)) >= {keep} for M (or search M with gaussian.median_variance)",
    )


# --- notebook 02 -------------------------------------------------------------------------------

def check_vanish_probability(answer, p: float = 0.002, sample_size: int = 500) -> bool:
    """Exercise 02.1: the chance that a token of probability ``p`` vanishes in one generation."""
    if _missing(answer):
        return False
    exact = float(categorical.loss_probability(p, sample_size))
    return _verdict(
        abs(float(answer) - exact) < 0.005,
        f"(1 - {p})^{sample_size} = {exact:.3f}: roughly one rare token in {1 / exact:.1f} is gone after a single copy",
        "the token vanishes when none of the M draws picks it; each draw misses it with probability 1 - p",
    )


def check_fixation_probability(answer, probs=(0.5, 0.3, 0.2), category: int = 2) -> bool:
    """Exercise 02.2: the chance that ``category`` ends as the sole survivor."""
    if _missing(answer):
        return False
    exact = float(probs[category])
    return _verdict(
        abs(float(answer) - exact) < 0.01,
        f"{exact}: each probability is a martingale (its expected next value is its current value), "
        "so the chance a category takes over equals its starting probability",
        "what is the expected value of a category's probability after one refit by counts? "
        "What does that say about where it ends (at 0 or at 1)?",
    )


def check_gaussian_tail(answer, df: int = 3, level: float = 0.99) -> bool:
    """Exercise 02.3: the mass a Gaussian fit to Student-t(df) data puts beyond the t's two-sided
    ``level`` quantile."""
    if _missing(answer):
        return False
    q = stats.t.ppf(0.5 + level / 2, df)
    sigma = np.sqrt(df / (df - 2))
    exact = float(2 * stats.norm.sf(q / sigma))
    return _verdict(
        abs(float(answer) - exact) < 0.1 * exact,
        f"{exact:.2e} instead of {1 - level:.0%}: a Gaussian with the right variance still "
        f"puts {(1 - level) / exact:.0f}x too little mass in the tails",
        f"fit N(0, σ²) with σ² = df / (df - 2); the threshold is the t's {0.5 + level / 2} quantile "
        "(scipy.stats.t.ppf); the answer is 2 P(Z > q / σ)",
    )


# --- notebook 03 -------------------------------------------------------------------------------

def check_accumulate_ceiling(answer, dim: int = 10, samples: int = 500, noise_std: float = 1.0) -> bool:
    """Exercise 03.1: the ceiling of the accumulate test error over infinitely many generations."""
    if _missing(answer):
        return False
    exact = regression.accumulate_error_limit(dim, samples, noise_std)
    return _verdict(
        abs(float(answer) - exact) < 0.01 * exact,
        f"σ² d / (T - d - 1) · π²/6 = {exact:.4f}: at most 1.64x the error of the very first model, forever",
        "one fit costs σ² d / (T - d - 1); accumulating adds the costs with weights 1/i²; Σ 1/i² = π²/6",
    )


def check_provenance_filter(keep) -> bool:
    """Exercise 03.2: ``keep(model, data, provenance)`` should keep exactly the real samples."""
    if keep is None:
        _missing(None)
        return False
    provenance = np.array([0, 3, 0, 1, 2, 0])
    mask = keep(None, np.zeros(6), provenance)
    if mask is None:
        _missing(None)
        return False
    mask = np.asarray(mask, dtype=bool)
    ok = mask.shape == provenance.shape and np.array_equal(mask, provenance == 0)
    return _verdict(
        ok,
        "provenance 0 marks real data; keeping only it makes every generation train on real samples",
        "return one boolean per sample: True where the sample is real (provenance == 0)",
    )


# --- notebook 04 -------------------------------------------------------------------------------

def check_kl_uniform(answer) -> bool:
    """Exercise 04.1: KL to uniform of a generator that makes only 0s and 1s, half each."""
    if _missing(answer):
        return False
    exact = float(np.log(10) - np.log(2))
    return _verdict(
        abs(float(answer) - exact) < 0.01,
        f"log 10 - log 2 = {exact:.3f} nats: the histogram's entropy is log 2, uniform's is log 10",
        "KL(h || uniform) = Σ h_c log(h_c / 0.1) = log 10 - entropy(h); what is the entropy of (1/2, 1/2)?",
    )


def check_precision_recall_story(answer) -> bool:
    """Exercise 04.2: which generator has high precision and low recall?"""
    if _missing(answer):
        return False
    ok = str(answer).strip().lower() == "b"
    return _verdict(
        ok,
        "(b): perfect copies of a few training digits are all realistic (high precision) but cover "
        "almost none of the variety of real digits (low recall): the signature of collapse",
        "precision asks 'is each generated image realistic?', recall asks 'is each kind of real image "
        "still generated?' Which generator is realistic but narrow?",
    )


def check_frechet_1d(answer) -> bool:
    """Exercise 04.3: Fréchet distance between N(0, 1) and N(1, 2²)."""
    if _missing(answer):
        return False
    return _verdict(
        abs(float(answer) - 2.0) < 1e-6,
        "(0 - 1)² + (1 - 2)² = 2: in one dimension FD = (μ₁ - μ₂)² + (σ₁ - σ₂)²",
        "in one dimension the trace formula becomes (μ₁ - μ₂)² + σ₁² + σ₂² - 2 σ₁ σ₂",
    )


# --- notebook 05 -------------------------------------------------------------------------------

def check_rising_metric(answer) -> bool:
    """Exercise 05.1: the metric that *improves* while the photocopier collapses."""
    if _missing(answer):
        return False
    return _verdict(
        str(answer).strip().lower() == "precision",
        "precision: the samples crowd into the densest, most typical part of the real data, so each "
        "one looks realistic while the set loses its variety (recall falls). Precision alone would hide collapse",
        "look for the metric that goes *up* in the curves above, and ask what it rewards",
    )


def check_shrink_factor(answer, latent_spread) -> bool:
    """Exercise 05.2: the average per-generation factor of the latent spread."""
    if _missing(answer):
        return False
    spread = np.asarray(latent_spread, dtype=float)
    exact = float((spread[-1] / spread[0]) ** (1 / (len(spread) - 1)))
    return _verdict(
        abs(float(answer) - exact) < 0.01,
        f"{exact:.3f} per generation: a geometric decay, like the variance of notebook 01",
        "if the spread shrinks by the same factor r every generation, spread[G] = spread[0] * r**G; solve for r",
    )


# --- notebook 06 -------------------------------------------------------------------------------

def check_real_share(answer, generation: int = 4) -> bool:
    """Exercise 06.1: the real share of generation ``generation``'s training set under accumulate."""
    if _missing(answer):
        return False
    exact = 1 / (generation + 1)
    return _verdict(
        abs(float(answer) - exact) < 1e-3,
        f"1/{generation + 1} = {exact:.2f}: each generation adds as many synthetic images as there were real "
        "ones, so real data is diluted as 1/(g + 1), yet it never leaves the set, and that is what protects it",
        "generation g trains on the real images plus g batches of synthetic images of the same size",
    )


def check_policy_choice(answer) -> bool:
    """Exercise 06.2: no fresh data, no provenance: which policy?"""
    if _missing(answer):
        return False
    return _verdict(
        str(answer).strip().lower() == "accumulate",
        "accumulate: it needs neither fresh data nor labels of origin, only the discipline never to "
        "throw away the original human data (Gerstgrasser et al. 2024)",
        "mixing needs fresh human data and filtering on provenance needs labels of origin; which policy needs neither?",
    )
