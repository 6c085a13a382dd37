"""Recursive VAE runs through the engine: sizes, provenance, policies, sampling, budgets, and caching."""

import dataclasses

import numpy as np
import pytest
import torch

from collapselab import cache, data, recursion
from collapselab.images import photocopier as generations, vae
from collapselab.images.classifier import ClassifierConfig

from .conftest import linked_data_root

TINY_CLASSIFIER = ClassifierConfig(epochs=2, n_train=2000)
TINY_VAE = vae.VAEConfig(hidden=64, latent=4, epochs=2, batch_size=64, lr=3e-3)


def tiny(**changes):
    settings = dict(generations=2, n_images=300, vae=TINY_VAE, n_eval=200, seed=0)
    return generations.RunConfig(**{**settings, **changes})


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return generations.Lab(root=linked_data_root(tmp_path_factory.mktemp("lab")), classifier=TINY_CLASSIFIER)


def vae_files(lab):
    return sorted(cache.cache_dir(lab.root).glob("vae-model-*.pt"))


def test_replace_trains_each_generation_on_its_predecessors_samples(lab):
    run = generations.run(tiny(), lab, progress=False)
    assert run.train_sizes == [300, 300, 300]
    assert [set(p) for p in run.provenance] == [{0}, {1}, {2}]
    assert len(run.metrics) == 3 and set(generations.METRICS) <= set(run.metrics[0])


def test_generation_zero_is_a_balanced_subset_of_real_digits(lab):
    real, _ = lab.real_data(tiny())
    index = lab.real_split(tiny()).generation0
    assert torch.equal(real, lab.images[index])
    assert np.array_equal(np.bincount(lab.labels[index].numpy()), [30] * 10)


def test_the_fresh_pool_is_every_training_image_outside_generation_zero_and_the_detectors(lab):
    split = lab.real_split(tiny())
    _, fresh = lab.real_data(tiny())
    assert len(fresh) == len(split.fresh) == 60_000 - 300 - generations.DETECTOR_IMAGES
    assert not np.intersect1d(split.fresh, split.generation0).size and not np.intersect1d(split.fresh, split.detector).size


def test_fresh_images_are_drawn_from_the_pool_without_repeats_until_it_is_used_up(lab):
    pool = np.arange(1000, 1050)
    draw = recursion.fresh_source(recursion.FreshPool(lab.images, pool), None, np.random.default_rng(0))
    drawn = torch.cat([draw(30), draw(20)])
    by_sum = lambda x: x[x.sum(1).argsort()]  # noqa: E731 (order-free comparison)
    assert torch.equal(by_sum(drawn), by_sum(lab.images[pool]))


def test_accumulate_grows_the_training_set_and_keeps_provenance(lab):
    run = generations.run(tiny(policy="accumulate"), lab, progress=False)
    assert run.train_sizes == [300, 600, 900]
    assert np.allclose(run.real_share(), [1, 1 / 2, 1 / 3])


def test_a_fixed_budget_gives_every_generation_the_same_number_of_steps():
    config = tiny(vae=dataclasses.replace(TINY_VAE, epochs=4))
    assert [config.vae_config(g, n).epochs for g, n in ((0, 300), (1, 600), (2, 1200))] == [4, 2, 1]


def test_a_growing_budget_gives_every_generation_the_same_number_of_epochs():
    config = tiny(vae=dataclasses.replace(TINY_VAE, epochs=4), budget="growing")
    assert [config.vae_config(g, n).epochs for g, n in ((0, 300), (1, 600), (2, 1200))] == [4, 4, 4]


def test_each_generation_has_its_own_seed():
    config = tiny(seed=3)
    assert [config.vae_config(g, 300).seed for g in (0, 1, 2)] == [config.seed_for("train", g) for g in (0, 1, 2)]
    assert len({config.vae_config(g, 300).seed for g in range(10)} | {tiny(seed=4).vae_config(0, 300).seed}) == 11


