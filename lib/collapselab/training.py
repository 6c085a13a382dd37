"""Plumbing shared by the course's torch models: device choice, threads, seeding, batching, schedules.

``COLLAPSELAB_THREADS=<n>`` sets torch's CPU thread count when the library is imported (CI uses it
with ``ATEN_CPU_CAPABILITY=default`` to check that the notebooks' claims hold under another CPU
code path and thread count than the ones they were executed with).
"""

from __future__ import annotations

import contextlib
import math
import os
from typing import Iterator

import torch

#: the environment variable that sets torch's number of CPU threads
THREADS_ENV = "COLLAPSELAB_THREADS"


def apply_thread_setting() -> int | None:
    """Apply ``$COLLAPSELAB_THREADS`` (a positive integer) to torch; return it, or None if unset."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, got {value!r}")
    torch.set_num_threads(int(value))
    return int(value)


apply_thread_setting()


def default_device() -> torch.device:
    """CUDA when a GPU is present, otherwise the CPU (the course is sized for a 2-core CPU)."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextlib.contextmanager
def seeded(seed: int):
    """Run a block under ``torch.manual_seed(seed)`` without disturbing the caller's random state."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    return torch.Generator(device=device).manual_seed(int(seed))


def shuffled_batches(n: int, batch_size: int, gen: torch.Generator) -> Iterator[torch.Tensor]:
    """Index tensors covering ``range(n)`` once in a random order, ``batch_size`` at a time."""
    order = torch.randperm(n, generator=gen)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def one_cycle(optimizer: torch.optim.Optimizer, max_lr: float, n: int, batch_size: int, epochs: int):
    """A one-cycle learning-rate schedule (warm up for 15 % of the steps, then anneal) sized for
    ``epochs`` passes over ``n`` samples: the fastest route to a good model in a fixed budget."""
    steps = max(1, epochs * math.ceil(n / batch_size))
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=steps, pct_start=0.15)
