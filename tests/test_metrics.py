"""Toy metrics: zero to themselves, symmetric where they should be, and known closed-form values."""

import numpy as np
import pytest

from collapselab import metrics


def test_entropy_of_uniform_is_log_k_and_of_a_delta_is_zero():
    assert metrics.entropy(np.full(8, 1 / 8)) == pytest.approx(np.log(8))
    assert metrics.entropy(np.array([0.0, 1.0, 0.0])) == 0.0


def test_entropy_works_along_the_last_axis():
    probs = np.array([[0.5, 0.5], [1.0, 0.0]])
    assert metrics.entropy(probs) == pytest.approx([np.log(2), 0.0])


def test_surviving_categories_counts_nonzero_probabilities():
    assert metrics.surviving_categories(np.array([0.2, 0.0, 0.8])) == 2


def test_kl_is_zero_from_a_distribution_to_itself():
    p = np.array([0.1, 0.2, 0.7])
    assert metrics.kl_divergence(p, p) == pytest.approx(0.0)


def test_kl_matches_the_bernoulli_closed_form_and_is_not_symmetric():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert metrics.kl_divergence(p, q) == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1))
    assert metrics.kl_divergence(p, q) != pytest.approx(metrics.kl_divergence(q, p))


def test_kl_is_infinite_when_a_generation_lost_a_category_the_original_has():
    assert metrics.kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == np.inf
    assert np.isfinite(metrics.kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])))


def test_wasserstein_is_zero_to_itself_and_symmetric():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=300), rng.normal(1.0, 2.0, size=500)
    assert metrics.wasserstein_1d(a, a) == 0.0
    assert metrics.wasserstein_1d(a, b) == pytest.approx(metrics.wasserstein_1d(b, a))


def test_wasserstein_of_a_shift_is_the_shift():
    a = np.random.default_rng(0).normal(size=1000)
    assert metrics.wasserstein_1d(a, a + 2.5) == pytest.approx(2.5)


def test_wasserstein_between_point_masses_is_their_distance():
    assert metrics.wasserstein_1d(np.zeros(3), np.full(5, 4.0)) == pytest.approx(4.0)


def test_tail_mass_counts_the_fraction_beyond_the_threshold():
    x = np.array([-3.0, -1.0, 0.0, 1.0, 2.5])
    assert metrics.tail_mass(x, 2.0) == pytest.approx(0.4)
    assert metrics.tail_mass(x, 2.0, two_sided=False) == pytest.approx(0.2)


def test_metrics_reject_non_finite_samples():
    with pytest.raises(ValueError, match="non-finite"):
        metrics.wasserstein_1d(np.array([0.0, np.inf]), np.zeros(2))


def test_kl_compares_one_distribution_with_a_batch_of_generations():
    p = np.array([0.5, 0.5])
    q = np.array([[0.5, 0.5], [0.9, 0.1]])
    assert metrics.kl_divergence(p, q) == pytest.approx([0.0, metrics.kl_divergence(p, q[1])])


def test_tail_mass_one_sided_accepts_a_negative_threshold():
    assert metrics.tail_mass(np.array([-2.0, -0.5, 1.0]), -1.0, two_sided=False) == pytest.approx(2 / 3)
