"""Solutions to the exercises of notebook 02 · Vanishing tails."""

import numpy as np
from scipy import stats


def exercise_1(p=0.002, M=500):
    """The chance that a token of probability p gets no draw among M: each draw misses it with
    probability 1 - p, independently."""
    return (1 - p) ** M  # 0.368


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
