"""Notebook 07's committed studies are what the pipeline makes, say where they came from, and
decide their pre-registered claims as the notebook says.

``benchmarks/results/protocol-study.json`` (``python benchmarks/protocol_study.py``, about 40 minutes
on two cores) holds the five arms of :func:`collapselab.text.photocopier.protocol_study` on seeds
20-24: prompted writing, beam search, and longer fine-tuning with the best checkpoint on real
validation text. Its six claims were committed (b01c231) after exploring seed 0 and before any of
seeds 20-24 ran.

``benchmarks/results/text-controls.json`` (``python benchmarks/protocol_study.py --study controls``,
about 30 minutes) holds the six arms of :func:`collapselab.text.photocopier.controls_study` on seeds
45-49: a real repeat (generation 0's text again), 10 % of the original text against 10 % fresh, and
the control at T = 0.5. Its seven claims were committed (b01c87c) before any of those seeds ran;
three of their sentences were narrowed after the run (ac97d9c, the tests unchanged), and the study
ran again on seeds 50-54 (``text-controls-seeds-50-54.json``) to confirm them as narrowed.
"""

import sys
from pathlib import Path

import pytest

from collapselab.course import claims, experiments
from collapselab.text import photocopier

ROOT = Path(__file__).resolve().parents[1]

#: the pre-registered claims that did not hold on every seed of the committed study, reported as
#: failed in notebook 07 and benchmarks/results/README.md (seed 24's 4x-steps arm: tail ratio 1.07)
FAILED_PROTOCOL_STUDY: list[str] = [
    "no sampled arm grows a long upper tail: the gap between the 95th percentile and the median of its text's "
    "log-perplexity under generation 0 is smaller at generation 4 than at generation 0",
]


#: the pre-registered controls-study claims that did not hold on every seed (notebook 07 shows them as ✗)
FAILED_CONTROLS_STUDY: list[str] = []
#: the same, on seeds 50-54 (the claims as narrowed after seeds 45-49)
FAILED_CONTROLS_CONFIRMATION: list[str] = []


@pytest.fixture(scope="module")
def study():
    return experiments.protocol_study_results()


@pytest.fixture(scope="module")
def controls():
    return experiments.text_controls_results()


def test_the_study_covers_every_arm_and_seed_with_every_generation(study):
    expected = {(name, seed) for seed in photocopier.PROTOCOL_SEEDS for name in photocopier.protocol_study(seed)}
    assert {(r["arm"], r["seed"]) for r in study.result["runs"]} == expected
    for r in study.result["runs"]:
        assert [row["generation"] for row in r["rows"]] == list(range(photocopier.GENERATIONS + 1))
    assert set(study.result["pretrained"]) == {str(s) for s in photocopier.PROTOCOL_SEEDS}


def test_the_arms_that_pick_a_checkpoint_record_the_step_they_kept(study):
    for r in study.result["runs"]:
        picked = "best checkpoint" in r["arm"]
        assert all(("selected_step" in row) == picked for row in r["rows"]), r["arm"]
        if picked:
            assert all(1 <= row["selected_step"] <= 160 for row in r["rows"])


#: each committed study: how it is loaded, the command that makes it, its claims, how many, which failed
STUDIES = {
    "protocol-study.json": (experiments.protocol_study_results, "python benchmarks/protocol_study.py",
                            claims.protocol_study, 6, FAILED_PROTOCOL_STUDY),
    "text-controls.json": (experiments.text_controls_results, "python benchmarks/protocol_study.py --study controls",
                           claims.controls_study, 7, FAILED_CONTROLS_STUDY),
    "text-controls-seeds-50-54.json": (lambda: experiments.text_controls_results(experiments.TEXT_CONTROLS_CONFIRMATION),
                                       "python benchmarks/protocol_study.py --study controls --seeds 50 51 52 53 54",
                                       claims.controls_study, 7, FAILED_CONTROLS_CONFIRMATION),
}


@pytest.mark.parametrize("name", STUDIES)
def test_each_study_file_says_what_made_it_where_and_when(name):
    load, command, *_ = STUDIES[name]
    for invocation in load().result["provenance"]:
        assert invocation["command"].startswith(command)
        for needed in ("commit", "machine", "threads", "torch", "date", "seconds"):
            assert invocation[needed] not in (None, "", "unknown"), needed
    assert name in (ROOT / "benchmarks" / "results" / "README.md").read_text()


