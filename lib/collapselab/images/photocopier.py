"""The image photocopier: generations of VAEs on MNIST, one family of the trained-model photocopier.

Generation 0 trains on real MNIST digits; every later generation trains on a training set that a
policy builds from the previous generation's samples (and, for some policies, fresh real digits).
:func:`collapselab.photocopier.run` drives it (caching every generation's checkpoint and
metrics, deriving every seed); this module says how the VAE family trains, samples and scores:

* a :class:`RunConfig`: what varies between runs (policy, sampling, sample size, step budget,
  seed), with the VAE settings of :data:`GENERATION_ZERO` shared by every generation. Generation 0
  depends only on the real data, the VAE settings and the seed, so every run with the same seed
  shares it, and notebook 04 trains exactly the one that 05 and 06 copy;
* the **real data**: MNIST's 60,000 training digits cut three ways (:meth:`Lab.real_split`):
  generation 0's class-balanced subset, the pool of fresh real digits that policies mix in, and
  the detector's own real digits, never part of the stream it filters;
* metrics per generation (:mod:`collapselab.images.metrics`, on :data:`EVAL_IMAGES` decoder-mean
  samples against :data:`REFERENCE_IMAGES` real test digits), plus the **latent spread**: the spread
  of a generation's samples in the latent space of the generation-0 encoder, as Shumailov et al.
  measure it (1.0 = as spread out as generation 0's own samples);
* the **detector filter**, an image-only policy: a classifier trained each generation to tell
  real from generated images decides what to keep (``detector-filter:<fresh fraction>``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import torch

from .. import data, photocopier, policies, recursion, seeds, training
from .._checks import WrongTypeError, check_int
from . import metrics as image_metrics, vae
from .classifier import Classifier, ClassifierConfig, load_or_train as load_classifier

#: the metrics recorded for every generation (plus ``histogram``, the share of each predicted digit)
METRICS = ("fd", "precision", "recall", "density", "coverage", "class_entropy", "kl_uniform", "confidence",
           "pixel_diversity", "tail_share", "latent_spread")

#: generated images scored per generation, everywhere in the course (FD and the k-NN metrics depend on it)
EVAL_IMAGES = 5000
#: real test images in the metric reference (a class-balanced subset of the 10,000)
REFERENCE_IMAGES = 5000

#: the VAE of every generation: the defaults of :class:`collapselab.images.vae.VAEConfig` (one source of
#: truth), 20 epochs over 10,000 images (800 steps of 256), about 6 s on a 2-core CPU. Chosen by a
#: sweep (hidden 128 to 512, batch 128 to 512, learning rates, 10,000 or 20,000 images, 15 to 40
#: epochs) for the lowest FD at a cost that lets notebooks 05-06 train a dozen generations within
#: their budgets; notebook 04 measures what 60 % more steps change.
GENERATION_ZERO = vae.VAEConfig()

#: gradient-step budgets of a generation (see :class:`RunConfig`)
BUDGETS = ("fixed", "growing", "matched", "doubled")

#: the most images a run may draw or score per generation (MNIST's 60,000 training digits)
MAX_IMAGES = 60_000

#: a second, smaller digit classifier (another seed, a fifth of the data) for the jobs that must not
#: use the instrument that measures: the detector filter judges images by its features, and the
#: curated-synthetic experiment of notebook 06 curates with it. Its seed is offset by the
#: evaluation classifier's, so every seed of the claims table gets its own.
SECOND_OPINION = ClassifierConfig(epochs=3, n_train=12_000, seed=101)

#: real training digits set aside for the detector filter (it draws 2 x 2,000 of them per
#: generation): they are never in generation 0's training set nor in the pool of fresh real digits
#: that the policies mix into the stream the detector filters
DETECTOR_IMAGES = 10_000


@dataclass(frozen=True)
class RunConfig(photocopier.PhotocopierConfig):
    """One recursive run of the image photocopier. Defaults: notebook 05's photocopier.

    Attributes:
        generations: generations after generation 0.
        policy: a registered policy name: ``replace``, ``accumulate``, ``accumulate-subsample``,
            ``provenance-accumulate``, ``mix:<fraction>``, ``real-only`` or
            ``detector-filter:<fresh fraction>``.
        n_eval: generated images scored per generation (at most 60,000).
        seed: the run's seed: the real subset, every generation's training, sampling and
            evaluation are derived from it.
        n_images: real images (a class-balanced subset) that generation 0 trains on (at most 30,000).
        sample_size: new images drawn per generation (default: ``n_images``).
        sampling: how a generated image is drawn: ``"mean"`` (decoder means, grey and smooth) or
            ``"bernoulli"`` (every pixel drawn 0/1 from the decoder's probabilities).
        budget: ``"fixed"``: every generation gets as many gradient steps as generation 0 (a
            larger training set gets proportionally fewer epochs); ``"growing"``: every generation
            gets ``vae.epochs`` epochs, so steps grow with the training set; ``"matched"``:
            generation ``g`` gets ``g + 1`` times generation 0's steps whatever its training set,
            the steps that ``accumulate`` gets with a growing budget (the compute-matched control
            for it: ``replace`` or ``real-only`` with as much training as accumulation gets);
            ``"doubled"``: every later generation gets twice generation 0's steps (a better fit from
            the same generation 0: notebook 05's fit factor).
        vae: the VAE settings of generation 0 (later generations change only ``epochs`` and ``seed``).
    """

    n_eval: int = EVAL_IMAGES
    n_images: int = 10_000
    sample_size: int | None = None
    sampling: str = "mean"
    budget: str = "fixed"
    vae: vae.VAEConfig = GENERATION_ZERO

    FAMILY = "images"
    CACHE_VERSION = 4
    MIN_EVAL = 100
    MAX_EVAL = MAX_IMAGES
    EVAL_HINT = "the metrics' memory grows with it; 5,000 is the course's size"
    COLUMNS = METRICS

    def validate(self) -> None:
        n_images = check_int("n_images", self.n_images, minimum=100)
        if n_images > 30_000:
            raise ValueError(f"n_images must be <= 30000 (the rest of MNIST's training set is the pool of fresh "
                             f"real images and the detector's), got {n_images}")
        self._set("n_images", n_images)
        if self.sample_size is not None:
            self._set("sample_size", check_int("sample_size", self.sample_size, minimum=100, maximum=MAX_IMAGES,
                                               hint="more samples than MNIST has digits are not needed"))
        if self.sampling not in vae.SAMPLING_MODES:
            raise ValueError(f"sampling must be one of {', '.join(vae.SAMPLING_MODES)}, got {self.sampling!r}")
        if self.budget not in BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {self.budget!r}")
        if not isinstance(self.vae, vae.VAEConfig):
            raise WrongTypeError(f"vae must be a collapselab.images.vae.VAEConfig, got {self.vae!r}")

    @property
    def samples_per_generation(self) -> int:
        """New images drawn per generation: ``sample_size``, or ``n_images`` when unset."""
        return self.sample_size or self.n_images

    def vae_config(self, generation: int, n_train: int) -> vae.VAEConfig:
        """The VAE settings of ``generation`` when it trains on ``n_train`` images (see ``budget``)."""
        epochs = self.vae.epochs
        if self.budget != "growing":  # a step budget: this many times generation 0's steps, in whole epochs
            times = {"fixed": 1, "matched": generation + 1, "doubled": 2 if generation > 0 else 1}[self.budget]
            epochs = max(1, round(self.vae.epochs * self.n_images * times / n_train))
        return replace(self.vae, epochs=epochs, seed=self.seed_for("train", generation))

    def gradient_steps(self, generation: int, n_train: int) -> int:
        """The gradient steps of ``generation`` when it trains on ``n_train`` images."""
        settings = self.vae_config(generation, n_train)
        return training.gradient_steps(n_train, settings.batch_size, settings.epochs)

    def shared_key(self, generation: int) -> dict:
        """The real data and the VAE settings; for later generations also how their training set
        is drawn (sample size, sampling, budget)."""
        key = {"data": data.FINGERPRINT, "n_images": self.n_images, "vae": self.vae.as_dict()}
        if generation > 0:
            key.update(sample_size=self.samples_per_generation, sampling=self.sampling, budget=self.budget)
        return key

    @classmethod
    def full(cls, **changes) -> "RunConfig":
        """A bigger run for instructors: 20 generations of 30,000 images (each generation trains
        three times as many steps as in the workshop runs, over three times the images)."""
        return cls(**{"generations": 20, "n_images": 30_000, **changes})


# --- the detector filter -----------------------------------------------------------------------

class Detector:
    """A real-vs-generated detector, retrained every generation, used as a filter's ``keep`` rule.

    It is logistic regression on the 128-d features of the lab's *second* classifier (not the
    evaluation classifier, whose features the metrics use: filtering on the metric's own features
    would flatter the filtered run's scores), trained on ``n_train`` real images drawn from
    ``pool`` (the lab's :data:`DETECTOR_IMAGES` digits set aside for it, so it never judges an
    image it trained on) against as many samples of the current model, and scored on as many new
    ones of each. It records its held-out accuracy in the step (0.5 = cannot tell them apart). It
    never sees provenance: it judges by looks.

    Attributes:
        pool: indices into the lab's training images, shape ``(m,)``, ``m >= 2 * n_train``.
    """

    def __init__(self, lab: "Lab", pool: np.ndarray, sampling: str = "mean", n_train: int = 2000, seed: int = 0):
        if len(pool) < 2 * n_train:
            raise ValueError(f"the detector needs {2 * n_train} real images (train and held out), got a pool of {len(pool)}")
        self.lab, self.pool, self.sampling, self.n_train, self.seed = lab, pool, sampling, n_train, seed

    def real_indices(self, generation: int) -> np.ndarray:
        """The ``2 * n_train`` pool images (training half first) the detector of ``generation`` uses."""
        pick = seeds.rng(self.seed, "detector real", generation).permutation(len(self.pool))[: 2 * self.n_train]
        return self.pool[pick]

    def _fit(self, model: vae.VAE, generation: int):
        n, judge = self.n_train, self.lab.second
        real = judge.features(self.lab.images[self.real_indices(generation)])
        fake = judge.features(model.sample(2 * n, seed=seeds.derive(self.seed, "detector samples", generation),
                                           mode=self.sampling))
        x = torch.cat([real[:n], fake[:n]])
        y = torch.cat([torch.ones(n), torch.zeros(n)])
        mean, std = x.mean(0), x.std(0) + 1e-6
        with training.seeded(seeds.derive(self.seed, "detector fit", generation)):
            w = torch.zeros(x.shape[1], requires_grad=True)
            b = torch.zeros(1, requires_grad=True)
            opt = torch.optim.LBFGS([w, b], max_iter=100)

            def closure():
                opt.zero_grad()
                logits = ((x - mean) / std) @ w + b
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y) + 1e-3 * w.square().sum()
                loss.backward()
                return loss

            opt.step(closure)
        score = lambda f: (((f - mean) / std) @ w + b).detach()  # noqa: E731
        held_out = torch.cat([score(real[n:]) > 0, score(fake[n:]) <= 0]).float().mean()
        return score, float(held_out)

    def __call__(self, step: policies.Step, images: torch.Tensor, provenance: np.ndarray) -> np.ndarray:
        """``keep(step, images, provenance)``: True for the images the detector judges real. Its
        held-out accuracy is recorded in the step (``history.info[g]["detector_accuracy"]``), and
        which *real* images it threw away (``history.info[g]["real_discarded"]``, see
        :meth:`discarded_real`)."""
        score, accuracy = self._fit(step.model, step.generation)
        keep = (score(self.lab.second.features(images)) > 0).numpy()
        step.record(detector_accuracy=accuracy, real_discarded=self.discarded_real(images, provenance, keep))
        return keep

    def discarded_real(self, images: torch.Tensor, provenance: np.ndarray, keep: np.ndarray) -> dict:
        """Which real images (``provenance == 0``) the filter kept and which it threw away, measured
        by *typicality*: an image's distance from its class's mean feature under the evaluation
        classifier, in units of the class's tail radius (1 = farther than 90 % of real test digits
        of that class; the ``tail_share`` boundary). Returns ``{"kept", "discarded"}`` counts,
        ``{"kept_typicality", "discarded_typicality"}`` means and ``{"kept_tail", "discarded_tail"}``
        shares beyond the tail radius (NaN for an empty group), and ``tail_z``: how far the
        discarded share lies above the kept one in standard errors of a filter that discards real
        images at random (two-proportion z-score; about 0 if the filter ignores typicality,
        above 2 if it prefers to throw away the unusual ones)."""
        real = np.flatnonzero(provenance == 0)
        if len(real) == 0:  # a stream without real images (``detector-filter:0``): nothing to measure
            nan = float("nan")
            return {"kept": 0, "kept_typicality": nan, "kept_tail": nan, "discarded": 0,
                    "discarded_typicality": nan, "discarded_tail": nan, "tail_z": nan}
        features, probabilities = self.lab.judge.features_and_probabilities(images[torch.from_numpy(real)])
        distance, radius = image_metrics.class_distance(self.lab.reference, features, probabilities.argmax(dim=1))
        typicality, in_tail = (distance / radius).numpy(), (distance > radius).numpy()
        kept = keep[real].astype(bool)
        summary = {}
        for name, chosen in (("kept", kept), ("discarded", ~kept)):
            summary[name] = int(chosen.sum())
            summary[f"{name}_typicality"] = float(typicality[chosen].mean()) if chosen.any() else float("nan")
            summary[f"{name}_tail"] = float(in_tail[chosen].mean()) if chosen.any() else float("nan")
        pooled = float(in_tail.mean())
        spread = np.sqrt(pooled * (1 - pooled) * (1 / max(kept.sum(), 1) + 1 / max((~kept).sum(), 1)))
        summary["tail_z"] = float((summary["discarded_tail"] - summary["kept_tail"]) / spread) if spread > 0 else float("nan")
        return summary


def detector_filter(fraction: float, *, lab: "Lab", pool: np.ndarray, sampling: str = "mean",
                    seed: int = 0, keep: str = "judged real") -> policies.Policy:
    """The policy ``detector-filter:<fraction>``: ``mix(fraction)`` (new samples plus a fraction of
    fresh real images), then only the images the :class:`Detector` (trained on real images from
    ``pool``) judges real are kept.

    ``keep`` selects the two controls that take its decisions apart (notebook 06):
    ``"judged real"`` (the filter), ``"kept real"`` (only the *real* images it keeps: ``detector-kept-real``)
    and ``"random real"`` (as many of the stream's real images as it keeps, chosen at random:
    ``random-kept-real``)."""
    detector = Detector(lab, pool, sampling, seed=seed)
    if keep == "judged real":
        return policies.filtered(policies.mix(fraction), detector)

    def real_part(step: policies.Step, images: torch.Tensor, provenance: np.ndarray) -> np.ndarray:
        kept_real = detector(step, images, provenance) & (provenance == 0)
        if keep == "kept real":
            return kept_real
        chosen = seeds.rng(seed, "random kept real", step.generation).choice(
            np.flatnonzero(provenance == 0), int(kept_real.sum()), replace=False)
        return np.isin(np.arange(len(provenance)), chosen)

    return policies.filtered(policies.mix(fraction), real_part)


#: the image photocopier's own policies (registered in :mod:`collapselab.policies`) -> what they keep
DETECTOR_POLICIES = {"detector-filter": "judged real", "detector-kept-real": "kept real",
                     "random-kept-real": "random real"}


# --- the family ----------------------------------------------------------------------------------

class RealSplit(NamedTuple):
    """MNIST's training digits cut three ways by :meth:`Lab.real_split` (indices, disjoint)."""

    generation0: np.ndarray  #: generation 0's class-balanced training subset, shape (n_images,)
    fresh: np.ndarray        #: the pool of fresh real digits that policies mix in
    detector: np.ndarray     #: the detector filter's real digits (:data:`DETECTOR_IMAGES`)


