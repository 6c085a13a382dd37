"""The image photocopier: generations of VAEs on MNIST, through the one recursion engine.

Generation 0 trains on real MNIST digits; every later generation trains on a training set that a
policy builds from the previous generation's samples (and, for some policies, real data). This
module plugs the VAE into :func:`collapselab.recursion.run` and adds:

* a :class:`RunConfig`: what varies between runs (policy, sampling, sample size, step budget,
  seed), with the VAE settings of :data:`GENERATION_ZERO` shared by every generation;
* **per-generation caching**: each generation's checkpoint and metrics are stored under
  ``<data root>/cache`` keyed by everything that determines them (the configuration up to that
  generation, the MNIST fingerprint, and for metrics the evaluation classifier), so a re-run only
  samples. Generation 0 depends only on the real data, the VAE settings and the seed, so every
  run with the same seed shares it, and notebook 04 trains exactly the one that 05 and 06 copy;
* metrics per generation (:mod:`collapselab.image_metrics`, on :data:`EVAL_IMAGES` decoder-mean
  samples against :data:`REFERENCE_IMAGES` real test digits), plus the **latent spread**: the spread
  of a generation's samples in the latent space of the generation-0 encoder, as Shumailov et al.
  measure it (1.0 = as spread out as generation 0's own samples);
* the **detector filter**, an image-only policy: a classifier trained each generation to tell
  real from generated images decides what to keep (``detector-filter:<fresh fraction>``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import torch

from . import cache, data, image_metrics, policies, recursion, vae
from ._checks import check_int, check_seed
from .classifier import Classifier, ClassifierConfig, load_or_train as load_classifier
from .training import default_device, generator, seeded

#: the metrics recorded for every generation (plus ``histogram``, the share of each predicted digit)
METRICS = ("fd", "precision", "recall", "density", "coverage", "class_entropy", "kl_uniform", "confidence",
           "pixel_diversity", "tail_share", "latent_spread")

#: generated images scored per generation, everywhere in the course (FD and the k-NN metrics depend on it)
EVAL_IMAGES = 5000
#: real test images in the metric reference (a class-balanced subset of the 10,000)
REFERENCE_IMAGES = 5000

#: the VAE of every generation: the defaults of :class:`collapselab.vae.VAEConfig` (one source of
#: truth), 20 epochs over 10,000 images (800 steps of 256), about 6 s on a 2-core CPU. Chosen by a
#: sweep (hidden 128 to 512, batch 128 to 512, learning rates, 10,000 or 20,000 images, 15 to 40
#: epochs) for the lowest FD at a cost that lets notebooks 05-06 train a dozen generations within
#: their budgets; notebook 04 measures what 60 % more steps change.
GENERATION_ZERO = vae.VAEConfig()

BUDGETS = ("fixed", "growing")

#: the most images a run may draw or score per generation (MNIST's 60,000 training digits)
MAX_IMAGES = 60_000

#: a second, smaller digit classifier (another seed, a fifth of the data) for the jobs that must not
#: use the instrument that measures: the detector filter judges images by its features, and the
#: curated-synthetic experiment of notebook 06 curates with it. Its seed is offset by the
#: evaluation classifier's, so every seed of the claims table gets its own.
SECOND_OPINION = ClassifierConfig(epochs=3, n_train=12_000, seed=101)

#: bump when the metric definitions change, so cached metrics are recomputed
_METRICS_VERSION = 2


@dataclass(frozen=True)
class RunConfig:
    """One recursive run. Defaults: notebook 05's photocopier.

    Attributes:
        generations: generations after generation 0.
        n_images: real images (a class-balanced subset) that generation 0 trains on.
        policy: a registered policy name: ``replace``, ``accumulate``, ``accumulate-subsample``,
            ``provenance-accumulate``, ``mix:<fraction>``, ``real-only`` or
            ``detector-filter:<fresh fraction>``.
        sample_size: new images drawn per generation (default: ``n_images``).
        sampling: how a generated image is drawn: ``"mean"`` (decoder means, grey and smooth) or
            ``"bernoulli"`` (every pixel drawn 0/1 from the decoder's probabilities).
        budget: ``"fixed"``: every generation gets as many gradient steps as generation 0 (a
            larger training set gets proportionally fewer epochs); ``"growing"``: every generation
            gets ``vae.epochs`` epochs, so steps grow with the training set.
        vae: the VAE settings of generation 0 (later generations change only ``epochs`` and ``seed``).
        n_eval: generated images scored per generation.
        seed: seeds the real subset, training, sampling and evaluation.
    """

    generations: int = 5
    n_images: int = 10_000
    policy: str = "replace"
    sample_size: int | None = None
    sampling: str = "mean"
    budget: str = "fixed"
    vae: vae.VAEConfig = GENERATION_ZERO
    n_eval: int = EVAL_IMAGES
    seed: int = 0

    def __post_init__(self):
        # plain Python numbers only: the configuration is part of every cache key
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        set_("generations", check_int("generations", self.generations, minimum=0))
        n_images = check_int("n_images", self.n_images, minimum=100)
        if n_images > 30_000:
            raise ValueError(f"n_images must be <= 30000 (the other half of MNIST's training set is the pool of "
                             f"fresh real images), got {n_images}")
        set_("n_images", n_images)
        if self.sample_size is not None:
            set_("sample_size", check_int("sample_size", self.sample_size, minimum=100, maximum=MAX_IMAGES,
                                          hint="more samples than MNIST has digits are not needed"))
        set_("n_eval", check_int("n_eval", self.n_eval, minimum=100, maximum=MAX_IMAGES,
                                 hint="the metrics' memory grows with it; 5,000 is the course's size"))
        set_("seed", check_seed("seed", self.seed))
        set_("policy", policies.canonical(self.policy))  # one spelling per policy; unknown ones raise
        if self.sampling not in vae.SAMPLING_MODES:
            raise ValueError(f"sampling must be one of {', '.join(vae.SAMPLING_MODES)}, got {self.sampling!r}")
        if self.budget not in BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {self.budget!r}")
        if not isinstance(self.vae, vae.VAEConfig):
            raise ValueError(f"vae must be a collapselab.vae.VAEConfig, got {self.vae!r}")

    @property
    def samples_per_generation(self) -> int:
        """New images drawn per generation: ``sample_size``, or ``n_images`` when unset."""
        return self.sample_size or self.n_images

    def vae_config(self, generation: int, n_train: int) -> vae.VAEConfig:
        """The VAE settings of ``generation`` when it trains on ``n_train`` images (see ``budget``)."""
        epochs = self.vae.epochs
        if self.budget == "fixed":
            epochs = max(1, round(self.vae.epochs * self.n_images / n_train))
        return replace(self.vae, epochs=epochs, seed=self.seed * 1000 + generation)

    def key(self, generation: int, classifier: ClassifierConfig | None = None,
            second: ClassifierConfig | None = None) -> dict:
        """The cache key of ``generation``'s model: everything that determines its training set and
        weights. Generation 0 depends only on the real data, the VAE settings and the seed, so every
        run shares it; later generations add the policy, sampling, sample size and budget (and, for
        policies that use them, the settings of the evaluation ``classifier`` and of the ``second``
        classifier whose features the detector uses)."""
        key = {"data": data.FINGERPRINT, "n_images": self.n_images, "vae": self.vae.as_dict(), "seed": self.seed,
               "generation": generation, "version": 3}
        if generation > 0:
            key.update(policy=self.policy, sample_size=self.samples_per_generation, sampling=self.sampling,
                       budget=self.budget)
            if "lab" in policies.needs(self.policy):
                key["classifier"] = (classifier or ClassifierConfig()).as_dict()
                key["second"] = (second or SECOND_OPINION).as_dict()
        return key

    @classmethod
    def full(cls, **changes) -> "RunConfig":
        """A bigger run for instructors: 20 generations of 30,000 images (each generation trains
        three times as many steps as in the workshop runs, over three times the images)."""
        return cls(**{"generations": 20, "n_images": 30_000, **changes})

    def changed(self, **changes) -> "RunConfig":
        """A copy with some fields changed (validated like a new one)."""
        return replace(self, **changes)


# --- the detector filter -----------------------------------------------------------------------

class Detector:
    """A real-vs-generated detector, retrained every generation, used as a filter's ``keep`` rule.

    It is logistic regression on the 128-d features of the lab's *second* classifier (not the
    evaluation classifier, whose features the metrics use: filtering on the metric's own features
    would flatter the filtered run's scores), trained on
    ``n_train`` real images (from the pool of fresh real images) against as many samples of the
    current model, and scored on as many new ones of each. ``accuracy[g]`` is its held-out
    accuracy when it filtered generation ``g``'s training set (0.5 = cannot tell them apart).
    It never sees provenance: it judges by looks.
    """

    def __init__(self, lab: "Lab", pool: np.ndarray, sampling: str = "mean", n_train: int = 2000, seed: int = 0):
        self.lab, self.pool, self.sampling, self.n_train, self.seed = lab, pool, sampling, n_train, seed

    def _fit(self, model: vae.VAE, generation: int):
        n, judge = self.n_train, self.lab.second
        draw_seed = self.seed * 7919 + generation
        pick = torch.randperm(len(self.pool), generator=generator(draw_seed))[: 2 * n].numpy()
        real = judge.features(self.lab.images[self.pool[pick]])
        fake = judge.features(model.sample(2 * n, seed=draw_seed, mode=self.sampling))
        x = torch.cat([real[:n], fake[:n]])
        y = torch.cat([torch.ones(n), torch.zeros(n)])
        mean, std = x.mean(0), x.std(0) + 1e-6
        with seeded(draw_seed):
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
        held-out accuracy is recorded in the step (``history.info[g]["detector_accuracy"]``)."""
        score, accuracy = self._fit(step.model, step.generation)
        step.record(detector_accuracy=accuracy)
        return (score(self.lab.second.features(images)) > 0).numpy()


def detector_filter(fraction: float, *, lab: "Lab", pool: np.ndarray, sampling: str = "mean",
                    seed: int = 0) -> policies.Policy:
    """The policy ``detector-filter:<fraction>``: ``mix(fraction)`` (new samples plus a fraction of
    fresh real images), then only the images the :class:`Detector` judges real are kept."""
    return policies.filtered(policies.mix(fraction), Detector(lab, pool, sampling, seed=seed))


# --- the shared resources ----------------------------------------------------------------------

class Lab:
    """What every run shares: MNIST, the evaluation classifier and the metric reference.

    Building it trains (or loads) the classifier; reuse one ``Lab`` for several runs."""

    def __init__(self, *, root=None, classifier: ClassifierConfig = ClassifierConfig(), progress: bool = False):
        self.root = root
        self.images, self.labels = data.load_mnist(train=True, root=root)
        self.test_images, self.test_labels = data.load_mnist(train=False, root=root)
        self.classifier_config = classifier
        self.judge: Classifier = load_classifier(classifier, root=root, progress=progress)
        self.second_config = replace(SECOND_OPINION, seed=SECOND_OPINION.seed + classifier.seed)
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

    def real_split(self, config: RunConfig) -> tuple[torch.Tensor, np.ndarray]:
        """``(generation-0 images, pool indices)``: a class-balanced subset of ``n_images`` training
        images, and the indices of all the other training images: the pool of fresh real images
        (for mixing, the control and the detector), drawn by index so it is never copied."""
        index = data.balanced_subset(self.labels.numpy(), config.n_images, seed=config.seed)
        return self.images[index], np.setdiff1d(np.arange(len(self.images)), index)

    def fresh_pool(self, indices: np.ndarray) -> recursion.FreshPool:
        """The training images ``indices`` as the engine's pool of fresh real images (drawn by
        index inside the shared tensor, never copied)."""
        return recursion.FreshPool(self.images, indices)

    def score(self, images: torch.Tensor) -> dict:
        """Every image metric of ``images`` ``(n, 784)`` against the reference (see
        :func:`collapselab.image_metrics.evaluate`)."""
        return image_metrics.evaluate(images, self.judge, self.reference)


def train_generation(config: RunConfig, generation: int, images: torch.Tensor, lab: Lab) -> vae.TrainedVAE:
    """Generation ``generation`` of ``config``, trained on ``images`` or loaded from the cache."""
    settings = config.vae_config(generation, len(images))
    key = {**config.key(generation, lab.classifier_config, lab.second_config), "vae": settings.as_dict()}
    state = cache.load_or_build("vae-generation", key,
                                lambda: vae.train(images, settings, device=default_device(), progress=False).state(),
                                root=lab.root)
    return vae.TrainedVAE.from_state(state, default_device())


def generation_zero(lab: Lab, config: RunConfig = RunConfig()) -> vae.TrainedVAE:
    """The generation-0 VAE that every run with ``config``'s seed, images and VAE settings starts
    from (trained once, cached): the model notebook 04 trains and notebooks 05-06 copy."""
    real, _ = lab.real_split(config)
    return train_generation(config, 0, real, lab)


# --- running ------------------------------------------------------------------------------------

@dataclass
class Run(recursion.History):
    """A finished image run: the engine's :class:`~collapselab.recursion.History` (models, sizes,
    provenance, and ``metrics`` per generation: every name in :data:`METRICS` and ``histogram``)
    plus the configuration, the detector's accuracy per generation (detector-filter only) and the
    wall time."""

    config: RunConfig | None = None
    seconds: float = 0.0

    @property
    def losses(self) -> list[list[float]]:
        """Each generation's training loss per epoch (negative ELBO, nats per image)."""
        return [info["losses"] for info in self.info]

    @property
    def detector_accuracy(self) -> dict[int, float]:
        """{generation: held-out accuracy of the detector that filtered its training set}
        (detector-filter runs only)."""
        return {g: info["detector_accuracy"] for g, info in enumerate(self.info) if "detector_accuracy" in info}

    def rows(self, names=METRICS) -> list[dict]:
        """One flat dict per generation (for CSV/JSON): policy, seed, generation, training-set size,
        real share, and the metrics."""
        real = self.real_share()
        return [{"policy": self.config.policy, "seed": self.config.seed, "generation": g,
                 "train_size": self.train_sizes[g], "real_share": round(float(real[g]), 4),
                 **{n: round(float(self.metrics[g][n]), 5) for n in names}} for g in range(len(self.metrics))]


def _measure(lab: Lab, config: RunConfig):
    """The engine's ``measure(model, data, step)``: cached metrics of a generation's samples, and
    their latent spread in the latent space of generation 0's encoder (``step.history.models[0]``)."""

    def measure(model: vae.VAE, images: torch.Tensor, step: policies.Step) -> dict:
        encoder = step.history.models[0]

        def build() -> dict:
            samples = model.sample(config.n_eval, seed=10_000 + step.generation)
            scores = lab.score(samples)
            with torch.no_grad():
                mu, _ = encoder.encode(samples)
            scores["latent_total_std"] = float(mu.std(dim=0).pow(2).sum().sqrt())
            scores["histogram"] = [float(h) for h in scores["histogram"]]
            return scores

        key = {**config.key(step.generation, lab.classifier_config, lab.second_config), "eval": config.n_eval,
               "classifier": lab.classifier_config.as_dict(), "reference": REFERENCE_IMAGES,
               "metrics": _METRICS_VERSION}
        scores = dict(cache.load_or_build("metrics", key, build, root=lab.root))
        scores["histogram"] = np.array(scores["histogram"])
        baseline = scores if step.generation == 0 else step.history.metrics[0]
        scores["latent_spread"] = scores["latent_total_std"] / baseline["latent_total_std"]
        return scores

    return measure


def run(config: RunConfig = RunConfig(), lab: Lab | None = None, *, progress: bool = True) -> Run:
    """Run ``config`` through the recursion engine, with every generation's checkpoint and metrics
    cached. Returns a :class:`Run`."""
    start = time.perf_counter()
    lab = lab or Lab()
    real, pool = lab.real_split(config)
    policy = policies.make(config.policy, lab=lab, pool=pool, sampling=config.sampling, seed=config.seed)

    def fit(images: torch.Tensor, step: policies.Step) -> vae.VAE:
        trained = train_generation(config, step.generation, images, lab)
        step.record(losses=trained.train_loss)
        return trained.model

    def sample(model: vae.VAE, n: int, step: policies.Step) -> torch.Tensor:
        return model.sample(n, seed=int(step.rng.integers(2**31)), mode=config.sampling)

    history = recursion.run(fit, sample, real, config.generations, policy,
                            sample_size=config.samples_per_generation, fresh=lab.fresh_pool(pool),
                            measure=_measure(lab, config), seed=config.seed, progress=progress)
    return Run(**vars(history), config=config, seconds=time.perf_counter() - start)
