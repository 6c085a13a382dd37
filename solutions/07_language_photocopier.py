"""Solutions to the exercises of notebook 07 · The language photocopier."""

import numpy as np


def exercise_1(before=1.80, after=2.10):
    """Perplexity is exp(loss in nats), so the ratio of two perplexities is exp of the difference
    of the losses: exp(2.10 - 1.80) = exp(0.3)."""
    return float(np.exp(after - before))  # 1.350: a 35 % rise in perplexity from a 17 % rise in loss


def exercise_2():
    """"the king the king the queen" has five word pairs: (the king), (king the), (the king),
    (king the), (the queen). Three of them are different: 3 / 5."""
    return 3 / 5


def exercise_3(share=1 / 24_000, words=24_000):
    """Each of the 24,000 words misses our word with probability 1 - share, independently: the word
    is gone with probability (1 - share)^words, about exp(-1)."""
    return (1 - share) ** words  # 0.368
