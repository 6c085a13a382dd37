"""The Gaussian photocopier: fits, the fast chain simulator, and the closed forms of COURSE.md."""

import numpy as np
import pytest
from scipy import stats

from collapselab import gaussian


def test_fit_uses_the_requested_ddof():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert gaussian.fit(x).variance == pytest.approx(1.25)
    assert gaussian.fit(x, ddof=1).variance == pytest.approx(5 / 3)


def test_sample_draws_from_the_model():
    x = gaussian.sample(gaussian.Gaussian(3.0, 2.0), 200_000, np.random.default_rng(0))
    assert x.mean() == pytest.approx(3.0, abs=0.02) and x.std() == pytest.approx(2.0, abs=0.02)


def test_pdf_integrates_to_one():
    grid = np.linspace(-10, 10, 20001)
    assert np.trapezoid(gaussian.Gaussian(1.0, 1.5).pdf(grid), grid) == pytest.approx(1.0, abs=1e-6)


def test_chains_have_one_row_per_generation_and_start_at_the_truth():
    chains = gaussian.simulate_chains(7, 5, 10, mu0=2.0, sigma0=3.0, seed=0)
    assert chains.means.shape == chains.variances.shape == (6, 7)
    assert np.all(chains.means[0] == 2.0) and np.allclose(chains.variances[0], 9.0)


def test_same_seed_same_chains():
    a = gaussian.simulate_chains(100, 20, 10, seed=3)
    b = gaussian.simulate_chains(100, 20, 10, seed=3)
    assert np.array_equal(a.means, b.means) and np.array_equal(a.log_variances, b.log_variances)


@pytest.mark.parametrize("ddof", [0, 1])
def test_fast_chains_agree_in_distribution_with_literal_sampling_and_refitting(ddof):
    # Small M makes every per-generation factor matter: a chi-square with the wrong degrees of
    # freedom, a wrong divisor or a missing mean step would move these distributions apart.
    fast = gaussian.simulate_chains(4000, 15, 5, ddof=ddof, seed=1)
    slow = gaussian.simulate_chains_by_sampling(4000, 15, 5, ddof=ddof, seed=2)
    for t in (1, 5, 15):
        assert stats.ks_2samp(fast.log_variances[t], slow.log_variances[t]).pvalue > 1e-3
        assert stats.ks_2samp(fast.means[t], slow.means[t]).pvalue > 1e-3


def test_the_agreement_check_detects_a_wrong_fast_path():
    # the same comparison fails against chains refit with a different divisor (ddof 1 vs 0)
    wrong = gaussian.simulate_chains(4000, 15, 5, ddof=1, seed=1)
    slow = gaussian.simulate_chains_by_sampling(4000, 15, 5, ddof=0, seed=2)
    assert stats.ks_2samp(wrong.log_variances[15], slow.log_variances[15]).pvalue < 1e-6


def test_log_variance_mean_and_spread_match_theory():
    t = np.array([1, 10, 100])
    chains = gaussian.simulate_chains(20_000, 100, 20, ddof=1, seed=0)
    sim = chains.log_variances[t]
    se = sim.std(axis=1) / np.sqrt(chains.n_chains)
    assert np.all(np.abs(sim.mean(axis=1) - gaussian.expected_log_variance(t, 20, 1)) < 4 * se)
    assert np.allclose(sim.std(axis=1), gaussian.log_variance_std(t, 20), rtol=0.03)


def test_mle_variance_shrinks_by_m_minus_one_over_m_on_average():
    chains = gaussian.simulate_chains(200_000, 5, 10, ddof=0, seed=0)
    t = np.arange(6)
    assert np.allclose(chains.variances.mean(axis=1), gaussian.expected_variance(t, 10, 0), rtol=0.01)
    assert gaussian.expected_variance(5, 10, 0) == pytest.approx(0.9**5)


def test_unbiased_variance_is_a_martingale_but_its_median_falls():
    chains = gaussian.simulate_chains(200_000, 5, 10, ddof=1, seed=0)
    assert np.allclose(chains.variances.mean(axis=1), 1.0, rtol=0.01)
    median = np.median(chains.variances, axis=1)
    assert np.all(np.diff(median) < 0)


def test_median_variance_follows_the_mean_log_variance_once_log_variance_is_near_normal():
    # log σ²ₜ is a sum of t i.i.d. terms: its median sits within a small part of its spread of its mean
    chains = gaussian.simulate_chains(20_000, 100, 20, ddof=1, seed=0)
    gap = np.log(np.median(chains.variances[100])) - np.log(gaussian.median_variance(100, 20, 1))
    assert abs(gap) < 0.05 * gaussian.log_variance_std(100, 20)


def test_unbiased_variance_goes_to_zero_almost_surely():
    chains = gaussian.simulate_chains(2000, 2000, 10, ddof=1, seed=0)
    assert np.mean(chains.variances[-1] < 1e-6) > 0.99


def test_median_variance_is_close_to_exp_minus_t_over_m_minus_one():
    t, m = np.array([10, 100, 1000]), 100
    assert np.allclose(np.log(gaussian.median_variance(t, m, 1)), -t / (m - 1), rtol=0.02)


