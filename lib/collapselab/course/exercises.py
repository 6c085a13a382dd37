"""Checkers for the notebooks' exercises.

Each ``check_...`` prints a verdict, ``correct: ...`` or ``not yet: ...`` with a hint, and returns
``True``/``False``. A stub answer of ``None`` gets a gentle ``not yet``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .. import categorical, gaussian


def _verdict(ok: bool, good: str, hint: str) -> bool:
    print(("correct: " + good) if ok else ("not yet: " + hint))
    return ok


def _missing(answer) -> bool:
    if answer is None:
        print("not yet: replace the None in this cell with your answer, then run the cell again")
        return True
    return False


def _number(answer) -> float | None:
    """``answer`` as a float, or None (after printing a 'not yet') when it is not a number."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        print(f"not yet: the answer should be a number, got {answer!r}")
        return None
    if not np.isfinite(value):
        print(f"not yet: the answer should be a finite number, got {answer!r}")
        return None
    return value


def predicted(prediction, guess_is: str = "a number") -> bool:
    """For a predict-run-explain cell that runs its experiment only once the learner has written a
    prediction: True if ``prediction`` is filled in, else a ``not yet`` (``guess_is``: what it is)."""
    if prediction is None:
        print(f"not yet: replace the None of `prediction` with your guess ({guess_is}), then run this cell: "
              "the experiment starts once you have predicted")
        return False
    return True


def _prediction_and_measurement(prediction, measured, guess_is: str, measure_by: str, parse=None):
    """For a predict-run-explain exercise: ``(guess, value)``, each read by ``parse`` (default: as a
    float; a parser prints its own ``not yet`` and returns None on a bad answer), or None after a
    ``not yet`` that asks for the prediction first (``guess_is``: what it is) and then the
    measurement (``measure_by``: how to get it)."""
    parse = parse or _number
    if prediction is None:
        print(f"not yet: replace the None of `prediction` with your guess first ({guess_is}), made before you look at "
              "the result, then run the cell again")
        return None
    if (guess := parse(prediction)) is None:
        return None
    if measured is None:
        print(f"not yet: replace the None of `measured`: {measure_by}")
        return None
    if (value := parse(measured)) is None:
        return None
    return guess, value


# --- notebook 01 -------------------------------------------------------------------------------

def _median_half_life(sample_size: int, ddof: int = 1) -> float:
    """Generations until exp(E[log σ²ₜ]), the median variance, halves (notebook 01's clock)."""
    return float(np.log(2) / -gaussian.expected_log_variance(1, sample_size, ddof))


def check_clock(prediction, measured, sample_size: int = 200) -> bool:
    """Exercise 01.1 (predict, run, explain): ``prediction`` (written before running) and ``measured``
    (from 10,000 simulated unbiased chains): the first generation at which the median variance of
    the unbiased photocopier with ``sample_size`` samples per generation falls below 0.5."""
    if (both := _prediction_and_measurement(prediction, measured, "a number of generations",
                                            "run the simulation and find the first generation where the median "
                                            "is below 0.5")) is None:
        return False
    guess, value = both
    theory = _median_half_life(sample_size)
    small = _median_half_life(20)
    ok = abs(value - theory) <= max(3.0, 0.05 * theory)
    if not ok:
        hint = ("`measured` should come from the simulation: the index of the first generation where the median "
                "over chains is below 0.5, np.argmax(median < 0.5)")
        if abs(value - small) <= 2:
            hint = f"{value:g} is the half-life for M = 20; the chains here use M = {sample_size}. " + hint
        return _verdict(False, "", hint)
    ratio = guess / value if value else float("inf")
    if guess <= 0:
        judged = "a half-life is a positive number of generations"
    elif abs(ratio - 1) <= 0.2:
        judged = "your prediction was within 20 % of it"
    elif abs(guess - small) <= 0.25 * small:
        judged = (f"you predicted about the M = 20 half-life ({small:.0f}): the clock is not fixed; it ticks once per "
                  "M − 1 generations")
    elif ratio > 3:
        judged = f"your prediction was {ratio:.0f} times too long: the half-life grows like M, not faster"
    else:
        judged = f"your prediction was off by a factor {max(ratio, 1 / ratio):.1f}"
    return _verdict(True, f"you measured it right: the median falls below 0.5 at generation {value:g}; theory says "
                          f"about ln 2 × (M − 1) ≈ {theory:.0f} for M = {sample_size}, against {small:.0f} for M = 20. "
                          f"Your prediction, {guess:g}: {judged}. Ten times the data buys about ten times the "
                          "generations, but the median still halves", "")


