"""Policies: how the next generation's training set is built.

Every policy answers one question: *given the model just trained and the data seen so far, what
does the next generation train on?* The recursion engine (:mod:`collapselab.recursion`) asks it
once per generation, through a :class:`Step` that can draw synthetic samples from the current
model and fresh samples of real data, each tagged with its provenance (0 = real, ``g`` = sampled
by the model of generation ``g - 1``).

===========================  =============================================================
policy (the name you type)   next training set (``n`` = sample size)
===========================  =============================================================
``replace``                  ``n`` new synthetic samples only (the photocopier)
``accumulate``               everything so far: real data plus every generation's samples
``accumulate-subsample``     ``n`` drawn at random from everything so far (fixed budget)
``provenance-accumulate``    accumulate, but synthetic samples never outnumber real ones
``mix:<f>``                  ``(1 - f) n`` new synthetic samples plus ``f n`` fresh real ones
``real-only``                ``n`` fresh real samples, no synthetic data: the control
``detector-filter:<f>``      ``mix:<f>``, minus what a real-vs-generated detector rejects (images only)
``detector-kept-real:<f>``   a control: only the *real* images ``detector-filter:<f>`` keeps
``random-kept-real:<f>``     a control: as many of the stream's real images, chosen at random
===========================  =============================================================

In code, :func:`filtered(p, keep) <filtered>` builds what policy ``p`` builds minus the samples
``keep`` rejects (a policy without a registered name, for :func:`collapselab.recursion.run`).

Policies are found by name in one registry (:func:`make`, :func:`check_name`, :func:`names`),
which holds every name from the moment this module is imported, whatever else was imported: a
name means the same thing everywhere and every mistake gets one clear message. A policy that
belongs to one photocopier (the image photocopier's ``detector-filter:<fraction>``) is listed
with its :func:`family` and built by that photocopier's module; ``names('text')`` lists what the
text photocopier accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import batches
from ._checks import check_fraction

Data = batches.Data


@dataclass
class Step:
    """The generation context the engine hands to every callback (``fit``, ``sample``,
    ``measure``, a policy, a filter's ``keep``) while it builds and trains ``generation``.

    Attributes:
        generation: the generation being built (0 = trained on real data).
        model: the model of ``generation - 1``, just fitted (``None`` at generation 0): the one
            ``sample`` draws from.
        previous: ``(data, provenance)`` the previous generation trained on (``None`` at 0).
        pool: ``(data, provenance)`` of every sample seen so far, for policies that need it.
        sample_size: ``n``, the number of new samples a generation draws.
        rng: the run's random generator.
        history: the run's :class:`~collapselab.recursion.History` so far: every generation
            before this one (and this one's model once it is fitted, as ``measure`` sees it);
            ``history.models[0]`` is generation 0's model, ``history.metrics[0]`` its metrics, so
            no callback needs to remember earlier generations itself.
        info: what callbacks :meth:`record` about this generation (losses, a filter's accuracy,
            ...); the engine stores it in ``history.info[generation]``.
    """

    generation: int
    model: Any
    previous: tuple[Data, np.ndarray] | None
    pool: tuple[Data, np.ndarray] | None
    sample_size: int
    rng: np.random.Generator
    history: Any = None
    info: dict = field(default_factory=dict)
    _synthetic: Callable[[int], Data] | None = None
    _fresh: Callable[[int], Data] | None = None
    #: every ``(data, provenance)`` handed out during this step; the engine adds them to the pool
    drawn: list = field(default_factory=list)

    def release(self) -> None:
        """Drop this step's references to data and to its sampler once its generation is done
        (the engine calls it): its sampler refers back to the step, and without this the cycle
        keeps every generation's training sets alive until Python's garbage collector happens
        to run (hundreds of MB for an image run)."""
        self._synthetic = self._fresh = None
        self.previous = self.pool = None
        self.drawn = []

    def record(self, **info) -> None:
        """Keep facts about this generation (``step.record(losses=[...])``) in ``history.info``."""
        self.info.update(info)

    def synthetic(self, n: int) -> tuple[Data, np.ndarray]:
        """``n`` samples from ``model``, tagged with provenance ``generation``."""
        if self._synthetic is None:
            raise ValueError("generation 0 has no previous model to sample from")
        part = (self._synthetic(n) if n else None, np.full(n, self.generation, dtype=np.int32))
        self.drawn.append(part)
        return part

    def fresh(self, n: int) -> tuple[Data, np.ndarray]:
        """``n`` samples of fresh real data, tagged with provenance 0."""
        if self._fresh is None:
            raise ValueError("this run has no source of fresh real data")
        part = (self._fresh(n) if n else None, np.zeros(n, dtype=np.int32))
        self.drawn.append(part)
        return part


def generator_of(source: "np.random.Generator | Step") -> np.random.Generator:
    """The random generator a sampler draws from: ``source`` itself, or the run's ``rng`` when the
    engine passes the generation's :class:`Step` (``sample(model, n, step)``). So one sampler
    serves both ``gaussian.sample(model, 5, rng)`` by hand and ``recursion.run(fit, sample, ...)``."""
    if isinstance(source, Step):
        return source.rng
    if isinstance(source, np.random.Generator):
        return source
    raise ValueError(f"a sampler needs a numpy Generator (np.random.default_rng(seed)) or the engine's Step, "
                     f"got {source!r}")


def join(*parts: tuple[Data, np.ndarray]) -> tuple[Data, np.ndarray]:
    """Concatenate ``(data, provenance)`` pairs, skipping empty ones."""
    parts = [p for p in parts if len(p[1])]
    return batches.concat([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def subset(part: tuple[Data, np.ndarray], index: np.ndarray) -> tuple[Data, np.ndarray]:
    """Rows ``index`` of a ``(data, provenance)`` pair."""
    return batches.take(part[0], index), part[1][index]


class Policy:
    """Base class: subclasses implement :meth:`build`. ``name`` is the name you type (``'mix:0.5'``)
    and the label of figures and tables."""

    name = "policy"
    #: whether the engine must keep the pool of every sample seen (memory grows with generations)
    needs_pool = False

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<policy {self.name}>"


class _Replace(Policy):
    name = "replace"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        return step.synthetic(step.sample_size)


class _Accumulate(Policy):
    name = "accumulate"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        return join(step.previous, step.synthetic(step.sample_size))


class _AccumulateSubsample(Policy):
    name = "accumulate-subsample"
    needs_pool = True

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        pool = join(step.pool, step.synthetic(step.sample_size))
        index = step.rng.choice(len(pool[1]), size=step.sample_size, replace=False)
        return subset(pool, np.sort(index))


class _ProvenanceAccumulate(Policy):
    name = "provenance-accumulate"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        data, provenance = join(step.previous, step.synthetic(step.sample_size))
        real = np.flatnonzero(provenance == 0)
        synthetic = np.flatnonzero(provenance > 0)
        if len(synthetic) > len(real):
            synthetic = np.sort(step.rng.choice(synthetic, size=len(real), replace=False))
        return subset((data, provenance), np.sort(np.concatenate([real, synthetic])))


class _Mix(Policy):
    def __init__(self, fresh_fraction: float, name: str | None = None):
        self.fresh_fraction = check_fraction("fresh_fraction", fresh_fraction)
        self.name = name or f"mix:{self.fresh_fraction:g}"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        n_fresh = int(round(self.fresh_fraction * step.sample_size))
        return join(step.synthetic(step.sample_size - n_fresh), step.fresh(n_fresh))


class _Filtered(Policy):
    def __init__(self, base: Policy, keep: Callable, name: str | None):
        if not isinstance(base, Policy):
            raise ValueError(f"filtered() needs a policy to wrap, got {base!r}")
        if not callable(keep):
            raise ValueError("keep must be a function keep(step, data, provenance) -> boolean mask")
        self.base, self.keep = base, keep
        self.needs_pool = base.needs_pool
        self.name = name or f"{base.name}+filter"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        data, provenance = self.base.build(step)
        mask = np.asarray(self.keep(step, data, provenance), dtype=bool)
        if mask.shape != provenance.shape:
            raise ValueError(f"keep() must return one boolean per sample ({provenance.shape}), got {mask.shape}")
        if not mask.any():
            raise ValueError(f"the filter of policy '{self.name}' rejected every sample of generation "
                             f"{step.generation}; loosen it or start from more data")
        return subset((data, provenance), np.flatnonzero(mask))


def replace() -> Policy:
    """Train each generation only on ``n`` samples of the previous model (the photocopier)."""
    return _Replace()


def accumulate() -> Policy:
    """Keep every generation's data: real data plus all synthetic samples so far (grows by ``n``)."""
    return _Accumulate()


def accumulate_subsample() -> Policy:
    """Accumulate everything, but train on a random ``n`` of it (a fixed training budget)."""
    return _AccumulateSubsample()


def provenance_accumulate() -> Policy:
    """Accumulate, but keep real data at least half of the training set: every real sample stays,
    and synthetic samples are subsampled to at most as many as the real ones. Needs provenance."""
    return _ProvenanceAccumulate()


def mix(fresh_fraction: float) -> Policy:
    """Each generation trains on ``(1 - fresh_fraction) n`` new synthetic samples plus
    ``fresh_fraction n`` fresh real ones. ``mix(0)`` is ``replace``; ``mix(1)`` is :func:`real_only`."""
    return _Mix(fresh_fraction)


def real_only() -> Policy:
    """The control: every generation trains on ``n`` fresh real samples and no synthetic data, so
    its metrics show what retraining alone does (the noise floor of every measurement)."""
    return _Mix(1.0, name="real-only")


def filtered(base: Policy, keep: Callable, name: str | None = None) -> Policy:
    """Build the training set with ``base``, then drop the samples that ``keep(step, data,
    provenance)`` marks ``False``. ``step.model`` is the previous generation's model; ``provenance``
    the generation each sample came from (0 = real). The set may shrink; the history records its size."""
    return _Filtered(base, keep, name)


# --- the registry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    factory: Callable[..., Policy] | None  # None: built by its family's photocopier
    takes_fraction: bool
    help: str
    family: str | None = None


_REGISTRY: dict[str, _Entry] = {}

#: the photocopiers with policies of their own (``None`` in :func:`family`: a policy of every one)
FAMILIES = ("images", "text")


def register(name: str, factory: Callable[..., Policy] | None, *, takes_fraction: bool = False, help: str = "",
             family: str | None = None) -> None:
    """Make a policy available by name. ``factory()`` (or ``factory(fraction)`` when
    ``takes_fraction``: the name is then typed ``name:<fraction>``) returns the policy. A policy of
    one photocopier (``family``, one of :data:`FAMILIES`) is listed here so that every name is known
    everywhere, but built by that photocopier (its ``factory`` is ``None``): it needs what only the
    photocopier has (the image photocopier's detector needs its classifier and real digits)."""
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)} or None, got {family!r}")
    if factory is None and family is None:
        raise ValueError(f"policy {name!r}: a general policy needs a factory")
    _REGISTRY[name] = _Entry(factory, takes_fraction, help, family)