def test_expected_std_is_alpha_to_the_t():
    chains = gaussian.simulate_chains(200_000, 10, 5, ddof=1, seed=0)
    assert np.sqrt(chains.variances[10]).mean() == pytest.approx(gaussian.expected_std(10, 5, 1), rel=0.01)
    assert gaussian.std_factor(5, 1) == pytest.approx(stats.chi(4).mean() / 2)


@pytest.mark.parametrize("ddof", [0, 1])
def test_the_mean_does_a_random_walk_with_the_predicted_spread(ddof):
    chains = gaussian.simulate_chains(200_000, 20, 10, ddof=ddof, seed=0)
    t = np.arange(21)
    drift = ((chains.means - chains.means[0]) ** 2).mean(axis=1)
    assert np.allclose(drift[1:], gaussian.expected_mean_drift(t, 10, ddof)[1:], rtol=0.02)
    if ddof == 1:
        assert np.allclose(gaussian.expected_mean_drift(t, 10, 1), t / 10)


def test_ten_thousand_chains_of_a_thousand_generations_fit_in_memory_and_stay_finite():
    chains = gaussian.simulate_chains(10_000, 1000, 100, seed=0)
    assert chains.means.shape == (1001, 10_000) and np.isfinite(chains.log_variances).all()


@pytest.mark.parametrize("bad", [1, 0, -3])
def test_sample_size_below_two_is_rejected(bad):
    with pytest.raises(ValueError, match=f"sample_size must be >= 2, got {bad}"):
        gaussian.simulate_chains(10, 5, bad)


def test_negative_generations_are_rejected():
    with pytest.raises(ValueError, match="generations must be >= 0, got -1"):
        gaussian.simulate_chains(10, -1, 10)


def test_fit_rejects_non_finite_data():
    with pytest.raises(ValueError, match="non-finite"):
        gaussian.fit(np.array([1.0, np.nan, 2.0]))


def test_fit_rejects_a_single_point():
    with pytest.raises(ValueError, match="sample_size must be >= 2, got 1"):
        gaussian.fit(np.array([1.0]))


def test_ddof_must_be_smaller_than_the_sample_size():
    with pytest.raises(ValueError, match="ddof must be smaller than sample_size"):
        gaussian.expected_variance(3, 2, 2)


def test_theory_rejects_negative_generations():
    with pytest.raises(ValueError, match="generations t must be >= 0"):
        gaussian.expected_variance(-1, 10, 0)


def test_mass_beyond_is_the_two_sided_tail_probability():
    assert gaussian.Gaussian(0.0, 1.0).mass_beyond(1.96) == pytest.approx(0.05, abs=1e-4)
    assert gaussian.Gaussian(5.0, 0.0).mass_beyond(2.0) == 1.0


def test_fit_takes_the_engines_step_and_a_keyword_only_ddof():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert gaussian.fit(x, None, ddof=1) == gaussian.unbiased_fit(x, None) == gaussian.fit(x, ddof=1)
    assert gaussian.fit(x, object()) == gaussian.fit(x)  # any step object is ignored


def test_a_collapsed_gaussian_with_std_zero_is_allowed():
    delta = gaussian.Gaussian(2.0, 0.0)
    assert delta.variance == 0.0 and delta.mass_beyond(0.0) == 1.0 and delta.mass_beyond(3.0) == 0.0
    assert np.all(gaussian.sample(delta, 5, np.random.default_rng(0)) == 2.0)


def test_gaussian_parameters_are_stored_as_plain_floats():
    g = gaussian.Gaussian(np.float32(1), 2)
    assert type(g.mean) is float and type(g.std) is float and g == gaussian.Gaussian(1.0, 2.0)


@pytest.mark.parametrize("t", [-1, np.nan, [0, 1, -2]])
def test_every_closed_form_rejects_bad_generations(t):
    for fn in (gaussian.expected_variance, gaussian.expected_log_variance, gaussian.median_variance,
               gaussian.expected_std, gaussian.expected_mean_drift):
        with pytest.raises(ValueError, match="generations t must be >= 0"):
            fn(t, 10, 1)
    with pytest.raises(ValueError, match="generations t must be >= 0"):
        gaussian.log_variance_std(t, 10)


def test_engine_chains_are_the_engine_run_once_per_chain():
    from collapselab import recursion

    chains = gaussian.engine_chains("replace", n_chains=3, generations=4, sample_size=10)
    real = np.random.default_rng(10_000 + 2).normal(size=10)
    history = recursion.run(gaussian.fit, gaussian.sample, real, 4, "replace", seed=2)
    assert chains.variances.shape == (5, 3) and chains.ddof == 0
    assert np.allclose(chains.variances[:, 2], [m.variance for m in history.models])
    assert np.allclose(chains.means[:, 2], [m.mean for m in history.models])


def test_chains_tail_mass_agrees_with_each_fitted_gaussian():
    chains = gaussian.simulate_chains(5, 3, 10, ddof=1, seed=0)
    mass = chains.mass_beyond(1.5)
    for g in range(4):
        for c in range(5):
            model = gaussian.Gaussian(chains.means[g, c], float(np.sqrt(chains.variances[g, c])))
            assert mass[g, c] == pytest.approx(model.mass_beyond(1.5))
