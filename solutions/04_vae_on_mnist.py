"""Solutions to the exercises of notebook 04 · A VAE on MNIST."""

import numpy as np


def exercise_1():
    """KL(h || uniform) of a generator that draws only 0s and 1s, half each: log 10 - entropy(h),
    and the entropy of (1/2, 1/2) is log 2."""
    return np.log(10) - np.log(2)  # 1.609 nats


def exercise_2():
    """Perfect copies of five reference digits: every copy sits where real digits sit (density
    near or above real's), but five images are near almost none of the real digits (coverage low): (a)."""
    return "a"


def exercise_3():
    """FD between N(0, 1) and N(1, 2²): in one dimension (μ₁ - μ₂)² + σ₁² + σ₂² - 2σ₁σ₂
    = (μ₁ - μ₂)² + (σ₁ - σ₂)²."""
    return (0 - 1) ** 2 + (1 - 2) ** 2
