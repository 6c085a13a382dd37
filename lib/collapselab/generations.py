"""The image photocopier: generations of VAEs on MNIST, through the one recursion engine.

Generation 0 trains on real MNIST digits; every later generation trains on a training set that a
policy builds from the previous generation's samples (and, for some policies, real data). This
module adds what the VAE needs around :func:`collapselab.recursion.run`:

* a :class:`RunConfig` (workshop-sized by default, ``RunConfig.full()`` for a bigger run);
* **per-generation caching**: each generation's checkpoint and metrics are stored under
  ``data/cache`` keyed by the configuration up to that generation, so a re-run only samples;
* metrics per generation (:mod:`collapselab.image_metrics`), plus the **latent spread**: the spread
  of a generation's samples in the latent space of the generation-0 encoder, as Shumailov et al.
  measure it (1.0 = as spread out as generation 0's own samples);
* two image-specific policies: **provenance-aware accumulation** (accumulate, but never let
  synthetic data outnumber real data) and a **detector filter** (a classifier trained each
  generation to tell real from generated images decides what to keep).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace as dc_replace
from typing import Callable

import numpy as np
import torch

from . import cache, data, image_metrics, policies, recursion, vae
from ._checks import check_fraction, check_int
from .classifier import Classifier, ClassifierConfig, load_or_train as load_classifier
from .training import default_device, generator, seeded

METRICS = ("fd", "precision", "recall", "class_entropy", "kl_uniform", "confidence", "pixel_diversity",
           "tail_share", "latent_spread")


@dataclass(frozen=True)
class RunConfig:
    """One recursive run.

    Attributes:
        generations: generations after generation 0.
        n_images: real images for generation 0, and new samples drawn per generation.
        policy: ``replace``, ``accumulate``, ``accumulate-subsample``, ``mix:<fraction>``,
            ``provenance-accumulate`` or ``detector-filter:<fresh fraction>``.
        epochs: training epochs of a generation whose training set has ``n_images`` images. Larger
            training sets (accumulate) get proportionally fewer epochs: every generation gets the
            same number of gradient steps.
        hidden, latent, batch_size, lr: the VAE (see :class:`collapselab.vae.VAEConfig`).
        n_eval: generated images scored per generation.
        seed: seeds the real subset, training, sampling and evaluation.
    """

    generations: int = 8
    n_images: int = 10_000
    policy: str = "replace"
    epochs: int = 12
    hidden: int = 512
    latent: int = 20
    batch_size: int = 128
    lr: float = 3e-3
    n_eval: int = 5000
    seed: int = 0

    def __post_init__(self):
        check_int("generations", self.generations, minimum=0)
        check_int("n_images", self.n_images, minimum=100)
        if self.n_images > 30_000:
            raise ValueError(f"n_images must be <= 30000 (half of MNIST's training set stays in the "
                             f"fresh-data pool), got {self.n_images}")
        check_int("epochs", self.epochs, minimum=1)
        check_int("n_eval", self.n_eval, minimum=100)
        check_int("seed", self.seed, minimum=0)
        parse_policy(self.policy)  # raises a helpful ValueError for an unknown policy

    @classmethod
    def workshop(cls, **changes) -> "RunConfig":
        """The default: 8 generations of 10,000 images (notebook 05: about 2 minutes on a 2-core CPU, cold)."""
        return cls(**changes)

    @classmethod
    def full(cls, **changes) -> "RunConfig":
        """A bigger run for instructors: 20 generations of 30,000 images, each generation trained for
        about 2.5 times as many gradient steps as in the workshop run."""
        return cls(**{"generations": 20, "n_images": 30_000, "epochs": 10, **changes})

    def vae_config(self, n_train: int, generation: int) -> vae.VAEConfig:
        """The VAE settings for a generation with ``n_train`` training images (fixed step budget)."""
        epochs = max(1, round(self.epochs * self.n_images / n_train))
        return vae.VAEConfig(self.hidden, self.latent, epochs, self.batch_size, self.lr, self.seed * 1000 + generation)

    def key(self, generation: int) -> dict:
        """The cache key of a generation: everything that determines its training set and model.
        Generation 0 does not depend on the policy, so every policy shares it."""
        settings = asdict(self)
        settings.pop("generations")
        settings.pop("n_eval")
        if generation == 0:
            settings.pop("policy")
        return {"run": settings, "generation": generation, "data": "mnist-train", "version": 2}


# --- policies -----------------------------------------------------------------------------------

class _ProvenanceAccumulate(policies.Policy):
    """Accumulate, but keep real data at least half of the training set: every real sample stays;
    synthetic samples are subsampled to at most as many as the real ones. Needs provenance."""

    name = "provenance-aware accumulate"

    def build(self, step: policies.Step):
        data_, provenance = policies.join(step.previous, step.synthetic(step.sample_size))
        real = np.flatnonzero(provenance == 0)
        synthetic = np.flatnonzero(provenance > 0)
        if len(synthetic) > len(real):
            synthetic = np.sort(step.rng.choice(synthetic, size=len(real), replace=False))
        return policies.subset((data_, provenance), np.sort(np.concatenate([real, synthetic])))


class Detector:
    """A real-vs-generated detector, retrained every generation, used as a ``keep`` rule.

    It is logistic regression on the evaluation classifier's 128-d features, trained on
    ``n_train`` real images (from a held-out pool) against as many fresh samples of the current
    model, and scored on as many new ones of each. ``accuracy`` records its held-out accuracy per
    generation (0.5 = cannot tell them apart). It never sees provenance: it judges by looks.
    As a ``keep`` rule it is called by the engine once per generation, in order (generation 1 first).
    """

    def __init__(self, judge: Classifier, images: torch.Tensor, pool: np.ndarray, n_train: int = 2000, seed: int = 0):
        self.judge, self.images, self.pool, self.n_train, self.seed = judge, images, pool, n_train, seed
        self.accuracy: list[float] = []

    def _fit(self, model: vae.VAE, generation: int):
        n = self.n_train
        gen = generator(self.seed * 7919 + generation)
        pick = torch.randperm(len(self.pool), generator=gen)[: 2 * n].numpy()
        real = self.judge.features(self.images[self.pool[pick]])
        fake = self.judge.features(model.sample(2 * n, seed=self.seed * 7919 + generation))
        x = torch.cat([real[:n], fake[:n]])
        y = torch.cat([torch.ones(n), torch.zeros(n)])
        mean, std = x.mean(0), x.std(0) + 1e-6
        with seeded(generation):
            w = torch.zeros(x.shape[1], requires_grad=True)
            b = torch.zeros(1, requires_grad=True)
            opt = torch.optim.LBFGS([w, b], max_iter=100)

            def closure():
                opt.zero_grad()
                loss = torch.nn.functional.binary_cross_entropy_with_logits(((x - mean) / std) @ w + b, y) + 1e-3 * w.square().sum()
                loss.backward()
                return loss

            opt.step(closure)
        score = lambda f: (((f - mean) / std) @ w + b).detach()
        held_out = torch.cat([score(real[n:]) > 0, score(fake[n:]) <= 0]).float().mean()
        self.accuracy.append(float(held_out))
        return score

    def __call__(self, model: vae.VAE, images: torch.Tensor, provenance: np.ndarray) -> np.ndarray:
        score = self._fit(model, len(self.accuracy) + 1)
        return (score(self.judge.features(images)) > 0).numpy()


def parse_policy(name: str) -> tuple[str, float | None]:
    """``(kind, fraction)`` for a policy name; raises ``ValueError`` naming the valid ones."""
    if name in ("replace", "accumulate", "accumulate-subsample", "provenance-accumulate"):
        return name, None
    for kind in ("mix", "detector-filter"):
        if name.startswith(kind + ":"):
            try:
                return kind, check_fraction(f"{kind} fraction", float(name.split(":", 1)[1]))
            except ValueError:
                raise ValueError(f"policy {name!r}: the part after ':' must be a fraction in [0, 1]") from None
    raise ValueError(f"unknown policy {name!r}; choose replace, accumulate, accumulate-subsample, "
                     "provenance-accumulate, mix:<fraction> or detector-filter:<fresh fraction>")


def make_policy(name: str, lab: "Lab | None" = None, pool: np.ndarray | None = None,
                seed: int = 0) -> tuple[policies.Policy, Detector | None]:
    """The engine policy for a policy name (and its :class:`Detector`, for ``detector-filter``,
    which draws its real images from ``lab.images[pool]``)."""
    kind, fraction = parse_policy(name)
    if kind == "provenance-accumulate":
        return _ProvenanceAccumulate(), None
    if kind == "detector-filter":
        detector = Detector(lab.judge, lab.images, pool, seed=seed)
        return policies.filtered(policies.mix(fraction), detector, name=f"detector filter ({fraction:.0%} fresh)"), detector
    return policies.as_policy(name), None


# --- running ------------------------------------------------------------------------------------

@dataclass
class Run:
    """A finished run: the engine's history plus metrics per generation.

    Attributes:
        config: the :class:`RunConfig`.
        history: the engine's :class:`~collapselab.recursion.History` (models, sizes, provenance).
        metrics: one dict per generation with every name in :data:`METRICS` and ``histogram``.
        detector_accuracy: the detector's held-out accuracy per generation (detector-filter only).
        seconds: wall time of the run.
    """

    config: RunConfig
    history: recursion.History
    metrics: list = field(default_factory=list)
    detector_accuracy: list = field(default_factory=list)
    seconds: float = 0.0

    def metric(self, name: str) -> np.ndarray:
        """Shape ``(generations + 1,)``: one metric across generations."""
        if name not in self.metrics[0]:
            raise ValueError(f"unknown metric {name!r}; choose one of {', '.join(METRICS)}")
        return np.array([m[name] for m in self.metrics])

    def rows(self, names=METRICS) -> list[dict]:
        """One flat dict per generation (for CSV/JSON): generation, training-set size, real share, metrics."""
        real = self.history.real_share()
        return [{"policy": self.config.policy, "seed": self.config.seed, "generation": g,
                 "train_size": self.history.train_sizes[g], "real_share": round(float(real[g]), 4),
                 **{n: round(float(self.metrics[g][n]), 5) for n in names}} for g in range(len(self.metrics))]


class Lab:
    """What every run shares: MNIST, the evaluation classifier and the metric reference.

    Building it trains (or loads) the classifier; reuse one ``Lab`` for several runs."""

    def __init__(self, *, root=None, classifier: ClassifierConfig = ClassifierConfig(), progress: bool = False):
        self.root = root
        self.images, self.labels = data.load_mnist(train=True, root=root)
        self.test_images, _ = data.load_mnist(train=False, root=root)
        self.judge = load_classifier(classifier, root=root, progress=progress)
        self.reference = image_metrics.make_reference(self.judge, self.test_images)

    def real_split(self, config: RunConfig) -> tuple[torch.Tensor, np.ndarray]:
        """``(generation-0 images, fresh indices)``: a class-balanced subset of ``n_images`` training
        images, and the indices of all the other training images: the pool of fresh real data
        (for mixing, and for the detector), drawn by index so it is never copied."""
        index = data.balanced_subset(self.labels.numpy(), config.n_images, seed=config.seed)
        return self.images[index], np.setdiff1d(np.arange(len(self.images)), index)

    def fresh_source(self, indices: np.ndarray) -> Callable[[int, np.random.Generator], torch.Tensor]:
        """``draw(n, rng)``: ``n`` fresh real images from ``indices``, drawn by index (never copying
        the pool) with :func:`~collapselab.recursion.cycling_indices`."""
        take = None

        def draw(n: int, rng: np.random.Generator) -> torch.Tensor:
            nonlocal take
            take = take or recursion.cycling_indices(len(indices), rng)
            return self.images[indices[take(n)]]

        return draw


def _metrics(lab: Lab, config: RunConfig, model: vae.VAE, encoder: vae.VAE, generation: int, baseline: float | None):
    def build():
        samples = model.sample(config.n_eval, seed=10_000 + generation)
        scores = image_metrics.evaluate(samples, lab.judge, lab.reference)
        with torch.no_grad():
            device = next(encoder.parameters()).device
            mu, _ = encoder.encode(samples.to(device))
        scores["latent_total_std"] = float(mu.std(dim=0).pow(2).sum().sqrt())
        scores["histogram"] = [float(h) for h in scores["histogram"]]
        return scores

    key = {**config.key(generation), "eval": config.n_eval, "metrics": "v1"}
    scores = dict(cache.load_or_build("metrics", key, build, root=lab.root))
    scores["histogram"] = np.array(scores["histogram"])
    base = baseline if baseline is not None else scores["latent_total_std"]
    scores["latent_spread"] = scores["latent_total_std"] / base
    return scores


def run(config: RunConfig = RunConfig(), lab: Lab | None = None, *, progress: bool = True) -> Run:
    """Run ``config`` through the recursion engine, with every generation's checkpoint and metrics
    cached. Returns a :class:`Run`."""
    start = time.perf_counter()
    lab = lab or Lab()
    real, pool = lab.real_split(config)
    policy, detector = make_policy(config.policy, lab, pool, config.seed)
    device = default_device()
    trained: list[vae.TrainedVAE] = []

    def fit(images: torch.Tensor) -> vae.VAE:
        # the engine calls fit once per generation, in order: generation = models so far
        generation = len(trained)
        settings = config.vae_config(len(images), generation)
        state = cache.load_or_build("vae-generation", {**config.key(generation), "vae": settings.as_dict()},
                                    lambda: vae.train(images, settings, device=device, progress=False).state(),
                                    root=lab.root)
        trained.append(vae.TrainedVAE.from_state(state, device))
        return trained[-1].model

    def sample(model: vae.VAE, n: int, rng: np.random.Generator) -> torch.Tensor:
        return model.sample(n, seed=int(rng.integers(2**31)))

    history = recursion.run(fit, sample, real, config.generations, policy, sample_size=config.n_images,
                            fresh=lab.fresh_source(pool), seed=config.seed, progress=progress)
    result = Run(config, history, detector_accuracy=list(detector.accuracy) if detector else [])
    encoder = history.models[0]
    baseline = None
    for g, model in enumerate(history.models):
        scores = _metrics(lab, config, model, encoder, g, baseline)
        baseline = scores["latent_total_std"] if g == 0 else baseline
        result.metrics.append(scores)
    result.seconds = time.perf_counter() - start
    return result