def names(family: str | None = None, *, general: bool = False) -> list[str]:
    """The registered policy names as a user types them (``mix:<fraction>`` for fractional ones):
    all of them, with ``family`` (``'images'``, ``'text'``) those that photocopier accepts, or with
    ``general`` only those of every photocopier (the ones :func:`make` builds)."""
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)} or None, got {family!r}")
    return [f"{n}:<fraction>" if e.takes_fraction else n for n, e in _REGISTRY.items()
            if (e.family is None if general else family is None or e.family in (None, family))]


def family(name: str) -> str | None:
    """The photocopier the policy ``name`` belongs to (``'images'``, ...), or ``None`` for a general one."""
    return _REGISTRY[check_name(name)[0]].family


def _unknown(policy) -> ValueError:
    return ValueError(f"unknown policy {policy!r}; choose one of {', '.join(names())}")


def check_name(name) -> tuple[str, float | None]:
    """``(kind, fraction)`` for a policy name; raises ``ValueError`` naming the valid ones."""
    if not isinstance(name, str):
        raise _unknown(name)
    kind, sep, rest = name.partition(":")
    entry = _REGISTRY.get(kind)
    if entry is None or bool(sep) != entry.takes_fraction:
        raise _unknown(name)
    if not entry.takes_fraction:
        return kind, None
    try:
        fraction = float(rest)
    except ValueError:
        fraction = None
    if fraction is None or not 0.0 <= fraction <= 1.0:
        raise ValueError(f"policy {name!r}: the part after ':' must be a fraction in [0, 1], got {rest!r}")
    return kind, fraction


