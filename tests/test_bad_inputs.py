"""Bad inputs fail early and loudly: one row per case, each with the message a learner would read.

To add a case, append ``case(id, fn, error, match)`` to ``CASES`` under its section:

* ``id``: a short readable name ("module: what is wrong"), shown by pytest;
* ``fn``: a zero-argument callable (usually a lambda) that makes the bad call;
* ``error``: the exception type it must raise;
* ``match``: a fragment of the message, searched literally (not a regex): name the parameter and
  the bad value, or what to do, not just "must be".
"""

import re

import numpy as np
import pytest

import torch

from collapselab import categorical, gaussian, metrics, mixture, policies, regression
from collapselab.course import exercises
from collapselab.images import photocopier as generations, metrics as image_metrics, vae
from collapselab.text import lm, photocopier as text_experiments, metrics as text_metrics


def case(id, fn, error, match):
    """One row of the table: ``fn()`` must raise ``error`` with ``match`` in its message."""
    return pytest.param(fn, error, match, id=id)


def rng():
    return np.random.default_rng(0)


TWO_MODES = dict(weights=np.array([0.9, 0.1]), means=np.array([0.0, 4.0]), stds=np.array([1.0, 0.5]))
TRUTH = mixture.Mixture(**TWO_MODES)
BATCH = mixture.Mixture(*(np.tile(a, (3, 1)) for a in TWO_MODES.values()))  # 3 chains of TRUTH
POINTS = np.random.default_rng(0).normal(size=100)
TASK = regression.LinearTask(np.array([1.0, -2.0, 0.5]))
IMAGES = torch.rand(20, 784)
SMALL_VAE = vae.VAE(hidden=8, latent=2)
SMALL_LM = lm.CharGRU(vocab=5, embed=4, hidden=8)


def tiny_reference():
    """An image-metrics reference of 3 classes in 4-D features (enough to exercise tail_share's checks)."""
    centroids = torch.zeros(10, 4)
    return image_metrics.Reference(torch.zeros(5, 4), torch.ones(5), torch.ones(5), centroids, torch.ones(10), 3, 5)

