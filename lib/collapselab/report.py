"""Printing results the way the notebooks promise: rounded numbers and explicit theory checks.

nbval compares every printed line of a notebook, so numbers are rounded to a few significant
figures (stable across runs) and every theory-vs-simulation comparison ends in a plain
``True``/``False`` that would flip if the simulation were wrong.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np


def sig(x: float, digits: int = 3) -> str:
    """``x`` rounded to ``digits`` significant figures, as text (``sig(0.012345) == '0.0123'``)."""
    x = float(x)
    if x == 0 or not np.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def over_seeds(values: Iterable[float], digits: int = 2) -> str:
    """One measurement over several seeds as ``"mean [min, max]"``, each rounded to ``digits``
    significant figures (``over_seeds([1, 2, 4]) == '2.3 [1, 4]'``)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("over_seeds needs at least one value")
    return f"{sig(np.mean(values), digits)} [{sig(min(values), digits)}, {sig(max(values), digits)}]"


def table(header: Sequence[str], rows: Sequence[Sequence], digits: int = 3) -> None:
    """Print a right-aligned table; floats are rounded to ``digits`` significant figures."""
    cells = [[c if isinstance(c, str) else sig(c, digits) if isinstance(c, (float, np.floating)) else str(c)
              for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print("  ".join(str(h).rjust(w) for h, w in zip(header, widths)))
    for r in cells:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths)))


def within(estimate, theory, standard_error, z: float = 4.0) -> bool:
    """True when every ``|estimate - theory| <= z * standard_error`` (Monte-Carlo agreement).

    With ``z = 4`` an honest simulation fails about once in 16,000 comparisons, while a simulation
    that is off by more than a few standard errors fails."""
    estimate, theory, standard_error = (np.asarray(a, dtype=float) for a in (estimate, theory, standard_error))
    return bool(np.all(np.abs(estimate - theory) <= z * standard_error))


def check(label: str, passed: bool) -> bool:
    """Print ``label: True/False`` and return ``passed``."""
    print(f"{label}: {bool(passed)}")
    return bool(passed)