def test_provenance_aware_accumulation_keeps_real_data_at_least_half(lab):
    run = generations.run(tiny(policy="provenance-accumulate", generations=3), lab, progress=False)
    assert np.all(run.real_share() >= 0.5)
    assert run.train_sizes[3] == 600


def test_mixing_fresh_data_adds_real_images_from_outside_generation_zero(lab):
    run = generations.run(tiny(policy="mix:0.5"), lab, progress=False)
    assert [int(np.sum(p == 0)) for p in run.provenance] == [300, 150, 150]


def spy_on_training(lab, monkeypatch) -> dict:
    """{generation: the images it trained on}, for the runs that follow (training only: not loads)."""
    seen, original = {}, lab.train

    def spy(config_, generation, images):
        seen[generation] = images
        return original(config_, generation, images)

    monkeypatch.setattr(lab, "train", spy)
    return seen


def test_mixed_in_real_images_are_training_images_from_outside_generation_zero(lab, monkeypatch):
    seen = spy_on_training(lab, monkeypatch)
    run = generations.run(tiny(policy="mix:0.5", generations=1, seed=12), lab, progress=False)
    fresh = seen[1][run.provenance[1] == 0]  # the real rows of generation 1's training set
    pixels = lambda x: [bytes(row) for row in (x * 255).round().to(torch.uint8).numpy()]  # noqa: E731 (exact rows)
    index_of = {row: i for i, row in enumerate(pixels(lab.images))}
    drawn = np.array([index_of.get(row, -1) for row in pixels(fresh)])
    split = lab.real_split(tiny(policy="mix:0.5", generations=1, seed=12))
    assert len(drawn) == 150 and np.all(drawn >= 0)  # real MNIST training images
    assert np.isin(drawn, split.fresh).all()  # never generation 0's, never the detector's


def test_a_run_without_a_policy_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown policy None; choose one of replace"):
        tiny(policy=None)


def test_the_real_only_control_trains_every_generation_on_real_images(lab):
    run = generations.run(tiny(policy="real-only"), lab, progress=False)
    assert all(np.all(p == 0) for p in run.provenance) and run.train_sizes == [300, 300, 300]


def test_bernoulli_sampling_trains_the_next_generation_on_binary_images(lab, monkeypatch):
    config = tiny(sampling="bernoulli", generations=1, seed=11)
    seen = spy_on_training(lab, monkeypatch)
    generations.run(config, lab, progress=False)
    assert set(torch.unique(seen[1]).tolist()) == {0.0, 1.0}
    assert len(torch.unique(seen[0])) > 2  # generation 0: real grey levels


def test_the_sample_size_can_differ_from_generation_zeros_images(lab):
    run = generations.run(tiny(sample_size=600, generations=1), lab, progress=False)
    assert run.train_sizes == [300, 600]


def test_the_detector_filter_keeps_most_real_and_drops_most_generated_images(lab):
    run = generations.run(tiny(policy="detector-filter:0.5", vae=dataclasses.replace(TINY_VAE, epochs=1)), lab,
                          progress=False)
    assert sorted(run.detector_accuracy) == [1, 2]
    assert all(a > 0.8 for a in run.detector_accuracy.values())  # blurry tiny-VAE samples are easy to spot
    for g in (1, 2):
        kept_real = np.sum(run.provenance[g] == 0) / 150
        kept_fake = np.sum(run.provenance[g] > 0) / 150
        assert kept_real > 0.7 and kept_fake < 0.3
        # the real images it threw away are counted and measured, by provenance and typicality
        dropped = run.real_discarded[g]
        assert dropped["kept"] == np.sum(run.provenance[g] == 0) and dropped["kept"] + dropped["discarded"] == 150
        assert dropped["kept_typicality"] > 0 and 0 <= dropped["kept_tail"] <= 1
        # with no real image thrown away (or none in the tail) there is nothing to compare: the
        # z-score is undefined, not 0
        if dropped["discarded"] == 0:
            assert np.isnan(dropped["tail_z"])
        else:
            assert np.isfinite(dropped["tail_z"]) or dropped["kept_tail"] == dropped["discarded_tail"] == 0


