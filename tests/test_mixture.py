"""Gaussian mixtures refit by EM: it recovers a mixture, and the batched fit equals one-by-one fits."""

import numpy as np
import pytest

from collapselab import mixture

TRUTH = mixture.Mixture(np.array([0.9, 0.1]), np.array([0.0, 4.0]), np.array([1.0, 0.5]))


def test_em_recovers_a_two_mode_mixture_from_a_large_sample():
    x = mixture.sample(TRUTH, 20_000, np.random.default_rng(0))
    fit = mixture.fit_em(x)
    assert np.allclose(fit.weights, TRUTH.weights, atol=0.01)
    assert np.allclose(fit.means, TRUTH.means, atol=0.05)
    assert np.allclose(fit.stds, TRUTH.stds, atol=0.05)


def test_batched_em_equals_fitting_each_chain_alone():
    x = np.random.default_rng(1).normal(size=(5, 100))
    batch = mixture.fit_em(x, tolerance=0.0, iterations=50)
    for row in range(5):
        alone = mixture.fit_em(x[row], tolerance=0.0, iterations=50)
        assert np.allclose(batch[row].means, alone.means) and np.allclose(batch[row].weights, alone.weights)


def test_mass_above_matches_sampling():
    x = mixture.sample(TRUTH, 200_000, np.random.default_rng(0))
    assert TRUTH.mass_above(2.5) == pytest.approx(np.mean(x > 2.5), abs=0.003)


def test_pdf_integrates_to_one():
    grid = np.linspace(-10, 10, 20001)
    assert np.trapezoid(TRUTH.pdf(grid), grid) == pytest.approx(1.0, abs=1e-6)


def test_sample_has_one_row_per_chain():
    batch = mixture.Mixture(*(np.tile(a, (7, 1)) for a in (TRUTH.weights, TRUTH.means, TRUTH.stds)))
    assert mixture.sample(batch, 30, np.random.default_rng(0)).shape == (7, 30)


def test_simulate_chains_returns_one_mixture_per_generation():
    history = mixture.simulate_chains(TRUTH, 3, 50, 4, seed=0)
    assert len(history) == 4 and history[0].weights.shape == (4, 2)


def test_em_needs_enough_points_per_component():
    with pytest.raises(ValueError, match="needs at least 4 points"):
        mixture.fit_em(np.array([0.0, 1.0, 2.0]), 2)


def test_mismatched_parameter_shapes_are_rejected():
    with pytest.raises(ValueError, match="need one shape"):
        mixture.Mixture(np.array([1.0]), np.array([0.0, 1.0]), np.array([1.0]))


def test_parameters_may_be_lists_and_are_stored_as_float_arrays():
    m = mixture.Mixture(weights=[0.5, 0.5], means=[0, 1], stds=[1, 1])
    assert all(isinstance(a, np.ndarray) and a.dtype == float for a in (m.weights, m.means, m.stds))


def test_indexing_a_batch_gives_each_chains_mixture():
    history = mixture.simulate_chains(TRUTH, 2, 50, 5, seed=0)
    one = history[-1][3]
    assert one.weights.shape == (2,) and one.pdf(np.zeros(4)).shape == (4,)


def test_simulate_chains_fits_the_truths_k_by_default_or_the_k_given():
    assert mixture.simulate_chains(TRUTH, 1, 50, 3, seed=0)[-1].weights.shape == (3, 2)
    assert mixture.simulate_chains(TRUTH, 1, 50, 3, k=1, seed=0)[-1].weights.shape == (3, 1)


def test_a_batch_with_one_bad_chain_is_rejected():
    weights = np.tile(TRUTH.weights, (4, 1))
    weights[2] = [0.2, 0.2]
    with pytest.raises(ValueError, match="weights must sum to 1 along the last axis, got a sum of 0.4"):
        mixture.Mixture(weights, np.tile(TRUTH.means, (4, 1)), np.tile(TRUTH.stds, (4, 1)))


def test_em_output_on_many_collapsing_chains_passes_the_checks():
    # nearly identical points squeeze components onto min_std and weights towards 0: still a valid Mixture
    x = np.random.default_rng(0).normal(scale=1e-9, size=(2000, 20))
    fit = mixture.fit_em(x, 3)
    assert np.all(fit.stds >= 1e-3) and np.allclose(fit.weights.sum(axis=1), 1.0)
