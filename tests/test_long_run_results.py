"""The committed long runs of notebooks 05 and 06 are what the pipeline makes, and say where they came from.

``benchmarks/results/long-run.json`` (written by ``python benchmarks/long_run.py``, about 1.6 h on
two cores) holds ten generations x five seeds of the named defences, the fresh-fraction
dose-response and the compute-matched controls. ``benchmarks/results/fit-and-sampler.json``
(``--groups fit-and-sampler``, about 20 minutes) holds notebook 05's 2 x 2: sampler x step budget,
each with its control, on seeds 15-19. These tests check that each file covers exactly the arms,
seeds and generations that :mod:`collapselab.course.experiments` defines, that every generation got
the steps its budget promises, that the pre-registered claims decide as the notebooks say, and
(slow) that a slice regenerated from a cold cache agrees with the committed runs.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from collapselab.course import claims, experiments

ROOT = Path(__file__).resolve().parents[1]
#: pre-registered long-run claims (commit d0534e1, before any long run existed) that the committed
#: runs did not bear out; notebook 06 says so instead of stating them
FAILED_PRE_REGISTERED: list[str] = [
    "accumulate with a growing step budget: FD stops rising (slope over generations 6-10 within the control's band)",
]


#: notebook 05's pre-registered 2 x 2 claims (commit 0a9ea37, before any of its runs existed) that
#: its committed runs did not bear out; notebook 05 shows them as False
FAILED_FIT_AND_SAMPLER: list[str] = [
    "more steps slow the collapse under decoder means: the latent spread lost by generation 3 beyond the control's "
    "is smaller with 1,600 steps per generation than with 800",
    "the sampler and the fit interact: more steps save more (latent spread lost) under decoder means than under "
    "Bernoulli samples",
    "the sampler and the fit interact: more steps save more (FD's rise) under decoder means than under "
    "Bernoulli samples",
]


@pytest.fixture(scope="module")
def long():
    return experiments.long_run_results()


@pytest.fixture(scope="module")
def two_by_two():
    return experiments.long_run_results(experiments.FIT_AND_SAMPLER_RESULTS)


def planned() -> dict[str, dict[int, int]]:
    """``{arm: {seed: generations}}`` as the experiments define them."""
    plan: dict[str, dict[int, int]] = {}
    for make, seeds in ((experiments.long_runs, experiments.LONG_SEEDS),
                        (experiments.dose_response, experiments.DOSE_SEEDS),
                        (experiments.compute_matched, experiments.DOSE_SEEDS)):
        for seed in seeds:
            for name, config in make(seed).items():
                plan.setdefault(name, {})[seed] = config.generations
    return plan


def test_the_long_runs_cover_every_arm_seed_and_generation_the_experiments_define(long):
    assert {arm: {seed: len(rows) - 1 for seed, rows in by_seed.items()} for arm, by_seed in long.rows.items()} == planned()
    assert len(experiments.LONG_SEEDS) >= 5 and experiments.LONG_GENERATIONS >= 10 and len(experiments.DOSE_SEEDS) >= 3


def test_every_generation_got_the_steps_its_budget_promises(long):
    for seed in long.seeds("replace"):
        assert long.series("replace", "steps")[seed].tolist() == [800] * 11
        growing = long.series("accumulate (growing)", "steps")[seed]
        assert np.allclose(growing / (800 * np.arange(1, 12)), 1, atol=0.03)   # 20 epochs of a growing set
        assert long.series("accumulate (growing)", "train_size")[seed].tolist() == [10_000 * (g + 1) for g in range(11)]
    for seed in long.seeds("replace (matched steps)"):
        assert long.series("replace (matched steps)", "steps")[seed].tolist() == [800 * (g + 1) for g in range(6)]
        assert long.series("real-only (matched steps)", "real_share")[seed].tolist() == [1.0] * 6


def test_the_file_says_what_made_it_where_and_when(long):
    for invocation in long.provenance:
        assert invocation["command"].startswith("python benchmarks/long_run.py")
        for needed in ("commit", "machine", "threads", "torch", "date", "seconds"):
            assert invocation[needed] not in (None, "", "unknown"), needed
    assert "long-run.json" in (ROOT / "benchmarks" / "results" / "README.md").read_text()


def test_the_pre_registered_long_run_claims_decide_as_notebook_06_says(long):
    found = claims.long_runs(long.fd())
    assert [c.text for c in found if not c.holds] == FAILED_PRE_REGISTERED


def regenerate(tmp_path, group: str, seed: int, arms: list[str], generations: int) -> experiments.LongRuns:
    """``benchmarks/long_run.py`` for a slice (``arms`` of ``group``, one ``seed``, the first
    ``generations``), in an empty data folder: nothing comes from the cache the committed runs used."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import claims as claims_script
    import long_run

    out = tmp_path / "slice.json"
    assert long_run.main(["--groups", group, "--seeds", str(seed), "--arms", *arms, "--generations", str(generations),
                          "--out", str(out), "--data-root", str(claims_script.fresh_data_root())]) == 0
    return experiments.long_run_results(out)