def test_the_detector_controls_keep_its_real_digits_or_as_many_random_real_ones(lab, monkeypatch):
    # a stream of 6 real digits (provenance 0) and 4 generated ones (1); the detector "keeps" 3 real, 2 generated
    provenance = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    judged = np.array([1, 0, 1, 0, 1, 0, 1, 1, 0, 0], dtype=bool)
    monkeypatch.setattr(generations.Detector, "__call__", lambda self, step, images, prov: judged.copy())
    stream = lambda keep: generations.detector_filter(0.5, lab=lab, pool=np.arange(4000), seed=0, keep=keep).keep
    step = type("Step", (), {"generation": 1})()
    images = torch.zeros(10, 784)
    assert np.array_equal(stream("judged real")(step, images, provenance), judged)
    assert np.array_equal(stream("kept real")(step, images, provenance), judged & (provenance == 0))
    drawn = [stream("random real")(type("Step", (), {"generation": g})(), images, provenance) for g in range(1, 9)]
    assert all(d.sum() == 3 and not d[provenance == 1].any() for d in drawn)   # as many, real only
    assert len({tuple(d) for d in drawn}) > 1                                  # chosen at random, per generation


def test_the_detector_controls_run_through_the_engine_on_the_same_stream(lab):
    run = lambda policy: generations.run(tiny(policy=policy, generations=1, vae=dataclasses.replace(TINY_VAE, epochs=1)),
                                         lab, progress=False)
    detector, kept, random = run("detector-filter:0.5"), run("detector-kept-real:0.5"), run("random-kept-real:0.5")
    n_real = np.sum(detector.provenance[1] == 0)
    # generation 1 is judged by the same detector on the same stream: the same number of real digits kept
    assert kept.real_discarded[1]["kept"] == detector.real_discarded[1]["kept"] == n_real
    assert set(kept.provenance[1]) == {0} == set(random.provenance[1])
    assert kept.train_sizes[1] == random.train_sizes[1] == n_real


def test_a_second_run_loads_every_generation_from_the_cache(lab):
    config = tiny(seed=5)
    first = generations.run(config, lab, progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in vae_files(lab)}
    second = generations.run(config, lab, progress=False)
    assert {p: p.stat().st_mtime_ns for p in vae_files(lab)} == stamps
    assert [m["fd"] for m in second.metrics] == [m["fd"] for m in first.metrics]
    assert torch.equal(first.models[2].sample(3, seed=1), second.models[2].sample(3, seed=1))


def test_another_policy_shares_generation_zero_and_trains_only_the_rest(lab):
    generations.run(tiny(seed=6), lab, progress=False)
    before = len(vae_files(lab))
    generations.run(tiny(seed=6, policy="accumulate"), lab, progress=False)
    assert len(vae_files(lab)) == before + 2


def test_generation_zero_is_the_model_every_run_of_that_seed_starts_from(lab):
    run = generations.run(tiny(seed=8, generations=1), lab, progress=False)
    gen0 = generations.generation_zero(lab, tiny(seed=8, policy="real-only", sampling="bernoulli"))
    assert torch.equal(gen0.model.sample(4, seed=0), run.models[0].sample(4, seed=0))


def test_a_corrupted_checkpoint_is_detected_and_rebuilt(lab):
    config = tiny(seed=7)
    first = generations.run(config, lab, progress=False)
    key = {**config.key(1), **lab.training_key(config, 1, torch.zeros(300, 784))}
    path = cache.path_for("vae-model", key, lab.root)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.warns(UserWarning, match="rebuilding"):
        again = generations.run(config, lab, progress=False)
    assert torch.equal(first.models[1].sample(3, seed=1), again.models[1].sample(3, seed=1))
    cache.load(path)


