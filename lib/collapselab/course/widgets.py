"""The course's interactive pieces: each one a plain, testable state or drawing function, plus a thin
ipywidgets wrapper that needs a running kernel.

Every widget here has a *static fallback*: the same drawing function called once with fixed
settings, so a stored notebook and the website still show the point. The callbacks (``step``,
``reset``, the drawing functions) are unit-tested without a browser (``tests/test_widgets.py``);
only :meth:`NextGeneration.show` and the ``*_explorer`` functions touch ipywidgets. Notebook 07's
temperature slider (:func:`temperature_explorer`) writes text with a trained model on every move.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import gaussian
from .._checks import check_int
from ..plots import OKABE_ITO, band


class NextGeneration:
    """Notebook 01's photocopier, one press of a button at a time.

    Generation 0 is ``sample_size`` draws from the truth N(0, 1), fitted by the unbiased refit
    (``ddof = 1``). Each :meth:`step` draws ``sample_size`` points from the current fit and refits:
    one generation. ``seed`` fixes the whole chain, so two learners who press the button the same
    number of times see the same chain.

    Attributes: ``generation`` (int, 0 at the start), ``data`` (shape ``(sample_size,)``, the points
    the current model was fitted to), ``models`` (one :class:`~collapselab.gaussian.Gaussian` per
    generation so far).
    """

    def __init__(self, sample_size: int = 20, seed: int = 0):
        self.sample_size = check_int("sample_size", sample_size, minimum=2)
        self.seed = check_int("seed", seed, minimum=0)
        self.reset()

    def reset(self) -> None:
        """Back to generation 0: the same real data, the same chain to come."""
        self._rng = np.random.default_rng(self.seed)
        self.data = self._rng.normal(0.0, 1.0, size=self.sample_size)
        self.models = [gaussian.unbiased_fit(self.data)]

    @property
    def generation(self) -> int:
        """The current generation (0 before the first step)."""
        return len(self.models) - 1

    @property
    def model(self) -> gaussian.Gaussian:
        """The current generation's fitted Gaussian."""
        return self.models[-1]

    def step(self, generations: int = 1) -> gaussian.Gaussian:
        """Run ``generations`` more generations (sample from the current fit, refit); returns the new fit."""
        for _ in range(check_int("generations", generations, minimum=1)):
            self.data = gaussian.sample(self.model, self.sample_size, self._rng)
            self.models.append(gaussian.unbiased_fit(self.data))
        return self.model

    def draw(self, fig: plt.Figure | None = None) -> plt.Figure:
        """Two panels: the current generation's data (histogram) with its fitted curve and the truth,
        and every generation's fitted standard deviation so far."""
        fig = fig or plt.figure(figsize=(11, 3.6))
        fig.clear()
        fig.set_layout_engine("constrained")  # (not tight_layout: under the course style it warns)
        left, right = fig.subplots(1, 2)
        x = np.linspace(-3.5, 3.5, 400)
        left.hist(self.data, bins=np.linspace(-3.5, 3.5, 29), density=True, color=OKABE_ITO[0], alpha=0.35,
                  label=f"the {self.sample_size} points it was fitted to")
        if self.model.std > 0:
            left.plot(x, self.model.pdf(x), color=OKABE_ITO[0], lw=2, label="the fitted curve (the model)")
        left.plot(x, gaussian.Gaussian(0, 1).pdf(x), "k--", lw=1.2, label="truth N(0, 1)")
        left.set(xlabel="value", ylabel="density", ylim=(0, max(1.0, 1.15 * left.get_ylim()[1])),
                 title=f"generation {self.generation}: mean {self.model.mean:+.2f}, std {self.model.std:.2f}")
        left.legend(fontsize=8, loc="upper left")
        g = np.arange(self.generation + 1)
        right.plot(g, [m.std for m in self.models], "o-", ms=3, color=OKABE_ITO[0])
        right.axhline(1.0, color="k", ls="--", lw=1, label="truth: std 1")
        right.set(xlabel="generation", ylabel="fitted std", ylim=(0, max(1.5, 1.1 * max(m.std for m in self.models))),
                  xlim=(-0.5, max(10, self.generation) + 0.5), title="every copy's standard deviation so far")
        right.xaxis.get_major_locator().set_params(integer=True)
        right.legend(fontsize=8)
        return fig

    def show(self):
        """Buttons (one generation, ten, back to the start) above the figure; returns the widget box."""
        import ipywidgets as widgets
        from IPython.display import display

        out = widgets.Output()

        def redraw():
            with out:
                out.clear_output(wait=True)
                self.draw()
                plt.show()

        def on(action):
            def handler(_):
                action()
                redraw()
            return handler

        buttons = [widgets.Button(description="next generation", button_style="primary"),
                   widgets.Button(description="10 generations"), widgets.Button(description="back to generation 0")]
        for button, action in zip(buttons, (self.step, lambda: self.step(10), self.reset)):
            button.on_click(on(action))
        box = widgets.VBox([widgets.HBox(buttons), out])
        display(box)
        redraw()
        return box


