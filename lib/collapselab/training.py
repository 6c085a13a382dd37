"""Plumbing shared by the course's torch models: device choice, threads, seeding, batching, schedules.

``COLLAPSELAB_THREADS=<n>`` sets torch's CPU thread count when the library is imported (CI uses it
with ``ATEN_CPU_CAPABILITY=default`` to check that the notebooks' claims hold under another CPU
code path and thread count than the ones they were executed with). On Linux, importing it also
asks glibc to return large freed blocks to the system (:func:`return_freed_memory`).
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from typing import Iterator

import torch

#: the environment variable that sets torch's number of CPU threads
THREADS_ENV = "COLLAPSELAB_THREADS"


def thread_setting() -> int | None:
    """``$COLLAPSELAB_THREADS`` as a thread count, or None when it is unset or empty.

    Raises ``ValueError`` (a one-line message that says what to set) unless it is a whole number
    from 1 to four times this machine's CPU count (more threads than that only oversubscribe it).
    """
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return None
    limit = 4 * (os.cpu_count() or 1)
    if not value.isdigit() or not 1 <= int(value) <= limit:
        raise ValueError(f"{THREADS_ENV} must be a whole number of threads from 1 to {limit} (4 x this machine's "
                         f"{os.cpu_count() or 1} CPUs), got {value!r}; unset it to let torch choose")
    return int(value)


def apply_thread_setting() -> int | None:
    """Apply ``$COLLAPSELAB_THREADS`` to torch and return it (None if unset).

    Called when the library is imported; a bad value is not applied but warned about (a notebook
    still imports), and ``python -m collapselab`` refuses it with exit status 2 before any work.
    """
    try:
        threads = thread_setting()
    except ValueError as exc:
        warnings.warn(f"{exc} (ignored: torch keeps its default of {torch.get_num_threads()} threads)", stacklevel=2)
        return None
    if threads is not None:
        torch.set_num_threads(threads)
    return threads


apply_thread_setting()

#: allocations at least this large (bytes) get their own memory map on glibc; see :func:`return_freed_memory`
MMAP_THRESHOLD = 4 * 1024 * 1024


def return_freed_memory(threshold: int = MMAP_THRESHOLD) -> bool:
    """On Linux with glibc, give every allocation of ``threshold`` bytes or more (4 MiB: a few
    thousand images, a distance matrix) its own memory map, so that freeing it hands the memory back
    to the operating system at once. By default glibc raises this threshold as large blocks are
    freed (up to 32 MiB) and keeps freed blocks below it in the process's heap, where they
    fragment: a notebook's resident memory then climbs with every cell (about 50 MiB more at notebook
    05's peak) towards Binder's 2 GB limit. Called when the library is imported; does nothing on
    other systems or when ``MALLOC_MMAP_THRESHOLD_`` is set (glibc's own setting wins). Returns
    whether it was applied."""
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc" or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        m_mmap_threshold = -3  # from glibc's malloc.h
        return bool(ctypes.CDLL(None).mallopt(m_mmap_threshold, int(threshold)))
    except (OSError, AttributeError):
        return False


return_freed_memory()


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


def batches_per_epoch(n: int, batch_size: int) -> int:
    """Gradient steps in one pass over ``n`` samples in batches of ``batch_size`` (the last batch
    may be smaller): ``ceil(n / batch_size)``."""
    return math.ceil(n / batch_size)


def gradient_steps(n: int, batch_size: int, epochs: int) -> int:
    """Gradient steps of ``epochs`` passes over ``n`` samples in batches of ``batch_size``: the
    one place the course counts them (a step budget, a schedule's length, a notebook's table)."""
    return epochs * batches_per_epoch(n, batch_size)


def epochs_for(steps: int, n: int, batch_size: int) -> int:
    """The fewest epochs over ``n`` samples that give at least ``steps`` gradient steps (at least 1)."""
    return max(1, math.ceil(steps / batches_per_epoch(n, batch_size)))


def one_cycle(optimizer: torch.optim.Optimizer, max_lr: float, n: int, batch_size: int, epochs: int):
    """A one-cycle learning-rate schedule (warm up for 15 % of the steps, then anneal) sized for
    ``epochs`` passes over ``n`` samples: the fastest route to a good model in a fixed budget."""
    steps = max(1, gradient_steps(n, batch_size, epochs))
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=steps, pct_start=0.15)
