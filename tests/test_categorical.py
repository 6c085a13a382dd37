"""The categorical photocopier: categories die for good, and every chain ends at a single category."""

import numpy as np
import pytest

from collapselab import categorical, recursion


def test_zipf_probabilities_sum_to_one_and_fall_like_one_over_k():
    p = categorical.zipf_probabilities(10)
    assert p.sum() == pytest.approx(1.0)
    assert p[0] / p[9] == pytest.approx(10.0)


def test_fit_is_counts_over_the_sample_size():
    assert categorical.fit(np.array([0, 0, 2, 3]), 5).tolist() == [0.5, 0.0, 0.25, 0.25, 0.0]


def test_multinomial_counts_add_up_to_the_sample_size_and_have_the_right_mean():
    rng = np.random.default_rng(0)
    p = categorical.zipf_probabilities(6)
    counts = categorical.multinomial_counts(np.tile(p, (20_000, 1)), 50, rng)
    assert np.all(counts.sum(axis=1) == 50)
    assert np.allclose(counts.mean(axis=0), 50 * p, rtol=0.02)


def test_a_lost_category_never_returns():
    chains = categorical.simulate_chains(categorical.zipf_probabilities(30), 100, 100, 500, seed=0)
    alive = chains.alive
    assert not np.any(alive[1:] & ~alive[:-1])
    assert chains.surviving[-1].mean() < chains.surviving[0].mean()


def test_every_chain_ends_at_a_single_category():
    chains = categorical.simulate_chains(np.full(4, 0.25), 500, 10, 300, seed=0)
    assert np.all(chains.surviving[-1] == 1)


def test_a_delta_distribution_is_absorbing():
    chains = categorical.simulate_chains(np.array([0.0, 1.0, 0.0]), 20, 5, 10, seed=0)
    assert np.all(chains.probs[:, :, 1] == 1.0)


def test_one_generation_loses_a_category_with_probability_one_minus_p_to_the_m():
    p = np.array([0.5, 0.3, 0.1, 0.05, 0.03, 0.02])
    chains = categorical.simulate_chains(p, 1, 40, 40_000, seed=0)
    lost = (~chains.alive[1]).mean(axis=0)
    theory = categorical.loss_probability(p, 40)
    se = np.sqrt(theory * (1 - theory) / 40_000)
    assert np.all(np.abs(lost - theory) <= 4 * se + 1e-12)


def test_the_engine_runs_the_categorical_model_too():
    rng = np.random.default_rng(0)
    real = categorical.sample(categorical.zipf_probabilities(20), 200, rng)
    history = recursion.run(lambda d, step: categorical.fit(d, 20), categorical.sample, real, 30, seed=0)
    alive = np.array([m > 0 for m in history.models])
    assert not np.any(alive[1:] & ~alive[:-1])


def test_probabilities_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        categorical.simulate_chains(np.array([0.5, 0.6]), 5, 10, 2)


def test_labels_outside_the_vocabulary_are_rejected():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        categorical.fit(np.array([0, 3]), 3)


def test_loss_probability_rejects_p_outside_zero_one():
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\]"):
        categorical.loss_probability(1.5, 10)


def test_loss_probability_rejects_nan():
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], got nan"):
        categorical.loss_probability(np.array([0.5, np.nan]), 10)


def test_multinomial_counts_checks_its_probabilities_but_simulation_stays_exact():
    with pytest.raises(ValueError, match="probs must sum to 1"):
        categorical.multinomial_counts(np.array([[0.5, 0.5], [0.2, 0.2]]), 10, np.random.default_rng(0))
    assert categorical.multinomial_counts(np.array([0.0, 1.0]), 0, np.random.default_rng(0)).tolist() == [0, 0]
