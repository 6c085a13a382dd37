"""The course's trained-model experiments, defined once.

Notebooks 04-07 run these configurations, ``python -m collapselab warm`` trains and caches them,
and ``benchmarks/claims.py`` reruns them for several seeds to establish which claims hold. Defining
them here keeps the three in step: a notebook cannot quietly run something the claims table never
checked.

Each function takes a ``seed`` and returns ``{arm name: configuration}``. The arms of one
experiment differ in exactly one setting from a shared baseline (and all start from the same
generation 0), so any difference between them is caused by that setting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .. import cache, data, seeds, training
from ..images import vae
from ..images.metrics import blur
from ..images.photocopier import GENERATION_ZERO, Lab, RunConfig, generation_zero

#: generations after generation 0 in notebook 05
DECOMPOSITION_GENERATIONS = 3
#: generations after generation 0 in notebook 06 (fewer: it compares six policies in the same time)
DEFENCE_GENERATIONS = 2


def decomposition(seed: int = 0) -> dict[str, RunConfig]:
    """Notebook 05: which error source drives the image photocopier?

    * ``replace``: the photocopier: each generation trains on 10,000 decoder-mean samples of its
      predecessor;
    * ``bernoulli``: the same, but the samples are Bernoulli draws of every pixel (what the model's
      distribution actually generates) instead of decoder means: isolates the sampler's bias;
    * ``3x samples``: the same as ``replace`` with 30,000 samples per generation and the same number
      of gradient steps: isolates the statistical (finite-sample) error;
    * ``real-only``: the control: every generation trains on 10,000 fresh real images: the noise
      floor of every metric (retraining alone, no recursion).
    """
    base = RunConfig(generations=DECOMPOSITION_GENERATIONS, seed=seed)
    return {
        "replace": base,
        "bernoulli": base.changed(sampling="bernoulli"),
        "3x samples": base.changed(sample_size=3 * base.n_images),
        "real-only": base.changed(policy="real-only"),
    }


#: seeds of notebook 05's sampler x fit runs: never used before by any claim of the course
FIT_AND_SAMPLER_SEEDS = (15, 16, 17, 18, 19)


def fit_and_sampler(seed: int = 0) -> dict[str, RunConfig]:
    """Notebook 05's 2 x 2 (committed results: ``python benchmarks/long_run.py --groups
    fit-and-sampler``): the sampler (decoder means or Bernoulli samples) crossed with the fit's
    step budget (generation 0's 800 steps, or twice that in every later generation), each with the
    real-only control at the same budget, over :data:`DECOMPOSITION_GENERATIONS` generations. Only
    one setting differs between neighbouring arms, so the effect of each factor, and whether the
    effect of one depends on the other (their interaction), is measured, not assumed."""
    base = RunConfig(generations=DECOMPOSITION_GENERATIONS, seed=seed)
    arms = {}
    for budget, steps in (("fixed", "800"), ("doubled", "1,600")):
        config = base.changed(budget=budget)
        arms[f"means, {steps} steps"] = config
        arms[f"bernoulli, {steps} steps"] = config.changed(sampling="bernoulli")
        arms[f"real-only, {steps} steps"] = config.changed(policy="real-only")
    return arms


def defences(seed: int = 0) -> dict[str, RunConfig]:
    """Notebook 06: the data policies of notebook 03, on the image photocopier, from the same
    generation 0 and with the same control. ``accumulate (growing)`` differs from ``accumulate``
    only in its step budget (epochs fixed, so steps grow with the training set), to test whether
    the fixed budget is what limits accumulation."""
    base = RunConfig(generations=DEFENCE_GENERATIONS, seed=seed)
    return {
        "replace": base,
        "real-only": base.changed(policy="real-only"),
        "accumulate": base.changed(policy="accumulate"),
        "accumulate (growing)": base.changed(policy="accumulate", budget="growing"),
        "mix:0.5": base.changed(policy="mix:0.5"),
        "detector-filter:0.5": base.changed(policy="detector-filter:0.5"),
    }


# --- notebook 06 over ten generations (committed results: benchmarks/long_run.py) ---------------

#: generations after generation 0 of the long runs that notebook 06 plots from committed results
LONG_GENERATIONS = 10
#: seeds of the long runs of the named defences
LONG_SEEDS = (0, 1, 2, 3, 4)
#: fresh-real fractions of the dose-response (``mix:<f>``; 0.5 is one of the named defences)
DOSE_FRACTIONS = (0.1, 0.25, 0.5, 0.75)
#: seeds of the dose-response and of the compute-matched arms
DOSE_SEEDS = (0, 1, 2)
#: generations of the compute-matched arms (their steps grow with the generation: 5 generations
#: cost as much as 15 of a fixed budget)
MATCHED_GENERATIONS = 5


def long_runs(seed: int = 0) -> dict[str, RunConfig]:
    """Notebook 06's committed long runs for ``seed``: the named defences over
    :data:`LONG_GENERATIONS` generations (the arms of :func:`defences` without the detector)."""
    arms = defences(seed)
    del arms["detector-filter:0.5"]
    return {name: config.changed(generations=LONG_GENERATIONS) for name, config in arms.items()}


def dose_response(seed: int = 0) -> dict[str, RunConfig]:
    """The fresh-fraction dose-response: ``mix:<f>`` for every :data:`DOSE_FRACTIONS` but 0.5
    (a named defence already), over :data:`LONG_GENERATIONS` generations."""
    base = RunConfig(generations=LONG_GENERATIONS, seed=seed)
    return {f"mix:{f}": base.changed(policy=f"mix:{f}") for f in DOSE_FRACTIONS if f != 0.5}


def compute_matched(seed: int = 0) -> dict[str, RunConfig]:
    """The compute-matched controls of the budget question: ``replace`` and ``real-only`` with the
    steps ``accumulate (growing)`` gets (``budget="matched"``: ``g + 1`` times generation 0's),
    over :data:`MATCHED_GENERATIONS` generations."""
    base = RunConfig(generations=MATCHED_GENERATIONS, seed=seed, budget="matched")
    return {"replace (matched steps)": base, "real-only (matched steps)": base.changed(policy="real-only")}


#: seeds of notebook 06's detector controls: never used by any image experiment or claim before them
DETECTOR_CONTROL_SEEDS = (30, 31, 32, 33, 34)
#: the real digits in each generation of the detector's stream: ``mix:0.5`` of 10,000
STREAM_REAL = 5_000


def detector_controls(seed: int = 30) -> dict[str, RunConfig]:
    """What the detector filter's low FD in notebook 06 is made of, over
    :data:`DEFENCE_GENERATIONS` generations (committed results: ``python benchmarks/long_run.py
    --groups detector-controls``). Each generation's stream is ``mix:0.5``: 5,000 new samples plus
    :data:`STREAM_REAL` fresh real digits, and the filter keeps about half of it. Neighbouring
    arms differ in one thing:

    * ``real-only``: the control, 10,000 fresh real digits and 800 steps a generation;
    * ``perfect provenance filter``: only the stream's 5,000 real digits (a filter that knows every
      image's source), the same 800 steps: twice the passes over each image;
    * ``detector-filter:0.5``: notebook 06's detector filter, the same 800 steps (it keeps some
      generated images and throws some real ones away);
    * ``detector-filter:0.5, matched epochs`` and ``perfect provenance filter, matched epochs``:
      the same, with generation 0's 20 passes over whatever set they train on (about 400 steps);
    * added later, with their own claims (:func:`collapselab.course.claims.detector_selection`),
      to take the detector's set apart at the same 800 steps: ``its kept real digits only`` (no
      generated ones) and ``as many random real digits`` (the stream's real digits, as many as it
      keeps, chosen at random).
    """
    base = RunConfig(generations=DEFENCE_GENERATIONS, seed=seed)
    perfect = base.changed(policy="real-only", sample_size=STREAM_REAL)
    detector = base.changed(policy="detector-filter:0.5")
    return {
        "real-only": base.changed(policy="real-only"),
        "perfect provenance filter": perfect,
        "detector-filter:0.5": detector,
        "perfect provenance filter, matched epochs": perfect.changed(budget="growing"),
        "detector-filter:0.5, matched epochs": detector.changed(budget="growing"),
        "its kept real digits only": base.changed(policy="detector-kept-real:0.5"),
        "as many random real digits": base.changed(policy="random-kept-real:0.5"),
    }


#: the committed long runs (``python benchmarks/long_run.py``; provenance inside and in the README)
LONG_RUN_RESULTS = Path(__file__).resolve().parents[3] / "benchmarks" / "results" / "long-run.json"


@dataclass
class LongRuns:
    """The committed long runs of notebook 06, read from :data:`LONG_RUN_RESULTS`.

    Attributes:
        rows: ``{arm: {seed: [row per generation]}}``; a row holds the CLI's columns (``fd``,
            ``coverage``, ..., ``train_size``, ``real_share``) and the gradient ``steps``.
        provenance: one dict per invocation of the script (command, commit, machine, threads, date).
    """

    rows: dict
    provenance: list

    @property
    def arms(self) -> list[str]:
        """The arm names, in the order they were run."""
        return list(self.rows)

    def seeds(self, arm: str) -> list[int]:
        """The seeds ``arm`` was run with."""
        return sorted(self.rows[arm])

    def series(self, arm: str, metric: str = "fd") -> dict[int, np.ndarray]:
        """``{seed: metric per generation}`` of ``arm`` (generation 0 first)."""
        return {seed: np.array([row[metric] for row in rows], dtype=float) for seed, rows in sorted(self.rows[arm].items())}

    def band(self, arm: str, metric: str = "fd") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(mean, min, max)`` over seeds of ``metric`` per generation."""
        stacked = np.stack(list(self.series(arm, metric).values()))
        return stacked.mean(0), stacked.min(0), stacked.max(0)

    def change(self, arm: str, metric: str, control: str | None = None) -> dict[int, float]:
        """``{seed: change of metric from generation 0 to the last}`` of ``arm``, minus the same
        change of ``control`` on that seed when one is named (what the recursion did beyond
        retraining alone)."""
        change = {seed: float(v[-1] - v[0]) for seed, v in self.series(arm, metric).items()}
        if control is not None:
            baseline = self.change(control, metric)
            change = {seed: value - baseline[seed] for seed, value in change.items()}
        return change

    def damage(self, sampler: str, steps: str, metric: str) -> dict[int, float]:
        """Notebook 05's 2 x 2: ``{seed: damage}`` of the arm ``"{sampler}, {steps} steps"``
        (``sampler`` "means" or "bernoulli", ``steps`` "800" or "1,600"): its change of ``metric``
        from generation 0 to the last, minus the real-only control's at the same step budget."""
        return self.change(f"{sampler}, {steps} steps", metric, control=f"real-only, {steps} steps")

    def step_gain(self, sampler: str, metric: str) -> dict[int, float]:
        """Notebook 05's 2 x 2: ``{seed: what doubling the steps saves}`` under ``sampler``, the
        damage at 800 steps minus the damage at 1,600, signed so that a gain is positive: less
        latent spread lost (``metric == "latent_spread"``), or less rise (any other metric, e.g. FD)."""
        sign = 1 if metric == "latent_spread" else -1
        low, high = self.damage(sampler, "800", metric), self.damage(sampler, "1,600", metric)
        return {seed: sign * (high[seed] - low[seed]) for seed in low}

    def fd(self) -> dict[str, dict[int, np.ndarray]]:
        """``{arm: {seed: FD per generation}}``, what :func:`collapselab.course.claims.long_runs` reads."""
        return {arm: self.series(arm, "fd") for arm in self.rows}


