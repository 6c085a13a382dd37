"""The course's widgets: their callbacks work without a browser, and their static fallbacks draw
the figure the notebook stores."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from collapselab import gaussian
from collapselab.course import widgets


def test_next_generation_starts_at_generation_0_fitted_to_real_draws():
    copier = widgets.NextGeneration(sample_size=20, seed=1)
    assert copier.generation == 0 and copier.data.shape == (20,)
    assert copier.model == gaussian.unbiased_fit(np.random.default_rng(1).normal(0, 1, 20))


def test_each_step_samples_from_the_current_fit_and_refits():
    copier = widgets.NextGeneration(sample_size=20, seed=1)
    before = copier.model
    after = copier.step()
    assert copier.generation == 1 and len(copier.models) == 2 and copier.models[0] == before
    assert after == gaussian.unbiased_fit(copier.data)
    copier.step(10)
    assert copier.generation == 11 and len(copier.models) == 12


def test_the_same_seed_gives_the_same_chain_and_reset_starts_it_again():
    a, b = widgets.NextGeneration(20, seed=3), widgets.NextGeneration(20, seed=3)
    a.step(5)
    b.step(2)
    b.step(3)
    assert a.models == b.models
    first = list(a.models)
    a.step(4)
    a.reset()
    a.step(5)
    assert a.generation == 5 and a.models == first


def test_the_chain_narrows_over_many_presses():
    copier = widgets.NextGeneration(20, seed=0)
    copier.step(200)
    assert copier.model.std < 0.5


@pytest.mark.parametrize("bad", [{"sample_size": 1}, {"sample_size": 2.5}, {"seed": -1}])
def test_bad_settings_are_refused_with_the_setting_named(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        widgets.NextGeneration(**bad)


def test_a_step_count_below_one_is_refused():
    with pytest.raises(ValueError, match="generations"):
        widgets.NextGeneration().step(0)


def test_the_drawing_shows_the_generation_and_every_std_so_far():
    copier = widgets.NextGeneration(20, seed=1)
    copier.step(7)
    fig = copier.draw()
    left, right = fig.axes
    assert left.get_title().startswith("generation 7:")
    (line,) = [l for l in right.get_lines() if len(l.get_xdata()) > 2]
    assert list(line.get_ydata()) == [m.std for m in copier.models]
    plt.close(fig)


def test_the_clock_figure_states_the_half_life_of_its_sample_size():
    fig = widgets.clock_figure(sample_size=20, generations=30, chains=200)
    half = np.log(2) / -gaussian.expected_log_variance(1, 20, 1)
    assert fig.axes[0].get_title() == f"M = 20: the typical variance halves every {half:.0f} generations"
    plt.close(fig)


def test_the_vanishing_figure_marks_one_generation_loss_and_measures_survival():
    fig = widgets.vanishing_figure(p=0.01, sample_size=100, generations=10, chains=500)
    left, right = fig.axes
    (marker,) = [l for l in left.get_lines() if len(l.get_xdata()) == 1]
    assert marker.get_ydata()[0] == pytest.approx(0.99**100)
    simulated, naive = right.get_lines()[:2]
    assert simulated.get_ydata()[0] == 1.0 and naive.get_ydata()[1] == pytest.approx(1 - 0.99**100)
    assert simulated.get_ydata()[-1] > naive.get_ydata()[-1]   # survivors grow: the naive guess is too pessimistic
    plt.close(fig)


@pytest.mark.parametrize("p", [0, 1, 1.5, -0.1])
def test_a_token_that_cannot_vanish_or_is_not_a_probability_is_refused(p):
    with pytest.raises(ValueError, match="p must"):
        widgets.vanishing_figure(p=p)


def test_the_policy_figure_shows_the_chosen_policy_against_replace():
    fig = widgets.policy_figure("mix", fresh_fraction=0.5, chains=20, generations=10)
    ax = fig.axes[0]
    assert ax.get_title().startswith("mix 50% fresh: median variance")
    assert any(l.get_label() == "replace: median" for l in ax.get_lines())
    plt.close(fig)


def test_an_unknown_policy_is_refused_with_the_choices_named():
    with pytest.raises(ValueError, match="replace, accumulate"):
        widgets.policy_figure("photocopy")


@pytest.fixture(scope="module")
def text_lab():
    from collapselab.text import photocopier

    return photocopier.TextLab()


def untrained(lab):
    from collapselab.text import lm

    return lm.new_model(lab.tokenizer.size, lm.LMConfig(), seed=0)


def test_the_temperature_slider_writes_and_scores_a_passage_without_a_browser(text_lab):
    shown = widgets.temperature_sample(untrained(text_lab), text_lab, 0.0, passages=20)
    assert set(shown) == {"passage", "distinct_2", "repetition", "real_word_share"}
    assert len(shown["passage"]) == 256 and 0 <= shown["distinct_2"] <= 1
    # the same settings write the same text; another temperature writes another
    assert widgets.temperature_sample(untrained(text_lab), text_lab, 0.0, passages=20) == shown
    assert widgets.temperature_sample(untrained(text_lab), text_lab, 1.0, passages=20)["passage"] != shown["passage"]


def test_the_temperature_figure_draws_each_metric_against_real_text(text_lab):
    fig = widgets.temperature_figure(untrained(text_lab), text_lab, temperatures=(0.0, 1.0), passages=20)
    assert len(fig.axes) == 3 and all(len(ax.lines) == 2 for ax in fig.axes)   # the model's line and real text's
    plt.close(fig)