CASES = [
    # --- toy models: gaussian, mixture, categorical, regression, metrics
    case("gaussian: negative std", lambda: gaussian.Gaussian(0, -2), ValueError, "std must be a finite number >= 0, got -2"),
    case("gaussian: NaN std", lambda: gaussian.Gaussian(0, float("nan")), ValueError, "std must be a finite number >= 0, got nan"),
    case("gaussian: infinite mean", lambda: gaussian.Gaussian(float("inf"), 1), ValueError, "mean must be a finite number, got inf"),
    case("gaussian: array as mean", lambda: gaussian.Gaussian(np.zeros(2), 1), ValueError, "mean must be a finite number, got array"),
    case("gaussian: negative tail threshold", lambda: gaussian.Gaussian(0, 1).mass_beyond(-1), ValueError,
         "threshold must be a finite number >= 0, got -1"),
    case("gaussian: NaN tail threshold", lambda: gaussian.Gaussian(0, 1).mass_beyond(float("nan")), ValueError,
         "threshold must be a finite number >= 0, got nan"),
    case("gaussian: ddof passed positionally to fit", lambda: gaussian.fit(POINTS, 1), ValueError,
         "ddof is keyword-only: write fit(data, ddof=1)"),
    case("gaussian: NaN mu0", lambda: gaussian.simulate_chains(10, 5, 10, mu0=float("nan")), ValueError,
         "mu0 must be a finite number, got nan"),
    case("gaussian: NaN generations in theory", lambda: gaussian.expected_variance(float("nan"), 10, 0), ValueError,
         "generations t must be >= 0, got nan"),
    case("gaussian: negative generations in log_variance_std", lambda: gaussian.log_variance_std(-1, 10), ValueError,
         "generations t must be >= 0, got -1"),
    case("gaussian: ddof >= sample_size in variance_ratio", lambda: gaussian.variance_ratio(2, 5), ValueError,
         "ddof must be smaller than sample_size (2), got 5"),
    case("gaussian: negative sample count", lambda: gaussian.sample(gaussian.Gaussian(0, 1), -1, rng()), ValueError,
         "n must be >= 0, got -1"),

    case("mixture: weights do not sum to 1", lambda: mixture.Mixture(weights=[0.2, 0.2], means=[0.0, 4.0], stds=[1.0, 1.0]),
         ValueError, "weights must sum to 1 along the last axis, got a sum of 0.4"),
    case("mixture: negative weight", lambda: mixture.Mixture([1.5, -0.5], [0.0, 4.0], [1.0, 1.0]), ValueError,
         "weights must be non-negative, got -0.5"),
    case("mixture: NaN weight", lambda: mixture.Mixture([float("nan"), 1.0], [0.0, 4.0], [1.0, 1.0]), ValueError,
         "weights contains 1 non-finite value"),
    case("mixture: infinite mean", lambda: mixture.Mixture([0.5, 0.5], [0.0, float("inf")], [1.0, 1.0]), ValueError,
         "means contains 1 non-finite value"),
    case("mixture: zero std", lambda: mixture.Mixture([0.5, 0.5], [0.0, 4.0], [1.0, 0.0]), ValueError,
         "stds must be > 0, got 0"),
    case("mixture: no component axis", lambda: mixture.Mixture(1.0, 0.0, 1.0), ValueError,
         "need a component axis (shape (..., k)), got shape ()"),
    case("mixture: one chain of a batch has bad weights",
         lambda: mixture.Mixture(np.array([[0.5, 0.5], [0.9, 0.9]]), np.zeros((2, 2)), np.ones((2, 2))),
         ValueError, "got a sum of 1.8"),
    case("mixture: pdf of a batch of mixtures", lambda: BATCH.pdf(np.zeros(3)), ValueError,
         "pdf needs a single mixture (parameters of shape (k,)), got shape (3, 2)"),
    case("mixture: NaN threshold", lambda: TRUTH.mass_above(float("nan")), ValueError, "threshold must be a finite number, got nan"),
    case("mixture: negative min_std", lambda: mixture.fit_em(POINTS, min_std=-1), ValueError,
         "min_std must be a finite number > 0, got -1"),
    case("mixture: negative iterations", lambda: mixture.fit_em(POINTS, iterations=-5), ValueError,
         "iterations must be >= 1, got -5"),
    case("mixture: fractional iterations", lambda: mixture.fit_em(POINTS, iterations=2.5), ValueError,
         "iterations must be an integer >= 1, got 2.5"),
    case("mixture: NaN tolerance", lambda: mixture.fit_em(POINTS, tolerance=float("nan")), ValueError,
         "tolerance must be a finite number >= 0, got nan"),
    case("mixture: 3-D data for EM", lambda: mixture.fit_em(np.zeros((2, 3, 50))), ValueError,
         "data must be 1-D (n,) or 2-D (n_chains, n), got shape (2, 3, 50)"),
    case("mixture: k=0 chains", lambda: mixture.simulate_chains(TRUTH, 1, 50, 2, k=0), ValueError, "k must be >= 1, got 0"),
    case("mixture: fractional k", lambda: mixture.simulate_chains(TRUTH, 1, 50, 2, k=1.5), ValueError,
         "k must be an integer >= 1, got 1.5"),
    case("mixture: batch as the truth", lambda: mixture.simulate_chains(BATCH, 1, 50, 2), ValueError,
         "truth must be a single mixture (parameters of shape (k,)), got shape (3, 2)"),

    case("categorical: NaN p for the loss probability", lambda: categorical.loss_probability(float("nan"), 10), ValueError,
         "p must lie in [0, 1], got nan"),
    case("categorical: zipf exponent so large categories underflow", lambda: categorical.zipf_probabilities(50, 1000),
         ValueError, "exponent 1000 is too large for 50 categories"),
    case("categorical: zipf exponent 0", lambda: categorical.zipf_probabilities(5, 0), ValueError,
         "exponent must be a finite number > 0, got 0"),
    case("categorical: multinomial probs not summing to 1", lambda: categorical.multinomial_counts([0.2, 0.2], 10, rng()),
         ValueError, "probs must sum to 1 along the last axis, got a sum of 0.4"),
    case("categorical: multinomial negative sample size", lambda: categorical.multinomial_counts([0.5, 0.5], -1, rng()),
         ValueError, "sample_size must be >= 0, got -1"),
    case("categorical: sample from a batch of vectors", lambda: categorical.sample(np.full((2, 2), 0.5), 3, rng()),
         ValueError, "probs must be one probability vector (K,), got shape (2, 2)"),
    case("categorical: sample from probs not summing to 1", lambda: categorical.sample(np.array([0.2, 0.2]), 3, rng()),
         ValueError, "probs must sum to 1 along the last axis, got a sum of 0.4"),
    case("categorical: negative probability", lambda: categorical.check_probabilities([1.5, -0.5]), ValueError,
         "probs must be non-negative, got -0.5"),
    case("categorical: a scalar as probs", lambda: categorical.check_probabilities(1.0), ValueError,
         "probs needs a category axis (shape (..., K)), got a scalar"),
    case("categorical: labels outside the vocabulary", lambda: categorical.fit(np.array([0, 3]), 3), ValueError,
         "labels must lie in [0, 2]"),

    case("regression: replace with n=-1", lambda: regression.expected_error_replace(-1, 10, 100), ValueError,
         "n counts fits and starts at 1 (generation 0 is fit 1), got -1"),
    case("regression: replace with n=0", lambda: regression.expected_error_replace(np.arange(3), 10, 100), ValueError,
         "n counts fits and starts at 1 (generation 0 is fit 1), got 0"),
    case("regression: replace with fractional n", lambda: regression.expected_error_replace(2.5, 10, 100), ValueError,
         "n must be whole numbers of fits >= 1, got 2.5"),
    case("regression: accumulate with fractional n", lambda: regression.expected_error_accumulate(2.5, 10, 100), ValueError,
         "n must be whole numbers of fits >= 1, got 2.5"),
    case("regression: accumulate with NaN n", lambda: regression.expected_error_accumulate(float("nan"), 10, 100), ValueError,
         "n must be whole numbers of fits >= 1, got nan"),
    case("regression: NaN true weights", lambda: regression.LinearTask(np.array([np.nan, 1.0])), ValueError,
         "weights contains 1 non-finite value"),
    case("regression: 2-D true weights", lambda: regression.LinearTask(np.ones((2, 2))), ValueError,
         "weights must be a 1-D array, got shape (2, 2)"),
    case("regression: zero label noise", lambda: regression.LinearTask(np.ones(2), noise_std=0), ValueError,
         "noise_std must be a finite number > 0, got 0"),
    case("regression: negative noise in make_task", lambda: regression.make_task(3, noise_std=-1), ValueError,
         "noise_std must be a finite number > 0, got -1"),
    case("regression: test error of weights with the wrong shape", lambda: TASK.test_error(np.zeros(1)), ValueError,
         "w must have shape (3,) (one weight per feature), got shape (1,)"),
    case("regression: sampling from weights with the wrong shape", lambda: TASK.sample(np.zeros(2), 5, rng()), ValueError,
         "w must have shape (3,) (one weight per feature), got shape (2,)"),
    case("regression: NaN fitted weights", lambda: TASK.sample(np.array([0.0, np.nan, 1.0]), 5, rng()), ValueError,
         "w contains 1 non-finite value"),
    case("regression: negative sample count", lambda: TASK.real_data(-1, rng()), ValueError, "n must be >= 0, got -1"),
    case("regression: fit given one array instead of (X, y)", lambda: TASK.fit(np.zeros((10, 4))), ValueError,
         "data must be a pair (X, y)"),

    case("metrics: KL between different numbers of categories",
         lambda: metrics.kl_divergence(np.array([1.0]), np.array([0.2, 0.3, 0.5])), ValueError,
         "p and q need the same number of categories (last axis), got 1 and 3"),
    case("metrics: KL with NaN in q", lambda: metrics.kl_divergence(np.array([0.5, 0.5]), np.array([np.nan, 1.0])), ValueError,
         "q contains 1 non-finite value"),
    case("metrics: KL with shapes that do not line up",
         lambda: metrics.kl_divergence(np.full((2, 2), 0.5), np.full((3, 2), 0.5)), ValueError,
         "p and q must broadcast against each other, got shapes (2, 2) and (3, 2)"),
    case("metrics: entropy of a scalar", lambda: metrics.entropy(1.0), ValueError,
         "probs needs a category axis (shape (..., K)), got a scalar"),
    case("metrics: NaN tail threshold", lambda: metrics.tail_mass(np.zeros(3), float("nan")), ValueError,
         "threshold must be a finite number >= 0, got nan"),
    case("metrics: negative two-sided tail threshold", lambda: metrics.tail_mass(np.zeros(3), -1), ValueError,
         "threshold must be a finite number >= 0, got -1"),
    case("metrics: NaN one-sided tail threshold", lambda: metrics.tail_mass(np.zeros(3), float("nan"), two_sided=False),
         ValueError, "threshold must be a finite number, got nan"),
    case("metrics: 2-D samples for Wasserstein", lambda: metrics.wasserstein_1d(np.zeros((3, 2)), np.zeros(3)), ValueError,
         "a must be a 1-D array, got shape (3, 2)"),

    # --- the trained-model families: a learner's calls from a notebook
    case("image metrics: blur of 0-255 pixels", lambda: image_metrics.blur(IMAGES * 255), ValueError,
         "divide 0-255 pixels by 255"),
    case("image metrics: blur of uint8 pixels", lambda: image_metrics.blur((IMAGES * 255).to(torch.uint8)), ValueError,
         "divide uint8 pixels by 255"),
    case("image metrics: pixel diversity of 0-255 pixels", lambda: image_metrics.pixel_diversity(IMAGES * 255), ValueError,
         "divide 0-255 pixels by 255"),
    case("image metrics: class entropy of counts", lambda: image_metrics.class_entropy([5, 5]), ValueError,
         "histogram must sum to 1 along the last axis, got a sum of 10; divide by the sum"),
    case("image metrics: class entropy of a negative share", lambda: image_metrics.class_entropy([-1, 2]), ValueError,
         "histogram must be non-negative, got -1"),
    case("image metrics: tail share with probabilities of the wrong shape",
         lambda: image_metrics.tail_share(tiny_reference(), torch.zeros(5, 4), torch.full((5, 3), 1 / 3)), ValueError,
         "probabilities must have shape (5, 10)"),
    case("image metrics: tail share with features of the wrong width",
         lambda: image_metrics.tail_share(tiny_reference(), torch.zeros(5, 7), torch.full((5, 10), 0.1)), ValueError,
         "features must have shape (n, 4) like the reference's, got (5, 7)"),
    case("vae: a numpy array of the wrong shape", lambda: vae.evaluate(SMALL_VAE, np.zeros((3, 28, 28))), ValueError,
         "images must have shape (n, 784), got (3, 28, 28); flatten 28x28 images first"),
    case("vae: a list instead of images", lambda: vae.evaluate(SMALL_VAE, [[0.0] * 784]), ValueError,
         "images must be a torch tensor (or numpy array) of shape (n, 784), got a list"),
    case("vae: a float seed for sampling", lambda: SMALL_VAE.sample(5, seed=1.5), ValueError,
         "seed must be an integer >= 0, got 1.5"),
    case("vae: a negative batch size for sampling", lambda: SMALL_VAE.sample(5, batch_size=-1), ValueError,
         "batch_size must be >= 1, got -1"),
    case("vae: a seed beyond 64 bits", lambda: vae.VAEConfig(seed=2**64), ValueError, "seed must be <= 9223372036854775806"),
    case("text: a float seed for sampling", lambda: lm.sample(SMALL_LM, 2, 0, seed=1.5), ValueError,
         "seed must be an integer >= 0, got 1.5"),
    case("text: True as a temperature", lambda: lm.sample(SMALL_LM, 2, 0, temperature=True), ValueError,
         "temperature must be a finite number >= 0 (0 = greedy), got True"),
    case("text: a temperature that overflows the logits", lambda: lm.sample(SMALL_LM, 2, 0, temperature=1e-39), ValueError,
         "must be 0 (greedy) or at least 0.001, got 1e-39"),
    case("text: a start token outside the vocabulary", lambda: lm.sample(SMALL_LM, 2, 999), ValueError,
         "start must be <= 4, got 999; it is a token id of the model's 5-character vocabulary"),
    case("text: passages of length 0", lambda: lm.sample(SMALL_LM, 2, 0, length=0), ValueError, "length must be >= 1, got 0"),
    case("text: zero streams", lambda: lm.sample(SMALL_LM, 2, 0, streams=0), ValueError, "streams must be >= 1, got 0"),
    case("text: a negative burn-in", lambda: lm.sample(SMALL_LM, 2, 0, burn_in=-5), ValueError, "burn_in must be >= 0, got -5"),
    case("text metrics: repetition of one string", lambda: text_metrics.repetition_rate("the king the king the king"),
         ValueError, "takes a list of passages, got one string"),
    case("runs: a seed that overflows the derived seeds", lambda: generations.RunConfig(seed=18446744073709552), ValueError,
         "seed must be <= 4294967295, got 18446744073709552; any smaller seed is as good"),
    case("runs: a text seed that overflows the derived seeds", lambda: text_experiments.TextRunConfig(seed=2**40), ValueError,
         "seed must be <= 4294967295"),
    case("runs: a billion evaluation images", lambda: generations.RunConfig(n_eval=10**9), ValueError,
         "n_eval must be <= 60000, got 1000000000"),
    case("runs: a billion samples per generation", lambda: generations.RunConfig(sample_size=10**9), ValueError,
         "sample_size must be <= 60000, got 1000000000"),
    case("runs: a billion evaluation passages", lambda: text_experiments.TextRunConfig(n_eval=10**9), ValueError,
         "n_eval must be <= 10000, got 1000000000"),
    case("runs: a text temperature that overflows", lambda: text_experiments.TextRunConfig(temperature=1e-39), ValueError,
         "must be 0 (greedy) or at least 0.001"),
    case("runs: an unregistered policy object", lambda: generations.RunConfig(policy=policies.filtered(policies.replace(), lambda *a: True, "mine")),
         ValueError, "is not a registered policy, so it has no name to store in a configuration"),
    case("engine: a list as real data", lambda: __import__("collapselab.recursion").recursion.run(
        gaussian.fit, gaussian.sample, [0.1, 0.2, 0.3], 1), ValueError,
         "a data set must be a NumPy array, a torch tensor (rows = samples) or a tuple of them, got a list; convert it"),
    case("exercises: a number where a function belongs", lambda: exercises_verdict(exercises.check_expected_std, 0.5),
         AssertionError, "not yet: pass your function itself"),
]