class Lab(photocopier.Family):
    """The image family: MNIST, the evaluation classifier and the metric reference, shared by
    every run, and how a VAE generation trains, samples and is scored.

    Building it trains (or loads) the classifier; reuse one ``Lab`` for several runs."""

    KIND = "vae"

    def __init__(self, *, root=None, classifier: ClassifierConfig = ClassifierConfig(), progress: bool = False):
        self.root = root
        self.images, self.labels = data.load_mnist(train=True, root=root)
        self.test_images, self.test_labels = data.load_mnist(train=False, root=root)
        self.classifier_config = classifier
        self.judge: Classifier = load_classifier(classifier, root=root, progress=progress)
        self.second_config = replace(SECOND_OPINION, seed=seeds.derive(classifier.seed, "second classifier"))
        self._second: Classifier | None = None
        reference = data.balanced_subset(self.test_labels.numpy(), REFERENCE_IMAGES, seed=0)
        self.reference_images = self.test_images[reference]
        self.reference = image_metrics.make_reference(self.judge, self.reference_images)

    @property
    def second(self) -> Classifier:
        """The second classifier (:data:`SECOND_OPINION`), trained or loaded on first use."""
        if self._second is None:
            self._second = load_classifier(self.second_config, root=self.root)
        return self._second

    def real_split(self, config: RunConfig) -> RealSplit:
        """Generation 0's subset of ``config.n_images`` training digits (class-balanced), and the
        other digits shuffled and cut into the detector's :data:`DETECTOR_IMAGES` and the pool of
        fresh real digits (the rest: 40,000 for the course's 10,000). Depends only on the seed
        and ``n_images``."""
        index = data.balanced_subset(self.labels.numpy(), config.n_images, seed=config.seed_for("real subset"))
        others = np.setdiff1d(np.arange(len(self.images)), index)
        others = others[seeds.rng(config.seed, "real pools").permutation(len(others))]
        return RealSplit(index, np.sort(others[DETECTOR_IMAGES:]), np.sort(others[:DETECTOR_IMAGES]))

    def score_images(self, images: torch.Tensor) -> dict:
        """Every image metric of ``images`` ``(n, 784)`` against the reference (see
        :func:`collapselab.images.metrics.evaluate`)."""
        return image_metrics.evaluate(images, self.judge, self.reference)

    # the family's contract (collapselab.photocopier.Family)

    def real_data(self, config: RunConfig) -> tuple[torch.Tensor, recursion.FreshPool]:
        split = self.real_split(config)
        return self.images[split.generation0], recursion.FreshPool(self.images, split.fresh)

    def policy(self, config: RunConfig) -> policies.Policy:
        """The general policies come from the registry; the image photocopier's own,
        ``detector-filter:<fraction>``, is built here with the detector's real digits."""
        kind, fraction = policies.check_name(config.policy)
        if kind not in DETECTOR_POLICIES:
            return policies.make(config.policy)
        policy = detector_filter(fraction, lab=self, pool=self.real_split(config).detector,
                                 sampling=config.sampling, seed=config.seed, keep=DETECTOR_POLICIES[kind])
        policy.name = config.policy
        return policy

    def training_key(self, config: RunConfig, generation: int, images: torch.Tensor) -> dict:
        """The VAE settings for this training set's size, and, for the detector's policies, the
        settings of the classifier whose features the detector judges by."""
        key = {"vae": config.vae_config(generation, len(images)).as_dict()}
        if generation > 0 and policies.family(config.policy) == config.FAMILY:  # the detector's judge
            key.update(classifier=self.classifier_config.as_dict(), second=self.second_config.as_dict())
        return key

    def train(self, config: RunConfig, generation: int, images: torch.Tensor) -> dict:
        settings = config.vae_config(generation, len(images))
        state = vae.train(images, settings, device=training.default_device(), progress=False).state()
        return {**state, "losses": state["train_loss"]}

    def load(self, config: RunConfig, state: dict) -> vae.VAE:
        return vae.TrainedVAE.from_state(state, training.default_device()).model

    def sample(self, config: RunConfig, model: vae.VAE, n: int, seed: int) -> torch.Tensor:
        return model.sample(n, seed=seed, mode=config.sampling)

    def evaluation_key(self, config: RunConfig) -> dict:
        return {"eval": config.n_eval, "classifier": self.classifier_config.as_dict(), "reference": REFERENCE_IMAGES}

    def score(self, config: RunConfig, model: vae.VAE, step: policies.Step, seed: int) -> dict:
        """Every metric of :data:`METRICS` but the latent spread, on ``n_eval`` decoder-mean samples,
        and the total spread of their codes under generation 0's encoder."""
        samples = model.sample(config.n_eval, seed=seed)
        scores = self.score_images(samples)
        encoder = step.history.models[0]
        scores["latent_total_std"] = latent_total_std(encoder, samples)
        scores["histogram"] = [float(h) for h in scores["histogram"]]
        return scores

    def finish(self, scores: dict, step: policies.Step) -> dict:
        """The latent spread: ``latent_total_std`` relative to generation 0's."""
        scores["histogram"] = np.array(scores["histogram"])
        baseline = scores if step.generation == 0 else step.history.metrics[0]
        scores["latent_spread"] = scores["latent_total_std"] / baseline["latent_total_std"]
        return scores