#: notebook 05's committed 2 x 2 (``python benchmarks/long_run.py --groups fit-and-sampler``)
FIT_AND_SAMPLER_RESULTS = LONG_RUN_RESULTS.with_name("fit-and-sampler.json")
#: notebook 06's detector controls (``python benchmarks/long_run.py --groups detector-controls``)
DETECTOR_CONTROL_RESULTS = LONG_RUN_RESULTS.with_name("detector-controls.json")


def long_run_results(path: Path = LONG_RUN_RESULTS) -> LongRuns:
    """Read committed long runs (see :class:`LongRuns`): notebook 06's by default, or another
    file of ``benchmarks/long_run.py`` (:data:`FIT_AND_SAMPLER_RESULTS`,
    :data:`DETECTOR_CONTROL_RESULTS`); a clear error if the file is missing."""
    path = Path(path)
    if not path.exists():
        command = {FIT_AND_SAMPLER_RESULTS.name: "python benchmarks/long_run.py --groups fit-and-sampler (about 20 minutes on 2 cores)",
                   DETECTOR_CONTROL_RESULTS.name: "python benchmarks/long_run.py --groups detector-controls (about 20 minutes on 2 cores)",
                   }.get(path.name, "python benchmarks/long_run.py (about 1.6 h on 2 cores)")
        raise FileNotFoundError(f"{path} is missing: it is committed with the course (git checkout it), or "
                                f"regenerate it with: {command}")
    raw = json.loads(path.read_text())
    rows: dict = {}
    for run in raw["runs"]:
        rows.setdefault(run["arm"], {})[int(run["seed"])] = run["rows"]
    return LongRuns(rows, raw["provenance"])


