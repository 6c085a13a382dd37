"""Notebook 01's one table of simulation against theory.

Every closed form of :mod:`collapselab.gaussian` that notebook 01 teaches is checked here against
its simulated chains, at a few generations, to within 4 Monte-Carlo standard errors
(:func:`collapselab.report.within`). A *Monte-Carlo standard error* is the spread you would expect
in a simulated average just from using finitely many chains: the standard deviation across chains
divided by √(number of chains).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import gaussian, report

#: the standard error of a sample median of a near-normal variable, in units of sd / √n
MEDIAN_SE = 1.2533


class Row(NamedTuple):
    """One comparison: ``quantity`` at generation ``t`` (a slope: measured from generation 0 to ``t``)
    for chains with ``sample_size`` samples per generation, simulated and predicted, and whether
    they agree within 4 standard errors."""

    quantity: str
    sample_size: int
    t: int
    simulation: float
    theory: float
    agrees: bool


def _mean_row(quantity, values, theory, sample_size, t, median=False) -> Row:
    n = values.size
    estimate = np.median(values) if median else values.mean()
    se = (MEDIAN_SE if median else 1.0) * values.std() / np.sqrt(n)
    return Row(quantity, sample_size, t, float(estimate), float(theory), report.within(estimate, theory, se))


def against_theory(unbiased: gaussian.Chains, mle: gaussian.Chains,
                   by_size: dict[int, gaussian.Chains] | None = None) -> list[Row]:
    """The rows of the table: ``unbiased`` (ddof = 1) and ``mle`` (ddof = 0) chains of the same M,
    each with at least 200 generations, and optionally ``{M: unbiased chains}`` of other sizes (at
    least 100 generations each) for the clock's slope.

    The *mean* of σ²ₜ is compared only up to t = 20: later it is carried by a few rare chains and its
    naive standard error no longer describes it (notebook 01 shows why)."""
    if unbiased.ddof != 1 or mle.ddof != 0 or unbiased.sample_size != mle.sample_size:
        raise ValueError("against_theory needs unbiased (ddof=1) and MLE (ddof=0) chains of the same sample size")
    if min(unbiased.generations, mle.generations) < 200:
        raise ValueError("against_theory compares up to generation 200: simulate at least 200 generations")
    m = unbiased.sample_size
    rows = []
    for t in (50, 200):
        theory = gaussian.expected_log_variance(t, m, 1)
        rows.append(_mean_row("E[log σ²ₜ] (unbiased)", unbiased.log_variances[t], theory, m, t))
        rows.append(_mean_row("log of median σ²ₜ (unbiased)", unbiased.log_variances[t], theory, m, t, median=True))
    for t in (5, 20):
        rows.append(_mean_row("E[σ²ₜ] (unbiased) = 1", unbiased.variances[t], 1.0, m, t))
    for t in (5, 20):
        rows.append(_mean_row("E[σ²ₜ] (MLE) = ((M−1)/M)ᵗ", mle.variances[t], gaussian.expected_variance(t, m, 0), m, t))
    drift = (unbiased.means - unbiased.means[0]) ** 2
    for t in (5, 20):
        rows.append(_mean_row("E[(μₜ − μ₀)²] = t/M", drift[t], gaussian.expected_mean_drift(t, m, 1), m, t))
    rows.append(_mean_row("slope of E[log σ²ₜ] over t (MLE)", mle.log_variances[200] / 200,
                          gaussian.expected_log_variance(1, m, 0), m, 200))
    for size, chains in sorted((by_size or {}).items()):
        if chains.ddof != 1 or chains.generations < 100:
            raise ValueError(f"by_size[{size}] must be unbiased chains (ddof=1) of at least 100 generations")
        rows.append(_mean_row("slope of E[log σ²ₜ] over t (unbiased)", chains.log_variances[100] / 100,
                              gaussian.expected_log_variance(1, size, 1), size, 100))
    return rows


def show(rows: list[Row]) -> bool:
    """Print the rows as one table; returns whether every row agrees."""
    report.table(["quantity", "M", "t", "simulation", "theory", "within 4 SE"],
                 [(r.quantity, r.sample_size, r.t, r.simulation, r.theory, r.agrees) for r in rows])
    return all(r.agrees for r in rows)