def check_expected_std(fn) -> bool:
    """Exercise 01.4: ``fn(t, M)`` should return E[σₜ] of the unbiased photocopier (ddof = 1) with σ₀ = 1."""
    if fn is None:
        _missing(None)
        return False
    if not callable(fn):
        print(f"not yet: pass your function itself, check_expected_std(expected_std), not a value "
              f"(got the {type(fn).__name__} {fn!r})")
        return False
    cases = [(0, 10), (1, 10), (5, 10), (20, 3), (100, 100)]
    try:
        if fn(1, 10) is None:
            _missing(None)
            return False
        wrong = [(t, m) for t, m in cases if not np.isclose(float(fn(t, m)), gaussian.expected_std(t, m, 1))]
    except Exception as exc:  # the learner's code: say what went wrong instead of a traceback
        print(f"not yet: expected_std(t, M) should return a number, but calling it failed: "
              f"{type(exc).__name__}: {exc}")
        return False
    hint = ("one generation multiplies σ by an independent factor √(χ²_{M-1}/(M-1)), so E[σₜ] = αᵗ with "
            "α = E√χ²_{M-1} / √(M - 1)")
    if wrong and all(np.isclose(float(fn(t, m)), 1.0) for t, m in cases):
        hint = ("E[σ²ₜ] = 1 does not make E[σₜ] = 1: the square root is concave, so E[σ] < √E[σ²] (Jensen), "
                "and the gap compounds every generation. ") + hint
    return _verdict(not wrong,
                    "E[σₜ] = αᵗ with α = √2 Γ(M/2) / (Γ((M-1)/2) √(M-1)) < 1: the expected variance stays put while "
                    "the expected standard deviation shrinks geometrically", 
                    f"for (t, M) = {wrong[0] if wrong else ''} your value differs. " + hint)


def _mle_median_half_life(sample_size: int = 20) -> float:
    """Generations until the median variance of an MLE photocopier (ddof = 0) halves."""
    return float(np.log(2) / -gaussian.expected_log_variance(1, sample_size, 0))


def check_half_life(answer, sample_size: int = 20) -> bool:
    """Exercise 01.2: generations until the *median* variance of an MLE refit halves."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = _mle_median_half_life(sample_size)
    mean_based = np.log(2) / -np.log((sample_size - 1) / sample_size)
    ok = abs(value - exact) <= 0.1 * exact
    hint = ("the median follows exp(E[log σ²ₜ]), and for the MLE E[log σ²ₜ] falls by ψ((M-1)/2) + log 2 - log M "
            "per generation (gaussian.expected_log_variance(1, M, 0)); solve for a half")
    if abs(value - mean_based) <= 0.05 * mean_based:
        hint = (f"{mean_based:.1f} is when the *mean* variance halves ((M-1)/M per generation). The median falls "
                "about twice as fast: the MLE's bias and Jensen's gap add up. " + hint)
    return _verdict(ok, f"about {exact:.1f} generations (ln 2 / {np.log(2) / exact:.4f} per generation); the mean takes "
                        f"{mean_based:.1f}, twice as long: averages hide how fast the typical chain collapses", hint)


def _mle_samples_needed(generations: int = 100, keep: float = 0.9) -> int:
    """The smallest M whose MLE median variance after ``generations`` is at least ``keep``."""
    m = 2
    while gaussian.median_variance(generations, m, 0) < keep:
        m += 1
    return m


def check_samples_needed(answer, generations: int = 100, keep: float = 0.9) -> bool:
    """Exercise 01.3: the smallest M whose MLE *median* variance after ``generations`` stays >= ``keep``."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    m = _mle_samples_needed(generations, keep)
    mean_based = next(k for k in range(2, 100_000) if gaussian.expected_variance(generations, k, 0) >= keep)
    ok = abs(value - m) <= max(2, 0.03 * m)
    hint = (f"solve median σ²_{generations} = exp({generations} · (ψ((M-1)/2) + log 2 - log M)) >= {keep} for M "
            "(or search M with gaussian.median_variance(t, M, 0)); the per-generation loss is about 2/M")
    if abs(value - mean_based) <= 0.03 * mean_based:
        hint = f"{mean_based} keeps the *mean* at {keep:.0%}, but half of all chains fall below the median. " + hint
    return _verdict(ok, f"M ≈ {m}: twice the {mean_based} that the mean suggests; to keep the typical chain, "
                        "each generation needs thousands of samples", hint)


# --- notebook 02 -------------------------------------------------------------------------------

def _survival(p: float, sample_size: int, generations: int, chains: int = 40_000, seed: int = 20_202) -> float:
    """The share of ``chains`` simulated chains in which a token of probability ``p``, refit by counts
    on ``sample_size`` draws, still has probability > 0 after ``generations`` generations."""
    run = categorical.simulate_chains(np.array([p, 1 - p]), generations=generations, sample_size=sample_size,
                                      n_chains=chains, seed=seed)
    return float(run.alive[-1, :, 0].mean())


def check_survival(prediction, measured, p: float = 0.0025, sample_size: int = 200, generations: int = 25) -> bool:
    """Exercise 02.1 (predict, run, explain): ``prediction`` (written before running) and ``measured``
    (from 10,000 simulated chains): the share of chains in which a token of probability ``p`` still
    survives after ``generations`` generations of ``sample_size`` draws, refit by counts."""
    if (both := _prediction_and_measurement(prediction, measured, "a share between 0 and 1",
                                            "run the simulation and take the share of chains where the token is "
                                            "still alive at the last generation")) is None:
        return False
    guess, value = both
    exact = _survival(p, sample_size, generations)
    naive = (1 - (1 - p) ** sample_size) ** generations
    se = np.sqrt(exact * (1 - exact) * (1 / 10_000 + 1 / 40_000))
    if abs(value - exact) > 4 * se + 0.005:
        hint = ("`measured` should be the share of the 10,000 chains where the token is alive at generation "
                f"{generations}: run.alive[-1, :, 0].mean()")
        if abs(value - naive) < 0.01:
            hint = f"{value:.3g} is the naive formula, not the simulation. " + hint
        return _verdict(False, "", hint)
    if guess <= 10 * naive:
        judged = (f"you predicted about the naive {naive:.2g}, a fresh (1 − p)^M risk every generation; but a token "
                  "that survives was drawn, so its expected probability given survival, p / (1 − (1 − p)^M), is "
                  "larger than p, and its next risk smaller")
    elif value / 1.5 <= guess <= 1.5 * value:
        judged = "your prediction was close"
    else:
        judged = f"your prediction was off by {abs(guess - value):.2f}"
    return _verdict(True, f"you measured it right: it survives in about {value:.0%} of chains (the naive formula says "
                          f"{naive:.2g}). Your prediction, {guess:g}: {judged}. The average probability stays at p, so the survivors carry it: "
                          "the rare token dies in most chains and becomes much more common in a few", "")


