"""The language photocopier through the one recursion engine (notebook 07).

Shumailov et al.'s protocol at small scale: a pre-trained character model (trained once, cached)
is fine-tuned on real text to give generation 0; every later generation is fine-tuned **from the
same pre-trained state** on passages sampled from its predecessor (and, by the policy, real
passages), with the same number of steps. Every generation's weights and metrics are cached under
the data folder, keyed by everything that determines them.

Metrics per generation (:mod:`collapselab.text_metrics` for the word-level ones):

* ``heldout_nll`` / ``real_perplexity``: nats per character / its exponential, on the held-out
  real text (the paper's main measure);
* ``gen0_perplexity``: the perplexity of each generated passage under generation 0 (a list: the
  histogram of the paper's Figure);
* ``distinct_1..3``, ``repetition``, ``real_word_share``, ``distinct_real``, ``rare_words_used``,
  ``long_words_used``, ``names_used``;
* ``samples``: two generated passages, to read.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import torch

from . import cache, policies, recursion, text, text_metrics
from ._checks import check_int, check_seed

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

_METRICS_VERSION = 2


@dataclass(frozen=True)
class TextRunConfig:
    """One recursive run of the language photocopier.

    Attributes:
        generations: generations after generation 0.
        policy: a registered policy name (``replace``, ``mix:0.1``, ``accumulate``, ``real-only``, ...).
        temperature: the sampling temperature of the text each generation writes (1 = the model's
            own distribution; 0 = greedy).
        lm: the model and its training settings.
        n_eval: generated passages scored per generation.
        n_real: real passages generation 0 fine-tunes on (the first ``n_real`` of the fine-tuning
            part; default :data:`REAL_PASSAGES`; ``None``: all of them, about 1,300), which is also
            the number of passages every generation writes for the next.
        seed: seeds the pre-trained model, fine-tuning, sampling and evaluation.
    """

    generations: int = GENERATIONS
    policy: str = "replace"
    temperature: float = 1.0
    lm: text.LMConfig = text.LMConfig()
    n_eval: int = EVAL_PASSAGES
    n_real: int | None = REAL_PASSAGES
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "generations", check_int("generations", self.generations, minimum=0))
        object.__setattr__(self, "n_eval", check_int("n_eval", self.n_eval, minimum=10, maximum=MAX_EVAL_PASSAGES,
                                                     hint="scoring takes about 1 s per 1,000 passages on 2 cores"))
        object.__setattr__(self, "seed", check_seed("seed", self.seed))
        if self.n_real is not None:
            object.__setattr__(self, "n_real", check_int("n_real", self.n_real, minimum=10))
        object.__setattr__(self, "policy", policies.canonical(self.policy))  # one spelling; unknown ones raise
        if policies.family(self.policy) not in (None, "text"):
            raise ValueError(f"policy {self.policy!r} is for images only; the text photocopier takes "
                             f"{', '.join(policies.names('text'))}")
        object.__setattr__(self, "temperature", text.check_temperature(self.temperature))
        if not isinstance(self.lm, text.LMConfig):
            raise ValueError(f"lm must be a collapselab.text.LMConfig, got {self.lm!r}")

    def changed(self, **changes) -> "TextRunConfig":
        return replace(self, **changes)

    def base_key(self) -> dict:
        """The cache key of the pre-trained model (shared by every run with this seed)."""
        lm = self.lm.as_dict()
        return {"data": text.FINGERPRINT, "split": list(text.SPLIT), "passage": text.PASSAGE, "seed": self.seed,
                "pretrain": {k: lm[k] for k in ("hidden", "embed", "seq_len", "batch_size", "pretrain_steps",
                                                "pretrain_lr")}, "version": 1}

    def key(self, generation: int) -> dict:
        """The cache key of ``generation``'s model (generation 0 is shared by every policy and
        temperature: it is fine-tuned on real text only)."""
        key = {**self.base_key(), "finetune": [self.lm.finetune_steps, self.lm.finetune_lr], "n_real": self.n_real,
               "generation": generation}
        if generation > 0:
            key.update(policy=self.policy, temperature=self.temperature)
        return key


class TextLab:
    """What every text run shares: the corpus, its split, the tokenizer, the real passages and the
    reference vocabulary. Building it reads (and verifies) the corpus."""

    def __init__(self, root=None):
        self.root = root
        self.corpus = text.load_corpus(root)
        self.splits = text.split(self.corpus)
        self.tokenizer = text.Tokenizer.from_text(self.corpus)
        self.real = text.passages(self.tokenizer.encode(self.splits.finetune))
        self.heldout = self.tokenizer.encode(self.splits.heldout)
        self.vocabulary = text_metrics.vocabulary(self.splits.finetune)
        self.rare = text_metrics.rare_words(self.vocabulary, RARE_MAX_COUNT)
        self.long = text_metrics.long_words(self.vocabulary)
        self.speakers = text_metrics.speakers(self.splits.finetune)
        self.start = self.tokenizer.encode("\n")[0].item()

    def decode(self, rows: torch.Tensor) -> list[str]:
        """The text of each passage of ``rows`` ``(n, length)``."""
        return [self.tokenizer.decode(row) for row in rows]

    def base(self, config: TextRunConfig) -> text.CharGRU:
        """The pre-trained model of ``config.seed`` (trained once on the pre-training text, cached)."""
        def build():
            model = text.new_model(self.tokenizer.size, config.lm, config.seed)
            rows = text.passages(self.tokenizer.encode(self.splits.pretrain))
            losses = text.train(model, rows, config.lm.pretrain_steps, config.lm.pretrain_lr, config.lm,
                                seed=config.seed * 1000 + 999)
            return {"weights": model.state_dict(), "losses": losses}

        state = cache.load_or_build("lm-pretrained", config.base_key(), build, root=self.root)
        model = text.new_model(self.tokenizer.size, config.lm, 0)
        model.load_state_dict(state["weights"])
        return model.eval()

    def finetune(self, config: TextRunConfig, generation: int, rows: torch.Tensor) -> tuple[text.CharGRU, list]:
        """``generation``'s model: the pre-trained model fine-tuned on ``rows`` (cached)."""
        def build():
            model = self.base(config)
            losses = text.train(model, rows, config.lm.finetune_steps, config.lm.finetune_lr, config.lm,
                                seed=config.seed * 1000 + generation)
            return {"weights": model.state_dict(), "losses": losses}

        state = cache.load_or_build("lm-generation", config.key(generation), build, root=self.root)
        model = text.new_model(self.tokenizer.size, config.lm, 0)
        model.load_state_dict(state["weights"])
        return model.eval(), list(state["losses"])

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
        rows = text.passages(self.heldout)
        if n > len(rows):
            raise ValueError(f"the held-out text has only {len(rows)} passages, asked for {n}")
        return self.words_of(rows[:n])

    def score(self, model: text.CharGRU, reference: text.CharGRU, config: TextRunConfig, generation: int) -> dict:
        """Every metric of the module docstring for ``model`` (``reference`` = generation 0)."""
        rows = text.sample(model, config.n_eval, self.start, temperature=config.temperature,
                           seed=50_000 + generation)
        heldout = text.nll(model, self.heldout)
        return {
            "heldout_nll": heldout,
            "real_perplexity": math.exp(heldout),
            "gen0_perplexity": [math.exp(v) for v in text.passage_nll(reference, rows).tolist()],
            **self.words_of(rows),
            "samples": self.decode(rows[:2]),
        }