def canonical(policy) -> str:
    """The one spelling of a policy name (``'mix:0.10'``, ``'mix:1e-1'`` -> ``'mix:0.1'``; ``'mix:1.0'``
    -> ``'mix:1'``), which configurations store so that one policy has one cache key and one label.

    ``policy`` may be a name or a registered :class:`Policy` (its ``name`` is used). Raises
    ``ValueError`` for an unknown or malformed name, or for a policy object that is not a registered
    one (a custom ``filtered(...)`` policy has no name to cache by: run it with
    :func:`collapselab.recursion.run` directly)."""
    if isinstance(policy, Policy):
        name = policy.name
        try:
            check_name(name)
        except ValueError:
            raise ValueError(f"policy {policy!r} is not a registered policy, so it has no name to store in a "
                             f"configuration (and cache by); give one of {', '.join(names())}, or run a custom "
                             "policy with collapselab.recursion.run") from None
        policy = name
    kind, fraction = check_name(policy)
    if fraction is None:
        return kind
    short = f"{fraction:g}"
    return f"{kind}:{short if float(short) == fraction else repr(fraction)}"


def make(name: str) -> Policy:
    """The general policy for ``name`` (``'replace'``, ``'mix:0.2'``, ...). A family's policy
    (``'detector-filter:0.5'``) is refused with the name of the photocopier that builds it."""
    kind, fraction = check_name(name)
    entry = _REGISTRY[kind]
    if entry.factory is None:
        raise ValueError(f"policy {name!r} belongs to the {entry.family} photocopier, which builds it for its own runs "
                         f"(collapselab.{entry.family}.photocopier); give one of {', '.join(names(None, general=True))} "
                         "to collapselab.recursion.run")
    policy = entry.factory(fraction) if entry.takes_fraction else entry.factory()
    policy.name = name
    return policy


def as_policy(policy: Policy | str) -> Policy:
    """A :class:`Policy` from a policy or its registered name (see :func:`make`)."""
    if isinstance(policy, Policy):
        return policy
    return make(policy)


register("replace", replace, help="only the newest synthetic samples (the photocopier)")
register("accumulate", accumulate, help="real data plus every generation's synthetic samples")
register("accumulate-subsample", accumulate_subsample, help="n drawn from everything so far")
register("provenance-accumulate", provenance_accumulate, help="accumulate, synthetic never more than real")
register("mix", mix, takes_fraction=True, help="new synthetic samples plus a fraction of fresh real ones")
register("real-only", real_only, help="fresh real data only: the control")


register("detector-filter", None, takes_fraction=True, family="images",
         help="a stream of fresh real and generated images, filtered by a real-vs-generated detector")
register("detector-kept-real", None, takes_fraction=True, family="images",
         help="a control: only the real images the detector filter keeps")
register("random-kept-real", None, takes_fraction=True, family="images",
         help="a control: as many of the stream's real images as the detector keeps, at random")
