"""The language photocopier: corpus, tokenizer, model, training, sampling, and runs through the engine."""

import io
import os
import re
import urllib.request

import numpy as np
import pytest
import torch

from collapselab.text import corpus, lm, photocopier as tx

TINY_LM = lm.LMConfig(hidden=32, embed=8, seq_len=32, batch_size=16, pretrain_steps=20, finetune_steps=5)


@pytest.fixture(scope="module")
def shakespeare():
    return corpus.load_corpus()


# --- the corpus ---------------------------------------------------------------------------------

def test_the_corpus_is_the_verified_tiny_shakespeare(shakespeare):
    assert len(shakespeare) == 1_115_394 and shakespeare.startswith("First Citizen:")


def test_the_split_is_by_position_at_line_breaks_and_keeps_every_character(shakespeare):
    parts = corpus.split(shakespeare)
    assert parts.pretrain + parts.finetune + parts.heldout == shakespeare
    assert parts.pretrain.endswith("\n") and parts.finetune.endswith("\n")
    assert [round(len(p) / len(shakespeare), 2) for p in (parts.pretrain, parts.finetune, parts.heldout)] == [0.6, 0.3, 0.1]


def test_a_missing_corpus_names_both_ways_to_get_it(tmp_path):
    with pytest.raises(corpus.TextNotFoundError) as error:
        corpus.load_corpus(tmp_path, download=False)
    message = str(error.value)
    assert "download=True" in message and "../shared/text/tinyshakespeare.txt" in message and str(tmp_path) in message


def test_an_altered_corpus_is_refused_with_how_to_repair_it(tmp_path, shakespeare):
    (tmp_path / corpus.CORPUS_FILE).write_text(shakespeare.replace("Citizen", "Senator", 1))
    with pytest.raises(corpus.TextCorruptError, match="not the Tiny Shakespeare corpus.*delete it"):
        corpus.load_corpus(tmp_path)


def test_a_failed_download_says_how_to_get_the_corpus_offline(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(corpus.TextNotFoundError, match="the download failed: no network"):
        corpus.load_corpus(tmp_path)
    assert not (tmp_path / corpus.CORPUS_FILE).exists()


def test_a_failed_download_into_a_missing_folder_leaves_no_folder_behind(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(corpus.TextNotFoundError):
        corpus.load_corpus(tmp_path / "nonexistent" / "dir")
    assert not (tmp_path / "nonexistent").exists()


def test_a_downloaded_corpus_is_readable_by_others_as_the_umask_allows(tmp_path, monkeypatch, shakespeare):
    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: Response(shakespeare.encode("utf-8")))
    old = os.umask(0o022)
    try:
        assert corpus.load_corpus(tmp_path / "shared") == shakespeare
    finally:
        os.umask(old)
    assert (tmp_path / "shared" / corpus.CORPUS_FILE).stat().st_mode & 0o777 == 0o644


# --- the tokenizer ------------------------------------------------------------------------------

def test_encoding_then_decoding_gives_back_the_text(shakespeare):
    tokenizer = corpus.Tokenizer.from_text(shakespeare)
    passage = shakespeare[1000:2000]
    assert tokenizer.decode(tokenizer.encode(passage)) == passage and tokenizer.size == 65


def test_unknown_characters_are_refused_or_replaced_by_spaces():
    tokenizer = corpus.Tokenizer("abc ")
    with pytest.raises(ValueError, match="outside the alphabet: 'é'"):
        tokenizer.encode("abé")
    assert tokenizer.decode(tokenizer.encode("abé", errors="replace")) == "ab "


def test_ids_outside_the_alphabet_cannot_be_decoded():
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 2\]"):
        corpus.Tokenizer("abc").decode([0, 5])


def test_passages_cut_tokens_into_rows_and_drop_the_rest():
    rows = corpus.passages(torch.arange(10), 4)
    assert rows.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]


# --- the model ----------------------------------------------------------------------------------

def test_the_loss_falls_when_overfitting_a_tiny_string():
    tokenizer = corpus.Tokenizer.from_text("to be or not to be, that is the question\n")
    rows = corpus.passages(tokenizer.encode("to be or not to be, that is the question\n" * 20), 64)
    model = lm.new_model(tokenizer.size, TINY_LM, seed=0)
    losses = lm.train(model, rows, steps=150, lr=1e-2, config=TINY_LM, seed=0)
    assert np.mean(losses[-10:]) < 0.3 * np.mean(losses[:10])


