"""The printed forms the notebooks compare: rounded numbers, tables, one measurement over seeds."""

import pytest

from collapselab import report


def test_numbers_are_rounded_to_significant_figures():
    assert report.sig(0.012345) == "0.0123" and report.sig(123456) == "1.23e+05" and report.sig(0) == "0.0"


def test_a_measurement_over_seeds_reads_mean_then_range():
    assert report.over_seeds([1, 2, 4]) == "2.3 [1, 4]"
    assert report.over_seeds([0.1234, -0.5], digits=1) == "-0.2 [-0.5, 0.1]"
    with pytest.raises(ValueError, match="at least one value"):
        report.over_seeds([])


def test_a_table_right_aligns_its_columns(capsys):
    report.table(["run", "fd"], [("replace", 301.4), ("real-only", 118.0)])
    assert capsys.readouterr().out.splitlines() == ["      run   fd", "  replace  301", "real-only  118"]
