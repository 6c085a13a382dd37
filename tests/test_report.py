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


def test_the_ratio_heatmap_prints_each_sets_score_against_real_digits_below_1_meaning_worse():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from collapselab.plots import ratio_heatmap

    scores = {"real": {"fd": 2.0, "coverage": 0.9}, "noise": {"fd": 1000.0, "coverage": 0.0009},
              "blurred": {"fd": 160.0, "coverage": 0.45}}
    fig, ax = plt.subplots()
    image = ratio_heatmap(ax, scores, ["fd", "coverage"])
    # FD is inverted (real ÷ set), so that below 1 is worse than real in every row
    assert [t.get_text() for t in ax.texts] == ["1", "2e-3", "0.013", "1", "1e-3", "0.5"]
    assert image.get_array()[0, 1] == -3.0                   # ÷500 is shown at the clip, ÷8
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fd (inverted: real ÷ set)", "coverage"]
    plt.close(fig)