def test_sampling_is_deterministic_under_a_seed_and_changes_with_it():
    model = lm.new_model(10, TINY_LM, seed=0)
    a = lm.sample(model, 8, 0, seed=1, length=40)
    assert torch.equal(a, lm.sample(model, 8, 0, seed=1, length=40))
    assert not torch.equal(a, lm.sample(model, 8, 0, seed=2, length=40))
    assert a.shape == (8, 40)


def test_greedy_decoding_always_picks_the_most_likely_character():
    model = lm.new_model(10, TINY_LM, seed=0)
    assert torch.equal(lm.sample(model, 4, 0, temperature=0, seed=1, length=30),
                       lm.sample(model, 4, 0, temperature=0, seed=2, length=30))


def test_a_negative_temperature_is_refused():
    with pytest.raises(ValueError, match=re.escape("temperature must be a finite number >= 0 (0 = greedy), got -1")):
        lm.sample(lm.new_model(10, TINY_LM, seed=0), 2, 0, temperature=-1)


def test_held_out_nll_of_an_untrained_model_is_near_log_of_the_alphabet():
    model = lm.new_model(65, TINY_LM, seed=0)
    assert lm.nll(model, torch.randint(65, (5000,), generator=torch.Generator().manual_seed(0))) == pytest.approx(np.log(65), rel=0.05)


@pytest.mark.parametrize("changes, message", [
    ({"hidden": 0}, "hidden must be >= 1, got 0"),
    ({"seq_len": 300}, "seq_len must be < 256"),
    ({"finetune_lr": 5.0}, "finetune_lr must be <= 1"),
])
def test_bad_model_settings_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        lm.LMConfig(**changes)


# --- runs through the engine --------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("text")
    (root / corpus.CORPUS_FILE).symlink_to(corpus.corpus_path())
    return tx.TextLab(root)


def tiny(**changes):
    return tx.TextRunConfig(**{"generations": 2, "lm": TINY_LM, "n_eval": 20, "n_real": 60, **changes})


def test_replace_trains_each_generation_on_its_predecessors_passages(lab):
    run = tx.run(tiny(), lab, progress=False)
    assert [set(p.tolist()) for p in run.provenance] == [{0}, {1}, {2}]
    assert run.train_sizes == [60] * 3
    assert {"real_perplexity", "distinct_1", "repetition", "gen0_perplexity", "samples"} <= set(run.metrics[1])


def test_keeping_ten_percent_real_mixes_real_passages_into_every_generation(lab):
    run = tx.run(tiny(policy="mix:0.1"), lab, progress=False)
    assert np.allclose(run.real_share()[1:], 6 / 60)


def test_accumulate_keeps_every_generations_passages(lab):
    run = tx.run(tiny(policy="accumulate"), lab, progress=False)
    assert run.train_sizes == [60, 120, 180]


def test_every_generation_starts_from_the_same_pretrained_state(lab, monkeypatch):
    """Shumailov et al.'s protocol: generation g is the *pre-trained* model fine-tuned on g's data,
    not generation g - 1 fine-tuned further. Rebuild generation 2 both ways from the rows it was
    given: the run's model must be the first, and differ from the second."""
    config = tiny(generations=2, seed=5)
    given = {}
    train = lab.train

    def spy(config, generation, rows):
        state = train(config, generation, rows)
        given[generation] = (rows.clone(), lab.load(config, state))
        return state

    monkeypatch.setattr(lab, "train", spy)
    tx.run(config, lab, progress=False)
    rows, gen2 = given[2]

    def tuned_from(start):
        model = lm.new_model(lab.tokenizer.size, TINY_LM, 0)
        model.load_state_dict(start.state_dict())
        lm.train(model, rows, TINY_LM.finetune_steps, TINY_LM.finetune_lr, TINY_LM, seed=config.seed_for("train", 2))
        return model

    same = lambda a, b: all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))  # noqa: E731
    assert same(gen2, tuned_from(lab.base(config)))
    assert not same(gen2, tuned_from(given[1][1]))


def test_a_second_run_is_read_from_the_cache(lab):
    first = tx.run(tiny(seed=3), lab, progress=False)
    files = sorted((lab.root / "cache").glob("lm-*.pt"))
    stamps = [p.stat().st_mtime_ns for p in files]
    second = tx.run(tiny(seed=3), lab, progress=False)
    assert [p.stat().st_mtime_ns for p in sorted((lab.root / "cache").glob("lm-*.pt"))] == stamps
    assert first.metric("real_perplexity").tolist() == second.metric("real_perplexity").tolist()