def _samples_to_keep(p: float = 0.001, risk: float = 0.01) -> int:
    """The smallest M with (1 - p)^M < ``risk``: draws per generation that keep a token of probability p."""
    return int(np.ceil(np.log(risk) / np.log(1 - p)))


def check_samples_to_keep(answer, p: float = 0.001, risk: float = 0.01) -> bool:
    """Exercise 02.2: draws per generation needed so that a token of probability ``p`` vanishes in
    one generation with probability below ``risk``."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    m = _samples_to_keep(p, risk)
    hint = f"solve (1 - {p})^M < {risk} for M: take logarithms of both sides"
    if abs(value - 1 / p) < 0.05 / p:
        hint = (f"with M = 1/p = {1 / p:.0f} the token is drawn once *on average*, yet it is missed with "
                f"probability (1 - p)^M = {(1 - p) ** (1 / p):.2f}. " + hint)
    return _verdict(abs(value - m) <= 0.03 * m,
                    f"M = {m}: the token is expected {m * p:.1f} times a generation (M = {m * p:.1f}/p); rare tokens need very large samples",
                    hint)


def _gaussian_tail(df: int = 5, level: float = 0.999) -> float:
    """The mass a Gaussian with a Student-t's variance puts beyond the t's two-sided ``level`` quantile."""
    q = stats.t.ppf(0.5 + level / 2, df)
    return float(2 * stats.norm.sf(q / np.sqrt(df / (df - 2))))


def check_gaussian_tail(answer, df: int = 5, level: float = 0.999) -> bool:
    """Exercise 02.3: the mass a Gaussian fit to Student-t(df) data puts beyond the t's two-sided
    ``level`` quantile."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = _gaussian_tail(df, level)
    hint = (f"fit N(0, σ²) with σ² = df / (df - 2); the threshold is the t's {0.5 + level / 2} quantile "
            "(scipy.stats.t.ppf); the answer is 2 P(Z > q / σ)")
    if abs(value - (1 - level)) < 0.1 * (1 - level):
        hint = f"{1 - level:g} is the *t's* own tail mass; the question is what the Gaussian fit keeps. " + hint
    return _verdict(abs(value - exact) < 0.1 * exact,
                    f"{exact:.2e} instead of {1 - level:g}: the Gaussian keeps about one extreme value in "
                    f"{(1 - level) / exact:,.0f}, even with the right variance", hint)


# --- notebook 03 -------------------------------------------------------------------------------

#: the fresh fractions exercise 03.1 tries, and what it asks of them
FRESH_FRACTIONS = (0.01, 0.03, 0.1, 0.3)


def _smallest_fresh_fraction(keep: float = 0.8, generations: int = 60, chains: int = 200) -> float:
    """The smallest of :data:`FRESH_FRACTIONS` whose ``mix`` keeps the median fitted variance of
    ``chains`` engine chains (M = 100, MLE) at or above ``keep`` at ``generations``."""
    from .. import policies

    for f in FRESH_FRACTIONS:
        run = gaussian.engine_chains(policies.mix(f), chains, generations, 100)
        if np.median(run.variances[generations]) >= keep:
            return f
    return float("nan")


def check_fresh_fraction(prediction, measured, keep: float = 0.8) -> bool:
    """Exercise 03.1 (predict, run, explain): the smallest fresh fraction of :data:`FRESH_FRACTIONS`
    whose ``mix`` keeps the median variance at or above ``keep`` at generation 60 (200 chains)."""
    if (both := _prediction_and_measurement(prediction, measured, "a fraction between 0 and 1",
                                            f"the smallest fraction in the table that keeps the median at {keep} "
                                            "or more")) is None:
        return False
    guess, value = both
    exact = _smallest_fresh_fraction(keep)
    if not np.isclose(value, exact):
        hint = (f"Look down the table for the first fraction whose median variance at generation 60 is {keep} or more")
        if value in FRESH_FRACTIONS and value > exact:
            hint = f"{value:g} works, but a smaller fraction does too. " + hint
        elif value in FRESH_FRACTIONS:
            hint = f"{value:g} leaves the median below {keep}. " + hint
        return _verdict(False, "", hint)
    if guess >= 0.5:
        judged = "you expected to need half or more: a little fresh data goes a long way"
    elif exact / 1.5 <= guess <= 1.5 * exact:
        judged = "your prediction was close"
    else:
        judged = f"your prediction was {'too high' if guess > exact else 'too low'}"
    return _verdict(True, f"you read it right: {exact:g}. With {exact:.0%} fresh real data each generation the typical "
                          f"chain's variance is still at {keep} of the truth's or more at generation 60. Your prediction, "
                          f"{guess:g}: {judged}. Every generation the fresh share f pulls the fit back toward the truth while "
                          "copying loses about 1/M; the two balance near the truth once f is several times 1/M", "")


