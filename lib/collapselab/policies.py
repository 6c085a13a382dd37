"""Policies: how the next generation's training set is built.

Every policy answers one question: *given the model just trained and the data seen so far, what
does the next generation train on?* The recursion engine (:mod:`collapselab.recursion`) asks it
once per generation, through a :class:`Step` that can draw synthetic samples from the current
model and fresh samples of real data, each tagged with its provenance (0 = real, ``g`` = sampled
by the model of generation ``g - 1``).

=========================  ===============================================================
policy                     next training set (``n`` = sample size)
=========================  ===============================================================
``replace()``              ``n`` new synthetic samples only (the photocopier)
``accumulate()``           everything so far: real data plus every generation's samples
``accumulate_subsample()`` ``n`` drawn at random from everything so far (fixed budget)
``mix(f)``                 ``(1 - f) n`` new synthetic samples plus ``f n`` fresh real ones
``filtered(p, keep)``      what policy ``p`` builds, minus the samples ``keep`` rejects
=========================  ===============================================================
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
    """What a policy can see and do while building the training set of ``generation``.

    Attributes:
        generation: the generation whose training set is being built (>= 1).
        model: the model of ``generation - 1``, just fitted.
        previous: ``(data, provenance)`` the previous generation trained on.
        pool: ``(data, provenance)`` of every sample seen so far (real and synthetic).
        sample_size: ``n``, the number of new samples a generation draws.
        rng: the run's random generator.
    """

    generation: int
    model: Any
    previous: tuple[Data, np.ndarray]
    pool: tuple[Data, np.ndarray]
    sample_size: int
    rng: np.random.Generator
    _synthetic: Callable[[int], Data]
    _fresh: Callable[[int], Data]
    #: every ``(data, provenance)`` handed out during this step; the engine adds them to the pool
    drawn: list = field(default_factory=list)

    def synthetic(self, n: int) -> tuple[Data, np.ndarray]:
        """``n`` samples from ``model``, tagged with provenance ``generation``."""
        part = (self._synthetic(n) if n else None, np.full(n, self.generation, dtype=np.int32))
        self.drawn.append(part)
        return part

    def fresh(self, n: int) -> tuple[Data, np.ndarray]:
        """``n`` samples of fresh real data, tagged with provenance 0."""
        part = (self._fresh(n) if n else None, np.zeros(n, dtype=np.int32))
        self.drawn.append(part)
        return part


def join(*parts: tuple[Data, np.ndarray]) -> tuple[Data, np.ndarray]:
    """Concatenate ``(data, provenance)`` pairs, skipping empty ones."""
    parts = [p for p in parts if len(p[1])]
    return batches.concat([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def subset(part: tuple[Data, np.ndarray], index: np.ndarray) -> tuple[Data, np.ndarray]:
    """Rows ``index`` of a ``(data, provenance)`` pair."""
    return batches.take(part[0], index), part[1][index]


class Policy:
    """Base class: subclasses implement :meth:`build`. ``name`` labels figures and tables."""

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


class _Mix(Policy):
    def __init__(self, fresh_fraction: float):
        self.fresh_fraction = check_fraction("fresh_fraction", fresh_fraction)
        self.name = f"mix {self.fresh_fraction:.0%} fresh"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        n_fresh = int(round(self.fresh_fraction * step.sample_size))
        return join(step.synthetic(step.sample_size - n_fresh), step.fresh(n_fresh))


class _Filtered(Policy):
    def __init__(self, base: Policy, keep: Callable, name: str | None):
        if not isinstance(base, Policy):
            raise ValueError(f"filtered() needs a policy to wrap, got {base!r}")
        if not callable(keep):
            raise ValueError("keep must be a function keep(model, data, provenance) -> boolean mask")
        self.base, self.keep = base, keep
        self.needs_pool = base.needs_pool
        self.name = name or f"{base.name} + filter"

    def build(self, step: Step) -> tuple[Data, np.ndarray]:
        data, provenance = self.base.build(step)
        mask = np.asarray(self.keep(step.model, data, provenance), dtype=bool)
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


def mix(fresh_fraction: float) -> Policy:
    """Each generation trains on ``(1 - fresh_fraction) n`` new synthetic samples plus
    ``fresh_fraction n`` fresh real ones. ``mix(0)`` is ``replace``; ``mix(1)`` never collapses."""
    return _Mix(fresh_fraction)


def filtered(base: Policy, keep: Callable, name: str | None = None) -> Policy:
    """Build the training set with ``base``, then drop the samples that ``keep(model, data,
    provenance)`` marks ``False``. ``model`` is the previous generation's model; ``provenance`` the
    generation each sample came from (0 = real). The set may shrink; the history records its size."""
    return _Filtered(base, keep, name)


POLICIES = {"replace": replace, "accumulate": accumulate, "accumulate-subsample": accumulate_subsample}


def as_policy(policy: Policy | str) -> Policy:
    """A :class:`Policy` from a policy or its name (``'replace'``, ``'accumulate'``,
    ``'accumulate-subsample'``, ``'mix:0.2'``)."""
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, str):
        if policy in POLICIES:
            return POLICIES[policy]()
        if policy.startswith("mix:"):
            try:
                fraction = float(policy[4:])
            except ValueError:
                fraction = policy[4:]
            return mix(fraction)
    names = ", ".join([*POLICIES, "mix:<fraction>"])
    raise ValueError(f"unknown policy {policy!r}; choose one of {names}")
