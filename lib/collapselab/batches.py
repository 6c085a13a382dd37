"""Length, indexing and concatenation for the data the recursion engine moves around.

A *data set* is a NumPy array, a torch tensor (first axis = samples), or a tuple of those with
the same number of rows (for example ``(X, y)`` for regression). These helpers let one engine
drive every model without caring which.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

Data = Any  # np.ndarray | torch.Tensor | tuple of those


def length(data: Data) -> int:
    """Number of samples (rows) in ``data``."""
    if isinstance(data, tuple):
        sizes = {length(part) for part in data}
        if len(sizes) != 1:
            raise ValueError(f"all parts of a tuple data set need the same number of rows, got {sorted(sizes)}")
        return sizes.pop()
    shape = getattr(data, "shape", None)
    if shape is None or len(shape) == 0:
        kind = type(data).__name__
        raise ValueError(f"a data set must be a NumPy array, a torch tensor (rows = samples) or a tuple of them, "
                         f"got a {kind}" + ("; convert it with np.asarray(...)" if kind == "list" else ""))
    return int(shape[0])


def take(data: Data, index: np.ndarray) -> Data:
    """Rows ``index`` (an integer array) of ``data``."""
    if isinstance(data, tuple):
        return tuple(take(part, index) for part in data)
    if isinstance(data, np.ndarray):
        return data[index]
    import torch  # only torch tensors get here

    return data[torch.as_tensor(index, dtype=torch.long, device=data.device)]


def concat(parts: Sequence[Data]) -> Data:
    """Stack data sets along the sample axis (all parts of the same kind)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        raise ValueError("concat needs at least one data set")
    first = parts[0]
    if isinstance(first, tuple):
        return tuple(concat([p[i] for p in parts]) for i in range(len(first)))
    if isinstance(first, np.ndarray):
        return np.concatenate(parts, axis=0)
    import torch

    return torch.cat(list(parts), dim=0)