def clock_figure(sample_size: int = 20, generations: int = 100, chains: int = 2000, seed: int = 0) -> plt.Figure:
    """Notebook 01's explorer: log₁₀ σ²ₜ of ``chains`` unbiased photocopiers with ``sample_size``
    samples per generation over ``generations`` generations (median and 10-90 % band) against the
    theory E[log σ²ₜ]; the title gives the typical variance's half-life in generations."""
    run = gaussian.simulate_chains(chains, generations, sample_size, ddof=1, seed=seed)
    t = np.arange(generations + 1)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    band(ax, t, run.log_variances / np.log(10), color=OKABE_ITO[0], label=f"simulation: median, 10-90% of {chains:,} chains")
    ax.plot(t, gaussian.expected_log_variance(t, sample_size, 1) / np.log(10), "k--", label="theory")
    half = float(np.log(2) / -gaussian.expected_log_variance(1, sample_size, 1))
    ax.set(xlabel="generation t", ylabel="log₁₀ σ²ₜ (a halving: −0.3)",
           title=f"M = {sample_size}: the typical variance halves every {half:.0f} generations")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def _explorer(figure, **controls):
    """``ipywidgets.interact`` over a drawing function: redraws ``figure(**settings)`` on every change."""
    import ipywidgets as widgets

    def draw(**settings):
        figure(**settings)
        plt.show()

    return widgets.interact(draw, **controls)


def clock_explorer():
    """Sliders for M and the number of generations over :func:`clock_figure`."""
    import ipywidgets as widgets

    return _explorer(clock_figure, sample_size=widgets.IntSlider(20, 3, 200, description="M"),
                     generations=widgets.IntSlider(100, 10, 500, step=10, description="generations"))


