"""The language model of the photocopier: a small character-level GRU, trained and sampled.

The model is a one-layer GRU over characters (:class:`CharGRU`: 128 units, about 73,000 parameters),
trained in memory with Adam and a one-cycle learning rate, and sampled ancestrally (one character at
a time from the softmax at a temperature; temperature 0 is greedy decoding). Its data are passages
of token ids, ``LongTensor`` ``(passages, length)`` (:mod:`collapselab.text.corpus`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import MAX_TORCH_SEED, WrongTypeError, check_int, check_positive, check_seed
from ..training import generator, one_cycle, seeded
from .corpus import PASSAGE

class CharGRU(nn.Module):
    """embedding -> one GRU layer -> a linear read-out of the next character's logits (defaults:
    :class:`LMConfig`'s, the course's model)."""

    def __init__(self, vocab: int, embed: int = 32, hidden: int = 128):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = nn.GRU(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (b, t, vocab), state)`` for token ids ``x`` ``(b, t)``."""
        output, h = self.rnn(self.embed(x), h)
        return self.out(output), h


@dataclass(frozen=True)
class LMConfig:
    """The language model and how each stage trains it.

    Attributes:
        hidden, embed: GRU units and embedding size.
        seq_len: characters per training window; batch_size: windows per step.
        pretrain_steps, pretrain_lr: pre-training on the pre-training part (done once, cached).
        finetune_steps, finetune_lr: fine-tuning of every generation, from the pre-trained state.
    """

    hidden: int = 128
    embed: int = 32
    seq_len: int = 64
    batch_size: int = 128
    pretrain_steps: int = 400
    pretrain_lr: float = 1e-2
    finetune_steps: int = 40
    finetune_lr: float = 3e-3

    def __post_init__(self):
        for name in ("hidden", "embed", "seq_len", "batch_size", "pretrain_steps", "finetune_steps"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), minimum=1))
        if self.seq_len + 1 > PASSAGE:
            raise ValueError(f"seq_len must be < {PASSAGE} (one passage), got {self.seq_len}")
        for name in ("pretrain_lr", "finetune_lr"):
            value = check_positive(name, getattr(self, name))
            if value > 1:
                raise ValueError(f"{name} must be <= 1, got {value}")
            object.__setattr__(self, name, value)

    def as_dict(self) -> dict:
        return asdict(self)


def windows(rows: torch.Tensor, config: LMConfig, gen: torch.Generator):
    """Endless batches ``(x, y)`` of ``(batch_size, seq_len)`` windows cut at random places inside
    random passages (rows): a window never spans two passages."""
    n, length = rows.shape
    span = config.seq_len + 1
    while True:
        row = torch.randint(n, (config.batch_size,), generator=gen)
        start = torch.randint(length - span + 1, (config.batch_size,), generator=gen)
        index = start[:, None] + torch.arange(span)[None, :]
        chunk = rows[row[:, None], index]
        yield chunk[:, :-1], chunk[:, 1:]


def train(model: CharGRU, rows: torch.Tensor, steps: int, lr: float, config: LMConfig, seed: int, *,
          validation: torch.Tensor | None = None, every: int = 0) -> list[float]:
    """Train ``model`` in place for ``steps`` steps on passages ``rows`` ``(n, PASSAGE)``; returns
    the training loss (nats per character) of every step. Deterministic under ``seed``.

    With real ``validation`` text (token ids ``(n,)``) and ``every > 0``, the model is scored on it
    every ``every`` steps (and after the last), and the checkpoint with the lowest validation loss
    is kept (Shumailov et al.'s best checkpoint on real validation data); ``model.selected_step``
    then says which step that was."""
    if rows.ndim != 2 or rows.shape[1] < config.seq_len + 1 or len(rows) == 0:
        raise ValueError(f"rows must be a (passages, length >= {config.seq_len + 1}) tensor, got {tuple(rows.shape)}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = one_cycle(optimizer, lr, steps * config.batch_size, config.batch_size, 1)
    batches = windows(rows, config, generator(seed))
    losses = []
    best = (math.inf, 0, None)
    model.train()
    for step in range(1, steps + 1):
        x, y = next(batches)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            raise FloatingPointError(f"language-model training diverged (loss {losses[-1]}); lower the learning rate")
        if validation is not None and every > 0 and (step % every == 0 or step == steps):
            score = nll(model, validation)
            model.train()
            if score < best[0]:
                best = (score, step, {k: v.clone() for k, v in model.state_dict().items()})
    model.eval()
    if best[2] is not None:
        model.load_state_dict(best[2])
        model.selected_step = best[1]
    return losses


def new_model(vocab: int, config: LMConfig, seed: int) -> CharGRU:
    """A freshly initialised :class:`CharGRU` (deterministic under ``seed``)."""
    with seeded(seed):
        return CharGRU(vocab, config.embed, config.hidden)


@torch.no_grad()
def nll(model: CharGRU, tokens: torch.Tensor, streams: int = 256) -> float:
    """Mean negative log-likelihood of ``tokens`` ``(n,)`` in nats per character, reading the text in
    ``streams`` parallel pieces (each piece's first character is not scored). exp(nll) = perplexity."""
    n = (len(tokens) - 1) // streams
    if n < 2:
        raise ValueError(f"need at least {2 * streams + 1} tokens to score, got {len(tokens)}")
    x = tokens[: streams * n].view(streams, n)
    y = tokens[1 : streams * n + 1].view(streams, n)
    model.eval()
    logits, _ = model(x)
    return float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)))