# --- notebook 07: the protocol study (committed) -------------------------------------------------

#: notebook 07's committed protocol study (``python benchmarks/protocol_study.py``)
PROTOCOL_STUDY_RESULTS = LONG_RUN_RESULTS.with_name("protocol-study.json")


@dataclass
class ProtocolStudy:
    """A committed study of notebook 07 (the protocol study, :func:`collapselab.text.photocopier.protocol_study`,
    or the controls study, :func:`~collapselab.text.photocopier.controls_study`): ``result`` is the
    file as parsed; ``arms`` the arm names in the order they were run."""

    result: dict

    @property
    def arms(self) -> list[str]:
        return list(dict.fromkeys(r["arm"] for r in self.result["runs"]))

    def series(self, arm: str, key: str) -> np.ndarray:
        """``(seeds, generations + 1)``: ``key`` per generation for every seed of ``arm``; ``"tail"``
        is the 95th percentile of the written text's log-perplexity under generation 0 minus its median."""
        value = ((lambda row: row["gen0_log_ppl_p95"] - row["gen0_log_ppl_p50"]) if key == "tail"
                 else (lambda row: row[key]))
        return np.array([[value(row) for row in r["rows"]] for r in self.result["runs"] if r["arm"] == arm])

    def band(self, arm: str, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, min and max over seeds of :meth:`series`, per generation."""
        values = self.series(arm, key)
        return values.mean(0), values.min(0), values.max(0)

    def pretrained_test_half(self) -> list[float]:
        """Per seed, the pre-trained model's perplexity on the held-out text's test half."""
        return [v["test_half_perplexity"] for v in self.result["pretrained"].values()]

    def generation_zero_test_half(self, arm: str = "prompted, T = 0.5, 4x steps, best checkpoint") -> list[float]:
        """Per seed, generation 0's perplexity on the test half, for an arm that picks its checkpoint."""
        return [float(v) for v in self.series(arm, "real_perplexity")[:, 0]]


def protocol_study_results(path: Path = PROTOCOL_STUDY_RESULTS) -> ProtocolStudy:
    """Read notebook 07's committed protocol study; a clear error if the file is missing."""
    return _text_study(path, "python benchmarks/protocol_study.py (about 40 minutes on 2 cores)")


#: notebook 07's committed controls study (:func:`collapselab.text.photocopier.controls_study`), and
#: the same arms on five more seeds, run after three claim sentences were narrowed on the first five
TEXT_CONTROLS_RESULTS = LONG_RUN_RESULTS.with_name("text-controls.json")
TEXT_CONTROLS_CONFIRMATION = LONG_RUN_RESULTS.with_name("text-controls-seeds-50-54.json")


def text_controls_results(path: Path = TEXT_CONTROLS_RESULTS) -> ProtocolStudy:
    """Read notebook 07's committed controls study (the same file format as the protocol study's);
    a clear error if the file is missing."""
    return _text_study(path, "python benchmarks/protocol_study.py --study controls (about 30 minutes on 2 cores)")


def _text_study(path: Path, command: str) -> ProtocolStudy:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: it is committed with the course (git checkout it), or "
                                f"regenerate it with: {command}")
    return ProtocolStudy(json.loads(path.read_text()))


