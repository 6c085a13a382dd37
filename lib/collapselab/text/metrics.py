"""Text metrics: what a generation of generated text has lost, in numbers.

Everything here works on plain strings, so it is easy to check by hand (the tests do). Words are
runs of letters (and inner apostrophes, as in ``o'er`` or ``'tis``), lower-cased.

=====================  ==================================================================  ==========
metric                 what it measures                                                    better
=====================  ==================================================================  ==========
``distinct_n``         different word n-grams / all word n-grams (Li et al. 2016):         near real
                       variety
``repetition_rate``    share of word n-grams in a passage that repeat an earlier n-gram    near real
                       of the *same* passage, loops like "the king, the king, the king"
``real_word_share``    share of generated words that occur in the real text: spelling      higher
``distinct_real``      how many different real words appear: the vocabulary in use         higher
``rare_words_used``    how many different *rare* real words (seen at most ``k`` times in   higher
                       the real text) appear: the Zipf tail of notebook 02
``long_words_used``    how many different real words of at least 8 letters appear          higher
``names_used``         how many different real speakers (``GLOUCESTER:``) appear           higher
=====================  ==================================================================  ==========

Compare texts of the same length: distinct-n and the word counts grow with length.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

from .._checks import check_int

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
#: a speaker's line in the plays: a name in capitals on its own line, ending with a colon
_SPEAKER = re.compile(r"^([A-Z][A-Z']*(?: [A-Z][A-Z']*)*):$", re.MULTILINE)


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased: runs of letters with inner apostrophes."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """The ``n``-grams of ``tokens``, in order (empty when there are fewer than ``n`` tokens)."""
    n = check_int("n", n, minimum=1)
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(text: str, n: int = 1) -> float:
    """Unique word ``n``-grams divided by all word ``n``-grams of ``text`` (0 when it has none).
    1 when no n-gram repeats; small when the text keeps saying the same things."""
    grams = ngrams(words(text), n)
    return len(set(grams)) / len(grams) if grams else 0.0


def repetition_rate(passages: Iterable[str], n: int = 3) -> float:
    """Share of word ``n``-grams that repeat an earlier ``n``-gram *of the same passage*, over all
    passages (0 when no passage repeats itself; near 1 for a passage stuck in a loop). Passages are
    judged one at a time, so two passages that happen to share a phrase do not count."""
    if isinstance(passages, str):
        raise ValueError("repetition_rate takes a list of passages, got one string (it would be read as a "
                         "list of single characters); pass [text] to judge one passage")
    repeated = total = 0
    for passage in passages:
        if not isinstance(passage, str):
            raise ValueError(f"repetition_rate takes a list of passages (strings), got a {type(passage).__name__} in it")
        grams = ngrams(words(passage), n)
        total += len(grams)
        repeated += len(grams) - len(set(grams))
    return repeated / total if total else 0.0


def vocabulary(text: str) -> Counter:
    """How often each word occurs in ``text``: the reference vocabulary of real words."""
    return Counter(words(text))


def real_word_share(text: str, real: Counter) -> float:
    """Share of the words of ``text`` that occur in the real vocabulary ``real`` (0 for no words)."""
    found = words(text)
    return sum(w in real for w in found) / len(found) if found else 0.0


def distinct_real(text: str, real: Counter) -> int:
    """How many different real words (words of ``real``) appear in ``text``."""
    return len({w for w in words(text) if w in real})


def rare_words(real: Counter, max_count: int = 2) -> set[str]:
    """The real words that occur at most ``max_count`` times: the tail of the word distribution."""
    check_int("max_count", max_count, minimum=1)
    return {w for w, c in real.items() if c <= max_count}


def rare_words_used(text: str, rare: set[str]) -> int:
    """How many different words of the set ``rare`` appear in ``text``."""
    return len(set(words(text)) & rare)


def long_words(real: Counter, min_length: int = 8) -> set[str]:
    """The real words with at least ``min_length`` letters."""
    check_int("min_length", min_length, minimum=1)
    return {w for w in real if len(w.replace("'", "")) >= min_length}


def speakers(text: str) -> set[str]:
    """The speakers of ``text``: every line that is a name in capitals followed by a colon
    (``"KING RICHARD III:"`` gives ``"KING RICHARD III"``)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return set(_SPEAKER.findall(text))


def names_used(text: str, real_speakers: set[str]) -> int:
    """How many different speakers of ``real_speakers`` speak in ``text``."""
    return len(speakers(text) & set(real_speakers))
