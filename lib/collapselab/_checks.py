"""Argument checks shared by the library: each error says what was wrong and what to do."""

from __future__ import annotations

import math
import numbers

import numpy as np


def check_int(name: str, value, *, minimum: int) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_fraction(name: str, value) -> float:
    """Return ``value`` as a float in [0, 1], or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def check_positive(name: str, value) -> float:
    """Return ``value`` as a float > 0, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
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
        shown = f"{number:g}"
    else:
        shown = repr(value)
    wanted = f"{name} must be a finite number" + ("" if minimum is None else f" >= {minimum:g}")
    raise ValueError(f"{wanted}, got {shown}" + (f"; {hint}" if hint else ""))


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