# --- notebook 06: can curated synthetic data help? ----------------------------------------------

#: the two small real sets of the curated-synthetic experiment: very scarce and scarce real data
#: (the scarce set contains the very scarce one)
SMALL_SETS = (20, 100)
#: synthetic images added to a small real set, as a multiple of its size
DOSE = 10
#: gradient steps of every VAE of the curated-synthetic experiment (its training sets hold 20 to
#: 1,100 images: 300 steps already pass over each image 60 to 3,000 times)
SMALL_STEPS = 300
#: a synthetic image is kept by the curator when it is this sure of its digit
CURATOR_CONFIDENCE = 0.9


@dataclass
class SmallRealSet:
    """The curated-synthetic experiment of one seed: VAEs trained on a small real set, alone or with
    synthetic images from generation 0 (which learned from 10,000 real images) added, curated or not.

    Attributes:
        arms: ``{name: metrics}`` for every training set (see :func:`small_real_set`).
        sizes: ``{name: (real images, synthetic images)}``.
        curated_share: the share of generation 0's samples that the curator kept.
        real_sizes: the sizes of the small real sets (:data:`SMALL_SETS`).
        dose: synthetic images added, as a multiple of the real set's size (:data:`DOSE`).
    """

    arms: dict
    sizes: dict
    curated_share: float
    real_sizes: tuple = SMALL_SETS
    dose: int = DOSE