def vanishing_figure(p: float = 0.002, sample_size: int = 500, generations: int = 30, chains: int = 2000,
                     seed: int = 0) -> plt.Figure:
    """Notebook 02's explorer: a token of probability ``p``, refit by counts on ``sample_size`` draws
    per generation. Left: the chance it gets no draw in one generation, (1 − p)^M, against M (the
    chosen M marked). Right: the share of ``chains`` simulated chains in which it still survives,
    per generation, against the naive guess that every generation is a fresh (1 − p)^M risk."""
    from .. import categorical
    from .._checks import check_fraction

    p = check_fraction("p", p)
    if not 0 < p < 1:
        raise ValueError(f"p must be strictly between 0 and 1 (a token that can vanish), got {p!r}")
    sample_size = check_int("sample_size", sample_size, minimum=1)
    run = categorical.simulate_chains(np.array([p, 1 - p]), generations=generations, sample_size=sample_size,
                                      n_chains=chains, seed=seed)
    survived = run.alive[:, :, 0].mean(axis=1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    m = np.unique(np.geomspace(1, max(10 * sample_size, 10 / p), 300).astype(int))
    lost = float(categorical.loss_probability(np.array([p]), sample_size)[0])
    left.semilogx(m, (1 - p) ** m, color=OKABE_ITO[0])
    left.plot([sample_size], [lost], "o", color=OKABE_ITO[1], label=f"M = {sample_size}: {lost:.1%}")
    left.set(xlabel="samples per generation M (log scale)", ylabel="P(no draw in one generation)", ylim=(0, 1.02),
             title=f"p = {p:g}: lost in one generation with chance (1 − p)^M")
    left.legend(fontsize=8)
    g = np.arange(generations + 1)
    right.plot(g, survived, "o-", ms=3, color=OKABE_ITO[0], label=f"simulation ({chains:,} chains)")
    right.plot(g, (1 - lost) ** g, "k--", lw=1, label="naive: a fresh (1 − p)^M risk every generation")
    right.set(xlabel="generation", ylabel="share of chains where it survives", ylim=(0, 1.02),
              title=f"after {generations} generations it survives in {survived[-1]:.0%} of chains")
    right.xaxis.get_major_locator().set_params(integer=True)
    right.legend(fontsize=8)
    return fig


def vanishing_explorer():
    """Sliders for p and M over :func:`vanishing_figure`."""
    import ipywidgets as widgets

    return _explorer(vanishing_figure, p=widgets.FloatLogSlider(0.002, base=10, min=-4, max=-1, step=0.1, description="p"),
                     sample_size=widgets.IntSlider(500, 10, 5000, step=10, description="M"))


#: the policies notebook 03's explorer offers (``mix`` takes the fresh fraction from the slider)
EXPLORER_POLICIES = ("replace", "accumulate", "accumulate-subsample", "mix")


def policy_figure(policy: str = "mix", fresh_fraction: float = 0.1, chains: int = 100, generations: int = 60,
                  sample_size: int = 100) -> plt.Figure:
    """Notebook 03's explorer: the fitted variance of ``chains`` Gaussian photocopiers (MLE refit,
    ``sample_size`` samples per generation) under one of :data:`EXPLORER_POLICIES` (median and 10-90 %
    band), against ``replace``'s median; ``fresh_fraction`` is the share of fresh real data under ``mix``."""
    from .. import policies

    if policy not in EXPLORER_POLICIES:
        raise ValueError(f"policy must be one of {', '.join(EXPLORER_POLICIES)}, got {policy!r}")
    chosen = policies.mix(fresh_fraction) if policy == "mix" else policy
    name = f"mix {fresh_fraction:.0%} fresh" if policy == "mix" else policy
    run = gaussian.engine_chains(chosen, chains, generations, sample_size)
    baseline = gaussian.engine_chains("replace", chains, generations, sample_size)
    g = np.arange(generations + 1)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    band(ax, g, run.variances, color=OKABE_ITO[2], label=f"{name}: median, 10-90% of {chains} chains")
    ax.plot(g, np.median(baseline.variances, axis=1), color=OKABE_ITO[3], lw=1.5, label="replace: median")
    ax.axhline(1.0, color="k", ls="--", lw=1, label="truth")
    final = float(np.median(run.variances[-1]))
    ax.set(xlabel="generation", ylabel="fitted variance", ylim=(0, 1.6),
           title=f"{name}: median variance {final:.2f} at generation {generations}")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def policy_explorer():
    """A policy dropdown and a fresh-fraction slider over :func:`policy_figure`."""
    import ipywidgets as widgets

    return _explorer(policy_figure, policy=widgets.Dropdown(options=EXPLORER_POLICIES, value="mix", description="policy"),
                     fresh_fraction=widgets.FloatSlider(0.1, min=0.0, max=1.0, step=0.05, description="fresh (mix)"))


# --- notebook 07: the temperature slider -----------------------------------------------------------

def temperature_sample(model, lab, temperature: float, passages: int = 300, seed: int = 0) -> dict:
    """What ``model`` (a :class:`~collapselab.text.lm.CharGRU`) writes at ``temperature``:
    ``passages`` passages of 256 characters (about 0.5 s per 300 on 2 cores), scored by ``lab``
    (a :class:`~collapselab.text.photocopier.TextLab`). Returns ``{"passage": the first passage's
    text, "distinct_2", "repetition", "real_word_share"}`` (see :mod:`collapselab.text.metrics`)."""
    from ..text import lm

    rows = lm.sample(model, check_int("passages", passages, minimum=1), lab.start, temperature=temperature, seed=seed)
    words = lab.words_of(rows)
    return {"passage": lab.decode(rows[:1])[0],
            **{k: float(words[k]) for k in ("distinct_2", "repetition", "real_word_share")}}


def temperature_figure(model, lab, temperatures=(0.0, 0.3, 0.5, 0.7, 1.0, 1.3), passages: int = 300,
                       seed: int = 0) -> plt.Figure:
    """The static fallback of :func:`temperature_explorer`: distinct-2, repetition and the share of
    real words in ``passages`` passages written at each of ``temperatures``, against the same amount
    of real held-out text (dashed)."""
    shown = [temperature_sample(model, lab, t, passages, seed) for t in temperatures]
    real = lab.real_reference(passages)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), layout="constrained")
    for ax, (key, title) in zip(axes, (("distinct_2", "distinct-2: unique word pairs / all"),
                                       ("repetition", "repetition within a passage"),
                                       ("real_word_share", "share of real words"))):
        ax.plot(temperatures, [s[key] for s in shown], "o-", color=OKABE_ITO[0], label="written by the model")
        ax.axhline(real[key], color="0.4", ls="--", label="real text")
        ax.set(xlabel="sampling temperature", title=title, ylim=(0, None))
    axes[0].legend(fontsize=8)
    fig.suptitle("No temperature writes like real text: colder repeats itself, hotter invents words", fontweight="bold")
    return fig


def temperature_explorer(model, lab):
    """A temperature slider on ``model``: every move writes 300 new passages and shows the first
    one with its distinct-2, repetition and share of real words (needs ipywidgets and a kernel)."""
    import ipywidgets as widgets

    def show(temperature=1.0):
        s = temperature_sample(model, lab, temperature)
        print(f"T = {temperature:.1f} | distinct-2 {s['distinct_2']:.2f} | repetition {s['repetition']:.3f} | "
              f"real words {s['real_word_share']:.0%}\n\n{s['passage']}")

    return widgets.interact(show, temperature=widgets.FloatSlider(value=1.0, min=0.0, max=1.5, step=0.1,
                                                                  description="temperature"))