@torch.no_grad()
def passage_nll(model: CharGRU, rows: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood ``(n,)`` of each passage of ``rows`` ``(n, length)``, in nats per
    character (the first character of each passage is not scored)."""
    model.eval()
    logits, _ = model(rows[:, :-1])
    loss = F.cross_entropy(logits.transpose(1, 2), rows[:, 1:], reduction="none")
    return loss.mean(dim=1)


#: the smallest positive sampling temperature: logits / T overflow float32 long before T = 1e-38,
#: and any T this small already picks the most likely character, so write 0 (greedy) instead
MIN_TEMPERATURE = 1e-3


def check_temperature(temperature, name: str = "temperature") -> float:
    """Return ``temperature`` as a float: 0 (greedy) or a finite number >= :data:`MIN_TEMPERATURE`
    (numpy numbers accepted; ``True`` is not a temperature). Raises ``ValueError`` otherwise."""
    t = temperature
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise WrongTypeError(f"{name} must be a finite number >= 0 (0 = greedy), got {t!r}")
    if not math.isfinite(t) or t < 0:
        raise ValueError(f"{name} must be a finite number >= 0 (0 = greedy), got {t!r}")
    if 0 < t < MIN_TEMPERATURE:
        raise ValueError(f"{name} must be 0 (greedy) or at least {MIN_TEMPERATURE:g}, got {float(t):g}: a smaller one "
                         "overflows the logits and means greedy decoding anyway; write 0")
    return float(t)


@torch.no_grad()
def sample(model: CharGRU, n: int, start: int, *, temperature: float = 1.0, seed: int = 0,
           length: int = PASSAGE, streams: int = 512, burn_in: int = 64) -> torch.Tensor:
    """``n`` generated passages ``(n, length)`` of token ids.

    Ancestral sampling: ``streams`` texts are written in parallel, one character at a time, each
    drawn from the model's next-character distribution at ``temperature`` (1 = the model's own
    distribution; lower = sharper; 0 = greedy, always the most likely character). Every stream
    starts at the token ``start`` (a line break), writes ``burn_in`` characters that are thrown
    away, then passage after passage."""
    n = check_int("n", n, minimum=1)
    temperature = check_temperature(temperature)
    seed = check_seed("seed", seed, MAX_TORCH_SEED)
    vocab = model.embed.num_embeddings
    start = check_int("start", start, minimum=0, maximum=vocab - 1, hint=f"it is a token id of the model's {vocab}-character vocabulary")
    length = check_int("length", length, minimum=1)
    streams = check_int("streams", streams, minimum=1)
    burn_in = check_int("burn_in", burn_in, minimum=0)
    streams = min(streams, n)
    per_stream = math.ceil(n / streams)
    gen = generator(seed)
    model.eval()
    x = torch.full((streams, 1), int(start), dtype=torch.long)
    h, out = None, []
    for step in range(burn_in + per_stream * length):
        logits, h = model(x, h)
        logits = logits[:, -1]
        if temperature == 0:
            x = logits.argmax(dim=1, keepdim=True)
        else:
            x = torch.multinomial(F.softmax(logits / temperature, dim=1), 1, generator=gen)
        if step >= burn_in:
            out.append(x)
    text = torch.cat(out, dim=1)  # (streams, per_stream * length)
    return text.reshape(streams * per_stream, length)[:n]


def _banned(history: torch.Tensor, vocab: int, no_repeat: int) -> torch.Tensor | None:
    """``(streams, vocab)`` True where writing that character would repeat a ``no_repeat``-gram
    already in ``history`` ``(streams, t)`` (the no-repeat rule of beam decoders), or None."""
    k = no_repeat
    if k < 2 or history.shape[1] < k:
        return None
    grams = history.unfold(1, k - 1, 1)[:, :-1]                # (streams, t - k + 1, k - 1): grams with a successor
    last = history[:, -(k - 1):]                                  # (streams, k - 1)
    match = (grams == last[:, None, :]).all(dim=2)                # (streams, t - k + 1)
    following = history[:, k - 1:]                                # the character after each gram
    banned = torch.zeros(history.shape[0], vocab, dtype=torch.bool)
    rows, cols = torch.nonzero(match, as_tuple=True)
    banned[rows, following[rows, cols]] = True
    return banned


@torch.no_grad()
def continue_prompts(model: CharGRU, prompts: torch.Tensor, *, length: int = PASSAGE, temperature: float = 1.0,
                     beams: int = 1, no_repeat: int = 0, seed: int = 0) -> torch.Tensor:
    """``(n, length)`` continuations of real ``prompts`` ``(n, P)`` (token ids): the model reads each
    prompt, then writes ``length`` characters after it (the prompt itself is not returned).

    ``beams = 1`` samples at ``temperature`` (0 = greedy); ``beams > 1`` is beam search (as in
    Shumailov et al.'s released code, which uses 5 beams): the ``beams`` likeliest continuations
    are kept at every character and the likeliest at the end is returned; it is deterministic and
    ignores ``temperature``. ``no_repeat = k >= 2`` forbids writing a character that would repeat a
    k-character run already in the prompt or the continuation (a character-level stand-in for the
    released code's repetition penalty, which at the character level would penalise every letter
    already seen)."""
    if prompts.ndim != 2 or prompts.shape[1] < 1 or len(prompts) == 0:
        raise ValueError(f"prompts must be a (passages, length >= 1) tensor of token ids, got {tuple(prompts.shape)}")
    length = check_int("length", length, minimum=1)
    beams = check_int("beams", beams, minimum=1)
    no_repeat = check_int("no_repeat", no_repeat, minimum=0)
    temperature = check_temperature(temperature)
    gen = generator(check_seed("seed", seed, MAX_TORCH_SEED))
    model.eval()
    vocab = model.embed.num_embeddings
    n = len(prompts)
    logits, h = model(prompts)
    logits = logits[:, -1]
    history = prompts.clone()
    if beams == 1:
        out = []
        for _ in range(length):
            banned = _banned(history, vocab, no_repeat)
            if banned is not None:
                logits = logits.masked_fill(banned, float("-inf"))
            if temperature == 0:
                x = logits.argmax(dim=1, keepdim=True)
            else:
                x = torch.multinomial(F.softmax(logits / temperature, dim=1), 1, generator=gen)
            out.append(x)
            history = torch.cat([history, x], dim=1)
            logits, h = model(x, h)
            logits = logits[:, -1]
        return torch.cat(out, dim=1)
    # beam search: streams are (prompt, beam) pairs; every beam of a prompt starts identical, so only
    # the first counts at the start
    history = history.repeat_interleave(beams, dim=0)
    h = h.repeat_interleave(beams, dim=1)
    logp = F.log_softmax(logits, dim=1).repeat_interleave(beams, dim=0)
    score = torch.full((n, beams), float("-inf"))
    score[:, 0] = 0.0
    offset = (torch.arange(n) * beams)[:, None]
    for _ in range(length):
        banned = _banned(history, vocab, no_repeat)
        if banned is not None:
            logp = logp.masked_fill(banned, float("-inf"))
        candidates = (score[:, :, None] + logp.view(n, beams, vocab)).view(n, beams * vocab)
        score, index = candidates.topk(beams, dim=1)
        parent = (offset + torch.div(index, vocab, rounding_mode="floor")).reshape(-1)
        x = (index % vocab).reshape(-1, 1)
        history = torch.cat([history[parent], x], dim=1)
        logits, h = model(x, h[:, parent])
        logp = F.log_softmax(logits[:, -1], dim=1)
    best = score.argmax(dim=1)
    return history.view(n, beams, -1)[torch.arange(n), best, -length:]