def _curate(images: torch.Tensor, probabilities: torch.Tensor, n: int, *, confident: bool = True,
            balanced: bool = True) -> tuple[torch.Tensor, float]:
    """``n`` of ``images`` (in their order) chosen by the curator, whose class ``probabilities``
    for them (shape ``(len(images), 10)``, computed once by the caller) decide, and the share of all
    images it recognises with confidence >= CURATOR_CONFIDENCE. ``confident``: only those; ``balanced``: as
    many of each digit (by the curator's guess). Both (the default) is notebook 06's curated set:
    balanced, not just filtered; neither is the first ``n``, uncurated."""
    confidence, digit = probabilities.max(dim=1)
    sure = confidence >= CURATOR_CONFIDENCE
    allowed = sure if confident else torch.ones_like(sure)
    if balanced:
        per_digit = [torch.nonzero(allowed & (digit == d))[:, 0] for d in range(10)]
        quota = n // 10
        if min(len(p) for p in per_digit) < quota:
            raise ValueError(f"the curator kept too few images of some digit for a balanced set of {n}; draw more samples")
        keep = torch.cat([p[:quota] for p in per_digit]).sort().values
    else:
        keep = torch.nonzero(allowed)[:, 0][:n]
        if len(keep) < n:
            raise ValueError(f"the curator kept {len(keep)} images, fewer than {n}; draw more samples")
    return images[keep], float(sure.float().mean())


def small_real_arms() -> list[str]:
    """The arm names of :func:`small_real_set`, in order."""
    few, more = SMALL_SETS
    return [f"{few} real", f"{few} real + {DOSE * few} curated", f"{few} real + {DOSE * few} uncurated",
            f"{more} real", f"{more} real + {DOSE * more} curated"]


def small_real_set(lab: Lab, seed: int = 0) -> SmallRealSet:
    """Train (or load) the VAEs of the curated-synthetic experiment for ``seed`` and score them.

    Every VAE uses generation 0's recipe with :data:`SMALL_STEPS` gradient steps. For each small
    real set of :data:`SMALL_SETS` (real digits generation 0 never saw): the real set alone, and
    with :data:`DOSE` times as many curated synthetic digits from generation 0 added; for the
    smaller set also with as many *uncurated* synthetic digits (as generation 0 wrote them)."""
    config = RunConfig(seed=seed)
    pool = lab.real_split(config).fresh
    chosen = seeds.rng(seed, "small real set").choice(pool, max(SMALL_SETS), replace=False)
    gen0 = generation_zero(lab, config).model
    most = DOSE * max(SMALL_SETS)
    synthetic = gen0.sample(20 * most, seed=seeds.derive(seed, "small real set synthetic"))
    curator = lab.second  # not the evaluation classifier: curation and measurement never share a network
    curated, share = _curate(synthetic, curator.probabilities(synthetic), most)
    names = iter(small_real_arms())
    sets = {}
    for n in SMALL_SETS:
        real = lab.images[np.sort(chosen[:n])]
        sets[next(names)] = (real, None)
        pick = seeds.rng(seed, "small real set curated", n).permutation(most)[: DOSE * n]
        sets[next(names)] = (real, curated[torch.from_numpy(pick)])
        if n == min(SMALL_SETS):
            sets[next(names)] = (real, synthetic[: DOSE * n])
    arms, sizes = {}, {}
    for i, (name, (real, extra)) in enumerate(sets.items()):
        images = real if extra is None else torch.cat([real, extra])
        arms[name] = _small_set_scores(lab, config, images, "small-real-set", name, seeds.derive(seed, "small real set train", i))
        sizes[name] = (len(real), 0 if extra is None else len(extra))
    return SmallRealSet(arms, sizes, share)