def exercises_verdict(check, answer):
    """Run a checker and raise its printed verdict (so a table row can match the text a learner reads)."""
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        check(answer)
    raise AssertionError(printed.getvalue())


@pytest.mark.parametrize("fn, error, match", CASES)
def test_bad_input_fails_early_with_a_clear_message(fn, error, match):
    with pytest.raises(error, match=re.escape(match)):
        fn()


def test_every_case_has_a_unique_id():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


# --- what a bad-looking input *should* do: work -----------------------------------------------

def test_float64_and_numpy_images_are_converted_not_refused():
    """``torch.from_numpy(x / 255)`` is float64: the VAE, its encoder and the metrics take it as float32."""
    x64 = IMAGES.double()
    assert vae.evaluate(SMALL_VAE, x64) == vae.evaluate(SMALL_VAE, IMAGES)
    assert vae.evaluate(SMALL_VAE, IMAGES.numpy()) == vae.evaluate(SMALL_VAE, IMAGES)
    mu64, _ = SMALL_VAE.encode(x64)
    assert mu64.dtype == torch.float32 and torch.equal(mu64, SMALL_VAE.encode(IMAGES)[0])
    assert torch.equal(image_metrics.blur(x64), image_metrics.blur(IMAGES))
    trained = vae.train(x64, vae.VAEConfig(hidden=8, latent=2, epochs=1, batch_size=10), progress=False,
                        test_images=IMAGES.numpy())
    assert len(trained.test_loss) == 1


