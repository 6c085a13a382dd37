"""Solutions to the exercises of notebook 03 · Breaking the curse."""

import numpy as np


def exercise_1(d=20, T=200, sigma=1.0):
    """The most error accumulate can ever reach (d = 20, T = 200): one fit costs σ² d / (T - d - 1),
    accumulating weighs the n-th fit's cost by 1/n², and Σ 1/n² = π²/6."""
    return sigma**2 * d / (T - d - 1) * np.pi**2 / 6  # 0.184


def exercise_2():
    """Keep every real sample (provenance 0) and the newest generation's samples (made by the model
    just fitted, provenance == step.generation); drop older synthetic samples."""

    def keep_real_and_newest(step, data, provenance):
        return (provenance == 0) | (provenance == step.generation)

    return keep_real_and_newest
