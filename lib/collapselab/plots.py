"""The course's figure conventions: colour-blind-safe colours, generation as a colour ramp.

Every figure in the course labels its axes with units and states its finding in the title; these
helpers keep the look consistent so the notebooks show only the lines that carry the idea.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: Okabe & Ito's colour-blind-safe palette, for categories (policies, models).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: the colour map for generations (perceptually uniform, colour-blind safe): early = dark, late = yellow.
GENERATION_CMAP = "viridis"


def use_course_style() -> None:
    """Set matplotlib defaults for the course: compact figures, light grid, Okabe-Ito colour cycle."""
    mpl.rcParams.update({
        "figure.figsize": (7.5, 3.6),
        "figure.dpi": 80,
        "figure.constrained_layout.use": True,
        "savefig.dpi": 80,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
        "legend.frameon": False,
    })


def generation_colors(n: int) -> np.ndarray:
    """Shape ``(n, 4)``: RGBA colours for generations ``0 .. n-1`` along the generation ramp."""
    return plt.get_cmap(GENERATION_CMAP)(np.linspace(0.0, 0.9, max(n, 1)))


def generation_colorbar(ax, generations: int, label: str = "generation"):
    """Add a colourbar for generations ``0 .. generations`` next to ``ax``."""
    norm = mpl.colors.Normalize(vmin=0, vmax=generations / 0.9 if generations else 1)
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap=GENERATION_CMAP)
    bar = ax.figure.colorbar(mappable, ax=ax, label=label, fraction=0.05, pad=0.02)
    bar.ax.set_ylim(0, generations)
    return bar


def band(ax, x, values, *, color, label=None, quantiles=(0.1, 0.5, 0.9), alpha=0.25):
    """Draw the median of ``values`` (shape ``(len(x), n_runs)``) with a shaded quantile band."""
    lo, mid, hi = np.quantile(values, quantiles, axis=1)
    ax.fill_between(x, lo, hi, color=color, alpha=alpha, linewidth=0)
    return ax.plot(x, mid, color=color, label=label)[0]


def end_labels(ax, x: float, ends: dict[str, tuple[float, str]], *, gap: float = 0.06) -> None:
    """Name each line at its right end: ``ends`` maps a label to ``(y, colour)`` at ``x``. Labels
    closer than ``gap`` (a share of the y-axis range) are pushed apart, so clustered lines stay
    readable; call it after the data are drawn (it reads the axis limits)."""
    lo, hi = ax.get_ylim()
    step = gap * (hi - lo)
    placed: list[float] = []
    for name, (y, color) in sorted(ends.items(), key=lambda item: item[1][0]):
        at = max(y, placed[-1] + step) if placed else y
        placed.append(at)
        ax.annotate(name, (x, y), xytext=(x, at), textcoords="data", color=color, fontsize=8, va="center",
                    ha="left", annotation_clip=False)


def image_grid(ax, images, columns: int = 10, *, title: str | None = None):
    """Show images ``(n, 784)`` (values in [0, 1]) as a grid with ``columns`` per row on ``ax``."""
    if hasattr(images, "detach"):  # a torch tensor, possibly on a GPU
        images = images.detach().cpu().numpy()
    images = np.asarray(images, dtype=float).reshape(-1, 28, 28)
    rows = int(np.ceil(len(images) / columns))
    canvas = np.ones((rows * 29 + 1, columns * 29 + 1))
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[1 + r * 29 : 1 + r * 29 + 28, 1 + c * 29 : 1 + c * 29 + 28] = 1.0 - image
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def reference_lines(ax, real: float | None = None, noise: float | None = None, *, label: bool = True):
    """Horizontal reference lines on a metric plot: the value for real digits (solid grey) and for
    uniform noise (dotted grey), so every curve is read against the best and the worst case."""
    if real is not None:
        ax.axhline(real, color="0.45", lw=1.2, label="real digits" if label else None)
    if noise is not None:
        ax.axhline(noise, color="0.45", lw=1.2, ls=":", label="noise" if label else None)
    return ax


#: how to read each image metric, for panel titles
READING = {"fd": "lower is better", "coverage": "higher is better", "density": "near 1", "recall": "higher is better",
           "precision": "fidelity only", "class_entropy": "higher is better", "latent_spread": "1 = generation 0"}


#: a reference level further than this many times the runs' own range from them is named, not drawn
OFF_SCALE = 3.0


def metric_panels(runs: dict, names: list[str], real: dict, noise: dict, *, title: str) -> plt.Figure:
    """One panel per metric in ``names`` (2 x 3 for six), one line per run of ``runs``
    ({arm: ImageRun}) against generation, with real digits' and uniform noise's scores as
    reference lines (:func:`reference_lines`). A reference level further from the runs than
    :data:`OFF_SCALE` times their own range (always noise on FD) is named in the panel instead of
    drawn (under the panel's axis), so the runs are not squashed against it. The legend sits
    outside, on the right;
    ``title`` (the finding) on top."""
    rows = (len(names) + 2) // 3
    fig, axes = plt.subplots(rows, 3, figsize=(13, 3.3 * rows), layout="constrained", squeeze=False)
    generations = np.arange(len(next(iter(runs.values())).metrics))
    for ax, name in zip(axes.flat, names):
        values = np.concatenate([run.metric(name) for run in runs.values()])
        for (arm, run), color in zip(runs.items(), OKABE_ITO):
            ax.plot(generations, run.metric(name), "o-", ms=3, color=color, label=arm)
        notes = []
        if name != "latent_spread":
            low, high = float(values.min()), float(values.max())
            reach = OFF_SCALE * max(high - low, 1e-3 * max(abs(high), 1.0))
            for level, label, style in ((real[name], "real digits", "-"), (noise[name], "noise", ":")):
                if (name == "fd" and label == "noise") or not low - reach <= level <= high + reach:
                    notes.append(f"{label}: {level:.3g}, off the scale {'above' if level > high else 'below'}")
                else:
                    ax.axhline(level, color="0.45", lw=1.2, ls=style, label=label)
        if name == "fd":
            ax.set_ylim(0, None)
        # a level off the scale is named under the axis, where it never covers a curve
        xlabel = "generation" + (f"\n({'; '.join(notes)})" if notes else "")
        ax.set(title=f"{name} ({READING.get(name, '')})", xlabel=xlabel, xticks=generations)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    handles = {label: handle for ax in axes.flat for handle, label in zip(*ax.get_legend_handles_labels())}
    fig.legend(handles.values(), handles.keys(), loc="outside right center", fontsize=9)
    fig.suptitle(title, fontweight="bold")
    return fig


def ratio_heatmap(ax, scores: dict[str, dict], metrics: list[str], *, reference: str = "real",
                  lower_is_better: tuple[str, ...] = ("fd",)):
    """Every set's metrics compared with the ``reference`` set's, as a heatmap: rows are ``metrics``,
    columns the sets of ``scores`` ({set name: {metric: value}}), each cell the set's score ÷ the
    reference's, except for a metric in ``lower_is_better`` (FD), whose row is the reference's ÷ the
    set's, so that in every row a value below 1 is worse than real. Colour is log₂ of the ratio
    (white at 1, "as real"; clipped at ×1/8 and ×8), so values that span decades stay readable;
    each cell prints the ratio. Returns the image, for a colour bar."""
    names = list(scores)
    ratio = lambda s, m: (float(scores[reference][m]) / float(scores[s][m]) if m in lower_is_better
                          else float(scores[s][m]) / float(scores[reference][m]))
    ratios = np.array([[ratio(s, m) for s in names] for m in metrics])
    shown = np.log2(np.clip(ratios, 1 / 8, 8))
    image = ax.imshow(shown, cmap="PuOr", vmin=-3, vmax=3, aspect="auto")
    for i, row in enumerate(ratios):
        for j, r in enumerate(row):
            text = "0" if r == 0 else f"{r:.0f}" if r >= 100 else f"{r:.2g}" if r >= 0.01 else f"{r:.0e}".replace("e-0", "e-")
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if abs(shown[i, j]) > 2.2 else "black")
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(metrics)), [m + (" (inverted: real ÷ set)" if m in lower_is_better else "") for m in metrics])
    ax.tick_params(length=0)
    ax.grid(False)
    return image
