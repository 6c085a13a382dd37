"""Linear regression on its own labels: replace grows linearly, accumulate stays bounded."""

import numpy as np
import pytest

from collapselab import recursion, regression

D, T, REPEATS, GENERATIONS = 5, 250, 400, 8


def errors(policy):
    task = regression.make_task(D, noise_std=1.0, seed=0)
    out = np.empty((REPEATS, GENERATIONS + 1))
    for r in range(REPEATS):
        rng = np.random.default_rng(1000 + r)
        history = recursion.run(task.fit, task.sample, task.real_data(T, rng), GENERATIONS, policy, seed=r)
        out[r] = [task.test_error(w) for w in history.models]
    return out


@pytest.fixture(scope="module")
def replace_errors():
    return errors("replace")


@pytest.fixture(scope="module")
def accumulate_errors():
    return errors("accumulate")


def test_replace_error_grows_linearly_as_the_closed_form_says(replace_errors):
    n = np.arange(1, GENERATIONS + 2)
    se = replace_errors.std(axis=0) / np.sqrt(REPEATS)
    assert np.all(np.abs(replace_errors.mean(axis=0) - regression.expected_error_replace(n, D, T)) <= 4 * se)


def test_accumulate_error_follows_the_sum_of_inverse_squares(accumulate_errors):
    # the closed form is exact as T/d grows; at T/d = 50 the gap is below the Monte-Carlo error
    n = np.arange(1, GENERATIONS + 2)
    se = accumulate_errors.std(axis=0) / np.sqrt(REPEATS)
    assert np.all(np.abs(accumulate_errors.mean(axis=0) - regression.expected_error_accumulate(n, D, T)) <= 4 * se)


def test_accumulate_stays_below_the_pi_squared_over_six_ceiling_while_replace_passes_it(replace_errors, accumulate_errors):
    limit = regression.accumulate_error_limit(D, T)
    assert accumulate_errors.mean(axis=0).max() < limit
    assert replace_errors.mean(axis=0)[-1] > 3 * limit


def test_closed_forms_agree_at_the_first_fit():
    assert regression.expected_error_replace(1, 10, 100) == pytest.approx(10 / 89)
    assert regression.expected_error_accumulate(1, 10, 100) == pytest.approx(10 / 89)
    assert regression.expected_error_accumulate(np.array([1, 2]), 10, 100)[1] == pytest.approx(10 / 89 * 1.25)


def test_the_fit_recovers_the_true_weights_without_noise():
    task = regression.LinearTask(np.array([1.0, -2.0, 0.5]), noise_std=1e-9)
    X = np.random.default_rng(0).normal(size=(20, 3))
    assert np.allclose(task.fit((X, X @ task.weights)), task.weights)


def test_closed_forms_need_more_samples_than_features_plus_one():
    with pytest.raises(ValueError, match="need samples T > d \\+ 1"):
        regression.expected_error_replace(1, 10, 11)


def test_fit_needs_at_least_d_samples():
    task = regression.make_task(4)
    with pytest.raises(ValueError, match="at least d = 4 samples"):
        task.fit((np.zeros((3, 4)), np.zeros(3)))


def test_fit_rejects_non_finite_labels():
    task = regression.make_task(2)
    with pytest.raises(ValueError, match="non-finite"):
        task.fit((np.zeros((3, 2)), np.array([0.0, np.nan, 1.0])))


def test_closed_forms_accept_whole_numbers_of_fits_given_as_floats():
    n = np.array([1.0, 2.0, 3.0])
    assert np.allclose(regression.expected_error_replace(n, 10, 100), 10 / 89 * n)
    assert regression.expected_error_accumulate(n, 10, 100)[2] == pytest.approx(10 / 89 * (1 + 1 / 4 + 1 / 9))


@pytest.mark.parametrize("closed_form", [regression.expected_error_replace, regression.expected_error_accumulate])
@pytest.mark.parametrize("n", [0, -1, 1.5, np.nan, [1, 2, 0]])
def test_both_closed_forms_reject_the_same_bad_fit_counts(closed_form, n):
    with pytest.raises(ValueError, match="n counts fits and starts at 1|n must be whole numbers of fits"):
        closed_form(n, 10, 100)


def test_fit_takes_the_engines_step_and_ignores_it():
    task = regression.make_task(3)
    X = np.random.default_rng(0).normal(size=(20, 3))
    assert np.array_equal(task.fit((X, X @ task.weights), object()), task.fit((X, X @ task.weights)))


def test_task_weights_given_as_a_list_become_a_float_array():
    task = regression.LinearTask([1, 2])
    assert task.weights.dtype == float and task.dim == 2 and task.test_error([1, 2]) == 0.0
