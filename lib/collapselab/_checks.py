"""Argument checks shared by the library: each error says what was wrong and what to do."""

from __future__ import annotations

import math
import numbers

import numpy as np


#: the largest seed of a whole run (``np.random.SeedSequence`` takes 32-bit words; every seed the run
#: derives from it, :func:`collapselab.seeds.derive`, is a 62-bit one)
MAX_SEED = 2**32 - 1


class WrongTypeError(TypeError, ValueError):
    """An argument of the wrong type (a string where a number belongs, a float where an integer
    does). A ``TypeError``, and also a ``ValueError`` so that one ``except ValueError`` catches
    every bad argument (the CLI turns both into one line and exit status 2)."""


def check_int(name: str, value, *, minimum: int, maximum: int | None = None, hint: str = "") -> int:
    """Return ``value`` as an int, or raise :class:`WrongTypeError` if it is not an integer (a float
    such as 1.5 or 2.0, a string, ``True``) and ``ValueError`` if it is outside [``minimum``,
    ``maximum``] (``hint``, if given, is appended to the message for a too-large one)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise WrongTypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}" + (f"; {hint}" if hint else ""))
    return int(value)


#: the largest seed of a single model or sampler (torch seeds are 64-bit; ``seed + 1`` is used too)
MAX_TORCH_SEED = 2**63 - 2


def check_seed(name: str, value, maximum: int = MAX_SEED) -> int:
    """Return ``value`` as a seed: an integer from 0 to ``maximum`` (default :data:`MAX_SEED`, for the
    seed of a whole run; :data:`MAX_TORCH_SEED` for one model's), or raise ``ValueError``. A float
    such as 1.5 is refused rather than truncated."""
    return check_int(name, value, minimum=0, maximum=maximum, hint="any smaller seed is as good")


def check_fraction(name: str, value) -> float:
    """Return ``value`` as a float in [0, 1], or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise WrongTypeError(f"{name} must be a number in [0, 1], got {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def check_positive(name: str, value) -> float:
    """Return ``value`` as a float > 0, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise WrongTypeError(f"{name} must be a finite number > 0, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_finite_array(name: str, values, *, ndim: int | None = None, min_len: int = 1) -> np.ndarray:
    """Return ``values`` as a float array, or raise ``ValueError`` if it has NaN/inf, the wrong
    number of dimensions, or fewer than ``min_len`` rows."""
    arr = np.asarray(values, dtype=float)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if arr.ndim == 0 or len(arr) < min_len:
        raise ValueError(f"{name} needs at least {min_len} values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} non-finite values (NaN or inf); clean the data first")
    return arr


def check_finite(name: str, value, *, minimum: float | None = None, hint: str = "") -> float:
    """Return ``value`` as a finite float (>= ``minimum`` if given), or raise ``ValueError``.

    ``hint``, if given, is appended to the message: say what the number means or what to do."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and (minimum is None or number >= minimum):
            return number
        shown, error = f"{number:g}", ValueError
    else:
        shown, error = repr(value), WrongTypeError
    wanted = f"{name} must be a finite number" + ("" if minimum is None else f" >= {minimum:g}")
    raise error(f"{wanted}, got {shown}" + (f"; {hint}" if hint else ""))


def check_probability_vectors(name: str, values) -> np.ndarray:
    """Return ``values`` as a float array whose last axis holds probability vectors, or raise
    ``ValueError``: entries finite and non-negative, each vector summing to 1 (within ``np.isclose``'s
    tolerance, atol 1e-6 and rtol 1e-5). Shape ``(..., K)``, not empty; vectorised, so cheap on
    ``(n_chains, K)`` batches."""
    p = np.asarray(values, dtype=float)
    if p.ndim == 0:
        raise ValueError(f"{name} needs a category axis (shape (..., K)), got a scalar; pass a 1-D array of probabilities")
    if p.size == 0:
        raise ValueError(f"{name} is empty (shape {p.shape}); it needs at least one probability vector of K >= 1 entries")
    finite = np.isfinite(p)
    if not finite.all():
        raise ValueError(f"{name} contains {p.size - np.count_nonzero(finite)} non-finite value(s) (NaN or inf)")
    if p.min() < 0:
        raise ValueError(f"{name} must be non-negative, got {p.min():g}")
    sums = p.sum(axis=-1)
    off = ~np.isclose(sums, 1.0, atol=1e-6)
    if off.any():
        worst = sums[off].flat[np.argmax(np.abs(sums[off] - 1.0))]
        raise ValueError(f"{name} must sum to 1 along the last axis, got a sum of {worst:g}; divide by the sum to normalise")
    return p


#: pixels of one flattened 28 x 28 MNIST image
PIXELS = 784


def check_images(images, name: str = "images"):
    """Return ``images`` as a ``float32`` tensor ``(n, 784)`` with values in [0, 1], or raise
    ``ValueError`` saying what to change.

    A numpy array is converted (``torch.from_numpy``), and float64 or float16 values become float32
    (a copy), so ``torch.from_numpy(x / 255)`` works as it is; a float32 tensor is returned as it is
    (no copy). Integer pixels (0-255), another shape, an empty set, NaN or values outside [0, 1]
    are refused."""
    import torch

    if isinstance(images, np.ndarray):
        images = torch.from_numpy(images)
    if not isinstance(images, torch.Tensor):
        raise WrongTypeError(f"{name} must be a torch tensor (or numpy array) of shape (n, 784), got a "
                         f"{type(images).__name__}")
    if images.ndim != 2 or images.shape[1] != PIXELS:
        raise ValueError(f"{name} must have shape (n, 784), got {tuple(images.shape)}; flatten 28x28 images "
                         "first (images.reshape(len(images), -1))")
    if len(images) == 0:
        raise ValueError(f"{name} is empty")
    if not torch.is_floating_point(images):
        raise ValueError(f"{name} must hold floats in [0, 1], got {images.dtype} values; divide uint8 pixels "
                         "by 255 (images.float() / 255)")
    if images.dtype != torch.float32:
        images = images.to(torch.float32)
    # min and max propagate NaN, and inf fails the bounds: no full-size temporary needed
    low, high = torch.aminmax(images)
    if not (low >= 0 and high <= 1):
        raise ValueError(f"{name} must hold finite floats in [0, 1], got values from {float(low):g} to "
                         f"{float(high):g}; divide 0-255 pixels by 255")
    return images
