"""Every claim function, fed a world where nothing collapsed, must not report a collapse.

In the null world below every generation of every arm scores exactly what generation 0 scored:
no arm differs from another and no generation from the first. A claim that still says True there
states something the data cannot show, unless it is a claim of *stability* (a control that stays
put), which the null world satisfies by construction. Each test lists those stability claims by
name: every other claim must say False.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pytest

from collapselab.course import claims

GENERATIONS = 3

IMAGE_SCORES = {"fd": 40.0, "precision": 0.7, "recall": 0.5, "density": 0.9, "coverage": 0.6, "class_entropy": 2.3,
                "kl_uniform": 0.0, "confidence": 0.95, "pixel_diversity": 5.0, "tail_share": 0.1,
                "latent_spread": 1.0, "histogram": np.full(10, 0.1)}
TEXT_SCORES = {"real_perplexity": 5.0, "heldout_nll": np.log(5.0), "gen0_perplexity": list(np.linspace(3, 8, 50)),
               "distinct_1": 0.3, "distinct_2": 0.7, "distinct_3": 0.9, "repetition": 0.001, "real_word_share": 0.9,
               "distinct_real": 800, "rare_words_used": 40, "long_words_used": 30, "names_used": 12}


@dataclass
class StillRun:
    """A run whose every generation scores what generation 0 scored."""

    scores: dict
    real: float = 0.0
    size: int = 10_000
    config: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(samples_per_generation=10_000))
    detector_accuracy: dict = field(default_factory=lambda: {1: 0.5, 2: 0.5, 3: 0.5})

    def __post_init__(self):
        self.metrics = [dict(self.scores) for _ in range(GENERATIONS + 1)]
        self.train_sizes = [self.size] * (GENERATIONS + 1)

    def metric(self, name):
        return np.array([m[name] for m in self.metrics], dtype=float)

    def real_share(self):
        return np.array([1.0] + [self.real] * GENERATIONS)


def verdicts(found):
    return {c.text: c.holds for c in found}


def true_ones(found):
    return sorted(text for text, holds in verdicts(found).items() if holds)


def test_the_photocopier_claims_of_notebook_05_see_no_collapse_where_there_is_none():
    runs = {name: StillRun(IMAGE_SCORES) for name in ("replace", "bernoulli", "3x samples", "real-only")}
    assert true_ones(claims.image_photocopier(runs)) == sorted([
        "real-only control: FD stays within 20% of generation 0's in every generation",
        "real-only control: latent spread stays above 0.9 in every generation",
        # "3x samples does not matter" is measured against the Bernoulli effect: where nothing
        # differs there is no effect to compare with, and the claim fails instead of holding vacuously
    ])


def test_notebook_05s_sampler_claims_read_control_subtracted_shares_metric_by_metric():
    def run(spread, fd, coverage, entropy):
        r = StillRun(IMAGE_SCORES)
        for g, m in enumerate(r.metrics):        # metric per generation: the tuples below, generations 0-3
            m.update(latent_spread=spread[g], fd=fd[g], coverage=coverage[g], class_entropy=entropy[g])
        return r

    control = run((1.0, 0.99, 0.99, 0.98), (100, 102, 101, 104), (0.6, 0.6, 0.59, 0.58), (2.3, 2.3, 2.3, 2.29))
    replace = run((1.0, 0.85, 0.73, 0.62), (100, 180, 250, 304), (0.6, 0.5, 0.42, 0.34), (2.3, 2.27, 2.25, 2.22))
    bernoulli = run((1.0, 0.9, 0.84, 0.79), (100, 170, 210, 244), (0.6, 0.51, 0.44, 0.36), (2.3, 2.25, 2.21, 2.17))
    # damage = change minus the control's change: latent spread -0.38 - (-0.02) = -0.36 under replace
    assert claims.damage(replace, control, "latent_spread") == pytest.approx(-0.36)
    assert claims.share_removed(bernoulli, replace, control, "latent_spread") == pytest.approx(1 - 0.19 / 0.36)
    assert claims.share_removed(bernoulli, replace, control, "fd") == pytest.approx(1 - 140 / 200)
    found = {c.text: c for c in claims.image_photocopier(
        {"replace": replace, "bernoulli": bernoulli, "3x samples": replace, "real-only": control})}
    shares = {text.split(" of replace's damage to ")[1].split(" ")[0]: c for text, c in found.items()
              if "of replace's damage to" in text}
    assert {k: c.holds for k, c in shares.items()} == {"latent": True, "FD": True, "coverage": True}
    assert shares["coverage"].value == pytest.approx(1 - 0.22 / 0.24)
    assert claims.share_removed(bernoulli, replace, control, "class_entropy") == pytest.approx(1 - 0.12 / 0.07)
    # Bernoulli's lead in latent spread: 0, 0.05, 0.11, 0.17; after generation 1 it grows by at least 0.06
    recurs = next(c for text, c in found.items() if "recurs" in text)
    assert recurs.holds and recurs.value == pytest.approx(0.06)
    # a claim about a recursive arm carries the control's value of the same measurement
    assert found["replace: latent spread at generation 3 below 0.7"].control == pytest.approx(0.98)
    # a lead paid once (PPCA) does not recur
    bernoulli.metrics[2]["latent_spread"] = 0.78
    bernoulli.metrics[3]["latent_spread"] = 0.67
    recurs = next(c for c in claims.image_photocopier(
        {"replace": replace, "bernoulli": bernoulli, "3x samples": replace, "real-only": control}) if "recurs" in c.text)
    assert not recurs.holds


def test_notebook_05s_precision_and_density_claims_subtract_the_controls_rise():
    def run(precision, density):
        r = StillRun(IMAGE_SCORES)
        for g, m in enumerate(r.metrics):
            m.update(precision=precision[g], density=density[g])
        return r

    control = run((0.5, 0.55, 0.6, 0.6), (0.8, 0.85, 0.9, 0.9))
    rises_as_much = run((0.5, 0.55, 0.6, 0.6), (0.8, 0.9, 1.0, 1.1))   # precision: the control's rise, no more
    found = {c.text: c for c in claims.image_photocopier(
        {"replace": rises_as_much, "bernoulli": rises_as_much, "3x samples": rises_as_much, "real-only": control})}
    precision = found["replace: precision rises by more than the real-only control's precision does"]
    density = found["replace: density rises by more than the real-only control's density does"]
    assert not precision.holds and precision.value == pytest.approx(0.0) and precision.control == pytest.approx(0.1)
    assert density.holds and density.value == pytest.approx(0.2) and density.control == pytest.approx(0.1)


def test_the_defence_claims_of_notebook_06_see_no_effect_where_there_is_none():
    names = ("replace", "real-only", "accumulate", "accumulate (growing)", "mix:0.5", "detector-filter:0.5")
    runs = {name: StillRun(IMAGE_SCORES, real=0.5) for name in names}
    arms = {name: dict(IMAGE_SCORES) for name in ("20 real", "20 real + 200 curated", "20 real + 200 uncurated",
                                                   "100 real", "100 real + 1000 curated")}
    small = SimpleNamespace(arms=arms, real_sizes=(20, 100), dose=10)
    found = claims.defences(runs, small)  # no FD rise anywhere: its ratios are NaN, not a crash
    assert true_ones(found) == sorted([
        "real-only control: FD stays within 20% of generation 0's",
    ])


def test_the_language_claims_of_notebook_07_see_no_collapse_where_there_is_none():
    names = ("replace", "keep 10% real", "accumulate", "replace, T = 0.5", "real-only")
    runs = {name: StillRun(TEXT_SCORES) for name in names}
    found = claims.language(runs, dict(TEXT_SCORES))
    assert true_ones(found) == sorted([
        "real-only control: fresh real text never raises real-text perplexity above generation 0's",
        # a claim that a metric does *not* detect the damage holds where there is none
        f"replace at T = 1: distinct-1 at generation {GENERATIONS} at least 90% of generation 0's (misspellings count as new words)",
    ])


def test_the_calibration_claims_of_notebook_04_fail_for_an_instrument_that_cannot_tell_sets_apart():
    same = {name: dict(IMAGE_SCORES) for name in ("real", "noise", "only 1s", "blurred real", "generation 0")}
    found = claims.metric_calibration(same, accuracy=0.5, longer_fd=IMAGE_SCORES["fd"])
    assert true_ones(found) == sorted([
        # a level, not a comparison: this instrument does score generation 0 as balanced
        "generation 0: every digit makes up at least 3% of its samples",
    ])


def long_world(shape):
    """FD per generation for every long-run arm and seed: ``shape(arm, g)`` (10 generations; the
    compute-matched arms 5), the same on every seed."""
    arms = {"replace": (0, 1, 2, 3, 4), "real-only": (0, 1, 2, 3, 4), "accumulate": (0, 1, 2, 3, 4),
            "accumulate (growing)": (0, 1, 2, 3, 4), "mix:0.5": (0, 1, 2, 3, 4), "mix:0.1": (0, 1, 2),
            "mix:0.25": (0, 1, 2), "mix:0.75": (0, 1, 2), "replace (matched steps)": (0, 1, 2),
            "real-only (matched steps)": (0, 1, 2)}
    last = {name: 5 if "matched" in name else 10 for name in arms}
    return {name: {s: np.array([shape(name, g) for g in range(last[name] + 1)], dtype=float) for s in seeds}
            for name, seeds in arms.items()}


def test_the_long_run_claims_of_notebook_06_see_no_effect_where_there_is_none():
    found = claims.long_runs(long_world(lambda arm, g: 40.0))
    assert true_ones(found) == sorted([
        "real-only control: FD stays within 20% of generation 0's in each of 10 generations",
        # "stops rising" is a stability claim: FD that never rose satisfies it
        "accumulate with a growing step budget: FD stops rising (slope over generations 6-10 within the control's band)",
        "mix:0.5: FD stops rising (slope over generations 6-10 within the control's band)",
    ])


def test_the_long_run_claims_of_notebook_06_hold_in_the_world_the_papers_predict():
    def predicted(arm, g):
        # replace: every fit adds generation 0's error; accumulate: the k-th adds 1/k^2 of it
        # (Gerstgrasser et al.); fresh data: the more, the less is added, and it stops; more steps: a
        # little less error per fit
        if arm.startswith("real-only"):
            return 40.0 - (2.0 * g if "matched" in arm else 0.0)
        if arm.startswith("replace"):
            return 40.0 * (g + 1) * (0.9 if "matched" in arm else 1.0)
        if arm.startswith("accumulate"):
            return 40.0 * sum(1 / k**2 for k in range(1, g + 2)) * (0.9 if "growing" in arm else 1.3)
        fraction = float(arm.split(":")[1])
        return 40.0 * (1 + (1 - fraction) * min(g, 2))

    found = claims.long_runs(long_world(predicted))
    assert [c.text for c in found if not c.holds] == [
        # Gerstgrasser's accumulation keeps rising a little (by 1/k^2): steeper than a flat control
        "accumulate with a growing step budget: FD stops rising (slope over generations 6-10 within the control's band)"]
    assert abs(claims.gerstgrasser_ratio(2) - 0.18) < 0.01


def detector_world(fd_at_end, discarded_tail=0.1, kept_tail=0.1):
    """The detector controls' committed runs: every arm starts at FD 120 and ends at
    ``fd_at_end[arm]``, on two seeds; the detector records its discarded and kept real digits."""
    from collapselab.course.experiments import LongRuns

    record = {"kept": 4000, "discarded": 1000, "kept_tail": kept_tail, "discarded_tail": discarded_tail}
    rows = {arm: {s: [{"fd": 120.0}, {"fd": 120.0}, {"fd": end}] for s in (30, 31)} for arm, end in fd_at_end.items()}
    for seed_rows in rows["detector-filter:0.5"].values():
        for row in seed_rows[1:]:
            row["real_discarded"] = dict(record)
    return LongRuns(rows, [])


DETECTOR_ARMS = ("real-only", "perfect provenance filter", "detector-filter:0.5",
                 "perfect provenance filter, matched epochs", "detector-filter:0.5, matched epochs")


def test_the_detector_control_claims_see_nothing_where_every_arm_ends_alike():
    assert true_ones(claims.detector_controls(detector_world(dict.fromkeys(DETECTOR_ARMS, 120.0)))) == []


def test_the_detector_control_claims_hold_where_extra_passes_explain_the_detectors_lead():
    # more passes lower FD by 20; letting generated images in costs 5; 400 steps cost 30
    ends = {"real-only": 120.0, "perfect provenance filter": 100.0, "detector-filter:0.5": 105.0,
            "perfect provenance filter, matched epochs": 130.0, "detector-filter:0.5, matched epochs": 135.0}
    found = claims.detector_controls(detector_world(ends, discarded_tail=0.15, kept_tail=0.11))
    assert all(c.holds for c in found)
    assert [round(c.value, 6) for c in found] == [-20.0, 5.0, 15.0, 30.0, 0.04]
    # a detector that discards real digits at random: no tail preference
    found = claims.detector_controls(detector_world(ends, discarded_tail=0.11, kept_tail=0.11))
    assert [c.holds for c in found] == [True, True, True, True, False]


def test_the_detector_selection_claims_see_nothing_where_every_arm_ends_alike_and_read_the_decomposition():
    arms = DETECTOR_ARMS + ("its kept real digits only", "as many random real digits")
    assert true_ones(claims.detector_selection(detector_world(dict.fromkeys(arms, 120.0)))) == []
    # the detector's choice of real digits lowers FD by 8; the generated digits it admits add 3
    ends = {**dict.fromkeys(arms, 120.0), "as many random real digits": 110.0, "its kept real digits only": 102.0,
            "detector-filter:0.5": 105.0}
    found = claims.detector_selection(detector_world(ends))
    assert [c.holds for c in found] == [True, True] and [c.value for c in found] == [-8.0, 3.0]


def curation_world(fd, coverage=None):
    """The curation study's committed results on two seeds: ``fd[arm]`` (and ``coverage[arm]``,
    0.2 where not given) for every arm, the same on both seeds."""
    from collapselab.course.experiments import CURATION_ARMS

    arms = [name for name, *_ in CURATION_ARMS] + ["generation 0"]
    coverage = coverage or {}
    return {arm: {s: {"fd": fd[arm], "coverage": coverage.get(arm, 0.2)} for s in (35, 36)} for arm in arms}


def test_the_curation_claims_see_nothing_where_every_training_set_scores_alike():
    from collapselab.course.experiments import CURATION_ARMS

    found = claims.curation_study(curation_world({arm: 150.0 for arm in [n for n, *_ in CURATION_ARMS] + ["generation 0"]}))
    assert true_ones(found) == []


def test_the_curation_claims_hold_in_the_world_they_predict():
    fd = {"20 real": 180.0, "20 real + 200 uncurated": 240.0, "20 real + 200 balanced": 235.0,
          "20 real + 200 confident": 200.0, "20 real + 200 curated": 195.0, "20 real + 50 curated": 170.0,
          "20 real + 800 curated": 220.0, "100 real": 150.0, "100 real + 1000 uncurated": 260.0,
          "100 real + 1000 curated": 240.0, "generation 0": 115.0}
    found = claims.curation_study(curation_world(fd, {"20 real + 200 curated": 0.16, "20 real + 200 uncurated": 0.12}))
    assert all(c.holds for c in found)
    assert [round(c.value, 6) for c in found] == [-45.0, 0.04, -35.0, 50.0, -10.0, 90.0, 35.0]
    # the Alemohammad-style small dose that does not help
    fd["20 real + 50 curated"] = 185.0
    assert [c.holds for c in claims.curation_study(curation_world(fd))][4] is False


def test_a_margin_is_the_worst_seeds_distance_to_the_threshold_in_seed_spreads():
    from pytest import approx

    assert claims.margin([0.5, 0.6, 0.7], 0.3) == approx(2.0)            # worst 0.5, spread 0.1
    assert claims.margin([0.5, 0.6, 0.7], (0.45, 1.0)) == approx(0.5)    # the nearer end of a range
    assert claims.margin([0.5, 0.5], 0.3) == float("inf")
    assert claims.margin([0.5], 0.3) is None and claims.margin([0.5, 0.6], None) is None


def test_sanity_checks_are_printed_apart_from_findings(capsys):
    claims.show([claims.claim("the copy is blurrier", True), claims.claim("the ruler works", True, sanity=True)])
    assert capsys.readouterr().out.splitlines() == [
        "the copy is blurrier: True", "", "sanity checks (the instruments work; not findings):", "  the ruler works: True"]


def test_gerstgrasser_ratio_refuses_a_generation_without_a_rise():
    import pytest

    with pytest.raises(ValueError, match="at least 1"):
        claims.gerstgrasser_ratio(0)


def test_findings_read_the_latest_confirmation_table_of_a_notebook_and_flag_what_is_missing_or_fragile(
        tmp_path, monkeypatch, capsys):
    import json

    def table(seeds, values, text="the copy is blurrier"):
        return {"meta": {"role": "confirmation"},
                "claims": {"05": {str(s): [{"text": text, "holds": True, "value": v}] for s, v in zip(seeds, values)}}}

    # an early table, then the same wording confirmed again after a restatement, on new seeds
    (tmp_path / "early.json").write_text(json.dumps(table([5, 6], [9.0, 9.5])))
    (tmp_path / "late.json").write_text(json.dumps(table([10, 11, 12], [0.5, 0.6, 0.7])))
    monkeypatch.setattr(claims, "CONFIRMATION_TABLES", ("early.json", "late.json"))
    found = [claims.claim("the copy is blurrier", True, 0.6, 0.3), claims.claim("a new claim", True, 1.0, 0.5),
             claims.claim("the ruler works", True, sanity=True)]
    assert claims.findings(found, "05", root=tmp_path) is False          # "a new claim" was never confirmed
    out = capsys.readouterr().out
    assert "seeds (10, 11, 12;" in out and "9.5" not in out             # the early table is not pooled in
    assert "measured 0.6 [0.5, 0.7] (threshold 0.3); held on 3 of 3 seeds; margin 2 seed spreads" in out
    assert "a new claim\n    not confirmed yet" in out and "the ruler works" not in out
    # the worst seed (0.5) half a seed spread (0.1) from a threshold of 0.45: fragile
    assert claims.findings([claims.claim("the copy is blurrier", True, 0.6, 0.45)], "05", root=tmp_path) is True
    assert "margin 0.5 seed spreads (fragile)" in capsys.readouterr().out


def test_the_sampler_by_fit_claims_read_damage_beyond_the_control_and_the_interaction():
    from collapselab.course.experiments import LongRuns

    def rows(spread_end, fd_end):
        return [{"latent_spread": 1.0, "fd": 100.0}, {"latent_spread": spread_end, "fd": fd_end}]

    # per arm (latent spread, FD) at the last generation, the same on both seeds
    ends = {"means, 800 steps": (0.60, 300), "bernoulli, 800 steps": (0.80, 250), "real-only, 800 steps": (0.98, 110),
            "means, 1,600 steps": (0.70, 240), "bernoulli, 1,600 steps": (0.85, 220), "real-only, 1,600 steps": (0.99, 100)}
    results = LongRuns({arm: {s: rows(*end) for s in (15, 16)} for arm, end in ends.items()}, [])
    assert results.change("means, 800 steps", "fd", control="real-only, 800 steps") == {15: 190.0, 16: 190.0}
    found = claims.fit_and_sampler(results)
    values = [round(c.value, 6) for c in found]
    # latent spread: means gain 0.09 (0.10 - 0.01 of the control), bernoulli 0.04, interaction 0.05;
    # FD: means gain 50 (60 less rise, 10 of it the control's), bernoulli 20, interaction 30
    assert values == [0.09, 0.04, 0.05, 50.0, 20.0, 30.0, 0.15, 0.14]
    assert all(c.holds for c in found)
    # no interaction: a better fit saves the same under both samplers
    ends["bernoulli, 1,600 steps"] = (0.90, 190)
    flat = LongRuns({arm: {s: rows(*end) for s in (15, 16)} for arm, end in ends.items()}, [])
    assert [c.holds for c in claims.fit_and_sampler(flat)][2::3] == [False, False]


def test_the_findings_box_marks_this_runs_verdicts_beside_the_confirmed_effects(tmp_path, monkeypatch, capsys):
    import json

    confirmed = {"meta": {"role": "confirmation"}, "claims": {"05": {
        str(s): [{"text": "the copy is blurrier", "holds": True, "value": v},
                 {"text": "it got sharper", "holds": h, "value": w}]
        for s, v, h, w in ((10, 0.5, True, 2.0), (11, 0.6, True, 2.1), (12, 0.7, False, 0.9))}}}
    (tmp_path / "late.json").write_text(json.dumps(confirmed))
    monkeypatch.setattr(claims, "CONFIRMATION_TABLES", ("late.json",))
    found = [claims.claim("the copy is blurrier", True, 0.6, 0.45), claims.claim("it got sharper", True, 2.0, 1.0),
             claims.claim("the ruler works", True, sanity=True), claims.claim("the scale works", False, sanity=True)]
    assert claims.findings_box(found, "05", root=tmp_path) is False
    assert capsys.readouterr().out.splitlines() == [
        "Findings (✓ held in this run; seeds: mean [min, max] over 3 confirmation seeds):",
        "✓ the copy is blurrier (this run: 0.6)",
        "    seeds: 0.6 [0.5, 0.7], threshold 0.45; fragile (worst seed 0.5 standard deviations from it)",
        "✓ it got sharper (this run: 2)",
        "    seeds: 1.67 [0.9, 2.1], threshold 1; FAILED on 1 of 3 seeds",
        "Instruments: 1 of 2 sanity checks pass; FAILED: the scale works"]
    # where the table has the real-only control's value of the same measurement, it is shown beside
    confirmed["claims"]["05"]["10"][0]["control"] = 0.98
    confirmed["claims"]["05"]["11"][0]["control"] = 0.99
    (tmp_path / "late.json").write_text(json.dumps(confirmed))
    claims.findings_box([claims.claim("the copy is blurrier", True, 0.6, 0.45, control=0.97, measure="its blur")],
                        "05", root=tmp_path)
    assert capsys.readouterr().out.splitlines()[1:3] == [
        "✓ the copy is blurrier (this run: its blur = 0.6)",
        "    seeds: 0.6 [0.5, 0.7], threshold 0.45; real-only control: 0.985 [0.98, 0.99] (this run: 0.97); "
        "fragile (worst seed 0.5 standard deviations from it)"]
    # a finding that fails in this run is marked, and one never confirmed says so
    assert claims.findings_box([claims.claim("the copy is blurrier", False, 0.4, 0.45),
                                claims.claim("a new claim", True, 1.0, 0.5)], "05", root=tmp_path) is False
    out = capsys.readouterr().out
    assert "✗ the copy is blurrier (this run: 0.4)\n" in out and "✓ a new claim (this run: 1)\n    not confirmed yet" in out


def test_claims_from_committed_results_can_be_shown_with_marks_and_their_values(capsys):
    claims.show([claims.claim("the copy is blurrier", True, 0.6, 0.45),
                 claims.claim("it got sharper", False, -1.0, 0.0, measure="worst seed's change")],
                values=True, marks=True)
    assert capsys.readouterr().out.splitlines() == ["✓ the copy is blurrier  (measured: 0.6; threshold 0.45)",
                                                    "✗ it got sharper  (measured: worst seed's change = -1; threshold 0)"]


def test_the_protocol_study_claims_read_the_worst_seed_of_the_committed_file():
    def rows(d2, tail, ppl):
        return [{"distinct_2": d, "gen0_log_ppl_p95": t, "gen0_log_ppl_p50": 0.0, "real_perplexity": p}
                for d, t, p in zip(d2, tail, ppl)]

    arms = {"unprompted, T = 0.5": rows([0.5, 0.1], [0.08, 0.04], [6.4, 7.0]),
            "prompted, T = 0.5": rows([0.5, 0.2], [0.08, 0.02], [6.4, 7.0]),
            "prompted, beam 5": rows([0.05, 0.05], [0.03, 0.03], [6.4, 11.0]),
            "prompted, T = 0.5, 4x steps, best checkpoint": rows([0.5, 0.3], [0.08, 0.09], [6.5, 7.5]),
            "real-only, 4x steps, best checkpoint": rows([0.9, 0.9], [0.15, 0.15], [6.5, 5.9])}
    result = {"runs": [{"arm": arm, "seed": s, "rows": r} for arm, r in arms.items() for s in (20, 21)]}
    found = claims.protocol_study(result)
    assert [c.holds for c in found] == [True, False, False, True, True, True]
    assert found[1].value == 0.6 and round(found[2].value, 6) == 1.125 and found[3].value == 0.1


def test_the_controls_study_claims_of_notebook_07_see_no_effect_where_there_is_none():
    row = {"real_perplexity": 6.4, "distinct_2": 0.5, "repetition": 0.0}
    arms = ("replace", "keep 10% fresh", "keep 10% original", "real-only", "real repeat", "real-only, T = 0.5")
    result = {"runs": [{"arm": arm, "seed": seed, "rows": [dict(row, generation=g) for g in range(5)]}
                       for arm in arms for seed in (45, 46)]}
    assert true_ones(claims.controls_study(result)) == sorted([
        # where nothing moves, retraining does not move perplexity, and T = 0.5 text does not collapse
        "real repeat (generation 0's own text again, a new seed each generation): real-text perplexity stays within "
        "2% of generation 0's in every generation (retraining alone barely moves it)",
        "real-only, T = 0.5: retrained on real text, its T = 0.5 text keeps at least 80% of generation 0's distinct-2 "
        "at generation 4",
        "real-only, T = 0.5: retrained on real text, fewer than 1% of its word triples repeat within a passage at "
        "generation 4",
    ])
    assert [c.sanity for c in claims.controls_study(result)] == [False] * 5 + [True] * 2
    rises = [dict(row, generation=g, real_perplexity=6.4 * (1 + 0.01 * g)) for g in range(5)]
    next(r for r in result["runs"] if r["arm"] == "real repeat")["rows"] = rises   # one seed drifts 4 %: over the tolerance
    assert not claims.controls_study(result)[0].holds
