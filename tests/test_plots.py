"""The course's shared figures: what a reader must be able to see in them."""

import numpy as np

from collapselab.plots import metric_panels


class Run:
    def __init__(self, scale):
        self.scale = scale
        self.metrics = [None] * 3

    def metric(self, name):
        return np.array([1.0, 1.5, 2.0]) * self.scale


def test_metric_panels_name_fds_noise_instead_of_squashing_the_runs_and_keep_the_legend_out_of_the_panels():
    real = {"fd": 1.0, "coverage": 0.9}
    noise = {"fd": 650.0, "coverage": 0.0}
    fig = metric_panels({"replace": Run(100), "real-only": Run(1)}, ["fd", "coverage"], real, noise, title="a finding")
    fd, coverage = fig.axes[:2]
    assert fd.get_ylim()[1] < 650 and "noise: 650, off the scale above" in fd.get_xlabel()
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["replace", "real-only", "real digits", "noise"]
    assert [ax.get_visible() for ax in fig.axes] == [True, True, False]
    assert fig._suptitle.get_text() == "a finding"


def test_metric_panels_name_any_reference_level_far_from_the_runs_instead_of_squashing_them():
    class Flat(Run):                       # runs between 2.1 and 2.3: a change of 0.2 must stay visible
        def metric(self, name):
            return np.array([2.3, 2.2, 2.1]) + 0 * self.scale

    fig = metric_panels({"replace": Flat(1)}, ["class_entropy"], {"class_entropy": 2.30}, {"class_entropy": 0.49},
                        title="a finding")
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > 1.5                                      # not stretched down to noise's 0.49
    assert ax.get_xlabel() == "generation\n(noise: 0.49, off the scale below)" and not ax.texts
    assert [line.get_label() for line in ax.lines] == ["replace", "real digits"]    # real is near: drawn
