"""The language photocopier: one family of the trained-model photocopier (notebook 07).

Inspired by Shumailov et al.'s protocol, at small scale (notebook 07, section 9, lists the
differences): a pre-trained character model (trained once, cached)
is fine-tuned on real text to give generation 0; every later generation is fine-tuned **from the
same pre-trained state** on passages sampled from its predecessor (and, by the policy, real
passages), with the same number of steps. :func:`collapselab.photocopier.run` drives it (caching
every generation's weights, written text and metrics, deriving every seed); this module says how
the language-model family trains, writes and scores.

**Real and fresh text.** The fine-tuning part of the corpus is cut into passages of 256
characters. Generation 0 fine-tunes on the first ``n_real`` of them (500); the rest (about 800)
are the pool of **fresh real passages** that ``mix:<f>`` and ``real-only`` draw from, new ones
each generation until the pool is used up, then reshuffled (the same mechanism as the image
photocopier's fresh digits, whose pool of 40,000 is never used up in the course's runs; here
``real-only`` starts reusing passages in generation 2). The pool is the *end* of the fine-tuning
text, next to the held-out text: fresh text is also text closer to what perplexity is measured on.

Metrics per generation (:mod:`collapselab.text.metrics` for the word-level ones):

* ``heldout_nll`` / ``real_perplexity``: nats per character / its exponential, on the held-out
  real text (the paper's main measure);
* ``gen0_perplexity``: the perplexity of each generated passage under generation 0 (a list: the
  histogram of the paper's Figure), and its median ``gen0_perplexity_median``;
* ``distinct_1..3``, ``repetition``, ``real_word_share``, ``distinct_real``, ``rare_words_used``,
  ``long_words_used``, ``names_used``;
* ``samples``: two generated passages, to read.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from .. import cache, photocopier, policies, recursion
from .._checks import WrongTypeError, check_int
from . import corpus, lm, metrics as text_metrics

#: generations after generation 0 in notebook 07
GENERATIONS = 4
#: generated passages scored per generation
EVAL_PASSAGES = 300
#: real passages of 256 characters that generation 0 fine-tunes on (128,000 characters, about
#: 24,000 words), and passages each generation writes for the next
REAL_PASSAGES = 500
#: a real word is "rare" when it occurs at most this often in the fine-tuning text
RARE_MAX_COUNT = 2

#: the most generated passages a run may score per generation (about 10 s of sampling each on 2 cores)
MAX_EVAL_PASSAGES = 10_000

#: where the real passages a policy adds come from (:attr:`TextRunConfig.real_pool`)
REAL_POOLS = ("fresh", "original")

#: the scalar metrics of a results row
COLUMNS = ("real_perplexity", "heldout_nll", "gen0_perplexity_median", "distinct_1", "distinct_2", "distinct_3",
           "repetition", "real_word_share", "distinct_real", "rare_words_used", "long_words_used", "names_used")


@dataclass(frozen=True)
class TextRunConfig(photocopier.PhotocopierConfig):
    """One recursive run of the language photocopier.

    Attributes:
        generations: generations after generation 0.
        policy: a registered policy name (``replace``, ``mix:0.1``, ``accumulate``, ``real-only``, ...).
        n_eval: generated passages scored per generation.
        seed: the run's seed: the pre-trained model, fine-tuning, writing and evaluation are
            derived from it.
        temperature: the sampling temperature of the text each generation writes (1 = the model's
            own distribution; 0 = greedy).
        lm: the model and its training settings.
        n_real: real passages generation 0 fine-tunes on (the first ``n_real`` of the fine-tuning
            part; default :data:`REAL_PASSAGES`), which is also the number of passages every
            generation writes for the next. The passages after them are the pool of fresh real
            text, so ``n_real`` must leave some.
        prompted: write *continuations of real prompts* (:func:`lm.continue_prompts`; each real
            passage generation 0 fine-tuned on is one prompt, and only the continuation is kept, as
            in Shumailov et al.'s code) instead of unprompted text.
        beams: beam search with this many beams (1 = sample at ``temperature``); prompted only.
        no_repeat: forbid repeating a run of this many characters (0 = off); prompted only.
        select_every: every this many fine-tuning steps, score the model on the first half of the
            held-out text and keep the best checkpoint (0 = keep the last); the real-text perplexity
            is then measured on the second half only, text no choice was made on.
        real_pool: where the real passages that ``mix:<f>`` and ``real-only`` add come from:
            ``"fresh"`` (default): the passages after the first ``n_real``, never trained on;
            ``"original"``: generation 0's own ``n_real`` passages (Shumailov et al.'s "10 % of the
            original data"; with ``real-only``, generation 0's data again with a new training
            seed: the retraining control).
    """

    generations: int = GENERATIONS
    n_eval: int = EVAL_PASSAGES
    temperature: float = 1.0
    lm: lm.LMConfig = lm.LMConfig()
    n_real: int = REAL_PASSAGES
    prompted: bool = False
    beams: int = 1
    no_repeat: int = 0
    select_every: int = 0
    real_pool: str = "fresh"

    FAMILY = "text"
    CACHE_VERSION = 2
    MIN_EVAL = 10
    MAX_EVAL = MAX_EVAL_PASSAGES
    EVAL_HINT = "scoring takes about 1 s per 1,000 passages on 2 cores"
    LABELS = ("temperature",)
    COLUMNS = COLUMNS

    def validate(self) -> None:
        self._set("n_real", check_int("n_real", self.n_real, minimum=10))
        self._set("temperature", lm.check_temperature(self.temperature))
        if not isinstance(self.lm, lm.LMConfig):
            raise WrongTypeError(f"lm must be a collapselab.text.lm.LMConfig, got {self.lm!r}")
        if not isinstance(self.prompted, bool):
            raise WrongTypeError(f"prompted must be True or False, got {self.prompted!r}")
        self._set("beams", check_int("beams", self.beams, minimum=1))
        self._set("no_repeat", check_int("no_repeat", self.no_repeat, minimum=0))
        self._set("select_every", check_int("select_every", self.select_every, minimum=0))
        if self.real_pool not in REAL_POOLS:
            raise ValueError(f"real_pool must be one of {', '.join(map(repr, REAL_POOLS))} (fresh passages or generation "
                             f"0's own), got {self.real_pool!r}")
        if not self.prompted and (self.beams > 1 or self.no_repeat):
            raise ValueError("beams and no_repeat apply to prompted writing only: set prompted=True, or leave them "
                             f"at 1 and 0 (got beams={self.beams}, no_repeat={self.no_repeat})")

    def writing(self) -> dict:
        """How each generation writes, for cache keys: empty for the default (unprompted sampling),
        so the caches of runs made before these options existed stay valid."""
        if not self.prompted:
            return {}
        return {"prompted": True, "beams": self.beams, "no_repeat": self.no_repeat}

    def base_key(self) -> dict:
        """The cache key of the pre-trained model (shared by every run with this seed)."""
        settings = self.lm.as_dict()
        return {"family": self.FAMILY, "version": self.CACHE_VERSION, "data": corpus.FINGERPRINT,
                "split": list(corpus.SPLIT), "passage": corpus.PASSAGE, "seed": self.seed,
                "pretrain": {k: settings[k] for k in ("hidden", "embed", "seq_len", "batch_size", "pretrain_steps",
                                                      "pretrain_lr")}}

    def shared_key(self, generation: int) -> dict:
        """The pre-trained model, the fine-tuning settings and the real passages; later
        generations add the temperature their training text was written at."""
        key = {"pretrained": self.base_key(), "finetune": [self.lm.finetune_steps, self.lm.finetune_lr],
               "n_real": self.n_real}
        if self.select_every:
            key["select_every"] = self.select_every
        if generation > 0:
            key["temperature"] = self.temperature
            key.update(self.writing())
            if self.real_pool != "fresh":   # the default adds nothing, so earlier caches stay valid
                key["real_pool"] = self.real_pool
        return key


class TextLab(photocopier.Family):
    """The text family: the corpus, its split, the tokenizer, the real passages and the reference
    vocabulary, shared by every run, and how a generation fine-tunes, writes and is scored.
    Building it reads (and verifies) the corpus."""

    KIND = "lm"
    CACHE_SAMPLES = True  # writing text one character at a time is the slow part of a warm run

    def __init__(self, root=None):
        self.root = root
        self.corpus = corpus.load_corpus(root)
        self.splits = corpus.split(self.corpus)
        self.tokenizer = corpus.Tokenizer.from_text(self.corpus)
        self.real = corpus.passages(self.tokenizer.encode(self.splits.finetune))
        self.heldout = self.tokenizer.encode(self.splits.heldout)
        self.vocabulary = text_metrics.vocabulary(self.splits.finetune)
        self.rare = text_metrics.rare_words(self.vocabulary, RARE_MAX_COUNT)
        self.long = text_metrics.long_words(self.vocabulary)
        self.speakers = text_metrics.speakers(self.splits.finetune)
        self.start = self.tokenizer.encode("\n")[0].item()

    def decode(self, rows: torch.Tensor) -> list[str]:
        """The text of each passage of ``rows`` ``(n, length)``."""
        return [self.tokenizer.decode(row) for row in rows]

    def check(self, config: TextRunConfig) -> None:
        """Raise ``ValueError`` unless ``config.n_real`` leaves fresh real passages in the pool."""
        if config.n_real >= len(self.real):
            raise ValueError(f"n_real must be < {len(self.real)} (the real passages of the fine-tuning text: the "
                             f"ones generation 0 does not use are the pool of fresh real text), got {config.n_real}")

    def base(self, config: TextRunConfig) -> lm.CharGRU:
        """The pre-trained model of ``config.seed`` (trained once on the pre-training text, cached)."""
        def build():
            model = lm.new_model(self.tokenizer.size, config.lm, config.seed_for("pretrained init"))
            rows = corpus.passages(self.tokenizer.encode(self.splits.pretrain))
            losses = lm.train(model, rows, config.lm.pretrain_steps, config.lm.pretrain_lr, config.lm,
                              seed=config.seed_for("pretrain"))
            return {"weights": model.state_dict(), "losses": losses}

        state = cache.load_or_build("lm-pretrained", config.base_key(), build, root=self.root)
        return self._model(config, state)

    def _model(self, config: TextRunConfig, state: dict) -> lm.CharGRU:
        model = lm.new_model(self.tokenizer.size, config.lm, 0)
        model.load_state_dict(state["weights"])
        return model.eval()

    def words_of(self, rows: torch.Tensor) -> dict:
        """The word-level metrics of passages ``rows`` ``(n, length)`` (real or generated):
        distinct-1..3, repetition, real-word share, distinct real, rare and long words, speakers."""
        written = self.decode(rows)
        joined = "\n".join(written)
        return {
            **{f"distinct_{n}": text_metrics.distinct_n(joined, n) for n in (1, 2, 3)},
            "repetition": text_metrics.repetition_rate(written, 3),
            "real_word_share": text_metrics.real_word_share(joined, self.vocabulary),
            "distinct_real": text_metrics.distinct_real(joined, self.vocabulary),
            "rare_words_used": text_metrics.rare_words_used(joined, self.rare),
            "long_words_used": text_metrics.rare_words_used(joined, self.long),
            "names_used": text_metrics.names_used(joined, self.speakers),
        }

    def real_reference(self, n: int = EVAL_PASSAGES) -> dict:
        """The word-level metrics of ``n`` passages of *real* held-out text: what a generation's
        ``n`` scored passages would give if the model wrote like Shakespeare."""
        rows = corpus.passages(self.heldout)
        if n > len(rows):
            raise ValueError(f"the held-out text has only {len(rows)} passages, asked for {n}")
        return self.words_of(rows[:n])

    # the family's contract (collapselab.photocopier.Family)

    def real_data(self, config: TextRunConfig) -> tuple[torch.Tensor, recursion.FreshPool]:
        """Generation 0's ``n_real`` passages, and the pool the policy draws real passages from:
        the passages after them, or (``real_pool="original"``) the same ``n_real`` passages."""
        self.check(config)
        original = self.real[: config.n_real]
        return original, recursion.FreshPool(original if config.real_pool == "original" else self.real[config.n_real:])

    def validation_and_test(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The held-out text cut in two halves: ``(validation, test)`` token ids, for runs that pick a
        checkpoint on real text (``select_every``): the choice is made on one, perplexity on the other."""
        half = len(self.heldout) // 2
        return self.heldout[:half], self.heldout[half:]

    def train(self, config: TextRunConfig, generation: int, rows: torch.Tensor) -> dict:
        """The pre-trained model fine-tuned on ``rows`` for ``lm.finetune_steps`` steps (keeping the
        best checkpoint on the validation half when ``config.select_every``)."""
        model = self.base(config)
        validation = self.validation_and_test()[0] if config.select_every else None
        losses = lm.train(model, rows, config.lm.finetune_steps, config.lm.finetune_lr, config.lm,
                          seed=config.seed_for("train", generation), validation=validation, every=config.select_every)
        state = {"weights": model.state_dict(), "losses": losses}
        if config.select_every:
            state["selected_step"] = model.selected_step
        return state

    def load(self, config: TextRunConfig, state: dict) -> lm.CharGRU:
        return self._model(config, state)

    def write(self, config: TextRunConfig, model: lm.CharGRU, n: int, seed: int) -> torch.Tensor:
        """``n`` passages written by ``model`` the way ``config`` says: unprompted samples, or
        continuations of the first ``n`` real passages (cycled if ``n`` is larger)."""
        if not config.prompted:
            return lm.sample(model, n, self.start, temperature=config.temperature, seed=seed)
        prompts = self.real[torch.arange(n) % config.n_real]
        return lm.continue_prompts(model, prompts, temperature=config.temperature, beams=config.beams,
                                   no_repeat=config.no_repeat, seed=seed)

    def sample(self, config: TextRunConfig, model: lm.CharGRU, n: int, seed: int) -> torch.Tensor:
        return self.write(config, model, n, seed)

    def sampling_key(self, config: TextRunConfig) -> dict:
        return {"temperature": config.temperature, **config.writing()}

    def evaluation_key(self, config: TextRunConfig) -> dict:
        key = {"eval": config.n_eval, "rare": RARE_MAX_COUNT, "temperature": config.temperature, **config.writing()}
        if config.select_every:
            key["perplexity_on"] = "test half"
        return key

    def score(self, config: TextRunConfig, model: lm.CharGRU, step: policies.Step, seed: int) -> dict:
        """Every metric of the module docstring, on ``n_eval`` passages written at the run's
        temperature (generation 0, ``step.history.models[0]``, scores their perplexity)."""
        rows = self.write(config, model, config.n_eval, seed)
        heldout = lm.nll(model, self.validation_and_test()[1] if config.select_every else self.heldout)
        reference = step.history.models[0]
        gen0_perplexity = [math.exp(v) for v in lm.passage_nll(reference, rows).tolist()]
        return {
            "heldout_nll": heldout,
            "real_perplexity": math.exp(heldout),
            "gen0_perplexity": gen0_perplexity,
            "gen0_perplexity_median": float(np.median(gen0_perplexity)),
            **self.words_of(rows),
            "samples": self.decode(rows[:2]),
        }


