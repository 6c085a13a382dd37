"""MNIST for the course: real digits as in-memory tensors, loaded once, offline when possible.

Images come back as ``float32`` tensors of shape ``(n, 784)`` with pixel intensities in [0, 1]
(row-major 28 x 28), labels as ``int64`` tensors of shape ``(n,)``. Everything stays in memory (the
60k training images are 188 MB as float32), so training loops slice tensors instead of paying
for a per-image PIL transform.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ._checks import check_int

#: the default data folder: ``data/`` at the root of the course checkout.
DATA_ROOT = Path(__file__).resolve().parents[2] / "data"

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


class MNISTNotFoundError(FileNotFoundError):
    """MNIST is not on disk and could not be downloaded."""


def raw_folder(root: str | Path | None = None) -> Path:
    """Where torchvision keeps the four IDX files: ``<root>/MNIST/raw``."""
    return Path(root or DATA_ROOT) / "MNIST" / "raw"


def missing_files(root: str | Path | None = None) -> list[str]:
    """The names of the four MNIST files that are not in :func:`raw_folder` (empty when all are)."""
    folder = raw_folder(root)
    return [name for name in RAW_FILES if not (folder / name).is_file()]


def how_to_get_mnist(root: str | Path | None = None) -> str:
    """A message that says both ways to get MNIST onto this machine."""
    return (
        f"MNIST is not in {raw_folder(root)} yet. Two ways to get it:\n"
        "  1. with internet: call collapselab.data.load_mnist(download=True) (or run any MNIST\n"
        "     notebook), and torchvision downloads the four files (about 12 MB);\n"
        "  2. without internet: put the four uncompressed files\n"
        f"     {', '.join(RAW_FILES)}\n"
        "     into data/MNIST/raw/ (from ../shared/mnist, gunzip each .gz file; see the README,\n"
        "     'MNIST without internet')."
    )


def load_mnist(train: bool = True, *, root: str | Path | None = None, download: bool = True):
    """Load the MNIST training (60,000) or test (10,000) set into memory.

    Loaded once per process: later calls return the *same* tensors (so notebooks and library
    functions share one copy, 188 MB for the training set). Do not modify them in place.

    Args:
        train: the training set if True, else the test set.
        root: the data folder (default: the course's ``data/``).
        download: let torchvision download missing files (needs internet).

    Returns:
        ``(images, labels)``: ``float32`` tensor ``(n, 784)`` in [0, 1] and ``int64`` tensor ``(n,)``.

    Raises:
        MNISTNotFoundError: the files are missing and could not be downloaded; the message says how
        to get them.
    """
    root = Path(root or DATA_ROOT).resolve()
    return _load(train, root, download and bool(missing_files(root)))


@functools.lru_cache(maxsize=4)
def _load(train: bool, root: Path, download: bool):
    import torch
    import torchvision

    try:
        dataset = torchvision.datasets.MNIST(str(root), train=train, download=download)
    except (RuntimeError, OSError) as exc:  # torchvision: "Dataset not found" or a failed download
        raise MNISTNotFoundError(how_to_get_mnist(root) + f"\n(torchvision said: {exc})") from None
    images = dataset.data.reshape(len(dataset.data), -1).to(torch.float32).div_(255.0)
    return images, dataset.targets.to(torch.int64)


def balanced_subset(labels, n: int, seed: int = 0) -> np.ndarray:
    """Indices of a deterministic class-balanced subset of ``n`` samples.

    Each of the ``k`` classes gets ``n // k`` samples (the first ``n % k`` classes one more), chosen
    at random under ``seed``; the indices come back sorted. Same ``(labels, n, seed)`` -> same subset.
    """
    labels = np.asarray(labels)
    n = check_int("n", n, minimum=1)
    classes, counts = np.unique(labels, return_counts=True)
    k = len(classes)
    quota = np.full(k, n // k) + (np.arange(k) < n % k)
    short = quota > counts
    if short.any():
        c = classes[np.argmax(short)]
        raise ValueError(f"n={n} asks for {quota[np.argmax(short)]} samples of class {c}, which has only "
                         f"{counts[np.argmax(short)]}; ask for a smaller n")
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), size=q, replace=False) for c, q in zip(classes, quota)]
    return np.sort(np.concatenate(picks))


def load_subset(n: int, train: bool = True, *, seed: int = 0, root: str | Path | None = None):
    """A class-balanced subset of ``n`` MNIST images: ``(images (n, 784), labels (n,))``."""
    images, labels = load_mnist(train, root=root)
    index = balanced_subset(labels.numpy(), n, seed)
    return images[index], labels[index]
