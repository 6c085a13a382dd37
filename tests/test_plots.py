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
    assert fd.get_ylim()[1] < 650 and any("noise: 650, off the scale" in t.get_text() for t in fd.texts)
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["replace", "real-only", "real digits", "noise"]
    assert [ax.get_visible() for ax in fig.axes] == [True, True, False]
    assert fig._suptitle.get_text() == "a finding"