def check_accumulate_approach(answer) -> bool:
    """Exercise 03.2: the first generation at which accumulate's expected test error reaches 90 % of
    its ceiling (linear regression; generation g is fit number g + 1)."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    partial = np.cumsum(1 / np.arange(1, 100) ** 2)
    fits = int(np.argmax(partial >= 0.9 * np.pi**2 / 6)) + 1       # the number of fits n
    exact = fits - 1                                                # generation n - 1
    hint = ("E_n / ceiling = (Σ_{i ≤ n} 1/i²) / (π²/6), where generation g is fit n = g + 1; in the formula it does "
            "not depend on d or T")
    if value == fits:
        hint = f"{fits} is the number of fits; generation 0 is the first fit. " + hint
    elif value > 50:
        hint = "the sum converges fast: most of the ceiling is reached within a handful of generations. " + hint
    return _verdict(value == exact, f"generation {exact} (fit {fits}): Σ 1/i² reaches 90 % of π²/6 after {fits} terms, "
                                    "under section 3's large-T/d formula, whatever d and T are. The ceiling "
                                    "scales with d/(T − d − 1); how fast it is approached does not (at small T/d the "
                                    "formula, and this, are only approximate)", hint)


def check_provenance_filter(keep) -> bool:
    """Exercise 03.3: ``keep(step, data, provenance)`` should keep every real sample and the samples
    of the newest generation (``provenance == step.generation``), and drop older synthetic ones."""
    if keep is None:
        _missing(None)
        return False
    from types import SimpleNamespace

    step = SimpleNamespace(generation=3)
    provenance = np.array([0, 3, 0, 1, 2, 0, 3])
    try:
        mask = keep(step, np.zeros(len(provenance)), provenance)
    except Exception as exc:  # a learner's function: report, do not crash the notebook
        hint = ""
        if "truth value of an array" in str(exc):
            hint = (" (`a == 0 | b == c` is read as `a == (0 | b) == c`, because `|` binds tighter than `==`: "
                    "put each comparison in parentheses, (provenance == 0) | (provenance == step.generation))")
        print(f"not yet: calling keep(step, data, provenance) failed: {exc!r}{hint}")
        return False
    if mask is None:
        _missing(None)
        return False
    mask = np.asarray(mask, dtype=bool)
    expected = (provenance == 0) | (provenance == step.generation)
    hint = ("return one boolean per sample: True where the sample is real (provenance 0) or was made by the "
            "newest model (provenance == step.generation)")
    if mask.shape == provenance.shape and np.array_equal(mask, provenance == 0):
        hint = "that keeps only the real samples and drops the newest generation's too. " + hint
    elif mask.shape == provenance.shape and np.array_equal(mask, provenance == step.generation):
        hint = "that drops the real samples, the anchor that keeps the copies near the truth. " + hint
    return _verdict(mask.shape == provenance.shape and np.array_equal(mask, expected),
                    "provenance says exactly who made each sample: this filter keeps the real data for ever and "
                    "only one generation of synthetic data, a sliding window over the photocopier's output", hint)


# --- notebook 04 -------------------------------------------------------------------------------

def check_kl_uniform(answer) -> bool:
    """Exercise 04.3: KL to uniform of a generator that makes only 0s and 1s, half each."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = float(np.log(10) - np.log(2))
    hint = "KL(h || uniform) = Σ h_c log(h_c / 0.1) = log 10 - entropy(h); what is the entropy of (1/2, 1/2)?"
    if abs(value - np.log(2)) < 0.01:
        hint = "log 2 is the histogram's entropy, not its distance from uniform. " + hint
    return _verdict(abs(value - exact) < 0.01,
                    f"log 10 - log 2 = {exact:.3f} nats: the histogram's entropy is log 2, uniform's is log 10", hint)


#: the blur strengths (Gaussian σ, in pixels) exercise 04.1 sweeps
BLUR_SIGMAS = (0.5, 1.0, 1.5, 2.0)


def _first_below_real(densities: dict[float, float]) -> float:
    """The first σ of ``densities`` ({σ: blurred density ÷ real density}) below 1, or inf."""
    return next((s for s in sorted(densities) if densities[s] < 1.0), float("inf"))


def _sigma_or_never(answer) -> float | None:
    if isinstance(answer, str) and answer.strip().lower().rstrip(".") == "never":
        return float("inf")
    return _number(answer)


def check_blur_density(prediction, measured, densities: dict[float, float]) -> bool:
    """Exercise 04.1 (predict, run, explain): the first blur strength σ of :data:`BLUR_SIGMAS` at
    which blurred real digits' density falls below real digits' (``"never"`` if none does).

    Args:
        prediction: the learner's guess, made before the sweep: a σ or ``"never"``.
        measured: what the learner read off the sweep's table: a σ or ``"never"``.
        densities: ``{σ: blurred density ÷ real density}``, the sweep the learner ran.
    """
    if (both := _prediction_and_measurement(
            prediction, measured, 'a σ from the list, or "never"',
            "the first σ in the table whose density is below real digits' (below 1), or \"never\"",
            parse=_sigma_or_never)) is None:
        return False
    guess, value = both
    exact = _first_below_real(densities)
    said = "never" if np.isinf(exact) else f"σ = {exact:g}"
    if value != exact:
        hint = "Read the density column from the top: the first row below 1 is the answer"
        if value in densities and densities[value] >= 1.0:
            hint = f"at σ = {value:g} density is still {densities[value]:.2f} × real digits'. " + hint
        elif value in densities:
            hint = f"density is below real digits' at σ = {value:g}, but already at a smaller σ. " + hint
        return _verdict(False, "", hint)
    if np.isinf(guess) and not np.isinf(exact):
        judged = ("you expected blur to fool density at any strength. Light blur does; heavy blur makes strokes "
                  "so faint and wide that the images leave the real digits' manifold, and density falls")
    elif guess == exact:
        judged = "your prediction was right"
    else:
        judged = f"your prediction was {'too late' if guess > exact else 'too early'}"
    peak = max(densities, key=densities.get)
    where = f"is highest at the smallest σ tried, {peak:g}," if peak == min(densities) else f"peaks at σ = {peak:g}"
    return _verdict(True, f"you read it right: {said}. Density {where} ({densities[peak]:.2f} × real) "
                          f"and then falls. Your prediction: {judged}. A metric that rewards a little blur and punishes "
                          "a lot cannot be read as 'quality goes up': always look at coverage beside it", "")