def test_cached_metrics_know_which_classifier_measured_them(tmp_path):
    config = tiny(generations=0, seed=9)
    root = linked_data_root(tmp_path)
    small = generations.run(config, generations.Lab(root=root, classifier=ClassifierConfig(epochs=3, n_train=1000)),
                            progress=False)
    large = generations.run(config, generations.Lab(root=root, classifier=TINY_CLASSIFIER), progress=False)
    assert small.metrics[0]["fd"] != large.metrics[0]["fd"]
    assert len(list(cache.cache_dir(root).glob("vae-metrics-*.pt"))) == 2


def test_every_cache_key_names_the_mnist_files_it_was_built_from():
    assert tiny().key(0)["data"] == data.FINGERPRINT == tiny().key(2)["data"]


def test_the_detector_filter_key_names_the_classifier_it_judges_with(lab):
    images = torch.zeros(300, 784)
    key = lab.training_key(tiny(policy="detector-filter:0.5"), 1, images)
    assert key["classifier"] == TINY_CLASSIFIER.as_dict() and key["second"] == lab.second_config.as_dict()
    assert "classifier" not in lab.training_key(tiny(), 1, images)


def test_rows_flatten_a_run_for_csv(lab):
    rows = generations.run(tiny(), lab, progress=False).rows()
    assert [r["generation"] for r in rows] == [0, 1, 2] and rows[1]["real_share"] == 0.0


def test_numpy_numbers_are_stored_as_plain_python_numbers():
    config = tiny(n_images=np.int64(300), seed=np.int64(2))
    assert type(config.n_images) is int and type(config.seed) is int
    assert type(vae.VAEConfig(lr=np.float64(3e-3)).lr) is float


def test_unknown_metric_names_the_known_ones(lab):
    with pytest.raises(ValueError, match="no metric 'fid'"):
        generations.run(tiny(), lab, progress=False).metric("fid")


# --- latent spread: the spread of a generation's samples in generation 0's latent space ----------

def test_latent_spread_is_one_for_generation_zero_and_for_the_real_only_control_near_one(lab):
    run = generations.run(tiny(policy="real-only", seed=11), lab, progress=False)
    spread = run.metric("latent_spread")
    assert spread[0] == 1.0
    assert np.all(np.abs(spread[1:] - 1) < 0.5)  # retrained on fresh real digits: about as spread out


def test_a_sampler_that_draws_one_image_over_and_over_has_a_latent_spread_of_zero(lab, monkeypatch):
    """From generation 1 on, every model 'samples' one fixed image: nothing is spread out any more."""
    original = vae.VAE.sample
    zero = {}

    def sample(model, n, seed=0, mode="mean", batch_size=4096):
        if zero.setdefault("model", model) is model:  # generation 0 samples as usual
            return original(model, n, seed=seed, mode=mode, batch_size=batch_size)
        return original(model, 1, seed=seed, mode=mode).repeat(n, 1)

    monkeypatch.setattr(vae.VAE, "sample", sample)
    run = generations.run(tiny(generations=1, seed=12), lab, progress=False)
    assert run.metric("latent_spread")[0] == 1.0 and run.metric("latent_spread")[1] < 1e-6


def test_every_generation_is_encoded_by_generation_zeros_encoder(lab, monkeypatch):
    encoders = []
    original = vae.VAE.encode

    def encode(model, x):
        encoders.append(model)
        return original(model, x)

    monkeypatch.setattr(vae.VAE, "encode", encode)
    run = generations.run(tiny(seed=13), lab, progress=False)
    assert len(encoders) == 3 and all(e is run.models[0] for e in encoders)


def test_a_runs_losses_and_detector_accuracy_come_from_the_history(lab):
    run = generations.run(tiny(generations=1, seed=14), lab, progress=False)
    assert run.losses == [info["losses"] for info in run.info] and len(run.losses[1]) == TINY_VAE.epochs
    assert run.detector_accuracy == {}
