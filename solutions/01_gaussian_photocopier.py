"""Solutions to the exercises of notebook 01 · The Gaussian photocopier."""

import numpy as np
from scipy import special


def exercise_1(sample_size=200, seed=3):
    """Predict, run, explain: the first generation at which the median variance of the unbiased
    photocopier with M = 200 falls below 0.5, from 10,000 simulated chains.

    Returns (prediction, measured). The prediction scales section 5's clock: the median falls by
    about 1/(M - 1) per generation on the log scale, so it halves after about ln 2 · (M - 1) ≈ 138
    generations, ten times M = 20's 13."""
    from collapselab import gaussian

    prediction = np.log(2) * (sample_size - 1)
    chains = gaussian.simulate_chains(10_000, 400, sample_size, ddof=1, seed=seed)
    median = np.median(chains.variances, axis=1)
    measured = int(np.argmax(median < 0.5))
    return prediction, measured


def exercise_2(M=20):
    """Generations until the *median* variance of the MLE refit halves, at M = 20.

    The median follows exp(E[log σ²ₜ]), and each MLE generation adds
    E[log χ²_{M-1}] - log M = ψ((M-1)/2) + log 2 - log M to E[log σ²ₜ] (about -2/M: the MLE's
    bias and Jensen's gap add up). Solve t · drift = log(1/2)."""
    drift = special.digamma((M - 1) / 2) + np.log(2) - np.log(M)
    return np.log(2) / -drift  # about 6.6; the *mean* would take 13.5 generations


def exercise_3(generations=100, keep=0.9):
    """The smallest M whose MLE median variance after 100 generations is at least 90 %.

    Median ≈ exp(generations · drift(M)) with drift(M) = ψ((M-1)/2) + log 2 - log M ≈ -2/M; search M."""
    M = 2
    while generations * (special.digamma((M - 1) / 2) + np.log(2) - np.log(M)) < np.log(keep):
        M += 1
    return M  # about 1900: twice the 950 that reasoning from the mean gives


def exercise_4():
    """E[σₜ] of the unbiased photocopier with σ₀ = 1, as a function of t and M.

    One generation multiplies σ by √(χ²_{M-1} / (M - 1)), independently of the past, so
    E[σₜ] = αᵗ with α = E√χ²_{M-1} / √(M - 1), and E√χ²_k = √2 Γ((k + 1)/2) / Γ(k/2).
    α < 1 although E[σ²ₜ] = 1 for ever: the square root is concave (Jensen)."""

    def expected_std(t, M):
        alpha = np.sqrt(2) * np.exp(special.gammaln(M / 2) - special.gammaln((M - 1) / 2)) / np.sqrt(M - 1)
        return alpha**t

    return expected_std