def test_repetition_of_a_passage_in_a_list_counts_its_repeats():
    assert text_metrics.repetition_rate(["the king the king the king the king"]) == 4 / 6


def test_policy_objects_and_every_spelling_of_a_fraction_store_one_name():
    spellings = ["mix:0.1", "mix:0.10", "mix:1e-1", policies.mix(0.1)]
    assert {generations.RunConfig(policy=p).policy for p in spellings} == {"mix:0.1"}
    assert {text_experiments.TextRunConfig(policy=p).policy for p in spellings} == {"mix:0.1"}
    assert generations.RunConfig(policy="mix:1.0").policy == "mix:1"
    assert generations.RunConfig(policy="mix:0.5") == generations.RunConfig(policy=policies.mix(0.5))


def test_temperatures_from_numpy_and_zero_are_accepted():
    assert text_experiments.TextRunConfig(temperature=np.float32(0.5)).temperature == 0.5
    assert text_experiments.TextRunConfig(temperature=0).temperature == 0.0
    assert lm.sample(SMALL_LM, 3, 0, temperature=0, length=4, burn_in=0).shape == (3, 4)


def test_the_largest_run_seed_still_trains_and_samples():
    config = generations.RunConfig(seed=2**32 - 1)
    settings = config.vae_config(generation=20, n_train=config.n_images)
    assert SMALL_VAE.sample(2, seed=settings.seed).shape == (2, 784)
