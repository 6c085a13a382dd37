"""Notebook 01's simulation-against-theory table: it agrees for the real simulator and catches a
wrong one."""

import numpy as np
import pytest

from collapselab import gaussian
from collapselab.course import theory


@pytest.fixture(scope="module")
def chains():
    return (gaussian.simulate_chains(4000, 200, 20, ddof=1, seed=0),
            gaussian.simulate_chains(4000, 200, 20, ddof=0, seed=1),
            {10: gaussian.simulate_chains(4000, 100, 10, ddof=1, seed=2)})


def test_every_formula_agrees_with_the_simulator(chains):
    rows = theory.against_theory(*chains)
    assert len(rows) == 12 and all(r.agrees for r in rows), [r for r in rows if not r.agrees]


def test_a_simulator_with_the_wrong_refit_fails_the_table(chains):
    unbiased, mle, by_size = chains
    wrong = gaussian.Chains(mle.means, mle.log_variances, sample_size=20, ddof=1)   # MLE chains labelled unbiased
    rows = theory.against_theory(wrong, mle, by_size)
    assert not all(r.agrees for r in rows)


def test_chains_too_short_or_mislabelled_are_refused(chains):
    unbiased, mle, _ = chains
    with pytest.raises(ValueError, match="ddof"):
        theory.against_theory(mle, unbiased)
    short = gaussian.simulate_chains(100, 50, 20, ddof=1, seed=0)
    with pytest.raises(ValueError, match="200"):
        theory.against_theory(short, gaussian.simulate_chains(100, 50, 20, ddof=0, seed=0))


def test_show_prints_one_row_per_comparison(chains, capsys):
    rows = theory.against_theory(*chains)
    assert theory.show(rows)
    assert len(capsys.readouterr().out.strip().splitlines()) == len(rows) + 1