@dataclass
class TextRun(recursion.History):
    """A finished text run: the engine's history (models, sizes, provenance, ``metrics`` and
    ``info`` per generation) plus the configuration and the wall time."""

    config: TextRunConfig | None = None
    seconds: float = 0.0

    @property
    def losses(self) -> list[list[float]]:
        """Each generation's fine-tuning loss per step (nats per character)."""
        return [info["losses"] for info in self.info]

    def rows(self) -> list[dict]:
        """One flat dict per generation (for CSV): policy, seed, generation, sizes and the scalar metrics."""
        real = self.real_share()
        scalar = ("real_perplexity", "heldout_nll", "distinct_1", "distinct_2", "distinct_3", "repetition",
                  "real_word_share", "distinct_real", "rare_words_used", "long_words_used", "names_used")
        return [{"policy": self.config.policy, "temperature": self.config.temperature, "seed": self.config.seed,
                 "generation": g, "train_passages": self.train_sizes[g], "real_share": round(float(real[g]), 4),
                 **{k: round(float(self.metrics[g][k]), 5) for k in scalar},
                 "gen0_perplexity_median": round(float(np.median(self.metrics[g]["gen0_perplexity"])), 4)}
                for g in range(len(self.metrics))]


def run(config: TextRunConfig = TextRunConfig(), lab: TextLab | None = None, *, progress: bool = True) -> TextRun:
    """Run ``config`` through the recursion engine; every generation's model and metrics are cached."""
    start = time.perf_counter()
    lab = lab or TextLab()

    def fit(rows: torch.Tensor, step: policies.Step) -> text.CharGRU:
        model, losses = lab.finetune(config, step.generation, rows)
        step.record(losses=losses)
        return model

    def sample(model: text.CharGRU, n: int, step: policies.Step) -> torch.Tensor:
        # writing text one character at a time is the slow part of a warm run: cache it with the
        # model that wrote it, generation step.generation - 1
        seed = int(step.rng.integers(2**31))
        key = {**config.key(step.generation - 1), "written": n, "sampling_seed": seed, "version": 1}
        rows = cache.load_or_build(
            "lm-written", key, lambda: text.sample(model, n, lab.start, temperature=config.temperature,
                                                   seed=seed).to(torch.int16), root=lab.root)
        return rows.long()

    def measure(model: text.CharGRU, rows: torch.Tensor, step: policies.Step) -> dict:
        reference = step.history.models[0]  # generation 0 scores every generation's text
        key = {**config.key(step.generation), "eval": config.n_eval, "temperature": config.temperature,
               "rare": RARE_MAX_COUNT, "metrics": _METRICS_VERSION}
        return dict(cache.load_or_build("lm-metrics", key,
                                        lambda: lab.score(model, reference, config, step.generation),
                                        root=lab.root))

    if config.n_real is not None and config.n_real > len(lab.real):
        raise ValueError(f"n_real must be <= {len(lab.real)} (the real passages of the fine-tuning text), "
                         f"got {config.n_real}")
    real = lab.real if config.n_real is None else lab.real[: config.n_real]
    history = recursion.run(fit, sample, real, config.generations, policies.make(config.policy),
                            measure=measure, seed=config.seed, progress=progress)
    return TextRun(**vars(history), config=config, seconds=time.perf_counter() - start)


# --- notebook 07's controlled runs ---------------------------------------------------------------

#: the low sampling temperature of the temperature arm
LOW_TEMPERATURE = 0.5


def arms(seed: int = 0) -> dict[str, TextRunConfig]:
    """Notebook 07's runs, all from the same pre-trained model and generation 0, each differing from
    ``replace`` in one setting:

    * ``replace``: each generation fine-tunes on text written by its predecessor only (the
      photocopier; Shumailov et al.'s "no original data kept");
    * ``keep 10% real``: 10 % of every training set is real text (the paper's second setting);
    * ``accumulate``: every generation's text is kept, real text included (Gerstgrasser et al.);
    * ``replace, T = 0.5``: replace, but every generation writes at temperature 0.5 (sharper than
      the model's own distribution);
    * ``real-only``: the control: every generation fine-tunes on the real text again (with its own
      seed): how much the metrics move from retraining alone.
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
