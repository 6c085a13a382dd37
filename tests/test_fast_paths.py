"""Every vectorised fast path agrees with the engine's literal loop: the same photocopier, one chain at
a time through ``recursion.run`` (fit -> sample -> refit), against thousands of chains at once.

The fast paths draw the same distributions by other routes (exact sampling distributions for the
Gaussian, conditional binomials for the categorical, EM over a batch of chains for the mixture), so
they are compared in distribution across chains, with a significance level fixed in advance
(p > 1e-3), and each comparison is shown to fail against a deliberately wrong fast path.
"""

import numpy as np
import pytest
from scipy import stats

from collapselab import categorical, gaussian, mixture, recursion

CHAINS = 400


def engine_chains(fit, sample, real_of_chain, generations, chains=CHAINS):
    """``chains`` literal runs of the engine, chain c seeded with c, each from its own real data."""
    return [recursion.run(fit, sample, real_of_chain(c), generations, seed=1000 + c) for c in range(chains)]


def agree(a, b) -> bool:
    return stats.ks_2samp(np.asarray(a), np.asarray(b)).pvalue > 1e-3


# --- the Gaussian photocopier ------------------------------------------------------------------

@pytest.mark.parametrize("ddof", [0, 1])
def test_gaussian_chains_agree_with_the_engine(ddof):
    M, T = 5, 10
    fit = gaussian.fit if ddof == 0 else gaussian.unbiased_fit
    runs = engine_chains(fit, gaussian.sample, lambda c: np.random.default_rng(c).normal(size=M), T)
    fast = gaussian.simulate_chains(4000, T, M, ddof=ddof, seed=1)
    for t in (1, T):
        # the fast path's row t is the fit to generation t - 1's samples: the engine's models[t - 1]
        engine_log_var = [np.log(r.models[t - 1].std ** 2) for r in runs]
        assert agree(engine_log_var, fast.log_variances[t])
    other = gaussian.simulate_chains(4000, T, M, ddof=1 - ddof, seed=1)
    assert not agree([np.log(r.models[T - 1].std ** 2) for r in runs], other.log_variances[T])


# --- the categorical photocopier ---------------------------------------------------------------

def test_categorical_chains_agree_with_the_engine():
    K, M, T = 10, 30, 12
    truth = categorical.zipf_probabilities(K)
    runs = engine_chains(lambda d, step: categorical.fit(d, K), categorical.sample,
                         lambda c: categorical.sample(truth, M, np.random.default_rng(c)), T)
    fast = categorical.simulate_chains(truth, T + 1, M, 4000, seed=1)
    # the engine's generation t is fitted to t + 1 rounds of M draws since the truth: fast row t + 1
    engine_alive = [int(np.sum(r.models[T] > 0)) for r in runs]
    assert agree(engine_alive, fast.surviving[T + 1])
    engine_top = [float(r.models[T][0]) for r in runs]
    assert agree(engine_top, fast.probs[T + 1, :, 0])
    # a fast path that drew twice as many per generation would keep visibly more categories
    wrong = categorical.simulate_chains(truth, T + 1, 2 * M, 4000, seed=1)
    assert not agree(engine_alive, wrong.surviving[T + 1])


# --- the mixture photocopier -------------------------------------------------------------------

TRUTH = mixture.Mixture(np.array([0.8, 0.2]), np.array([0.0, 4.0]), np.array([1.0, 0.7]))


def test_the_engine_runs_the_mixture_model():
    real = mixture.sample(TRUTH, 100, np.random.default_rng(0))
    history = recursion.run(mixture.fit, mixture.sample, real, 5, seed=0)
    assert history.train_sizes == [100] * 6 and all(len(m.weights) == 2 for m in history.models)
    assert history.provenance[3].tolist() == [3] * 100


@pytest.mark.slow  # 400 chains of EM fits, about 20 s
def test_mixture_chains_agree_with_the_engine():
    M, T = 60, 6
    runs = engine_chains(mixture.fit, mixture.sample, lambda c: mixture.sample(TRUTH, M, np.random.default_rng(c)), T)
    fast = mixture.simulate_chains(TRUTH, T, M, 4000, seed=1)
    engine_minor = [float(r.models[T].weights[1]) for r in runs]
    assert agree(engine_minor, fast[T].weights[:, 1])
    engine_gap = [float(np.diff(r.models[T].means)[0]) for r in runs]
    assert agree(engine_gap, np.diff(fast[T].means, axis=1)[:, 0])
    # three times as many generations give a visibly different small mode
    assert not agree(engine_minor, mixture.simulate_chains(TRUTH, 3 * T, M, 4000, seed=1)[3 * T].weights[:, 1])