def _copier_story(copied: dict, real: dict) -> str:
    """Which story of exercise 04.2 the scores of the copier tell: density near real (at least 0.8 of
    it) or not, coverage near real (at least 0.8 of it) or not."""
    density, coverage = copied["density"] >= 0.8 * real["density"], copied["coverage"] >= 0.8 * real["coverage"]
    return {(True, False): "a", (True, True): "b", (False, False): "c"}.get((density, coverage), "none of them")


def check_copier_story(prediction, measured, copied: dict, real: dict) -> bool:
    """Exercise 04.2 (predict, run, explain): a generator that outputs copies of 50 real digits
    (not in the reference set), over and over. The stories, "near" meaning at least 0.8 of real
    digits' score: (a) density near or above real digits', coverage low; (b) both near real
    digits'; (c) both low.

    Args:
        prediction: the learner's guess before scoring the copier: ``"a"``, ``"b"`` or ``"c"``.
        measured: the story the scores tell, read after running.
        copied, real: the copier's and real digits' scores (``Lab.score_images``).
    """
    if prediction is None:
        print('not yet: replace the None of `prediction` with your guess first ("a", "b" or "c"), before you run anything')
        return False
    if measured is None:
        print('not yet: replace the None of `measured` with the story the printed scores tell ("a", "b" or "c")')
        return False
    guess, value = str(prediction).strip().lower().strip("()."), str(measured).strip().lower().strip("().")
    for name, answer in (("prediction", guess), ("measured", value)):
        if answer not in ("a", "b", "c"):
            print(f'not yet: `{name}` should be "a", "b" or "c", got {answer!r}')
            return False
    story = _copier_story(copied, real)
    numbers = (f"density {copied['density'] / real['density']:.2f} × real digits', coverage "
               f"{copied['coverage'] / real['coverage']:.3f} × theirs")
    if value != story:
        hint = (f"the scores say {numbers}. Density asks 'does each image sit where real digits sit?', coverage asks "
                "'is every kind of real digit near some generated image?'")
        if value == "b":
            hint = "50 images cannot be near every kind of real digit: " + hint
        return _verdict(False, "", hint)
    judged = "your prediction was right" if guess == story else (
        "you expected variety to show: 50 images are near only a few of 5,000 real digits" if guess == "b" else
        "you expected copies to look unrealistic: each copy *is* a real digit, so it sits where real digits sit")
    return _verdict(True, f"({story}): {numbers}. Your prediction: {judged}. Fidelity without variety is the signature "
                          "of collapse, and fidelity metrics alone cannot see it", "")