def test_a_run_at_another_temperature_writes_and_scores_its_own_text_from_the_shared_generation_zero(lab):
    """The two runs share generation 0's model, but not what it writes: generation 1 of the cooler run
    trains on text written at its own temperature, and generation 0 is scored on it too."""
    hot = tx.run(tiny(generations=1, seed=13), lab, progress=False)
    cold = tx.run(tiny(generations=1, seed=13, temperature=0.5), lab, progress=False)
    same = lambda a, b: all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))  # noqa: E731
    assert same(hot.models[0], cold.models[0])
    assert hot.metrics[0]["samples"] != cold.metrics[0]["samples"]
    assert hot.losses[1] != cold.losses[1] and not same(hot.models[1], cold.models[1])


def test_generation_zero_is_shared_by_every_policy_and_temperature():
    assert tiny().key(0) == tiny(policy="accumulate", temperature=0.5).key(0)
    assert tiny().key(1) != tiny(temperature=0.5).key(1)


@pytest.mark.parametrize("changes, message", [
    ({"policy": "photocopy"}, "unknown policy 'photocopy'"),
    ({"policy": "detector-filter:0.5"}, "is for images only"),
    ({"temperature": -0.5}, "temperature must be a finite number >= 0"),
    ({"generations": -1}, "generations must be >= 0"),
])
def test_bad_run_settings_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        tiny(**changes)


def test_notebook_sevens_runs_differ_from_replace_in_exactly_one_setting():
    arms = tx.arms(seed=0)
    base = arms["replace"]
    for name, config in arms.items():
        changed = {f for f in ("policy", "temperature", "n_real", "lm", "generations", "seed")
                   if getattr(config, f) != getattr(base, f)}
        assert len(changed) == (0 if name == "replace" else 1), name


def test_the_real_reference_scores_held_out_text_as_real_words(lab):
    reference = lab.real_reference(20)
    assert reference["real_word_share"] > 0.85 and reference["repetition"] < 0.05


def test_a_run_asking_for_more_real_passages_than_exist_is_refused(lab):
    with pytest.raises(ValueError, match=f"n_real must be < {len(lab.real)}"):
        tx.run(tiny(n_real=len(lab.real)), lab, progress=False)


def test_prompted_continuations_follow_their_prompt_and_beam_search_is_deterministic():
    import torch
    from collapselab.text import lm

    model = lm.new_model(20, lm.LMConfig(), seed=0)
    prompts = torch.randint(20, (6, 30), generator=torch.Generator().manual_seed(0))
    sampled = lm.continue_prompts(model, prompts, length=40, seed=1)
    assert sampled.shape == (6, 40) and sampled.dtype == torch.long
    assert torch.equal(sampled, lm.continue_prompts(model, prompts, length=40, seed=1))
    beam = lm.continue_prompts(model, prompts, length=40, beams=3, seed=1)
    assert torch.equal(beam, lm.continue_prompts(model, prompts, length=40, beams=3, seed=99))   # no randomness


@pytest.mark.parametrize("beams", [1, 4])
def test_the_no_repeat_rule_leaves_no_run_of_that_length_twice(beams):
    import torch
    from collapselab.text import lm

    model = lm.new_model(8, lm.LMConfig(), seed=0)
    prompts = torch.randint(8, (5, 10), generator=torch.Generator().manual_seed(0))
    written = lm.continue_prompts(model, prompts, length=60, temperature=0.0, beams=beams, no_repeat=4)
    for prompt, row in zip(prompts.tolist(), written.tolist()):
        text = prompt + row
        grams = [tuple(text[i:i + 4]) for i in range(len(text) - 3)]
        assert len(grams) == len(set(grams))


def test_beams_and_no_repeat_without_prompts_are_refused_with_what_to_do():
    from collapselab.text import photocopier

    with pytest.raises(ValueError, match="prompted writing only: set prompted=True"):
        photocopier.TextRunConfig(beams=5)


def test_the_default_writing_leaves_the_cache_keys_of_earlier_runs_unchanged():
    from collapselab.text import photocopier

    config = photocopier.TextRunConfig(seed=3)
    assert config.writing() == {} and "select_every" not in config.shared_key(1)
    assert photocopier.TextRunConfig(prompted=True).shared_key(1)["prompted"] is True
