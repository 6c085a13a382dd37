"""The linear-Gaussian photocopier (PPCA): its closed-form fit, and the one-time drop versus the
compounding clock that notebook 05 contrasts with the VAE."""

import numpy as np
import pytest

from collapselab import ppca, recursion

D, Q = 12, 3


def truth(noise_variance=0.25):
    loadings = np.zeros((D, Q))
    loadings[[0, 1, 2], [0, 1, 2]] = np.sqrt([6.0, 4.0, 2.0])
    return ppca.PPCA(np.arange(D, dtype=float), loadings, noise_variance)


def real(n=2_000, seed=0):
    return ppca.sample(truth(), n, np.random.default_rng(seed))


def test_the_fit_recovers_the_model_that_made_the_data():
    model = ppca.fit(ppca.sample(truth(), 200_000, np.random.default_rng(1)), components=Q)
    assert model.noise_variance == pytest.approx(0.25, rel=0.02)
    assert model.total_variance == pytest.approx(truth().total_variance, rel=0.01)
    assert np.allclose(model.covariance(), truth().covariance(), atol=0.05)


def test_the_fit_keeps_exactly_the_datas_total_variance():
    data = real()
    assert ppca.fit(data, components=Q).total_variance == pytest.approx(np.trace(np.cov(data, rowvar=False, ddof=0)))


def test_decoder_means_lose_the_noise_once_and_then_are_a_fixed_point():
    g0 = ppca.fit(real(), components=Q)
    history = recursion.run(lambda x, step: ppca.fit(x, components=Q),
                            lambda m, n, step: ppca.sample(m, n, step, noise=False),
                            real(), generations=3, sample_size=200_000, seed=2)
    v = [m.total_variance for m in history.models]
    assert [m.noise_variance for m in history.models[1:]] == pytest.approx([0, 0, 0], abs=1e-9)
    assert v[1] == pytest.approx(v[0] - D * g0.noise_variance, rel=0.01)         # the one-time drop
    assert v[3] == pytest.approx(v[1], rel=0.01)                                   # then nothing more


@pytest.mark.parametrize("noise", [True, False])
def test_chains_through_the_engine_agree_with_the_closed_form(noise):
    data, n = real(), 40
    chains = ppca.total_variance_chains(data, Q, generations=8, sample_size=n, noise=noise, chains=400, seed=3)
    expected = ppca.expected_total_variance(np.arange(9), ppca.fit(data, components=Q), n, noise=noise)
    se = chains.std(axis=0, ddof=1) / np.sqrt(len(chains))
    assert chains[:, 0] == pytest.approx(expected[0])                           # generation 0 is shared
    assert np.all(np.abs(chains.mean(axis=0) - expected)[1:] < 4 * se[1:])
    # the classic wrong answer, a decoder-mean chain without the one-time drop, is far off
    if not noise:
        wrong = ppca.expected_total_variance(np.arange(9), ppca.fit(data, components=Q), n, noise=True)
        assert np.all(np.abs(chains.mean(axis=0) - wrong)[1:] > 10 * se[1:])


def test_a_perfect_fit_compounds_nothing_and_full_samples_lose_nothing():
    g0 = ppca.fit(real(), components=Q)
    t = np.arange(5)
    big = 10**12
    assert ppca.expected_total_variance(t, g0, big) == pytest.approx(np.full(5, g0.total_variance))
    means = ppca.expected_total_variance(t, g0, big, noise=False)
    assert means[1:] == pytest.approx(np.full(4, g0.total_variance - D * g0.noise_variance))


@pytest.mark.parametrize("call, message", [
    (lambda: ppca.fit(real(), components=D), "smaller than the data's dimension"),
    (lambda: ppca.fit(np.ones(5), components=1), "2-D"),
    (lambda: ppca.fit(np.full((4, 3), np.nan), components=1), "non-finite"),
    (lambda: ppca.PPCA(np.zeros(3), np.zeros((2, 1)), 0.1), "shape"),
    (lambda: ppca.PPCA(np.zeros(3), np.zeros((3, 1)), -1.0), "noise_variance"),
    (lambda: ppca.expected_total_variance([0.5], ppca.fit(real(), components=Q), 10), "whole generations"),
])
def test_bad_input_is_refused_with_a_message_that_says_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()