@pytest.mark.slow
def test_a_slice_regenerated_from_a_cold_cache_agrees_with_the_committed_runs(long, tmp_path):
    regenerated = regenerate(tmp_path, "defences", 0, ["replace", "accumulate"], 2)
    for arm in ("replace", "accumulate"):
        for new, old in zip(regenerated.rows[arm][0], long.rows[arm][0][:3]):
            assert (new["generation"], new["train_size"], new["real_share"], new["steps"]) == \
                   (old["generation"], old["train_size"], old["real_share"], old["steps"])
            # another CPU code path trains slightly different models: within the claims' tolerances
            assert new["fd"] == pytest.approx(old["fd"], rel=0.1), (arm, new["generation"])
            assert new["coverage"] == pytest.approx(old["coverage"], abs=0.05), (arm, new["generation"])


def test_groups_written_to_different_files_are_refused_before_any_work(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import long_run

    with pytest.raises(SystemExit) as exit_:
        long_run.main(["--groups", "defences", "fit-and-sampler"])
    assert exit_.value.code == 2 and "different files" in capsys.readouterr().err


def test_notebook_fives_two_by_two_covers_every_arm_and_seed_with_the_steps_its_budget_promises(two_by_two):
    plan = {name: {seed: config.generations for seed in experiments.FIT_AND_SAMPLER_SEEDS}
            for name, config in experiments.fit_and_sampler(0).items()}
    assert {arm: {seed: len(rows) - 1 for seed, rows in by_seed.items()} for arm, by_seed in two_by_two.rows.items()} == plan
    # seeds no other experiment or claims table uses
    assert not set(experiments.FIT_AND_SAMPLER_SEEDS) & (set(range(0, 15)) | set(experiments.LONG_SEEDS))
    for arm in two_by_two.arms:
        later = 1600 if "1,600" in arm else 800
        for seed, steps in two_by_two.series(arm, "steps").items():
            assert steps.tolist() == [800] + [later] * (len(steps) - 1), (arm, seed)
    for steps in ("800", "1,600"):
        for seed, share in two_by_two.series(f"real-only, {steps} steps", "real_share").items():
            assert share.tolist() == [1.0] * len(share)


def test_the_two_by_two_says_what_made_it_where_and_when(two_by_two):
    for invocation in two_by_two.provenance:
        assert invocation["command"] == "python benchmarks/long_run.py --groups fit-and-sampler"
        for needed in ("commit", "machine", "threads", "torch", "date", "seconds"):
            assert invocation[needed] not in (None, "", "unknown"), needed
    assert "fit-and-sampler.json" in (ROOT / "benchmarks" / "results" / "README.md").read_text()


def test_the_pre_registered_two_by_two_claims_decide_as_notebook_05_says(two_by_two):
    found = claims.fit_and_sampler(two_by_two)
    assert len(found) == 8
    assert [c.text for c in found if not c.holds] == FAILED_FIT_AND_SAMPLER


@pytest.mark.slow
def test_a_slice_of_the_two_by_two_regenerated_from_a_cold_cache_agrees_with_the_committed_runs(two_by_two, tmp_path):
    seed = experiments.FIT_AND_SAMPLER_SEEDS[0]
    regenerated = regenerate(tmp_path, "fit-and-sampler", seed, ["means, 1,600 steps"], 1).rows["means, 1,600 steps"][seed]
    for new, old in zip(regenerated, two_by_two.rows["means, 1,600 steps"][seed][:2]):
        assert (new["generation"], new["steps"]) == (old["generation"], old["steps"])
        assert new["fd"] == pytest.approx(old["fd"], rel=0.1), new["generation"]
        assert new["latent_spread"] == pytest.approx(old["latent_spread"], abs=0.05), new["generation"]


def test_the_two_by_twos_damage_is_beyond_the_control_and_a_step_gain_is_positive_when_more_steps_help():
    from collapselab.course.experiments import LongRuns

    def arm(start, end):
        return {15: [{"latent_spread": start, "fd": 100 - start}, {"latent_spread": end, "fd": 100 - end}]}

    rows = {"means, 800 steps": arm(1.0, 0.5), "means, 1,600 steps": arm(1.0, 0.6),
            "real-only, 800 steps": arm(1.0, 0.9), "real-only, 1,600 steps": arm(1.0, 0.95)}
    runs = LongRuns(rows, [])
    assert runs.damage("means", "800", "latent_spread")[15] == pytest.approx(-0.4)      # -0.5 beyond the control's -0.1
    assert runs.damage("means", "1,600", "latent_spread")[15] == pytest.approx(-0.35)
    assert runs.step_gain("means", "latent_spread")[15] == pytest.approx(0.05)           # less spread lost
    assert runs.step_gain("means", "fd")[15] == pytest.approx(0.05)                      # less FD rise