@torch.no_grad()
def latent_total_std(encoder: vae.VAE, images: torch.Tensor) -> float:
    """The total spread of ``images``' codes under ``encoder``: the root of the summed variances of
    the encoder means over the images (``sqrt(sum_j var(mu_j))``, in latent units)."""
    mu, _ = encoder.encode(images)
    return float(mu.std(dim=0).pow(2).sum().sqrt())


def generation_zero(lab: Lab, config: RunConfig = RunConfig()) -> vae.TrainedVAE:
    """The generation-0 VAE that every run with ``config``'s seed, images and VAE settings starts
    from (trained once, cached, the same entry :func:`run` uses): the model notebook 04 trains and
    notebooks 05-06 copy."""
    real, _ = lab.real_data(config)
    state = photocopier.trained_state(config, lab, 0, real)
    return vae.TrainedVAE.from_state(state, training.default_device())


# --- running ------------------------------------------------------------------------------------

@dataclass
class Run(photocopier.PhotocopierRun):
    """A finished image run: models, sizes, provenance and ``metrics`` per generation (every name
    in :data:`METRICS` and ``histogram``), the configuration and the wall time."""

    @property
    def real_discarded(self) -> dict[int, dict]:
        """{generation: which real images the detector kept and discarded, by typicality}
        (detector-filter runs only; see :meth:`Detector.discarded_real`)."""
        return {g: info["real_discarded"] for g, info in enumerate(self.info) if "real_discarded" in info}

    @property
    def detector_accuracy(self) -> dict[int, float]:
        """{generation: held-out accuracy of the detector that filtered its training set}
        (detector-filter runs only)."""
        return {g: info["detector_accuracy"] for g, info in enumerate(self.info) if "detector_accuracy" in info}


def run(config: RunConfig = RunConfig(), lab: Lab | None = None, *, progress: bool | str = True) -> Run:
    """Run ``config`` through the photocopier (:func:`collapselab.photocopier.run`), with every
    generation's checkpoint and metrics cached. Returns a :class:`Run`."""
    return photocopier.run(config, lab or Lab(), progress=progress, result=Run)