def check_frechet_1d(answer) -> bool:
    """Exercise 04.4: Fréchet distance between N(0, 1) and N(1, 2²)."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    hint = "in one dimension the trace formula becomes (μ₁ - μ₂)² + σ₁² + σ₂² - 2 σ₁ σ₂"
    if abs(value - 10.0) < 0.05:
        hint = "(1 - 4)² compares variances; the formula compares standard deviations. " + hint
    elif 1e-6 <= abs(value - 2.0) <= 0.05:
        hint = (f"close: {value:g} is what sampling gives (it scatters around the exact value); now derive it "
                "exactly. " + hint)
    return _verdict(abs(value - 2.0) < 1e-6, "(0 - 1)² + (1 - 2)² = 2: in one dimension FD = (μ₁ - μ₂)² + (σ₁ - σ₂)²",
                    hint)


# --- notebook 05 -------------------------------------------------------------------------------

#: the fresh share of exercise 05.1's mix run, and the generation it is read at
FRESH_SHARE, FRESH_GENERATION = 0.2, 2


def _gap_closed(mixed, replaced, control, metric: str = "latent_spread", generation: int = FRESH_GENERATION) -> float:
    """The share of the gap between ``replaced`` and ``control`` (image runs) at ``generation`` that
    ``mixed`` closes, on ``metric``: 0 = no better than replace, 1 = as good as the control."""
    value = lambda run: float(run.metric(metric)[generation])
    return (value(mixed) - value(replaced)) / (value(control) - value(replaced))


def check_fresh_share(prediction, measured, mixed, replaced, control) -> bool:
    """Exercise 05.1 (predict, run, explain): how much of the gap in latent spread between replace
    and the real-only control, at generation 2, does ``mix:0.2`` (a fifth of every training set
    fresh real digits) close? 0 = none, 1 = all.

    Args:
        prediction: the learner's guess before the run, a share between 0 and 1.
        measured: the share read off the run's table.
        mixed, replaced, control: the ``mix:0.2``, ``replace`` and ``real-only`` runs
            (:class:`~collapselab.images.photocopier.ImageRun`).
    """
    if (both := _prediction_and_measurement(prediction, measured, "a share between 0 and 1",
                                            "the share of the gap that mix:0.2 closes, from the table")) is None:
        return False
    guess, value = both
    exact = _gap_closed(mixed, replaced, control)
    if abs(value - exact) > 0.01:
        hint = ("the share is (mix - replace) / (control - replace), with each run's latent spread at generation "
                f"{FRESH_GENERATION}: read it from the printed 'share of the gap' line")
        if abs(value - float(mixed.metric("latent_spread")[FRESH_GENERATION])) < 0.01:
            hint = "that is mix:0.2's latent spread itself, not the share of the gap it closes. " + hint
        return _verdict(False, "", hint)
    theory = _diluted_share(FRESH_SHARE, FRESH_GENERATION)
    if guess >= 0.8:
        judged = ("you expected notebook 03's result to carry over, but 03 judged its fresh fractions at generation 60. "
                  f"After {FRESH_GENERATION} generations a fresh share f has replaced only part of the inherited error")
    elif abs(guess - exact) <= 0.15:
        judged = "your prediction was close"
    else:
        judged = f"your prediction was {'too high' if guess > exact else 'too low'}"
    return _verdict(True, f"you read it right: {exact:.2f}. Your prediction, {guess:g}: {judged}. A simple dilution model "
                          "(only the synthetic part carries loss: it brings the predecessor's deficit plus one new "
                          "loss, and the fresh share f dilutes both by 1 - f) predicts 1 - (1 - f)(2 - f)/2 = "
                          f"{theory:.2f} at generation 2, whatever the loss per generation: the fresh share's benefit "
                          "builds up over generations", "")


def _diluted_share(f: float, generations: int) -> float:
    """The share of replace's deficit that ``mix(f)`` removes after ``generations``, if every
    generation adds the same loss ℓ to its synthetic part, which carries the inherited deficit too,
    and the fresh share dilutes both: d_g = (1 - f)(d_{g-1} + ℓ). Replace's deficit is g·ℓ, mix's
    Σ_{i=1..g} (1 - f)^i ·ℓ."""
    mixed = sum((1 - f) ** i for i in range(1, generations + 1))
    return 1 - mixed / generations


def check_sampling_clock(answer, images: int = 30_000) -> bool:
    """Exercise 05.2: the log-variance lost per generation from sampling alone (notebook 01's clock
    for the unbiased refit) when a generation trains on ``images`` samples."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = 1 / (images - 1)
    hint = ("notebook 01: with M samples per generation and the unbiased refit, E[log σ²] falls by about "
            "1/(M - 1) per generation")
    if abs(value - 1 / 9_999) < 0.1 / 9_999 and images != 10_000:
        hint = "that is the clock at 10,000 images, the replace run's M; this run draws more. " + hint
    elif abs(value - 1 / np.sqrt(images)) < 0.1 / np.sqrt(images):
        hint = "1/√M is the size of one generation's noise, not its average pull on the log-variance. " + hint
    elif abs(value - 2 / images) < 0.1 * 2 / images:
        hint = ("2/M is the MLE refit's clock: right order of magnitude (and the conclusion is the same), but the "
                "question asks for the unbiased one. ") + hint
    return _verdict(abs(value - exact) <= 0.1 * exact,
                    f"1/(M - 1) = {exact:.1e} per generation: far below what latent spread can resolve (the real-only "
                    "control, with no recursion, moves by far more than that from seed to seed: section 4). The clock "
                    "cannot be seen here; the 3x samples run tests sample size directly", hint)


# --- notebook 06 -------------------------------------------------------------------------------

