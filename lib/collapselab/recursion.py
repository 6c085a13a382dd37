"""The recursion engine: one loop that drives every model in the course.

    generation 0:  fit a model on real data
    generation g:  sample from model g-1  ->  build a training set by a policy  ->  fit model g

The same :func:`run` trains Gaussians, categoricals, mixtures, regressions, the VAE and the
language model, so a learner meets the same experiment at every scale. Every training sample
carries its *provenance*: 0 for real data, ``g`` for a sample drawn from the model of generation
``g - 1``.

**The contract.** Every callback gets the generation's :class:`~collapselab.policies.Step`:
``fit(data, step) -> model``, ``sample(model, n, step) -> data`` and ``measure(model, data, step)
-> dict``. ``step.generation`` says which generation is being built, ``step.history`` holds the
generations before it (``step.history.models[0]`` is generation 0's model), and
``step.record(...)`` keeps per-generation facts (training losses, a filter's accuracy) in
``history.info``. The toy samplers take a numpy Generator *or* a Step, so
``recursion.run(gaussian.fit, gaussian.sample, data, 5)`` is all a toy run needs.

Example:
    >>> import numpy as np
    >>> from collapselab import gaussian, recursion
    >>> real = np.random.default_rng(0).normal(size=100)
    >>> history = recursion.run(gaussian.fit, gaussian.sample, real, generations=5, seed=1)
    >>> len(history.models), history.train_sizes
    (6, [100, 100, 100, 100, 100, 100])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import batches
from ._checks import check_int
from .policies import Policy, Step, as_policy, join

Data = batches.Data


@dataclass
class History:
    """What a run produced, one entry per generation ``0 .. generations``.

    Attributes:
        policy: the policy's name.
        models: the fitted model of each generation.
        train_sizes: the number of samples each generation trained on.
        provenance: for each generation, an int array (one entry per training sample) with the
            generation that sample came from (0 = real data).
        metrics: for each generation, the dict returned by ``measure`` (empty dicts without one).
        info: for each generation, what its callbacks kept with ``step.record(...)`` (e.g. ``losses``).
        data: each generation's training set, if the run was asked to ``keep_data``.
    """

    policy: str
    models: list = field(default_factory=list)
    train_sizes: list = field(default_factory=list)
    provenance: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    info: list = field(default_factory=list)
    data: list = field(default_factory=list)

    @property
    def generations(self) -> int:
        """The number of generations after generation 0."""
        return len(self.models) - 1

    def provenance_shares(self) -> np.ndarray:
        """Shape ``(G + 1, G + 1)``: entry ``[g, s]`` is the fraction of generation ``g``'s training
        set that came from source ``s`` (0 = real). Each row sums to 1."""
        size = len(self.provenance)
        shares = np.zeros((size, size))
        for g, prov in enumerate(self.provenance):
            shares[g] = np.bincount(prov, minlength=size)[:size] / len(prov)
        return shares

    def real_share(self) -> np.ndarray:
        """Shape ``(G + 1,)``: the fraction of each generation's training set that is real data."""
        return np.array([np.mean(prov == 0) for prov in self.provenance])

    def metric(self, name: str) -> np.ndarray:
        """Shape ``(G + 1,)``: one metric across generations."""
        try:
            return np.array([m[name] for m in self.metrics])
        except KeyError:
            known = sorted(self.metrics[0]) if self.metrics else []
            raise ValueError(f"no metric {name!r} in this history; it has {known}") from None


