"""Solutions to the exercises of notebook 02 · Vanishing tails."""

import numpy as np
from scipy import stats


def exercise_1(p=0.0025, M=200, generations=25):
    """Predict, run, explain: the share of chains in which a token of probability p = 0.0025 survives
    25 generations of M = 200 draws, refit by counts. Returns (prediction, measured).

    The naive prediction, a fresh (1 - p)^M risk every generation, gives (1 - 0.61)^25 ≈ 1e-10. But
    a survivor was drawn, so its expected probability given survival is p / (1 - (1 - p)^M) > p;
    and the expected probability over all chains stays at p (a martingale), so survival is about
    p / (the mean probability of a survivor). A simulation says about 4 %."""
    from collapselab import categorical

    run = categorical.simulate_chains(np.array([p, 1 - p]), generations=generations, sample_size=M,
                                      n_chains=10_000, seed=7)
    measured = float(run.alive[-1, :, 0].mean())
    return 0.04, measured


def exercise_2(p=0.001, risk=0.01):
    """Draws per generation so that a token of probability p vanishes with probability below 1 %:
    (1 - p)^M < risk  <=>  M > log(risk) / log(1 - p)."""
    return int(np.ceil(np.log(risk) / np.log(1 - p)))  # 4603, not 1/p = 1000


def exercise_3(df=5, level=0.999):
    """Mass a Gaussian with a Student-t(5)'s exact variance puts beyond the t's two-sided 99.9 %
    quantile (where the t itself has 0.1 %)."""
    q = stats.t.ppf(0.5 + level / 2, df)      # the t's threshold
    sigma = np.sqrt(df / (df - 2))            # the fitted Gaussian's standard deviation
    return 2 * stats.norm.sf(q / sigma)       # about 1.0e-7
