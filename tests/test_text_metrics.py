"""Text metrics on hand-made strings: words, distinct-n, repetition, real and rare words."""

from collections import Counter

import pytest

from collapselab.text import metrics as tm


def test_words_are_lower_case_runs_of_letters_with_inner_apostrophes():
    assert tm.words("O'er the hills, 'TIS the KING's day!") == ["o'er", "the", "hills", "tis", "the", "king's", "day"]


def test_distinct_1_counts_unique_words_over_all_words():
    assert tm.distinct_n("the cat the dog", 1) == pytest.approx(3 / 4)


def test_distinct_2_counts_unique_word_pairs():
    # pairs: (a b) (b a) (a b) -> 2 unique of 3
    assert tm.distinct_n("a b a b", 2) == pytest.approx(2 / 3)


def test_distinct_n_of_a_text_without_n_grams_is_zero():
    assert tm.distinct_n("one", 2) == 0.0 and tm.distinct_n("", 1) == 0.0


def test_a_passage_stuck_in_a_loop_has_a_high_repetition_rate():
    loop = "the king the king the king the king"  # 6 trigrams, 2 distinct
    assert tm.repetition_rate([loop], 3) == pytest.approx(4 / 6)


def test_repetition_is_judged_within_each_passage_not_across_passages():
    assert tm.repetition_rate(["to be or not", "to be or not"], 3) == 0.0


def test_repetition_of_fresh_text_is_zero():
    assert tm.repetition_rate(["now is the winter of our discontent"], 3) == 0.0


def test_real_word_share_counts_words_of_the_real_vocabulary():
    real = tm.vocabulary("the king is dead long live the king")
    assert tm.real_word_share("the kign is dead", real) == pytest.approx(3 / 4)


def test_distinct_real_counts_different_real_words_once():
    real = tm.vocabulary("to be or not to be")
    assert tm.distinct_real("be be be to xyzzy", real) == 2


def test_rare_words_are_those_seen_at_most_k_times():
    real = Counter({"the": 50, "king": 3, "fardels": 1, "bodkin": 2})
    assert tm.rare_words(real, 2) == {"fardels", "bodkin"}


def test_rare_words_used_counts_different_rare_words_in_a_text():
    assert tm.rare_words_used("a bare bodkin, a bodkin, fardels", {"fardels", "bodkin", "quietus"}) == 2


@pytest.mark.parametrize("bad", [None, 3, ["a list"]])
def test_text_must_be_a_string(bad):
    with pytest.raises(ValueError, match="text must be a string"):
        tm.words(bad)


def test_n_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        tm.distinct_n("a b c", 0)


def test_long_words_are_the_real_words_of_at_least_eight_letters():
    assert tm.long_words(Counter({"kingdom": 3, "gentlemen": 1, "o'erthrown": 1, "sovereignty": 2})) == {
        "gentlemen", "o'erthrown", "sovereignty"}


def test_speakers_are_names_in_capitals_alone_on_a_line_before_a_colon():
    play = "KING RICHARD III:\nNow is the winter.\n\nGLOUCESTER:\nAy.\nNot a speaker: this line.\nKING:"
    assert tm.speakers(play) == {"KING RICHARD III", "GLOUCESTER", "KING"}


def test_names_used_counts_only_real_speakers_once_each():
    text = "GLOUCESTER:\nAy.\n\nGLOUCESTER:\nNo.\n\nGLOUCESTEX:\nHa."
    assert tm.names_used(text, {"GLOUCESTER", "ANNE"}) == 1