@pytest.mark.parametrize("name", STUDIES)
def test_each_studys_pre_registered_claims_decide_as_committed_and_the_notebook_reports(name):
    load, _, decide, count, failed = STUDIES[name]
    found = decide(load().result)
    assert len(found) == count and [c.text for c in found if not c.holds] == failed


@pytest.mark.slow
def test_a_slice_regenerated_from_a_cold_cache_agrees_with_the_committed_study(study, tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import claims as claims_script
    import protocol_study

    out, arm, seed = tmp_path / "slice.json", "prompted, T = 0.5", photocopier.PROTOCOL_SEEDS[0]
    assert protocol_study.main(["--seeds", str(seed), "--arms", arm, "--generations", "1", "--out", str(out),
                                "--data-root", str(claims_script.fresh_data_root())]) == 0
    (new,) = experiments.protocol_study_results(out).result["runs"]
    (old,) = [r for r in study.result["runs"] if r["arm"] == arm and r["seed"] == seed]
    for a, b in zip(new["rows"], old["rows"][:2]):
        # another CPU code path writes slightly different text: within the claims' tolerances
        assert a["real_perplexity"] == pytest.approx(b["real_perplexity"], rel=0.03), a["generation"]
        assert a["distinct_2"] == pytest.approx(b["distinct_2"], abs=0.06), a["generation"]


def test_a_study_slice_with_an_unknown_arm_is_refused_before_any_work(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import protocol_study

    with pytest.raises(SystemExit) as exit_:
        protocol_study.main(["--arms", "greedy"])
    assert exit_.value.code == 2 and "unknown arm(s) greedy" in capsys.readouterr().err


#: the controls study's two files and their seeds: the first five, and five more run after three
#: claim sentences were narrowed on the first
CONTROL_FILES = {"text-controls.json": (experiments.TEXT_CONTROLS_RESULTS, photocopier.CONTROL_SEEDS),
                 "text-controls-seeds-50-54.json": (experiments.TEXT_CONTROLS_CONFIRMATION,
                                                    photocopier.CONTROL_CONFIRMATION_SEEDS)}


@pytest.mark.parametrize("name", CONTROL_FILES)
def test_the_controls_study_covers_every_arm_and_seed_on_seeds_no_other_text_experiment_used(name):
    path, seeds = CONTROL_FILES[name]
    result = experiments.text_controls_results(path).result
    expected = {(arm, seed) for seed in seeds for arm in photocopier.controls_study(seed)}
    assert {(r["arm"], r["seed"]) for r in result["runs"]} == expected
    for r in result["runs"]:
        assert [row["generation"] for row in r["rows"]] == list(range(photocopier.GENERATIONS + 1))
    # 0-14: the claims tables; 20-24: the protocol study; the two files share no seed
    assert not set(seeds) & (set(range(15)) | set(photocopier.PROTOCOL_SEEDS))
    assert not set(photocopier.CONTROL_SEEDS) & set(photocopier.CONTROL_CONFIRMATION_SEEDS)
    # every arm of a seed starts from the same generation 0
    for seed in seeds:
        assert len({r["rows"][0]["real_perplexity"] for r in result["runs"] if r["seed"] == seed}) == 1


@pytest.mark.slow
def test_a_slice_of_the_controls_study_regenerated_from_a_cold_cache_agrees_with_the_committed_one(controls, tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import claims as claims_script
    import protocol_study

    out, seed = tmp_path / "slice.json", photocopier.CONTROL_SEEDS[0]
    arms = ["real repeat", "keep 10% original"]
    assert protocol_study.main(["--study", "controls", "--seeds", str(seed), "--arms", *arms, "--generations", "1",
                                "--out", str(out), "--data-root", str(claims_script.fresh_data_root())]) == 0
    regenerated = experiments.text_controls_results(out).result["runs"]
    assert sorted(r["arm"] for r in regenerated) == sorted(arms)
    for new in regenerated:
        (old,) = [r for r in controls.result["runs"] if r["arm"] == new["arm"] and r["seed"] == seed]
        for a, b in zip(new["rows"], old["rows"][:2]):
            assert a["real_perplexity"] == pytest.approx(b["real_perplexity"], rel=claims.RETRAINING_TOLERANCE), (new["arm"], a["generation"])
            assert a["distinct_2"] == pytest.approx(b["distinct_2"], abs=0.06), (new["arm"], a["generation"])