def generation_zero(lab: TextLab, config: TextRunConfig = TextRunConfig()) -> tuple[lm.CharGRU, list[float]]:
    """``(model, fine-tuning loss per step)`` of generation 0: the pre-trained model fine-tuned on
    the real passages (trained once, cached: the entry every run with ``config``'s seed shares)."""
    real, _ = lab.real_data(config)
    state = photocopier.trained_state(config, lab, 0, real)
    return lab.load(config, state), [float(v) for v in state["losses"]]


@dataclass
class TextRun(photocopier.PhotocopierRun):
    """A finished text run: models, sizes, provenance, ``metrics`` and ``info`` per generation (the
    fine-tuning loss per step in ``losses``), the configuration and the wall time."""


def run(config: TextRunConfig = TextRunConfig(), lab: TextLab | None = None, *, progress: bool | str = True) -> TextRun:
    """Run ``config`` through the photocopier (:func:`collapselab.photocopier.run`); every
    generation's model, written text and metrics are cached."""
    return photocopier.run(config, lab or TextLab(), progress=progress, result=TextRun)


# --- notebook 07's controlled runs ---------------------------------------------------------------

#: the low sampling temperature of the temperature arm
LOW_TEMPERATURE = 0.5


def arms(seed: int = 0) -> dict[str, TextRunConfig]:
    """Notebook 07's runs, all from the same pre-trained model and generation 0, each differing from
    ``replace`` in one setting:

    * ``replace``: each generation fine-tunes on text written by its predecessor only (the
      photocopier; Shumailov et al.'s "no original data kept");
    * ``keep 10% real``: 10 % of every training set is fresh real text (inspired by the paper's second setting, which keeps 10 % of the original data);
    * ``accumulate``: every generation's text is kept, generation 0's real text included
      (Gerstgrasser et al.);
    * ``replace, T = 0.5``: replace, but every generation writes at temperature 0.5 (sharper than
      the model's own distribution);
    * ``real-only``: the control: every generation fine-tunes on fresh real text, no recursion
      (like every arm, generation g trains with the seed ``seed_for("train", g)``).
    """
    base = TextRunConfig(seed=seed)
    return {
        "replace": base,
        "keep 10% real": base.changed(policy="mix:0.1"),
        "accumulate": base.changed(policy="accumulate"),
        f"replace, T = {LOW_TEMPERATURE:g}": base.changed(temperature=LOW_TEMPERATURE),
        "real-only": base.changed(policy="real-only"),
    }


