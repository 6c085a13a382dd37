"""Every exercise: its solution (in solutions/) is accepted by its checker, and the classic wrong
reasoning gives a clearly different answer that the checker rejects."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from collapselab.course import lessons as course, exercises, experiments

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def solution(notebook: str):
    """The solutions module of notebook ``notebook`` (e.g. "01")."""
    (path,) = SOLUTIONS.glob(f"{notebook}_*.py")
    spec = importlib.util.spec_from_file_location(f"solutions_{notebook}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def verdict(capsys, check, answer) -> str:
    check(answer)
    return capsys.readouterr().out.strip()


#: what notebook 04's run cells measured on seed 0 (the sweep of exercise 04.1, the scores of 04.2's
#: copier and of real digits), as a learner's run hands them to the checker and the solution
BLUR_SWEEP = {0.5: 1.197, 1.0: 1.081, 1.5: 0.777, 2.0: 0.552}
COPIER_SCORES = ({"density": 0.876, "coverage": 0.042}, {"density": 0.946, "coverage": 0.958})


class Run:
    """Stands for an image run: one metric per generation, as a notebook measured it on seed 0."""

    def __init__(self, *values, metric="latent_spread"):
        self.values, self.name = values, metric

    def metric(self, name):
        assert name == self.name
        return np.array(self.values)


#: notebook 05's mix:0.2, replace and real-only runs (latent spread by generation, seed 0)
FRESH_RUNS = (Run(1.0, 0.897, 0.821), Run(1.0, 0.856, 0.737, 0.629), Run(1.0, 0.99, 0.994, 0.99))


#: notebook 06's accumulate-subsample, accumulate and replace runs (FD by generation, seed 0)
SUBSAMPLE_RUNS = tuple(Run(*fd, metric="fd") for fd in ((114.3, 142.3, 164.7), (114.3, 137.9, 157.0), (114.3, 183.9, 245.2)))
#: notebook 06's committed long runs (exercise 06.3 reads them)
LONG = experiments.long_run_results()
#: notebook 07's generation 0 (seed 0) at T = 0.3, 0.7, 1.0: distinct-2 of 300 passages, and real text's
TEMPERATURE_RUN = ({0.3: 0.235, 0.7: 0.722, 1.0: 0.907}, 0.74)
#: the inputs a solution takes from its notebook's run cell
SOLUTION_INPUTS = {("04", 1): (BLUR_SWEEP,), ("04", 2): COPIER_SCORES, ("05", 1): FRESH_RUNS,
                   ("06", 2): SUBSAMPLE_RUNS, ("06", 3): (LONG,), ("07", 1): TEMPERATURE_RUN}

# (notebook, exercise, checker with its settings, the classic wrong answers)
EXERCISES = [
    ("01", 1, lambda answer: exercises.check_clock(*(answer or (None, None))),
     [(14, 13), (14, 1380)]),                                                       # the M = 20 run; not simulated
    ("01", 2, exercises.check_half_life, [np.log(2) / -np.log(19 / 20)]),        # from the mean: 13.5
    ("01", 3, exercises.check_samples_needed, [950]),                               # from the mean
    ("01", 4, exercises.check_expected_std, [lambda t, M: 1.0, lambda t, M: ((M - 1) / M) ** (t / 2)]),
    ("02", 1, lambda answer: exercises.check_survival(*(answer or (None, None))),
     [(1e-5, (1 - (1 - 0.0025) ** 200) ** 25), (0.04, 0.5)]),                      # the naive formula; a guess
    ("02", 2, exercises.check_samples_to_keep, [1000]),                             # M = 1/p: drawn once on average
    ("02", 3, exercises.check_gaussian_tail, [0.001]),                              # the t's own tail
    ("03", 1, lambda answer: exercises.check_fresh_fraction(*(answer or (None, None))),
     [(0.5, 0.3), (0.1, 0.03)]),                                                    # works but not the smallest; too little
    ("03", 2, exercises.check_accumulate_approach, [6, 99]),                        # fits, not generations; "never"
    ("03", 3, exercises.check_provenance_filter, [lambda s, d, p: p == 0, lambda s, d, p: p == s.generation,
                                                  lambda s, d, p: p == 0 | p == s.generation]),  # missing parentheses
    ("04", 1, lambda answer: exercises.check_blur_density(*(answer or (None, None)), BLUR_SWEEP),
     [("never", "never"), (1.5, 1.0)]),                                             # blur always fools density
    ("04", 2, lambda answer: exercises.check_copier_story(*(answer or (None, None)), *COPIER_SCORES),
     [("b", "b"), ("a", "c")]),                                                     # copies of real digits look unreal
    ("04", 3, exercises.check_kl_uniform, [np.log(2)]),                             # the entropy, not the KL
    ("04", 4, exercises.check_frechet_1d, [10.0]),                                  # variances instead of stds
    ("05", 1, lambda answer: exercises.check_fresh_share(*(answer or (None, None)), *FRESH_RUNS),
     [(0.3, 0.821), (0.3, 0.084)]),                                                 # the spread itself; the difference
    ("05", 2, exercises.check_sampling_clock, [1 / 30_000**0.5, 1 / 9999]),          # 1/√M; the 10,000-image clock
    ("06", 1, exercises.check_real_share, [1 / 10, 0.5**10]),
    ("06", 2, lambda answer: exercises.check_subsample_share(*(answer or (None, None)), *SUBSAMPLE_RUNS),
     [(0.9, 164.7), (0.9, 0.326)]),                                                 # its FD itself; accumulate's row
    ("06", 3, lambda answer: exercises.check_matching_dose(answer, LONG), [1 / 11, 0.1, 0.5]),  # accumulate's real share
    ("07", 1, lambda answer: exercises.check_closest_temperature(*(answer or (None, None)), *TEMPERATURE_RUN),
     [(1.0, 1.0), (0.7, 0.3)]),                                                     # the model's own T; the lowest
    ("07", 2, exercises.check_perplexity_factor, [2.10 / 1.80, 0.3, 1.3]),          # ratio of losses; difference; 1 + x
    ("07", 3, exercises.check_distinct_2, [0.5, 0.4]),                              # distinct-1; the repeated share
    ("07", 4, exercises.check_word_vanishes, [0.0, 1 - (1 - 1 / 24_000) ** 24_000]),  # "expected once"; survival
]
IDS = [f"{nb}.{n}" for nb, n, _, _ in EXERCISES]


@pytest.mark.parametrize("notebook, number, check, wrong", EXERCISES, ids=IDS)
def test_the_solution_is_accepted(notebook, number, check, wrong, capsys):
    answer = getattr(solution(notebook), f"exercise_{number}")(*SOLUTION_INPUTS.get((notebook, number), ()))
    assert verdict(capsys, check, answer).startswith("correct:")


@pytest.mark.parametrize("notebook, number, check, wrong", EXERCISES, ids=IDS)
def test_the_classic_wrong_answer_is_rejected_with_a_hint(notebook, number, check, wrong, capsys):
    for answer in wrong:
        said = verdict(capsys, check, answer)
        assert said.startswith("not yet:") and len(said) > 40, said


@pytest.mark.parametrize("notebook, number, check, wrong", EXERCISES, ids=IDS)
def test_the_stub_answer_gets_a_gentle_not_yet(notebook, number, check, wrong, capsys):
    assert verdict(capsys, check, None).startswith("not yet: replace the None")


@pytest.mark.parametrize("check", [exercises.check_half_life, exercises.check_samples_to_keep])
def test_an_answer_that_is_not_a_number_gets_a_not_yet_not_a_crash(check, capsys):
    assert verdict(capsys, check, "about seven").startswith("not yet: the answer should be a number")


def test_every_notebook_with_exercises_has_a_solutions_file():
    with_exercises = {lesson.number for lesson in course.LESSONS if lesson.number != "00"}
    assert {p.name[:2] for p in SOLUTIONS.glob("[0-9][0-9]_*.py")} == with_exercises


def test_a_learner_who_expects_a_fixed_size_set_to_collapse_like_replace_is_told_what_is_in_it(capsys):
    said = verdict(capsys, lambda a: exercises.check_subsample_share(*a, *SUBSAMPLE_RUNS), (0.9, 0.385))
    assert said.startswith("correct: you read it right: 0.39") and "collapse like replace" in said
    assert "close to accumulate's 0.33" in said and "Kazdan et al." in said


def test_a_sampled_frechet_distance_is_told_it_is_close_and_asked_for_the_exact_value(capsys):
    said = verdict(capsys, exercises.check_frechet_1d, 1.998)
    assert said.startswith("not yet: close") and "exactly" in said


@pytest.mark.parametrize("check", [lambda p: exercises.check_clock(p, 138), lambda p: exercises.check_survival(p, 0.037)])
def test_a_prediction_that_is_zero_or_negative_gets_a_verdict_not_a_crash(check, capsys):
    for prediction in (0, -5):
        assert verdict(capsys, check, prediction).startswith("correct: you measured it right")


def test_a_learner_who_expects_blur_to_fool_density_at_any_strength_is_told_where_it_stops(capsys):
    said = verdict(capsys, lambda a: exercises.check_blur_density(*a, BLUR_SWEEP), ("never", 1.5))
    assert said.startswith("correct: you read it right: σ = 1.5") and "expected blur to fool density at any strength" in said
    assert "highest at the smallest σ tried, 0.5," in said


def test_a_copier_story_is_judged_against_the_learners_own_scores(capsys):
    # on a machine where the copier's density came out low, (c) is what the numbers say
    said = verdict(capsys, lambda a: exercises.check_copier_story(*a, {"density": 0.5, "coverage": 0.005},
                                                                  {"density": 0.95, "coverage": 0.96}), ("a", "c"))
    assert said.startswith("correct: (c)") and "density 0.53 × real" in said


def test_a_learner_who_expects_notebook_03s_fresh_share_to_carry_over_is_told_when_03_measured_it(capsys):
    said = verdict(capsys, lambda a: exercises.check_fresh_share(*a, *FRESH_RUNS), (1.0, 0.33))
    assert said.startswith("correct: you read it right: 0.33") and "judged its fresh fractions at generation 60" in said
    assert "= 0.28 at generation 2" in said


def test_a_copier_story_that_is_not_a_b_or_c_gets_a_not_yet(capsys):
    said = verdict(capsys, lambda a: exercises.check_copier_story(*a, *COPIER_SCORES), ("z", "a"))
    assert said == 'not yet: `prediction` should be "a", "b" or "c", got \'z\''


def test_the_clock_of_the_10000_image_run_is_named_as_such(capsys):
    said = verdict(capsys, exercises.check_sampling_clock, 1 / 9999)
    assert said.startswith("not yet: that is the clock at 10,000 images")


def test_a_learner_who_expects_temperature_1_to_write_most_like_real_text_is_told_about_misspellings(capsys):
    said = verdict(capsys, lambda a: exercises.check_closest_temperature(*a, *TEMPERATURE_RUN), (1.0, 0.7))
    assert said.startswith("correct: you read it right: T = 0.7") and "misspelt words" in said


def test_the_matching_dose_verdict_says_where_the_match_holds_and_what_the_runs_cannot_separate(capsys):
    said = verdict(capsys, lambda a: exercises.check_matching_dose(a, LONG), 0.25)
    assert said.startswith("correct: 0.25: at generation 10") and "do not separate them" in said
    assert "2,500 in its 10,000" in said and "lower at 9 of the 9 generations before" in said


def test_a_predict_first_cell_runs_nothing_until_the_prediction_is_written(capsys):
    assert exercises.predicted(None) is False and "the experiment starts once you have predicted" in capsys.readouterr().out
    assert exercises.predicted(0.4) is True and capsys.readouterr().out == ""
