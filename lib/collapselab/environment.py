"""The environment check of notebook 00: versions, hardware, and whether MNIST and the text are on disk."""

from __future__ import annotations

import os
import platform
from importlib import metadata

from . import data

PACKAGES = ("numpy", "scipy", "matplotlib", "torch", "torchvision", "ipywidgets", "nbval", "jupyterlab")


def versions() -> dict[str, str]:
    """The installed version of each package the course uses ('missing' where not installed)."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def hardware() -> dict[str, str]:
    """CPU cores, memory, and whether torch sees a CUDA GPU."""
    info = {"cpu cores": str(os.cpu_count())}
    try:
        import psutil

        info["memory"] = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        pass
    try:
        import torch

        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (the course runs on CPU)"
    except ImportError:
        info["gpu"] = "torch missing"
    return info


def report() -> None:
    """Print versions and hardware as a small table."""
    for key, value in {**versions(), **hardware()}.items():
        print(f"{key:>12}  {value}")


def mnist_ready() -> bool:
    """Print whether MNIST is ready (or exactly how to get it or repair it) and return True when it
    is: all four files present and each the official one (size and SHA-256, as the loader checks)."""
    missing = data.missing_files()
    if missing:
        print(data.how_to_get_mnist())
        return False
    try:  # what the loader checks: each file's size and SHA-256
        for train in (True, False):
            data.load_mnist(train, download=False)
    except (data.MNISTNotFoundError, data.MNISTCorruptError) as exc:
        print(exc)
        return False
    print("MNIST: all four files found (notebooks 04-06 are ready)")
    return True


def text_ready() -> bool:
    """Print whether Tiny Shakespeare is ready (or exactly how to get it) and return True when it is.
    Nothing is downloaded here: notebook 07 downloads it when it is missing and internet is there."""
    from .text import corpus

    try:
        corpus.load_corpus(download=False)
    except (corpus.TextNotFoundError, corpus.TextCorruptError) as exc:
        print(exc)
        return False
    print("Tiny Shakespeare: found and verified (notebook 07 is ready)")
    return True