def language(seed: int = 0, *, root=None, lab: TextLab | None = None, progress: bool = False) -> dict[str, TextRun]:
    """Run (or load from the cache) every arm of :func:`arms` for ``seed``."""
    lab = lab or TextLab(root)
    return {name: run(config, lab, progress=progress) for name, config in arms(seed).items()}


#: the seeds of the protocol study (:func:`protocol_study`): never used by any claim before it
PROTOCOL_SEEDS = (20, 21, 22, 23, 24)


#: the seeds of the controls study (:func:`controls_study`): never used by any claim before it
CONTROL_SEEDS = (45, 46, 47, 48, 49)
#: the controls study again, on seeds none of its claims' sentences was written with (after three
#: were narrowed on seeds 45-49)
CONTROL_CONFIRMATION_SEEDS = (50, 51, 52, 53, 54)


def controls_study(seed: int = 45) -> dict[str, TextRunConfig]:
    """Notebook 07's controls study: what do notebook 07's arms move *against*? Notebook 07's
    settings (unprompted, 40 steps), each arm differing from one above it in one thing:

    * ``replace`` and ``keep 10% fresh`` (``mix:0.1``): notebook 07's arms;
    * ``keep 10% original``: ``mix:0.1`` whose real passages come from generation 0's own (Shumailov
      et al.'s setting): dilution by real text, without new text;
    * ``real-only`` (fresh passages each generation): notebook 07's control;
    * ``real repeat``: ``real-only`` on generation 0's own passages again, with a new training seed
      each generation: retraining alone, no new text and no recursion;
    * ``real-only, T = 0.5``: the control writing at the low temperature: what text at T = 0.5
      scores without recursion.
    """
    base = TextRunConfig(seed=seed)
    return {
        "replace": base,
        "keep 10% fresh": base.changed(policy="mix:0.1"),
        "keep 10% original": base.changed(policy="mix:0.1", real_pool="original"),
        "real-only": base.changed(policy="real-only"),
        "real repeat": base.changed(policy="real-only", real_pool="original"),
        f"real-only, T = {LOW_TEMPERATURE:g}": base.changed(policy="real-only", temperature=LOW_TEMPERATURE),
    }


