"""The trained-model photocopier: one cached runner for every model family that trains a network.

Notebooks 05-07 run the same experiment as notebooks 01-03, with a network in place of a formula:

    generation 0:  train on real data
    generation g:  sample from model g-1 -> a policy builds the training set -> train model g
    every g:       score the model against generation 0 and the real data

:func:`run` does this through :func:`collapselab.recursion.run` for any :class:`Family`, and does
the rest once for all of them: every generation's weights and scores are **cached** under the data
folder by a key that names everything that determines them (so a rerun only reads), every random
number comes from the run's seed through :func:`collapselab.seeds.derive`, fresh real data come
from a pool disjoint from generation 0's, and the result is a :class:`PhotocopierRun`. A family
says only how to train, sample and score: the images (:mod:`collapselab.images.photocopier`, a
VAE on MNIST) and the text (:mod:`collapselab.text.photocopier`, a character-level language model
on Tiny Shakespeare). Its configuration extends :class:`PhotocopierConfig`.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from . import batches, cache, policies, recursion, seeds
from ._checks import check_int, check_seed


@dataclass(frozen=True)
class PhotocopierConfig:
    """What every recursive run of a trained model says (a family's config adds its own fields).

    Attributes:
        generations: generations after generation 0.
        policy: a registered policy name (``replace``, ``mix:0.1``, ...; see
            :func:`collapselab.policies.names`); stored in one spelling.
        n_eval: generated samples scored per generation.
        seed: the run's seed, from which every random number of the run is derived
            (:meth:`seed_for`).

    Class attributes a family sets: ``FAMILY`` (its name in the policy registry), ``CACHE_VERSION``
    (one version for every cache entry of the family: bump it when training or scoring changes),
    ``MIN_EVAL`` / ``MAX_EVAL`` / ``EVAL_HINT`` (the bounds of ``n_eval``), ``LABELS`` (the fields
    that tell one run of a command from another besides policy and seed) and ``COLUMNS`` (the
    scalar metrics of a results row).
    """

    generations: int = 5
    policy: str = "replace"
    n_eval: int = 5000
    seed: int = 0

    FAMILY: ClassVar[str] = ""
    CACHE_VERSION: ClassVar[int] = 1
    MIN_EVAL: ClassVar[int] = 10
    MAX_EVAL: ClassVar[int] = 60_000
    EVAL_HINT: ClassVar[str] = ""
    LABELS: ClassVar[tuple[str, ...]] = ()
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self):
        # plain Python numbers only: the configuration is part of every cache key
        self._set("generations", check_int("generations", self.generations, minimum=0))
        self._set("n_eval", check_int("n_eval", self.n_eval, minimum=self.MIN_EVAL, maximum=self.MAX_EVAL,
                                      hint=self.EVAL_HINT))
        self._set("seed", check_seed("seed", self.seed))
        policy = policies.canonical(self.policy)  # one spelling per policy; unknown ones raise
        family = policies.family(policy)
        if family not in (None, self.FAMILY):
            raise ValueError(f"policy {policy!r} is for {family} only; the {self.FAMILY} "
                             f"photocopier takes {', '.join(policies.names(self.FAMILY))}")
        self._set("policy", policy)
        self.validate()

    def _set(self, name: str, value) -> None:
        object.__setattr__(self, name, value)  # a frozen dataclass checks and normalises its own fields

    def validate(self) -> None:
        """The family's own checks (called when the config is built); raise ``ValueError``."""

    def changed(self, **changes) -> "PhotocopierConfig":
        """A copy with some fields changed (validated like a new one)."""
        return replace(self, **changes)

    def seed_for(self, use: str, *numbers: int) -> int:
        """The seed of one use of this run (``seed_for("train", 3)``: generation 3's training); see
        :func:`collapselab.seeds.derive`."""
        return seeds.derive(self.seed, use, *numbers)

    def shared_key(self, generation: int) -> dict:
        """What determines ``generation``'s model besides the common fields of :meth:`key` (the
        family's data and model settings, and for generations after 0 how the training set was
        built). Families override it."""
        return {}

    def key(self, generation: int) -> dict:
        """The cache key of ``generation``'s model: the family, its cache version, the seed and
        generation, and :meth:`shared_key`. Generation 0 depends only on the real data, the model
        settings and the seed, so every policy shares it; later generations add the policy."""
        key = {"family": self.FAMILY, "version": self.CACHE_VERSION, "seed": self.seed, "generation": generation,
               **self.shared_key(generation)}
        if generation > 0:
            key["policy"] = self.policy
        return key

    def label(self) -> str:
        """``policy=... [temperature=...] seed=...``: what tells one run of a command from another."""
        extra = "".join(f" {name}={getattr(self, name):g}" for name in self.LABELS)
        return f"policy={self.policy}{extra} seed={self.seed}"


class Family(abc.ABC):
    """How one kind of model takes part in the photocopier: the four things :func:`run` cannot know.

    A family object also holds what every run of the family shares (the data, the instruments
    that score it) and the data folder ``root`` its cache lives in. ``KIND`` names its cache
    entries (``<KIND>-model``, ``<KIND>-metrics``, ``<KIND>-written``); ``CACHE_SAMPLES`` caches
    what each generation writes for the next (worth it when sampling is slow, as for text).
    """

    KIND: ClassVar[str] = ""
    CACHE_SAMPLES: ClassVar[bool] = False
    root = None

    @abc.abstractmethod
    def real_data(self, config: PhotocopierConfig) -> tuple[Any, recursion.FreshPool]:
        """``(generation 0's training set, the pool of fresh real data)``, disjoint."""

    def policy(self, config: PhotocopierConfig) -> policies.Policy:
        """The policy of ``config`` (families whose policies need resources build them here)."""
        return policies.make(config.policy)

    def training_key(self, config: PhotocopierConfig, generation: int, data) -> dict:
        """What the training of ``generation`` on ``data`` adds to the cache key (e.g. settings that
        depend on the training set's size)."""
        return {}

    @abc.abstractmethod
    def train(self, config: PhotocopierConfig, generation: int, data) -> dict:
        """Train ``generation`` on ``data``: a state dict for the cache with ``"weights"`` and
        ``"losses"`` (the training loss per epoch or step)."""

    @abc.abstractmethod
    def load(self, config: PhotocopierConfig, state: dict):
        """The model of a cached state."""

    @abc.abstractmethod
    def sample(self, config: PhotocopierConfig, model, n: int, seed: int):
        """``n`` samples (rows) of ``model`` for the next generation's training set."""

    def sampling_key(self, config: PhotocopierConfig) -> dict:
        """How ``sample`` draws, for the cache key of written samples: runs that share a model
        (every run shares generation 0) but sample it differently must not share its samples."""
        return {}

    def evaluation_key(self, config: PhotocopierConfig) -> dict:
        """What the scores add to the model's cache key (the instruments and their settings)."""
        return {"eval": config.n_eval}

    @abc.abstractmethod
    def score(self, config: PhotocopierConfig, model, step: policies.Step, seed: int) -> dict:
        """The metrics of ``model`` (generation ``step.generation``; ``step.history.models[0]`` is
        generation 0's), drawing its samples with ``seed``. Plain numbers, lists and strings: they
        are cached."""

    def finish(self, scores: dict, step: policies.Step) -> dict:
        """Metrics computed from the cached scores and earlier generations' (default: none)."""
        return scores


@dataclass
class PhotocopierRun(recursion.History):
    """A finished run: the engine's :class:`~collapselab.recursion.History` (models, sizes,
    provenance, ``metrics`` and ``info`` per generation) plus its configuration and wall time."""

    config: PhotocopierConfig | None = None
    seconds: float = 0.0

    @property
    def losses(self) -> list[list[float]]:
        """Each generation's training loss (per epoch for a VAE, per step for a language model)."""
        return [info["losses"] for info in self.info]

    def rows(self, columns: tuple[str, ...] | None = None) -> list[dict]:
        """One flat dict per generation, for CSV and JSON: policy, the config's labels, seed,
        generation, training-set size, real share and the scalar metrics ``columns`` (default: the
        config's ``COLUMNS``), rounded to 5 decimals."""
        config, real = self.config, self.real_share()
        columns = config.COLUMNS if columns is None else columns
        return [{"policy": config.policy, **{name: getattr(config, name) for name in config.LABELS},
                 "seed": config.seed, "generation": g, "train_size": self.train_sizes[g],
                 "real_share": round(float(real[g]), 4),
                 **{name: round(float(self.metrics[g][name]), 5) for name in columns}}
                for g in range(len(self.metrics))]


def run(config: PhotocopierConfig, family: Family, *, progress: bool | str = True,
        result: type[PhotocopierRun] = PhotocopierRun) -> PhotocopierRun:
    """Run ``config`` with ``family`` through the recursion engine, every generation's model,
    scores (and, for families that ask, samples) cached. Returns a ``result`` (a
    :class:`PhotocopierRun` or a family's subclass)."""
    start = time.perf_counter()
    real, fresh = family.real_data(config)
    policy = family.policy(config)

    def fit(data, step: policies.Step):
        state = trained_state(config, family, step.generation, data)
        step.record(losses=[float(v) for v in state["losses"]],
                    **{k: v for k, v in state.items() if k not in ("weights", "losses")})   # e.g. a selected step
        return family.load(config, state)

    def sample(model, n: int, step: policies.Step):
        seed = config.seed_for("sample", step.generation)
        if not family.CACHE_SAMPLES:
            return family.sample(config, model, n, seed)
        # model g-1 writes, with the sampling settings of this run (two runs can share model g-1)
        key = {**config.key(step.generation - 1), **family.sampling_key(config), "written": n, "sampling_seed": seed}
        return cache.load_or_build(f"{family.KIND}-written", key, lambda: family.sample(config, model, n, seed),
                                   root=family.root)

    def measure(model, data, step: policies.Step) -> dict:
        g = step.generation
        key = {**config.key(g), **family.evaluation_key(config)}
        scores = cache.load_or_build(f"{family.KIND}-metrics", key,
                                     lambda: family.score(config, model, step, config.seed_for("evaluate", g)),
                                     root=family.root)
        return family.finish(dict(scores), step)

    history = recursion.run(fit, sample, real, config.generations, policy,
                            sample_size=samples_per_generation(config, real), fresh=fresh, measure=measure,
                            seed=config.seed_for("policy"), progress=progress)
    return result(**vars(history), config=config, seconds=time.perf_counter() - start)


def trained_state(config: PhotocopierConfig, family: Family, generation: int, data) -> dict:
    """The cached state of ``generation`` trained on ``data`` (trained now if it is not cached):
    the one cache entry :func:`run` uses, for code that needs one generation without a run."""
    key = {**config.key(generation), **family.training_key(config, generation, data)}
    return cache.load_or_build(f"{family.KIND}-model", key, lambda: family.train(config, generation, data),
                               root=family.root)


def samples_per_generation(config: PhotocopierConfig, real) -> int:
    """New samples drawn per generation: the config's ``samples_per_generation`` if it has one,
    else as many as generation 0 trained on."""
    return getattr(config, "samples_per_generation", None) or batches.length(real)

