"""Argument checks shared by the library: each error says what was wrong and what to do."""

from __future__ import annotations

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