def cycling_indices(size: int, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    """``take(n)``: ``n`` indices into ``range(size)``, drawn without replacement until all have been
    used, then from a fresh shuffle. The way fresh real data is drawn from a finite pool. The first
    shuffle happens here, when the function is made. Raises ``ValueError`` for an empty pool."""
    size = check_int("size of the pool", size, minimum=1)
    order, position = rng.permutation(size), 0

    def take(n: int) -> np.ndarray:
        nonlocal order, position
        n = check_int("n", n, minimum=0)
        index = []
        while n > 0:
            if position == size:
                order, position = rng.permutation(size), 0
            chunk = order[position : position + n]
            index.append(chunk)
            position += len(chunk)
            n -= len(chunk)
        return np.concatenate(index) if index else np.arange(0)

    return take


@dataclass(frozen=True)
class FreshPool:
    """Fresh real data drawn from the rows ``rows`` of ``data`` (all rows when ``rows`` is None),
    without copying them first: the image photocopier's pool is the 40,000 MNIST digits that
    neither generation 0 nor the detector trains on, indexed inside the shared tensor.

    Attributes:
        data: a data set (array, tensor, or tuple of them; rows = samples).
        rows: the row indices of ``data`` that make up the pool, shape ``(m,)``; ``None`` = every row.
    """

    data: Data
    rows: np.ndarray | None = None

    def __len__(self) -> int:
        return batches.length(self.data) if self.rows is None else len(self.rows)

    def take(self, index: np.ndarray) -> Data:
        """The pool's rows ``index`` (positions in the pool, not in ``data``)."""
        return batches.take(self.data, index if self.rows is None else self.rows[index])


def fresh_source(fresh: "Data | FreshPool | Callable | None", real_data: Data, rng: np.random.Generator):
    """A function ``n -> data`` that returns fresh real samples: the engine's one fresh-data mechanism.

    A callable is used as ``fresh(n, rng)``. A data set or :class:`FreshPool` (by default the real
    data itself) is drawn by :func:`cycling_indices`: without replacement until it is used up, then
    from a new shuffle; an empty one is an error. The pool is first shuffled on the first draw, so
    a run that never asks for fresh data uses the generator only for sampling (and the engine
    reproduces a hand-written fit-sample loop exactly).
    """
    if callable(fresh):
        return lambda n: fresh(n, rng)
    pool = fresh if isinstance(fresh, FreshPool) else FreshPool(real_data if fresh is None else fresh)
    if len(pool) == 0:
        raise ValueError("fresh is an empty data set: there is no real data to draw from; pass a "
                         "non-empty pool of real samples (or leave fresh=None to reuse real_data)")
    take = None

    def draw(n: int) -> Data:
        nonlocal take
        take = take or cycling_indices(len(pool), rng)
        return pool.take(take(n))

    return draw


def _checked_sample(sample: Callable, model, n: int, step: Step) -> Data:
    drawn = sample(model, n, step)
    got = batches.length(drawn)
    if got != n:
        raise ValueError(f"sample(model, n, step) must return n = {n} rows, got {got}; every sample "
                         "needs its provenance tag")
    return drawn


def run(
    fit: Callable[[Data, Step], Any],
    sample: Callable[[Any, int, Step], Data],
    real_data: Data,
    generations: int,
    policy: Policy | str = "replace",
    *,
    sample_size: int | None = None,
    fresh: "Data | FreshPool | Callable | None" = None,
    measure: Callable[[Any, Data, Step], dict] | None = None,
    keep_data: bool = False,
    seed: int | None = None,
    progress: bool | str = False,
) -> History:
    """Run ``generations`` rounds of fit -> sample -> build the next training set.

    Every callback receives the generation's :class:`~collapselab.policies.Step` (its
    ``generation`` number, the previous ``model``, the run's ``rng``, the ``history`` so far and
    ``record`` for per-generation facts), so none has to count its own calls or remember earlier
    generations.

    Args:
        fit: ``fit(data, step) -> model``. (The toy fits ignore ``step``; the VAE uses
            ``step.generation`` to seed and cache each generation's model.)
        sample: ``sample(model, n, step) -> data`` with exactly ``n`` rows (checked), drawn from
            ``model`` (generation ``step.generation - 1``) with ``step.rng``.
        real_data: generation 0's training set (array, tensor, or tuple of them; rows = samples).
        generations: how many generations after generation 0 (>= 0).
        policy: a :mod:`~collapselab.policies` policy or its name. Default ``'replace'``.
        sample_size: ``n``, samples drawn per generation. Default: the size of ``real_data``.
        fresh: where fresh real data comes from, for policies that mix it in: a non-empty data set
            or :class:`FreshPool` to draw from without replacement (a new shuffle once it is used
            up), or a function ``fresh(n, rng)``. Default: ``real_data``.
        measure: optional ``measure(model, training_data, step) -> dict`` called every generation.
        keep_data: keep every training set in ``history.data`` (memory grows with generations).
        seed: seeds the run's ``numpy.random.Generator``; the same seed gives the same history.
        progress: show a ``tqdm`` progress bar over generations, labelled with the policy's name, or
            with ``progress`` itself when it is a string (a run's name, say).

    Returns:
        A :class:`History` with ``generations + 1`` entries per list.
    """
    generations = check_int("generations", generations, minimum=0)
    for name, callback in (("fit", fit), ("sample", sample)):
        if not callable(callback):
            raise ValueError(f"{name} must be a function, got {callback!r}")
    if measure is not None and not callable(measure):
        raise ValueError(f"measure must be a function measure(model, data, step) -> dict, got {measure!r}")
    policy = as_policy(policy)
    n_real = batches.length(real_data)
    if n_real < 1:
        raise ValueError("real_data is empty; generation 0 needs real data to train on")
    sample_size = n_real if sample_size is None else check_int("sample_size", sample_size, minimum=1)
    rng = np.random.default_rng(seed)
    draw_fresh = fresh_source(fresh, real_data, rng)

    history = History(policy=policy.name)
    current = (real_data, np.zeros(n_real, dtype=np.int32))
    pool = current
    steps = range(generations + 1)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=progress if isinstance(progress, str) else policy.name, unit="gen")
    for g in steps:
        if g == 0:
            step = Step(0, None, None, None, sample_size, rng, history=history, _fresh=draw_fresh)
        else:
            model = history.models[-1]
            step = Step(g, model, current, pool, sample_size, rng, history=history, _fresh=draw_fresh)
            step._synthetic = lambda n, model=model, step=step: _checked_sample(sample, model, n, step)
            current = policy.build(step)
            if len(current[1]) == 0:
                raise ValueError(f"policy '{policy.name}' built an empty training set for generation {g}")
            if policy.needs_pool:
                pool = join(pool, *step.drawn)
        data, provenance = current
        model = fit(data, step)
        history.models.append(model)
        history.train_sizes.append(len(provenance))
        history.provenance.append(provenance)
        history.metrics.append(dict(measure(model, data, step)) if measure else {})
        history.info.append(step.info)
        step.release()
        if keep_data:
            history.data.append(data)
    return history
