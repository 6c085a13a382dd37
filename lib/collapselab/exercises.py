"""Checkers for the notebooks' exercises.

Each ``check_...`` prints a verdict, ``correct: ...`` or ``not yet: ...`` with a hint, and returns
``True``/``False``. A stub answer of ``None`` gets a gentle ``not yet``.
"""

from __future__ import annotations

import numpy as np

from . import gaussian


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