def check_real_share(answer, generation: int = 10) -> bool:
    """Exercise 06.1: the real share of generation ``generation``'s training set under accumulate."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = 1 / (generation + 1)
    hint = "generation g trains on the real images plus g batches of synthetic images of the same size"
    if abs(value - 1 / generation) < 1e-3:
        hint = f"1/{generation} forgets that generation 0's real images are one of the batches. " + hint
    elif abs(value - 0.5**generation) < 1e-3:
        hint = "the real images are never replaced, so their share is not halved each generation. " + hint
    return _verdict(abs(value - exact) < 1e-3,
                    f"1/{generation + 1} = {exact:.3f}: real data is diluted as 1/(g + 1), yet it never leaves "
                    "the set, and that is what keeps accumulation from collapsing", hint)


#: the generation exercise 06.2 reads accumulate-subsample's FD rise at
SUBSAMPLE_GENERATION = 2


def _fd_rise_share(run, replaced, generation: int = SUBSAMPLE_GENERATION) -> float:
    """``run``'s FD rise from generation 0 to ``generation`` as a share of ``replaced``'s."""
    rise = lambda r: float(r.metric("fd")[generation] - r.metric("fd")[0])
    return rise(run) / rise(replaced)


def check_subsample_share(prediction, measured, subsampled, accumulated, replaced) -> bool:
    """Exercise 06.2 (predict, run, explain): Kazdan et al.'s ``accumulate-subsample`` keeps every
    image so far but trains each generation on a random 10,000 of them, as many as replace. How
    large is its FD rise by generation 2, as a share of replace's (0 = none, 1 = as much)?

    Args:
        prediction: the learner's guess before the run, a share (0 = no rise, 1 = replace's rise).
        measured: the share read off the run's table.
        subsampled, accumulated, replaced: the ``accumulate-subsample``, ``accumulate`` and
            ``replace`` runs (:class:`~collapselab.images.photocopier.ImageRun`).
    """
    if (both := _prediction_and_measurement(prediction, measured, "a share: 0 = no rise, 1 = as much as replace",
                                            "accumulate-subsample's share of replace's rise, from the table")) is None:
        return False
    guess, value = both
    g = SUBSAMPLE_GENERATION
    exact, kept = _fd_rise_share(subsampled, replaced, g), _fd_rise_share(accumulated, replaced, g)
    if abs(value - exact) > 0.01:
        hint = (f"the share is accumulate-subsample's FD rise (generation 0 to {g}) divided by replace's: "
                "read it from the table's last column")
        if abs(value - kept) < 0.01:
            hint = "that is accumulate's row, not accumulate-subsample's. " + hint
        elif abs(value - float(subsampled.metric("fd")[g])) < 0.5:
            hint = "that is accumulate-subsample's FD itself, not its rise as a share of replace's. " + hint
        return _verdict(False, "", hint)
    if guess >= 0.75:
        judged = ("you expected a training set of replace's size to collapse like replace. But a random 10,000 of "
                  "everything so far holds, on average, accumulate's share of real digits, 1/(g + 1)")
    elif abs(guess - exact) <= 0.15:
        judged = "your prediction was close"
    else:
        judged = f"your prediction was {'too high' if guess > exact else 'too low'}"
    if abs(exact - kept) <= 0.1:
        reading = (f"close to accumulate's {kept:.2f} (the whole pool, about the same steps): over two generations "
                   "what is in the set matters far more than how many images it holds")
    elif exact > kept:
        reading = (f"well above accumulate's {kept:.2f} (the whole pool, about the same steps): the smaller set "
                   "already costs something")
    else:
        reading = f"below accumulate's {kept:.2f} (the whole pool, about the same steps)"
    return _verdict(True, f"you read it right: {exact:.2f}. Your prediction, {guess:g}: {judged}. That is {reading}. "
                          "Whether size matters over more generations needs longer runs: Kazdan et al. (2024) find "
                          "the subsampled loss ends above accumulate's but grows only slowly, unlike replace's", "")


#: the fresh-data shares of the committed dose-response that exercise 06.3 compares with accumulate
DOSE_SHARES = (0.1, 0.25, 0.5, 0.75)


def _dose_seed_mean(long, arm: str) -> np.ndarray:
    """``arm``'s FD per generation in the committed long runs, averaged over the seeds every dose
    has (``mix:0.1``'s). ``long``: :func:`~collapselab.course.experiments.long_run_results`."""
    seeds = sorted(long.series("mix:0.1"))
    return np.mean([long.series(arm)[s] for s in seeds], axis=0)


def _matching_dose(long) -> tuple[float, dict[float, float], float]:
    """The dose of :data:`DOSE_SHARES` whose mean FD at the last generation (over the dose seeds)
    is nearest accumulate's (fixed steps) over the same seeds; the dose means; accumulate's mean."""
    doses = {f: float(_dose_seed_mean(long, f"mix:{f:g}")[-1]) for f in DOSE_SHARES}
    kept = float(_dose_seed_mean(long, "accumulate")[-1])
    return min(doses, key=lambda f: abs(doses[f] - kept)), doses, kept


def check_matching_dose(answer, long) -> bool:
    """Exercise 06.3: which share of fresh real data in every training set (``mix:<f>``, f one of
    :data:`DOSE_SHARES`) ends ten generations with an FD nearest accumulate's (fixed steps), in the
    committed long runs (mean over the dose seeds)? ``long``:
    :func:`~collapselab.course.experiments.long_run_results`."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    best, doses, kept = _matching_dose(long)
    table = ", ".join(f"mix:{f:g} {fd:.0f}" for f, fd in doses.items())
    hint = (f"average each mix arm's last-generation FD over its seeds and compare with accumulate's over the same "
            f"seeds; the shares to choose from are {', '.join(f'{f:g}' for f in DOSE_SHARES)}")
    if abs(value - 1 / 11) < 0.02:
        hint = ("1/11 is accumulate's real share at generation 10 (exercise 1), so it seems the fair match; but "
                "the runs say otherwise. " + hint)
    elif abs(value - 0.5) < 1e-9:
        hint = "mix:0.5 ends far below accumulate. " + hint
    earlier, before = _accumulate_lower_before(long, best)
    return _verdict(abs(value - best) < 1e-9,
                    f"{best:g}: at generation 10 accumulate's FD is {kept:.0f}, against {table} (means over the "
                    f"same seeds). Its real share is then only 1/11, yet it ends level with mix:{best:g}. Two "
                    "differences could explain it, and these runs do not separate them: accumulate keeps all 10,000 "
                    f"real digits (mix:{best:g} has {best * 10_000:,.0f} in its 10,000), and its synthetic digits come from "
                    "every earlier generation, the first ones close to the data. The match holds at generation 10 "
                    f"only: accumulate's FD is lower at {earlier} of the {before} generations before", hint)


def _accumulate_lower_before(long, dose: float) -> tuple[int, int]:
    """At how many of the generations 1 to G - 1 accumulate's mean FD is below ``mix:<dose>``'s, and G - 1."""
    lower = _dose_seed_mean(long, "accumulate")[1:-1] < _dose_seed_mean(long, f"mix:{dose:g}")[1:-1]
    return int(lower.sum()), len(lower)


# --- notebook 07 -------------------------------------------------------------------------------

#: the temperatures exercise 07.1 compares
TEMPERATURES = (0.3, 0.7, 1.0)


def check_closest_temperature(prediction, measured, distinct_2: dict[float, float], real: float) -> bool:
    """Exercise 07.1 (predict, run, explain): which of :data:`TEMPERATURES` makes generation 0's
    text closest to real held-out text on distinct-2 (the same amount of text)?

    Args:
        prediction: the learner's guess before sampling, one of the temperatures.
        measured: the temperature the learner reads off the table.
        distinct_2: ``{temperature: distinct-2}`` of what generation 0 wrote, as the learner measured it.
        real: distinct-2 of as much real held-out text.
    """
    if (both := _prediction_and_measurement(prediction, measured, "one of " + ", ".join(f"{t:g}" for t in TEMPERATURES),
                                            "the temperature whose distinct-2 is nearest the real text's")) is None:
        return False
    guess, value = both
    if guess not in distinct_2:
        print(f"not yet: `prediction` must be one of the temperatures in the table ("
              + ", ".join(f"{t:g}" for t in distinct_2) + f"), not {guess:g}")
        return False
    exact = min(distinct_2, key=lambda t: abs(distinct_2[t] - real))
    if value != exact:
        hint = f"compare each row's distinct-2 with the real text's, {real:.2f}: the nearest wins"
        if value in distinct_2:
            hint = f"T = {value:g} gives {distinct_2[value]:.2f}, farther from {real:.2f} than another row. " + hint
        return _verdict(False, "", hint)
    if guess == 1.0 and exact != 1.0:
        judged = ("you expected the model's own distribution (T = 1) to write most like real text. Its mistakes are new, "
                  "misspelt words, and distinct-n counts each as variety: it scores above real text")
    elif guess == exact:
        judged = "your prediction was right"
    else:
        judged = f"your prediction was {'too hot' if guess > exact else 'too cold'}"
    return _verdict(True, f"you read it right: T = {exact:g} (distinct-2 {distinct_2[exact]:.2f} against {real:.2f}). Your "
                          f"prediction: {judged}. Matching one number is not writing like Shakespeare: look at the share "
                          "of real words too", "")



def check_perplexity_factor(answer, before: float = 1.80, after: float = 2.10) -> bool:
    """Exercise 07.2: the factor by which perplexity rises when the loss goes from ``before`` to
    ``after`` nats per character."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = float(np.exp(after - before))
    hint = "perplexity is exp(loss), so a ratio of perplexities is exp of a difference of losses"
    if abs(value - after / before) < 1e-3:
        hint = f"{after / before:.3f} is the ratio of the *losses*; perplexity is their exponential. " + hint
    elif abs(value - (after - before)) < 1e-3:
        hint = f"{after - before:.2f} is the difference of the losses, not a factor. " + hint
    elif abs(value - (1 + after - before)) < 1e-3:
        hint = f"1 + {after - before:.2f} is exp's first-order approximation, too rough for a difference this large. " + hint
    return _verdict(abs(value - exact) < 0.005,
                    f"exp({after} - {before}) = {exact:.3f}: a {exact - 1:.0%} rise in perplexity from a "
                    f"{after / before - 1:.0%} rise in loss", hint)


def check_distinct_2(answer) -> bool:
    """Exercise 07.3: distinct-2 of "the king the king the queen"."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    from ..text import metrics as text_metrics

    exact = text_metrics.distinct_n("the king the king the queen", 2)
    hint = ("list the word pairs in order: (the king), (king the), (the king), ...; distinct-2 = different pairs / "
            "all pairs (a pair seen twice counts once)")
    if abs(value - text_metrics.distinct_n("the king the king the queen", 1)) < 1e-3:
        hint = "0.5 is distinct-1 (3 unique words of 6). " + hint
    elif abs(value - 2 / 5) < 1e-3:
        hint = "0.4 is the share of pairs that *repeat* an earlier one. " + hint
    elif abs(value - 1 / 5) < 1e-3:
        hint = ("0.2 counts only the pairs that occur once; a pair seen twice still counts, once, as one "
                "different pair. " + hint)
    return _verdict(abs(value - exact) < 1e-3,
                    f"{exact:.1f}: 5 word pairs, 3 of them different; a text that keeps repeating itself scores low",
                    hint)


def check_word_vanishes(answer, share: float = 1 / 24_000, words: int = 24_000) -> bool:
    """Exercise 07.4: the chance that a word with frequency ``share`` is not among ``words`` words."""
    if _missing(answer) or (value := _number(answer)) is None:
        return False
    exact = float((1 - share) ** words)
    hint = "notebook 02: a token of probability p is missed by all M draws with probability (1 - p)^M"
    if abs(value) < 1e-3:
        hint = "the word is expected once per generation, but 'expected once' is not 'surely once'. " + hint
    elif abs(value - (1 - exact)) < 0.005:
        hint = f"{1 - exact:.3f} is the chance it *survives*. " + hint
    return _verdict(abs(value - exact) < 0.005,
                    f"(1 - 1/{round(1 / share):,})^{words:,} = {exact:.3f}, about 1/e: a word the model expects once "
                    "per generation is missed in more than a third of them, and a model that copies counts never "
                    "brings it back (a character model can re-spell it by chance, rarely)", hint)