def _small_set_scores(lab: Lab, config: RunConfig, images: torch.Tensor, experiment: str, arm: str, seed: int) -> dict:
    """Train (or load) a VAE with generation 0's recipe and :data:`SMALL_STEPS` steps on ``images``
    (shape ``(n, 784)``), cached under ``experiment`` and ``arm``, and score
    :data:`~collapselab.images.photocopier.EVAL_IMAGES` of its samples like a generation."""
    settings = replace(GENERATION_ZERO, epochs=training.epochs_for(SMALL_STEPS, len(images), GENERATION_ZERO.batch_size),
                       seed=seed)
    key = {**config.key(0), "experiment": experiment, "arm": arm, "vae": settings.as_dict(),
           "curator": lab.second.config.as_dict(), "confidence": CURATOR_CONFIDENCE}
    state = cache.load_or_build(f"vae-{experiment}", key,
                                lambda: vae.train(images, settings, progress=False).state(), root=lab.root)
    model = vae.TrainedVAE.from_state(state).model
    return lab.score_images(model.sample(config.n_eval, seed=config.seed_for("evaluate", 0)))


#: seeds of notebook 06's curation study: never used by any image experiment or claim before it
CURATION_SEEDS = (35, 36, 37, 38, 39)
#: the curation study's synthetic sets for the 20-digit real set: ``(arm, synthetic digits,
#: confident only, balanced)``; ``(None)`` marks the real set alone
CURATION_ARMS = (("20 real", 0, None, None),
                 ("20 real + 200 uncurated", 200, False, False),
                 ("20 real + 200 balanced", 200, False, True),
                 ("20 real + 200 confident", 200, True, False),
                 ("20 real + 200 curated", 200, True, True),
                 ("20 real + 50 curated", 50, True, True),
                 ("20 real + 800 curated", 800, True, True),
                 ("100 real", 0, None, None),
                 ("100 real + 1000 uncurated", 1000, False, False),
                 ("100 real + 1000 curated", 1000, True, True))


def curation_study(lab: Lab, seed: int = 35) -> dict[str, dict]:
    """Notebook 06's curation study (committed results: ``python benchmarks/curation_study.py``):
    what, in "curated synthetic digits", does what? VAEs trained as in :func:`small_real_set`
    (generation 0's recipe, :data:`SMALL_STEPS` steps) on a small set of real digits that
    generation 0 never saw, alone or with synthetic digits from generation 0, chosen by the curator
    (the second classifier) four ways: uncurated (as written), **balanced** (as many of each digit,
    any confidence), **confident** (confidence >= 0.9, any digit) and **curated** (both); the
    curated set also at three doses (50, 200, 800 for 20 real digits). Returns ``{arm: metrics}``
    (the arms of :data:`CURATION_ARMS`, then ``"generation 0"``, the synthetic digits' source), each
    scored on :data:`~collapselab.images.photocopier.EVAL_IMAGES` samples, like every generation."""
    config = RunConfig(seed=seed)
    pool = lab.real_split(config).fresh
    sizes = sorted({int(name.split()[0]) for name, *_ in CURATION_ARMS})
    chosen = seeds.rng(seed, "curation study real").choice(pool, max(sizes), replace=False)
    gen0 = generation_zero(lab, config).model
    most = max(extra for _, extra, _, _ in CURATION_ARMS)
    synthetic = gen0.sample(20 * most, seed=seeds.derive(seed, "curation study synthetic"))
    curator = lab.second  # not the evaluation classifier: curation and measurement never share a network
    judged = curator.probabilities(synthetic)          # once: every arm picks from the same samples
    found = {}
    for i, (name, extra, confident, balanced) in enumerate(CURATION_ARMS):
        real = lab.images[np.sort(chosen[: int(name.split()[0])])]
        images = real
        if extra:
            picked, _ = _curate(synthetic, judged, extra, confident=confident, balanced=balanced)
            images = torch.cat([real, picked])
        found[name] = _small_set_scores(lab, config, images, "curation-study", name,
                                        seeds.derive(seed, "curation study train", i))
    found["generation 0"] = lab.score_images(gen0.sample(config.n_eval, seed=config.seed_for("evaluate", 0)))
    return found