def protocol_study(seed: int = 20) -> dict[str, TextRunConfig]:
    """Notebook 07's protocol study: does the low-temperature result move when the writing and the
    training come closer to Shumailov et al.'s? Every arm is ``replace`` at :data:`LOW_TEMPERATURE`
    or its decoder, and differs from the one before it in one thing:

    * ``unprompted, T = 0.5``: notebook 07's own low-temperature arm;
    * ``prompted, T = 0.5``: continuations of real prompts (the paper writes continuations of its
      training blocks);
    * ``prompted, beam 5``: the paper's decoder, 5-beam search, with a character-level stand-in for
      its repetition penalty (no 12-character run may repeat: about three words);
    * ``prompted, T = 0.5, 4x steps, best checkpoint``: 160 fine-tuning steps instead of 40, keeping the
      checkpoint best on real validation text (the paper trains for epochs and keeps the best);
    * ``real-only, 4x steps, best checkpoint``: its control, fresh real text each generation.
    """
    base = TextRunConfig(seed=seed, temperature=LOW_TEMPERATURE)
    longer = base.changed(lm=dataclasses.replace(base.lm, finetune_steps=4 * base.lm.finetune_steps), select_every=20)
    return {
        "unprompted, T = 0.5": base,
        "prompted, T = 0.5": base.changed(prompted=True),
        "prompted, beam 5": base.changed(prompted=True, beams=5, no_repeat=12),
        "prompted, T = 0.5, 4x steps, best checkpoint": longer.changed(prompted=True),
        "real-only, 4x steps, best checkpoint": longer.changed(policy="real-only", temperature=1.0),
    }