#: notebook 06's committed curation study (``python benchmarks/curation_study.py``)
CURATION_RESULTS = LONG_RUN_RESULTS.with_name("curation-study.json")


def curation_results(path: Path = CURATION_RESULTS) -> dict[str, dict[int, dict]]:
    """The committed curation study as ``{arm: {seed: metrics}}`` (what
    :func:`collapselab.course.claims.curation_study` reads); a clear error if the file is missing."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: it is committed with the course (git checkout it), or "
                                "regenerate it with: python benchmarks/curation_study.py (about 10 minutes on 2 cores)")
    found: dict = {}
    for run in json.loads(path.read_text())["runs"]:
        for arm, metrics in run["arms"].items():
            found.setdefault(arm, {})[int(run["seed"])] = metrics
    return found


# --- notebook 04: calibrating the metrics -------------------------------------------------------

#: the blur of the blurred-real calibration set, in pixels
BLUR_SIGMA = 1.0
#: how much longer the "is generation 0 strong enough?" check trains it
LONGER = 1.6


def calibration_sets(lab: Lab, generation0: vae.VAE, seed: int = 0) -> dict[str, torch.Tensor]:
    """Image sets of known quality, :data:`~collapselab.images.photocopier.EVAL_IMAGES` each, to score
    every metric on before trusting it: other real digits (the best a generator can do), uniform
    noise (the worst), a generator that only ever draws real 1s (realistic but with no variety),
    real digits blurred by :data:`BLUR_SIGMA` pixels (right shapes, soft strokes: like a VAE's
    decoder means) and generation 0's own samples."""
    config = RunConfig(seed=seed)
    n = config.n_eval
    real = _unseen_real(lab, seed)
    ones = np.flatnonzero(lab.labels.numpy() == 1)
    return {
        "real": real,
        "noise": _noise(seed),
        "only 1s": lab.images[np.sort(seeds.rng(seed, "only 1s").choice(ones, n, replace=False))],
        "blurred real": blur(real, BLUR_SIGMA),
        "generation 0": generation0.sample(n, seed=config.seed_for("evaluate", 0)),
    }


def reference_levels(lab: Lab, seed: int = 0) -> dict[str, dict]:
    """Every metric of the ``real`` and ``noise`` sets of :func:`calibration_sets` (the same images):
    the best and worst levels that notebooks 05-06 draw as reference lines on their metric plots."""
    return {"real": lab.score_images(_unseen_real(lab, seed)), "noise": lab.score_images(_noise(seed))}


def _unseen_real(lab: Lab, seed: int) -> torch.Tensor:
    """A class-balanced set of real training digits that generation 0 (of ``seed``) never saw
    (drawn from the pool of fresh real digits)."""
    config = RunConfig(seed=seed)
    fresh = lab.real_split(config).fresh
    pick = data.balanced_subset(lab.labels.numpy()[fresh], config.n_eval, seed=seeds.derive(seed, "unseen real"))
    return lab.images[fresh[pick]]


def _noise(seed: int) -> torch.Tensor:
    """Uniform noise images, as many as a generation's scored samples."""
    return torch.rand(RunConfig().n_eval, 784, generator=training.generator(seeds.derive(seed, "noise")))


def longer_generation_zero(lab: Lab, seed: int = 0) -> vae.TrainedVAE:
    """Generation 0's recipe trained :data:`LONGER` times as many steps (cached): does more
    training change generation 0 much?"""
    config = RunConfig(seed=seed)
    real, _ = lab.real_data(config)
    settings = replace(config.vae_config(0, len(real)), epochs=round(GENERATION_ZERO.epochs * LONGER))
    key = {**config.key(0), "vae": settings.as_dict(), "experiment": "longer"}
    state = cache.load_or_build("vae-longer", key, lambda: vae.train(real, settings, progress=False).state(),
                                root=lab.root)
    return vae.TrainedVAE.from_state(state)
